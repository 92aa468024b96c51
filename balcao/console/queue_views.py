"""The work queue: the console's case list with its views, and actions on many cases.

Issue 19: "open cases by default, sorted by due date (then age), with deadline colours
and relative times, counts on each view, requester and channel columns, 'assign to me',
… search by protocol in any punctuation, by name and by e-mail (each such search of
personal data audited), bulk assign and bulk state change".

The page is the one an agent keeps open all day, so it is built from plain columns
(``values()``), names from the per-process snapshots (cases.lookups) and one reversed
URL; tests/bench/bench_cases.py measures it at a million cases.
"""

from __future__ import annotations

import html

from django.contrib import messages
from django.core.cache import caches
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from balcao.accounts.models import User
from balcao.accounts.roles import has_capability
from balcao.audit import services as audit
from balcao.audit.models import PersonalDataAccess
from balcao.cases import clock, filters, lookups, services
from balcao.cases.models import Case, State
from balcao.console import forms, timeline
from balcao.console.decorators import staff_view
from balcao.console.queue import deadline_labeller
from balcao.ombudsman.models import Manifestation

PAGE_SIZE = 50
BULK_LIMIT = PAGE_SIZE
COUNTS_TTL = 10  # seconds the view tabs' counts may lag behind the list
MENU_TTL = 30  # seconds the bulk form's "Atribuir a" menu may lag behind staff changes
ASSIGNABLE_KEY = "console:assignable-menu"
# The columns console/_case_rows.html shows (and the keysets need); names come from the
# per-process snapshots (cases.lookups), the assignee's and requester's from one join.
CASE_ROW_COLUMNS = (
    "id",
    "protocol",
    "subject",
    "created_at",
    "due_at",
    "closed_at",
    "deadline_paused_at",
    "state_id",
    "channel_id",
    "team_id",
    "assignee_id",
    "assignee__username",
    "assignee__display_name",
    "assignee__first_name",
    "assignee__last_name",
    "requester_id",
    "requester__name",
)
LIST_WHERE = "console: lista de atendimentos"
PRESERVED = Manifestation.Identity.PRESERVED


def person_name(display_name, first_name, last_name, username) -> str:
    """As ``User.__str__``: display name, else full name, else username (an unassigned
    case has None for all four and shows no name at all)."""
    full_name = " ".join(part for part in (first_name, last_name) if part)
    return display_name or full_name or username or ""


def _case_rows(rows: list[dict], detail_url, *, show_names: bool, now, horizon) -> list[dict]:
    """Plain rows for the list: no model instances (a page of 50 cases with its four
    related rows each was 250 of them), links built from one reversed URL."""
    channel, team, state = (lookups.channel_names.get, lookups.team_names.get, lookups.states.get)
    zone = timezone.get_current_timezone()  # once: each lookup goes through a context-local
    today = now.astimezone(zone).date()
    label = deadline_labeller(now=now, today=today, horizon=horizon)
    short_date = timeline.date_formatter("SHORT_DATE_FORMAT")
    written: dict = {}  # date -> its text: fifty rows fall on a few dozen days

    def on(day) -> str:
        text = written.get(day)
        if text is None:
            text = written[day] = short_date(day)
        return text

    pick = _("Marcar %(protocol)s")
    items = []
    for r in rows:
        due_at = r["due_at"]
        due_day = due_at.astimezone(zone).date() if due_at else None
        name = r["requester__name"] or ""
        items.append(
            {
                "pk": r["id"],
                "url": detail_url(r["id"]),
                "protocol": r["protocol"],
                "pick_label": pick % {"protocol": r["protocol"]},
                "subject": r["subject"],
                "created_on": on(r["created_at"].astimezone(zone).date()),
                "due_on": on(due_day) if due_day else "",
                "deadline": label(
                    due_at,
                    closed=r["closed_at"] is not None,
                    paused=r["deadline_paused_at"] is not None,
                    due_day=due_day,
                ),
                "channel": channel(r["channel_id"]),
                "state": state(r["state_id"])[1],
                "team": team(r["team_id"]),
                "assignee": person_name(
                    r["assignee__display_name"],
                    r["assignee__first_name"],
                    r["assignee__last_name"],
                    r["assignee__username"],
                ),
                # (no requester id: a preserved identity's label, or nobody at all)
                "requester": name if show_names or not r["requester_id"] else audit.initials(name),
            }
        )
    return items


