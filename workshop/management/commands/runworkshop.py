"""Serve the app for a room: one Daphne process, and the addresses people need printed."""

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from workshop import setup_link, single_process, static_files
from workshop.netinfo import lan_addresses, url_host

# Daphne's default listen backlog of 50 stalls a room full of phones joining at once.
LISTEN_BACKLOG = 1024
# The largest frame a browser may send: at the header of a bigger one, autobahn drops the
# connection before reading it. The app reads no message from browsers (workshop/consumers.py
# caps whole messages, however framed, at the same size). autobahn applies this limit to
# incoming frames only; its message limit (--websocket-max-message-size) applies to what the
# server sends too, and a board's snapshot is far larger, so that one stays at Daphne's 1 MiB.
MAX_CLIENT_FRAME = 4 * 1024


def daphne_arguments(host: str, port: int) -> list[str]:
    """Daphne's command line, for workshop.serve (Daphne with a graceful stop)."""
    return [
        "--endpoint",
        f"tcp:port={port}:interface={host.replace(':', r'\:')}:backlog={LISTEN_BACKLOG}",
        # No --proxy-headers: Daphne would believe X-Forwarded-For from anyone, so a phone could
        # name its own address. workshop/proxy.py believes it from TRUSTED_PROXIES only.
        # Daphne closes every socket after a day by default; a projector stays open longer.
        "--websocket_timeout",
        "-1",
        # A room joining at once queues its handshakes: 5 s (Daphne's default) reset the last.
        "--websocket_connect_timeout",
        "30",
        "--websocket-max-frame-size",
        str(MAX_CLIENT_FRAME),
        "workshop.asgi:application",
    ]


class Command(BaseCommand):
    help = "Run the workshop server on this machine's network (PORT, default 8000)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "0.0.0.0"))  # noqa: S104
        parser.add_argument("--port", type=int, default=settings.PORT)

    def handle(self, *args, host, port, **options):
        if single_process.applies():
            try:
                single_process.hold()  # and Daphne inherits it across the exec below
            except single_process.AlreadyServing as refusal:
                raise CommandError(str(refusal)) from None
        # Pages name static files by content hash: collected first, or every page fails.
        if settings.COLLECT_STATIC_ON_START:
            static_files.collect_if_changed()
        elif not static_files.is_collected():
            raise CommandError(
                f"No static files collected in {settings.STATIC_ROOT}: "
                "run manage.py collectstatic first."
            )
        base = settings.PUBLIC_URL or self._lan_base_url(port)
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("  Workshop server is starting."))
        self.stdout.write(f"  Phones join at:      {base}/j/")
        self.stdout.write(f"  On this laptop:      http://localhost:{port}/f/")
        if setup_link.needed():
            self.stdout.write("")
            self.stdout.write("  No facilitator account yet. Open this link once to create yours:")
            self.stdout.write(self.style.WARNING(f"  {base}{setup_link.path_with_token()}"))
        self.stdout.write("")
        sys.stdout.flush()
        serve = [sys.executable, "-m", "workshop.serve", *daphne_arguments(host, port)]
        os.execv(sys.executable, serve)  # noqa: S606 - replaces this process

    def _lan_base_url(self, port: int) -> str:
        if settings.DEBUG:  # then the server answers this machine only (settings.ALLOWED_HOSTS)
            return f"http://localhost:{port}"
        addresses = lan_addresses()
        host = url_host(addresses[0]) if addresses else "localhost"
        return f"http://{host}:{port}"
