"""The contact centre's monthly activity report and final report (seed 003, cláusula 11.ª and
items 13.2, 13.2.1, 13.3; issue 23): a simulated February (tests/telephony/weeks.py) whose
weeks add up to the month, the service levels against the target, occurrences, suggestions,
surveys, the 13.2.1 sample, the agents' evaluation; the PDF, the console pages, the monthly
e-mail sent once, and ``balcao report contact-center --kind``."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from balcao.telephony import periodic
from balcao.telephony.models import Call, Occurrence, Recording, SentReport, Suggestion
from balcao.telephony.weekly import do_send_weekly_report
from tests.telephony.weeks import LISBON, Log, expected, local, simulated_week

pytestmark = pytest.mark.django_db

FEBRUARY = (date(2025, 2, 1), date(2025, 2, 28))  # Saturday to Friday; Lisbon on UTC
MONDAYS = [date(2025, 1, 27) + timedelta(days=7 * n) for n in range(5)]
MONTHLY_URL = "/console/telefonia/relatorio/mensal/"
FINAL_URL = "/console/telefonia/relatorio/final/"


@pytest.fixture(autouse=True)
def _lisbon(settings):
    settings.TIME_ZONE = "Europe/Lisbon"


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private")},
        },
    }


def imported(log: Log, tmp_path) -> None:
    path = log.write(tmp_path / "queue_log")
    call_command(
        "telephony", "import-queue-log", str(path), stdout=io.StringIO(), stderr=io.StringIO()
    )


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return local(day, hh, mm)


@pytest.fixture(scope="module")
def month_log() -> Log:
    """Five simulated weeks (27 January to 2 March 2025), 20 calls a working day."""
    log = Log()
    for monday in MONDAYS:
        week = simulated_week(monday, seed=monday.toordinal(), calls_per_day=20)
        log.lines += week.lines
        log.calls += week.calls
        log.sessions += week.sessions
        log.pauses += week.pauses
    return log


@pytest.fixture
def month(month_log, tmp_path):
    imported(month_log, tmp_path)
    return month_log


def report(*args, fmt="json", output=None):
    out = io.StringIO()
    argv = ["contact-center", *args, "--format", fmt]
    argv += ["--output", str(output)] if output else []
    call_command("report", *argv, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue()) if fmt == "json" and not output else out.getvalue()


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return " ".join(text.split())


# --- pure helpers ----------------------------------------------------------------------------


def test_weeks_are_monday_to_sunday_clipped_to_the_period():
    assert periodic.weeks_in(*FEBRUARY) == [
        (date(2025, 2, 1), date(2025, 2, 2)),
        (date(2025, 2, 3), date(2025, 2, 9)),
        (date(2025, 2, 10), date(2025, 2, 16)),
        (date(2025, 2, 17), date(2025, 2, 23)),
        (date(2025, 2, 24), date(2025, 2, 28)),
    ]
    assert periodic.weeks_in(date(2025, 2, 5), date(2025, 2, 5)) == [(date(2025, 2, 5),) * 2]


def test_months():
    assert periodic.month_bounds(2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert periodic.month_bounds(2025, 12) == (date(2025, 12, 1), date(2025, 12, 31))
    assert periodic.last_month(date(2025, 1, 3)) == (2024, 12)
    assert periodic.parse_month("2025-02") == (2025, 2)
    for bad in ("2025-13", "fevereiro", "2025"):
        with pytest.raises(periodic.PeriodError):
            periodic.parse_month(bad)


def test_survey_summary():
    got = periodic.survey_summary([(5, "yes"), (4, "yes"), (1, "no"), (3, "partly")])
    assert got["count"] == 4 and got["mean"] == pytest.approx(3.25)
    assert got["distribution"] == {"1": 1, "2": 0, "3": 1, "4": 1, "5": 1}
    assert got["resolved"] == {"yes": 0.5, "partly": 0.25, "no": 0.25}
    assert periodic.survey_summary([])["mean"] is None


# --- the monthly report ----------------------------------------------------------------------


def test_the_weeks_add_up_to_the_month_and_match_the_known_answers(month):
    data = periodic.monthly_report(2025, 2)
    json.dumps(data)  # JSON-able as it is
    assert data["kind"] == "monthly" and data["period"]["from"] == "2025-02-01"
    want = expected(month, *FEBRUARY)
    items = {key: item["value"] for key, item in data["indicators"].items()}
    for key in ("a", "e", "l", "r", "ee", "ff"):
        assert items[key] == want[key], key
    assert items["u"] == pytest.approx(want["u"])
    assert [(w["from"], w["to"]) for w in data["weeks"]] == [
        (start.isoformat(), end.isoformat()) for start, end in periodic.weeks_in(*FEBRUARY)
    ]
    for key in ("a", "e", "l"):
        assert sum(week["values"][key] for week in data["weeks"]) == items[key], key
    assert items["a"] > 300 and items["e"] > 200
    for week in data["weeks"]:
        start, end = date.fromisoformat(week["from"]), date.fromisoformat(week["to"])
        known = expected(month, start, end)
        for key in periodic.WEEK_KEYS:
            if known[key] is None:
                assert week["values"][key] is None
            else:
                assert week["values"][key] == pytest.approx(known[key]), (week["from"], key)


def test_service_levels_per_week_and_the_monthly_average(month):
    levels = periodic.monthly_report(2025, 2)["service_levels"]
    assert levels["target"] == 0.75 and levels["target_seconds"] == 30
    weekly = [week["value"] for week in levels["weeks"]]
    assert len(weekly) == 5 and all(value is not None for value in weekly)
    assert levels["mean_of_weeks"] == pytest.approx(sum(weekly) / 5)
    assert levels["average"] == pytest.approx(expected(month, *FEBRUARY)["u"])
    assert levels["met"] is (levels["average"] >= 0.75)
    assert [week["met"] for week in levels["weeks"]] == [value >= 0.75 for value in weekly]
    assert levels["email"] is None  # no mailbox


def test_with_a_mailbox_the_weeks_and_levels_hold_the_email_items(db, helpdesk_channel, settings):
    """13.2 a) sums a')–d') too: each week's messages received and answered, and the e-mail's
    48-hour clock beside the calls' level."""
    from balcao.mail.models import Mailbox
    from balcao.mail.services import ingest
    from tests.mail.test_advertising import raw_mail

    settings.BALCAO_MAIL_SPAMC = False
    mailbox = Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )
    for uid, day in enumerate((date(2025, 2, 11), date(2025, 2, 12), date(2025, 2, 25)), 1):
        raw = raw_mail(
            f"Assunto {uid}", "Texto.", sender=f"p{uid}@example.org", msgid=f"<m{uid}@x>"
        )
        row = ingest(mailbox, raw, uidvalidity=1, uid=uid)
        type(row).objects.filter(pk=row.pk).update(received_at=at(day, 10))
    data = periodic.monthly_report(2025, 2)
    assert data["indicators"]["a'"]["value"]["2025-02-12"] == {"received": 1, "answered": 0}
    assert [week["email"]["received"] for week in data["weeks"]] == [0, 0, 2, 0, 1]
    email = data["service_levels"]["email"]
    assert email["target_hours"] == 48 and len(email["weeks"]) == 5
    html = periodic.as_html(data)
    assert "Total do período: 3 recebidas, 0 respondidas" in html
    assert "E-mail tratado em 48 h" in html


