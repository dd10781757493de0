import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from workshop.codes import new_join_code, new_secret


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A facilitator (and, later, an organizer): signs in with an email address."""

    username = None
    email = models.EmailField(_("email address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.email


class Workshop(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshops"
    )
    code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    projector_key = models.CharField(max_length=64, unique=True, default=new_secret)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Raised by every change to anything in the workshop; clients catch up from it.
    revision = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class Table(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=60)
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="table_number_unique"),
        ]

    def __str__(self):
        return self.name


class Participant(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    table = models.ForeignKey(Table, on_delete=models.PROTECT, related_name="participants")
    name = models.CharField(_("first name"), max_length=settings.NAME_MAX_LENGTH)
    revision = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]

    def __str__(self):
        return self.name


class Takeaway(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="takeaways")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="takeaways")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="takeaways")
    # The client's idempotency key: the same submission sent twice is stored once.
    token = models.UUIDField(default=uuid.uuid4)
    text = models.TextField(_("takeaway"), max_length=settings.TAKEAWAY_MAX_LENGTH)
    hidden = models.BooleanField(default=False)
    # Kept as a tombstone so a client catching up learns that it is gone.
    deleted = models.BooleanField(default=False)
    revision = models.PositiveBigIntegerField(default=0)
    posted_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["posted_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "token"], name="takeaway_token_unique"),
        ]
        indexes = [models.Index(fields=["workshop", "revision"])]

    def __str__(self):
        return self.text[:60]

    @property
    def is_visible(self):
        return not (self.hidden or self.deleted)
