"""The app's settings for the test suite: workshop/settings.py with a fast password hasher
(and WhiteNoise scanning STATIC_ROOT once per process: tests/scanned_once.py).

pytest loads it (pyproject.toml), and so does every server process a test starts
(tests/server_process.py): a test suite that creates a user in most tests, and servers that sign
facilitators in, would otherwise spend much of two cores on deliberately slow hashing.
"""

from workshop.settings import *  # noqa: F403

# Unsafe for real passwords, which is why only the tests use it.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The same middleware, scanning STATIC_ROOT once per process rather than once per test client.
MIDDLEWARE = [
    "tests.scanned_once.ScannedOnceWhiteNoiseMiddleware"
    if name == "whitenoise.middleware.WhiteNoiseMiddleware"
    else name
    for name in MIDDLEWARE  # noqa: F405
]
