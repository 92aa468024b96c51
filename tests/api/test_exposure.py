"""Finding #7 on the API: docs from our own static files and only for verified staff (DEBUG
off), the schema public, 401 (not a CSRF 403) for anonymous writes while the session stays
CSRF-checked, and ``token list`` telling expired and revoked tokens from active ones."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from balcao.api.models import ApiToken

pytestmark = pytest.mark.django_db

CDN = re.compile(r"cdn\.|jsdelivr|unpkg|cdnjs|googleapis", re.I)


def verified(client, user):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    return client


# --- docs ---------------------------------------------------------------------------------


def test_docs_are_refused_to_anonymous_when_debug_is_off(client, settings):
    settings.DEBUG = False
    response = client.get("/api/v1/docs")
    assert response.status_code == 302 and "/conta/entrar/" in response["Location"]


def test_docs_are_refused_to_a_session_without_second_factor(client, staff, settings):
    settings.DEBUG = False
    client.force_login(staff["agent"])
    assert client.get("/api/v1/docs").status_code == 302


def test_docs_are_refused_to_a_verified_user_without_a_role(client, make_user, settings):
    settings.DEBUG = False
    assert verified(client, make_user()).get("/api/v1/docs").status_code == 403


def test_docs_from_our_own_static_files_for_verified_staff(client, staff, settings):
    settings.DEBUG = False
    response = verified(client, staff["agent"]).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not CDN.search(html), "the docs page names a CDN"
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources
    # No inline code: the settings travel as JSON data, the init script is a static file.
    assert not re.search(r"<script(?![^>]*(?:src=|type=\"application/json\"))[^>]*>", html)
    assert '"validatorUrl": null' in html
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_swagger_ui_assets_exist_in_static_files():
    from django.contrib.staticfiles import finders

    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(name), name


def test_docs_open_with_debug_on(client, settings):
    settings.DEBUG = True
    assert client.get("/api/v1/docs").status_code == 200


def test_openapi_schema_stays_public(client, settings):
    settings.DEBUG = False
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and "/api/v1/cases" in response.json()["paths"]


# --- anonymous writes, CSRF on the session --------------------------------------------------

CASE = {"channel": "fale-conosco", "subject": "Dúvida sobre a GRU"}


def test_anonymous_post_is_401_with_the_api_error_body(helpdesk_channel):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/cases", json.dumps(CASE), content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    response = client.patch(
        "/api/v1/cases/1", json.dumps({"subject": "x"}), content_type="application/json"
    )
    assert response.status_code == 401


def test_unverified_session_post_is_401_too(staff, helpdesk_channel):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff["supervisor"])  # no second factor
    response = client.post("/api/v1/cases", json.dumps(CASE), content_type="application/json")
    assert response.status_code == 401


def test_verified_session_post_without_csrf_token_is_refused(staff, helpdesk_channel):
    client = verified(Client(enforce_csrf_checks=True), staff["supervisor"])
    response = client.post("/api/v1/cases", json.dumps(CASE), content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]


def test_verified_session_post_with_csrf_token_passes(staff, helpdesk_channel):
    client = verified(Client(enforce_csrf_checks=True), staff["supervisor"])
    client.get("/console/")  # sets the csrftoken cookie
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/api/v1/cases", json.dumps(CASE), content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 201, response.content


def test_token_post_needs_no_csrf_token(staff, helpdesk_channel):
    _, raw = ApiToken.issue(name="sys", user=staff["supervisor"], scopes=["cases:write"])
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/cases",
        json.dumps(CASE),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 201, response.content


# --- token list -----------------------------------------------------------------------------


def test_token_list_tells_expired_revoked_and_active_apart(staff, make_user):
    now = timezone.now()
    user = staff["supervisor"]
    ApiToken.issue(
        name="a-expired", user=user, scopes=["cases:read"], expires_at=now - timedelta(days=1)
    )
    ApiToken.issue(name="b-revoked", user=user, scopes=["cases:read"])
    ApiToken.objects.filter(name="b-revoked").update(revoked=True)
    ApiToken.issue(name="c-active", user=user, scopes=["cases:read"])
    ApiToken.issue(
        name="d-until", user=user, scopes=["cases:read"], expires_at=now + timedelta(days=30)
    )
    ApiToken.issue(
        name="e-inactive-user", user=make_user("agent", is_active=False), scopes=["cases:read"]
    )
    out = StringIO()
    call_command("token", "list", stdout=out)
    state = {line.split("\t")[0]: line.split("\t")[-1] for line in out.getvalue().splitlines()}
    assert state["a-expired"].startswith("expirado em ")
    assert state["b-revoked"] == "revogado"
    assert state["c-active"] == "ativo"
    assert state["d-until"].startswith("ativo até ")
    assert state["e-inactive-user"].startswith("inativo")
    for name in ("a-expired", "b-revoked", "e-inactive-user"):
        assert not state[name].startswith("ativo"), name
