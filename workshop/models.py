import hashlib
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
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
    """A facilitator, or an organizer who gets the results of the workshops shared with them.

    Either signs in with an email address.
    """

    username = None
    email = models.EmailField(_("email address"), unique=True)
    # An organizer runs no workshops: they see and download only what is shared with them.
    is_organizer = models.BooleanField(_("organizer"), default=False)
    # How a facilitator is named where participants and organizers see them (the report, My
    # notes), set from their profile; their e-mail address is never shown in its place.
    display_name = models.CharField(_("display name"), max_length=80, blank=True)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    def __str__(self):
        return self.email

    @property
    def public_name(self) -> str:
        """ "Jana Weber (Acme Learning)", or "" when no name is set: never the e-mail address."""
        name = self.display_name or self.get_full_name()
        if name and self.organisation:
            return f"{name} ({self.organisation})"
        return name


class Workshop(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Retention(models.IntegerChoices):
        """How long after it closes a workshop is kept: `manage.py purgeexpired` deletes it."""

        WEEK = 7, _("7 days after it closes")
        MONTH = 30, _("30 days after it closes")
        QUARTER = 90, _("90 days after it closes")
        YEAR = 365, _("1 year after it closes")
        __empty__ = _("Until I delete it")

    title = models.CharField(_("title"), max_length=200)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshops"
    )
    code = models.CharField(_("join code"), max_length=12, unique=True, default=new_join_code)
    projector_key = models.CharField(max_length=64, unique=True, default=new_secret)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    # Raised by every change to anything in the workshop; clients catch up from it.
    revision = models.PositiveBigIntegerField(default=0)
    # The revision at which the room last moved to another activity (or the running activity was
    # edited): a client that saw less than this needs the whole screen again.
    stage_revision = models.PositiveBigIntegerField(default=0)
    current_activity = models.ForeignKey(
        "Activity", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The timer runs until timer_ends_at; paused, it keeps what was left in timer_paused_seconds.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_paused_seconds = models.PositiveIntegerField(null=True, blank=True)
    spotlight = models.ForeignKey(
        "Takeaway", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The one table the projector's wall shows, when the facilitator focuses it; else all.
    focus_table = models.ForeignKey(
        "Table", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Nobody's name is asked at join, and nobody's name is shown but to the facilitator.
    class Theme(models.TextChoices):
        DARK = "dark", _("Dark")
        LIGHT = "light", _("Light")  # for a washed-out projector in a bright room

    projector_theme = models.CharField(
        _("projector theme"), max_length=8, choices=Theme.choices, default=Theme.DARK
    )
    # The projector's language, chosen from the console; "" for the site's default.
    projector_language = models.CharField(_("projector language"), max_length=16, blank=True)
    # The languages the workshop's live screens were opened in, per kind of screen, such as
    # "[table:de][table:fr][console:en]" (workshop.languages): each change is rendered once in
    # each, whatever the size of the room.
    screen_languages = models.TextField(blank=True, default="", editable=False)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    # The room's pattern of a private step (workshop.aggregates) shows nothing until at least
    # this many people have answered it: below, a count could point at someone.
    reveal_threshold = models.PositiveSmallIntegerField(
        _("answers needed before the room's pattern shows"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
    )
    retention_days = models.PositiveSmallIntegerField(
        _("keep the workshop"), choices=Retention.choices, null=True, blank=True, default=30
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    personal_data_removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.title

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def projector_language_code(self) -> str:
        return self.projector_language or settings.LANGUAGE_CODE

    @property
    def expires_at(self):
        """When `manage.py purgeexpired` deletes this workshop, or None while it is kept."""
        if self.closed_at is None or self.retention_days is None:
            return None
        return self.closed_at + timedelta(days=self.retention_days)


class Table(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="tables")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(_("name"), max_length=60)
    revision = models.PositiveBigIntegerField(default=0)
    # The revision of the last change this table's phones were sent, and of the one before: each
    # message says both, so that a phone sees at once when it missed one (workshop.live).
    feed_revision = models.PositiveBigIntegerField(default=0, editable=False)
    feed_previous = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["workshop", "number"], name="table_number_unique"),
        ]

    def __str__(self):
        return self.name


class Activity(models.Model):
    """One item of the day's agenda."""

    class Kind(models.TextChoices):
        SLIDE = "slide", _("Slide")
        SOLO = "solo", _("Solo reflection (private)")
        DISCUSSION = "discussion", _("Table discussion")
        SHAREOUT = "shareout", _("Share-out")
        # The room's counts of a reflection's checklists, on the big screen.
        PATTERN = "pattern", _("The room's answers")
        # One question the whole room answers in a tap, its results on the big screen.
        POLL = "poll", _("Quick poll")

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="activities")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(_("instructions"), blank=True, max_length=2000)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), null=True, blank=True
    )
    # A share-out shows the takeaways of one discussion; the room's answers, the counts of one
    # reflection's checklists (SOURCE_KINDS).
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shareouts",
        limit_choices_to={"kind__in": ("discussion", "solo")},
    )
    order_by_votes = models.BooleanField(default=False)
    # A share-out's counts (and the order they make) kept off the projector until revealed.
    votes_hidden = models.BooleanField(_("hide the counts until I reveal them"), default=False)
    # A discussion's new takeaways wait for the facilitator before any other table sees them.
    moderated = models.BooleanField(_("approve before showing"), default=False)
    # A reflection's checklist step whose counts the projector shows (workshop.aggregates).
    revealed_step = models.ForeignKey(
        "Step", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A poll's key to who answered while it is open (PollAnswer.voter); emptied when it closes,
    # so that nothing can tell whose an answer was any more.
    poll_key = models.CharField(max_length=64, blank=True, default=new_secret, editable=False)
    # When a poll stopped taking answers: the facilitator closed it, or the room moved on.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    revision = models.PositiveBigIntegerField(default=0)
    # When the room last moved away from it: a reflection takes answers a little longer.
    left_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the room first moved to it: the console's clock of the day against the agenda. (A
    # quick Next and Back does not restart the activity's time.)
    entered_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = _("activities")

    def __str__(self):
        return self.title

    @property
    def is_discussion(self):
        return self.kind == self.Kind.DISCUSSION

    @property
    def is_poll(self):
        return self.kind == self.Kind.POLL

    @property
    def poll_is_open(self) -> bool:
        return self.is_poll and self.closed_at is None

    @property
    def source_kind(self) -> str | None:
        """The kind of activity this one shows (its `source`), if it shows one."""
        return SOURCE_KINDS.get(self.kind)


# The activities that show another: what kind of activity each shows.
SOURCE_KINDS = {
    Activity.Kind.SHAREOUT: Activity.Kind.DISCUSSION,
    Activity.Kind.PATTERN: Activity.Kind.SOLO,
}


class Step(models.Model):
    """One screen of a solo reflection."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Written answer")
        CHECKLIST = "checklist", _("Checklist")
        # One of its options, and only one.
        CHOICE = "choice", _("One choice")
        # One tap on a scale, 1 to 5 or 0 to 10, its two ends named by `options`.
        SCALE = "scale", _("Scale")
        # A word or two, which the room sees as a word cloud (workshop.words folds them).
        WORD = "word", _("One word")
        COMMITMENT = "commitment", _("Commitment")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.TEXT)
    prompt = models.CharField(_("prompt"), max_length=300)
    help_text = models.TextField(_("help"), blank=True, max_length=1000)
    # A checklist's options, one string each; a scale's words for its two ends.
    options = models.JSONField(default=list, blank=True)
    # A scale's top: 5 (a scale of 1 to 5) or 10 (0 to 10).
    scale_top = models.PositiveSmallIntegerField(
        _("scale"), choices=[(5, _("1 to 5")), (10, _("0 to 10"))], default=5
    )

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.prompt

    @property
    def scale_values(self) -> list[str]:
        """A scale's points, low to high, as its answers store them."""
        return [str(n) for n in range(1 if self.scale_top == 5 else 0, self.scale_top + 1)]

    @property
    def scale_ends(self) -> tuple[str, str]:
        """The words for a scale's low and high ends ("" where it has none)."""
        low, high = [*self.options, "", ""][:2]
        return low, high

    def kept_choices(self, choices: list[str]) -> list[str]:
        """Of what a phone sent, what this step keeps: a checklist's own options, or one point
        of a scale."""
        if self.kind == self.Kind.SCALE:
            return [c for c in choices if c in self.scale_values][:1]
        if self.kind == self.Kind.WORD:
            return []  # a word's is what the server folds of it, never what a phone says
        kept = [c for c in self.options if c in choices]
        return kept[:1] if self.kind == self.Kind.CHOICE else kept

    @property
    def is_counted(self) -> bool:
        """The room's counts of it may be shown (workshop.aggregates)."""
        return self.kind in COUNTED_STEPS


# The steps whose counts the room may see (workshop.aggregates), and the questions of a poll.
COUNTED_STEPS = (Step.Kind.CHOICE, Step.Kind.CHECKLIST, Step.Kind.SCALE, Step.Kind.WORD)


class Participant(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="participants")
    # A table with people at it cannot be deleted, unless its whole workshop is.
    table = models.ForeignKey(Table, on_delete=models.RESTRICT, related_name="participants")
    name = models.CharField(_("first name"), max_length=settings.NAME_MAX_LENGTH)
    # The phone's device cookie (workshop.access): the same phone is the same participant.
    # Emptied when the participant deletes their data, so that the phone may join anew.
    device = models.CharField(max_length=64, blank=True, default="", editable=False)
    revision = models.PositiveBigIntegerField(default=0)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "device"],
                condition=~models.Q(device=""),
                name="participant_device_unique",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def public_name(self) -> str:
        """The name that screens other than the facilitator's show."""
        return _("Anonymous") if self.workshop.anonymous else self.name


