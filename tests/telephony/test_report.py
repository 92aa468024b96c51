"""``balcao report contact-center``: the tender's indicators (seed 003, item 13.1) from
imported queue_logs, checked value by value against logs whose answers are known — by hand,
or by the simulated weeks' own record (tests/telephony/weeks.py) — through the command's
JSON, and the same report as CSV, HTML and PDF
(../shared/contracts/contact-centre-report.md)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from balcao.telephony.indicators import LABELS
from tests.conftest import shared_data
from tests.telephony.weeks import LISBON, UTC, Log, expected, local, simulated_week

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lisbon(settings):
    settings.TIME_ZONE = "Europe/Lisbon"


def imported(path, *extra):
    call_command(
        "telephony", "import-queue-log", str(path), *extra, stdout=io.StringIO(),
        stderr=io.StringIO(),
    )  # fmt: skip


def report(start: date, end: date, fmt: str = "json", output=None):
    out = io.StringIO()
    args = ["contact-center", "--from", start.isoformat(), "--to", end.isoformat()]
    args += ["--format", fmt] + (["--output", str(output)] if output else [])
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    if output:
        assert out.getvalue() == ""
        return None
    if fmt == "json":
        return json.loads(out.getvalue())
    return out.getvalue()


def values(start: date, end: date) -> dict:
    data = report(start, end)
    assert list(data["indicators"]) == list(LABELS)
    for item in data["indicators"].values():
        assert set(item) == {"label", "value"} and item["label"]
    return {key: item["value"] for key, item in data["indicators"].items()}


def assert_same(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key, value in want.items():
        if isinstance(value, float) and value is not None:
            assert got[key] == pytest.approx(value), key
        else:
            assert got[key] == value, key
        if key in "acdefghijklmnopqr" or key in ("ee", "ff", "z"):
            assert isinstance(got[key], int) and not isinstance(got[key], bool), key


TUESDAY = date(2025, 2, 11)  # Lisbon is on UTC in February


def test_a_hand_made_day_gives_the_values_worked_out_by_hand(tmp_path):
    log = Log(queue="suporte")
    log.session("ana", local(TUESDAY, 8, 55), local(TUESDAY, 17, 5))
    log.session("rui", local(TUESDAY, 8, 58), local(TUESDAY, 17, 6))
    log.pause("ana", local(TUESDAY, 12), local(TUESDAY, 12, 30))
    log.call(local(TUESDAY, 9, 10), answer=8, talk=300, hold=((112, 40),), wrapup=45,
             topic="Marcas", agent="PJSIP/ana")  # fmt: skip
    log.call(local(TUESDAY, 10, 20), answer=20, talk=120, wrapup=30, topic="Patentes",
             completion="COMPLETECALLER", agent="PJSIP/rui")  # fmt: skip
    log.call(local(TUESDAY, 11, 5), abandon=12)
    log.call(local(TUESDAY, 14), exit_after=300)
    log.call(local(TUESDAY, 15, 30), answer=70, talk=300, topic="Marcas", agent="PJSIP/ana")
    log.call(local(TUESDAY, 18, 30), abandon=3, callback=True)
    imported(log.write(tmp_path / "queue_log"), "--tz", "Europe/Lisbon")
    got = values(TUESDAY, TUESDAY)
    ana, rui = (8 * 3600 + 10 * 60), (8 * 3600 + 8 * 60)
    assert_same(
        got,
        {
            "a": 6,
            "b": {"09": 1, "10": 1, "11": 1, "14": 1, "15": 1, "18": 1},
            "c": 5,
            "d": 1,
            "e": 3,
            "f": 0,
            "g": 0,
            "h": 1,
            "i": 1,
            "j": 0,
            "k": 1,
            "l": 2,
            "m": 1,
            "n": 1,
            "o": 0,
            "p": 0,
            "q": 0,
            "r": 3,
            "s": 3 / 6,
            "t": 3 / (6 - 2),
            "u": 2 / (6 - 2),
            "v": (8 + 20 + 70 + 12 + 3) / 5,
            "w": 98 / 3,
            "x": 15 / 2,
            "y": 720 / 3,
            "z": 8,
            "aa": 720,
            "bb": 40 / 3,
            "cc": 75 / 3,
            "dd": 240 + 40 / 3 + 25,
            "ee": ana + rui,
            "ff": ana + rui - 1800,
            "gg": 98 / 3,
            "hh": {"2025-02-11": "09"},
            "ii": {"Marcas": 2, "Patentes": 1},
        },
    )
    assert report(TUESDAY, TUESDAY)["callbacks"]["requested"] == 1
    assert values(TUESDAY + timedelta(days=1), TUESDAY + timedelta(days=1))["a"] == 0


def test_a_period_with_no_calls_has_null_means_and_proportions():
    got = values(TUESDAY, TUESDAY)
    assert got["a"] == got["e"] == got["ee"] == 0
    for key in ("s", "t", "u", "v", "w", "x", "y", "bb", "cc", "dd", "gg"):
        assert got[key] is None, key
    assert got["b"] == got["hh"] == got["ii"] == {}
    assert got["z"] == 8


WEEKS = [
    pytest.param(date(2025, 2, 10), id="february"),
    pytest.param(date(2025, 3, 24), id="spring-forward-sunday-2025-03-30"),
    pytest.param(date(2025, 10, 20), id="fall-back-sunday-2025-10-26"),
    pytest.param(date(2025, 4, 21), id="25-april-holiday"),
    pytest.param(date(2025, 12, 22), id="christmas"),
]


@pytest.mark.parametrize("monday", WEEKS)
def test_simulated_weeks_match_their_known_answers(tmp_path, monday):
    """A realistic week (weeks.simulated_week; one call crossing Sunday midnight), written
    with corrupt lines, imported in two parts as it grows: the week, each of its days and
    the weekend give what the generator made."""
    log = simulated_week(monday, seed=monday.toordinal())
    data = log.text().encode().splitlines(keepends=True)
    data.insert(len(data) // 3, b"\x00\x00\x00\x00\x00\x00\n")
    data.insert(len(data) // 2, b"1742000000|broken\n")
    path = tmp_path / "queue_log"
    cut = len(data) * 2 // 3
    path.write_bytes(b"".join(data[:cut]))
    imported(path)
    path.write_bytes(b"".join(data))
    imported(path)
    sunday = monday + timedelta(days=6)
    periods = [(monday, sunday), (monday + timedelta(days=5), sunday)]
    periods += [(monday + timedelta(days=n),) * 2 for n in range(7)]
    for start, end in periods:
        assert_same(values(start, end), expected(log, start, end))


def test_summer_time_days_count_by_local_hour_and_last_23_or_25_hours(tmp_path):
    spring, autumn = date(2025, 3, 30), date(2025, 10, 26)
    log = Log()
    log.call(datetime(2025, 3, 30, 0, 30, tzinfo=UTC), answer=1)  # 00:30 WET
    log.call(datetime(2025, 3, 30, 1, 30, tzinfo=UTC), answer=1)  # 02:30 WEST
    log.call(datetime(2025, 3, 30, 22, 59, tzinfo=UTC), answer=1)  # 23:59 WEST
    log.call(datetime(2025, 10, 25, 23, 30, tzinfo=UTC), answer=1)  # 00:30 WEST, the 26th
    log.call(datetime(2025, 10, 26, 0, 30, tzinfo=UTC), answer=1)  # 01:30 WEST
    log.call(datetime(2025, 10, 26, 1, 30, tzinfo=UTC), answer=1)  # 01:30 WET
    log.session("101", local(date(2025, 3, 29), 20), None)  # logged in throughout
    imported(log.write(tmp_path / "queue_log"))
    got = values(spring, spring)
    assert (got["a"], got["b"], got["ee"]) == (3, {"00": 1, "02": 1, "23": 1}, 23 * 3600)
    assert got["hh"] == {"2025-03-30": "00"}
    got = values(autumn, autumn)
    assert (got["a"], got["b"], got["ee"], got["ff"]) == (3, {"00": 1, "01": 2}, 90000, 90000)
    assert got["hh"] == {"2025-10-26": "01"}
    assert values(date(2025, 10, 25), date(2025, 10, 25))["a"] == 0


def test_a_call_crossing_midnight_counts_on_the_day_it_entered(tmp_path):
    friday = date(2025, 2, 14)
    log = Log()
    log.call(local(friday, 23, 59, 50), answer=25, talk=600, wrapup=40, topic="Marcas")
    log.call(local(friday, 23, 59, 55), abandon=70)
    imported(log.write(tmp_path / "queue_log"))
    got = values(friday, friday)
    assert (got["a"], got["e"], got["l"], got["q"], got["aa"], got["cc"]) == (2, 1, 1, 1, 600, 40)
    assert (got["d"], got["ii"], got["hh"]) == (2, {"Marcas": 1}, {"2025-02-14": "23"})
    assert values(friday + timedelta(days=1), friday + timedelta(days=1))["a"] == 0


def test_holidays_and_weekends_are_outside_service_hours(tmp_path):
    log = Log()
    for day in (date(2025, 4, 24), date(2025, 4, 25), date(2025, 4, 26)):  # Thu, holiday, Sat
        log.call(local(day, 10), answer=1)
    log.call(local(date(2025, 4, 24), 8, 59, 59), answer=1)
    log.call(local(date(2025, 4, 24), 17), answer=1)
    imported(log.write(tmp_path / "queue_log"))
    got = values(date(2025, 4, 21), date(2025, 4, 27))
    assert (got["a"], got["c"], got["d"], got["z"]) == (5, 1, 4, 4 * 8)


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


@pytest.fixture
def a_day(tmp_path):
    log = Log()
    log.call(local(TUESDAY, 10), answer=4, talk=90, topic="Marcas")
    log.call(local(TUESDAY, 10, 30), abandon=20)
    imported(log.write(tmp_path / "queue_log"))


def test_csv_has_one_row_per_indicator(a_day):
    rows = list(csv.reader(io.StringIO(report(TUESDAY, TUESDAY, "csv"))))
    assert rows[0] == ["indicador", "descrição", "valor"]
    by_letter = {row[0]: row for row in rows[1:]}
    assert list(by_letter) == list(LABELS)
    assert by_letter["a"] == ["a", LABELS["a"], "2"]
    assert float(by_letter["t"][2]) == 1.0 and by_letter["x"][2] == "20.0"
    assert json.loads(by_letter["ii"][2]) == {"Marcas": 1}
    assert by_letter["bb"][2] == "0.0"


def test_html_is_a_complete_accessible_document(a_day, tmp_path):
    html = report(TUESDAY, TUESDAY, "html")
    assert html.lstrip().lower().startswith("<!doctype html>")
    page = _Page()
    page.feed(html)
    tags = dict(page.tags)
    assert tags["html"]["lang"] and "title" in tags and "caption" in tags and "h1" in tags
    assert sum(1 for tag, attrs in page.tags if tag == "th" and attrs.get("scope") == "row") == 35
    text = " ".join(" ".join(page.text).split())
    assert LABELS["ii"] in text and "Marcas: 1" in text and "50,0 %" in text
    path = tmp_path / "report.html"
    report(TUESDAY, TUESDAY, "html", output=path)
    written = path.read_text(encoding="utf-8")
    assert written.startswith("<!doctype html>") and LABELS["ii"] in written


def test_pdf_holds_the_indicators_as_text(a_day, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "report.pdf"
    report(TUESDAY, TUESDAY, "pdf", output=path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and b"%%EOF" in data[-1024:]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    text = " ".join(text.split())
    assert "Relatório da central de atendimento telefônico" in text
    assert "2025-02-11" in text and "Número de chamadas recebidas 2" in text
    assert "Marcas: 1" in text and "50,0 %" in text


def test_json_to_a_file_and_bad_arguments(a_day, tmp_path):
    path = tmp_path / "report.json"
    report(TUESDAY, TUESDAY, "json", output=path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["indicators"]["a"]["value"] == 2
    assert data["period"] == {
        "from": "2025-02-11",
        "to": "2025-02-11",
        "time_zone": "Europe/Lisbon",
    }
    with pytest.raises(CommandError, match="anterior"):
        report(TUESDAY, TUESDAY - timedelta(days=1))
    with pytest.raises(CommandError, match="data inválida"):
        call_command("report", "contact-center", "--from", "2025-02-30", "--to", "2025-03-01")
    with pytest.raises(CommandError, match="--output"):
        report(TUESDAY, TUESDAY, "pdf")


def test_the_public_real_queue_log(tmp_path):
    """../shared/data/queue_log (its README: duplicates, orphans, steps back in time): two
    calls entered on 2018-12-28, both answered; the orphans count nowhere."""
    path = shared_data("queue_log", "asterisk2slack_fixture.queue_log")
    out, err = io.StringIO(), io.StringIO()
    call_command("telephony", "import-queue-log", str(path), stdout=out, stderr=err)
    assert "23 linha(s) nova(s)" in out.getvalue() and "2 em branco, 0 com erro" in out.getvalue()
    day = date(2018, 12, 28)
    got = values(day, day)
    assert (got["a"], got["e"], got["l"], got["r"], got["h"]) == (2, 2, 0, 0, 2)
    assert (got["w"], got["y"], got["aa"], got["c"], got["d"]) == (12, 122, 122, 1, 1)
    assert got["b"] == {"16": 1, "20": 1} and got["hh"] == {"2018-12-28": "16"}
    assert (got["s"], got["t"], got["u"], got["x"]) == (0.0, 1.0, 1.0, None)
    assert (got["ee"], got["ff"], got["ii"]) == (0, 0, {})
    assert datetime.fromtimestamp(1546015415, LISBON).hour == 16  # Lisbon is on UTC in December


def test_the_email_items_join_once_a_mailbox_exists(helpdesk_channel, settings, tmp_path):
    """13.1 a')–e' (issue 23: "and a'…e' for e-mail when the e-mail channel exists"): absent
    while the agency reads no e-mail; with a mailbox, the e-mail report's figures for the same
    days — a person's message on a Tuesday at 10:00 and one at 20:00, one advertisement left
    out — in every format."""
    from balcao.mail.models import Mailbox
    from balcao.mail.services import ingest
    from tests.mail.test_advertising import raw_mail

    settings.BALCAO_MAIL_SPAMC = False
    assert "a'" not in report(TUESDAY, TUESDAY)["indicators"]
    mailbox = Mailbox.objects.create(
        slug="contato", address="contato@agencia.gov.br", channel=helpdesk_channel
    )
    for uid, (hour, sender, extra) in enumerate(
        [
            (10, "ana@example.org", {}),
            (20, "rui@example.org", {}),
            (11, "ofertas@loja.example", {"List_Unsubscribe": "<https://loja.example/sair>"}),
        ],
        start=1,
    ):
        raw = raw_mail(f"Assunto {uid}", "Texto.", sender=sender, msgid=f"<m{uid}@x>", **extra)
        row = ingest(mailbox, raw, uidvalidity=1, uid=uid)
        type(row).objects.filter(pk=row.pk).update(received_at=local(TUESDAY, hour))
    items = report(TUESDAY, TUESDAY)["indicators"]
    assert list(items)[-5:] == ["a'", "b'", "c'", "d'", "e'"]
    day = TUESDAY.isoformat()
    assert items["a'"]["value"] == {day: {"received": 2, "answered": 0}}
    assert (items["b'"]["value"], items["c'"]["value"], items["e'"]["value"]) == (1, 1, 0)
    assert items["d'"]["value"] == {"": 2}
    assert "correio eletrónico" in items["a'"]["label"]
    assert "a'" in report(TUESDAY, TUESDAY, "csv") and "2 recebidas, 0 respondidas" in report(
        TUESDAY, TUESDAY, "html"
    )
