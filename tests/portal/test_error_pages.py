"""With debug off, the 404, 500 and refused-form (CSRF) pages are the portal's own: its
layout, the visitor's language (pt-BR, /pt-pt/, /en/), a helpful text and a link home —
never Django's bare English pages, a URL list or a traceback."""

from __future__ import annotations

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.test import Client
from django.urls import path

from balcao import urls as balcao_urls

LAYOUT = 'class="br-header site-header"'
LEAKS = ("URLconf", "Traceback", "kaboom-secret-detail", "CSRF verification failed", "settings.py")

# (prefix, <html lang>, the home link, words of each page in that language)
LANGUAGES = [
    ("", "pt-br", 'href="/"', "Página não encontrada", "Erro no servidor", "Sua sessão expirou"),
    (
        "/pt-pt",
        "pt-pt",
        'href="/pt-pt/"',
        "Não encontrámos a página",
        "O erro foi registado",
        "A sua sessão expirou",
    ),
    ("/en", "en", 'href="/en/"', "Page not found", "Server error", "Your session has expired"),
]


def boom(request):
    raise RuntimeError("kaboom-secret-detail")


def failing_processor(request):
    raise RuntimeError("a context processor failed")


# A URLconf for these tests: the site's own, plus a view that raises, and the site's handlers.
urlpatterns = [
    *i18n_patterns(path("boom/", boom), prefix_default_language=False),
    *balcao_urls.urlpatterns,
]
handler404 = getattr(balcao_urls, "handler404", "django.views.defaults.page_not_found")
handler500 = getattr(balcao_urls, "handler500", "django.views.defaults.server_error")


@pytest.fixture(autouse=True)
def _debug_off(settings):
    settings.DEBUG = False


def _assert_portal_page(response, status: int, lang: str, home: str, text: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert LAYOUT in body and f'<html lang="{lang}">' in body
    assert text in body
    assert home in body
    assert not [leak for leak in LEAKS if leak in body]


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "lang", "home", "text", "_500", "_csrf"), LANGUAGES)
def test_unknown_address_gives_the_portals_404(client, prefix, lang, home, text, _500, _csrf):
    response = client.get(f"{prefix}/x")
    _assert_portal_page(response, 404, lang, home, text)


@pytest.mark.parametrize(("prefix", "lang", "home", "_404", "text", "_csrf"), LANGUAGES)
def test_a_view_that_raises_gives_the_portals_500(prefix, lang, home, _404, text, _csrf, settings):
    """No database here (no django_db mark): the page must not need it."""
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get(f"{prefix}/boom/")
    _assert_portal_page(response, 500, lang, home, text)
    # The frame is filled in (agency, the nonce of the agency colour's style), not blank.
    body = response.content.decode()
    assert f"{settings.BALCAO_AGENCY_NAME} ·" in body
    assert '<style nonce="">' not in body


def test_the_500_page_renders_when_a_context_processor_fails(settings):
    settings.ROOT_URLCONF = __name__
    templates = [{**settings.TEMPLATES[0]}]
    templates[0]["OPTIONS"] = {
        **templates[0]["OPTIONS"],
        "context_processors": [
            *templates[0]["OPTIONS"]["context_processors"],
            f"{__name__}.failing_processor",
        ],
    }
    settings.TEMPLATES = templates
    response = Client(raise_request_exception=False).get("/en/boom/")
    _assert_portal_page(response, 500, "en", 'href="/en/"', "Server error")


@pytest.mark.django_db
@pytest.mark.parametrize(("prefix", "lang", "home", "_404", "_500", "text"), LANGUAGES)
def test_a_form_without_its_token_gives_the_session_expired_page(
    prefix, lang, home, _404, _500, text
):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{prefix}/conta/entrar/", {"username": "ana", "password": "x"})
    _assert_portal_page(response, 403, lang, home, text)
    body = response.content.decode()
    assert "recarregue-a" in body or "reload it" in body or "atualize-a" in body
