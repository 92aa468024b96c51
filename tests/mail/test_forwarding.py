"""Forwarding a case by e-mail to one of the agency's units (issue 22; seed 003, 3.2, 11.12
and 13.1 e')): the e-mail carries a token in its subject and Message-ID, leaves through a
real SMTP server, and the unit's answer — fed back through ``mail.services.ingest`` — lands
on the same case as an internal message, never a new case, never acknowledged; the time at
the unit is shown and counted apart."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from django.core import mail as django_mail
from django.utils import timezone

from balcao.cases import followup
from balcao.cases import services as cases
from balcao.cases.models import Case, CaseEvent, Message, OutboundMail, State
from balcao.mail import forwarding
from balcao.mail.models import InboundMail, Mailbox, Unit, UnitForward
from balcao.mail.services import ingest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


# --- pure parts ---------------------------------------------------------------------------


def test_tokens_are_read_from_ids_first_then_from_the_subject():
    token, other = "0123456789abcdef", "fedcba9876543210"
    ids = ["<x@y>", f"<encaminhamento.{token}@agencia.gov.br>"]
    assert forwarding.tokens_in(f"RE: [Encaminhamento {other}] GRU", ids) == [token, other]
    assert forwarding.tokens_in(f"Res: [ENCAMINHAMENTO {token.upper()}]", []) == [token]
    assert forwarding.tokens_in("Encaminhamento: 0123456789abcdef0", []) == []  # 17 digits
    assert forwarding.tokens_in("[Protocolo 2026.000001-1] Dúvida", ["<a@b>"]) == []
    assert forwarding.forward_message_id(token, "agencia.gov.br") in (
        f"<encaminhamento.{token}@agencia.gov.br>",
    )


def test_the_quotation_of_our_mail_is_left_out_of_the_answer():
    reply = "Pode emitir nova GRU.\nAtt, DIRPA\n\nEm 02/03/2026 09:00, atendimento escreveu:\n> A"
    assert forwarding.strip_quoted(reply) == "Pode emitir nova GRU.\nAtt, DIRPA"
    outlook = "Sim.\n\n-----Original Message-----\nFrom: atendimento@agencia.gov.br\n..."
    assert forwarding.strip_quoted(outlook) == "Sim."
    assert forwarding.strip_quoted("Ok.\n> citação\n>> mais") == "Ok."
    assert forwarding.strip_quoted("> só citação") == "> só citação"  # never emptied


def test_overlapping_forwards_count_once():
    h = timedelta(hours=1)
    assert forwarding.merged_duration([(T0, T0 + 2 * h), (T0 + h, T0 + 3 * h)]) == 3 * h
    assert forwarding.merged_duration([(T0, T0 + h), (T0 + 2 * h, T0 + 3 * h)]) == 2 * h
    assert forwarding.merged_duration([(T0, T0)]) == timedelta(0)


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture
def unit(db):
    return Unit.objects.create(name="Direção de Patentes", address="dirpa@inpi.example")


@pytest.fixture
def mailbox(helpdesk_channel):
    return Mailbox.objects.create(
        slug="contato", address="atendimento@agencia.gov.br", channel=helpdesk_channel
    )


@pytest.fixture
def taken_case(open_case, staff):
    """A case being handled (em atendimento), of a person with e-mail, phone and CPF on
    file, with a message and a file of theirs."""
    person = cases.do_find_or_create_requester(
        name="Maria Souza", email="maria@example.org", phone="+351 912 345 678",
        cpf="52998224725",
    )  # fmt: skip
    case = open_case(
        requester=person,
        subject="Pedido de patente parado",
        description="O meu pedido PT 123456 está parado há meses.",
    )
    cases.do_add_message(
        case, "Junto o comprovativo.", author_kind=Message.Author.REQUESTER,
        files=[_upload("comprovativo.pdf", PDF)],
    )  # fmt: skip
    taken = State.objects.get(workflow=case.state.workflow, slug="em-atendimento")
    return cases.do_change_state(case, taken, actor=staff["supervisor"])


def _upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


@pytest.fixture
def smtp(settings, smtp_sink):
    """Django's SMTP backend pointed at a real SMTP server (tests/conftest.py)."""
    sink, port = smtp_sink
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    return sink


