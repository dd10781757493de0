from channels.auth import AuthMiddlewareStack
from django.urls import path

from workshop import consumers

websocket_urlpatterns = [
    # Phones and projectors are known by a cookie or a secret in the address: no session.
    path("ws/p/<str:key>/", consumers.ProjectorConsumer.as_asgi()),
    path("ws/w/<str:code>/", consumers.PhoneConsumer.as_asgi()),
    # Only the facilitator's console needs Django's session and user.
    path("ws/f/w/<int:workshop_id>/", AuthMiddlewareStack(consumers.ConsoleConsumer.as_asgi())),
]
