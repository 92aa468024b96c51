"""Finding #7, "Headers and exposure": a Content-Security-Policy without inline code on every
page, Permissions-Policy everywhere, no-store on console and API responses, and templates
that need no inline script (the scan keeps it so)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from balcao.api.models import ApiToken

pytestmark = pytest.mark.django_db

BALCAO = Path(__file__).resolve().parents[1] / "balcao"
# Documents written to a file by a command (``balcao report contact-center --format html``),
# never served under the site's Content-Security-Policy: a file opened on its own keeps its
# styles inside.
# Documents written to files (the CLI's HTML reports, printed to PDF), not pages of the site;
# the periodic report's <style> is in its standalone wrapper only, not in the console's copy.
STANDALONE = {
    "telephony/templates/telephony/contact_centre_report.html",
    "telephony/templates/telephony/periodic_report.html",
}
TEMPLATES = sorted(
    p for p in BALCAO.glob("**/templates/**/*.html") if str(p.relative_to(BALCAO)) not in STANDALONE
)


def directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    assert policy, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def assert_strict_policy(response) -> dict[str, list[str]]:
    policy = directives(response)
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in policy[directive]
        assert "'unsafe-eval'" not in policy[directive]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    return policy


def assert_inline_styles_carry_the_nonce(response) -> None:
    """Every <style> of the page has the policy's nonce; no <script> has inline code."""
    html = response.content.decode()
    nonces = [
        v.removeprefix("'nonce-").rstrip("'")
        for v in directives(response)["style-src"]
        if v.startswith("'nonce-")
    ]
    for tag in re.findall(r"<style\b[^>]*>", html):
        assert nonces and f'nonce="{nonces[0]}"' in tag, tag
    for attrs, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
        assert "src=" in attrs and not body.strip(), (attrs, body)


@pytest.fixture
def case(open_case):
    return open_case(description="Paguei a GRU e o pedido não aparece.")


def test_portal_pages_have_a_strict_policy(client):
    for url in (
        "/",
        "/encontre-o-atendimento/",
        "/perguntas-frequentes/",
        "/telefone/ligamos-para-voce/",
        "/conta/entrar/",
        "/en/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert_inline_styles_carry_the_nonce(response)


def test_chatbot_page_has_a_strict_policy(client):
    response = client.get("/chatbot/")
    assert response.status_code == 200
    assert_strict_policy(response)
    assert_inline_styles_carry_the_nonce(response)
    assert "hx-on" not in response.content.decode()


def test_console_case_page_has_a_strict_policy_and_is_not_stored(verified_client, staff, case):
    client = verified_client(staff["supervisor"])
    for url in (f"/console/atendimentos/{case.pk}/", "/console/", "/en/console/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_policy(response)
        assert_inline_styles_carry_the_nonce(response)
        assert "no-store" in response.headers["Cache-Control"], url


def test_nonce_changes_per_request(client):
    first, second = (directives(client.get("/"))["style-src"] for _ in range(2))
    assert first != second


def test_agency_logo_origin_is_allowed_for_images(client, settings):
    settings.BALCAO_AGENCY_LOGO_URL = "https://cdn.agencia.example/logo.svg"
    policy = directives(client.get("/"))
    assert "https://cdn.agencia.example" in policy["img-src"]


def test_permissions_policy_on_every_response(client):
    for url in ("/", "/chatbot/", "/api/v1/health", "/api/v1/cases", "/console/"):
        policy = client.get(url).headers.get("Permissions-Policy", "")
        for feature in ("camera", "microphone", "geolocation", "payment"):
            assert f"{feature}=()" in policy, (url, policy)


def test_requester_api_responses_are_not_stored(client, staff):
    _, raw = ApiToken.issue(
        name="crm",
        user=staff["supervisor"],
        scopes=["requesters:read", "requesters:write", "cases:read"],
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    created = client.post(
        "/api/v1/requesters",
        {"name": "Maria", "cpf": "529.982.247-25"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code in (200, 201), created.content
    assert "no-store" in created.headers["Cache-Control"]
    read = client.get(f"/api/v1/requesters/{created.json()['id']}", **auth)
    assert read.status_code == 200
    assert "no-store" in read.headers["Cache-Control"]
    assert "private" in read.headers["Cache-Control"]


def test_case_messages_api_is_not_stored(client, staff, case):
    _, raw = ApiToken.issue(name="sys", user=staff["supervisor"], scopes=["cases:read"])
    response = client.get(f"/api/v1/cases/{case.pk}/messages", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]


def test_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


def test_attachment_keeps_its_sandbox_policy(verified_client, staff, case):
    from balcao.cases import services

    services.do_add_message(
        case,
        body="Segue o comprovante.",
        actor=staff["supervisor"],
        files=[
            SimpleUploadedFile(
                "gru.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n", content_type="application/pdf"
            )
        ],
    )
    attachment = case.attachments.get()
    response = verified_client(staff["supervisor"]).get(
        f"/console/atendimentos/{case.pk}/anexos/{attachment.pk}/"
    )
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert "no-store" in response.headers["Cache-Control"]


# --- the templates themselves -----------------------------------------------------------

INLINE = {
    "inline <script> (no src)": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "hx-on attribute": re.compile(r"\bhx-on\b", re.I),
    "on* event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "<style> without the nonce": re.compile(r"<style\b(?![^>]*nonce=)[^>]*>", re.I),
    "htmx eval (js: / javascript: values, hx-vars)": re.compile(r"\bhx-vars\b|[\"']js:", re.I),
}


def test_templates_are_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(BALCAO)))
def test_no_inline_code_in_templates(template):
    text = template.read_text()
    found = [name for name, pattern in INLINE.items() if pattern.search(text)]
    assert not found, f"{template}: {found} (move it to balcao/static/balcao/balcao.js)"


def test_htmx_runs_without_eval_and_without_its_own_styles(client):
    import json

    html = client.get("/").content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config["allowEval"] is False and config["includeIndicatorStyles"] is False
    assert config["allowScriptTags"] is False
    # Console pages are not stored: nor are their htmx snapshots (back reloads them).
    assert config["historyCacheSize"] == 0 and config["refreshOnHistoryMiss"] is True
    css = (BALCAO / "static" / "balcao" / "balcao.css").read_text()
    assert ".htmx-indicator" in css
