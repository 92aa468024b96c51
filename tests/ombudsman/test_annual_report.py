"""The annual report of INPI Portaria art. 50 on a known data set (pure, no database)."""

from __future__ import annotations

import csv
import io
from datetime import date

from balcao.ombudsman.annual_report import Declassified, Request, build, csv_rows, suppressed
from balcao.ombudsman.classification import Authority, Degree, classify

PRESIDENT = Authority(president=True)


def _tci(nup, degree, produced, classified, years):
    return classify(
        nup=nup,
        degree=degree,
        category="06",
        legal_ground="Lei 12.527/2011, art. 23, VIII",
        produced_on=produced,
        classified_on=classified,
        years=years,
        reasons="razões que ninguém fora da autoridade lê",
        authority=PRESIDENT,
    )


CLASSIFIED = [
    _tci("52400.000001/2022-01", "reservado", date(2022, 1, 10), date(2022, 1, 20), 5),
    _tci("52400.000002/2025-02", "secreto", date(2025, 6, 1), date(2025, 6, 2), 15),
    # its five years, counted from production, ended on 1 March 2025: declassified
    _tci("52400.000003/2020-03", "reservado", date(2020, 3, 1), date(2020, 3, 2), 5),
    # classified after the period: not in this report
    _tci("52400.000004/2026-04", "reservado", date(2026, 1, 5), date(2026, 1, 6), 5),
]
DECLASSIFIED = [
    Declassified(
        "52400.000003/2020-03", Degree.RESERVADO, "Parecer sobre fraude", date(2025, 3, 1)
    ),
    Declassified("52400.000009/2015-09", Degree.SECRETO, "Contrato antigo", date(2024, 12, 31)),
]
REQUESTS = (
    [Request(date(2025, 2, 1), date(2025, 2, 15), requester_region="RJ") for _ in range(6)]
    + [Request(date(2025, 3, 1), date(2025, 3, 20), denied=True, requester_region="SP")] * 2
    + [Request(date(2025, 12, 20), None, requester_kind="pessoa jurídica")]
    + [Request(date(2024, 12, 31), date(2025, 1, 10), requester_region="RJ")]  # before
)


def test_the_reports_figures_on_a_known_data_set():
    report = build(
        period_end=date(2025, 12, 31),
        classifications=CLASSIFIED,
        declassified=DECLASSIFIED,
        requests=REQUESTS,
    )
    assert report["period"] == {"from": "2025-01-01", "to": "2025-12-31"}
    # I: only what was declassified within the twelve months
    assert [d["identification"] for d in report["declassified"]] == ["52400.000003/2020-03"]
    # II: in force at the end of the period, by degree, with their CIDIC
    reservado = [c["cidic"] for c in report["classified"]["reservado"]]
    assert reservado == ["52400.000001/2022-01.R.06.10/01/2022.10/01/2027.N"]
    assert [c["term_years"] for c in report["classified"]["secreto"]] == [15]
    assert report["classified"]["ultrassecreto"] == []
    # III: received, answered, denied within the period
    assert report["requests"] == {"received": 9, "answered": 8, "denied": 2, "open": 1}
    # IV: groups under five people are not shown
    assert report["requesters"]["by_kind"] == {"pessoa física": 8, "pessoa jurídica": "< 5"}
    assert report["requesters"]["by_region"] == {"RJ": 6, "SP": "< 5", "não informado": "< 5"}


def test_the_csv_holds_the_four_sections_and_never_the_reasons():
    report = build(
        period_end=date(2025, 12, 31),
        classifications=CLASSIFIED,
        declassified=DECLASSIFIED,
        requests=REQUESTS,
    )
    out = io.StringIO()
    csv.writer(out).writerows(csv_rows(report))
    text = out.getvalue()
    for section in ("I - ", "II - ", "III - ", "IV - "):
        assert section in text
    assert "razões" not in text and "52400.000001/2022-01.R.06" in text
    assert "9,8,2,1" in text


def test_small_counts():
    assert [suppressed(n) for n in (0, 1, 4, 5, 12)] == [0, "< 5", "< 5", 5, 12]
