"""The Serviço de Contato Direto com Usuários (issue 25; Portaria, arts. 36-45): the official
message of three parts from the unit's address, to the procurador only when one is on file,
the 5-working-day reply clock on the case, the reminder once, expiry, the answer, the second
message of art. 42 and the session it sets, the history archived and e-mail replies
threaded back into the case."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta
from email.message import EmailMessage

import pytest
from django.core import mail
from django.utils import timezone

from balcao.accounts.permissions import PermissionDenied
from balcao.cases.models import Message, OutboundMail
from balcao.deadlines.services import calendar_for_country
from balcao.scheduling import contact
from balcao.scheduling.models import ContactUnit, DirectContact, Hypothesis, SessionRequest
from balcao.scheduling.services import SchedulingError
from tests.scheduling.test_presential import working_slots

pytestmark = pytest.mark.django_db


@pytest.fixture
def hypothesis(presencial, staff):
    from balcao.cases.models import Team, TeamMembership

    team = Team.objects.create(slug="patentes", name="Diretoria de Patentes")
    TeamMembership.objects.create(team=team, user=staff["agent"])
    unit = ContactUnit.objects.create(
        team=team,
        email="patentes@inpi.example",
        channel=presencial,
        signature="Diretoria de Patentes",
    )
    return Hypothesis.objects.create(
        unit=unit,
        title="Documento ilegível em resposta a exigência",
        requirements="Exigência técnica publicada; documento de resposta ilegível.",
        preceito="No processo {processo}, de {titular}, o documento está ilegível.",
        premissa="Regularizar o processo antes do fim do prazo.",
        conclusao="Podemos explicar em um atendimento. Melhores horários: {horarios}.",
    )


def send(hypothesis, holder, actor, capture, **parts):
    values = contact.compose_parts(hypothesis, process="BR 10 2024 000123-4", holder=holder)
    values.update(parts)
    with capture(execute=True):
        return contact.do_send_direct_contact(
            hypothesis=hypothesis,
            holder=holder,
            process="BR 10 2024 000123-4",
            actor=actor,
            **values,
        )


def test_compose_fills_the_unit_templates(hypothesis, procurador_requester):
    parts = contact.compose_parts(
        hypothesis, process="BR 10 2024 000123-4", holder=procurador_requester
    )
    assert parts["preceito"] == (
        "No processo BR 10 2024 000123-4, de Maria Titular, o documento está ilegível."
    )
    assert "{horarios}" not in parts["conclusao"]
    assert len(contact.suggested_times(hypothesis)) == contact.SUGGESTED_TIMES
    calendar = calendar_for_country("BR")
    assert all(
        calendar.is_working_day(timezone.localtime(t).date())
        for t in contact.suggested_times(hypothesis)
    )


def test_the_message_goes_to_the_procurador_only_from_the_unit_address(
    hypothesis, procurador_requester, staff, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    sent = send(
        hypothesis, procurador_requester, staff["agent"], django_capture_on_commit_callbacks
    )
    (message,) = mail.outbox
    assert message.to == ["procurador@example.org"]
    assert message.from_email == "patentes@inpi.example"
    for heading in ("Preceito", "Premissa", "Conclusão", "cinco dias úteis"):
        assert heading in message.body
    assert "Maria Titular" in message.body and "Diretoria de Patentes" in message.body
    case = sent.case
    assert case.requester == procurador_requester
    assert case.official_recipient.email == "procurador@example.org"
    assert case.team.slug == "patentes"
    # archived on the case (art. 41)
    assert case.messages.filter(body__contains="Preceito", internal=False).count() == 1
    row = OutboundMail.objects.get(case=case)
    assert (
        row.kind == OutboundMail.Kind.DIRECT_CONTACT and row.from_address == "patentes@inpi.example"
    )


def test_without_procurador_the_holder_gets_it(
    hypothesis, staff, django_capture_on_commit_callbacks
):
    from balcao.cases.models import Requester

    holder = Requester.objects.create(name="João Titular", email="joao@example.org")
    mail.outbox.clear()
    send(hypothesis, holder, staff["agent"], django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["joao@example.org"]]


def test_the_reply_clock_is_five_working_days(hypothesis, procurador_requester, staff):
    sent = contact.do_send_direct_contact(
        hypothesis=hypothesis,
        holder=procurador_requester,
        process="BR 10 2024 000123-4",
        preceito="a",
        premissa="b",
        conclusao="c",
        actor=staff["agent"],
    )
    case = sent.case
    assert case.deadline_policy == "contato-direto"
    calendar = calendar_for_country("BR")
    opened = timezone.localtime(case.created_at).date()
    assert calendar.working_days_between(opened, timezone.localtime(case.due_at).date()) in (5, 6)


def test_blank_parts_and_unknown_holder_are_refused(hypothesis, staff, procurador_requester):
    with pytest.raises(SchedulingError, match="titular"):
        contact.do_send_direct_contact(
            hypothesis=hypothesis, holder=None, process="X", preceito="a", premissa="b",
            conclusao="c", actor=staff["agent"],
        )  # fmt: skip
    with pytest.raises(SchedulingError, match="premissa"):
        contact.do_send_direct_contact(
            hypothesis=hypothesis, holder=procurador_requester, process="X", preceito="a",
            premissa=" ", conclusao="c", actor=staff["agent"],
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        contact.do_send_direct_contact(
            hypothesis=hypothesis, holder=procurador_requester, process="X", preceito="a",
            premissa="b", conclusao="c", actor=staff["quality_manager"],
        )  # fmt: skip
    assert not DirectContact.objects.exists()
    assert contact.find_holder("TITULAR@example.org") == procurador_requester
    assert contact.find_holder("123") is None


def test_reminder_once_then_expiry(
    hypothesis, procurador_requester, staff, django_capture_on_commit_callbacks
):
    sent = send(
        hypothesis, procurador_requester, staff["agent"], django_capture_on_commit_callbacks
    )
    due = sent.case.due_at
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert contact.sweep(timezone.now()) == (0, 0)  # five working days left
        assert contact.sweep(due - timedelta(hours=2)) == (1, 0)
        assert contact.sweep(due - timedelta(hours=1)) == (0, 0)  # once
    (reminder,) = mail.outbox
    assert reminder.to == ["procurador@example.org"] and "Lembrete" in reminder.subject
    assert reminder.from_email == "patentes@inpi.example"
    assert contact.sweep(due + timedelta(minutes=1)) == (0, 1)
    sent.refresh_from_db()
    assert sent.status == DirectContact.Status.EXPIRED


def test_an_email_reply_threads_back_into_the_case(
    hypothesis, procurador_requester, staff, presencial, django_capture_on_commit_callbacks
):
    from balcao.mail.models import Mailbox
    from balcao.mail.services import ingest

    mailbox = Mailbox.objects.create(
        slug="patentes", address="patentes@inpi.example", channel=presencial
    )
    mail.outbox.clear()
    sent = send(
        hypothesis, procurador_requester, staff["agent"], django_capture_on_commit_callbacks
    )
    original = email.message_from_bytes(
        mail.outbox[0].message().as_bytes(), policy=email.policy.default
    )
    reply = EmailMessage()
    reply["From"] = "Paulo Procurador <procurador@example.org>"
    reply["To"] = "patentes@inpi.example"
    reply["Subject"] = f"RE: {original['Subject']}"
    reply["Message-ID"] = "<resposta-1@example.org>"
    reply["In-Reply-To"] = original["Message-ID"]
    reply["References"] = original["Message-ID"]
    reply.set_content("Temos interesse. Prefiro terça às 10h.")
    with django_capture_on_commit_callbacks(execute=True):
        ingest(mailbox, reply.as_bytes(), uidvalidity=1, uid=1)
    answer = sent.case.messages.filter(author_kind=Message.Author.REQUESTER).get()
    assert "Temos interesse" in answer.body


def test_interest_then_the_art_42_message_sets_the_session(
    hypothesis, procurador_requester, staff, django_capture_on_commit_callbacks
):
    sent = send(
        hypothesis, procurador_requester, staff["agent"], django_capture_on_commit_callbacks
    )
    start = working_slots(1)[0]
    with pytest.raises(SchedulingError, match="interesse"):
        contact.do_send_session_details(sent, starts_at=start, mode="remote", actor=staff["agent"])
    contact.do_record_answer(sent, True, actor=staff["agent"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session_request = contact.do_send_session_details(
            sent, starts_at=start, mode="remote", actor=staff["agent"]
        )
    assert session_request.origin == SessionRequest.Origin.DIRECT_CONTACT
    assert session_request.status == SessionRequest.Status.PICKED
    assert session_request.ends_at - session_request.starts_at == timedelta(hours=1)
    assert session_request.video_url.startswith("https://meet.jit.si/")
    (message,) = mail.outbox
    assert message.to == ["procurador@example.org"]
    assert "nome completo" in message.body and "uma hora" in message.body
    assert session_request.video_url in message.body
    assert sent.case.messages.filter(internal=False).count() == 2  # both archived (art. 41)


def test_not_interested_closes_the_contact(hypothesis, procurador_requester, staff):
    sent = contact.do_send_direct_contact(
        hypothesis=hypothesis, holder=procurador_requester, process="X", preceito="a",
        premissa="b", conclusao="c", actor=staff["agent"],
    )  # fmt: skip
    contact.do_record_answer(sent, False, actor=staff["agent"])
    sent.refresh_from_db()
    assert sent.status == DirectContact.Status.DECLINED
    assert not sent.case.is_open
    with pytest.raises(SchedulingError):
        contact.do_record_answer(sent, True, actor=staff["agent"])


def test_console_and_portal_pages(
    hypothesis, procurador_requester, staff, verified_client, client, make_user
):
    page = client.get("/contato-direto/").content.decode()
    assert "Documento ilegível em resposta a exigência" in page and "Diretoria de Patentes" in page
    agent = verified_client(staff["agent"])
    assert agent.get("/console/contato-direto/").status_code == 200
    form = {
        "hypothesis": hypothesis.pk,
        "process": "BR 10 2024 000123-4",
        "holder": "titular@example.org",
    }
    filled = agent.post("/console/contato-direto/", {**form, "fill": "1"})
    assert filled.status_code == 200
    assert "de Maria Titular, o documento" in filled.content.decode()
    unknown = agent.post("/console/contato-direto/", {**form, "holder": "x@y.z", "fill": "1"})
    assert "Nenhum titular encontrado" in unknown.content.decode()
    response = agent.post(
        "/console/contato-direto/",
        {**form, "preceito": "Preceito.", "premissa": "Premissa.", "conclusao": "Conclusão."},
    )
    assert response.status_code == 302
    sent = DirectContact.objects.get()
    detail = agent.get(f"/console/contato-direto/{sent.pk}/").content.decode()
    assert "Paulo Procurador" in detail and "procurador" in detail
    from balcao.audit.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(
        user=staff["agent"], where=f"direct-contact:{sent.pk}"
    ).exists()  # every view of personal data is logged
    assert (
        agent.post(f"/console/contato-direto/{sent.pk}/", {"action": "interested"}).status_code
        == 302
    )
    sent.refresh_from_db()
    assert sent.status == DirectContact.Status.INTERESTED
    stranger = verified_client(make_user("agent"))  # not of the unit's team
    refused = stranger.post(
        "/console/contato-direto/",
        {**form, "preceito": "P.", "premissa": "P.", "conclusao": "C."},
    )
    assert refused.status_code == 400 and "equipe" in refused.content.decode()
    assert stranger.get(f"/console/contato-direto/{sent.pk}/").status_code == 404
    outsider = verified_client(make_user("quality_manager"))
    assert outsider.get("/console/contato-direto/").status_code == 403
