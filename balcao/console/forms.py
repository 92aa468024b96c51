from django import forms
from django.utils.translation import gettext_lazy as _

from balcao.accounts.models import User
from balcao.cases.models import State, Team
from balcao.catalog.models import Channel, Service


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Mensagem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=50_000,
    )
    files = MultipleFileField(label=_("Anexos"))


class TransitionForm(forms.Form):
    target = forms.ModelChoiceField(label=_("Nova situação"), queryset=State.objects.none())
    reason = forms.CharField(
        label=_("Justificativa"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        if case is not None:
            self.fields["target"].queryset = State.objects.filter(incoming__source=case.state)


class AssignForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Equipe"), queryset=Team.objects.all(), required=False)
    assignee = forms.ModelChoiceField(
        label=_("Responsável"),
        required=False,
        queryset=User.objects.filter(
            is_active=True, groups__name__in=["agent", "supervisor", "ombudsman"]
        )
        .distinct()
        .order_by("username"),
    )


class NewCaseForm(forms.Form):
    channel = forms.ModelChoiceField(label=_("Canal"), queryset=Channel.objects.filter(active=True))
    service = forms.ModelChoiceField(
        label=_("Serviço"), queryset=Service.objects.filter(active=True), required=False
    )
    subject = forms.CharField(label=_("Assunto"), max_length=250)
    description = forms.CharField(
        label=_("Descrição"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    requester_name = forms.CharField(label=_("Nome do requerente"), max_length=200, required=False)
    requester_email = forms.EmailField(label=_("E-mail do requerente"), required=False)
    requester_cpf = forms.CharField(label=_("CPF do requerente"), max_length=20, required=False)
    team = forms.ModelChoiceField(label=_("Equipe"), queryset=Team.objects.all(), required=False)


class ChannelForm(forms.Form):
    """A manager edits a channel; lists are one item per line; translations per language."""

    name = forms.CharField(label=_("Nome"), max_length=120)
    purpose = forms.CharField(
        label=_("Finalidade"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    ideal_for = forms.CharField(
        label=_("Ideal para (um por linha)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    not_advised_for = forms.CharField(
        label=_("Desaconselhado para (um por linha)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    active = forms.BooleanField(label=_("Ativo"), required=False)
    order = forms.IntegerField(label=_("Ordem"), min_value=0)
    hours = forms.ChoiceField(label=_("Funcionamento"), choices=Channel.Hours.choices)
    session_times = forms.CharField(
        label=_("Horários das sessões (ex.: 10:00, 14:00)"), required=False
    )
    deadline_policy = forms.CharField(label=_("Política de prazo"), required=False, max_length=64)
    entry = forms.ChoiceField(label=_("Ponto de entrada"), choices=Channel.Entry.choices)
    entry_url = forms.URLField(label=_("Endereço externo"), required=False, assume_scheme="https")
    name_en = forms.CharField(label=_("Nome (inglês)"), required=False, max_length=120)
    purpose_en = forms.CharField(
        label=_("Finalidade (inglês)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    name_pt_pt = forms.CharField(
        label=_("Nome (português europeu)"), required=False, max_length=120
    )
    purpose_pt_pt = forms.CharField(
        label=_("Finalidade (português europeu)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_deadline_policy(self):
        from balcao.deadlines.services import policy_named

        name = self.cleaned_data["deadline_policy"].strip()
        if name and policy_named(name) is None:
            raise forms.ValidationError(_("Política de prazo desconhecida."))
        return name

    def clean_session_times(self):
        import re

        times = [t.strip() for t in self.cleaned_data["session_times"].split(",") if t.strip()]
        for value in times:
            if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
                raise forms.ValidationError(_("Use horários como 10:00, 14:00."))
        return times

    @staticmethod
    def lines(value: str) -> list[str]:
        return [line.strip() for line in (value or "").splitlines() if line.strip()]
