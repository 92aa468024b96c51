"""The record of a (tele)presential session (Portaria, arts. 32-35): representatives,
identity checked (art. 35 §1), minutes accepted by every participant (art. 32 §5) or a
recording with the private participants' consent (art. 32 §6), held, terminative answer."""

from __future__ import annotations

import io
import wave
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from balcao.cases.models import Attachment, TerminativeTerm
from balcao.scheduling import record, rules
from balcao.scheduling.models import Participant, SessionRequest
from balcao.scheduling.services import SchedulingError

pytestmark = pytest.mark.django_db

Status = SessionRequest.Status


def wav_bytes() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x01" * 8000)
    return buffer.getvalue()


@pytest.fixture
def confirmed(make_request, staff):
    """A confirmed session with two representatives, one a civil servant."""

    def make(**fields):
        start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
        session_request = make_request(
            status=Status.CONFIRMED, starts_at=start, ends_at=start + timedelta(hours=1), **fields
        )
        for user, servant in ((staff["agent"], True), (staff["supervisor"], False)):
            record.do_add_representative(
                session_request, user, civil_servant=servant, actor=staff["agent"]
            )
        return session_request

    return make


def requester_of(session_request) -> Participant:
    return session_request.participants.get(kind=Participant.Kind.REQUESTER)


# -- participants ---------------------------------------------------------------------------


def test_representatives_feed_the_confirmation_rule(make_request, staff):
    session_request = make_request()
    agent = staff["agent"]
    with pytest.raises(rules.RuleViolation):
        rules.check_representatives(record.representatives_of(session_request))
    record.do_add_representative(session_request, agent, civil_servant=False, actor=agent)
    with pytest.raises(SchedulingError, match="já é representante"):
        record.do_add_representative(session_request, agent, civil_servant=True, actor=agent)
    second = record.do_add_representative(
        session_request, staff["supervisor"], civil_servant=False, actor=agent
    )
    with pytest.raises(rules.RuleViolation, match="servidor"):
        rules.check_representatives(record.representatives_of(session_request))
    record.do_remove_participant(second, actor=agent)
    record.do_add_representative(
        session_request, staff["supervisor"], civil_servant=True, actor=agent
    )
    listed = record.representatives_of(session_request)
    assert {r.key for r in listed} == {str(agent.pk), str(staff["supervisor"].pk)}
    rules.check_representatives(listed)


def test_a_confirmed_session_keeps_its_two_representatives(confirmed, staff):
    session_request = confirmed()
    servant = session_request.participants.get(user=staff["agent"])
    with pytest.raises(rules.RuleViolation):
        record.do_remove_participant(servant, actor=staff["agent"])
    assert session_request.participants.filter(pk=servant.pk).exists()
    with pytest.raises(SchedulingError, match="solicitante"):
        record.do_remove_participant(requester_of(session_request), actor=staff["agent"])


def test_companion_needs_name_and_interest(make_request, staff):
    session_request = make_request()
    with pytest.raises(SchedulingError, match="interesse"):
        record.do_add_companion(session_request, "João", "", actor=staff["agent"])
    companion = record.do_add_companion(
        session_request, "João Lima", "Sócio da empresa", actor=staff["agent"]
    )
    assert (companion.kind, companion.interest) == (Participant.Kind.COMPANION, "Sócio da empresa")


# -- identity -------------------------------------------------------------------------------


def test_identity_check_is_recorded_and_blank_refused(confirmed, staff):
    session_request = confirmed()
    person = requester_of(session_request)
    with pytest.raises(SchedulingError, match="documento"):
        record.do_check_identity(person, "   ", actor=staff["agent"])
    person.refresh_from_db()
    assert person.identity_checked_at is None
    record.do_check_identity(person, "RG 12.345.678-9", actor=staff["agent"])
    person.refresh_from_db()
    assert person.document == "RG 12.345.678-9"
    assert person.identity_checked_by == staff["agent"]
    assert person.identity_checked_at is not None


# -- recording ------------------------------------------------------------------------------


