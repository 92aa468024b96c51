"""Request middleware shared by every part of the platform."""

from __future__ import annotations

import contextlib
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _networks(entries) -> tuple:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"BALCAO_TRUSTED_PROXIES: “{entry}” is not an IP address or network ({exc})."
            ) from exc
    return tuple(networks)


class TrustedProxyMiddleware:
    """Put the client's address in ``REMOTE_ADDR`` when the request came through a
    proxy we run (``BALCAO_TRUSTED_PROXIES``: addresses or networks, comma-separated).

    The per-IP limit on public forms, the login lockout and the personal-data audit
    read ``REMOTE_ADDR``. Behind nginx that is the proxy's own address, so one
    citizen's five forms would lock out everybody. ``X-Forwarded-For`` is read from
    the right: each hop appends the address it saw, so the first address that is not
    one of our proxies is the client; anything to its left was written by the client
    and is not trusted. With no trusted proxies configured the header is ignored.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = _networks(getattr(settings, "BALCAO_TRUSTED_PROXIES", ()))

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address.strip())
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def __call__(self, request):
        if self.trusted:
            meta = request.META
            if self._is_trusted(meta.get("REMOTE_ADDR", "")):
                hops = [h.strip() for h in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
                for hop in reversed([h for h in hops if h]):
                    if not self._is_trusted(hop):
                        # Garbage in the header: keep the proxy's address.
                        with contextlib.suppress(ValueError):
                            meta["REMOTE_ADDR"] = str(ipaddress.ip_address(hop))
                        break
        return self.get_response(request)
