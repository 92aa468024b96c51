"""The case page's conversation and history, written in Python rather than looped by the
template engine.

Issue 19 asks for one case's page (thread and history) under 30 ms at one client
(tests/bench/bench_cases.py). The two loops were a quarter of the page's CPU: each message
and each event went through ``{% if %}``, ``{% translate %}`` and Django's ``date`` filter
(a tenth of a millisecond a date). Here the markup is the one console/case_detail.html
used to loop (tests/console/test_timeline.py renders both and compares), every value is
escaped, and dates go through ``strftime`` when the active language's format allows.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable

from django.template.defaultfilters import filesizeformat, linebreaksbr
from django.utils import dateformat, formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# Django's date-format characters that strftime writes the same way.
_STRFTIME = {"d": "%d", "m": "%m", "Y": "%Y", "y": "%y", "H": "%H", "i": "%M", "s": "%S"}
_SEPARATORS = "/.-: ,"


def date_formatter(format_name: str) -> Callable:
    """``date or datetime -> text`` in the active language's ``format_name`` (for example
    SHORT_DATE_FORMAT), as the ``date`` filter writes it: an aware datetime in the current
    time zone; the common shapes ("d/m/Y H:i", "Y-m-d"…) through ``strftime``, anything
    else through Django's formatter."""
    django_format = formats.get_format(format_name)
    if all(ch in _STRFTIME or ch in _SEPARATORS for ch in django_format):
        pattern = "".join(_STRFTIME.get(ch, ch) for ch in django_format)

        def fast(value) -> str:
            if hasattr(value, "tzinfo") and value.tzinfo is not None:
                value = timezone.localtime(value)
            return value.strftime(pattern)

        return fast

    def slow(value) -> str:
        if hasattr(value, "tzinfo") and value.tzinfo is not None:
            value = timezone.localtime(value)
        return dateformat.format(value, django_format)

    return slow


def messages_html(messages: Iterable, *, attachment_url: Callable[[int], str]) -> SafeString:
    """The ``<li>`` of each message of the thread (``attachments`` prefetched), or the
    "no message" line; ``attachment_url(pk)`` links a file.

    A message with an e-mail's HTML (sanitised on arrival: balcao.mail.html) offers it
    formatted on request, in an ``<iframe sandbox srcdoc>``: no script runs there and, its
    origin being opaque, nothing in it can reach the console's page, cookies or storage.
    ``allow-popups`` (and to escape the sandbox) only lets a link the agent clicks open in
    a new tab as an ordinary page. The text stays what the page shows first."""
    esc = html.escape
    when = date_formatter("SHORT_DATETIME_FORMAT")
    internal_label = esc(_("Nota interna"))
    formatted_label = esc(_("Ver formatado"))
    formatted_title = esc(_("E-mail formatado"))
    out = []
    for message in messages:
        author = esc(message.author_label)
        if message.author_user_id:
            author += f" ({esc(str(message.author_user))})"
        prefix = f"{internal_label} · " if message.internal else ""
        files = message.attachments.all()
        listed = ""
        if files:
            listed = (
                '<ul class="attachments">'
                + "".join(
                    f'<li><a href="{attachment_url(a.pk)}">{esc(a.filename)}</a>'
                    f" ({filesizeformat(a.size)})</li>"
                    for a in files
                )
                + "</ul>"
            )
        formatted = ""
        if message.html:
            formatted = (
                f'<details class="formatted"><summary>{formatted_label}</summary>'
                '<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" loading="lazy" '
                f'title="{formatted_title}" srcdoc="{esc(message.html)}"></iframe></details>'
            )
        css = f"message {esc(message.author_kind)}{' internal' if message.internal else ''}"
        out.append(
            f'<li class="{css}">\n'
            f'    <p class="meta"><strong>{prefix}{author}</strong> · '
            f"{when(message.created_at)}</p>\n"
            f'    <div class="body">{linebreaksbr(message.body, autoescape=True)}</div>\n'
            f"    {formatted}{listed}\n  </li>"
        )
    if not out:
        nothing = esc(_("Nenhuma mensagem."))  # (outside the f-string: xgettext reads it)
        return mark_safe(f"<li>{nothing}</li>")  # noqa: S308
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped


def history_html(events: Iterable) -> SafeString:
    """The ``<li>`` of each event of the case's history: when, who, what, the change
    (old → new) or the value, and the reason."""
    esc = html.escape
    when = date_formatter("SHORT_DATETIME_FORMAT")
    out = []
    for event in events:
        at = timezone.localtime(event.at) if timezone.is_aware(event.at) else event.at
        detail = ""
        if event.field:
            detail = f": {esc(event.old_value or '—')} → {esc(event.new_value or '')}"
        elif event.new_value:
            detail = f": {esc(event.new_value)}"
        reason = f" <em>({esc(event.reason)})</em>" if event.reason else ""
        out.append(
            f'  <li><time datetime="{at.isoformat()}">{when(event.at)}</time> · '
            f"{esc(event.actor_label)} · {esc(event.action_label)}{detail}{reason}</li>\n"
        )
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped
