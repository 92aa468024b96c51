"""Pages of the Serviço de Contato Direto com Usuários (issue 25; Portaria, arts. 36-45).

Console ``contato-direto/``: the contacts sent with their reply deadline, and the form to
send a new official message (the parts filled from the unit's templates first, then
edited and sent); ``contato-direto/<pk>/``: one contact, the answer, the second message of
art. 42. Portal ``contato-direto/``: the published hypotheses and requirements (art. 38)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from balcao.audit.services import record_access
from balcao.cases.services import visible_cases
from balcao.client import client_address
from balcao.errors import Refused
from balcao.scheduling import contact
from balcao.scheduling.console import staff_view
from balcao.scheduling.services import SchedulingError


class SendForm(forms.Form):
    hypothesis = forms.ModelChoiceField(label=gettext_lazy("Hipótese"), queryset=None)
    process = forms.CharField(label=gettext_lazy("Número do processo"), max_length=100)
    holder = forms.CharField(
        label=gettext_lazy("Titular (e-mail ou CPF no cadastro)"),
        max_length=254,
        help_text=gettext_lazy(
            "Havendo procurador no cadastro, a mensagem vai somente a ele (art. 36)."
        ),
    )
    preceito = forms.CharField(
        label=gettext_lazy("Preceito"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    premissa = forms.CharField(
        label=gettext_lazy("Premissa"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    conclusao = forms.CharField(
        label=gettext_lazy("Conclusão"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hypothesis"].queryset = contact.published_hypotheses()


class DetailsForm(forms.Form):
    start = forms.DateTimeField(
        label=gettext_lazy("Dia e horário"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("Modalidade"),
        choices=[
            ("remote", gettext_lazy("Por videochamada")),
            ("presential", gettext_lazy("Presencial")),
        ],
    )
    place = forms.CharField(
        label=gettext_lazy("Local (presencial)"), max_length=300, required=False
    )


def _visible(user):
    return contact.contacts().filter(case__in=visible_cases(user))


@require_http_methods(["GET", "POST"])
@staff_view(contact.SEND_CAPABILITY)
def contact_list(request):
    """The contacts sent, and the form: "Preencher com o modelo" fills the three parts from
    the unit's templates (art. 40), "Enviar" sends them as edited."""
    status = 200
    if request.method == "POST":
        form = SendForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            holder = contact.find_holder(data["holder"])
            if request.POST.get("fill"):
                parts = contact.compose_parts(
                    data["hypothesis"], process=data["process"], holder=holder
                )
                form = SendForm({**request.POST.dict(), **parts})
                form.is_valid()
                if holder is None:
                    form.add_error("holder", _("Nenhum titular encontrado com este e-mail ou CPF."))
            else:
                try:
                    sent = contact.do_send_direct_contact(
                        hypothesis=data["hypothesis"],
                        holder=holder,
                        process=data["process"],
                        preceito=data["preceito"],
                        premissa=data["premissa"],
                        conclusao=data["conclusao"],
                        actor=request.user,
                    )
                except Refused as exc:
                    field = getattr(exc, "field", None)
                    form.add_error(field if field in form.fields else None, str(exc))
                    status = 400
                else:
                    messages.success(request, _("Mensagem enviada."))
                    return redirect("console:direct_contact", pk=sent.pk)
        else:
            status = 400
    else:
        form = SendForm()
    return render(
        request,
        "scheduling/contact_list.html",
        {"form": form, "contacts": list(_visible(request.user)[:200])},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@staff_view(contact.SEND_CAPABILITY)
def contact_detail(request, pk: int):
    """One contact: the parts as sent, the deadline, to whom it went, the answer, and the
    second message of art. 42."""
    item = get_object_or_404(_visible(request.user), pk=pk)
    details = DetailsForm(request.POST if request.POST.get("action") == "details" else None)
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action in ("interested", "declined"):
                contact.do_record_answer(item, action == "interested", actor=request.user)
            elif action == "details":
                if not details.is_valid():
                    raise SchedulingError(_("Confira os campos indicados."))
                contact.do_send_session_details(
                    item,
                    starts_at=details.cleaned_data["start"],
                    mode=details.cleaned_data["mode"],
                    place=details.cleaned_data["place"],
                    actor=request.user,
                )
            else:
                raise SchedulingError(_("Ação desconhecida."))
        except Refused as exc:
            error, status = str(exc), 400
        else:
            messages.success(request, _("Contato atualizado."))
            return redirect("console:direct_contact", pk=pk)
        item = get_object_or_404(_visible(request.user), pk=pk)
    session_request = getattr(item.case, "session_request", None)
    if item.case.requester is not None:  # the holder and procurador seen: audited
        record_access(
            item.case.requester,
            user=request.user,
            where=f"direct-contact:{item.pk}",
            ip=client_address(request),
        )
    return render(
        request,
        "scheduling/contact_detail.html",
        {
            "contact": item,
            "case": item.case,
            "recipient": item.case.official_recipient,
            "to_procurador": item.case.representative_id is not None,
            "session_request": session_request,
            "details": details,
            "error": error,
            "body": contact.message_body(item),
        },
        status=status,
    )


@require_GET
def hypotheses(request):
    """The hypotheses and requirements under which a process is eligible, published per
    managing unit (art. 38)."""
    units: dict = {}
    for hypothesis in contact.published_hypotheses().order_by("unit__team__name", "order", "pk"):
        units.setdefault(hypothesis.unit, []).append(hypothesis)
    return render(request, "scheduling/contact_hypotheses.html", {"units": units})


console_urls = [
    path("contato-direto/", contact_list, name="direct_contacts"),
    path("contato-direto/<int:pk>/", contact_detail, name="direct_contact"),
]
portal_urls = [
    path("contato-direto/", hypotheses, name="direct_contact_hypotheses"),
]
