"""The contact centre in the console (issue 23): the 13.1 indicators of a period in tables and
charts, the same report as CSV and PDF, the staffing planner (Erlang C on measured traffic),
and the weekly report e-mailed to supervisors and managers every Monday."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from balcao.ops.tasks import email_weekly_contact_centre_report
from balcao.telephony import erlang, staffing
from balcao.telephony.weekly import do_send_weekly_report, last_week
from tests.telephony.weeks import LISBON, Log, local

TUESDAY = date(2025, 2, 11)  # Lisbon is on UTC in February
REPORT = "/console/telefonia/relatorio/"
PLANNER = "/console/telefonia/dimensionamento/"


@pytest.fixture(autouse=True)
def _lisbon(settings):
    settings.TIME_ZONE = "Europe/Lisbon"


def import_log(log: Log, tmp_path) -> None:
    path = log.write(tmp_path / "queue_log")
    call_command(
        "telephony", "import-queue-log", str(path), "--tz", "Europe/Lisbon",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip


@pytest.fixture
def a_day(db, tmp_path):
    """Four calls on a Tuesday: three answered (8 s, 20 s, 70 s) and one abandoned."""
    log = Log(queue="suporte")
    log.session("ana", local(TUESDAY, 8, 55), local(TUESDAY, 17, 5))
    log.call(local(TUESDAY, 9, 10), answer=8, talk=150, wrapup=30, topic="Marcas")
    log.call(local(TUESDAY, 10, 20), answer=20, talk=150, wrapup=30, topic="Patentes")
    log.call(local(TUESDAY, 10, 25), answer=70, talk=150, wrapup=30, topic="Marcas")
    log.call(local(TUESDAY, 11, 5), abandon=12)
    import_log(log, tmp_path)
    return log


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_page_shows_the_indicators_grouped_and_the_charts(a_day, staff, verified_client):
    web = verified_client(staff["supervisor"])
    response = web.get(REPORT, {"de": TUESDAY.isoformat(), "ate": TUESDAY.isoformat()})
    assert response.status_code == 200
    html = text(response)
    for title in ("Volumes", "Chamadas abandonadas", "Perdas e níveis de serviço", "Operadores"):
        assert title in html
    # a = 4 received, e = 3 answered, l = 1 abandoned; u = (f+g+h+i)/(a-(m+n+o)) = 2/3
    assert re.search(r"<td>a</td><th scope=\"row\">[^<]+</th><td>4</td>", html)
    assert re.search(r"<td>e</td><th scope=\"row\">[^<]+</th><td>3</td>", html)
    assert re.search(r"<td>l</td><th scope=\"row\">[^<]+</th><td>1</td>", html)
    assert re.search(r"<td>u</td><th scope=\"row\">[^<]+</th><td>66,7 %</td>", html)
    assert "meta não atingida" in html
    # three charts, each an SVG with its title
    for chart, title in (
        ("chart-level", "Nível de serviço (u): 67%"),
        ("chart-hours", "Chamadas recebidas por hora do dia"),
        ("chart-topics", "Chamadas por assunto"),
    ):
        pattern = rf'<svg id="{chart}"[^>]*>\s*<title id="{chart}-title">([^<]+)</title>'
        match = re.search(pattern, html)
        assert match and title in match.group(1), chart
    # calls per hour: 09h → 1, 10h → 2, 11h → 1; by topic: Marcas 2, Patentes 1
    desc = re.search(r'<desc id="chart-hours-desc">([^<]+)</desc>', html).group(1)
    assert "09: 1" in desc and "10: 2" in desc and "11: 1" in desc and "12: 0" in desc
    desc = re.search(r'<desc id="chart-topics-desc">([^<]+)</desc>', html).group(1)
    assert desc == "Marcas: 2; Patentes: 1"
    assert "formato=csv" in html and "formato=pdf" in html


def test_csv_and_pdf_downloads(a_day, staff, verified_client):
    web = verified_client(staff["manager"])
    period = {"de": TUESDAY.isoformat(), "ate": TUESDAY.isoformat()}
    response = web.get(REPORT, {**period, "formato": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "central-telefonica-2025-02-11-2025-02-11.csv" in response["Content-Disposition"]
    rows = {row[0]: row[2] for row in csv.reader(io.StringIO(response.content.decode()))}
    assert rows["a"] == "4" and rows["e"] == "3" and rows["l"] == "1"
    assert rows["ii"] == '{"Marcas": 2, "Patentes": 1}'
    response = web.get(REPORT, {**period, "formato": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_period_refused_and_the_default_week(db, staff, verified_client):
    web = verified_client(staff["supervisor"])
    html = text(web.get(REPORT, {"de": "2025-02-12", "ate": "2025-02-11"}))
    assert "A data final deve ser igual ou posterior à inicial." in html
    assert "<svg" not in html
    html = text(web.get(REPORT))
    assert 'id="chart-level"' in html  # the last seven days, even with no call


def test_agents_may_not_see_the_contact_centre_pages(db, staff, verified_client):
    web = verified_client(staff["agent"])
    assert web.get(REPORT).status_code == 403
    assert web.get(PLANNER).status_code == 403
    assert web.get(REPORT, {"formato": "pdf"}).status_code == 403


def test_the_menu_links_to_both_pages_for_who_may_see_reports(db, staff, verified_client):
    html = text(verified_client(staff["quality_manager"]).get(REPORT))
    assert f'href="{REPORT}"' in html and f'href="{PLANNER}"' in html


# --- the staffing planner -------------------------------------------------------------------


def test_the_published_erlang_c_example_through_the_planner():
    """100 calls per 30 min, 180 s handling: 14 agents give P(wait) 0.1741, SL at 20 s 0.8884
    and ASA 7.84 s; 13 do not reach 88 % in 20 s."""
    start = int(local(TUESDAY, 10).timestamp())
    entered = [start + 18 * n for n in range(100)]  # 100 calls from 10:00 to 10:29:42
    arrivals = staffing.arrivals_per_half_hour(entered, TUESDAY, TUESDAY, LISBON)
    assert arrivals == {(1, 20): 100.0}
    rows = staffing.plan(arrivals, 180, target_level=0.88, target_seconds=20, weekdays=[1])
    assert [(row.starts.strftime("%H:%M"), row.ends.strftime("%H:%M")) for row in rows][:2] == [
        ("09:00", "09:30"),
        ("09:30", "10:00"),
    ]
    assert len(rows) == 16
    row = next(row for row in rows if row.slot == 20)
    assert row.arrivals == 100
    assert row.staffing.agents == 14
    assert row.staffing.probability_of_waiting == pytest.approx(0.1741, abs=1e-4)
    assert row.staffing.service_level == pytest.approx(0.8884, abs=1e-4)
    assert row.staffing.average_speed_of_answer == pytest.approx(7.84, abs=5e-3)
    quiet = next(row for row in rows if row.slot == 18)
    assert quiet.arrivals == 0 and quiet.staffing.agents == 0


def test_arrivals_are_averaged_over_the_weekdays_of_the_period_without_holidays():
    monday = date(2025, 2, 10)
    calls = [local(monday, 9, 5), local(monday + timedelta(days=7), 9, 10),
             local(monday + timedelta(days=7), 9, 40), local(monday + timedelta(days=1), 16, 59),
             local(monday - timedelta(days=1), 9, 0)]  # fmt: skip
    entered = [int(moment.timestamp()) for moment in calls]
    # two Mondays and a Tuesday holiday (say) in 10–17 February; the Sunday before is outside
    got = staffing.arrivals_per_half_hour(
        entered, monday, monday + timedelta(days=7), LISBON, skipped={monday + timedelta(days=1)}
    )
    assert got == {(0, 18): 1.0, (0, 19): 0.5}


def test_the_planner_page_uses_the_measured_traffic_and_handling_time(
    a_day, staff, verified_client
):
    web = verified_client(staff["supervisor"])
    period = {"de": TUESDAY.isoformat(), "ate": TUESDAY.isoformat(), "nivel": 75, "segundos": 30}
    html = text(web.get(PLANNER, period))
    # dd = talk 150 + hold 0 + wrap-up 30 = 180 s; Tuesday 10:00–10:30 had 2 calls
    assert "Tempo médio de atendimento medido (13.1 dd): 180,0 s." in html
    want = erlang.agents_needed(2, 180, 1800, 0.75, 30)
    assert want.agents == 1  # 0.2 erlang: one agent answers 82 % within 30 s
    row = re.search(r"<td>Terça-feira</td><th scope=\"row\">10:00–10:30</th>(.*?)</tr>", html)
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[0] == "2,00" and cells[2] == str(want.agents)
    assert html.count("<tr><td>") == 5 * 16  # Monday–Friday, 09:00–17:00
    # a handling time given by hand replaces the measured one
    html = text(web.get(PLANNER, {**period, "tma": 1800, "nivel": 90, "segundos": 10}))
    assert "com tempo médio de atendimento de 1800,0 s" in html
    row = re.search(r"<td>Terça-feira</td><th scope=\"row\">10:00–10:30</th>(.*?)</tr>", html)
    cells = re.findall(r"<td>([^<]*)</td>", row.group(1))
    assert cells[2] == str(erlang.agents_needed(2, 1800, 1800, 0.9, 10).agents)


def test_the_planner_without_calls_asks_for_a_handling_time(db, staff, verified_client):
    web = verified_client(staff["manager"])
    html = text(web.get(PLANNER))
    assert "informe-o no formulário" in html


# --- the weekly report by e-mail ------------------------------------------------------------


def test_last_week_is_monday_to_sunday():
    assert last_week(date(2025, 2, 17)) == (date(2025, 2, 10), date(2025, 2, 16))
    assert last_week(date(2025, 2, 19)) == (date(2025, 2, 10), date(2025, 2, 16))


def test_the_weekly_report_goes_to_supervisors_and_managers_as_a_pdf(
    a_day, make_user, django_capture_on_commit_callbacks, monkeypatch
):
    make_user("supervisor", email="sup@inpi.example")
    make_user("manager", email="ger@inpi.example")
    make_user("agent", email="op@inpi.example")
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: date(2025, 2, 17))
    with django_capture_on_commit_callbacks(execute=True):
        assert email_weekly_contact_centre_report.call_local() == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["ger@inpi.example", "sup@inpi.example"]
    assert "2025-02-10" in message.subject and "2025-02-16" in message.subject
    assert "Chamadas recebidas: 4" in message.body
    [(name, content, kind)] = message.attachments
    assert name == "central-telefonica-2025-02-10-2025-02-16.pdf"
    assert kind == "application/pdf" and content.startswith(b"%PDF")


def test_no_weekly_report_for_a_week_without_calls(
    a_day, make_user, django_capture_on_commit_callbacks
):
    make_user("supervisor", email="sup@inpi.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert do_send_weekly_report(date(2025, 2, 24)) == 0  # the week of 17–23 February
    assert mail.outbox == []
