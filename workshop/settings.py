"""Settings for the workshop app, driven by the environment.

With nothing set it runs embedded: SQLite in a data folder, the in-memory channel layer, a secret
key generated on first run. DATABASE_URL and REDIS_URL switch it to PostgreSQL and Redis.
"""

import os
import secrets
import socket
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.conf import global_settings
from django.conf.locale import LANG_INFO
from django.utils.csp import CSP

from workshop import env
from workshop.netinfo import lan_addresses, url_host

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("DATA_DIR", BASE_DIR / "data"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _websocket_origins(public_url: str) -> list[str]:
    if not public_url:
        return []
    scheme, _, rest = public_url.partition("://")
    return [f"{'wss' if scheme == 'https' else 'ws'}://{rest.split('/')[0]}"]


def _embedded_secret_key() -> str:
    # Kept in the data folder so sessions (and so participants' identities) survive a restart.
    # Created atomically: processes starting together must all end up with the same key.
    path = DATA_DIR / "secret_key"
    if not path.exists():
        draft = path.with_name(f"secret_key.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(50))
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # fails if another process got there first; theirs wins
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _embedded_secret_key()
# Every variable is checked as it is read (workshop/env.py): a typo stops the server at start,
# with a message that says what to write instead.
DEBUG = env.boolean("DEBUG")

# The port phones should use when no PUBLIC_URL says otherwise.
PORT = env.integer("PORT", 8000, minimum=1)
# The address printed on QR codes and table cards, e.g. https://workshops.example.com.
PUBLIC_URL = env.public_url("PUBLIC_URL")

# Never "*": the WebSocket origin check compares against these. Unset, the machine's names and
# LAN addresses, so phones reach it; with DEBUG on, this machine only: debug pages must never
# reach a room.
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", *env.listing("ALLOWED_HOSTS")]
if not env.listing("ALLOWED_HOSTS") and not DEBUG:
    hostname = socket.gethostname()
    ALLOWED_HOSTS += [hostname, f"{hostname}.local", *(url_host(a) for a in lan_addresses())]
CSRF_TRUSTED_ORIGINS = env.listing("CSRF_TRUSTED_ORIGINS")

# --- Security -------------------------------------------------------------------------------
# HTTPS=on when a proxy in front terminates TLS (README, "Deploying"); `check --deploy` is then
# clean. Off by default: embedded mode serves plain http on the venue's network, where secure
# cookies and a redirect to https would lock every phone out.
HTTPS = env.boolean("HTTPS")
# Addresses and CIDR ranges of the proxies in front (nginx: 127.0.0.1). Only a request that comes
# straight from one of them may say, in X-Forwarded-For and X-Forwarded-Proto, who the browser
# is and which scheme it used (workshop/proxy.py); from anyone else those headers are dropped.
TRUSTED_PROXIES = env.networks("TRUSTED_PROXIES")
env.refuse_unsafe(
    debug=DEBUG,
    allowed_hosts=ALLOWED_HOSTS,
    public_url=PUBLIC_URL,
    https=HTTPS,
    trusted_proxies=TRUSTED_PROXIES,
)
if HTTPS:
    # No SECURE_PROXY_SSL_HEADER: workshop/proxy.py sets the request's scheme from the trusted
    # proxy's X-Forwarded-Proto, and drops that header from anyone else.
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # Browsers remember to use https only for this long: try a deployment with HSTS_SECONDS=300.
    SECURE_HSTS_SECONDS = env.integer("HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Django's content security policy, in both modes: scripts only from our own files (htmx and
# live.js, no inline script, no eval), nothing from elsewhere. Inline styles stay allowed: the
# projector wall sets its column count in a style attribute, which no nonce can cover.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    # WebSockets to this same host; 'self' covers ws: and wss: in current browsers, and the
    # public address is named too for older ones.
    "connect-src": [CSP.SELF, *_websocket_origins(PUBLIC_URL)],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

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
    "axes",
    "workshop",
    "facilitator",
    "participants",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
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
    "workshop.middleware.RefusedMiddleware",
    # After authentication: turns a sign-in refused for too many failures into its page (429).
    "axes.middleware.AxesMiddleware",
]
# A form sent with a stale token (a page left open past its session) gets our page, not Django's.
CSRF_FAILURE_VIEW = "workshop.error_views.csrf_failure"

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
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "workshop.context_processors.limits",
            ],
        },
    },
]

DATABASE_URL = env.database_url("DATABASE_URL")
REDIS_URL = env.redis_url("REDIS_URL")