def _forward(case, unit, actor, capture, note="Confirmem o estado do pedido PT 123456."):
    with capture(execute=True):
        return forwarding.do_forward_to_unit(case, unit, note, actor)


def _reply_to(original: bytes, *, sender="dirpa@inpi.example", body="O pedido segue para "
              "exame em abril.", subject=None, threaded=True, uid_msgid="<r1@inpi.example>",
              attachments=(), **headers) -> bytes:  # fmt: skip
    """The unit's answer to the e-mail it received, as its mail program writes it."""
    sent = email.message_from_bytes(original, policy=email.policy.default)
    reply = EmailMessage()
    reply["From"] = f"DIRPA <{sender}>"
    reply["To"] = str(sent["Reply-To"] or sent["From"])
    reply["Subject"] = subject if subject is not None else f"RE: {sent['Subject']}"
    reply["Message-ID"] = uid_msgid
    if threaded:
        reply["In-Reply-To"] = sent["Message-ID"]
        reply["References"] = " ".join(
            filter(None, [str(sent.get("References") or ""), sent["Message-ID"]])
        )
    for name, value in headers.items():
        reply[name.replace("_", "-")] = value
    quoted = "\n".join("> " + line for line in sent.get_content().splitlines())
    reply.set_content(f"{body}\n\nEm 02/03/2026 09:00, Atendimento escreveu:\n{quoted}\n")
    for name, data in attachments:
        reply.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return reply.as_bytes()


# --- forwarding ---------------------------------------------------------------------------


def test_a_forward_is_mailed_to_the_unit_with_its_token_and_without_the_persons_contacts(
    taken_case, unit, staff, django_capture_on_commit_callbacks
):
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    assert len(forward.token) == 16 and forward.sent_by == staff["agent"]
    out = OutboundMail.objects.get(pk=forward.outbound_id)  # as the task queue left it
    assert out.kind == OutboundMail.Kind.UNIT_FORWARD and out.to_address == unit.address
    assert out.status == OutboundMail.Status.SENT
    assert out.message_id.startswith(f"<encaminhamento.{forward.token}@")
    [sent] = [m for m in django_mail.outbox if m.to == [unit.address]]
    assert sent.subject == f"[Encaminhamento {forward.token}] Pedido de patente parado"
    body = sent.body
    for expected in (taken_case.protocol, "Pedido de patente parado", "PT 123456 está parado",
                     "Junto o comprovativo.", "comprovativo.pdf", forward.note):  # fmt: skip
        assert expected in body
    for private in ("Maria", "maria@example.org", "912 345 678", "52998224725", "529.982"):
        assert private not in body and private not in sent.subject
    assert taken_case.protocol not in sent.subject  # the person's threading never sees it
    # recorded on the case: history and an internal note; waiting on third parties
    taken_case.refresh_from_db()
    assert taken_case.state.category == State.Category.WAITING_THIRD_PARTY
    note = Message.objects.filter(case=taken_case, internal=True).last()
    assert unit.name in note.body and forward.note in note.body
    assert taken_case.history.filter(
        action=CaseEvent.Action.UPDATED, field="encaminhamento", new_value=unit.name
    ).exists()
    assert not [m for m in django_mail.outbox if "maria@example.org" in m.to]


