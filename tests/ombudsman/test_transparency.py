"""Figures of the public transparency dashboard (issue 21) on a known data set: no personal
data, groups under five suppressed. Pure: no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from balcao.ombudsman.transparency import Record, csv_rows, dashboard

T0 = datetime(2026, 3, 2, 12, tzinfo=UTC)


def _record(kind, days, *, due_days=20, score=None, resolved=None, month_shift=0, subject="marcas"):
    received = T0 + timedelta(days=31 * month_shift)
    return Record(
        type=kind,
        channel="ouvidoria",
        subject=subject,
        received_at=received,
        answered_at=received + timedelta(days=days) if days is not None else None,
        due_at=received + timedelta(days=due_days),
        score=score,
        resolved=resolved,
    )


COMPLAINTS = [(10, 4, "yes"), (15, 3, "partly"), (25, 1, "no"), (20, 5, "yes"), (5, 4, "yes")]
RECORDS = (
    [_record("reclamacao", d, score=s, resolved=r) for d, s, r in COMPLAINTS]
    + [_record("denuncia", 30, subject="fraude")]  # one denúncia: never shown on its own
    + [_record("elogio", None, month_shift=1) for _ in range(5)]
)


def test_totals_and_each_breakdown():
    figures = dashboard(RECORDS)
    total = figures["total"]
    assert total["count"] == 11 and total["answered"] == 6
    assert total["average_answer_days"] == round((10 + 15 + 25 + 20 + 5 + 30) / 6, 1)
    assert total["answered_in_time"] == round(4 / 6, 3)  # 25 and 30 days are late
    assert total["average_score"] == 3.4
    assert total["resolved"] == {"yes": 0.6, "partly": 0.2, "no": 0.2}
    assert figures["type"]["reclamacao"]["count"] == 5
    # the one denúncia is the only small group: the next smallest (elogio, 5, before
    # reclamação by name) is hidden with it, or total − the others would give it back
    assert figures["type"]["elogio"] == {"count": "*"}
    assert figures["month"]["2026-04"]["count"] == 5


def test_a_group_under_five_shows_no_figure_but_the_suppressed_count():
    figures = dashboard(RECORDS)
    assert figures["type"]["denuncia"] == {"count": "< 5"}
    assert figures["subject"]["fraude"] == {"count": "< 5"}
    rows = csv_rows(figures)
    assert rows[0][0] == "recorte" and ["type", "denuncia", "< 5", "", "", "", ""] in rows


def test_nothing_received_gives_empty_figures():
    figures = dashboard([])
    assert figures["total"]["count"] == 0 and figures["total"]["average_answer_days"] is None
    assert figures["type"] == {}


def test_a_part_of_the_whole_has_its_total_suppressed_under_five_too():
    """One year or one type (the dashboard's filters): the single denúncia's figures must
    not come back as the "total" of the denúncias."""
    denuncias = [r for r in RECORDS if r.type == "denuncia"]
    assert dashboard(denuncias, part=True)["total"] == {"count": "< 5"}
    assert dashboard(denuncias)["total"]["count"] == 1  # the whole is published as it is
    complaints = dashboard([r for r in RECORDS if r.type == "reclamacao"], part=True)
    assert complaints["total"]["count"] == 5 and complaints["total"]["average_score"] == 3.4
    assert dashboard([], part=True)["total"]["count"] == 0
    rows = csv_rows(dashboard(denuncias, part=True))
    assert rows[1] == ["total", "", "< 5", "", "", "", ""]


def test_secondary_suppression_only_when_a_single_group_is_small():
    from datetime import datetime

    from balcao.ombudsman.transparency import Record

    at = datetime(2026, 5, 4, 10, 0)

    def records(kind, n):
        return [Record(type=kind, channel="ouvidoria", subject="x", received_at=at)] * n

    one_small = dashboard(records("a", 1) + records("b", 6) + records("c", 9))["type"]
    assert one_small == {"a": {"count": "< 5"}, "b": {"count": "*"}, "c": one_small["c"]}
    assert one_small["c"]["count"] == 9
    two_small = dashboard(records("a", 1) + records("b", 2) + records("c", 9))["type"]
    assert two_small["a"] == two_small["b"] == {"count": "< 5"} and two_small["c"]["count"] == 9
    alone = dashboard(records("a", 3))["type"]
    assert alone == {"a": {"count": "< 5"}}
    # ratings and "Resolveu?" need five answers before they are published
    rated = [
        Record(type="a", channel="o", subject="x", received_at=at, score=5, resolved="yes")
    ] * 4 + records("a", 3)
    assert dashboard(rated)["total"]["average_score"] is None
    assert dashboard(rated)["total"]["resolved"] is None
