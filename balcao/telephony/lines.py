"""Whether a phone line is open, and what callers hear when it is not (issue 23, "Hours and
messages"; seed 003: atendimento de segunda a sexta, das 9h às 17h, exceto feriados
nacionais, com mensagem fora do horário, em português e em inglês).

The PBX's dialplan asks ``GET /api/v1/telephony/open-now?line=…`` (``balcao.telephony.api``)
before queueing a call; the answer comes from the line's business calendar (its opening
hours, holidays and closures) or, when the line has none, from the country's (the agency's
default calendar for that country, else the national one).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from balcao.deadlines.calendar import BusinessCalendar
from balcao.deadlines.services import calendar_for_country, calendar_from_model
from balcao.telephony.models import Line

#: The languages tried after the one asked for, in order (seed 003: Portuguese and English).
FALLBACK_LANGUAGES = ("pt-pt", "pt-br", "en")


def active_line(slug: str) -> Line | None:
    """The active line the PBX calls ``slug`` (None when unknown or switched off)."""
    return Line.objects.select_related("calendar").filter(slug=slug, active=True).first()


def line_calendar(line: Line) -> BusinessCalendar:
    """The calendar that says when ``line`` is open."""
    if line.calendar is not None:
        return calendar_from_model(line.calendar)
    return calendar_for_country(line.country)


def normalise_language(code: str | None) -> str:
    """``pt_PT``, ``PT-pt`` → ``pt-pt``; empty for nothing."""
    return (code or "").strip().lower().replace("_", "-")


def pick_message(texts: dict | None, language: str | None) -> tuple[str | None, str | None]:
    """The text of ``texts`` (language → text) for ``language``, else its base language
    (``pt`` for ``pt-ao``), else the first of ``FALLBACK_LANGUAGES`` configured; with the
    language actually chosen. (None, None) when none is configured."""
    if not isinstance(texts, dict):
        return None, None
    configured = {
        normalise_language(code): text
        for code, text in texts.items()
        if isinstance(text, str) and text.strip()
    }
    wanted = normalise_language(language)
    candidates = [wanted, wanted.split("-")[0]] if wanted else []
    for code in (*candidates, *FALLBACK_LANGUAGES):
        if code and code in configured:
            return configured[code], code
    return None, None


def open_now(line: Line, *, language: str | None = None, now: datetime | None = None) -> dict:
    """The answer to the dialplan: ``{"line", "open", "now", "next_open", "message",
    "language"}``. ``next_open`` (when closed) is the start of the next opening period;
    ``message`` is the line's after-hours text in ``language`` (with the fallback of
    ``pick_message``) and only when closed; times are ISO 8601 in the calendar's zone."""
    calendar = line_calendar(line)
    moment = calendar.local(now or timezone.now())
    is_open = calendar.is_open(moment)
    next_open = message = chosen = None
    if not is_open:
        try:
            opening = calendar.next_opening(moment)
        except ValueError:  # opening hours only on days that are never working days
            opening = None
        next_open = opening.isoformat() if opening is not None else None
        message, chosen = pick_message((line.messages or {}).get("after_hours"), language)
    return {
        "line": line.slug,
        "open": is_open,
        "now": moment.isoformat(timespec="seconds"),
        "next_open": next_open,
        "message": message,
        "language": chosen,
    }
