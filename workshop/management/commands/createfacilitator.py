import getpass

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from workshop.models import User


class Command(BaseCommand):
    help = "Create a facilitator account that signs in with EMAIL."
    role = "facilitator"
    account_fields = {"is_staff": True}

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
            password = self._ask_password(email)
        User.objects.create_user(email, password, **self.account_fields)
        self.stdout.write(self.style.SUCCESS(f"Created {self.role} {email}."))

    def _ask_password(self, email):
        while True:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                self.stderr.write("The two passwords differ. Try again.")
                continue
            try:
                password_validation.validate_password(password, User(email=email))
            except ValidationError as error:
                self.stderr.write("\n".join(error.messages))
                continue
            return password
