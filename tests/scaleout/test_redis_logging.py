"""A lost Redis is said once in the log, not once per broadcast, and once again when it is back.

Real broadcasts (a post's, on commit) through the app's channel layer to a redis-server of the
test's own, stopped and started again under them.
"""

import logging
import uuid

import pytest
from channels.layers import channel_layers

from tests.conftest import post

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def redis_layer(settings, redis_server):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "workshop.channel_layer.LiveChannelLayer",
            "CONFIG": {"hosts": [redis_server.url], "prefix": f"test{uuid.uuid4().hex[:6]}."},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def broadcast_posts(participant, count, django_capture_on_commit_callbacks):
    for n in range(count):
        with django_capture_on_commit_callbacks(execute=True):
            post(participant, f"Post {n} {uuid.uuid4()}")


def test_a_lost_redis_is_logged_once_over_many_broadcasts_and_once_when_it_is_back(
    redis_layer, redis_server, anna, caplog, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.INFO)
    broadcast_posts(anna, 1, django_capture_on_commit_callbacks)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    redis_server.stop()
    broadcast_posts(anna, 5, django_capture_on_commit_callbacks)
    lost = warnings(caplog)
    assert len(lost) == 1
    assert "cannot be sent" in lost[0].getMessage()
    assert "connecting to 127.0.0.1" in lost[0].getMessage()  # the error, named

    caplog.clear()
    redis_server.start()
    broadcast_posts(anna, 3, django_capture_on_commit_callbacks)
    assert [r.getMessage() for r in warnings(caplog)] == ["Live updates are sent again."]


def warnings(caplog):
    """What an operator reads at the default level; never a traceback for a lost Redis."""
    records = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert not [r for r in records if r.exc_info], "no traceback per broadcast"
    return records
