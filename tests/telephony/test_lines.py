"""``GET /api/v1/telephony/open-now``: the dialplan asks whether a line is open and gets
the after-hours message in the caller's language (issue 23, "Hours and messages"; seed 003:
segunda a sexta, 9h–17h, exceto feriados nacionais; português e inglês)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from balcao.api.models import ApiToken
from balcao.deadlines.models import Calendar
from balcao.telephony import lines
from balcao.telephony.models import Line

pytestmark = pytest.mark.django_db

MESSAGES = {
    "after_hours": {
        "pt-pt": "O atendimento funciona de segunda a sexta, das 9h às 17h.",
        "en": "Our lines are open Monday to Friday, 9 am to 5 pm.",
    }
}


@pytest.fixture
def line():
    return Line.objects.create(slug="inpi", name="INPI", country="PT", messages=MESSAGES)


@pytest.fixture
def pbx(make_user):
    """The PBX's service account: no staff role, a token with the telephony scope."""
    _, raw = ApiToken.issue(name="pbx", user=make_user(), scopes=["telephony:hours"])
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def at(monkeypatch):
    def freeze(*args):
        moment = datetime(*args, tzinfo=UTC)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return freeze


def ask(client, headers, **params):
    return client.get("/api/v1/telephony/open-now", params, **headers)


def test_open_inside_hours(client, pbx, line, at):
    at(2026, 12, 4, 10, 0)  # a Friday; Lisbon is on UTC in winter
    response = ask(client, pbx, line="inpi")
    assert response.status_code == 200
    assert response.json() == {
        "line": "inpi",
        "open": True,
        "now": "2026-12-04T10:00:00+00:00",
        "next_open": None,
        "message": None,
        "language": None,
    }


def test_closed_after_hours_with_the_message_and_the_next_opening(client, pbx, line, at):
    at(2026, 12, 4, 17, 0)  # Friday, 17:00 sharp: closed
    body = ask(client, pbx, line="inpi", lang="en").json()
    assert body["open"] is False
    assert body["next_open"] == "2026-12-07T09:00:00+00:00"  # Monday
    assert body["message"] == MESSAGES["after_hours"]["en"]
    assert body["language"] == "en"


def test_closed_on_a_national_holiday(client, pbx, line, at):
    at(2026, 12, 8, 11, 0)  # Tuesday, Imaculada Conceição
    body = ask(client, pbx, line="inpi").json()
    assert body["open"] is False
    assert body["next_open"] == "2026-12-09T09:00:00+00:00"
    assert body["message"] == MESSAGES["after_hours"]["pt-pt"]


@pytest.mark.parametrize(
    ("moment", "is_open", "now"),
    [
        ((2026, 3, 27, 8, 30), False, "2026-03-27T08:30:00+00:00"),  # winter: 08:30 local
        ((2026, 3, 30, 8, 30), True, "2026-03-30T09:30:00+01:00"),  # summer: 09:30 local
        ((2026, 3, 30, 15, 59), True, "2026-03-30T16:59:00+01:00"),
        ((2026, 3, 30, 16, 0), False, "2026-03-30T17:00:00+01:00"),
    ],
)
def test_summer_time_moves_the_hours_in_utc(client, pbx, line, at, moment, is_open, now):
    at(*moment)
    body = ask(client, pbx, line="inpi").json()
    assert (body["open"], body["now"]) == (is_open, now)


def test_next_opening_across_the_summer_time_change(client, pbx, line, at):
    at(2026, 3, 27, 18, 0)  # Friday evening, winter; Monday is summer time
    assert ask(client, pbx, line="inpi").json()["next_open"] == "2026-03-30T09:00:00+01:00"


def test_the_lines_own_calendar_wins_over_the_national_one(client, pbx, line, at):
    line.calendar = Calendar.objects.create(
        slug="alargado", name="Horário alargado", country="PT", time_zone="Europe/Lisbon",
        opening_hours={str(day): ["08:00-20:00"] for day in range(5)},
    )  # fmt: skip
    line.save()
    at(2026, 12, 4, 18, 0)  # Friday evening: the national hours are over, this line's not
    assert ask(client, pbx, line="inpi").json()["open"] is True
    at(2026, 12, 4, 20, 30)
    body = ask(client, pbx, line="inpi").json()
    assert (body["open"], body["next_open"]) == (False, "2026-12-07T08:00:00+00:00")


def test_a_calendar_that_never_opens_answers_closed_without_a_next_opening(client, pbx, line, at):
    line.calendar = Calendar.objects.create(
        slug="sabado", name="Só ao sábado", country="PT", time_zone="Europe/Lisbon",
        opening_hours={"5": ["10:00-13:00"]},  # Saturday is never a working day
    )  # fmt: skip
    line.save()
    at(2026, 12, 5, 11, 0)
    body = ask(client, pbx, line="inpi").json()
    assert (body["open"], body["next_open"]) == (False, None)


@pytest.mark.parametrize(
    ("texts", "asked", "language"),
    [
        ({"pt-pt": "PT", "en": "EN"}, "en", "en"),
        ({"pt-pt": "PT", "en": "EN"}, "EN_gb", "en"),  # its base language
        ({"pt-pt": "PT", "en": "EN"}, "fr", "pt-pt"),
        ({"pt-pt": "PT", "en": "EN"}, "", "pt-pt"),
        ({"pt-br": "BR", "en": "EN"}, "fr", "pt-br"),
        ({"pt-br": "BR", "en": "EN"}, "pt-pt", "pt-br"),
        ({"en": "EN", "es": "ES"}, "de", "en"),
        ({"en": "EN", "es": "ES"}, "es", "es"),
        ({"pt-pt": "  "}, "pt-pt", None),  # blank is not a message
        ({}, "en", None),
    ],
)
def test_message_language_fallback(texts, asked, language):
    text, chosen = lines.pick_message(texts, asked)
    assert chosen == language
    assert text == (texts[language] if language else None)


def test_no_message_configured_answers_null(client, pbx, at):
    Line.objects.create(slug="mudo", name="Sem mensagem", country="PT")
    at(2026, 12, 4, 20, 0)
    body = ask(client, pbx, line="mudo", lang="en").json()
    assert (body["open"], body["message"], body["language"]) == (False, None, None)


def test_unknown_or_inactive_line_is_404(client, pbx, line):
    assert ask(client, pbx, line="nao-existe").status_code == 404
    Line.objects.filter(pk=line.pk).update(active=False)
    response = ask(client, pbx, line="inpi")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_authentication_is_required(client, line):
    assert ask(client, {}, line="inpi").status_code == 401


def test_a_token_without_the_telephony_scope_is_refused(client, line, staff):
    _, raw = ApiToken.issue(name="cases", user=staff["admin"], scopes=["cases:read"])
    response = ask(client, {"HTTP_AUTHORIZATION": f"Bearer {raw}"}, line="inpi")
    assert response.status_code == 403
    assert "telephony:hours" in response.json()["error"]["message"]


def test_a_staff_session_may_ask(verified_client, staff, line, make_user):
    assert ask(verified_client(staff["agent"]), {}, line="inpi").status_code == 200


def test_a_session_without_a_role_is_refused(verified_client, line, make_user):
    assert ask(verified_client(make_user()), {}, line="inpi").status_code == 403