class RemovedDevice(models.Model):
    """A phone the facilitator removed from a workshop: it may not join it again.

    Known only by a digest of its device id (workshop.access): what the phone was is kept, not
    who was holding it.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="removed_devices")
    device_hash = models.CharField(max_length=64)
    removed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "device_hash"], name="removed_device_unique"
            ),
        ]

    def __str__(self):
        return f"{self.workshop} · {self.removed_at:%Y-%m-%d %H:%M}"

    @staticmethod
    def hash_device(device: str) -> str:
        return hashlib.sha256(device.encode()).hexdigest()


class Takeaway(models.Model):
    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="takeaways")
    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.SET_NULL, related_name="takeaways"
    )
    # Shared by its author from their private reflection.
    from_reflection = models.BooleanField(default=False)
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="takeaways")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="takeaways")
    # The client's idempotency key: the same submission sent twice is stored once.
    token = models.UUIDField(default=uuid.uuid4)
    text = models.TextField(_("takeaway"), max_length=settings.TAKEAWAY_MAX_LENGTH)
    hidden = models.BooleanField(default=False)

    class Approval(models.TextChoices):
        NOT_NEEDED = "", _("Not needed")
        WAITING = "waiting", _("Waiting for the facilitator")
        APPROVED = "approved", _("Approved")

    # Posted while its discussion asked for approval: waiting until the facilitator approves.
    approval = models.CharField(max_length=8, choices=Approval.choices, default="", blank=True)
    # Kept with the votes (services.vote), so that no screen counts them on every render.
    vote_count = models.PositiveIntegerField(default=0, editable=False)
    # Kept as a tombstone so a client catching up learns that it is gone.
    deleted = models.BooleanField(default=False)
    revision = models.PositiveBigIntegerField(default=0)
    posted_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # When the facilitator first put it on the big screen; the workshop keeps only the current one.
    spotlighted_at = models.DateTimeField(null=True, blank=True)

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
        """Shown to the room: not hidden, deleted, or waiting for approval."""
        return not (self.hidden or self.deleted or self.is_waiting)

    @property
    def is_waiting(self):
        return self.approval == self.Approval.WAITING

    @property
    def in_queue(self):
        """Waiting in the console's queue (hiding one takes it out, still never approved)."""
        return self.is_waiting and not (self.hidden or self.deleted)

    @property
    def vote_order(self) -> int:
        """Where the card stands on a wall ordered by votes: most votes first, then newest."""
        return self.vote_count * 1_000_000_000 + self.pk


