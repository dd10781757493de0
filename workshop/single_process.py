"""Embedded mode is one server process: a second one on the same data folder is refused.

The in-memory channel layer lives inside one process. A second process would serve its own
phones and projector from the same database, and neither would hear the other's changes: the room
would drift apart without an error anywhere. So an embedded server holds an exclusive lock on a
file in DATA_DIR for as long as it runs (the kernel lets go when the process ends, however it
ends), and a second server exits at once, saying why. With REDIS_URL set, processes share the
Redis channel layer and as many as you like may run.
"""

import fcntl
import os
import sys
from pathlib import Path

from django.conf import settings

LOCK_FILE = "server.lock"
# runworkshop takes the lock, then becomes Daphne (exec); the descriptor, and so the lock, carry
# over, and this tells the application Daphne loads that its process already holds it.
_FD_VARIABLE = "WORKSHOP_SERVER_LOCK_FD"
# Programs that serve workshop.asgi:application, as their command name appears in sys.argv[0].
_SERVERS = {"daphne", "uvicorn", "hypercorn", "gunicorn"}


class AlreadyServing(Exception):
    pass


def applies() -> bool:
    """Live updates stay inside this process: only one may serve this data folder."""
    return settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"


def lock_path() -> Path:
    return Path(settings.DATA_DIR) / LOCK_FILE


def hold() -> None:
    """Take the data folder's lock for the life of this process and of what it execs into."""
    if _already_held():
        return
    fd = os.open(lock_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.read(fd, 32).decode(errors="replace").strip()
        os.close(fd)
        raise AlreadyServing(explanation(holder)) from None
    os.ftruncate(fd, 0)
    os.write(fd, f"{os.getpid()}\n".encode())
    os.set_inheritable(fd, True)
    os.environ[_FD_VARIABLE] = str(fd)


def hold_if_serving() -> None:
    """For the ASGI module: a server started without runworkshop (daphne …) is held to it too."""
    if not (applies() and _is_server(sys.argv[0] if sys.argv else "")):
        return
    try:
        hold()
    except AlreadyServing as refusal:
        sys.exit(f"\n{refusal}\n")


def explanation(holder: str) -> str:
    process = f" (process {holder})" if holder.isdigit() else ""
    return (
        f"Another workshop server is already running with the data folder {settings.DATA_DIR}"
        f"{process}.\n"
        "In embedded mode one process serves the room: live updates travel inside it, so a\n"
        "second process would leave some phones and the projector out of step, silently.\n"
        "Stop the other server first, or give this one its own DATA_DIR. To run several server\n"
        "processes, set REDIS_URL and DATABASE_URL (see the README, 'Deploying')."
    )


def _already_held() -> bool:
    value = os.environ.get(_FD_VARIABLE, "")
    if not value.isdigit():
        return False
    fd = int(value)
    try:
        inherited, ours = os.fstat(fd), os.stat(lock_path())
    except OSError:
        return False
    if (inherited.st_dev, inherited.st_ino) != (ours.st_dev, ours.st_ino):
        return False
    try:
        # Locking again through the descriptor that holds the lock succeeds; through any other,
        # it would not.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _is_server(command: str) -> bool:
    path = Path(command)
    # `daphne …` runs bin/daphne; `python -m daphne …` runs daphne/__main__.py.
    return path.name in _SERVERS or (path.name == "__main__.py" and path.parent.name in _SERVERS)
