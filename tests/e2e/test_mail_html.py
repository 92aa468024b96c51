"""An e-mail's formatted version on the console's case page, in a real browser (issue 22:
"keep text and HTML (sanitised for display), inline images"): behind "Ver formatado", in a
sandboxed frame where nothing from the e-mail runs, its inline image shows from the case's
stored copy, no remote image is fetched, and the page meets its Content-Security-Policy and
axe-core's WCAG 2.1 A/AA rules."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Group

from tests.e2e.test_accessibility import AXE, axe_violations
from tests.e2e.test_csp import RECORD_VIOLATIONS

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HTML = """<html><head><style>body {{ background: red }}</style>
<script>window.parent.__fromMail = 1</script></head>
<body onload="window.parent.__fromMail = 2">
<p>Segue a <b>foto</b> do boleto:</p>
<img src="cid:foto1@example.org" alt="boleto" id="inline">
<img src="{remote}/pixel.gif" alt="" width="1" height="1">
<img src="x" onerror="window.parent.__fromMail = 3">
<table><tr><th>Valor</th><td>R$ 10,00</td></tr></table>
<a href="https://www.gov.br/">gov.br</a>
</body></html>"""


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (19, 81, 180)).save(out, format="PNG")
    return out.getvalue()


def _mail(remote: str) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"] = "Maria Souza <maria@example.org>"
    msg["To"] = "contato@agencia.gov.br"
    msg["Subject"] = "Boleto com foto"
    msg["Message-ID"] = "<foto@example.org>"
    msg.set_content("Segue a foto do boleto.")
    msg.add_alternative(HTML.format(remote=remote), subtype="html")
    msg.get_payload()[1].add_related(
        _png(), maintype="image", subtype="png", cid="<foto1@example.org>", filename="foto.png"
    )
    return msg.as_bytes()


def test_the_formatted_mail_is_sandboxed_shows_its_inline_image_and_fetches_nothing(
    page, live_server, helpdesk_channel, django_user_model
):
    if not AXE.exists():
        pytest.skip("node_modules/axe-core is missing: run `npm ci` (make install)")
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from balcao.mail.models import Mailbox
    from balcao.mail.services import ingest

    box = Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )
    # the "remote" image points at the test server itself, so that a fetch would be seen
    case = ingest(box, _mail(f"{live_server.url}/tracking"), uidvalidity=1, uid=1).case
    user = django_user_model.objects.create_user(username="sara.sup", password="x-123456789")
    user.groups.add(Group.objects.get(name="supervisor"))
    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    # as Django sets it: SameSite=Lax
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": session.session_key,
                "url": live_server.url,
                "sameSite": "Lax",
                "httpOnly": True,
            }
        ]
    )
    problems: list[str] = []
    requested: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("request", lambda request: requested.append(request.url))

    page.goto(f"{live_server.url}/console/atendimentos/{case.pk}/")
    page.get_by_text("Ver formatado").click()
    frame = page.frame_locator("iframe[title='E-mail formatado']")
    frame.get_by_text("R$ 10,00").wait_for()
    frame.locator("img[alt='boleto']").wait_for()
    # opaque origin: the console's page cannot reach in, nor the frame out
    assert page.locator("iframe[title='E-mail formatado']").evaluate(
        "frame => frame.contentDocument === null"
    )
    shown = page.frames[1].evaluate(
        "() => [...document.images].map(i => [i.alt, i.naturalWidth, i.src.slice(0, 22)])"
    )
    assert shown == [["boleto", 40, "data:image/png;base64,"]]  # loaded; the rest is text
    assert page.evaluate("() => window.__fromMail === undefined")
    assert not [url for url in requested if "/tracking" in url]
    assert page.frames[1].evaluate("() => document.querySelectorAll('script, style').length") == 0
    problems.extend(page.evaluate("() => window.__cspViolations || []"))
    assert not problems, "\n".join(problems)
    assert axe_violations(page) == []
