"""Click-to-call on the portal (seed 003: "click-to-call" a partir do site; issue 23: "a
web-service endpoint (and a widget button)"): the person leaves a number and their consent,
and the contact centre calls them when an agent is free — dialled by ``balcao telephony
ami`` like every callback (``balcao.telephony.services.do_request_click_to_call``, which
also limits requests per address and per number). The page says whether the line is open
now and, when closed, when it opens (the line's business calendar). Other websites link to
it with one ``<script>`` tag (``static/balcao/click-to-call.js``)."""

from __future__ import annotations

from django import forms
from django.shortcuts import render
from django.utils import formats
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods

from balcao.client import client_address
from balcao.telephony import lines, services
from balcao.telephony.models import Line


class CallbackForm(forms.Form):
    number = forms.CharField(
        label=gettext_lazy("Telefone para contato"),
        max_length=40,
        help_text=gettext_lazy("Com o código do país se não for de Portugal, por exemplo +55 11…"),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    line = forms.ChoiceField(label=gettext_lazy("Assunto da ligação"), required=False)
    consent = forms.BooleanField(
        label=gettext_lazy(
            "Aceito que a central ligue para este número. A chamada é gravada para controle "
            "de qualidade e a gravação é guardada por 90 dias."
        ),
        error_messages={
            "required": gettext_lazy("É preciso consentir que liguemos para este número.")
        },
    )

    def __init__(self, *args, line_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].choices = line_choices
        if len(line_choices) <= 1:
            self.fields["line"].widget = forms.HiddenInput()


def _hours(line: Line | None) -> dict | None:
    """Open now, or when it opens next, as the person reads it."""
    if line is None:
        return None
    answer = lines.open_now(line, language=get_language())
    opens = parse_datetime(answer["next_open"]) if answer["next_open"] else None
    return {
        "open": answer["open"],
        "next_open": formats.date_format(opens, "DATETIME_FORMAT") if opens else None,
        "message": answer["message"],
    }


@require_http_methods(["GET", "POST"])
def callback_request(request):
    active = list(Line.objects.filter(active=True).select_related("calendar"))
    choices = [(line.slug, line.name) for line in active]
    chosen_slug = request.POST.get("line") or request.GET.get("linha") or ""
    chosen = next((line for line in active if line.slug == chosen_slug), None) or (
        active[0] if active else None
    )
    initial = {"line": chosen.slug if chosen else ""}
    done = None
    status = 200
    if request.method == "POST":
        form = CallbackForm(request.POST, line_choices=choices, initial=initial)
        if form.is_valid():
            try:
                callback, created = services.do_request_click_to_call(
                    form.cleaned_data["number"],
                    consent=True,
                    line_slug=form.cleaned_data["line"] or "",
                    address=client_address(request),
                )
            except services.CallbackRateLimited as exc:
                form.add_error(None, str(exc))
                status = 429
            except services.CallbackError as exc:
                form.add_error("number" if exc.field == "number" else None, str(exc))
                status = 400
            else:
                done = {"created": created}
        else:
            status = 400
    else:
        form = CallbackForm(line_choices=choices, initial=initial)
    return render(
        request,
        "portal/callback_request.html",
        {"form": form, "done": done, "hours": _hours(chosen), "has_lines": bool(active)},
        status=status,
    )
