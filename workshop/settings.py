"""Settings for the workshop app, driven by the environment.

With nothing set it runs embedded: SQLite in a data folder, the in-memory channel layer, a secret
key generated on first run. DATABASE_URL and REDIS_URL switch it to PostgreSQL and Redis.
"""

import os
import secrets
import socket
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from workshop.netinfo import lan_addresses, url_host

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _embedded_secret_key() -> str:
    # Kept in the data folder so sessions (and so participants' identities) survive a restart.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
DEBUG = _env_bool("DEBUG")

# The port phones should use when no PUBLIC_URL says otherwise.
PORT = int(os.environ.get("PORT", "8000"))
# The address printed on QR codes and table cards, e.g. https://workshops.example.com.
PUBLIC_URL = os.environ.get("PUBLIC_URL", "").rstrip("/")

# Never "*": the WebSocket origin check compares against these.
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", *_env_list("ALLOWED_HOSTS")]
if not _env_list("ALLOWED_HOSTS"):
    hostname = socket.gethostname()
    ALLOWED_HOSTS += [hostname, f"{hostname}.local", *(url_host(a) for a in lan_addresses())]
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "workshop",
    "facilitator",
    "participants",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "workshop.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "workshop.urls"
ASGI_APPLICATION = "workshop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workshop.context_processors.limits",
            ],
        },
    },
]

if os.environ.get("DATABASE_URL"):
    # No persistent connections under ASGI: each request's thread would keep its own.
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = True
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "workshop.sqlite3",
            "OPTIONS": {
                # Writers queue for the lock at BEGIN instead of failing halfway through.
                "transaction_mode": "IMMEDIATE",
                # How long a write waits for another writer before answering "busy, retry".
                "timeout": float(os.environ.get("DB_LOCK_TIMEOUT", "20")),
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
        }
    }

if os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ["REDIS_URL"]], "capacity": 1000, "expiry": 30},
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }

AUTH_USER_MODEL = "workshop.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "facilitator:login"
LOGIN_REDIRECT_URL = "facilitator:home"
LOGOUT_REDIRECT_URL = "facilitator:login"

# A participant's identity is their session: it must outlast a long day and a sleeping phone.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# A deployment sets STATIC_ROOT and runs collectstatic, for hashed, compressed, long-cached files;
# embedded mode serves straight from the source folders.
STATIC_ROOT = os.environ.get("STATIC_ROOT") or None
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
WHITENOISE_USE_FINDERS = STATIC_ROOT is None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if STATIC_ROOT is None
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Limits that keep one participant's paste from filling a projector.
TAKEAWAY_MAX_LENGTH = 500
ANSWER_MAX_LENGTH = 2000
NAME_MAX_LENGTH = 40
