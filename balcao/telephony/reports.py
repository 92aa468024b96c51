"""The contact-centre report (``services.contact_centre_report``) written out as JSON, CSV,
HTML or PDF (issue 23: ``balcao report contact-center … --format json|csv|pdf|html``).

JSON is the contract's shape (``../shared/contracts/contact-centre-report.md``) with the raw
values; CSV has one row per indicator (letter, label, value — maps as JSON text); HTML is a
complete document with the indicators in one table, and PDF is that document printed by
WeasyPrint, with nothing fetched from the network or the disk.
"""

from __future__ import annotations

import csv
import io
import json

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.translation import gettext as _

FORMATS = ("json", "csv", "html", "pdf")
PROPORTIONS = frozenset({"s", "t", "u"})
SECONDS = frozenset({"v", "w", "x", "y", "aa", "bb", "cc", "dd", "ee", "ff", "gg"})
MAPS = frozenset({"b", "hh", "ii", "a'", "d'"})


def render(data: dict, fmt: str) -> bytes:
    """``data`` (a report) as the bytes of a ``fmt`` document."""
    if fmt == "json":
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()
    if fmt == "csv":
        return as_csv(data).encode()
    if fmt == "html":
        return as_html(data).encode()
    if fmt == "pdf":
        return as_pdf(data)
    raise ValueError(fmt)


def as_csv(data: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_("indicador"), _("descrição"), _("valor")])
    for letter, item in data["indicators"].items():
        value = item["value"]
        if isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False)
        elif value is None:
            value = ""
        writer.writerow([letter, item["label"], value])
    return out.getvalue()


def _number(value: float, decimals: int = 1) -> str:
    """Rounded (Django's ``number_format`` cuts a float's decimals: 66.67 % read 66,6 %)."""
    return formats.number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True)


def _duration(seconds: float) -> str:
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def display(letter: str, value) -> str | list[tuple[str, str]]:
    """How a person reads one indicator's value (maps become (key, value) pairs)."""
    if value is None:
        return "—"
    if letter in MAPS:
        if letter == "b":
            return [(_("%(hour)s h") % {"hour": hour}, str(count)) for hour, count in value.items()]
        if letter == "a'":
            return [
                (day, _("%(received)s recebidas, %(answered)s respondidas") % counts)
                for day, counts in value.items()
            ]
        if letter == "d'":
            return [(theme or _("(sem tema)"), str(count)) for theme, count in value.items()]
        if letter == "hh":
            return [(day, _("%(hour)s h") % {"hour": hour}) for day, hour in value.items()]
        return [(topic or _("(sem assunto)"), str(count)) for topic, count in value.items()]
    if letter in PROPORTIONS:
        return _("%(percent)s %%") % {"percent": _number(value * 100)}
    if letter in SECONDS:
        text = _("%(seconds)s s") % {"seconds": _number(value)}
        return f"{text} ({_duration(value)})" if value >= 60 else text
    if letter == "z":
        return _("%(hours)s h") % {"hours": value}
    return str(value)


def _context(data: dict) -> dict:
    rows = [
        {"letter": letter, "label": item["label"], "value": display(letter, item["value"])}
        for letter, item in data["indicators"].items()
    ]
    for row in rows:
        row["is_map"] = isinstance(row["value"], list)
    return {"report": data, "rows": rows, "period": data["period"]}


def as_html(data: dict) -> str:
    return render_to_string("telephony/contact_centre_report.html", _context(data))


def as_pdf(data: dict) -> bytes:
    """The HTML report printed by WeasyPrint. Its fetcher accepts ``data:`` URLs only and
    the stylesheet is given as text, so a topic's text can make it read nothing (as the
    ombudsman's printed annual report does)."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    html = render_to_string("telephony/contact_centre_report.html", _context(data))
    css = render_to_string("telephony/contact_centre_report_print.css")
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=fetcher)]
    )
