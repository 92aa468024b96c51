"""The agency's units reached by e-mail, in the console (issue 22, forwarding; seed 003,
3.2 and 11.12): managers set up each unit's address; on the case page whoever may reply
forwards the case to a unit, and sees each forward's state and the time the case spent at
the unit, counted apart from the team's own time. Parse the request, call
balcao.mail.forwarding, render.
"""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from balcao.accounts.roles import has_capability
from balcao.cases import services as case_services
from balcao.cases.models import OutboundMail
from balcao.console.decorators import staff_view
from balcao.mail import forwarding
from balcao.mail.models import Mailbox, Unit, UnitForward


class UnitForm(forms.ModelForm):
    """A unit and the address its forwards go to. Never one of the agency's own mailboxes:
    the forward would come back in as the unit's answer (a mail loop)."""

    class Meta:
        model = Unit
        fields = ["name", "address", "active"]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "unit-%s")
        super().__init__(*args, **kwargs)

    def clean_address(self):
        address = self.cleaned_data["address"].strip().lower()
        ours = {a.lower() for a in Mailbox.objects.values_list("address", flat=True)}
        ours |= {
            a.rpartition("<")[2].strip("> ").lower()
            for a in (settings.DEFAULT_FROM_EMAIL, getattr(settings, "BALCAO_REPLY_TO", ""))
            if a
        }
        if address in ours:
            raise forms.ValidationError(
                _("Este é um endereço do próprio atendimento; informe o e-mail da unidade.")
            )
        return address


class UnitForwardForm(forms.Form):
    """Which unit, and what it is asked (it goes to the unit with the person's messages)."""

    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unidade"),
        queryset=Unit.objects.filter(active=True),
        empty_label=gettext_lazy("Escolha a unidade"),
    )
    note = forms.CharField(
        label=gettext_lazy("O que se pede à unidade"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=forwarding.NOTE_MAX,
        help_text=gettext_lazy(
            "A unidade recebe o protocolo, o assunto, as mensagens do requerente e este "
            "pedido — não o nome, o e-mail nem o telefone dele. A resposta volta ao "
            "atendimento como nota interna."
        ),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "uf-%s")
        super().__init__(*args, **kwargs)


def duration_text(value: timedelta | None) -> str:
    """A duration as staff read it: "2 d 3 h", "5 h 20 min", "12 min"."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}
    return _("%(m)s min") % {"m": minutes}


# --- the units (managers and admins, like the mailboxes) ------------------------------------


@staff_view("catalog.edit")
def unit_list(request):
    units = Unit.objects.annotate(
        pending=Count("forwards", filter=Q(forwards__answered_at__isnull=True)),
        total=Count("forwards"),
    ).order_by("name")
    return render(request, "console/unit_list.html", {"units": list(units)})


@staff_view("catalog.edit")
def unit_edit(request, pk: int | None = None):
    unit = get_object_or_404(Unit, pk=pk) if pk else None
    form = UnitForm(request.POST or None, instance=unit)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("Unidade salva."))
            return redirect("console:unit_edit", pk=saved.pk)
        status = 400
    return render(request, "console/unit_edit.html", {"form": form, "unit": unit}, status=status)


# --- on the case page ---------------------------------------------------------------------


def case_section(context) -> dict:
    """What the case page shows of its forwards to units, and the form to make one when
    whoever reads it may reply on the case (``can.reply``) and the case can go. No query
    at all while no unit is set up; then one for the forwards and one for the units."""
    case = context["case"]
    given = context.get("unit_forward_form")
    if given is None and not forwarding.units_configured():
        return {"show": False}
    now = timezone.now()
    forwards = list(
        UnitForward.objects.filter(case=case)
        .select_related("unit", "sent_by", "outbound")
        .order_by("sent_at", "pk")
    )
    rows = [
        {
            "forward": f,
            "time": duration_text(forwarding.time_at_unit(f, now=now)),
            "failed": f.outbound is not None and f.outbound.status == OutboundMail.Status.FAILED,
            "queued": f.outbound is not None and f.outbound.status == OutboundMail.Status.QUEUED,
        }
        for f in forwards
    ]
    can = context.get("can")
    may = can.get("reply") if can else has_capability(context["request"].user, "cases.reply")
    form = given
    if form is None and may and case.is_open and not case_services.is_confidential(case):
        active = list(Unit.objects.filter(active=True).only("pk", "name"))
        if active:
            form = UnitForwardForm()
            form.fields["unit"].choices = [("", form.fields["unit"].empty_label)] + [
                (unit.pk, unit.name) for unit in active
            ]
    if not rows and form is None:
        return {"show": False}
    clock = forwarding.clock_time_at_units(case, now=now, forwards=forwards) if rows else None
    total = forwarding.time_at_units(case, now=now, forwards=forwards) if rows else None
    return {
        "show": True,
        "rows": rows,
        "total": duration_text(total) if rows else "",
        "clock_total": duration_text(clock) if clock is not None else "",
        "form": form,
    }


@require_POST
@staff_view("cases.reply")
def case_unit_forward(request, pk: int):
    """Forward the case to a unit; a refused form comes back on the case page with its
    error beside the field (HTTP 400)."""
    from balcao.console.case_views import _case_or_404, _page

    case = _case_or_404(request, pk)
    form = UnitForwardForm(request.POST)
    if form.is_valid():
        try:
            forward = forwarding.do_forward_to_unit(
                case, form.cleaned_data["unit"], form.cleaned_data["note"], request.user
            )
        except forwarding.ForwardRefused as exc:
            for name, text in exc.fields.items():
                form.add_error(name if name in form.fields else None, text)
        else:
            messages.success(
                request,
                _("Atendimento encaminhado à unidade %(unit)s.") % {"unit": forward.unit.name},
            )
            return redirect("console:case_detail", pk=case.pk)
    return _page(request, case, status=400, unit_forward_form=form)
