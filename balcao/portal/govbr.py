"""Entrar com gov.br: an optional OpenID Connect provider through which a person proves
control of their e-mail (issue 24: "Optional gov.br login (OpenID Connect) as a
configurable provider"); off, with no button and no pages, without
``BALCAO_GOVBR_CLIENT_ID`` (docs/govbr.md).

The flow is the authorization code flow with PKCE (S256), through Authlib's Django client:
the state and the code verifier live in this browser's session, the id_token's signature is
checked against the provider's published keys (JWKS), and its issuer, audience, expiry and
nonce against what was asked. The e-mail gov.br says it confirmed then counts as the proof
the one-time link gives (``cases.followup.do_prove_email_by_govbr``); the CPF never does.
Balcão never sees a gov.br password and keeps no gov.br token. Any failure (gov.br away,
consent refused, a forged or stale answer) changes nothing and says so in words a person
understands, on the page where they can prove their e-mail the usual way.
"""

from __future__ import annotations

import logging
import time

import requests
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from joserfc.errors import JoseError

from balcao.cases import followup
from balcao.client import client_address
from balcao.portal.followup_forms import EmailProofForm
from balcao.portal.followup_views import CHAT_PATH, NEXT_SESSION_KEY

log = logging.getLogger(__name__)

#: What Balcão asks gov.br for: the CPF (``sub``), name, e-mail and phone, each with
#: whether gov.br confirmed it.
SCOPES = "openid email phone profile"
#: Seconds to wait for each answer from gov.br.
TIMEOUT = 10
#: The provider's metadata is asked again after a day (its keys whenever a new one signs).
METADATA_SECONDS = 24 * 60 * 60
#: Clock difference tolerated on the id_token's times.
LEEWAY = 60
#: Where the person's language waits for gov.br's answer (the page to go back to waits
#: where the e-mail proof's does, ``followup_views.NEXT_SESSION_KEY``).
SESSION_KEY = "govbr_login"


def enabled() -> bool:
    return bool(settings.BALCAO_GOVBR_CLIENT_ID)


def context(request) -> dict[str, bool]:
    """``govbr_login``: whether pages show "Entrar com gov.br"."""
    return {"govbr_login": enabled()}


_apps: dict[tuple[str, str, str], object] = {}


def _issuer() -> str:
    return settings.BALCAO_GOVBR_ISSUER.rstrip("/")


def _app():
    """Authlib's client for the configured provider (one per configuration, so that the
    provider's metadata and keys are fetched once, not at every sign-in)."""
    key = (settings.BALCAO_GOVBR_CLIENT_ID, settings.BALCAO_GOVBR_CLIENT_SECRET, _issuer())
    app = _apps.get(key)
    if app is None:
        app = OAuth().register(
            "govbr",
            client_id=key[0],
            client_secret=key[1],
            server_metadata_url=f"{key[2]}/.well-known/openid-configuration",
            client_kwargs={
                "scope": SCOPES,
                "code_challenge_method": "S256",
                "token_endpoint_auth_method": "client_secret_basic",
                "default_timeout": TIMEOUT,
            },
        )
        _apps.clear()
        _apps[key] = app
    loaded_at = app.server_metadata.get("_loaded_at", 0)
    if time.time() - loaded_at > METADATA_SECONDS:
        app.server_metadata.clear()
    metadata = app.load_server_metadata()
    # OpenID Connect Discovery 1.0, §4.3: the metadata's issuer is the one configured.
    if str(metadata.get("issuer", "")).rstrip("/") != _issuer():
        app.server_metadata.clear()
        raise OAuthError(error="invalid_issuer", description="issuer mismatch")
    return app


def _claims_options(app) -> dict:
    """What the id_token must say beyond its signature and nonce: issued by the provider
    for this client, with a subject, an issue time and an expiry."""
    return {
        "iss": {"essential": True, "values": [app.server_metadata["issuer"]]},
        "aud": {"essential": True, "value": app.client_id},
        "sub": {"essential": True},
        "iat": {"essential": True},
        "exp": {"essential": True},
    }