def _rows_html(items: list[dict], *, may_bulk: bool, nobody: str) -> str:
    """The table body, written here rather than by the template engine: the fifty rows
    of eight cells each were a third of the page's CPU (tests/bench/bench_cases.py).
    Every value is escaped; the markup is what console/_case_rows.html used to loop."""
    # html.escape is what django.utils.html.escape calls, without its check for lazy
    # strings (a tenth of the page's CPU here): every value below is a plain str.
    esc = html.escape
    out = []
    for case in items:
        cells = []
        if may_bulk:
            cells.append(
                f'<td><input type="checkbox" name="cases" value="{case["pk"]}" form="bulk-form"'
                f' id="pick-{case["pk"]}" aria-label="{esc(case["pick_label"])}"></td>'
            )
        team = case["team"]
        assignee = (
            esc(case["assignee"]) if case["assignee"] else f'<span class="muted">{nobody}</span>'
        )
        deadline = case["deadline"]
        due_on = f"<br><small>{case['due_on']}</small>" if case["due_on"] else ""
        cells.append(
            f'<td><a href="{case["url"]}">{esc(case["protocol"])}</a></td>'
            f"<td>{esc(case['subject'])}</td>"
            f"<td>{esc(case['requester'] or '—')}</td>"
            f"<td>{esc(case['channel'] or '')}</td>"
            f"<td>{esc(case['state'] or '')}</td>"
            f"<td>{assignee}{f'<br><small>{esc(team)}</small>' if team else ''}</td>"
            f'<td><span class="deadline deadline--{deadline.status}">{esc(deadline.text)}'
            f"</span>{due_on}</td>"
            f"<td>{case['created_on']}</td>"
        )
        out.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(out))  # noqa: S308 — every value above is escaped


def _tabs_html(views: list[dict], tab_query: str) -> str:
    """The view tabs with their counts (``99+`` past the cap), written here for the reason
    the rows are: each tab was a loop turn of four ``{% if %}`` and a translation."""
    esc = conditional_escape  # as the template's {{ }}: a label marked safe stays as it is
    query = f"&amp;{esc(tab_query)}" if tab_query else ""
    cases = esc(_("atendimentos"))
    out = []
    for view in views:
        current = ' aria-current="page" class="current"' if view["current"] else ""
        count = ""
        if view["count"] is not None:
            shown = "99+" if view["capped"] else str(view["count"])
            count = f' <span class="count">{shown}<span class="sr-only"> {cases}</span></span>'
        out.append(
            f'\n    <li><a href="?view={esc(view["slug"])}{query}"{current}>'
            f"{esc(view['label'])}{count}</a></li>"
        )
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped


def _detail_url_maker():
    """``pk -> URL of the case page``, reversing once per request instead of per row."""
    marker = 987654321
    template = reverse("console:case_detail", args=[marker])
    before, _, after = template.partition(str(marker))
    return lambda pk: f"{before}{pk}{after}"


def _chosen_filters(request) -> filters.CaseFilters:
    chosen = filters.CaseFilters.from_params(request.GET)
    if chosen.view not in filters.VIEWS:
        chosen.view = filters.DEFAULT_VIEW
    return chosen


@staff_view("cases.view")
def case_list(request):
    user = request.user
    chosen = _chosen_filters(request)
    visible = services.visible_cases(user)
    now = timezone.now()
    horizon = clock.display_horizon(now)
    queryset = filters.apply_filters(visible, chosen, user=user, horizon=horizon)
    show_names = has_capability(user, "requesters.view_personal_data")
    ip = audit.client_ip(request)
    if chosen.requester:
        matching = filters.requesters_matching(chosen.requester)
        queryset = (
            queryset.filter(requester__in=matching.values("pk"))
            if matching is not None
            else queryset.none()
        )
    # The ombudsman also sees manifestations filed with identity preserved: their author is
    # not named in the list either (Decreto 10.153/2019; the case page asks why first).
    columns = CASE_ROW_COLUMNS + (
        ("manifestation__identity",) if services.sees_confidential(user) else ()
    )
    rows, next_cursor = filters.page(
        queryset.values(*columns),
        cursor=request.GET.get("cursor", ""),
        size=PAGE_SIZE,
        order=chosen.order,
    )
    for row in rows:
        if row.get("manifestation__identity") == PRESERVED:
            row["requester_id"], row["requester__name"] = None, _("identidade preservada")
    shown = {r["requester_id"] for r in rows if r["requester_id"]}
    if chosen.requester:
        # A search of personal data: recorded for every person it put on the screen,
        # whatever the role (a name search tells who has cases even under initials).
        audit.record_requesters_seen(
            shown,
            user=user,
            where=LIST_WHERE,
            kind=PersonalDataAccess.Kind.SEARCH,
            purpose=_("busca por requerente: %(term)s") % {"term": chosen.requester},
            ip=ip,
        )
    elif show_names:
        audit.record_requesters_seen(
            shown, user=user, where=LIST_WHERE, kind=PersonalDataAccess.Kind.LIST, ip=ip
        )
    cases = _case_rows(rows, _detail_url_maker(), show_names=show_names, now=now, horizon=horizon)
    may_bulk = has_capability(user, "cases.take")
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "cases": cases,
        "rows_html": _rows_html(cases, may_bulk=may_bulk, nobody=escape(_("ninguém"))),
        "next_cursor": next_cursor,
        "filters": chosen,
        "query_string": params.urlencode(),
        "order": chosen.order,
        "may_bulk": may_bulk,
        "list_url": request.get_full_path(),
    }
    if request.headers.get("HX-Request"):
        return render(request, "console/_case_rows.html", context)
    counts = _view_counts(visible, user, horizon)
    tab_params = params.copy()
    tab_params.pop("view", None)
    tab_params.pop("sort", None)
    views = [
        {
            "slug": slug,
            "label": label,
            "count": counts.get(slug),
            "capped": counts.get(slug, 0) >= filters.COUNT_CAP,
            "current": slug == chosen.view,
        }
        for slug, (label, _restriction, _order) in filters.VIEWS.items()
    ]
    context.update(
        views=views,
        tabs_html=_tabs_html(views, tab_params.urlencode()),
        channels=_choices(lookups.channel_slugs, lookups.channel_names),
        teams=_choices(lookups.team_slugs, lookups.team_names),
        categories=State.Category.choices,
        bulk=_bulk_choices(user) if may_bulk else None,
    )
    return render(request, "console/case_list.html", context)