def test_recording_needs_every_private_participants_consent(confirmed, staff):
    session_request = confirmed()
    agent = staff["agent"]
    companion = record.do_add_companion(session_request, "João Lima", "Sócio", actor=agent)

    def upload():
        return SimpleUploadedFile("sessao.wav", wav_bytes(), content_type="audio/wav")

    with pytest.raises(SchedulingError, match="Escolha a gravação"):
        record.do_attach_recording(session_request, upload(), actor=agent)
    record.do_choose_record(session_request, SessionRequest.Record.RECORDING, actor=agent)
    record.do_record_consent(requester_of(session_request), actor=agent)
    with pytest.raises(SchedulingError, match="João Lima"):
        record.do_attach_recording(session_request, upload(), actor=agent)
    session_request.refresh_from_db()
    assert session_request.recording is None and not Attachment.objects.exists()

    record.do_record_consent(companion, actor=agent)
    companion.refresh_from_db()
    assert companion.consent_at is not None
    assert (
        "imagem e da minha voz" in companion.consent_text and "João Lima" in companion.consent_text
    )
    with pytest.raises(SchedulingError, match="diz ser"):
        record.do_attach_recording(
            session_request, SimpleUploadedFile("sessao.wav", b"%PDF-1.4 nope"), actor=agent
        )
    attachment = record.do_attach_recording(session_request, upload(), actor=agent)
    session_request.refresh_from_db()
    assert session_request.recording == attachment
    assert (attachment.content_type, attachment.case_id) == ("audio/x-wav", session_request.case_id)
    assert attachment.message.internal
    with pytest.raises(SchedulingError, match="trocar"):
        record.do_choose_record(session_request, SessionRequest.Record.MINUTES, actor=agent)


# -- minutes --------------------------------------------------------------------------------


def test_minutes_signed_by_everyone_close_and_are_archived(
    confirmed, staff, django_capture_on_commit_callbacks
):
    session_request = confirmed()
    agent, supervisor = staff["agent"], staff["supervisor"]
    companion = record.do_add_companion(
        session_request, "João Lima", "Sócio", "joao@example.org", actor=agent
    )
    record.do_choose_record(session_request, SessionRequest.Record.MINUTES, actor=agent)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record.do_write_minutes(session_request, "Exigência técnica explicada.", actor=agent)
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "joao@example.org"]
    person = requester_of(session_request)
    assert f"/agendamento/ata/{person.sign_token}/" in next(
        m.body for m in mail.outbox if m.to == ["ana@example.org"]
    )

    record.do_sign_minutes(person)
    with pytest.raises(SchedulingError, match="não pode mais ser alterada"):
        record.do_write_minutes(session_request, "Outro texto.", actor=agent)
    record.do_sign_minutes(companion)
    representative = session_request.participants.get(user=agent)
    with pytest.raises(SchedulingError, match="próprio aceite"):
        record.do_sign_minutes(representative, actor=supervisor)
    record.do_sign_minutes(representative, actor=agent)
    session_request.refresh_from_db()
    assert session_request.minutes_closed_at is None
    record.do_sign_minutes(session_request.participants.get(user=supervisor), actor=supervisor)

    session_request.refresh_from_db()
    assert session_request.minutes_closed_at is not None
    archived = Attachment.objects.get(case=session_request.case)
    text = archived.file.read().decode("utf-8")
    assert "Exigência técnica explicada." in text
    assert "João Lima" in text and "Ana Souza" in text and "aceite em" in text
    assert archived.filename.startswith("ata-") and archived.content_type == "text/plain"


# -- held -----------------------------------------------------------------------------------


def test_mark_held_needs_identity_and_the_record(confirmed, make_request, staff):
    agent = staff["agent"]
    with pytest.raises(SchedulingError, match="confirmada"):
        record.do_mark_held(make_request(), actor=agent)
    session_request = confirmed()
    with pytest.raises(SchedulingError, match="identidade") as refused:
        record.do_mark_held(session_request, actor=agent)
    assert "Registre a sessão" in str(refused.value)
    record.do_check_identity(requester_of(session_request), "CNH 123", actor=agent)
    with pytest.raises(SchedulingError, match="Registre a sessão"):
        record.do_mark_held(session_request, actor=agent)
    record.do_choose_record(session_request, SessionRequest.Record.RECORDING, actor=agent)
    record.do_record_consent(requester_of(session_request), actor=agent)
    record.do_attach_recording(
        session_request, SimpleUploadedFile("sessao.wav", wav_bytes()), actor=agent
    )
    record.do_mark_held(session_request, actor=agent)
    session_request.refresh_from_db()
    assert session_request.status == Status.HELD


# -- terminative answer ---------------------------------------------------------------------


def test_terminative_answer_closes_the_case_and_tells_the_ombudsman(
    confirmed, staff, verified_client, django_capture_on_commit_callbacks
):
    staff["ombudsman"].email = "ouvidoria@agency.example"
    staff["ombudsman"].save(update_fields=["email"])
    session_request = confirmed()
    client = verified_client(staff["agent"])
    url = f"/console/agendamento/atendimento/{session_request.pk}/registro/"
    refused = client.post(url, {"action": "terminate", "ground": "conduct", "statement": " "})
    assert refused.status_code == 400 and "Relate" in refused.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"action": "terminate", "ground": "conduct", "statement": "Ofendeu o atendente."},
        )
    assert response.status_code == 302
    session_request.refresh_from_db()
    session_request.case.refresh_from_db()
    assert not session_request.case.is_open
    assert session_request.status == Status.CANCELLED
    assert TerminativeTerm.objects.get(case=session_request.case).statement == (
        "Ofendeu o atendente."
    )
    assert any("ouvidoria@agency.example" in m.to for m in mail.outbox)


