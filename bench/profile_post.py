"""Where one post's server time goes: the post path in-process, under cProfile.

Usage: python bench/profile_post.py [POSTS]   (a throwaway database in a temporary folder)
Prints the milliseconds per post and the functions that take them, grouped by layer.
"""

import cProfile
import os
import pstats
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATA_DIR"] = tempfile.mkdtemp(prefix="bench-profile-")
os.environ["DJANGO_SETTINGS_MODULE"] = "workshop.settings"
for name in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(name, None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

from bench import prepare  # noqa: E402

LAYERS = {
    "database (ORM and SQLite)": ("django/db/",),
    "templates": ("django/template/",),
    "live fan-out (channel layer, asgiref)": ("channels/", "asgiref/"),
    "sessions, CSRF, auth, middleware": (
        "django/contrib/sessions",
        "django/middleware",
        "django/contrib/auth",
    ),
}


def main(posts: int):
    call_command("migrate", verbosity=0)
    setup = prepare.main(1000, 3)
    client = Client(HTTP_HOST="localhost")
    client.cookies.load(setup["phones"][0]["cookie"])  # the identity prepare.py gives a phone
    client.cookies["csrftoken"] = "b" * 32

    def post(n):
        response = client.post(
            f"/w/{setup['code']}/post/",
            {"text": f"profile {n}", "token": str(uuid.uuid4())},
            HTTP_ACCEPT="application/json",
            HTTP_X_CSRFTOKEN="b" * 32,
        )
        if response.status_code != 200:
            raise RuntimeError(f"the post answered {response.status_code}")

    for n in range(20):  # warm caches, as a running server has them
        post(n)
    profile = cProfile.Profile()
    started = time.perf_counter()
    profile.enable()
    for n in range(posts):
        post(1000 + n)
    profile.disable()
    elapsed = time.perf_counter() - started
    print(f"{elapsed / posts * 1000:.1f} ms per post (in-process, test client, no network)\n")
    stats = pstats.Stats(profile)
    by_layer = defaultdict(float)
    for (filename, _, _), (_, _, own, _, _) in stats.stats.items():
        layer = next(
            (name for name, parts in LAYERS.items() if any(p in filename for p in parts)),
            "everything else (Python, HTTP handling, our code)",
        )
        by_layer[layer] += own
    total = sum(by_layer.values())
    for layer, seconds in sorted(by_layer.items(), key=lambda item: -item[1]):
        print(f"{seconds / total * 100:5.1f} %  {layer}")
    print()
    stats.sort_stats("cumulative").print_stats(r"workshop|participants", 12)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
