"""The annual report on classified information and access requests (pure: no Django).

INPI Portaria (seed ``001_…txt``), art. 50: the monitoring authority sends the Presidency,
every year, a report with

* "I - rol das informações desclassificadas nos últimos doze meses, contendo: a) dados que
  identifiquem o documento desclassificado; b) grau de sigilo ao qual o documento
  desclassificado ficou submetido; e c) breve resumo do documento desclassificado";
* "II - rol das informações classificadas em cada grau de sigilo, contendo: a) [o] CIDIC;
  b) categoria …; c) indicação do dispositivo legal que fundamenta a classificação; d) datas da
  produção e classificação …; e e) prazo da classificação";
* "III - estatísticas, com a quantidade de pedidos de acesso a dados ou informações públicas
  recebidos, tratados e indeferidos"; and
* "IV - estatísticas agregadas dos usuários do SIC" —

published on the agency's portal (art. 50, parágrafo único). Being public, the requesters'
statistics never show a group of fewer than :data:`SMALL_COUNT` people (it is shown as
``"< 5"``), so that nobody can be singled out.

:func:`build` computes the report from plain records; :func:`csv_rows` lays it out for the
CSV export. The Django side feeds it from the database and renders the page and the PDF.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from balcao.ombudsman.classification import Classification, Degree, add_years

#: Groups smaller than this are shown as "< 5" in anything published.
SMALL_COUNT = 5


@dataclass(frozen=True)
class Declassified:
    """A document declassified: what identifies it, the degree it had, a short summary."""

    identification: str  # its NUP / CIDIC
    degree: Degree
    summary: str
    declassified_on: date


@dataclass(frozen=True)
class Request:
    """An access-to-information request as the statistics count it."""

    received_on: date
    answered_on: date | None = None
    denied: bool = False  # access denied, in whole (the answer's type)
    requester_kind: str = "pessoa física"  # or "pessoa jurídica"
    requester_region: str = ""  # e.g. the state (UF), when the person gave it


def suppressed(count: int) -> int | str:
    """``count``, or ``"< 5"`` when it could single someone out."""
    return count if count == 0 or count >= SMALL_COUNT else f"< {SMALL_COUNT}"


def build(
    *,
    period_end: date,
    classifications: Iterable[Classification],
    declassified: Iterable[Declassified],
    requests: Iterable[Request],
) -> dict:
    """The report for the twelve months ending on ``period_end`` (included)."""
    start = add_years(period_end, -1)  # the day before the period begins

    def in_period(day: date | None) -> bool:
        return day is not None and start < day <= period_end

    declassified_rows = [
        {
            "identification": d.identification,
            "degree": d.degree.value,
            "summary": d.summary,
            "declassified_on": d.declassified_on.isoformat(),
        }
        for d in sorted(declassified, key=lambda d: (d.declassified_on, d.identification))
        if in_period(d.declassified_on)
    ]
    in_force = [
        c
        for c in classifications
        if c.classified_on <= period_end and c.declassified_on > period_end
    ]
    by_degree: dict[str, list[dict[str, str | int]]] = {d.value: [] for d in Degree}
    for c in sorted(in_force, key=lambda c: (c.classified_on, c.cidic)):
        by_degree[c.degree.value].append(
            {
                "cidic": c.cidic,
                "category": c.category,
                "legal_ground": c.legal_ground,
                "produced_on": c.produced_on.isoformat(),
                "classified_on": c.classified_on.isoformat(),
                "term_years": c.years,
                "declassified_on": c.declassified_on.isoformat(),
            }
        )
    received = [r for r in requests if in_period(r.received_on)]
    answered = [r for r in received if in_period(r.answered_on)]
    return {
        "period": {"from": _next_day(start).isoformat(), "to": period_end.isoformat()},
        "declassified": declassified_rows,
        "classified": by_degree,
        "requests": {
            "received": len(received),
            "answered": len(answered),
            "denied": sum(1 for r in answered if r.denied),
            "open": len(received) - len(answered),
        },
        "requesters": {
            "by_kind": _groups(r.requester_kind for r in received),
            "by_region": _groups(r.requester_region or "não informado" for r in received),
        },
    }


def _next_day(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _groups(values: Iterable[str]) -> dict[str, int | str]:
    counts = Counter(values)
    return {key: suppressed(n) for key, n in sorted(counts.items())}


def csv_rows(report: Mapping) -> Sequence[Sequence[object]]:
    """The report as rows for one CSV file: a section name, then its table."""
    rows: list[list[object]] = [
        ["período", report["period"]["from"], report["period"]["to"]],
        [],
        ["I - informações desclassificadas nos últimos doze meses"],
        ["identificação", "grau", "resumo", "desclassificada em"],
    ]
    rows += [
        [d["identification"], d["degree"], d["summary"], d["declassified_on"]]
        for d in report["declassified"]
    ]
    rows += [
        [],
        ["II - informações classificadas em cada grau de sigilo"],
        ["grau", "CIDIC", "categoria", "fundamento legal", "produção", "classificação", "prazo"],
    ]
    for degree, items in report["classified"].items():
        rows += [
            [
                degree,
                c["cidic"],
                c["category"],
                c["legal_ground"],
                c["produced_on"],
                c["classified_on"],
                f"{c['term_years']} anos (até {c['declassified_on']})",
            ]
            for c in items
        ]
    stats = report["requests"]
    rows += [
        [],
        ["III - pedidos de acesso à informação"],
        ["recebidos", "tratados", "indeferidos", "em aberto"],
        [stats["received"], stats["answered"], stats["denied"], stats["open"]],
        [],
        ["IV - usuários do SIC (grupos com menos de 5 pessoas não são mostrados)"],
    ]
    for title, groups in (
        ("tipo", report["requesters"]["by_kind"]),
        ("região", report["requesters"]["by_region"]),
    ):
        rows += [[title, key, count] for key, count in groups.items()]
    return rows