# -- pages ----------------------------------------------------------------------------------


def test_console_page_for_an_agent_and_not_without_the_capability(
    confirmed, staff, verified_client, make_user
):
    session_request = confirmed()
    url = f"/console/agendamento/atendimento/{session_request.pk}/registro/"
    assert verified_client(make_user("quality_manager")).get(url).status_code == 403
    client = verified_client(staff["agent"])
    page = client.get(url)
    assert page.status_code == 200
    assert "Ana Souza" in page.content.decode()
    from balcao.audit.models import PersonalDataAccess

    assert PersonalDataAccess.objects.filter(
        user=staff["agent"], where=f"scheduling-record:{session_request.pk}"
    ).exists()
    person = requester_of(session_request)
    blank = client.post(url, {"action": "identity", "participant": person.pk, "document": ""})
    assert blank.status_code == 400
    ok = client.post(url, {"action": "identity", "participant": person.pk, "document": "RG 9"})
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.document == "RG 9"
    client.post(url, {"action": "choose_record", "kind": "recording"})
    upload = SimpleUploadedFile("sessao.wav", wav_bytes())
    refused = client.post(url, {"action": "recording", "recording": upload})
    assert refused.status_code == 400 and "autorização expressa" in refused.content.decode()


def test_portal_sign_page_with_the_token_and_404_without(
    confirmed, staff, client, django_capture_on_commit_callbacks
):
    session_request = confirmed()
    agent = staff["agent"]
    record.do_choose_record(session_request, SessionRequest.Record.MINUTES, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        record.do_write_minutes(session_request, "Prazo da exigência esclarecido.", actor=agent)
    person = requester_of(session_request)
    url = f"/agendamento/ata/{person.sign_token}/"
    page = client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "Prazo da exigência esclarecido." in content and "Li e aceito a ata" in content
    assert client.post(url, {"action": "sign"}).status_code == 302
    person.refresh_from_db()
    assert person.signed_at is not None
    assert client.get("/agendamento/ata/nao-existe/").status_code == 404
    representative = session_request.participants.get(user=agent)
    assert client.post(f"/agendamento/ata/{representative.sign_token}/").status_code == 400


def test_a_representative_accepts_the_minutes_on_the_console(confirmed, staff, verified_client):
    session_request = confirmed()
    agent = staff["agent"]
    record.do_choose_record(session_request, SessionRequest.Record.MINUTES, actor=agent)
    record.do_write_minutes(session_request, "Assunto tratado.", actor=agent)
    client = verified_client(agent)
    url = f"/console/agendamento/atendimento/{session_request.pk}/registro/"
    page = client.get(url).content.decode()
    assert "Li e aceito a ata" in page and "Registrar a ata" in page
    mine = session_request.participants.get(user=agent)
    assert client.post(url, {"action": "sign", "participant": mine.pk}).status_code == 302
    mine.refresh_from_db()
    assert mine.signed_at is not None
    page = client.get(url).content.decode()
    assert "Registrar a ata" not in page and "Assunto tratado." in page


def test_recordings_follow_the_retention_setting(confirmed, staff, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    session_request = confirmed()
    agent = staff["agent"]
    record.do_choose_record(session_request, SessionRequest.Record.RECORDING, actor=agent)
    record.do_record_consent(requester_of(session_request), actor=agent)
    attachment = record.do_attach_recording(
        session_request,
        SimpleUploadedFile("sessao.wav", wav_bytes(), content_type="audio/wav"),
        actor=agent,
    )
    stored = tmp_path / attachment.file.name
    assert stored.exists()
    later = timezone.now() + timedelta(days=400)
    settings.BALCAO_SESSION_RECORDING_DAYS = 0  # the default: kept with the case
    assert record.purge_old_recordings(later) == 0
    settings.BALCAO_SESSION_RECORDING_DAYS = 365
    assert record.purge_old_recordings(timezone.now()) == 0  # not yet due
    assert record.purge_old_recordings(later) == 1
    assert not stored.exists()
    session_request.refresh_from_db()
    assert session_request.recording is None and not Attachment.objects.exists()
    note = session_request.case.messages.filter(internal=True).last()
    assert "eliminado após 365 dias" in note.body
    assert record.purge_old_recordings(later) == 0