# The takeaways the room sees: what `Takeaway.is_visible` says, as a query.
SHOWN_TAKEAWAYS = models.Q(hidden=False, deleted=False) & ~models.Q(
    approval=Takeaway.Approval.WAITING
)


class Answer(models.Model):
    """A participant's private answer to one step of a solo reflection: only they see it."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="answers")
    text = models.TextField(blank=True, max_length=settings.ANSWER_MAX_LENGTH)
    choices = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When these words were typed, in milliseconds of the server's clock (a phone corrects its
    # own): a save typed earlier, sent late by a phone that was offline, never replaces them.
    edited_at = models.PositiveBigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "step"], name="answer_unique"),
        ]

    def __str__(self):
        return f"{self.participant} · {self.step}"


class PollAnswer(models.Model):
    """One phone's answer to a quick poll, never stored with who gave it.

    While the poll is open, `voter` is a keyed digest of the participant (services.polls) so
    that their phone can change its answer; when the poll closes, the key is thrown away and
    every `voter` emptied. What is left are answers, not anyone's."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="poll_answers")
    voter = models.CharField(max_length=64, blank=True, default="", editable=False)
    text = models.TextField(blank=True, max_length=settings.ANSWER_MAX_LENGTH)
    choices = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["step", "voter"], condition=~models.Q(voter=""), name="poll_answer_unique"
            ),
        ]

    def __str__(self):
        return f"{self.step} · {self.choices or self.text}"


class Completion(models.Model):
    """A participant said they are done with a solo reflection: counted, never shown."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="completions")
    revision = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "activity"], name="completion_unique"),
        ]

    def __str__(self):
        return f"{self.participant} finished {self.activity}"


class Vote(models.Model):
    """A +1 from a participant to another table's takeaway, once each."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="votes")
    takeaway = models.ForeignKey(Takeaway, on_delete=models.CASCADE, related_name="votes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "takeaway"], name="vote_unique"),
        ]

    def __str__(self):
        return f"+1 from {self.participant}"


class AgendaTemplate(models.Model):
    """A saved agenda that new workshops can start from; built-in ones live in code."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agenda_templates"
    )
    name = models.CharField(_("name"), max_length=120)
    # The agenda as `workshop.agenda_templates.serialise` writes it.
    agenda = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- Organizers: who gets the results -----------------------------------------------------


class WorkshopAccess(models.Model):
    """A facilitator shared a workshop's results with this account."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workshop_accesses"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["granted_at", "pk"]
        verbose_name_plural = _("workshop accesses")
        constraints = [
            models.UniqueConstraint(fields=["workshop", "user"], name="workshop_access_unique"),
        ]

    def __str__(self):
        return f"{self.user} · {self.workshop}"


class ShareLink(models.Model):
    """A read-only link to a workshop's results that expires and can be revoked.

    Only a hash of its secret is stored: the link itself is shown once, when it is made.
    """

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="share_links")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.workshop} · {self.expires_at:%Y-%m-%d}"

    @staticmethod
    def hash_secret(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
