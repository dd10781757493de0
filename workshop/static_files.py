"""Static files collected with hashed names, in embedded mode too.

Pages name their CSS and scripts by content hash (collectstatic with the manifest storage), so a
phone keeps them for a year and never asks again. Embedded mode collects into the repo's
staticfiles/ as it starts (`collect_if_changed`, called by runworkshop and by the tests); a
deployment sets STATIC_ROOT and runs collectstatic itself.
"""

import fcntl
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command


def collect_if_changed() -> bool:
    """Runs collectstatic unless STATIC_ROOT already holds every source file, collected after
    its last change. True when it collected. Two processes starting at once take turns."""
    root = Path(settings.STATIC_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    folder = os.open(root, os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)
        if is_current():
            return False
        call_command("collectstatic", interactive=False, verbosity=0)
        return True
    finally:
        os.close(folder)  # and with it the lock


def is_current(storage=None) -> bool:
    """Whether the manifest names every source file and is newer than each of them."""
    storage = storage or staticfiles_storage
    if not hasattr(storage, "load_manifest"):
        return True  # nothing to be current with: files are served under their own names
    try:
        collected_at = os.stat(storage.path(storage.manifest_name)).st_mtime_ns
    except FileNotFoundError:
        return False
    names, _ = storage.load_manifest()
    ignore = apps.get_app_config("staticfiles").ignore_patterns
    sources = {}
    for finder in get_finders():
        for path, source in finder.list(ignore):
            prefix = getattr(source, "prefix", None)
            sources.setdefault(os.path.join(prefix, path) if prefix else path, source.path(path))
    if sources.keys() != names.keys():
        return False
    return all(os.stat(path).st_mtime_ns <= collected_at for path in sources.values())


def is_collected(storage=None) -> bool:
    storage = storage or staticfiles_storage
    if not hasattr(storage, "load_manifest"):
        return True
    return bool(storage.load_manifest()[0])
