"""The contact centre's administration pages in the console (issue 23): lines and their
messages with the "aberta agora?" preview, recordings with the player (every play logged)
and the monthly sample, callbacks, occurrences (seed 003, 13.2 d / 13.3 d) and suggestions
(cláusula 11.ª n.º 2)."""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from balcao.audit.models import PersonalDataAccess
from balcao.telephony import administration
from balcao.telephony.models import Call, CallbackRequest, Line, Occurrence, Recording, Suggestion
from balcao.telephony.recordings import do_store_recording
from tests.telephony.test_recordings import make_calls, wav_bytes

pytestmark = pytest.mark.django_db

LINES = "/console/telefonia/linhas/"
RECORDINGS = "/console/telefonia/gravacoes/"
CALLBACKS = "/console/telefonia/retornos/"
OCCURRENCES = "/console/telefonia/ocorrencias/"
SUGGESTIONS = "/console/telefonia/sugestoes/"
NEW_SUGGESTION = "/console/telefonia/sugestoes/nova/"
MONDAY = date(2026, 11, 2)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


@pytest.fixture(autouse=True)
def _lisbon(settings):
    settings.TIME_ZONE = "Europe/Lisbon"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def audit_lines(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "balcao.audit"]


# --- who may see what -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        (LINES, "supervisor", "agent"),
        (LINES + "nova/", "manager", "quality_manager"),
        (RECORDINGS, "quality_manager", "agent"),
        (CALLBACKS, "admin", "ombudsman"),
        (OCCURRENCES, "supervisor", "agent"),
        (SUGGESTIONS, "manager", "agent"),
        (NEW_SUGGESTION, "agent", "knowledge_manager"),
    ],
)
def test_each_page_opens_for_its_roles_only(staff, verified_client, url, allowed, refused):
    assert verified_client(staff[allowed]).get(url).status_code == 200
    assert verified_client(staff[refused]).get(url).status_code == 403


def test_without_a_verified_session_the_pages_send_to_the_login(client, staff):
    client.force_login(staff["admin"])
    response = client.get(LINES)
    assert response.status_code == 302
    assert response["Location"].startswith("/conta/entrar/")


# --- lines ------------------------------------------------------------------------------


def line_data(**overrides):
    data = {
        "slug": "inpi",
        "name": "INPI Portugal",
        "queue": "suporte",
        "country": "pt",
        "calendar": "",
        "active": "on",
        "after_hours_pt_br": "",
        "after_hours_pt_pt": "Estamos fechados. Ligue das 9h às 17h.",
        "after_hours_en": "We are closed. Call 9 am to 5 pm.",
        "on_hold_pt_br": "",
        "on_hold_pt_pt": "Aguarde, por favor.",
        "on_hold_en": "",
    }
    return {**data, **overrides}


def test_a_new_line_is_saved_with_its_messages_per_language(staff, verified_client, caplog):
    web = verified_client(staff["supervisor"])
    page = text(web.get(LINES + "nova/"))
    for label in ("Mensagem fora do horário (pt-BR)", "Mensagem de espera na fila (en)"):
        assert label in page
    assert '<label for="linha-after_hours_pt_pt">' in page
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        response = web.post(LINES + "nova/", line_data())
    line = Line.objects.get(slug="inpi")
    assert response.status_code == 302 and response["Location"] == f"{LINES}{line.pk}/"
    assert line.country == "PT" and line.queue == "suporte" and line.active
    assert line.messages == {
        "after_hours": {
            "pt-pt": "Estamos fechados. Ligue das 9h às 17h.",
            "en": "We are closed. Call 9 am to 5 pm.",
        },
        "on_hold": {"pt-pt": "Aguarde, por favor."},
    }
    assert any(
        m.startswith(f"telephony line created: id={line.pk}")
        and f"user={staff['supervisor'].pk}" in m
        for m in audit_lines(caplog)
    )


def test_a_line_chooses_the_channel_of_the_cases_opened_from_its_calls(
    staff, verified_client, helpdesk_channel
):
    web = verified_client(staff["supervisor"])
    assert "Canal dos atendimentos abertos das chamadas" in text(web.get(LINES + "nova/"))
    web.post(LINES + "nova/", {**line_data(), "channel": str(helpdesk_channel.pk)})
    assert Line.objects.get(slug="inpi").channel == helpdesk_channel