def test_a_forward_is_refused_when_it_cannot_go(
    taken_case, unit, staff, open_case, django_capture_on_commit_callbacks
):
    with pytest.raises(forwarding.ForwardRefused) as empty:
        forwarding.do_forward_to_unit(taken_case, unit, "  ", staff["agent"])
    assert "note" in empty.value.fields
    unit.active = False
    unit.save()
    with pytest.raises(forwarding.ForwardRefused) as inactive:
        forwarding.do_forward_to_unit(taken_case, unit, "Verifiquem.", staff["agent"])
    assert "unit" in inactive.value.fields
    from balcao.accounts.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        forwarding.do_forward_to_unit(taken_case, unit, "Verifiquem.", staff["quality_manager"])
    assert (
        not UnitForward.objects.exists()
        and not OutboundMail.objects.filter(kind=OutboundMail.Kind.UNIT_FORWARD).exists()
    )


# --- the unit's answer, end to end ----------------------------------------------------------


def test_the_units_reply_to_the_mail_as_sent_comes_back_into_the_case_as_internal(
    taken_case, unit, staff, mailbox, smtp, django_capture_on_commit_callbacks
):
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    [original] = smtp.raw  # what the SMTP server received
    sent = email.message_from_bytes(original, policy=email.policy.default)
    assert sent["Message-ID"] == forward.outbound.message_id
    assert sent["To"] == unit.address and f"[Encaminhamento {forward.token}]" in sent["Subject"]
    cases_before = Case.objects.count()
    reply = _reply_to(original, attachments=[("parecer.pdf", PDF)])
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(mailbox, reply, uidvalidity=1, uid=1)
    assert row.outcome == InboundMail.Outcome.UNIT_ANSWER and row.case_id == taken_case.pk
    assert Case.objects.count() == cases_before  # never a new case
    assert not row.acknowledged and len(smtp.raw) == 1  # nothing sent back to anyone
    answer = row.case_message
    assert answer.internal and answer.author_kind == Message.Author.SYSTEM
    assert "O pedido segue para exame em abril." in answer.body and unit.name in answer.body
    assert "Em 02/03/2026" not in answer.body  # the quotation of our mail is left out
    assert [a.filename for a in answer.attachments.all()] == ["parecer.pdf"]
    forward.refresh_from_db()
    assert forward.answer == answer and forward.answered_at is not None
    taken_case.refresh_from_db()
    assert taken_case.state.slug == "em-atendimento"  # back to the team
    # the person never sees it
    assert answer not in followup.public_thread(taken_case)
    # the same server message again changes nothing
    count = Message.objects.filter(case=taken_case).count()
    again = ingest(mailbox, reply, uidvalidity=1, uid=1)
    assert again.pk == row.pk and Message.objects.filter(case=taken_case).count() == count


