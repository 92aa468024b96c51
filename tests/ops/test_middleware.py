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


# --- SecurityHeadersMiddleware ----------------------------------------------------------


def _headers(settings, path="/", response=None, debug=False):
    from balcao.ops.middleware import SecurityHeadersMiddleware

    settings.DEBUG = debug
    request = RequestFactory().get(path)
    return SecurityHeadersMiddleware(lambda r: response or HttpResponse())(request)


def test_existing_policy_is_kept(settings):
    response = HttpResponse()
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    got = _headers(settings, "/console/atendimentos/1/anexos/2/", response)
    assert got["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in got["Cache-Control"]


def test_nonce_is_named_only_when_a_template_used_it(settings):
    from balcao.ops.middleware import SecurityHeadersMiddleware

    def page(request):
        return HttpResponse(f'<style nonce="{request.csp_nonce}"></style>')

    response = SecurityHeadersMiddleware(page)(RequestFactory().get("/"))
    nonce = response.content.decode().split('"')[1]
    assert f"style-src 'self' 'nonce-{nonce}'" in response["Content-Security-Policy"]
    assert "nonce-" not in _headers(settings)["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path",
    ["/console/", "/en/console/atendimentos/1/", "/pt-pt/console/conhecimento/", "/api/v1/cases"],
)
def test_no_store_on_console_and_api(settings, path):
    assert "no-store" in _headers(settings, path)["Cache-Control"]


@pytest.mark.parametrize("path", ["/", "/en/", "/consoles/", "/en/perguntas-frequentes/"])
def test_public_pages_are_not_marked_no_store(settings, path):
    assert "Cache-Control" not in _headers(settings, path)


def test_debug_error_pages_stay_readable(settings):
    assert "Content-Security-Policy" not in _headers(
        settings, response=HttpResponse(status=500), debug=True
    )
    assert "Content-Security-Policy" in _headers(settings, response=HttpResponse(status=500))
    assert "Permissions-Policy" in _headers(settings, response=HttpResponse(status=500), debug=True)