def test_editing_a_line_keeps_other_languages_and_clears_emptied_ones(staff, verified_client):
    line = Line.objects.create(
        slug="inpi", name="INPI", messages={"after_hours": {"pt-pt": "Fechado", "es": "Cerrado"}}
    )
    web = verified_client(staff["manager"])
    page = text(web.get(f"{LINES}{line.pk}/"))
    assert "Fechado</textarea>" in page
    web.post(f"{LINES}{line.pk}/", line_data(after_hours_pt_pt="", after_hours_en="Closed"))
    line.refresh_from_db()
    assert line.messages == {
        "after_hours": {"es": "Cerrado", "en": "Closed"},
        "on_hold": {"pt-pt": "Aguarde, por favor."},
    }


def test_line_errors_are_shown_beside_their_fields(staff, verified_client):
    Line.objects.create(slug="inpi", name="Outra")
    web = verified_client(staff["supervisor"])
    response = web.post(LINES + "nova/", line_data(country="p1", name=""))
    assert response.status_code == 400
    page = text(response)
    assert re.search(r'id="linha-slug_error">[^<]*já existe', page)
    assert re.search(r'id="linha-country_error">[^<]*duas letras', page)
    assert 'id="linha-name_error"' in page
    assert Line.objects.count() == 1


def test_the_edit_page_previews_whether_the_line_is_open_now(staff, verified_client, monkeypatch):
    line = Line.objects.create(
        slug="inpi", name="INPI", country="PT", messages={"after_hours": {"pt-pt": "Fechado."}}
    )
    web = verified_client(staff["supervisor"])
    opening = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # a Friday; Lisbon is on UTC
    monkeypatch.setattr(timezone, "now", lambda: opening)
    page = text(web.get(f"{LINES}{line.pk}/"))
    assert re.search(r'<p id="aberta-agora">\s*aberta\s*</p>', page)
    early = datetime(2026, 12, 4, 8, 0, tzinfo=UTC)
    monkeypatch.setattr(timezone, "now", lambda: early)
    page = text(web.get(f"{LINES}{line.pk}/"))
    assert re.search(r'<p id="aberta-agora">\s*fechada — abre em 2026-12-04T09:00', page)
    assert "<q>Fechado.</q>" in page
    assert "fechada" in text(web.get(LINES))


# --- recordings -------------------------------------------------------------------------


@pytest.fixture
def heard(open_case):
    """A recording of a call from a requester on file, and one purged."""
    from balcao.cases.services import do_find_or_create_requester

    requester = do_find_or_create_requester(name="Maria", cpf="52998224725")
    call = make_calls(1, MONDAY, recorded=False)[0]
    Call.objects.filter(pk=call.pk).update(requester=requester, queue="suporte", agent="ana")
    recording, _ = do_store_recording(call.callid, f"{call.callid}.wav", wav_bytes())
    gone, _ = do_store_recording("1764669600.77", "1764669600.77.wav", wav_bytes())
    Recording.objects.filter(pk=gone.pk).update(
        file="", purged_at=datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    )
    return recording, gone


def test_the_list_has_a_player_and_purged_ones_say_when(heard, staff, verified_client):
    recording, gone = heard
    page = text(verified_client(staff["quality_manager"]).get(RECORDINGS))
    audio = re.findall(r'<audio controls preload="none" src="([^"]+)"', page)
    assert audio == [f"{RECORDINGS}{recording.pk}/audio/"]
    row = re.search(r"<tr><td>[^<]*</td><td>1764669600\.77</td>.*?</tr>", page).group(0)
    assert "apagada em 30/11/2026" in row and "<audio" not in row
    assert not PersonalDataAccess.objects.exists()  # listing is not listening


def test_the_list_filters_by_agent_queue_dates_and_sample(heard, staff, verified_client):
    recording, gone = heard
    web = verified_client(staff["supervisor"])
    assert recording.callid in text(web.get(RECORDINGS, {"operador": "ana", "fila": "sup"}))
    assert recording.callid not in text(web.get(RECORDINGS, {"operador": "rui"}))
    today = timezone.localdate().isoformat()
    assert gone.callid in text(web.get(RECORDINGS, {"de": today, "ate": today}))
    assert gone.callid not in text(web.get(RECORDINGS, {"ate": "2020-01-01"}))
    Recording.objects.filter(pk=recording.pk).update(sampled_for="2026-11")
    page = text(web.get(RECORDINGS, {"amostra": "2026-11"}))
    assert recording.callid in page and gone.callid not in page
    bad = web.get(RECORDINGS, {"amostra": "novembro"})
    assert 'id="filtro-amostra_error"' in text(bad)


