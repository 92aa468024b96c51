"""The e-mail reports of seed 003, item 13.1 a')–e') and the 48-hour clock of item 12.2 ii):
the arithmetic on hand-made records whose answers are known (no Django), then the same
figures from database rows through ``balcao mail report`` and the console page."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from balcao.mail import cli
from balcao.mail.reports import Forward, Received, Reply, ReportError, compute, period_of

LISBON = ZoneInfo("Europe/Lisbon")
NOW = datetime(2027, 1, 31, 12, 0, tzinfo=UTC)


def at(day: str, clock: str = "10:00:00", tz=LISBON) -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}").replace(tzinfo=tz)


def run(start: str, end: str, messages, replies=(), forwards=(), now=NOW) -> dict:
    period = period_of(date.fromisoformat(start), date.fromisoformat(end), "Europe/Lisbon")
    return compute(period, messages, replies, forwards, now=now)


def person(when: datetime, case: int | None = None, **extra) -> Received:
    return Received(when, extra.pop("outcome", "new-case"), case=case, **extra)


# --- b') and c'): service hours ----------------------------------------------------------


def test_service_hours_edges_weekend_and_a_portuguese_holiday():
    # Monday 2026-12-07; Tuesday 2026-12-08 is Imaculada Conceição (a PT national holiday);
    # Saturday 2026-12-12.
    report = run(
        "2026-12-07",
        "2026-12-13",
        [
            person(at("2026-12-07", "08:59:59")),
            person(at("2026-12-07", "09:00:00")),
            person(at("2026-12-07", "16:59:59")),
            person(at("2026-12-07", "17:00:00")),
            person(at("2026-12-08", "10:00:00")),
            person(at("2026-12-09", "10:00:00")),
            person(at("2026-12-12", "10:00:00")),
        ],
    )
    assert report["b_inside_hours"] == 3
    assert report["c_outside_hours"] == 4
    assert report["b_inside_hours_per_day"]["2026-12-07"] == 2
    assert report["c_outside_hours_per_day"]["2026-12-07"] == 2
    assert report["b_inside_hours_per_day"]["2026-12-08"] == 0  # the holiday
    assert report["c_outside_hours_per_day"]["2026-12-08"] == 1
    assert report["b_inside_hours_per_day"]["2026-12-09"] == 1
    assert report["c_outside_hours_per_day"]["2026-12-12"] == 1
    assert report["per_hour"]["08"] == 1 and report["per_hour"]["16"] == 1
    assert report["per_hour"]["10"] == 3 and report["per_hour"]["17"] == 1
    assert report["a_received_per_day"] == {
        "2026-12-07": 4,
        "2026-12-08": 1,
        "2026-12-09": 1,
        "2026-12-10": 0,
        "2026-12-11": 0,
        "2026-12-12": 1,
        "2026-12-13": 0,
    }


def test_days_and_hours_are_local_and_the_period_holds_both_ends():
    # Lisbon is UTC+1 in summer: 23:30 UTC is 00:30 of the next local day.
    report = run(
        "2026-07-01",
        "2026-07-02",
        [
            person(datetime(2026, 6, 30, 22, 59, 59, tzinfo=UTC)),  # 23:59:59 on 30 June: out
            person(datetime(2026, 6, 30, 23, 0, 0, tzinfo=UTC)),  # 00:00 on 1 July: in
            person(datetime(2026, 7, 1, 23, 30, tzinfo=UTC)),  # 00:30 on 2 July
            person(datetime(2026, 7, 2, 22, 59, 59, tzinfo=UTC)),  # 23:59:59 on 2 July: in
            person(datetime(2026, 7, 2, 23, 0, 0, tzinfo=UTC)),  # 3 July: out
        ],
    )
    assert report["a_received_per_day"] == {"2026-07-01": 1, "2026-07-02": 2}
    assert report["per_hour"]["00"] == 2 and report["per_hour"]["23"] == 1
    assert report["per_day_hour"] == {"2026-07-01": {"00": 1}, "2026-07-02": {"00": 1, "23": 1}}
    assert report["c_outside_hours"] == 3 and report["b_inside_hours"] == 0


# --- a'): what is received, what is counted apart ---------------------------------------


def test_advertising_and_what_is_not_a_person_are_counted_apart():
    day = "2026-03-02"
    report = run(
        day,
        day,
        [
            person(at(day), 1),
            person(at(day), 2, outcome="reply"),
            person(at(day), outcome="advertising"),
            person(at(day), outcome="advertising"),
            # an agent's mark overrides the filter, either way
            person(at(day), outcome="advertising", mark="not-advertising"),
            person(at(day), 3, mark="advertising"),
            person(at(day), outcome="duplicate"),
            person(at(day), outcome="bounce"),
            person(at(day), outcome="bounce"),
            person(at(day), outcome="quarantine"),
            person(at(day), 4, outcome="unit-answer"),
        ],
    )
    assert report["a_received_per_day"] == {day: 3}
    assert report["advertising_per_day"] == {day: 3}
    totals = report["totals"]
    assert totals["received"] == 3 and totals["advertising"] == 3
    assert (totals["duplicate"], totals["bounce"], totals["quarantine"]) == (1, 2, 1)
    assert totals["unit-answer"] == 1
    # advertising never starts the clock; a reply joins a clock already running
    assert report["deadline"]["cases"] == 2


def test_a_message_is_answered_by_the_first_reply_written_after_it_and_sent():
    monday = "2026-03-02"
    first, second = at(monday, "10:00:00"), at(monday, "11:00:00")
    report = run(
        monday,
        "2026-03-03",
        [
            person(first, 1),
            person(second, 1, outcome="reply"),  # the same case, later
            person(at(monday, "12:00:00"), 2),  # its only reply was written before it came
            person(at("2026-03-03"), 3),  # answered after the period: still counts
            person(at("2026-03-03"), 4),  # never answered
        ],
        replies=[
            Reply(1, at(monday, "11:30:00"), at(monday, "11:31:00")),
            Reply(2, at(monday, "11:59:59"), at(monday, "12:00:30")),
            Reply(3, at("2026-03-10"), at("2026-03-10", "10:00:05")),
        ],
    )
    assert report["a_answered_per_day"] == {monday: 2, "2026-03-03": 1}
    assert report["a_received_per_day"] == {monday: 3, "2026-03-03": 2}
    assert report["totals"]["answered"] == 3 and report["totals"]["unanswered"] == 2
    assert report["totals"]["answered_ratio"] == pytest.approx(0.6)


def test_an_empty_period_has_every_day_and_no_ratio():
    report = run("2026-03-01", "2026-03-03", [])
    assert report["a_received_per_day"] == dict.fromkeys(
        ["2026-03-01", "2026-03-02", "2026-03-03"], 0
    )
    assert report["totals"]["answered_ratio"] is None
    assert report["deadline"]["on_time_ratio"] is None
    assert report["e_forwarded"]["mean_seconds_at_unit"] is None
    assert report["d_by_theme"] == {}


def test_a_period_backwards_is_refused():
    with pytest.raises(ReportError):
        period_of(date(2026, 3, 2), date(2026, 3, 1), "Europe/Lisbon")


# --- d') themes, e') units, the 48-hour clock -------------------------------------------


def test_themes_most_frequent_first_and_unclassified_under_empty():
    day = "2026-03-02"
    report = run(
        day,
        day,
        [
            person(at(day), 1, theme="Marcas"),
            person(at(day), 2, theme="Patentes"),
            person(at(day), 3, theme="Patentes"),
            person(at(day), 4),
            person(at(day), outcome="advertising", theme="Marcas"),
        ],
    )
    assert list(report["d_by_theme"].items()) == [("Patentes", 2), ("", 1), ("Marcas", 1)]


def test_forwarded_to_units_with_the_time_at_the_unit_apart():
    monday, tuesday = "2026-03-02", "2026-03-03"
    report = run(
        monday,
        tuesday,
        [person(at(monday), 1), person(at(monday), 2), person(at(tuesday), 3)],
        forwards=[
            Forward(1, "Marcas", at(monday, "11:00:00"), at(monday, "13:00:00")),  # 2 h
            Forward(1, "Patentes", at(monday, "11:00:00"), None),  # still waiting
            Forward(3, "Marcas", at(tuesday, "11:00:00"), at(tuesday, "17:00:00")),  # 6 h
            Forward(3, "Marcas", at(tuesday, "18:00:00"), at(tuesday, "19:00:00")),  # 1 h
            Forward(99, "Marcas", at(monday), at(tuesday)),  # a case of another period
        ],
    )
    forwarded = report["e_forwarded"]
    assert forwarded["messages"] == 2
    assert forwarded["per_day"] == {monday: 1, tuesday: 1}
    assert (forwarded["forwards"], forwarded["answered"], forwarded["waiting"]) == (4, 3, 1)
    assert forwarded["mean_seconds_at_unit"] == pytest.approx(3 * 3600)
    assert forwarded["median_seconds_at_unit"] == pytest.approx(2 * 3600)
    marcas = forwarded["by_unit"]["Marcas"]
    assert (marcas["forwards"], marcas["answered"], marcas["waiting"]) == (3, 3, 0)
    assert marcas["mean_seconds_at_unit"] == pytest.approx(3 * 3600)
    assert forwarded["by_unit"]["Patentes"]["mean_seconds_at_unit"] is None
    assert list(forwarded["by_unit"]) == ["Marcas", "Patentes"]


def test_the_48_hour_clock():
    day = "2026-03-02"
    due = at("2026-03-04", "10:00:00")
    now = at("2026-03-05")
    report = run(
        day,
        day,
        [
            person(at(day), 1, due_at=due),  # answered exactly at the due instant: on time
            person(at(day), 2, due_at=due),  # answered a second late
            person(at(day), 3, due_at=due),  # not answered, due passed
            person(at(day), 4, due_at=at("2026-03-06")),  # not answered, still on time
            person(at(day), 5),  # a channel without a deadline
            person(at(day), 1, outcome="reply", due_at=due),  # not a clock of its own
        ],
        replies=[
            Reply(1, at("2026-03-03"), due),
            Reply(2, at("2026-03-03"), due + timedelta(seconds=1)),
        ],
        now=now,
    )
    clock = report["deadline"]
    assert clock["cases"] == 5
    assert clock["answered_on_time"] == 1
    assert clock["answered_late"] == 1
    assert clock["open_overdue"] == 1
    assert clock["open_on_time"] == 1
    assert clock["without_deadline"] == 1
    assert clock["on_time_ratio"] == pytest.approx(1 / 3)
    assert clock["as_of"] == now.isoformat()


def test_the_text_a_person_reads():
    day = "2026-12-07"
    report = run(
        day, day, [person(at(day), 1, theme="Marcas"), person(at(day), outcome="advertising")]
    )
    text = cli.report_text(report)
    assert "Relatório de e-mail de 2026-12-07 a 2026-12-07" in text
    assert "2026-12-07  recebidas     1  respondidas     0  publicidade     1" in text
    assert "d') Por tema: Marcas 1" in text


# --- from the database: the command and the console page --------------------------------


@pytest.fixture
def mail_world(db, settings, open_case):
    """A mailbox of an e-mail channel with a week of messages (Lisbon time), known answers,
    a theme, a unit forward, and a second mailbox whose messages must not be counted."""
    from balcao.cases.models import Case, OutboundMail, Workflow
    from balcao.catalog.models import Channel, Service
    from balcao.mail.models import InboundMail, Mailbox, Unit, UnitForward

    settings.TIME_ZONE = "Europe/Lisbon"
    channel = Channel.objects.create(
        slug="email-pt",
        name="E-mail",
        kind="email",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="pt-email-48h",
    )
    box = Mailbox.objects.create(slug="contacto", address="contacto@inpi.pt", channel=channel)
    other = Mailbox.objects.create(slug="outra", address="outra@inpi.pt", channel=channel)
    marcas = Service.objects.create(slug="marcas", name="Marcas")
    uid = iter(range(1, 1000))

    def mail(when, outcome="new-case", case=None, mailbox=box, mark=""):
        row = InboundMail.objects.create(
            mailbox=mailbox, uidvalidity=1, uid=next(uid), raw="x.eml", size=10,
            outcome=outcome, case=case, mark=mark,
        )  # fmt: skip
        InboundMail.objects.filter(pk=row.pk).update(received_at=when)
        return row

    def case(when, due, service=None):
        made = open_case(channel=channel, subject="Pedido")
        Case.objects.filter(pk=made.pk).update(created_at=when, due_at=due, service=service)
        return made

    def reply(on, written, sent, kind="reply"):
        row = OutboundMail.objects.create(
            case=on, kind=kind, to_address="p@example.org", subject="s", body="b",
            message_id=f"<{next(uid)}@balcao>", status="sent", sent_at=sent,
        )  # fmt: skip
        OutboundMail.objects.filter(pk=row.pk).update(created_at=written)

    monday = at("2026-12-07", "10:00:00")  # inside service hours
    early = at("2026-12-07", "08:30:00")  # outside
    holiday = at("2026-12-08", "11:00:00")  # outside: a PT national holiday
    answered = case(monday, at("2026-12-10", "10:00:00"), service=marcas)
    mail(monday, case=answered)
    reply(answered, monday + timedelta(hours=1), monday + timedelta(hours=1, minutes=1))
    late = case(early, at("2026-12-09", "17:00:00"))
    mail(early, case=late)
    reply(late, at("2026-12-11"), at("2026-12-11", "10:00:01"), kind="answer")
    open_ = case(holiday, at("2026-12-11", "11:00:00"))
    mail(holiday, case=open_)
    # an acknowledgement answers nothing; a reply queued (not sent) neither
    reply(open_, holiday, holiday + timedelta(minutes=1), kind="acknowledgement")
    pending = OutboundMail.objects.create(
        case=open_, kind="reply", to_address="p@example.org", subject="s", body="b",
        message_id="<queued@balcao>", status="queued",
    )  # fmt: skip
    assert pending.sent_at is None
    mail(monday, outcome="advertising")
    mail(monday, outcome="bounce")
    mail(monday, case=answered, mailbox=other)
    unit = Unit.objects.create(name="Direção de Marcas", address="marcas@inpi.pt")
    UnitForward.objects.create(
        case=late, unit=unit, token="t1", sent_at=early + timedelta(hours=2),
        answered_at=early + timedelta(hours=5),
    )  # fmt: skip
    return {"box": box, "now": at("2026-12-14")}


def _report_json(*args) -> dict:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("mail", "report", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_the_command_reports_a_mailbox_in_json(mail_world):
    data = _report_json("--from", "2026-12-07", "--to", "2026-12-13", "--mailbox", "contacto")
    assert data["period"] == {
        "from": "2026-12-07",
        "to": "2026-12-13",
        "time_zone": "Europe/Lisbon",
        "mailbox": "contacto",
        "channel": None,
    }
    assert data["a_received_per_day"]["2026-12-07"] == 2
    assert data["a_received_per_day"]["2026-12-08"] == 1
    assert data["a_answered_per_day"]["2026-12-07"] == 2
    assert data["a_answered_per_day"]["2026-12-08"] == 0
    assert data["advertising_per_day"]["2026-12-07"] == 1
    assert (data["b_inside_hours"], data["c_outside_hours"]) == (1, 2)
    assert data["per_hour"]["08"] == 1 and data["per_hour"]["10"] == 1
    assert data["d_by_theme"] == {"": 2, "Marcas": 1}
    forwarded = data["e_forwarded"]
    assert forwarded["messages"] == 1
    assert forwarded["by_unit"]["Direção de Marcas"]["mean_seconds_at_unit"] == 3 * 3600
    clock = data["deadline"]
    assert (clock["cases"], clock["answered_on_time"], clock["answered_late"]) == (3, 1, 1)
    # the holiday's message is unanswered; its due instant depends on the real clock
    assert clock["open_overdue"] + clock["open_on_time"] == 1
    assert data["totals"]["bounce"] == 1
    # all mailboxes: the other mailbox's message joins
    everything = _report_json("--from", "2026-12-07", "--to", "2026-12-13")
    assert everything["a_received_per_day"]["2026-12-07"] == 3


@pytest.mark.django_db
def test_the_command_as_text_and_its_usage_errors(mail_world):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("mail", "report", "--from", "2026-12-07", "--to", "2026-12-07", stdout=out)
    assert "2026-12-07  recebidas     3  respondidas     3  publicidade     1" in out.getvalue()
    with pytest.raises(CommandError) as unknown:
        call_command("mail", "report", "--from", "2026-12-07", "--to", "2026-12-07",
                     "--mailbox", "nenhuma")  # fmt: skip
    assert unknown.value.returncode == 2 and "nenhuma" in str(unknown.value)
    with pytest.raises(CommandError):
        call_command("mail", "report", "--from", "2026-12-08", "--to", "2026-12-07")
    with pytest.raises(CommandError):
        call_command("mail", "report", "--from", "7/12/2026", "--to", "2026-12-07")


@pytest.mark.django_db
def test_the_report_reads_the_database_in_a_fixed_number_of_queries(
    mail_world, django_assert_num_queries
):
    from balcao.mail import reports

    with django_assert_num_queries(4):  # the mailbox checked, messages, replies, forwards
        reports.report(date(2026, 12, 7), date(2026, 12, 13), mailbox="contacto")


@pytest.mark.django_db
def test_the_console_page_and_its_csv(mail_world, staff, verified_client):
    web = verified_client(staff["supervisor"])
    url = "/console/email/relatorio/?de=2026-12-07&ate=2026-12-13&caixa=contacto"
    page = web.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<th scope="row">2026-12-07</th><td>2</td><td>2</td><td>1</td><td>1</td><td>1</td>' in (
        html
    )
    assert "Direção de Marcas" in html and "3 h 00 min" in html
    assert 'value="2026-12-07"' in html  # the date field keeps its ISO value
    download = web.get(url + "&formato=csv")
    assert download["Content-Type"].startswith("text/csv")
    assert "relatorio-email-2026-12-07-2026-12-13.csv" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0][:3] == ["Dia", "Recebidas (a')", "Respondidas (a')"]
    assert rows[1] == ["2026-12-07", "2", "2", "1", "1", "1", "1"]
    assert ["Total", "3", "2", "1", "2", "1", "1"] in rows
    assert ["Marcas", "1"] in rows
    assert ["Respondidas no prazo", "1"] in rows


@pytest.mark.django_db
def test_the_console_page_by_default_and_with_a_period_backwards(staff, verified_client):
    web = verified_client(staff["manager"])
    page = web.get("/console/email/relatorio/")
    assert page.status_code == 200 and "Baixar em CSV" in page.content.decode()
    wrong = web.get("/console/email/relatorio/?de=2026-12-08&ate=2026-12-07").content.decode()
    assert "A data final deve ser igual ou posterior à inicial." in wrong
    assert "Baixar em CSV" not in wrong


@pytest.mark.django_db
def test_who_may_see_the_report(staff, verified_client):
    assert verified_client(staff["agent"]).get("/console/email/relatorio/").status_code == 403
    assert (
        verified_client(staff["knowledge_manager"]).get("/console/email/relatorio/").status_code
        == 403
    )
    assert (
        verified_client(staff["quality_manager"]).get("/console/email/relatorio/").status_code
        == 200
    )
