"""Scheduling e-mail leaves a running ``balcao serve`` (web process + task worker) for a real
SMTP server (aiosmtpd), tested from the outside (issue 25): a Conecta Todos sign-up posted to
the portal brings the invitation with its .ics; a (tele)presential request brings the
acknowledgement with the protocol; a direct contact goes from the unit's address to the
procurador only."""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request

import icalendar

BALCAO = [sys.executable, "-m", "balcao.cli"]


class Browser:
    """Form posts as a browser makes them: cookies kept, the CSRF token read from the page."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post_form(self, path: str, fields: dict) -> tuple[int, str]:
        page = self.get(path)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
        request = urllib.request.Request(self.base + path, data=data, method="POST")  # noqa: S310
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.read().decode()


def shell(env: dict, code: str) -> str:
    out = subprocess.run(  # noqa: S603
        [*BALCAO, "shell", "-c", textwrap.dedent(code)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""


def test_scheduling_mail_reaches_a_real_smtp_server(
    tmp_path, balcao_serve, smtp_sink, migrated_sqlite
):
    sink, smtp_port = smtp_sink
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "BALCAO_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "DEFAULT_FROM_EMAIL": "atendimento@inpi.example",
        "BALCAO_BASE_URL": "https://atendimento.inpi.example",
        "BALCAO_PUBLIC_FORM_RATE": "100/m",
    }
    migrated_sqlite(tmp_path / "live.sqlite3")
    session_pk = shell(
        env,
        """
        from datetime import timedelta
        from django.utils import timezone
        from balcao.accounts.permissions import SYSTEM
        from balcao.catalog.models import Channel
        from balcao.catalog.services import load_demo_catalog
        from balcao.scheduling.services import do_publish_sessions
        load_demo_catalog()
        today = timezone.localdate()
        created = do_publish_sessions(
            Channel.objects.get(slug="conecta-todos"), today + timedelta(days=2),
            today + timedelta(days=12), capacity=5, actor=SYSTEM,
        )
        print(created[0].pk)
        """,
    )
    server = balcao_serve("--workers", "1", "--front", "python", env=env)
    server.get_json("/api/v1/health")
    browser = Browser(server.url)

    # Conecta Todos: the sign-up brings the invitation with its .ics
    status, page = browser.post_form(
        "/canais/conecta-todos/agendamento/",
        {
            "session": session_pk,
            "name": "Ana Souza",
            "email": "ana.souza@example.com",
            "subject": "Como acompanho meu pedido de marca?",
        },
    )
    assert status == 200 and "Inscrição recebida" in page
    sink.wait_for(1)
    invitation = sink.messages[0]
    assert invitation["To"] == "ana.souza@example.com"
    calendars = [p for p in invitation.walk() if p.get_content_type() == "text/calendar"]
    assert len(calendars) == 1
    (event,) = icalendar.Calendar.from_ical(calendars[0].get_payload(decode=True)).walk("VEVENT")
    assert str(event["URL"]).startswith("https://meet.jit.si/")

    # (tele)presential: the request brings the acknowledgement with the protocol
    status, page = browser.post_form(
        "/canais/telepresencial/agendamento/",
        {
            "name": "Bruno Lima",
            "email": "bruno@example.com",
            "document": "RG 12.345.678-9 SSP/SP",
            "subject": "Vista do processo",
            "reference": "BR 10 2024 000123-4",
            "justification": "Preciso entender a exigência técnica.",
            "mode": "remote",
            "has_companions": "no",
        },
    )
    assert status == 200 and 'id="protocol"' in page
    sink.wait_for(2)
    acknowledgement = sink.messages[1]
    assert acknowledgement["To"] == "bruno@example.com"
    assert acknowledgement["X-Balcao-Protocol"] in acknowledgement["Subject"]

    # direct contact: from the unit's address, to the procurador only
    shell(
        env,
        """
        from django.contrib.auth.models import Group
        from balcao.accounts.models import User
        from balcao.catalog.models import Channel
        from balcao.cases.models import Representation, Requester, Team, TeamMembership
        from balcao.scheduling.contact import compose_parts, do_send_direct_contact
        from balcao.scheduling.models import ContactUnit, Hypothesis
        agent = User.objects.create_user("dirpa", password="x-123-senha-longa")
        agent.groups.add(Group.objects.get(name="agent"))
        team = Team.objects.create(slug="patentes", name="Patentes")
        TeamMembership.objects.create(team=team, user=agent)
        unit = ContactUnit.objects.create(
            team=team, email="patentes@inpi.example",
            channel=Channel.objects.get(slug="telepresencial"),
        )
        hypothesis = Hypothesis.objects.create(
            unit=unit, title="Documento ilegível", requirements="Exigência publicada.",
            preceito="No processo {processo}, o documento está ilegível.",
            premissa="Regularizar o processo.", conclusao="Horários: {horarios}.",
        )
        holder = Requester.objects.create(name="Maria Titular", email="titular@example.org")
        procurador = Requester.objects.create(name="Paulo", email="procurador@example.org")
        Representation.objects.create(requester=holder, representative=procurador)
        parts = compose_parts(hypothesis, process="BR 10 2024 000123-4", holder=holder)
        do_send_direct_contact(
            hypothesis=hypothesis, holder=holder, process="BR 10 2024 000123-4",
            actor=agent, **parts,
        )
        print("sent")
        """,
    )
    sink.wait_for(3)
    official = sink.messages[2]
    assert official["To"] == "procurador@example.org"
    assert official["From"] == "patentes@inpi.example"
    assert "No processo BR 10 2024 000123-4, o documento está ilegível." in official.get_content()
    assert all("titular@example.org" not in str(m["To"]) for m in sink.messages)
