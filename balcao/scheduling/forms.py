"""Forms of scheduled sessions: the portal's sign-up, the console's publishing and
attendance. Validation of the data itself is ``services.check_sign_up`` and the actions."""

from __future__ import annotations

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from balcao.scheduling.ics import DEFAULT_VIDEO_PATTERN


def session_label(session) -> str:
    when = formats.date_format(timezone.localtime(session.starts_at), "DATETIME_FORMAT")
    left = max(0, session.capacity - session.confirmed)
    seats = _("%(count)s vaga(s)") % {"count": left} if left else _("lotada: lista de espera")
    return f"{when} — {seats}"


class SignUpForm(forms.Form):
    """Issue 25: "A person signs up (name, e-mail, the subject in one line)"."""

    session = forms.TypedChoiceField(label=_("Sessão"), coerce=int, widget=forms.RadioSelect)
    name = forms.CharField(label=_("Nome"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    subject = forms.CharField(
        label=_("Assunto"),
        max_length=200,
        help_text=_("Em uma linha: a dúvida que quer esclarecer na sessão."),
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [(s.pk, session_label(s)) for s in sessions]
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class PublishForm(forms.Form):
    """Staff publish the sessions of a date range (seed 000: "às 10 e 14 horas")."""

    channel = forms.ModelChoiceField(label=_("Canal"), queryset=None, empty_label=None)
    first = forms.DateField(label=_("De"), widget=forms.DateInput(attrs={"type": "date"}))
    last = forms.DateField(label=_("Até"), widget=forms.DateInput(attrs={"type": "date"}))
    times = forms.CharField(
        label=_("Horários"), initial="10:00, 14:00", help_text=_("Separados por vírgula.")
    )
    capacity = forms.IntegerField(label=_("Vagas por sessão"), min_value=1, initial=30)
    pattern = forms.CharField(
        label=_("Padrão do link da videochamada"),
        initial=DEFAULT_VIDEO_PATTERN,
        max_length=300,
        help_text=_("{room} é trocado por um nome de sala que ninguém adivinha."),
    )
    hosts = forms.ModelMultipleChoiceField(
        label=_("Anfitriões"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, channels, hosts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = channels
        self.fields["hosts"].queryset = hosts

    def clean_times(self):
        import datetime

        out = []
        for part in self.cleaned_data["times"].split(","):
            part = part.strip()
            if not part:
                continue
            try:
                out.append(datetime.time.fromisoformat(part))
            except ValueError:
                raise forms.ValidationError(
                    _("Horário inválido: %(value)s (use HH:MM)."), params={"value": part}
                ) from None
        if not out:
            raise forms.ValidationError(_("Informe ao menos um horário."))
        return out


class SessionRequestForm(forms.Form):
    """The request for a (tele)presential session: the four requirements of art. 34 (the
    completeness rules are ``rules.request_problems``; this form checks formats only)."""

    COMPANION_ROWS = 3

    name = forms.CharField(label=_("Nome completo"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    cpf = forms.CharField(
        label=_("CPF (opcional)"), max_length=14, required=False, help_text=_("Só os números.")
    )
    document = forms.CharField(
        label=_("Documento de identificação"),
        max_length=100,
        required=False,
        help_text=_("Tipo e número, por exemplo: RG 12.345.678-9 SSP/SP."),
    )
    subject = forms.CharField(label=_("Assunto a ser abordado"), max_length=250, required=False)
    reference = forms.CharField(
        label=_("Ato ou processo administrativo"),
        max_length=250,
        required=False,
        help_text=_("Número do processo, pedido ou ato a que o assunto se refere."),
    )
    no_reference = forms.BooleanField(
        label=_("O assunto não se refere a um ato ou processo específico"), required=False
    )
    justification = forms.CharField(
        label=_("Por que o assunto precisa de um atendimento (tele)presencial?"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mode = forms.ChoiceField(
        label=_("Modalidade preferida"),
        choices=[("remote", _("Por videochamada")), ("presential", _("Presencial"))],
        initial="remote",
        widget=forms.RadioSelect,
    )
    has_companions = forms.ChoiceField(
        label=_("Alguém vai acompanhar você?"),
        choices=[("no", _("Não, irei sozinho(a)")), ("yes", _("Sim"))],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        for number in range(1, self.COMPANION_ROWS + 1):
            self.fields[f"companion_{number}_name"] = forms.CharField(
                label=_("Acompanhante %(number)s: nome") % {"number": number},
                max_length=200,
                required=False,
            )
            self.fields[f"companion_{number}_interest"] = forms.CharField(
                label=_("Acompanhante %(number)s: interesse no assunto") % {"number": number},
                max_length=300,
                required=False,
            )

    def companion_rows(self):
        return [
            (self[f"companion_{n}_name"], self[f"companion_{n}_interest"])
            for n in range(1, self.COMPANION_ROWS + 1)
        ]

    def session_request(self):
        """The cleaned data as ``rules.SessionRequest`` (art. 34)."""
        from balcao.scheduling.rules import Companion, SessionRequest

        data = self.cleaned_data
        companions: tuple[Companion, ...] | None
        if data.get("has_companions") == "no":
            companions = ()
        elif data.get("has_companions") == "yes":
            companions = tuple(
                Companion(
                    data.get(f"companion_{n}_name", ""), data.get(f"companion_{n}_interest", "")
                )
                for n in range(1, self.COMPANION_ROWS + 1)
                if data.get(f"companion_{n}_name") or data.get(f"companion_{n}_interest")
            ) or (Companion("", ""),)
        else:
            companions = None
        return SessionRequest(
            requester_name=data.get("name", ""),
            requester_document=data.get("document", ""),
            subject=data.get("subject", ""),
            reference=data.get("reference", ""),
            no_reference=bool(data.get("no_reference")),
            justification=data.get("justification", ""),
            companions=companions,
        )

    #: Where each problem of ``rules.request_problems`` is shown.
    PROBLEM_FIELDS = {
        "requester_name": "name",
        "requester_document": "document",
        "subject": "subject",
        "reference": "reference",
        "justification": "justification",
        "companions": "has_companions",
    }


class AcceptForm(forms.Form):
    """The unit accepts a request and offers one-hour slots."""

    SLOT_ROWS = 5

    mode = forms.ChoiceField(
        label=_("Modalidade"),
        choices=[("remote", _("Por videochamada")), ("presential", _("Presencial"))],
    )
    place = forms.CharField(
        label=_("Local (atendimento presencial)"), max_length=300, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for number in range(1, self.SLOT_ROWS + 1):
            self.fields[f"slot_{number}"] = forms.DateTimeField(
                label=_("Horário %(number)s") % {"number": number},
                required=False,
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
            )

    def slot_fields(self):
        return [self[f"slot_{n}"] for n in range(1, self.SLOT_ROWS + 1)]

    def starts(self):
        return [
            self.cleaned_data[f"slot_{n}"]
            for n in range(1, self.SLOT_ROWS + 1)
            if self.cleaned_data.get(f"slot_{n}")
        ]


class RedirectForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Canal indicado"), queryset=None)
    reason = forms.CharField(
        label=_("Motivo"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        from balcao.catalog.models import Channel

        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(active=True).exclude(
            entry=Channel.Entry.SCHEDULING
        )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Motivo"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RescheduleForm(forms.Form):
    start = forms.DateTimeField(
        label=_("Novo horário"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    reason = forms.CharField(
        label=_("Motivo"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
