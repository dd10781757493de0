from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from workshop.management.commands.createfacilitator import Command as CreateFacilitator
from workshop.models import User


class Command(BaseCommand):
    help = (
        "Create an organizer account that signs in with EMAIL and sees only the workshops a "
        "facilitator shares with it."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="For scripts; without it, you are asked.")

    def handle(self, *args, email, password, **options):
        email = email.strip().lower()
        try:
            validate_email(email)
        except ValidationError as error:
            raise CommandError(f"{email!r} is not an email address.") from error
        if User.objects.filter(email=email).exists():
            raise CommandError(f"An account with {email} exists already.")
        if password is None:
            password = CreateFacilitator(stdout=self.stdout, stderr=self.stderr)._ask_password(
                email
            )
        User.objects.create_user(email, password, is_organizer=True)
        self.stdout.write(self.style.SUCCESS(f"Created organizer {email}."))
