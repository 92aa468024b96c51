""" "Entrar com gov.br" against a real OpenID Connect provider on a loopback port: discovery,
keys and token endpoint served by http.server in a thread, the id_token signed with a key
made for the test (joserfc, Authlib's JOSE). The browser's visit to gov.br is played by the
test: it reads the authorization URL's state, nonce and PKCE challenge, and calls the
callback as gov.br's redirect would.

Covered: the proof and the record (created, or filled only where empty, with history and
audit), an e-mail gov.br did not confirm, a forged state, a wrong nonce or audience, a
tampered signature, an expired token, consent refused, gov.br away, the feature off
(404, no button) and ``next`` limited to this site.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from balcao.audit.models import PersonalDataAccess
from balcao.cases.followup import EMAIL_SESSION_KEY
from balcao.cases.models import CaseEvent, Requester
from tests.conftest import free_port

pytestmark = pytest.mark.django_db

CLIENT_ID = "balcao-teste"
CLIENT_SECRET = "segredo-do-teste"
CPF = "52998224725"
LOGIN = "/acompanhar/govbr/entrar/"
CALLBACK = "/acompanhar/govbr/retorno/"
MY_CASES = "/acompanhar/meus/lista/"


class Provider:
    """A minimal OpenID Connect provider shaped like gov.br's (issuer with a trailing
    slash, client_secret_basic, PKCE S256 required)."""

    def __init__(self):
        self.key = RSAKey.generate_key(
            2048, parameters={"kid": "chave-1", "use": "sig", "alg": "RS256"}, private=True
        )
        self.codes: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.claims: dict = {}  # what this test's id_token says beyond the defaults
        self.tamper = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def issuer(self) -> str:
        return self.base + "/"

    def metadata(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "jwks_uri": f"{self.base}/jwks",
            "userinfo_endpoint": f"{self.base}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
        }

    def authorize(self, params: dict[str, str]) -> str:
        """What gov.br does when the person signs in and consents: a code for this request."""
        code = f"codigo-{len(self.codes) + 1}"
        self.codes[code] = params
        return code

    def id_token(self, request: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": CPF,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": request["nonce"],
            "name": "Maria da Silva",
            "email": "maria@example.com",
            "email_verified": True,
            "phone_number": "61999990000",
            "phone_number_verified": True,
            **self.claims,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        token = jwt.encode({"alg": "RS256", "kid": "chave-1"}, claims, self.key)
        if self.tamper:
            header, payload, signature = token.split(".")
            changed = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            changed["email"] = "atacante@example.org"
            payload = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=")
            token = f"{header}.{payload.decode()}.{signature}"
        return token

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 — http.server's name
                if self.path == "/.well-known/openid-configuration":
                    self._json(200, provider.metadata())
                elif self.path == "/jwks":
                    self._json(200, KeySet([provider.key]).as_dict(private=False))
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                if self.path != "/token":
                    return self._json(404, {"error": "not_found"})
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {basic}":
                    return self._json(401, {"error": "invalid_client"})
                request = provider.codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = (
                    base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
                    .rstrip(b"=")
                    .decode()
                )
                if (
                    request is None
                    or form.get("grant_type") != "authorization_code"
                    or form.get("redirect_uri") != request["redirect_uri"]
                    or challenge != request["code_challenge"]
                ):
                    return self._json(400, {"error": "invalid_grant"})
                self._json(
                    200,
                    {
                        "access_token": "acesso-opaco",
                        "token_type": "Bearer",
                        "expires_in": 300,
                        "id_token": provider.id_token(request),
                    },
                )

        return Handler

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def provider(settings):
    from balcao.portal import govbr

    server = Provider()
    server.start()
    settings.BALCAO_GOVBR_CLIENT_ID = CLIENT_ID
    settings.BALCAO_GOVBR_CLIENT_SECRET = CLIENT_SECRET
    settings.BALCAO_GOVBR_ISSUER = server.base
    govbr._apps.clear()
    yield server
    server.stop()
    govbr._apps.clear()


def start(client, provider, next_url: str | None = None) -> dict[str, str]:
    """The person clicks "Entrar com gov.br": the authorization request gov.br receives."""
    query = f"?{urlencode({'next': next_url})}" if next_url is not None else ""
    response = client.get(LOGIN + query)
    assert response.status_code == 302, response.content.decode()[:500]
    url = urlsplit(response["Location"])
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{provider.base}/authorize"
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params["response_type"] == "code"
    assert params["client_id"] == CLIENT_ID
    assert params["redirect_uri"] == "http://testserver" + CALLBACK
    assert params["scope"].split() == ["openid", "email", "phone", "profile"]
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43 and params["state"] and params["nonce"]
    return params


def sign_in(client, provider, next_url: str | None = None, **claims):
    """The whole round: to gov.br, the person consents, back to the callback."""
    provider.claims = claims
    params = start(client, provider, next_url)
    code = provider.authorize(params)
    return client.get(CALLBACK, {"code": code, "state": params["state"]})


def state_of_the_world() -> tuple:
    return (
        sorted(Requester.objects.values_list("pk", "name", "email", "phone", "cpf", "unverified")),
        CaseEvent.objects.count(),
        PersonalDataAccess.objects.count(),
    )


def assert_nothing_changed(client, before) -> None:
    assert state_of_the_world() == before
    assert EMAIL_SESSION_KEY not in client.session
    assert client.get(MY_CASES)["Location"] == "/acompanhar/meus/"


# --- success ------------------------------------------------------------------------------


def test_a_new_person_signs_in_and_gets_the_email_proof(client, provider):
    response = sign_in(client, provider)
    assert response.status_code == 302 and response["Location"] == MY_CASES
    assert client.session[EMAIL_SESSION_KEY]["email"] == "maria@example.com"
    person = Requester.objects.get(email="maria@example.com")
    assert (person.name, person.cpf, person.phone, person.unverified) == (
        "Maria da Silva",
        CPF,
        "61999990000",
        False,
    )
    [row] = PersonalDataAccess.objects.filter(requester=person)
    assert row.token_name == "gov.br" and row.user is None
    assert "novo cadastro" in row.where and row.ip == "127.0.0.1"
    assert client.get(MY_CASES).status_code == 200
    # the code was exchanged once, with the client's secret and the PKCE verifier
    [exchange] = provider.token_requests
    assert exchange["code_verifier"] and "client_secret" not in exchange


def test_a_person_on_file_gets_only_the_empty_fields_filled_with_history(
    client, provider, open_case
):
    person = Requester.objects.create(name="Maria Souza", email="maria@example.com")
    case = open_case(requester=person)
    response = sign_in(client, provider, name="Outro Nome")
    assert response["Location"] == MY_CASES
    person.refresh_from_db()
    assert (person.name, person.cpf, person.phone) == ("Maria Souza", CPF, "61999990000")
    event = case.history.get(action=CaseEvent.Action.UPDATED, reason="gov.br")
    assert event.field == "requerente" and "CPF, telefone" in event.new_value
    assert CPF not in event.new_value  # the history says what was filled, not the number
    assert case.protocol in client.get(MY_CASES).content.decode()


def test_a_cpf_on_someone_elses_record_opens_nothing_and_stays_there(client, provider, open_case):
    holder = Requester.objects.create(name="Titular", email="titular@example.com", cpf=CPF)
    theirs = open_case(requester=holder)
    sign_in(client, provider, email="outra@example.com")
    holder.refresh_from_db()
    assert holder.cpf == CPF and holder.email == "titular@example.com"
    newcomer = Requester.objects.get(email="outra@example.com")
    assert newcomer.cpf is None
    assert "já está em outro cadastro" in PersonalDataAccess.objects.get(requester=newcomer).where
    assert client.session[EMAIL_SESSION_KEY]["email"] == "outra@example.com"
    assert theirs.protocol not in client.get(MY_CASES).content.decode()
    assert client.get(f"/acompanhar/{theirs.pk}/").status_code == 302


def test_nothing_on_file_is_overwritten(client, provider):
    person = Requester.objects.create(
        name="Maria Souza", email="maria@example.com", phone="4733330000", cpf="11144477735"
    )
    sign_in(client, provider)
    person.refresh_from_db()
    assert (person.name, person.phone, person.cpf) == ("Maria Souza", "4733330000", "11144477735")
    assert "diferente do cadastro" in PersonalDataAccess.objects.get(requester=person).where


# --- refusals: nothing changes ---------------------------------------------------------------


def test_an_email_gov_br_did_not_confirm_proves_nothing(client, provider):
    before = state_of_the_world()
    response = sign_in(client, provider, email_verified=False)
    page = response.content.decode()
    assert response.status_code == 200
    assert "não está confirmado no gov.br" in page
    assert 'value="maria@example.com"' in page  # the usual way, the address already typed
    assert_nothing_changed(client, before)


@pytest.mark.parametrize(
    ("claims", "tamper"),
    [
        ({"nonce": "outro-nonce"}, False),
        ({"aud": "outro-cliente"}, False),
        ({"aud": "outro-cliente", "azp": CLIENT_ID}, False),
        ({"iss": "https://sso.acesso.gov.br/"}, False),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, False),
        ({"exp": None}, False),
        ({}, True),
    ],
    ids=[
        "wrong-nonce",
        "wrong-audience",
        "wrong-audience-with-our-azp",
        "wrong-issuer",
        "expired",
        "no-expiry",
        "tampered",
    ],
)
def test_an_id_token_that_does_not_check_out_is_refused(client, provider, claims, tamper):
    before = state_of_the_world()
    provider.tamper = tamper
    response = sign_in(client, provider, **claims)
    assert response.status_code == 502
    assert "Não foi possível confirmar a resposta do gov.br" in response.content.decode()
    assert_nothing_changed(client, before)


def test_a_forged_or_replayed_state_is_refused_before_asking_gov_br(client, provider):
    before = state_of_the_world()
    params = start(client, provider)
    code = provider.authorize(params)
    response = client.get(CALLBACK, {"code": code, "state": "estado-forjado"})
    assert response.status_code == 400
    assert "não vale mais" in response.content.decode()
    assert provider.token_requests == []
    assert_nothing_changed(client, before)
    # the real state works once; its replay is refused
    assert client.get(CALLBACK, {"code": code, "state": params["state"]}).status_code == 302
    assert client.get(CALLBACK, {"code": code, "state": params["state"]}).status_code == 400


def test_a_callback_in_another_browser_is_refused(client, provider):
    from django.test import Client

    params = start(client, provider)
    code = provider.authorize(params)
    other = Client()
    response = other.get(CALLBACK, {"code": code, "state": params["state"]})
    assert response.status_code == 400 and EMAIL_SESSION_KEY not in other.session


def test_consent_refused_at_gov_br(client, provider):
    before = state_of_the_world()
    params = start(client, provider)
    response = client.get(
        CALLBACK, {"error": "access_denied", "state": params["state"]}
    )  # what gov.br sends when the person does not authorise
    assert response.status_code == 403
    assert "foi cancelada" in response.content.decode()
    assert_nothing_changed(client, before)


def test_gov_br_away_before_the_login(client, settings):
    settings.BALCAO_GOVBR_CLIENT_ID = CLIENT_ID
    settings.BALCAO_GOVBR_CLIENT_SECRET = CLIENT_SECRET
    settings.BALCAO_GOVBR_ISSUER = f"http://127.0.0.1:{free_port()}"  # nobody listens
    response = client.get(LOGIN)
    assert response.status_code == 502
    assert "O gov.br não respondeu" in response.content.decode()


def test_gov_br_away_at_the_callback(client, provider):
    before = state_of_the_world()
    params = start(client, provider)
    code = provider.authorize(params)
    provider.stop()
    response = client.get(CALLBACK, {"code": code, "state": params["state"]})
    assert response.status_code == 502
    assert "O gov.br não respondeu" in response.content.decode()
    assert_nothing_changed(client, before)


def test_metadata_of_another_issuer_is_refused(client, provider, monkeypatch):
    metadata = provider.metadata()
    monkeypatch.setattr(provider, "metadata", lambda: {**metadata, "issuer": "https://x.test/"})
    assert client.get(LOGIN).status_code == 502


# --- configuration and the button ------------------------------------------------------------


def test_off_without_a_client_id(client, settings):
    settings.BALCAO_GOVBR_CLIENT_ID = ""
    assert client.get(LOGIN).status_code == 404
    assert client.get(CALLBACK, {"code": "x", "state": "y"}).status_code == 404
    assert "gov.br" not in client.get("/acompanhar/meus/").content.decode()


def test_the_button_on_the_email_proof_page(client, provider):
    page = client.get("/acompanhar/meus/?next=/atendimento/chat/").content.decode()
    assert "Entrar com gov.br" in page
    assert f'href="{LOGIN}?next=/atendimento/chat/"' in page


# --- where the person goes next --------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_outside_this_site_is_refused(client, provider, target):
    response = sign_in(client, provider, next_url=target)
    assert response.status_code == 302 and response["Location"] == MY_CASES


def test_next_on_this_site_is_followed(client, provider):
    response = sign_in(client, provider, next_url="/atendimento/chat/")
    assert response["Location"] == "/atendimento/chat/"


def test_the_page_that_asked_for_the_proof_is_remembered(client, provider):
    client.get("/acompanhar/meus/?next=/atendimento/meus-dados/")
    response = sign_in(client, provider)
    assert response["Location"] == "/atendimento/meus-dados/"


def test_a_person_reading_in_english_comes_back_in_english(client, provider):
    """gov.br knows one return address (no language prefix); the person's language waits
    in the session."""
    response = client.get("/en" + LOGIN)
    params = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    assert params["redirect_uri"] == "http://testserver" + CALLBACK
    response = client.get(CALLBACK, {"error": "access_denied", "state": params["state"]})
    assert response.status_code == 403 and '<html lang="en">' in response.content.decode()
    response = client.get("/en" + LOGIN)
    params = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    response = client.get(CALLBACK, {"code": provider.authorize(params), "state": params["state"]})
    assert response["Location"] == "/en" + MY_CASES
