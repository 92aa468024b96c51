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
