"""TrustedProxyMiddleware: the client's address behind our own proxies, never a forged one."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import RequestFactory

from balcao.ops.middleware import TrustedProxyMiddleware


def _seen_address(settings, trusted, remote, forwarded=None):
    settings.BALCAO_TRUSTED_PROXIES = trusted
    seen = {}

    def view(request):
        seen["addr"] = request.META["REMOTE_ADDR"]
        return HttpResponse()

    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    TrustedProxyMiddleware(view)(request)
    return seen["addr"]


def test_header_ignored_without_trusted_proxies(settings):
    assert _seen_address(settings, [], "10.0.0.5", "203.0.113.9") == "10.0.0.5"


def test_client_address_from_our_proxy(settings):
    assert _seen_address(settings, ["10.0.0.0/24"], "10.0.0.5", "203.0.113.9") == "203.0.113.9"


def test_forged_left_entries_are_not_trusted(settings):
    # The client wrote "1.2.3.4" itself; our proxy appended the address it saw.
    got = _seen_address(settings, ["10.0.0.5"], "10.0.0.5", "1.2.3.4, 203.0.113.9")
    assert got == "203.0.113.9"


def test_chain_of_our_proxies(settings):
    got = _seen_address(settings, ["10.0.0.0/8"], "10.0.0.5", "198.51.100.7, 10.1.1.1")
    assert got == "198.51.100.7"


def test_request_not_from_a_proxy_keeps_its_address(settings):
    assert _seen_address(settings, ["10.0.0.5"], "198.51.100.1", "1.2.3.4") == "198.51.100.1"


def test_garbage_header_keeps_proxy_address(settings):
    assert _seen_address(settings, ["10.0.0.5"], "10.0.0.5", "not-an-ip") == "10.0.0.5"


def test_ipv6_client(settings):
    got = _seen_address(settings, ["::1"], "::1", "2001:db8::7")
    assert got == "2001:db8::7"


def test_bad_setting_is_named(settings):
    settings.BALCAO_TRUSTED_PROXIES = ["10.0.0.300"]
    with pytest.raises(ImproperlyConfigured, match="10.0.0.300"):
        TrustedProxyMiddleware(lambda request: HttpResponse())
