"""The console's menu: one list of entries, each with the capabilities that show it.

The menu was thirty ``{% url %}``, ``{% translate %}`` and ``{% if caps.… %}`` tags in
``balcao/console_base.html``, written out again on every console page: a fifth of the work
queue's template time at a million cases (tests/bench/bench_cases.py; issue 19's queue
target). Its markup depends only on the language, the URL prefix and what the person may do,
so it is written once per process for each such combination and kept (a few dozen at most:
roles are few). The entries are data, as NetBox keeps its navigation menu: a new page adds
a line here.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass

from django.urls import get_script_prefix, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_noop as _

from balcao.accounts.roles import CAPABILITIES, roles_of


@dataclass(frozen=True, slots=True)
class Entry:
    url_name: str
    label: str  # the pt-BR msgid, translated when written
    query: str = ""
    any_of: tuple[str, ...] = ()  # capabilities, any of which shows it (none: every staff)


MENU: tuple[Entry, ...] = (
    Entry("console:case_list", _("Atendimentos")),
    Entry("console:case_list", _("Meus atendimentos"), "?view=meus"),
    Entry("console:case_list", _("Prazo próximo"), "?view=vencem"),
    Entry("console:case_list", _("Prazo vencido"), "?view=vencidos"),
    Entry("console:case_new", _("Novo atendimento")),
    Entry("console:chat_desk", _("Chat"), any_of=("cases.reply",)),
    Entry("console:scheduling_sessions", _("Conecta Todos"), any_of=("cases.reply",)),
    Entry(
        "console:scheduling_requests", _("Atendimento (tele)presencial"), any_of=("cases.reply",)
    ),
    Entry("console:direct_contacts", _("Contato direto"), any_of=("cases.open",)),
    Entry("console:chat_supervision", _("Supervisão do chat"), any_of=("queues.manage",)),
    Entry("console:forwarding_list", _("Encaminhamentos da Ouvidoria")),
    Entry("console:external_complaint_new", _("Registrar Reclame Aqui"), any_of=("cases.open",)),
    Entry(
        "console:canned_list",
        _("Respostas prontas"),
        any_of=("cases.reply", "cases.note", "kb.edit", "queues.manage"),
    ),
    Entry("console:article_list", _("Base de conhecimento"), any_of=("kb.edit",)),
    Entry("console:mail_quarantine", _("E-mails em quarentena"), any_of=("queues.manage",)),
    Entry("console:mail_advertising", _("Publicidade"), any_of=("queues.manage",)),
    Entry("console:mail_report", _("Relatório de e-mail"), any_of=("reports.view",)),
    Entry("console:scheduling_report", _("Relatório de agendamento"), any_of=("reports.view",)),
    Entry("console:telephony_screenpop", _("Minha chamada"), any_of=("telephony.answer",)),
    Entry("console:telephony_wallboard", _("Painel da central"), any_of=("telephony.monitor",)),
    Entry("console:telephony_lines", _("Linhas telefônicas"), any_of=("telephony.manage",)),
    Entry("console:telephony_recordings", _("Gravações"), any_of=("reports.view",)),
    Entry("console:contact_centre_report", _("Central telefônica"), any_of=("reports.view",)),
    Entry(
        "console:contact_centre_monthly",
        _("Relatório mensal da central"),
        any_of=("reports.view",),
    ),
    Entry("console:staffing_planner", _("Dimensionamento da equipe"), any_of=("reports.view",)),
    Entry("console:mailbox_list", _("Caixas de e-mail"), any_of=("catalog.edit",)),
    Entry("console:unit_list", _("Unidades (e-mail)"), any_of=("catalog.edit",)),
    Entry("console:catalog_list", _("Catálogo de canais"), any_of=("catalog.edit",)),
    Entry("console:classified_list", _("Informação classificada"), any_of=("classification.view",)),
    Entry("console:staff_list", _("Equipe"), any_of=("staff.manage",)),
    Entry("console:audit_log", _("Auditoria"), any_of=("audit.view",)),
)

_written: dict[tuple, SafeString] = {}
_lock = threading.Lock()


def menu_items(user) -> SafeString:
    """The ``<li>`` items of the menu ``user`` sees, in the active language."""
    roles = roles_of(user)
    everything = bool(getattr(user, "is_superuser", False) and user.is_active)
    key = (get_language(), get_script_prefix(), roles, everything)
    found = _written.get(key)
    if found is None:
        found = _write(roles, everything)
        with _lock:
            if len(_written) > 256:  # roles are few; a bound all the same
                _written.clear()
            _written[key] = found
    return found


def _write(roles: frozenset[str], everything: bool) -> SafeString:
    items = []
    for entry in MENU:
        shown = not entry.any_of or everything
        if not shown and not any(roles & CAPABILITIES[cap] for cap in entry.any_of):
            continue
        url = html.escape(reverse(entry.url_name) + entry.query)
        items.append(f'<li><a href="{url}">{html.escape(gettext(entry.label))}</a></li>')
    return mark_safe("\n    ".join(items))  # noqa: S308 — every value above is escaped
