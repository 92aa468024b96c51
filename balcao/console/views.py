"""Staff console views: parse the request, call the services, render.

Every page needs a verified (two-factor) staff session and the capability named
in its ``staff_view`` decorator; the permission-matrix test walks them all.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from balcao.catalog.models import Channel
from balcao.console import forms
from balcao.console.decorators import staff_view

# --- the catalogue (managers) ---------------------------------------------------------


@staff_view("catalog.edit")
def catalog_list(request):
    from balcao.catalog import services as catalog_services
    from balcao.catalog.models import CatalogChange

    channels = Channel.objects.select_related("level").order_by("level__number", "order")
    return render(
        request,
        "console/catalog_list.html",
        {
            "channels": channels,
            "cued": catalog_services.cued_slugs(),
            "changes": CatalogChange.objects.select_related("user")[:30],
        },
    )


@staff_view("catalog.edit")
def catalog_edit(request, slug: str):
    from balcao.catalog import services as catalog_services

    channel = get_object_or_404(Channel, slug=slug)
    texts = channel.texts or {}
    initial = {
        "name": channel.name,
        "kind": channel.kind,
        "automated": channel.automated,
        "level": channel.level_id,
        "purpose": channel.purpose,
        "ideal_for": "\n".join(channel.ideal_for),
        "active": channel.active,
        "confidential": channel.confidential,
        "not_advised_for": "\n".join(channel.not_advised_for),
        "order": channel.order,
        "hours": channel.hours,
        "session_times": ", ".join(channel.session_times),
        "deadline_policy": channel.deadline_policy,
        "entry": channel.entry,
        "entry_url": channel.entry_url,
        "triage_role": channel.triage_role,
        "name_en": (texts.get("en") or {}).get("name", ""),
        "purpose_en": (texts.get("en") or {}).get("purpose", ""),
        "name_pt_pt": (texts.get("pt-PT") or {}).get("name", ""),
        "purpose_pt_pt": (texts.get("pt-PT") or {}).get("purpose", ""),
    }
    form = forms.ChannelForm(request.POST or None, initial=initial)
    if catalog_services.is_live_chat(channel):
        # the live chat with people is offered by its own button on every page
        form.fields["kind"].disabled = form.fields["automated"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            catalog_services.do_update_channel(
                channel, actor=request.user, **form.channel_fields(texts)
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("Canal atualizado."))
            return redirect("console:catalog_edit", slug=channel.slug)
    return render(request, "console/catalog_edit.html", {"channel": channel, "form": form})


@staff_view("catalog.edit")
def catalog_new(request):
    """Add a channel; the triage recommends it from its own texts and role at once."""
    from balcao.catalog import services as catalog_services

    form = forms.NewChannelForm(
        request.POST or None, initial={"active": True, "order": 0, "hours": "unspecified"}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            channel = catalog_services.do_create_channel(
                actor=request.user,
                slug=data["slug"],
                **form.channel_fields(),
            )
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
        else:
            messages.success(request, _("Canal criado."))
            return redirect("console:catalog_edit", slug=channel.slug)
    return render(request, "console/catalog_new.html", {"form": form})


# --- the triage's labelled needs (managers) ----------------------------------------------


@staff_view("catalog.edit")
def triage_examples(request):
    """Needs the agency labels with the channel they should go to; the triage learns each
    channel's profile from them (issue 20)."""
    from balcao.catalog import services as catalog_services
    from balcao.catalog.models import TriageExample

    form = forms.TriageExampleForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                catalog_services.do_add_triage_example(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(request, _("Exemplo registrado: a triagem já aprende com ele."))
                return redirect("console:triage_examples")
        status = 400
    return render(
        request,
        "console/triage_examples.html",
        {
            "form": form,
            "examples": TriageExample.objects.select_related("created_by")[:500],
            "suggestions": catalog_services.suggestions()[:200],
            "suggestion_days": catalog_services.SUGGESTION_DAYS,
            "labels": form.fields["expect"].choices,
        },
        status=status,
    )


@require_POST
@staff_view("catalog.edit")
def triage_suggestion(request, pk: int):
    """A need shared on the portal: accept it as an example (labelled with the channel the
    person chose, or the one staff pick instead), or discard it."""
    from balcao.catalog import services as catalog_services
    from balcao.catalog.models import TriageOutcome

    outcome = get_object_or_404(TriageOutcome, pk=pk)
    if request.POST.get("action") == "discard":
        catalog_services.do_discard_suggestion(outcome, actor=request.user)
        messages.success(request, _("Sugestão descartada: o texto foi apagado."))
        return redirect("console:triage_examples")
    try:
        catalog_services.do_accept_suggestion(
            outcome, actor=request.user, expect=request.POST.get("expect", "")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Sugestão aceita: a triagem já aprende com ela."))
    return redirect("console:triage_examples")


@require_POST
@staff_view("catalog.edit")
def triage_example_delete(request, pk: int):
    from balcao.catalog import services as catalog_services
    from balcao.catalog.models import TriageExample

    example = get_object_or_404(TriageExample, pk=pk)
    catalog_services.do_delete_triage_example(example, actor=request.user)
    messages.success(request, _("Exemplo apagado."))
    return redirect("console:triage_examples")