def test_resources_per_agent_add_up_to_the_totals(month):
    resources = periodic.monthly_report(2025, 2)["resources"]
    agents = {row["agent"]: row for row in resources["agents"]}
    assert {"PJSIP/101", "PJSIP/102", "PJSIP/103", "Agent/104"} <= set(agents)
    assert sum(row["answered"] for row in agents.values()) == resources["answered"]
    assert sum(row["login"] for row in agents.values()) == resources["login"]
    assert sum(row["ready"] for row in agents.values()) == resources["ready"]
    assert agents["Agent/104"]["answered"] == 0 and agents["Agent/104"]["login"] > 0
    feb = [
        c for c in month.calls
        if c.outcome == "answered" and FEBRUARY[0] <= c.entered.date() <= FEBRUARY[1]
    ]  # fmt: skip
    mean_talk = sum(c.talk for c in feb) / len(feb)
    weighted = sum(r["talk_mean"] * r["answered"] for r in agents.values() if r["answered"])
    assert weighted / resources["answered"] == pytest.approx(mean_talk)


def test_occurrences_suggestions_and_surveys_of_the_month(db, helpdesk_channel, open_case):
    from balcao.cases.models import CaseRating
    from balcao.catalog.models import Channel

    inside = Occurrence.objects.create(
        kind="unavailable", scope="phone", started_at=at(date(2025, 2, 12), 10),
        ended_at=at(date(2025, 2, 12), 10, 45), description="Central sem linha",
    )  # fmt: skip
    Occurrence.objects.create(
        kind="failure", started_at=at(date(2025, 1, 30), 9), ended_at=at(date(2025, 1, 30), 10),
        description="Antes do mês",
    )  # fmt: skip
    Occurrence.objects.create(
        kind="other", started_at=at(date(2025, 1, 31), 22), description="Ainda em curso",
        automatic=True,
    )  # fmt: skip
    for day, text in ((date(2025, 2, 3), "Gravar mensagem sobre taxas"), (date(2025, 3, 1), "X")):
        row = Suggestion.objects.create(source="agent", text=text)
        Suggestion.objects.filter(pk=row.pk).update(created_at=at(day, 11))
    workflow = helpdesk_channel.workflow
    phone = Channel.objects.create(slug="tel", name="Telefone", kind="phone", workflow=workflow,
                                   deadline_policy="fale-conosco")  # fmt: skip
    email = Channel.objects.create(slug="mail", name="E-mail", kind="email", workflow=workflow,
                                   deadline_policy="fale-conosco")  # fmt: skip
    rated = [(phone, 5, "yes"), (phone, 3, "partly"), (email, 2, "no"),
             (helpdesk_channel, 1, "no")]  # fmt: skip
    for channel, score, resolved in rated:
        case = open_case(channel=channel)
        rating = CaseRating.objects.create(case=case, score=score, resolved=resolved)
        CaseRating.objects.filter(pk=rating.pk).update(created_at=at(date(2025, 2, 20), 15))
    late = CaseRating.objects.create(case=open_case(channel=phone), score=1, resolved="no")
    CaseRating.objects.filter(pk=late.pk).update(created_at=at(date(2025, 3, 2), 15))

    data = periodic.monthly_report(2025, 2)
    assert [o["description"] for o in data["occurrences"]] == [
        "Ainda em curso",
        "Central sem linha",
    ]
    listed = data["occurrences"][1]
    assert listed["started_at"] == "2025-02-12T10:00+00:00" and listed["duration"] == 45 * 60
    assert listed["kind_label"] == str(inside.get_kind_display())
    assert data["occurrences"][0]["ended_at"] is None and data["occurrences"][0]["automatic"]
    assert [s["text"] for s in data["suggestions"]] == ["Gravar mensagem sobre taxas"]
    surveys = data["surveys"]
    assert surveys["phone"]["count"] == 2 and surveys["phone"]["mean"] == 4
    assert surveys["phone"]["resolved"] == {"yes": 0.5, "partly": 0.5, "no": 0.0}
    assert surveys["email"]["count"] == 1 and surveys["email"]["distribution"]["2"] == 1
    assert surveys["all"]["count"] == 3  # the web form's rating is neither


