"""The deadline engine through its interfaces: ``balcao deadline`` and the API."""

import io
import json
import subprocess
import sys

import pytest
from django.core.management import call_command

BALCAO = [sys.executable, "-m", "balcao.cli"]


def _run(*args, stdin=""):
    return subprocess.run(
        [*BALCAO, "deadline", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_single_json_matches_the_hand_computed_lai_case():
    # Friday 19 Dec 2025 18:30 in Brasília: notice that day, counting from Monday 22,
    # +19 days = Saturday 10 Jan 2026 → Monday 12 Jan; extension +10 → Thursday 22 Jan.
    result = _run(
        "--policy", "lai", "--received", "2025-12-19T18:30:00-03:00", "--extended", "--json"
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "policy": "lai",
        "received": "2025-12-19T18:30:00-03:00",
        "counting_starts": "2025-12-22",
        "due": "2026-01-12",
        "extended_due": "2026-01-22",
    }


def test_cli_batch_keeps_order_and_reports_bad_lines():
    lines = (
        "\n".join(
            [
                json.dumps({"policy": "fale-conosco", "received": "2025-04-17T10:00:00-03:00"}),
                "{broken",
                json.dumps({"policy": "pt-email-48h", "received": "2025-03-28T10:00:00"}),
                json.dumps({"policy": "chat-idle-20min", "received": "2025-03-28T10:00:00-03:00"}),
            ]
        )
        + "\n"
    )
    result = _run("--batch", "-", stdin=lines)
    assert result.returncode == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    # Notice Thu 17 Apr; Good Friday 18 and Tiradentes 21 are holidays, so the working
    # days after it are 22, 23, 24, 25, 28, 29, 30: the 7th is Wednesday 30 April.
    assert out[0]["due"] == "2025-04-30"
    assert "error" in out[1] and "error" in out[2] and "offset" in out[2]["error"]
    assert out[3]["due"] == "2025-03-28T10:20:00-03:00"


def test_cli_unknown_policy_exits_non_zero_with_a_message():
    result = _run("--policy", "nope", "--received", "2025-01-02")
    assert result.returncode != 0 and "unknown policy" in result.stderr


def test_the_command_is_registered_in_django():
    with pytest.raises(SystemExit) as exit_info:
        call_command("deadline", "--help", stdout=io.StringIO())
    assert exit_info.value.code == 0


@pytest.mark.django_db
def test_api_compute_gives_the_same_json(client):
    response = client.get(
        "/api/v1/deadlines/compute",
        {"policy": "lai", "received": "2025-12-19T18:30:00-03:00", "extended": "true"},
    )
    assert response.status_code == 200
    assert response.json()["extended_due"] == "2026-01-22"


@pytest.mark.django_db
def test_api_compute_errors_name_the_field(client):
    response = client.get(
        "/api/v1/deadlines/compute", {"policy": "pt-email-48h", "received": "2025-03-28T10:00:00"}
    )
    assert response.status_code == 422
    assert "received" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_api_working_days_skip_good_friday_and_tiradentes(client):
    response = client.get(
        "/api/v1/calendars/br/working-days", {"from": "2025-04-17", "to": "2025-04-23"}
    )
    assert response.status_code == 200
    assert response.json()["working_days"] == ["2025-04-17", "2025-04-22", "2025-04-23"]
    assert (
        client.get(
            "/api/v1/calendars/xx/working-days", {"from": "2025-04-17", "to": "2025-04-23"}
        ).status_code
        == 404
    )


@pytest.mark.django_db
def test_api_working_days_of_an_agency_calendar_include_its_closures(client):
    from datetime import date

    from balcao.deadlines.models import Calendar, CalendarDay
    from balcao.deadlines.services import do_set_calendar_day

    calendar = Calendar.objects.create(slug="inpi", name="INPI", country="BR")
    do_set_calendar_day(calendar, date(2025, 4, 22), CalendarDay.Kind.CLOSURE, "Recesso")
    response = client.get(
        "/api/v1/calendars/inpi/working-days", {"from": "2025-04-17", "to": "2025-04-23"}
    )
    assert response.json()["working_days"] == ["2025-04-17", "2025-04-23"]
