"""Who is on the other end of a request: the client's address.

``ops.middleware.TrustedProxyMiddleware`` puts it in ``REMOTE_ADDR`` once per request (the
connecting peer, or — only behind a proxy listed in ``BALCAO_TRUSTED_PROXIES`` — the client
that proxy names); everything that limits, throttles or audits by address reads it here and
nowhere else, never a raw ``X-Forwarded-For``.
"""

from __future__ import annotations

import os

UNKNOWN = "unknown"


def client_address(request, default: str | None = UNKNOWN) -> str | None:
    """The client's address, or ``default`` when there is no request or no address
    (rate limits key on "unknown"; the audit log stores None)."""
    if request is None:
        return default
    return request.META.get("REMOTE_ADDR") or default


def websocket_client_address(scope, default: str | None = UNKNOWN) -> str | None:
    """The client's address on a websocket (a Channels ``scope``). Behind ``balcao serve``'s
    front (``balcao.ops.front``; the environment has ``BALCAO_BEHIND_FRONT=1`` and the peer
    is on loopback) it is the ``X-Balcao-Client`` header the front wrote — the front drops
    any the client sent; otherwise the connecting peer."""
    peer = (scope.get("client") or [None])[0]
    if os.environ.get("BALCAO_BEHIND_FRONT") == "1" and peer in {"127.0.0.1", "::1"}:
        for name, value in scope.get("headers", []):
            if name == b"x-balcao-client":
                return value.decode("latin-1").strip() or default
    return peer or default