def test_the_sample_lists_the_recordings_marked_for_the_month(db):
    from balcao.telephony.models import QueueLogSource

    src = QueueLogSource.objects.create(head="h", digest="d", path="/x", time_zone="UTC")
    entered = int(at(date(2025, 2, 5), 10).timestamp())
    call = Call.objects.create(callid="1.1", source=src, entered=entered, last=entered + 60,
                               agent="PJSIP/101", answered_wait=3, talk=50)  # fmt: skip
    Recording.objects.create(callid="1.1", call=call, filename="1.1.wav", duration=53,
                             sampled_for="2025-02")  # fmt: skip
    Recording.objects.create(callid="9.9", filename="9.9.wav", sampled_for="2025-01")
    sample = periodic.monthly_report(2025, 2)["sample"]
    assert sample["month"] == "2025-02" and sample["received"] == 1 and sample["wanted"] == 1
    assert [(r["callid"], r["agent"], r["entered_at"]) for r in sample["recordings"]] == [
        ("1.1", "PJSIP/101", "2025-02-05T10:00+00:00")
    ]


def test_the_pdf_holds_the_sections(month):
    Occurrence.objects.create(kind="failure", started_at=at(date(2025, 2, 4), 9),
                              description="Queda do PBX")  # fmt: skip
    Suggestion.objects.create(source="person", text="Mais linhas à tarde")
    Suggestion.objects.filter(text="Mais linhas à tarde").update(created_at=at(date(2025, 2, 6), 9))
    data = periodic.monthly_report(2025, 2)
    text = pdf_text(periodic.render(data, "pdf"))
    for heading in (
        "Relatório de atividade mensal da central de atendimento",
        "1. Resumo dos relatórios semanais (13.2 a)",
        "2. Volume de atividade e utilização de recursos (13.2 b)",
        "3. Níveis de serviço, com a média mensal (13.2 c)",
        "4. Falhas de desempenho, indisponibilidade e outras ocorrências (13.2 d)",
        "5. Resultados dos inquéritos aos utentes (13.2 e)",
        "6. Chamadas disponibilizadas para verificação do serviço (13.2.1)",
        "7. Sugestões de melhoria (cláusula 11.ª, n.º 2)",
    ):
        assert heading in text, heading
    assert f"Número de chamadas recebidas {data['indicators']['a']['value']}" in text
    assert "2025-02-03 – 2025-02-09" in text and "PJSIP/102" in text
    assert "Queda do PBX" in text and "Mais linhas à tarde" in text
    assert "dia(s)" in text  # hh) as days per peak hour


