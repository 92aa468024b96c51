"""Request middleware shared by every part of the platform."""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import secrets
from collections.abc import AsyncIterator, Iterator
from urllib.parse import urlsplit

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.asgi import ASGIRequest
from django.utils.cache import add_never_cache_headers


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


# --- security headers -----------------------------------------------------------------

# Browser features no Balcão page uses: a page (or anything injected into it) cannot ask
# for them. If a future page needs one (e.g. the camera for telepresence), allow it there.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
        "xr-spatial-tracking",
    )
)


class CspNonce:
    """A per-request nonce, drawn the first time a template prints it
    (``<style nonce="{{ request.csp_nonce }}">``); the policy names it only then."""

    __slots__ = ("_value",)

    def __init__(self) -> None:
        self._value: str | None = None

    @property
    def used(self) -> bool:
        return self._value is not None

    def __str__(self) -> str:
        if self._value is None:
            self._value = secrets.token_urlsafe(18)
        return self._value


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else ""


def content_security_policy(nonce: CspNonce | None = None) -> str:
    """The policy of every page: scripts only from our own static files (no inline code,
    no ``eval``: htmx runs with ``allowEval`` off and the behaviours of ``hx-on`` live in
    ``balcao/static/balcao/balcao.js``); styles from our files plus the one ``<style>``
    that carries the agency's colour, by nonce; images from us, ``data:`` and the agency's
    logo; no plugins, no framing, no ``<base>``.

    ``form-action`` is left open on purpose: "Ir para …" on the triage page posts to us and
    is redirected to a channel's external address, and Chrome checks redirects of a form
    submission against ``form-action``.
    """
    style = "'self'"
    if nonce is not None and nonce.used:
        style += f" 'nonce-{nonce}'"
    images = "'self' data:"
    logo = _origin(getattr(settings, "BALCAO_AGENCY_LOGO_URL", ""))
    if logo:
        images += f" {logo}"
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            f"style-src {style}",
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        )
    )


def _no_store_path(path: str) -> bool:
    """Console pages (under any language prefix) and every API response: they carry
    cases, messages and requesters' personal data, which neither a shared cache nor the
    back button of a shared computer should keep."""
    if path.startswith("/api/"):
        return True
    head, _, rest = path.lstrip("/").partition("/")
    if any(head == code for code, _name in settings.LANGUAGES):
        path = "/" + rest
    return path.startswith("/console/")


class SecurityHeadersMiddleware:
    """``Content-Security-Policy`` (see :func:`content_security_policy`) and
    ``Permissions-Policy`` on every response, ``Cache-Control: no-store`` on console and API
    responses (finding #7, "Headers and exposure").

    A response that already has a policy keeps it (attachments are served with
    ``default-src 'none'; sandbox``). With DEBUG on, Django's own error pages (404/500,
    inline styles and scripts) go without a policy so that they stay readable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = nonce = CspNonce()
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        debug_page = settings.DEBUG and response.status_code in (404, 500)
        if not debug_page:
            response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        if _no_store_path(request.path):
            add_never_cache_headers(response)
        return response


#: Parts of a streamed response read per hop to the worker thread under ASGI: 256 of a file's
#: 4 KB blocks (1 MB), or 256 rows of a CSV export.
STREAM_BATCH = 256


async def _in_batches(parts: Iterator, size: int = STREAM_BATCH) -> AsyncIterator:
    """The parts of a synchronous iterator, read ``size`` at a time in the thread the views
    run in (they may read the database as they go)."""
    take = sync_to_async(lambda: list(itertools.islice(parts, size)), thread_sensitive=True)
    while batch := await take():
        for part in batch:
            yield part


class AsyncStreamingMiddleware:
    """Keep a streamed response streamed when Balcão is served over ASGI (``balcao serve
    --asgi``, uvicorn alone).

    A download (an attachment, a recording, a case's original e-mail, a static file) and the
    audit log's CSV export are streamed from synchronous iterators. Django's ASGI handler
    cannot iterate those in its event loop, so it reads the whole iterator into a list first
    ("StreamingHttpResponse must consume synchronous iterators"): a 200 MB export or file held
    in memory at once, and nothing sent until it is all read. Here the same iterator is read
    a batch at a time in the views' thread, and each batch is sent as it comes. Under WSGI
    (gunicorn, the default) nothing changes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            isinstance(request, ASGIRequest)
            and response.streaming
            and not getattr(response, "is_async", True)
        ):
            response.streaming_content = _in_batches(iter(response.streaming_content))
        return response