def test_the_player_streams_the_file_and_logs_the_play(heard, staff, verified_client, caplog):
    recording, _ = heard
    web = verified_client(staff["supervisor"])
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        response = web.get(f"{RECORDINGS}{recording.pk}/audio/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert b"".join(response.streaming_content) == wav_bytes()
    (row,) = PersonalDataAccess.objects.all()
    assert (row.user, row.where) == (staff["supervisor"], f"telephony:recording:{recording.pk}")
    assert any(m.startswith(f"recording played: id={recording.pk}") for m in audit_lines(caplog))


def test_the_player_answers_ranges_and_a_seek_is_the_same_play(heard, staff, verified_client):
    recording, _ = heard
    web = verified_client(staff["supervisor"])
    url = f"{RECORDINGS}{recording.pk}/audio/"
    whole = wav_bytes()
    first = web.get(url, HTTP_RANGE="bytes=0-99")
    assert first.status_code == 206
    assert first["Content-Range"] == f"bytes 0-99/{len(whole)}"
    assert b"".join(first.streaming_content) == whole[:100]
    seek = web.get(url, HTTP_RANGE="bytes=1000-")
    assert seek.status_code == 206 and b"".join(seek.streaming_content) == whole[1000:]
    assert PersonalDataAccess.objects.count() == 1  # the seek continues the play
    assert web.get(url, HTTP_RANGE=f"bytes={len(whole)}-").status_code == 416
    web.get(url, HTTP_RANGE="bytes=0-")  # played again from the start
    assert PersonalDataAccess.objects.count() == 2


def test_a_seek_without_a_logged_play_is_logged(heard, staff, verified_client):
    recording, _ = heard
    web = verified_client(staff["supervisor"])
    response = web.get(f"{RECORDINGS}{recording.pk}/audio/", HTTP_RANGE="bytes=500-")
    assert response.status_code == 206
    assert PersonalDataAccess.objects.count() == 1


@pytest.mark.parametrize(
    ("filename", "content_type"),
    [("a-1764669600.5.mp3", "audio/mpeg"), ("1764669600.6.ogg", "audio/ogg"),
     ("1764669600.7.gsm", "audio/x-gsm")],
)  # fmt: skip
def test_the_content_type_comes_from_the_file_name(staff, verified_client, filename, content_type):
    recording, _ = do_store_recording(filename.rsplit("-", 1)[-1][:-4], filename, b"sound")
    response = verified_client(staff["admin"]).get(f"{RECORDINGS}{recording.pk}/audio/")
    assert response["Content-Type"] == content_type


def test_no_play_for_a_purged_recording_or_without_the_capability(heard, staff, verified_client):
    recording, gone = heard
    assert verified_client(staff["admin"]).get(f"{RECORDINGS}{gone.pk}/audio/").status_code == 403
    web = verified_client(staff["agent"])
    assert web.get(f"{RECORDINGS}{recording.pk}/audio/").status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_button_runs_the_months_sample(staff, verified_client, caplog):
    calls = make_calls(150, MONDAY)  # 1 % of 150 → 2
    web = verified_client(staff["quality_manager"])
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        response = web.post(f"{RECORDINGS}amostra/", {"mes": "2026-11"})
    assert response.status_code == 302 and response["Location"].endswith("?amostra=2026-11")
    sampled = Recording.objects.filter(sampled_for="2026-11")
    assert sampled.count() == 2
    assert {r.call_id for r in sampled} <= {c.pk for c in calls}
    assert any(m.startswith("recording sample: month=2026-11 count=2") for m in audit_lines(caplog))
    assert "2 gravações marcadas" in text(web.get(response["Location"]))


def test_the_sample_needs_a_month(staff, verified_client):
    response = verified_client(staff["supervisor"]).post(f"{RECORDINGS}amostra/", {"mes": "11"})
    assert response.status_code == 400
    assert 'id="amostra-mes_error"' in text(response)


def test_agents_cannot_run_the_sample(staff, verified_client):
    make_calls(10, MONDAY)
    response = verified_client(staff["agent"]).post(f"{RECORDINGS}amostra/", {"mes": "2026-11"})
    assert response.status_code == 403
    assert not Recording.objects.exclude(sampled_for="").exists()


# --- callbacks --------------------------------------------------------------------------


@pytest.fixture
def callbacks():
    line = Line.objects.create(slug="inpi", name="INPI")
    make = CallbackRequest.objects.create
    return {
        "pending": make(number="+351912345678", line=line, source="queue", consent=True),
        "dialling": make(number="+351911110001", source="web", status="dialling", attempts=1),
        "done": make(number="+351911110002", source="web", status="done", attempts=1,
                     outcome="Atendido"),
        "failed": make(number="+351911110003", source="queue", status="failed", attempts=3,
                       outcome="Sem resposta"),
    }  # fmt: skip


def test_callbacks_are_listed_by_state_with_the_number_masked(callbacks, staff, verified_client):
    page = text(verified_client(staff["supervisor"]).get(CALLBACKS))
    for title in ("Aguardando", "Ligando agora", "Atendidos", "Sem sucesso"):
        assert title in page
    assert "••••••••5678" in page and "0003" in page and "Sem resposta" in page
    for request in callbacks.values():
        assert request.number not in page and request.number[1:] not in page
        assert request.number[-8:] not in page
    assert page.count("/cancelar/") == 1


def test_a_pending_callback_can_be_cancelled(callbacks, staff, verified_client, caplog):
    web = verified_client(staff["supervisor"])
    pending = callbacks["pending"]
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        response = web.post(f"{CALLBACKS}{pending.pk}/cancelar/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "cancelled" and pending.completed_at is not None
    assert f"telephony callback cancelled: id={pending.pk} user={staff['supervisor'].pk}" in (
        audit_lines(caplog)
    )
    assert "terminado em 5678 cancelado" in text(web.get(CALLBACKS))


def test_a_callback_being_dialled_is_not_cancelled(callbacks, staff, verified_client):
    web = verified_client(staff["supervisor"])
    dialling = callbacks["dialling"]
    web.post(f"{CALLBACKS}{dialling.pk}/cancelar/")
    dialling.refresh_from_db()
    assert dialling.status == "dialling"
    assert "Só um pedido aguardando pode ser cancelado" in text(web.get(CALLBACKS))


def test_cancelling_needs_post_and_the_capability(callbacks, staff, verified_client):
    pending = callbacks["pending"]
    assert (
        verified_client(staff["supervisor"]).get(f"{CALLBACKS}{pending.pk}/cancelar/").status_code
        == 405
    )
    assert (
        verified_client(staff["agent"]).post(f"{CALLBACKS}{pending.pk}/cancelar/").status_code
        == 403
    )
    pending.refresh_from_db()
    assert pending.status == "pending"


# --- occurrences ------------------------------------------------------------------------


def test_an_occurrence_is_recorded_and_closed(staff, verified_client, caplog):
    web = verified_client(staff["supervisor"])
    started = timezone.localtime() - timedelta(hours=1)
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        response = web.post(OCCURRENCES, {
            "kind": "unavailable", "scope": "phone",
            "started_at": started.strftime("%Y-%m-%dT%H:%M"), "ended_at": "",
            "description": "Operadora sem linhas",
        })  # fmt: skip
    assert response.status_code == 302
    occurrence = Occurrence.objects.get()
    assert (occurrence.kind, occurrence.scope, occurrence.ended_at) == (
        "unavailable",
        "phone",
        None,
    )
    assert occurrence.recorded_by == staff["supervisor"] and not occurrence.automatic
    page = text(web.get(OCCURRENCES))
    assert "Operadora sem linhas" in page and "em curso" in page
    assert f"{OCCURRENCES}{occurrence.pk}/encerrar/" in page
    web.post(f"{OCCURRENCES}{occurrence.pk}/encerrar/")
    occurrence.refresh_from_db()
    assert occurrence.ended_at is not None
    assert f"{OCCURRENCES}{occurrence.pk}/encerrar/" not in text(web.get(OCCURRENCES))
    messages = audit_lines(caplog)
    assert any(m.startswith(f"telephony occurrence recorded: id={occurrence.pk}") for m in messages)


def test_an_occurrence_cannot_end_before_it_starts(staff, verified_client):
    response = verified_client(staff["manager"]).post(OCCURRENCES, {
        "kind": "failure", "scope": "all", "started_at": "2026-11-10T10:00",
        "ended_at": "2026-11-10T09:00", "description": "x",
    })  # fmt: skip
    assert response.status_code == 400
    assert re.search(r'id="ocorrencia-ended_at_error">[^<]*antes do início', text(response))
    assert not Occurrence.objects.exists()


def test_occurrences_are_listed_by_month(staff, verified_client):
    def at(*args):
        return datetime(*args, tzinfo=UTC)

    Occurrence.objects.create(
        kind="failure",
        started_at=at(2026, 10, 5, 9),
        ended_at=at(2026, 10, 5, 10),
        description="Outubro",
    )  # noqa: E501
    Occurrence.objects.create(
        kind="other",
        started_at=at(2026, 10, 31, 22),
        ended_at=at(2026, 11, 1, 2),
        description="Virada",
    )  # noqa: E501
    Occurrence.objects.create(kind="other", started_at=at(2026, 11, 20, 9), description="Novembro")
    page = text(verified_client(staff["supervisor"]).get(OCCURRENCES, {"mes": "2026-11"}))
    assert "Virada" in page and "Novembro" in page and "Outubro" not in page


def test_the_platform_opens_an_automatic_occurrence_once_and_closes_it(caplog):
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        first = administration.record_automatic_occurrence("phone", "Ligação ao PBX perdida")
        again = administration.record_automatic_occurrence("phone", "Ligação ao PBX perdida")
    assert first.pk == again.pk and Occurrence.objects.count() == 1
    assert (first.automatic, first.kind, first.ended_at) == (True, "unavailable", None)
    other = administration.record_automatic_occurrence("email", "Caixa de correio inacessível")
    assert administration.end_automatic_occurrence("phone") == 1
    assert administration.end_automatic_occurrence("phone") == 0
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.ended_at is not None and other.ended_at is None
    assert administration.record_automatic_occurrence("phone", "De novo").pk != first.pk
    assert sum("opened automatically" in m for m in audit_lines(caplog)) == 1


# --- suggestions ------------------------------------------------------------------------


def test_an_agent_records_a_suggestion_and_the_supervisor_sees_it(staff, verified_client, caplog):
    web = verified_client(staff["agent"])
    page = text(web.get(NEW_SUGGESTION))
    assert '<label for="sugestao-text">' in page and "Utente" in page
    with caplog.at_level(logging.INFO, logger="balcao.audit"):
        response = web.post(NEW_SUGGESTION, {"source": "person", "text": "Horário no site"})
    assert response.status_code == 302 and response["Location"] == NEW_SUGGESTION
    suggestion = Suggestion.objects.get()
    assert (suggestion.source, suggestion.recorded_by) == ("person", staff["agent"])
    assert any(m.startswith("telephony suggestion recorded") for m in audit_lines(caplog))
    listing = text(verified_client(staff["supervisor"]).get(SUGGESTIONS))
    assert "Horário no site" in listing and "t.agent" in listing


def test_a_suggestion_needs_its_text(staff, verified_client):
    response = verified_client(staff["agent"]).post(
        NEW_SUGGESTION, {"source": "agent", "text": " "}
    )
    assert response.status_code == 400
    assert 'id="sugestao-text_error"' in text(response)
    assert not Suggestion.objects.exists()


def test_suggestions_are_listed_by_month(staff, verified_client):
    old = Suggestion.objects.create(source="agent", text="Antiga")
    Suggestion.objects.filter(pk=old.pk).update(created_at=datetime(2026, 1, 15, tzinfo=UTC))
    Suggestion.objects.create(source="agent", text="Recente")
    web = verified_client(staff["supervisor"])
    page = text(web.get(SUGGESTIONS))
    assert "Recente" in page and "Antiga" not in page
    assert "Antiga" in text(web.get(SUGGESTIONS, {"mes": "2026-01"}))


# --- list pages stay flat as data grows --------------------------------------------------


def queries_for(web, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    web.get(url)  # the first request of a session reads what later ones find cached
    with CaptureQueriesContext(connection) as captured:
        assert web.get(url).status_code == 200
    return len(captured)


def test_the_recordings_and_callbacks_lists_make_the_same_queries_for_more_rows(
    staff, verified_client
):
    web = verified_client(staff["supervisor"])
    make_calls(2, MONDAY)
    CallbackRequest.objects.create(number="+351912345678", source="web")
    few = (queries_for(web, RECORDINGS), queries_for(web, CALLBACKS))
    make_calls(8, MONDAY + timedelta(days=1))
    line = Line.objects.create(slug="inpi", name="INPI")
    for i in range(6):
        CallbackRequest.objects.create(number=f"+35191234560{i}", source="queue", line=line)
    assert (queries_for(web, RECORDINGS), queries_for(web, CALLBACKS)) == few