# --- the final report ------------------------------------------------------------------------


def test_the_final_report_evaluates_each_agent_and_lists_suggestions(month, open_case):
    from balcao.cases.models import CaseRating

    start, end = date(2025, 1, 27), date(2025, 3, 2)
    answered = Call.objects.filter(agent="PJSIP/101", answered_wait__isnull=False).first()
    case = open_case()
    Call.objects.filter(pk=answered.pk).update(case=case)
    CaseRating.objects.create(case=case, score=4, resolved="yes")
    Suggestion.objects.create(source="agent", text="FAQ sobre prazos")
    Suggestion.objects.filter(text="FAQ sobre prazos").update(created_at=at(date(2025, 2, 6), 9))
    data = periodic.final_report(start, end)
    json.dumps(data)
    assert data["kind"] == "final" and "sample" not in data
    assert len(data["weeks"]) == 5
    assert data["indicators"]["a"]["value"] == expected(month, start, end)["a"]
    rows = {row["agent"]: row for row in data["agents"]["rows"]}
    assert len(data["agents"]["criteria"]) == 11
    e = data["indicators"]["e"]["value"]
    assert sum(row["share"] for row in rows.values() if row["share"]) == pytest.approx(1)
    agent = rows["PJSIP/101"]
    mine = list(Call.objects.filter(agent="PJSIP/101", answered_wait__isnull=False))
    assert agent["answered"] == len(mine) and agent["share"] == pytest.approx(len(mine) / e)
    assert agent["within_target"] == pytest.approx(
        sum(1 for c in mine if c.answered_wait < 30) / len(mine)
    )
    assert (agent["rating"], agent["ratings"]) == (4, 1)
    assert agent["occupancy"] > 0 and rows["Agent/104"]["occupancy"] == 0
    assert [s["text"] for s in data["suggestions"]] == ["FAQ sobre prazos"]
    text = pdf_text(periodic.render(data, "pdf"))
    for heading in (
        "Relatório final da central de atendimento",
        "3. Níveis de serviço, com a média final (13.3 c)",
        "6. Análise da qualidade do atendimento: avaliação individual dos operadores (13.3 e)",
        "7. Lista de sugestões de melhoria (13.3 g)",
    ):
        assert heading in text, heading
    assert "FAQ sobre prazos" in text


def test_a_final_report_ending_before_it_starts_is_refused(db):
    with pytest.raises(periodic.PeriodError):
        periodic.final_report(date(2025, 2, 2), date(2025, 2, 1))


# --- e-mail ---------------------------------------------------------------------------------


def test_the_monthly_report_is_emailed_once_with_its_sample(
    month, make_user, private_storage, django_capture_on_commit_callbacks
):
    from balcao.telephony.recordings import do_store_recording

    make_user("supervisor", email="sup@inpi.example")
    make_user("manager", email="ger@inpi.example")
    make_user("agent", email="op@inpi.example")
    for call in Call.objects.filter(entered__gte=int(at(date(2025, 2, 3), 0).timestamp()))[:5]:
        do_store_recording(call.callid, f"{call.callid}.wav", b"RIFF")
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.do_send_monthly_report(date(2025, 3, 3)) == 2
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["ger@inpi.example", "sup@inpi.example"]
    assert "2025-02" in message.subject
    received = periodic.monthly_report(2025, 2)["indicators"]["a"]["value"]
    assert f"Chamadas recebidas: {received}" in message.body
    [(name, content, kind)] = message.attachments
    assert name == "central-telefonica-mensal-2025-02.pdf" and kind == "application/pdf"
    assert "Relatório de atividade mensal" in pdf_text(content)
    sent = SentReport.objects.get(kind="monthly")
    assert (sent.start, sent.end, sent.recipients) == (*FEBRUARY, 2)
    sampled = Recording.objects.filter(sampled_for="2025-02").count()
    assert sampled == 5  # 1 % of the month's calls (more than 5) with only 5 recordings
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.do_send_monthly_report(date(2025, 3, 20)) == 0
    assert len(mail.outbox) == 1


