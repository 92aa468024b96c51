"""The Serviço de Atendimento (Tele)Presencial (issue 25; Portaria, arts. 32-35): the art. 34
request form, the 7-working-day triage clock, accept with slots / redirect / refuse, the
person's pick, the two-representatives rule before confirming, the .ics, reschedule,
cancel, reminders once."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from balcao.accounts.permissions import PermissionDenied
from balcao.cases.models import Case
from balcao.deadlines.services import calendar_for_country
from balcao.scheduling import ics, presential, rules
from balcao.scheduling.models import Participant, SessionRequest
from tests.scheduling.conftest import ics_of

pytestmark = pytest.mark.django_db

PAGE = "/canais/telepresencial/agendamento/"
SAO_PAULO = ZoneInfo("America/Sao_Paulo")

COMPLETE = {
    "name": "Ana Souza",
    "email": "ana@example.org",
    "cpf": "",
    "document": "RG 12.345.678-9 SSP/SP",
    "subject": "Exigência técnica no pedido de patente",
    "reference": "BR 10 2024 000123-4",
    "justification": "A exigência cita um documento que não encontro; preciso de vista.",
    "mode": "remote",
    "has_companions": "yes",
    "companion_1_name": "Carlos Lima",
    "companion_1_interest": "Inventor do pedido",
}


def working_slots(count: int, *, days_ahead: int = 3) -> list[datetime]:
    """``count`` one-hour starts at 10:00, 11:00… on the first working day ``days_ahead``
    working days from today (the BR calendar)."""
    calendar = calendar_for_country("BR")
    day = calendar.add_working_days(timezone.localdate(), days_ahead)
    return [
        datetime.combine(day, time(10 + n), tzinfo=SAO_PAULO).astimezone(SAO_PAULO)
        for n in range(count)
    ]


def add_representatives(session_request, staff, *, servant: bool = True) -> None:
    for key, role in enumerate(("agent", "supervisor")):
        Participant.objects.create(
            request=session_request,
            kind=Participant.Kind.REPRESENTATIVE,
            name=f"Representante {key}",
            user=staff[role],
            civil_servant=servant and key == 0,
        )


# -- the request: art. 34 -------------------------------------------------------------------


def test_an_incomplete_request_is_refused_naming_every_missing_requirement(client, presencial):
    response = client.post(PAGE, {"email": "ana@example.org", "mode": "remote"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    for article in ("art. 34, I", "art. 34, II", "art. 34, III", "art. 34, IV"):
        assert article in page
    assert not Case.objects.exists() and not SessionRequest.objects.exists()


def test_a_companion_without_interest_is_refused(client, presencial):
    data = {**COMPLETE, "companion_1_interest": ""}
    response = client.post(PAGE, data)
    assert response.status_code == 400
    assert "Informe o interesse de Carlos Lima" in response.content.decode()
    assert not SessionRequest.objects.exists()


def test_a_wrong_cpf_is_refused(client, presencial):
    response = client.post(PAGE, {**COMPLETE, "cpf": "111.111.111-12"})
    assert response.status_code == 400
    assert "CPF inválido" in response.content.decode()
    assert not Case.objects.exists()


def test_the_form_states_art_33_and_the_procuradoria(client, presencial, settings):
    settings.BALCAO_PROCURADORIA_EMAIL = "procuradoria@inpi.example"
    page = client.get(PAGE).content.decode()
    assert "não se destina à revisão do mérito" in page and "art. 33" in page
    assert "Procuradoria" in page and "procuradoria@inpi.example" in page


def test_a_complete_request_opens_a_case_with_the_triage_clock(
    client, presencial, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, COMPLETE)
    assert response.status_code == 302
    assert "/canais/telepresencial/protocolo/" in response["Location"]
    session_request = SessionRequest.objects.get()
    case = session_request.case
    assert session_request.status == SessionRequest.Status.TRIAGE
    assert session_request.requester_document == "RG 12.345.678-9 SSP/SP"
    assert session_request.reference == "BR 10 2024 000123-4"
    assert "Carlos Lima: Inventor do pedido" in case.description
    kinds = sorted(p.kind for p in session_request.participants.all())
    assert kinds == ["companion", "requester"]
    # 7 working days of triage (seed 000: "7 dias úteis para triagem prévia").
    calendar = calendar_for_country("BR")
    opened = timezone.localtime(case.created_at).date()
    assert calendar.working_days_between(opened, timezone.localtime(case.due_at).date()) in (7, 8)
    assert case.deadline_policy == "fale-conosco"
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]
    assert case.protocol in mail.outbox[0].subject or case.protocol in mail.outbox[0].body


# -- triage ---------------------------------------------------------------------------------


def test_accepting_offers_slots_and_the_person_picks_one(
    make_request, staff, client, django_capture_on_commit_callbacks
):
    session_request = make_request()
    slots = working_slots(3)
    with django_capture_on_commit_callbacks(execute=True):
        presential.do_accept(session_request, slots, mode="remote", actor=staff["agent"])
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.OFFERED
    assert [s.starts_at for s in session_request.slots.all()] == slots
    assert session_request.video_url.startswith("https://meet.jit.si/")
    offer = mail.outbox[-1]
    assert offer.to == ["ana@example.org"]
    link = presential.person_url(session_request)
    assert link in offer.body

    page = client.get(f"/agendamento/sessao/{session_request.token}/")
    assert page.status_code == 200
    chosen = session_request.slots.all()[1]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/agendamento/sessao/{session_request.token}/",
            {"action": "pick", "slot": chosen.pk},
        )
    assert response.status_code == 302
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.PICKED
    assert session_request.starts_at == slots[1]
    assert session_request.ends_at - session_request.starts_at == timedelta(hours=1)


def test_slots_must_be_future_working_days(make_request, staff):
    session_request = make_request()
    with pytest.raises(presential.SchedulingError, match="futuros"):
        presential.do_accept(
            session_request,
            [timezone.now() - timedelta(hours=2)],
            mode="remote",
            actor=staff["agent"],
        )
    saturday = timezone.localdate() + timedelta(days=(5 - timezone.localdate().weekday()) % 7 + 7)
    with pytest.raises(presential.SchedulingError, match="não é dia útil"):
        presential.do_accept(
            session_request,
            [datetime.combine(saturday, time(10), tzinfo=SAO_PAULO)],
            mode="remote",
            actor=staff["agent"],
        )
    with pytest.raises(presential.SchedulingError, match="local"):
        presential.do_accept(
            session_request, working_slots(1), mode="presential", actor=staff["agent"]
        )


def test_redirect_and_refuse_tell_the_person_with_reasons_and_close(
    make_request, staff, helpdesk_channel, django_capture_on_commit_callbacks
):
    first, second = make_request(), make_request()
    with pytest.raises(presential.SchedulingError):
        presential.do_redirect(first, helpdesk_channel, "  ", actor=staff["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        presential.do_redirect(
            first,
            helpdesk_channel,
            "Dúvida simples: o canal escrito responde.",
            actor=staff["agent"],
        )
        presential.do_refuse(
            second, "Revisão do mérito de decisão (art. 33).", actor=staff["agent"]
        )
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == SessionRequest.Status.REDIRECTED
    assert first.redirect_channel == helpdesk_channel
    assert second.status == SessionRequest.Status.REFUSED
    bodies = [m.body for m in mail.outbox]
    assert any("Dúvida simples: o canal escrito responde." in b for b in bodies)
    assert any("Revisão do mérito de decisão (art. 33)." in b for b in bodies)
    assert not first.case.is_open and not second.case.is_open


def test_triage_needs_the_capability(make_request, staff):
    with pytest.raises(PermissionDenied):
        presential.do_refuse(make_request(), "x", actor=staff["quality_manager"])


# -- two representatives, art. 32 § 4º ------------------------------------------------------


def _picked(make_request, staff, requester=None):
    session_request = make_request(requester=requester)
    presential.do_accept(session_request, working_slots(2), mode="remote", actor=staff["agent"])
    session_request.refresh_from_db()
    presential.do_pick_slot(session_request.token, session_request.slots.first().pk)
    session_request.refresh_from_db()
    return session_request


def test_no_confirmation_without_two_representatives_one_a_civil_servant(make_request, staff):
    session_request = _picked(make_request, staff)
    with pytest.raises(rules.RuleViolation) as refused:
        presential.do_confirm(session_request, actor=staff["agent"])
    assert {p.code for p in refused.value.problems} == {"two_representatives", "civil_servant"}

    add_representatives(session_request, staff, servant=False)
    with pytest.raises(rules.RuleViolation) as refused:
        presential.do_confirm(session_request, actor=staff["agent"])
    assert [p.code for p in refused.value.problems] == ["civil_servant"]
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.PICKED

    Participant.objects.filter(request=session_request, user=staff["agent"]).update(
        civil_servant=True
    )
    presential.do_confirm(session_request, actor=staff["agent"])
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.CONFIRMED


def test_confirmation_goes_to_the_procurador_with_an_ics_icalendar_reads(
    make_request, staff, procurador_requester, django_capture_on_commit_callbacks
):
    session_request = _picked(make_request, staff, requester=procurador_requester)
    add_representatives(session_request, staff)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        presential.do_confirm(session_request, actor=staff["agent"])
    session_request.refresh_from_db()
    confirmation = [m for m in mail.outbox if ics_of(m)]
    assert len(confirmation) == 1
    assert confirmation[0].to == ["procurador@example.org"]
    assert all("titular@example.org" not in m.to for m in mail.outbox)
    event = icalendar.Calendar.from_ical(ics_of(confirmation[0])).walk("VEVENT")[0]
    assert event.decoded("dtstart") == session_request.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(hours=1)
    parsed = ics.parse_ics(ics_of(confirmation[0]))
    assert parsed.method == "REQUEST" and parsed.sequence == 0
    assert session_request.video_url in confirmation[0].body
    # archived on the case
    assert session_request.case.messages.filter(body__contains="está confirmado").exists()


def test_picking_confirms_at_once_when_representatives_are_named(
    make_request, staff, django_capture_on_commit_callbacks
):
    session_request = make_request()
    add_representatives(session_request, staff)
    presential.do_accept(session_request, working_slots(1), mode="remote", actor=staff["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        presential.do_pick_slot(session_request.token, session_request.slots.get().pk)
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.CONFIRMED
    assert any(ics_of(m) for m in mail.outbox)


# -- reschedule, cancel, reminders ----------------------------------------------------------


def _confirmed(make_request, staff):
    session_request = make_request()
    add_representatives(session_request, staff)
    presential.do_accept(session_request, working_slots(2), mode="remote", actor=staff["agent"])
    presential.do_pick_slot(session_request.token, session_request.slots.first().pk)
    session_request.refresh_from_db()
    return session_request


def test_reschedule_and_cancel_send_updated_and_cancelling_ics(
    make_request, staff, django_capture_on_commit_callbacks
):
    session_request = _confirmed(make_request, staff)
    new_start = working_slots(1, days_ahead=5)[0]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        presential.do_reschedule(
            session_request, new_start, "O examinador ficou indisponível.", actor=staff["agent"]
        )
    parsed = ics.parse_ics(ics_of(mail.outbox[-1]))
    assert parsed.sequence == 1 and parsed.start == new_start
    assert "O examinador ficou indisponível." in mail.outbox[-1].body
    with pytest.raises(presential.SchedulingError):
        presential.do_cancel_session(session_request, "", actor=staff["agent"])
    with django_capture_on_commit_callbacks(execute=True):
        presential.do_cancel_session(session_request, "Conflito de agenda.", by_person=True)
    parsed = ics.parse_ics(ics_of(mail.outbox[-1]))
    assert parsed.method == "CANCEL" and parsed.sequence == 2
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.CANCELLED
    assert session_request.cancel_reason == "Conflito de agenda."


def test_reminders_are_sent_once(make_request, staff, django_capture_on_commit_callbacks):
    session_request = _confirmed(make_request, staff)
    start = session_request.starts_at
    SessionRequest.objects.filter(pk=session_request.pk).update(
        confirmed_at=start - timedelta(days=3)
    )
    day_before = start - timedelta(hours=23)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert presential.send_due_reminders(day_before) == 1
        assert presential.send_due_reminders(day_before + timedelta(minutes=5)) == 0
        assert presential.send_due_reminders(start - timedelta(minutes=30)) == 1
        assert presential.send_due_reminders(start - timedelta(minutes=10)) == 0
    reminders = [m for m in mail.outbox if "Lembrete" in m.subject]
    assert len(reminders) == 2


# -- console --------------------------------------------------------------------------------


def test_console_triage_pages(make_request, staff, verified_client, make_user):
    session_request = make_request()
    agent = verified_client(staff["agent"])
    assert agent.get("/console/agendamento/atendimentos/").status_code == 200
    url = f"/console/agendamento/atendimento/{session_request.pk}/"
    page = agent.get(url)
    assert page.status_code == 200
    assert "RG 12.345.678-9" in page.content.decode()
    from balcao.audit.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(
        user=staff["agent"], where=f"scheduling:{session_request.pk}"
    ).exists()
    slots = working_slots(2)
    data = {"action": "accept", "mode": "remote", "place": ""}
    data |= {f"slot_{n + 1}": s.strftime("%Y-%m-%dT%H:%M") for n, s in enumerate(slots)}
    assert agent.post(url, data).status_code == 302
    session_request.refresh_from_db()
    assert session_request.status == SessionRequest.Status.OFFERED
    assert session_request.slots.count() == 2
    refused = agent.post(url, {"action": "refuse", "refuse-reason": ""})
    assert refused.status_code == 400


def test_console_needs_the_capability(make_request, make_user, verified_client):
    session_request = make_request()
    client = verified_client(make_user("quality_manager"))
    assert client.get(f"/console/agendamento/atendimento/{session_request.pk}/").status_code == 403


def test_a_wrong_link_is_a_clear_404(client, presencial):
    response = client.get("/agendamento/sessao/nao-existe/")
    assert response.status_code == 404
    assert "link não é válido" in response.content.decode()