def _safe_next(request, target: str) -> str:
    """``target`` when it is a page of this site (same host and scheme), else ""."""
    target = (target or "")[:500]
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def _refusal(request, message: str, *, status: int, email: str = ""):
    """The page where a person proves their e-mail, with what went wrong above its form."""
    return render(
        request,
        "portal/my_cases_request.html",
        {
            "form": EmailProofForm(initial={"email": email} if email else None),
            "link_error": message,
            "for_chat": CHAT_PATH in request.session.get(NEXT_SESSION_KEY, ""),
        },
        status=status,
    )


def _provider_away(request):
    return _refusal(
        request,
        _(
            "O gov.br não respondeu agora, então nada foi alterado. Tente de novo em alguns "
            "minutos ou confirme o seu e-mail por aqui: enviaremos um link de acesso para ele."
        ),
        status=502,
    )


def _answer_refused(request):
    return _refusal(
        request,
        _(
            "Não foi possível confirmar a resposta do gov.br, então nada foi alterado. Tente "
            "de novo ou confirme o seu e-mail por aqui: enviaremos um link de acesso para ele."
        ),
        status=502,
    )


@require_GET
def govbr_login(request):
    """ "Entrar com gov.br": to gov.br's sign-in page, remembering where to come back to
    (a page of this site given as ``next``, else the one the e-mail proof page was asked
    for; any other ``next`` is ignored)."""
    if not enabled():
        raise Http404
    next_url = _safe_next(request, request.GET.get("next", ""))
    if next_url:
        request.session[NEXT_SESSION_KEY] = next_url
    # The address registered at gov.br: without the language prefix of the page.
    with translation.override(settings.LANGUAGE_CODE):
        redirect_uri = request.build_absolute_uri(reverse("portal:govbr_callback"))
    try:
        response = _app().authorize_redirect(request, redirect_uri)
    except (requests.RequestException, OAuthError, ValueError, KeyError) as exc:
        log.warning("gov.br login not started: %s", exc.__class__.__name__)
        return _provider_away(request)
    request.session[SESSION_KEY] = {"language": translation.get_language()}
    return response


@require_GET
def govbr_callback(request):
    """gov.br's answer: the code is exchanged for the id_token, which is checked; the
    e-mail it confirms becomes this browser's proof and the person goes on to the page
    they came from, or "Meus Atendimentos"."""
    if not enabled():
        raise Http404
    pending = request.session.get(SESSION_KEY) or {}
    language = pending.get("language")
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return _finish(request)


def _finish(request):
    try:
        app = _app()
        token = app.authorize_access_token(
            request, claims_options=_claims_options(app), leeway=LEEWAY
        )
    except MismatchingStateError:
        return _refusal(
            request,
            _(
                "Esta resposta do gov.br não vale mais: a entrada demorou demais ou foi "
                "começada em outro navegador. Nada foi alterado; tente de novo."
            ),
            status=400,
        )
    except OAuthError as exc:
        if exc.error == "access_denied":
            return _refusal(
                request,
                _(
                    "A entrada com o gov.br foi cancelada: sem a sua autorização, o gov.br não "
                    "nos informa o seu e-mail. Tente de novo ou confirme o seu e-mail por aqui: "
                    "enviaremos um link de acesso para ele."
                ),
                status=403,
            )
        log.warning("gov.br login refused: %s %s", exc.__class__.__name__, exc.error)
        return _answer_refused(request)
    except requests.RequestException as exc:
        log.warning("gov.br did not answer: %s", exc.__class__.__name__)
        return _provider_away(request)
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        log.warning("gov.br id_token refused: %s", exc.__class__.__name__)
        return _answer_refused(request)
    claims = token.get("userinfo")
    if not claims:
        log.warning("gov.br answered without an id_token")
        return _answer_refused(request)
    try:
        address, _person = followup.do_prove_email_by_govbr(
            claims, ip=client_address(request, default=None)
        )
    except followup.GovBrEmailNotVerified as exc:
        return _refusal(request, str(exc), status=200, email=str(claims.get("email") or ""))
    next_url = _safe_next(request, request.session.pop(NEXT_SESSION_KEY, ""))
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()
    request.session[followup.EMAIL_SESSION_KEY] = {"email": address, "at": int(time.time())}
    return redirect(next_url or reverse("portal:my_cases"))