if DATABASE_URL:
    # No persistent connections under ASGI: each request runs in a thread of its own, which
    # would keep its own connection. PostgreSQL gets psycopg's pool instead: a request borrows a
    # connection and gives it back when it ends.
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        from workshop.db import postgres

        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": 2,
            # Per server process: N processes x DB_POOL_SIZE must stay under PostgreSQL's
            # max_connections (100 by default), with room for migrations and psql.
            "max_size": env.integer("DB_POOL_SIZE", 10, minimum=2),
            # A request waits this long for a free connection, then answers "busy, retry".
            "timeout": env.decimal("DB_POOL_TIMEOUT", 10),
            # Test a connection that sat idle before lending it: after a PostgreSQL restart,
            # the pool replaces the dead ones instead of failing a request with each.
            "check": postgres.check_if_idle,
            "reset": postgres.note_return,
        }
else:
    DATABASES = {
        "default": {
            # Django's SQLite backend with its connections pooled (workshop/db/base.py).
            "ENGINE": "workshop.db",
            "NAME": DATA_DIR / "workshop.sqlite3",
            "OPTIONS": {
                # Writers queue for the lock at BEGIN instead of failing halfway through.
                "transaction_mode": "IMMEDIATE",
                # How long a write waits for another writer before answering "busy, retry".
                "timeout": env.decimal("DB_LOCK_TIMEOUT", 20),
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                ),
            },
            # Tests get a file of their own too, as the server has: an in-memory database
            # shared between threads locks whole tables, which a real one never does.
            "TEST": {"NAME": str(Path(tempfile.gettempdir()) / f"workshop-test-{os.getpid()}.db")},
        }
    }

# The throttle's buckets (workshop/throttle.py): shared by all processes through Redis when
# there is one, else in this process's memory (the embedded default is one process).
if REDIS_URL:
    _throttle_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": os.environ.get("REDIS_PREFIX", "workshop"),
        # A stalled Redis must not hold up a post: after this, the budget lets it through.
        "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
    }
else:
    # Room for a big day's phones, each with a few budgets, before the oldest are forgotten.
    _throttle_cache = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
        "OPTIONS": {"MAX_ENTRIES": 50_000},
    }
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": _throttle_cache,
}

if REDIS_URL:
    # Redis pub/sub, chosen by measurement over channels-redis's list-based RedisChannelLayer
    # (bench/channel_layers.py; the numbers and the reasons are in the README, "Deploying").
    # Nothing is stored in Redis, so there is no expiry to set: a message for a socket that is
    # not there is gone, and the browser asks for ?after=<revision> when it comes back.
    # capacity: a socket that many messages behind is closed to catch up from the database.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "workshop.channel_layer.LiveChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                # Distinct per deployment when several share one Redis (staging and production).
                "prefix": os.environ.get("REDIS_PREFIX", "workshop"),
                "capacity": 100,
            },
        }
    }
else:
    CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}
    }

