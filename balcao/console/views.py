"""Staff console views: parse the request, call the services, render.

Every page needs a verified (two-factor) staff session and the capability named
in its ``staff_view`` decorator; the permission-matrix test walks them all.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from balcao.cases import filters, lookups, services
from balcao.cases.models import State, Team
from balcao.catalog.models import Channel
from balcao.console import forms
from balcao.console.decorators import staff_view

PAGE_SIZE = 50
# The columns console/_case_rows.html shows (and the keyset needs); names come from the
# per-process snapshots (cases.lookups), the assignee's from one join.
CASE_ROW_COLUMNS = (
    "id",
    "protocol",
    "subject",
    "created_at",
    "due_at",
    "state_id",
    "channel_id",
    "team_id",
    "assignee__username",
    "assignee__display_name",
    "assignee__first_name",
    "assignee__last_name",
)


def _case_rows(rows: list[dict], detail_url) -> list[dict]:
    """Plain rows for the list: no model instances (a page of 50 cases with its four
    related rows each was 250 of them), links built from one reversed URL."""
    channel, team, state = (lookups.channel_names.get, lookups.team_names.get, lookups.states.get)
    items = []
    for r in rows:
        full_name = f"{r['assignee__first_name']} {r['assignee__last_name']}".strip()
        items.append(
            {
                "pk": r["id"],
                "url": detail_url(r["id"]),
                "protocol": r["protocol"],
                "subject": r["subject"],
                "created_at": r["created_at"],
                "due_at": r["due_at"],
                "channel": channel(r["channel_id"]),
                "state": state(r["state_id"])[1],
                "team": team(r["team_id"]),
                # as User.__str__: display name, else full name, else username
                "assignee": r["assignee__display_name"] or full_name or r["assignee__username"],
            }
        )
    return items


def _detail_url_maker():
    """``pk -> URL of the case page``, reversing once per request instead of per row."""
    marker = 987654321
    template = reverse("console:case_detail", args=[marker])
    before, _, after = template.partition(str(marker))
    return lambda pk: f"{before}{pk}{after}"


@staff_view("cases.view")
def case_list(request):
    chosen = filters.CaseFilters.from_params(request.GET)
    queryset = filters.apply_filters(
        services.visible_cases(request.user), chosen, user=request.user
    )
    # Only what the rows show: a channel row alone carries a dozen JSON texts.
    rows, next_cursor = filters.page(
        queryset.values(*CASE_ROW_COLUMNS), cursor=request.GET.get("cursor", ""), size=PAGE_SIZE
    )
    cases = _case_rows(rows, _detail_url_maker())
    params = request.GET.copy()
    params.pop("cursor", None)
    context = {
        "cases": cases,
        "next_cursor": next_cursor,
        "filters": chosen,
        "query_string": params.urlencode(),
        "channels": Channel.objects.only("slug", "name"),
        "teams": Team.objects.only("slug", "name"),
        "categories": State.Category.choices,
    }
    template = (
        "console/_case_rows.html" if request.headers.get("HX-Request") else "console/case_list.html"
    )
    return render(request, template, context)


# --- the catalogue (managers) ---------------------------------------------------------


@staff_view("catalog.edit")
def catalog_list(request):
    from balcao.catalog.models import CatalogChange

    channels = Channel.objects.select_related("level").order_by("level__number", "order")
    return render(
        request,
        "console/catalog_list.html",
        {"channels": channels, "changes": CatalogChange.objects.select_related("user")[:30]},
    )


@staff_view("catalog.edit")
def catalog_edit(request, slug: str):
    from balcao.catalog import services as catalog_services

    channel = get_object_or_404(Channel, slug=slug)
    texts = channel.texts or {}
    initial = {
        "name": channel.name,
        "purpose": channel.purpose,
        "ideal_for": "\n".join(channel.ideal_for),
        "active": channel.active,
        "not_advised_for": "\n".join(channel.not_advised_for),
        "order": channel.order,
        "hours": channel.hours,
        "session_times": ", ".join(channel.session_times),
        "deadline_policy": channel.deadline_policy,
        "entry": channel.entry,
        "entry_url": channel.entry_url,
        "name_en": (texts.get("en") or {}).get("name", ""),
        "purpose_en": (texts.get("en") or {}).get("purpose", ""),
        "name_pt_pt": (texts.get("pt-PT") or {}).get("name", ""),
        "purpose_pt_pt": (texts.get("pt-PT") or {}).get("purpose", ""),
    }
    form = forms.ChannelForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_texts = {lang: dict(values) for lang, values in texts.items()}
        lines = forms.ChannelForm.lines
        new_texts.setdefault("pt-BR", {}).update(
            name=data["name"],
            purpose=data["purpose"],
            ideal_for=lines(data["ideal_for"]),
            not_advised_for=lines(data["not_advised_for"]),
        )
        for lang, suffix in (("en", "en"), ("pt-PT", "pt_pt")):
            for key in ("name", "purpose"):
                if data[f"{key}_{suffix}"]:
                    new_texts.setdefault(lang, {})[key] = data[f"{key}_{suffix}"]
        catalog_services.do_update_channel(
            channel,
            actor=request.user,
            name=data["name"],
            purpose=data["purpose"],
            ideal_for=lines(data["ideal_for"]),
            not_advised_for=lines(data["not_advised_for"]),
            active=data["active"],
            order=data["order"],
            hours=data["hours"],
            session_times=data["session_times"],
            deadline_policy=data["deadline_policy"],
            entry=data["entry"],
            entry_url=data["entry_url"],
            texts=new_texts,
        )
        messages.success(request, _("Canal atualizado."))
        return redirect("console:catalog_edit", slug=channel.slug)
    return render(request, "console/catalog_edit.html", {"channel": channel, "form": form})