def test_no_monthly_report_for_a_month_without_calls(
    month, make_user, django_capture_on_commit_callbacks
):
    make_user("supervisor", email="sup@inpi.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.do_send_monthly_report(date(2025, 5, 2)) == 0  # April
    assert mail.outbox == [] and not SentReport.objects.exists()


def test_the_weekly_report_is_sent_once(month, make_user, django_capture_on_commit_callbacks):
    make_user("supervisor", email="sup@inpi.example")
    with django_capture_on_commit_callbacks(execute=True):
        assert do_send_weekly_report(date(2025, 2, 17)) == 1
        assert do_send_weekly_report(date(2025, 2, 18)) == 0  # the same week
    assert len(mail.outbox) == 1
    sent = SentReport.objects.get(kind="weekly")
    assert (sent.start, sent.end) == (date(2025, 2, 10), date(2025, 2, 16))


# --- the command ----------------------------------------------------------------------------


def test_the_command_kinds(month, tmp_path):
    weekly_args = ["--from", "2025-02-03", "--to", "2025-02-09"]
    plain, weekly = report(*weekly_args), report(*weekly_args, "--kind", "weekly")
    for data in (plain, weekly):  # the two may be made a second apart
        data.pop("generated_at")
    assert plain == weekly
    assert "weeks" not in report(*weekly_args)
    by_month = report("--kind", "monthly", "--month", "2025-02")
    by_dates = report("--kind", "monthly", "--from", "2025-02-01", "--to", "2025-02-28")
    for data in (by_month, by_dates):
        data.pop("generated_at")
    assert by_month == by_dates and by_month["sample"]["month"] == "2025-02"
    final = report("--kind", "final", "--from", "2025-01-27", "--to", "2025-03-02")
    assert final["kind"] == "final" and len(final["agents"]["rows"]) >= 4
    html = report("--kind", "monthly", "--month", "2025-02", fmt="html")
    assert html.startswith("<!doctype html>") and "13.2.1" in html
    path = tmp_path / "final.pdf"
    report("--kind", "final", "--from", "2025-01-27", "--to", "2025-03-02", fmt="pdf", output=path)
    assert "Relatório final" in pdf_text(path.read_bytes())
    for args, message in (
        (("--kind", "monthly", "--from", "2025-02-01", "--to", "2025-02-27"), "exatamente um mês"),
        (("--kind", "monthly", "--month", "2025-13"), "mês inválido"),
        (("--kind", "final", "--from", "2025-02-01"), "--from e --to"),
        (("--month", "2025-02"), "--kind monthly"),
    ):
        with pytest.raises(CommandError, match=message):
            report(*args)
    with pytest.raises(CommandError, match="json, html ou pdf"):
        report("--kind", "monthly", "--month", "2025-02", fmt="csv")


# --- the console ----------------------------------------------------------------------------


def page(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_console_monthly_page_and_downloads(month, staff, verified_client):
    web = verified_client(staff["supervisor"])
    html = page(web.get(MONTHLY_URL, {"mes": "2025-02"}))
    assert '<label for="id_mes">' in html
    assert "1. Resumo dos relatórios semanais (13.2 a)" in html
    assert "2025-02-24 – 2025-02-28" in html and "formato=pdf" in html
    response = web.get(MONTHLY_URL, {"mes": "2025-02", "formato": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    assert "central-telefonica-mensal-2025-02.pdf" in response["Content-Disposition"]
    assert "13.2.1" in pdf_text(response.content)
    response = web.get(MONTHLY_URL, {"mes": "2025-02", "formato": "json"})
    assert json.loads(response.content)["indicators"]["a"]["value"] == sum(
        1 for c in month.calls if FEBRUARY[0] <= c.entered.astimezone(LISBON).date() <= FEBRUARY[1]
    )
    html = page(web.get(MONTHLY_URL, {"mes": "fevereiro"}))
    assert "mês inválido" in html and "13.2 a" not in html
    assert "Relatório de atividade mensal" in page(web.get(MONTHLY_URL))  # last month


def test_the_console_final_page(month, staff, verified_client):
    web = verified_client(staff["manager"])
    period = {"de": "2025-01-27", "ate": "2025-03-02"}
    html = page(web.get(FINAL_URL, period))
    assert "avaliação individual dos operadores (13.3 e)" in html and "PJSIP/103" in html
    response = web.get(FINAL_URL, {**period, "formato": "json"})
    assert json.loads(response.content)["kind"] == "final"
    html = page(web.get(FINAL_URL, {"de": "2025-03-02", "ate": "2025-01-27"}))
    assert "A data final deve ser igual ou posterior à inicial." in html


def test_agents_may_not_see_the_periodic_reports(db, staff, verified_client):
    web = verified_client(staff["agent"])
    assert web.get(MONTHLY_URL).status_code == 403
    assert web.get(FINAL_URL, {"formato": "pdf"}).status_code == 403