AUTH_USER_MODEL = "workshop.User"
# The lockout backend first: it refuses a locked-out sign-in before any password is checked.
AUTHENTICATION_BACKENDS = [
    "workshop.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
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

# The languages screens may be in, each screen choosing its own: a phone on the join screen or
# from its header (kept in Django's language cookie), the facilitator from the header, the
# projector from the console (README, "Adding a language"). The first is the language of a
# screen that has not chosen and whose browser asks for none of them. Each is named in itself.
_LANGUAGE_CODES = env.languages(
    "LANGUAGES", ("en", "de", "fr", "es"), dict(global_settings.LANGUAGES)
)
LANGUAGE_CODE = _LANGUAGE_CODES[0]
LANGUAGES = [
    (code, LANG_INFO.get(code, {}).get("name_local") or dict(global_settings.LANGUAGES)[code])
    for code in _LANGUAGE_CODES
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# A phone's choice outlasts the day: the next workshop on it starts in its language.
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Always collected, with hashed names and gzip copies, so that phones keep them for a year;
# workshop/static_files.py answers those names from memory before Django, and WhiteNoise's
# middleware serves what else STATIC_ROOT holds (names without a hash) with a short max-age. With
# STATIC_ROOT unset, runworkshop collects into the repo's staticfiles/ as it starts; a deployment
# sets it and runs collectstatic once for all its processes, and nginx may serve that folder
# itself (README, "Deploying"). DEBUG=on pages use the unhashed names, served from the source
# folders as they are edited.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
COLLECT_STATIC_ON_START = not os.environ.get("STATIC_ROOT")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
# js/app.js, every page's scripts in one file, is made from its sources (workshop/static_files).
BUILD_STATIC_DIR = BASE_DIR / "build" / "static"
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "workshop.static_files.BundleFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Graceful overload (workshop/admission.py): requests one process works on at once; more are
# answered at once "busy, retry" (503), and phones retry with jitter. The facilitator's screens
# have room of their own.
MAX_PHONE_REQUESTS = env.integer("MAX_PHONE_REQUESTS", 8, minimum=1)
MAX_FACILITATOR_REQUESTS = env.integer("MAX_FACILITATOR_REQUESTS", 4, minimum=1)
# As many more may wait this long for a place (a burst is smoothed out); beyond, "busy" at once.
ADMISSION_PATIENCE = env.decimal("ADMISSION_PATIENCE", 0.5)

# On SIGTERM (workshop/serve.py): how long requests in flight may take to finish before the
# process stops anyway. Keep it well under systemd's TimeoutStopSec (README, "Deploying").
SHUTDOWN_GRACE = env.decimal("SHUTDOWN_GRACE", 5)
# The server's event loop blocked longer than this is logged, with how long (workshop/
# loop_watchdog.py); 0 turns the watch off.
LOOP_STALL_WARNING = env.decimal("LOOP_STALL_WARNING", 0.5)

# For tests only (workshop/live/faults.py): a fault to inject between a commit and its
# broadcast, such as "kill:MARKER". Empty, the default: none.
LIVE_TEST_FAULT = os.environ.get("LIVE_TEST_FAULT", "")

# Limits that keep one participant's paste from filling a projector.
TAKEAWAY_MAX_LENGTH = 500
ANSWER_MAX_LENGTH = 2000
# After the room moves on, a reflection still takes answers this long: words typed as the
# facilitator pressed Next, and sent as the phone reconnects, are kept.
ANSWER_GRACE_SECONDS = env.integer("ANSWER_GRACE_SECONDS", 120)
NAME_MAX_LENGTH = 40

# --- Throttles (workshop/throttle.py, workshop/lockout.py; README, "Configuration") ---------
# Per phone, keyed on its device cookie, never on its address: a venue NAT is one address.
# Posts: a table's scribe may send ten at once (an outbox after a dead spot), then one every 3 s.
POST_BUDGET = env.budget("POST_BUDGET", (10, 3))
# Votes: a share-out is a quick run of +1s, each takeaway once; then two a second.
VOTE_BUDGET = env.budget("VOTE_BUDGET", (30, 0.5))
# Joins: a phone joins a workshop once; a few more (another workshop, after "forget me").
JOIN_BUDGET = env.budget("JOIN_BUDGET", (5, 10))
# Join forms sent without the device cookie the join page gives (scripts, pages from an older
# version), per address: each such phone is refused once at most, and then has a cookie.
COOKIELESS_JOIN_BUDGET = env.budget("COOKIELESS_JOIN_BUDGET", (20, 1))
# Wrong join codes, per address: typos from a whole room fit; a guesser gets one every 3 s.
WRONG_CODE_BUDGET = env.budget("WRONG_CODE_BUDGET", (10, 3))

# Sign-in lockout (django-axes) for facilitators, organizers and the admin: this many failures
# for one account from one address, or for any accounts from one address, lock that out for
# LOGIN_LOCKOUT_MINUTES after the last failure; a successful sign-in resets the count.
LOGIN_FAILURES_PER_ACCOUNT = env.integer("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env.integer("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_LOCKOUT_MINUTES = env.integer("LOGIN_LOCKOUT_MINUTES", 15)
AXES_HANDLER = "workshop.lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_FAILURE_LIMIT = LOGIN_FAILURES_PER_ACCOUNT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not extend it: the minutes the page names are the truth.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "workshop.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "workshop.throttle.client_address"
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field, which holds the email address
AXES_USERNAME_CALLABLE = "workshop.lockout.username_of"
# Failures only: no record of every successful sign-in with its address.
AXES_DISABLE_ACCESS_LOG = True

# Live sockets. A phone, or a facilitator's session, keeps its newest SOCKETS_PER_DEVICE
# sockets of a workshop in each server process; an older one is closed, and its tab says so.
SOCKETS_PER_DEVICE = env.integer("SOCKETS_PER_DEVICE", 4, minimum=1)
# Socket handshakes from one address, per server process (workshop/handshakes.py): a burst of
# SOCKET_HANDSHAKE_BURST at once (a venue's NAT, every phone reconnecting after a Wi-Fi blip),
# then SOCKET_HANDSHAKE_RATE a second. Beyond, "try again later" before any database work.
SOCKET_HANDSHAKE_BURST = env.integer("SOCKET_HANDSHAKE_BURST", 300, minimum=1)
SOCKET_HANDSHAKE_RATE = env.decimal("SOCKET_HANDSHAKE_RATE", 30)
