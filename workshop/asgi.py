import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workshop.settings")
# Django must be set up before the consumers import models.
django.setup(set_prefix=False)

from workshop.handler import OneHopASGIHandler  # noqa: E402

django_asgi_app = OneHopASGIHandler()

from workshop import single_process  # noqa: E402

# Embedded mode serves from one process; `manage.py runworkshop` has taken the lock already.
single_process.hold_if_serving()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from workshop.admission import Admission  # noqa: E402
from workshop.channel_layer import ReconnectWhenTheLayerFails  # noqa: E402
from workshop.handshakes import HandshakeBudget  # noqa: E402
from workshop.proxy import TrustedProxies  # noqa: E402
from workshop.routing import websocket_urlpatterns  # noqa: E402
from workshop.static_files import StaticFiles  # noqa: E402

# Who is asking and over which scheme, from X-Forwarded-* only when a trusted proxy sends them:
# first, so that everything behind it (the https redirect, the origin check) sees the browser's.
application = TrustedProxies(
    ProtocolTypeRouter(
        {
            # The collected files with hashed names are answered from memory, before Django;
            # requests beyond what the process can work on at once are answered "busy" at once.
            "http": StaticFiles(Admission(django_asgi_app)),
            # The origin is checked inside the consumers, so that a refusal carries a close code.
            # A flood of handshakes from one address is turned away before any of it.
            "websocket": HandshakeBudget(
                ReconnectWhenTheLayerFails(URLRouter(websocket_urlpatterns))
            ),
        }
    )
)
