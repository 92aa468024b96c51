"""E-mail to the person: what each event sends, its headers, one e-mail per step, and
retries of a refused send (issue 19: "Replies and requests reach the person")."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from balcao.cases import followup, outbound, services
from balcao.cases.models import Message, OutboundMail, Requester, State

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(db):
    return Requester.objects.create(name="Maria", email="maria@example.com")


@pytest.fixture
def acked_case(open_case, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=person, acknowledge=True)
    mail.outbox.clear()
    return case


def state(slug):
    return State.objects.get(workflow__slug="helpdesk", slug=slug)


def test_acknowledgement_carries_protocol_due_date_code_and_link(
    open_case, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=person, acknowledge=True)
    [sent] = mail.outbox
    assert sent.to == ["maria@example.com"]
    assert case.protocol in sent.subject
    assert f"/acompanhar/?protocolo={case.protocol}" in sent.body
    code = next(line for line in sent.body.splitlines() if "Código de acesso" in line)
    code = code.split(":", 1)[1].strip()
    assert len(followup.normalise_code(code)) == 8
    assert followup.check_access(case.protocol, code, ip="10.0.0.1") == case
    headers = sent.extra_headers
    assert headers["Message-ID"].startswith("<") and headers["Message-ID"].endswith(">")
    assert headers["X-Balcao-Protocol"] == case.protocol
    assert headers["Auto-Submitted"] == "auto-generated"
    row = OutboundMail.objects.get(case=case)
    assert row.status == OutboundMail.Status.SENT and row.attempts == 1
    assert row.secret == "" and code not in row.body  # the code left with the e-mail only


def test_no_email_is_sent_before_the_commit(open_case, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        open_case(requester=person, acknowledge=True)
    assert mail.outbox == []


def test_an_agent_reply_reaches_the_person_threaded_under_the_acknowledgement(
    acked_case, staff, django_capture_on_commit_callbacks
):
    first = OutboundMail.objects.get(case=acked_case)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_add_message(acked_case, "A GRU vence em 30 dias.", actor=staff["agent"])
    [sent] = mail.outbox
    assert "A GRU vence em 30 dias." in sent.body
    assert acked_case.protocol in sent.subject
    assert sent.extra_headers["In-Reply-To"] == first.message_id
    assert sent.extra_headers["References"] == first.message_id
    assert "Auto-Submitted" not in sent.extra_headers  # a person wrote it


def test_internal_notes_and_the_persons_own_messages_send_nothing(
    acked_case, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.do_add_message(acked_case, "nota", actor=staff["agent"], internal=True)
        services.do_add_message(acked_case, "minha dúvida", author_kind=Message.Author.REQUESTER)
    assert mail.outbox == []


def test_complementation_request_says_what_by_when_and_that_the_clock_stops(
    acked_case, staff, django_capture_on_commit_callbacks
):
    waiting = State.objects.filter(
        workflow__slug="helpdesk", category=State.Category.WAITING_REQUESTER
    ).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_change_state(
            acked_case, waiting, actor=staff["agent"], reason="Envie a procuração assinada."
        )
    [sent] = mail.outbox
    assert "Envie a procuração assinada." in sent.body
    until = followup.outbound.formats.date_format(
        followup.outbound.timezone.localtime() + timedelta(days=20), "DATE_FORMAT"
    )
    assert until in sent.body
    assert "prazo" in sent.body.lower()
    assert OutboundMail.objects.filter(
        case=acked_case, kind=OutboundMail.Kind.COMPLEMENT_REQUEST
    ).exists()


def test_reply_and_state_change_in_one_step_is_one_email(
    acked_case, staff, django_capture_on_commit_callbacks
):
    from django.db import transaction

    resolved = State.objects.filter(workflow__slug="helpdesk", category="resolved").first()
    path = [t for t in services.allowed_transitions(acked_case) if t.target == resolved]
    if not path:
        pytest.skip("the helpdesk workflow has no direct move to resolved")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.do_add_message(acked_case, "Segue a resposta final.", actor=staff["agent"])
        services.do_change_state(acked_case, resolved, actor=staff["agent"], reason="ok")
    [sent] = mail.outbox
    assert "Segue a resposta final." in sent.body
    assert "avalia" in sent.body  # the invitation to rate
    assert OutboundMail.objects.get(case=acked_case, kind=OutboundMail.Kind.ANSWER)


def test_a_refused_send_is_recorded_and_retried_with_backoff(
    acked_case, staff, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.cases.failing_mail.RefusingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.do_add_message(acked_case, "Resposta.", actor=staff["agent"])
    row = OutboundMail.objects.get(case=acked_case, kind=OutboundMail.Kind.REPLY)
    assert row.status == OutboundMail.Status.QUEUED and row.attempts == 1
    assert "SMTPRecipientsRefused" in row.last_error or "refused" in row.last_error.lower()
    assert row.next_attempt_at > timezone.now()
    assert outbound.retry_due() == 0  # not due yet
    later = row.next_attempt_at + timedelta(seconds=1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbound.retry_due(now=later) == 1
    row.refresh_from_db()
    assert row.status == OutboundMail.Status.SENT and row.attempts == 2
    assert len(mail.outbox) == 1


def test_after_the_last_attempt_the_failure_stays_visible(acked_case, staff, settings):
    settings.EMAIL_BACKEND = "tests.cases.failing_mail.RefusingBackend"
    row = OutboundMail.objects.get(case=acked_case)
    row.status, row.attempts = OutboundMail.Status.QUEUED, outbound.MAX_ATTEMPTS - 1
    row.save()
    assert outbound.send_queued(row.pk) is False
    row.refresh_from_db()
    assert row.status == OutboundMail.Status.FAILED and row.next_attempt_at is None
    assert row.last_error


def test_no_address_no_mail(open_case, django_capture_on_commit_callbacks):
    nobody = Requester.objects.create(name="Sem e-mail")
    with django_capture_on_commit_callbacks(execute=True):
        case = open_case(requester=nobody, acknowledge=True)
    assert mail.outbox == [] and not OutboundMail.objects.filter(case=case).exists()
