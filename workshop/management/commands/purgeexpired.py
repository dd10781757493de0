from django.core.management.base import BaseCommand

from workshop import services


class Command(BaseCommand):
    help = (
        "Delete the workshops whose retention period has ended (counted from when they were "
        "closed), with everything in them, and share links that expired or were revoked. "
        "Safe to run from cron as often as you like."
    )

    def handle(self, *args, **options):
        workshops, links = services.purge_expired()
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Deleted {workshops} expired workshop(s) and {links} dead share link(s)."
            )
