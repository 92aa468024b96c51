"""Figures of the public transparency dashboard (pure: no Django).

Issue 21, "Transparency": a public dashboard like the federal "Painel Resolveu?" —
manifestations by type, channel, subject and month; average answer time; share answered in
time; satisfaction — as charts and as open data (CSV and JSON), with no personal data and
small counts suppressed. Lei 13.460/2017 art. 14 II asks the ombudsman to "elaborar …
relatório de gestão" with the number of manifestations, their reasons and the measures taken;
Lei 12.527/2011 art. 8 asks for this kind of information to be published actively.

:func:`dashboard` takes plain records (one per manifestation, nothing that identifies anyone)
and returns the published figures; any count under :data:`SMALL_COUNT` in a breakdown is
replaced by ``"< 5"`` and the averages of such a group are left out, so that a rare
combination (one denúncia about one unit in one month) cannot point at a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

SMALL_COUNT = 5
# A group hidden only so that a small one cannot be worked out from the total.
SUPPRESSED = "*"
BREAKDOWNS = ("type", "channel", "subject", "month")


@dataclass(frozen=True)
class Record:
    """One manifestation as the dashboard sees it."""

    type: str
    channel: str
    subject: str
    received_at: datetime
    answered_at: datetime | None = None
    due_at: datetime | None = None
    score: int | None = None  # 1..5, the person's rating
    resolved: str | None = None  # "yes" | "partly" | "no"

    @property
    def month(self) -> str:
        return f"{self.received_at:%Y-%m}"


def _summary(records: list[Record]) -> dict[str, object]:
    answered = [(r, r.answered_at) for r in records if r.answered_at is not None]
    in_time = [at <= r.due_at for r, at in answered if r.due_at is not None]
    scores = [r.score for r in records if r.score is not None]
    verdicts = [r.resolved for r in records if r.resolved is not None]
    days = [(at - r.received_at).total_seconds() / 86400 for r, at in answered]
    return {
        "count": len(records),
        "answered": len(answered),
        "average_answer_days": round(sum(days) / len(days), 1) if days else None,
        "answered_in_time": round(sum(in_time) / len(in_time), 3) if in_time else None,
        # the people's own answers: published only when at least SMALL_COUNT gave one, so
        # that a filter cannot show one person's rating
        "average_score": (
            round(sum(scores) / len(scores), 2) if len(scores) >= SMALL_COUNT else None
        ),
        "resolved": (
            {v: round(verdicts.count(v) / len(verdicts), 3) for v in ("yes", "partly", "no")}
            if len(verdicts) >= SMALL_COUNT
            else None
        ),
    }


def _published(summary: dict[str, object]) -> dict[str, object]:
    """A group's figures as published: under SMALL_COUNT, only "< 5" and nothing else."""
    count = summary["count"]
    if isinstance(count, int) and 0 < count < SMALL_COUNT:
        return {"count": f"< {SMALL_COUNT}"}
    return summary


def dashboard(records: Iterable[Record], *, part: bool = False) -> dict[str, object]:
    """Totals, then each breakdown (by type, channel, subject, month) with its groups.

    ``part``: the records are a part of the whole (one year, one type of manifestation), so
    their total is a group like any other and is suppressed under :data:`SMALL_COUNT` too —
    otherwise "the denúncias of 2024" would publish the figures of a single denúncia."""
    rows = list(records)
    total = _summary(rows)
    result: dict[str, object] = {"total": _published(total) if part else total}
    for key in BREAKDOWNS:
        groups: dict[str, list[Record]] = defaultdict(list)
        for record in rows:
            groups[getattr(record, key)].append(record)
        result[key] = _suppress_complement(
            {name: _summary(items) for name, items in sorted(groups.items())}
        )
    return result


def _is_small(summary: dict[str, object]) -> bool:
    count = summary["count"]
    return isinstance(count, int) and 0 < count < SMALL_COUNT


def _suppress_complement(groups: dict[str, dict[str, object]]) -> dict[str, object]:
    """The groups of one breakdown as published. When exactly one group is small, the total
    minus the others would give its count back: the next smallest group is suppressed with
    it (secondary suppression, as statistical offices do)."""
    small = [name for name, summary in groups.items() if _is_small(summary)]
    if len(small) == 1:
        others = sorted(
            (summary["count"], name)
            for name, summary in groups.items()
            if name not in small and isinstance(summary["count"], int) and summary["count"]
        )
        if others:
            small.append(others[0][1])
    return {
        name: (
            {"count": f"< {SMALL_COUNT}"}
            if name in small and _is_small(summary)
            else {"count": SUPPRESSED}
            if name in small
            else summary
        )
        for name, summary in groups.items()
    }


def csv_rows(figures: dict[str, object]) -> list[list[object]]:
    """Open data as one table: breakdown, group, count, answered, average days, in time,
    average score (blank where suppressed or unknown)."""
    header: list[object] = [
        *("recorte", "grupo", "quantidade", "respondidas"),
        *("dias_em_media", "no_prazo", "nota_media"),
    ]
    rows: list[list[object]] = [header]

    def row(breakdown: str, group: str, s: dict) -> list[object]:
        return [
            breakdown,
            group,
            s["count"],
            s.get("answered", ""),
            s.get("average_answer_days") if s.get("average_answer_days") is not None else "",
            s.get("answered_in_time") if s.get("answered_in_time") is not None else "",
            s.get("average_score") if s.get("average_score") is not None else "",
        ]

    rows.append(row("total", "", figures["total"]))  # type: ignore[arg-type]
    for key in BREAKDOWNS:
        for group, summary in figures[key].items():  # type: ignore[attr-defined]
            rows.append(row(key, group, summary))
    return rows
