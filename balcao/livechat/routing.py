"""The live chat's websocket routes (issue 24), mounted by ``balcao.asgi``."""

from django.urls import path

from balcao.livechat.consumers import AgentConsumer, PersonConsumer

websocket_urlpatterns: list = [
    path("ws/chat/<str:token>/", PersonConsumer.as_asgi()),
    path("ws/console/chat/", AgentConsumer.as_asgi()),
]