def _bulk_choices(user) -> dict:
    """The bulk form's menus as plain lists (the template writes the options: building the
    form and its widgets cost more than the fifty rows). Who may be assigned comes from a
    snapshot of at most ``MENU_TTL`` seconds: the POST checks the choice again
    (``forms.BulkForm``) and refuses one that is no longer valid."""
    actions, assigns, changes_state = forms.bulk_offer(user)
    return {
        "actions": actions,
        "assignees": _assignable_menu() if assigns else None,
        "states": forms.state_choices() if changes_state else None,
    }


def _assignable_menu() -> list[tuple[int, str]]:
    local = caches["local"]
    menu = local.get(ASSIGNABLE_KEY)
    if menu is None:
        menu = [(user.pk, str(user)) for user in assignable_users()]
        local.set(ASSIGNABLE_KEY, menu, MENU_TTL)
    return menu


def counts_key(user) -> str:
    return f"console:view-counts:{user.pk}"


def _view_counts(visible, user, horizon) -> dict[str, int]:
    """The counts on the view tabs, at most ``COUNTS_TTL`` seconds old: the agent who keeps
    the queue open reloads it all day, and each count was half of the database's work for
    the page (tests/bench/bench_cases.py); the list itself is always read fresh."""
    local = caches["local"]
    key = counts_key(user)
    counts = local.get(key)
    if counts is None:
        counts = filters.view_counts(visible, user, horizon)
        local.set(key, counts, COUNTS_TTL)
    return counts


def _choices(slugs, names) -> list[tuple[str, str]]:
    """(slug, name) of a small table from the snapshots, by name."""
    named = names.rows()
    return sorted(
        ((slug, named.get(pk) or slug) for pk, slug in slugs.rows().items()),
        key=lambda item: item[1],
    )


def _back(request):
    target = request.POST.get("next", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("console:case_list")
    return redirect(target)


@require_POST
@staff_view("cases.take")
def case_bulk(request):
    """One action on the ticked cases, each in its own transaction: a case that cannot
    take it (another workflow, closed, someone else's team) is reported by protocol and
    reason, and the others go ahead."""
    user = request.user
    form = forms.BulkForm(request.POST, user=user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back(request)
    data = form.cleaned_data
    cases = list(
        services.visible_cases(user)
        .filter(pk__in=data["cases"][:BULK_LIMIT])
        .select_related("state")
        .order_by("pk")
    )
    done, refused = 0, []
    for case in cases:
        try:
            with transaction.atomic():
                _apply(case, data, user)
        except (services.CaseError, services.PermissionDenied) as exc:
            refused.append(f"{case.protocol}: {exc}")
        else:
            done += 1
    if done:
        caches["local"].delete(counts_key(user))  # their own change, counted at once
        messages.success(
            request,
            ngettext("%(n)d atendimento atualizado.", "%(n)d atendimentos atualizados.", done)
            % {"n": done},
        )
    if refused:
        messages.error(
            request,
            ngettext(
                "%(n)d atendimento não foi alterado — %(list)s",
                "%(n)d atendimentos não foram alterados — %(list)s",
                len(refused),
            )
            % {"n": len(refused), "list": "; ".join(refused[:10])},
        )
    if not cases:
        messages.error(request, _("Nenhum dos atendimentos marcados está visível para você."))
    return _back(request)


def _apply(case: Case, data: dict, user) -> None:
    action = data["action"]
    if action == forms.BulkForm.TAKE:
        services.do_take_case(case, actor=user)
    elif action == forms.BulkForm.ASSIGN:
        services.do_assign_case(case, assignee=data["assignee"], actor=user)
    elif action == forms.BulkForm.STATE:
        target = State.objects.filter(
            workflow_id=case.state.workflow_id, slug=data["state"]
        ).first()
        if target is None:
            raise services.CaseError(_("a situação escolhida não existe no fluxo deste caso."))
        services.do_change_state(case, target, actor=user, reason=data["reason"])


def assignable_users():
    """Active staff who work cases, for the bulk "Atribuir a" menu."""
    from balcao.accounts.roles import CAPABILITIES

    return (
        User.objects.filter(is_active=True, groups__name__in=CAPABILITIES["cases.take"])
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