def test_a_reply_with_only_the_token_in_the_subject_works(
    taken_case, unit, staff, mailbox, django_capture_on_commit_callbacks
):
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    [sent] = [m for m in django_mail.outbox if m.to == [unit.address]]
    raw = _reply_to(
        sent.message().as_bytes(), threaded=False, sender="tecnico.silva@inpi.example",
        subject=f"Re: [Encaminhamento {forward.token}] Pedido de patente parado",
    )  # fmt: skip
    sent_before = len(django_mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(mailbox, raw, uidvalidity=1, uid=2)
    assert row.outcome == InboundMail.Outcome.UNIT_ANSWER and row.case_id == taken_case.pk
    assert len(django_mail.outbox) == sent_before and not row.acknowledged
    forward.refresh_from_db()
    assert forward.answered_at is not None
    assert "tecnico.silva@inpi.example" in forward.answer.body


def test_a_unit_writing_with_only_the_protocol_is_still_the_units_answer(
    taken_case, unit, staff, mailbox, django_capture_on_commit_callbacks
):
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    raw = _reply_to(
        django_mail.outbox[-1].message().as_bytes(), threaded=False,
        subject=f"Protocolo {taken_case.protocol}: resposta",
    )  # fmt: skip
    row = ingest(mailbox, raw, uidvalidity=1, uid=3)
    assert row.outcome == InboundMail.Outcome.UNIT_ANSWER and row.case_id == taken_case.pk
    assert not Message.objects.filter(
        case=taken_case, author_kind=Message.Author.REQUESTER, body__contains="abril"
    ).exists()
    forward.refresh_from_db()
    assert forward.answered_at is not None


def test_an_out_of_office_from_the_unit_is_noted_but_answers_nothing(
    taken_case, unit, staff, mailbox, django_capture_on_commit_callbacks
):
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    sent_before = len(django_mail.outbox)
    raw = _reply_to(
        django_mail.outbox[-1].message().as_bytes(), body="Estou ausente até dia 9.",
        Auto_Submitted="auto-replied",
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        row = ingest(mailbox, raw, uidvalidity=1, uid=4)
    assert row.outcome == InboundMail.Outcome.UNIT_ANSWER and not row.acknowledged
    assert row.case_message.internal and "Resposta automática" in row.case_message.body
    assert len(django_mail.outbox) == sent_before
    forward.refresh_from_db()
    taken_case.refresh_from_db()
    assert forward.answered_at is None
    assert taken_case.state.category == State.Category.WAITING_THIRD_PARTY


def test_the_case_waits_until_every_unit_answered(
    taken_case, unit, staff, mailbox, django_capture_on_commit_callbacks
):
    other = Unit.objects.create(name="Marcas", address="marcas@inpi.example")
    first = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    to_first = django_mail.outbox[-1].message().as_bytes()
    _forward(taken_case, other, staff["agent"], django_capture_on_commit_callbacks)
    ingest(mailbox, _reply_to(to_first), uidvalidity=1, uid=5)
    first.refresh_from_db()
    taken_case.refresh_from_db()
    assert first.answered_at is not None
    assert taken_case.state.category == State.Category.WAITING_THIRD_PARTY  # Marcas pending


def test_the_persons_reply_keeping_our_ids_stays_the_persons_and_a_bounce_is_a_bounce(
    taken_case, unit, staff, mailbox, django_capture_on_commit_callbacks
):
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    mine = EmailMessage()
    mine["From"] = "Maria <maria@example.org>"
    mine["To"] = mailbox.address
    mine["Subject"] = f"Re: [Protocolo {taken_case.protocol}] novidades?"
    mine["Message-ID"] = "<p1@example.org>"
    mine["References"] = forward.outbound.message_id
    mine.set_content("Alguma novidade?")
    row = ingest(mailbox, mine.as_bytes(), uidvalidity=1, uid=6)
    assert row.outcome == InboundMail.Outcome.REPLY and row.case_id == taken_case.pk
    assert row.case_message.author_kind == Message.Author.REQUESTER
    bounce = EmailMessage()
    bounce["From"] = "MAILER-DAEMON@inpi.example"
    bounce["To"] = mailbox.address
    bounce["Subject"] = f"Undelivered Mail: [Encaminhamento {forward.token}]"
    bounce["Message-ID"] = "<b1@inpi.example>"
    bounce["In-Reply-To"] = forward.outbound.message_id
    bounce.set_content("The mail system: user unknown")
    row = ingest(mailbox, bounce.as_bytes(), uidvalidity=1, uid=7)
    assert row.outcome == InboundMail.Outcome.BOUNCE
    forward.refresh_from_db()
    assert forward.answered_at is None


# --- time at the units --------------------------------------------------------------------


def test_time_at_units_per_case_on_its_clock_and_per_period(taken_case, unit, staff):
    other = Unit.objects.create(name="Marcas", address="marcas@inpi.example")
    friday = datetime(2026, 3, 6, 12, 0, tzinfo=UTC)
    monday = datetime(2026, 3, 9, 12, 0, tzinfo=UTC)
    a = UnitForward.objects.create(
        case=taken_case, unit=unit, token="a" * 16, sent_at=friday, answered_at=monday
    )
    UnitForward.objects.create(  # overlaps the first; still pending
        case=taken_case, unit=other, token="b" * 16, sent_at=friday + timedelta(hours=1)
    )
    now = monday + timedelta(hours=2)
    assert forwarding.time_at_unit(a) == timedelta(days=3)
    assert forwarding.time_at_units(taken_case, now=now) == timedelta(days=3, hours=2)
    taken_case.deadline_policy = "pt-email-48h"
    taken_case.save(update_fields=["deadline_policy"])
    # working days only (seed 003, 12.2 ii)): Friday 12:00→24:00 and Monday 00:00→14:00 UTC
    clock = forwarding.clock_time_at_units(taken_case, now=now)
    assert timedelta(hours=24) <= clock <= timedelta(hours=28)
    report = forwarding.units_report(friday - timedelta(days=1), monday, now=now)
    assert (report.forwarded, report.cases, report.answered, report.pending) == (2, 1, 1, 1)
    dirpa = next(line for line in report.units if line.unit == unit.name)
    assert dirpa.mean_answer == timedelta(days=3)
    assert forwarding.units_report(monday, monday + timedelta(days=1)).forwarded == 0


# --- the console --------------------------------------------------------------------------


def test_managers_set_up_units_but_never_one_of_our_own_addresses(staff, verified_client, mailbox):
    web = verified_client(staff["manager"])
    assert web.get("/console/email/unidades/").status_code == 200
    saved = web.post(
        "/console/email/unidades/nova/",
        {"name": "Direção de Patentes", "address": "DIRPA@inpi.example", "active": "on"},
    )
    assert saved.status_code == 302
    unit = Unit.objects.get()
    assert unit.address == "dirpa@inpi.example"
    page = web.get("/console/email/unidades/").content.decode()
    assert "Direção de Patentes" in page and "dirpa@inpi.example" in page
    loop = web.post(
        f"/console/email/unidades/{unit.pk}/",
        {"name": "Nós", "address": mailbox.address, "active": "on"},
    )
    assert loop.status_code == 400 and "endereço do próprio atendimento" in loop.content.decode()
    unit.refresh_from_db()
    assert unit.name == "Direção de Patentes"
    agent = verified_client(staff["agent"])
    assert agent.get("/console/email/unidades/").status_code == 403
    assert agent.get(f"/console/email/unidades/{unit.pk}/").status_code == 403


def test_an_agent_forwards_from_the_case_page_and_sees_the_time_at_the_unit(
    taken_case, unit, staff, verified_client, django_capture_on_commit_callbacks
):
    web = verified_client(staff["agent"])
    url = f"/console/atendimentos/{taken_case.pk}/"
    page = web.get(url).content.decode()
    assert "Encaminhar a uma unidade" in page and unit.name in page
    refused = web.post(url + "encaminhar-unidade/", {"unit": unit.pk, "note": ""})
    assert refused.status_code == 400 and 'id="uf-note_error"' in refused.content.decode()
    assert not UnitForward.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        done = web.post(url + "encaminhar-unidade/", {"unit": unit.pk, "note": "Verifiquem."})
    assert done.status_code == 302
    forward = UnitForward.objects.get(case=taken_case)
    UnitForward.objects.filter(pk=forward.pk).update(
        sent_at=timezone.now() - timedelta(hours=5, minutes=3)
    )
    page = web.get(url).content.decode()
    assert f'id="unit-forward-{forward.pk}"' in page and "Aguardando a unidade" in page
    assert "5 h 3 min" in page and "Tempo do atendimento nas unidades" in page


def test_who_may_not_reply_sees_the_forwards_but_cannot_forward(
    taken_case, unit, staff, verified_client, django_capture_on_commit_callbacks
):
    _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    web = verified_client(staff["quality_manager"])
    page = web.get(f"/console/atendimentos/{taken_case.pk}/").content.decode()
    assert "Encaminhamentos a unidades" in page and "Encaminhar a uma unidade" not in page
    post = web.post(
        f"/console/atendimentos/{taken_case.pk}/encaminhar-unidade/",
        {"unit": unit.pk, "note": "x"},
    )
    assert post.status_code == 403 and UnitForward.objects.count() == 1


def test_the_case_section_asks_nothing_without_units_and_stays_flat_with_forwards(
    taken_case, staff, django_assert_num_queries, django_assert_max_num_queries
):
    from balcao.console.unit_views import case_section

    context = {"case": taken_case, "can": {"reply": True}}
    assert case_section(context) == {"show": False}  # remembers there is no unit
    with django_assert_num_queries(0):
        assert case_section(context) == {"show": False}
    unit = Unit.objects.create(name="Patentes", address="patentes@inpi.example")  # forgotten
    section = case_section(context)
    assert section["show"] and section["rows"] == [] and section["form"] is not None
    assert ("", "Escolha a unidade") in list(section["form"].fields["unit"].choices)
    for n in range(4):
        UnitForward.objects.create(
            case=taken_case, unit=unit, token=f"{n:016x}", sent_at=T0 + timedelta(hours=n)
        )
    with django_assert_max_num_queries(3):  # forwards, active units (, the calendar)
        section = case_section(context)
    assert len(section["rows"]) == 4
    html = section["form"]["unit"].as_widget()
    assert f'value="{unit.pk}"' in html and "Patentes" in html


@pytest.mark.parametrize(("policy", "pauses"), [("pt-email-48h", True), ("fale-conosco", False)])
def test_the_48_hour_clock_stops_while_inpi_has_the_case_and_legal_clocks_do_not(
    taken_case, unit, staff, mailbox, django_capture_on_commit_callbacks, policy, pauses
):
    """Seed 003, 11.12: INPI's answer comes back to the provider, who answers the person —
    the hours at INPI are not the provider's (policy pt-email-48h); a legal deadline such as
    Fale Conosco's keeps running while another unit of the agency has the case."""
    from balcao.cases import clock
    from balcao.cases.models import Case, DeadlinePause

    Case.objects.filter(pk=taken_case.pk).update(deadline_policy=policy)
    taken_case.refresh_from_db()
    before = clock.compute_case_due(taken_case)
    _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    taken_case.refresh_from_db()
    assert taken_case.state.category == State.Category.WAITING_THIRD_PARTY
    assert (taken_case.deadline_paused_at is not None) is pauses
    assert DeadlinePause.objects.filter(case=taken_case, ended_at__isnull=True).count() == pauses
    ingest(mailbox, _reply_to(django_mail.outbox[-1].message().as_bytes()), uidvalidity=1, uid=9)
    taken_case.refresh_from_db()
    assert taken_case.state.category == State.Category.OPEN  # back to the team
    assert taken_case.deadline_paused_at is None
    assert DeadlinePause.objects.filter(case=taken_case, ended_at__isnull=False).count() == pauses
    assert taken_case.due_at >= before


def test_the_persons_e_mails_never_carry_the_units_token(
    taken_case, unit, staff, django_capture_on_commit_callbacks, verified_client
):
    """A case whose first e-mail went to a unit: the reply to the person threads on the
    person's thread, not on the forward (its token would tell the unit's channel)."""
    from balcao.cases.models import OutboundMail

    OutboundMail.objects.filter(case=taken_case).delete()  # the forward is the first e-mail
    forward = _forward(taken_case, unit, staff["agent"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        cases.do_add_message(
            taken_case, "Pedimos informação à unidade e voltamos a contactar.",
            author_kind=Message.Author.AGENT, actor=staff["agent"],
        )  # fmt: skip
    to_person = [m for m in django_mail.outbox if "maria@example.org" in m.to]
    assert to_person, "the person was written to"
    for sent in to_person:
        assert forward.token not in sent.message().as_string()
    page = verified_client(staff["supervisor"]).get(f"/console/atendimentos/{taken_case.pk}/")
    mail_section = page.content.decode().split("E-mails ao requerente")[-1].split("</section>")[0]
    assert unit.address not in mail_section
