"""Who is on the other end of a request: the client's address.

``ops.middleware.TrustedProxyMiddleware`` puts it in ``REMOTE_ADDR`` once per request (the
connecting peer, or — only behind a proxy listed in ``BALCAO_TRUSTED_PROXIES`` — the client
that proxy names); everything that limits, throttles or audits by address reads it here and
nowhere else, never a raw ``X-Forwarded-For``.

Behind ``balcao serve``'s front the servers listen on Unix sockets in a folder only this
user can enter, so their peer is the front and never the client. The front names the client
(issue 24):

- the Python front (``balcao.ops.front``, ``BALCAO_BEHIND_FRONT=1``) in a PROXY protocol
  line to gunicorn, which makes ``REMOTE_ADDR`` of it, and in ``X-Balcao-Client`` to
  uvicorn;
- nginx (``balcao.ops.nginx``, ``BALCAO_BEHIND_FRONT=nginx``) in ``X-Balcao-Client`` to
  both, read into ``REMOTE_ADDR`` by :class:`ClientFromFront` before Django sees the
  request.

Either front writes that header itself and drops any the client sent.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any

UNKNOWN = "unknown"
FRONT_HEADER = "X-Balcao-Client"
PYTHON_FRONT, NGINX_FRONT = "1", "nginx"  # the values of BALCAO_BEHIND_FRONT
# A front's connection to a server on a Unix socket: no address (uvicorn's ``client`` is
# None, gunicorn's REMOTE_ADDR empty); on loopback TCP when run by hand.
_FRONT_PEERS = {None, "", "127.0.0.1", "::1"}


def behind_front() -> str:
    """Which front this process serves behind: ``PYTHON_FRONT``, ``NGINX_FRONT`` or ``""``."""
    value = os.environ.get("BALCAO_BEHIND_FRONT", "")
    return value if value in {PYTHON_FRONT, NGINX_FRONT} else ""


def client_address(request, default: str | None = UNKNOWN) -> str | None:
    """The client's address, or ``default`` when there is no request or no address
    (rate limits key on "unknown"; the audit log stores None)."""
    if request is None:
        return default
    return request.META.get("REMOTE_ADDR") or default


def websocket_client_address(scope, default: str | None = UNKNOWN) -> str | None:
    """The client's address on a websocket (a Channels ``scope``). Behind ``balcao serve``'s
    front (``BALCAO_BEHIND_FRONT`` set, the peer a Unix socket or loopback) it is the
    ``X-Balcao-Client`` header the front wrote; otherwise the connecting peer."""
    peer = (scope.get("client") or [None])[0]
    if behind_front() and peer in _FRONT_PEERS:
        for name, value in scope.get("headers", []):
            if name == b"x-balcao-client":
                return value.decode("latin-1").strip() or default
    return peer or default


class ClientFromFront:
    """WSGI middleware for gunicorn behind nginx (``BALCAO_BEHIND_FRONT=nginx``): a request
    that came over the Unix socket (empty ``REMOTE_ADDR``: only nginx can connect to it)
    gets the client's address nginx wrote in ``X-Balcao-Client`` as its ``REMOTE_ADDR``, as
    the PROXY line does behind the Python front; ``X-Forwarded-For`` passes untouched for
    ``TrustedProxyMiddleware``. On a TCP peer the header is a client's and is ignored."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        written = environ.pop("HTTP_X_BALCAO_CLIENT", "").strip()
        if written and not environ.get("REMOTE_ADDR"):
            environ["REMOTE_ADDR"] = written
        return self.application(environ, start_response)
