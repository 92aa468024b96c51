"""ASGI entry point: HTTP through Django, websockets through Channels.

Run N of these behind a proxy (``uvicorn balcao.asgi:application``); with
``REDIS_URL`` set they share one channel layer.
"""

import contextlib
import os

from django.core.asgi import get_asgi_application
from django.db import DatabaseError

from balcao import localstate  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "balcao.settings")
localstate.prepare()  # var/ on a fresh machine
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from balcao.livechat.routing import websocket_urlpatterns as chat_routes  # noqa: E402
from balcao.ops import layers  # noqa: E402
from balcao.ops.consumers import HealthConsumer  # noqa: E402

if layers.relay_enabled():
    # The one websocket process of `balcao serve` without Redis: no console is open yet.
    from balcao.livechat.services import do_reset_console_counts

    with contextlib.suppress(DatabaseError):  # not migrated yet: there is nothing to reset
        do_reset_console_counts()

_health = HealthConsumer.as_asgi()
# Websockets carry the session (the person's proof of e-mail, the staff login) and are
# refused from pages of other origins (cross-site websocket hijacking: the browser sends
# the cookies whoever opens the socket). The health check, which reads nothing, is open to
# monitors (they send no Origin).
_pages = AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(chat_routes)))


async def websocket_application(scope, receive, send):
    if scope["path"] == "/ws/health/":
        return await _health(scope, receive, send)
    return await _pages(scope, receive, send)


async def http_application(scope, receive, send):
    """Django, and in ``balcao serve``'s websocket process the relay of the channel layer's
    events from the other processes (balcao.ops.layers)."""
    if scope["path"] == layers.RELAY_PATH and layers.relay_enabled():
        return await layers.relay_application(scope, receive, send)
    return await django_asgi_app(scope, receive, send)


application = ProtocolTypeRouter({"http": http_application, "websocket": websocket_application})
