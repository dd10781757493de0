import os
import uuid

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from workshop import services, static_files
from workshop.models import User

PASSWORD = "correct horse battery staple"

# Property tests (Hypothesis). "ci", the default: the same examples on every run and every
# clone, as many as finish in about ten seconds a test on a busy 2-core machine; no deadline,
# since a busy machine makes any example slow. HYPOTHESIS_PROFILE=explore looks further, with
# fresh random examples each run (with --timeout=0: it takes minutes).
hypothesis_settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
hypothesis_settings.register_profile(
    "explore", hypothesis_settings.get_profile("ci"), max_examples=200, derandomize=False
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionstart(session):
    """Pages render with the manifest storage, as the server does: the same hashed names, and a
    page naming a static file that does not exist fails its test instead of a phone's visit.
    Collected as runworkshop does it, only when a source file changed (a second or so), and
    before test modules are imported: workshop.asgi loads the collected files as it is."""
    static_files.collect_if_changed()


@pytest.fixture(autouse=True)
def _site_language():
    """Each test starts in the site's language: a request in German activates German for the
    thread (LocaleMiddleware), which would otherwise stay for the tests after it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_live_caches():
    """What one test rendered is no other test's: ids are used again after a rollback."""
    from workshop.live import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _fresh_budgets():
    """Every test's phones start with full budgets (workshop/throttle.py), whatever ran before:
    the test client is always the same address."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from workshop.throttle import CACHE

    cache = caches[CACHE]
    if isinstance(cache, RedisCache):
        # Only this run's buckets: clear() would empty the Redis database other runs share.
        import redis

        client = redis.Redis.from_url(settings.CACHES[CACHE]["LOCATION"])
        if keys := list(client.scan_iter(match=cache.make_key("throttle:*"))):
            client.delete(*keys)
    else:
        cache.clear()
    yield


@pytest.fixture
def facilitator(db):
    return User.objects.create_user("facilitator@example.com", PASSWORD, is_staff=True)


@pytest.fixture
def other_facilitator(db):
    return User.objects.create_user("other@example.com", PASSWORD, is_staff=True)


@pytest.fixture
def workshop(facilitator):
    return services.create_workshop(facilitator, "Hero to hero-maker", 3)


@pytest.fixture
def tables(workshop):
    return list(workshop.tables.order_by("number"))


@pytest.fixture
def anna(workshop, tables):
    return services.join(workshop, tables[0], "Anna")


@pytest.fixture
def ben(workshop, tables):
    return services.join(workshop, tables[1], "Ben")


def post(participant, text, token=None):
    return services.post_takeaway(participant, text, token or uuid.uuid4())


def pytest_collection_modifyitems(items):
    # Playwright's sync API keeps an event loop running until the session ends, and async tests
    # cannot start their own after it: every test that drives Chromium runs last.
    items.sort(key=lambda item: "browser" in getattr(item, "fixturenames", ()))


def as_phone(client, participant):
    """The test client becomes this participant's phone: it carries their device cookie."""
    from workshop.access import DEVICE_COOKIE

    client.cookies[DEVICE_COOKIE] = participant.device
    return client
