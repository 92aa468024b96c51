"""ASGI entry point: HTTP through Django, websockets through Channels.

Run N of these behind a proxy (``uvicorn balcao.asgi:application``); with
``REDIS_URL`` set they share one channel layer.
"""

import os

from django.core.asgi import get_asgi_application

from balcao import localstate  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
localstate.prepare()  # var/ on a fresh machine
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

from balcao.ops.consumers import HealthConsumer  # noqa: E402

websocket_urlpatterns: list = [path("ws/health/", HealthConsumer.as_asgi())]

application = ProtocolTypeRouter(
    {"http": django_asgi_app, "websocket": URLRouter(websocket_urlpatterns)}
)
