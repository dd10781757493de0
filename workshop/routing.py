from django.urls import path

from workshop import consumers

websocket_urlpatterns = [
    path("ws/p/<str:key>/", consumers.ProjectorConsumer.as_asgi()),
    path("ws/f/w/<int:workshop_id>/", consumers.ConsoleConsumer.as_asgi()),
    path("ws/w/<str:code>/", consumers.PhoneConsumer.as_asgi()),
]
