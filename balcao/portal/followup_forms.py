"""Forms of the follow-up page ("Acompanhar atendimento")."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from balcao.cases.attachments import AttachmentRefused, check_file
from balcao.cases.followup import COMMENT_MAX
from balcao.cases.models import CaseRating


class AccessForm(forms.Form):
    protocol = forms.CharField(
        label=_("Número de protocolo"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Como está no e-mail de confirmação, com ou sem pontos e traços."),
    )
    code = forms.CharField(
        label=_("Código de acesso"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("Oito letras e números, enviados com a confirmação (por exemplo, AB3D-7KQP)."),
    )


class NewCodeForm(forms.Form):
    protocol = forms.CharField(label=_("Número de protocolo"), max_length=60)
    email = forms.EmailField(
        label=_("E-mail informado no atendimento"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Sua mensagem"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    attachment = forms.FileField(label=_("Anexo (opcional)"), required=False)

    def __init__(self, *args, channel, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        limit = channel.max_attachment_bytes
        self.fields["attachment"].help_text = _(
            "Um arquivo de até %(size)s MB: PDF, imagem, texto ou documento de escritório."
        ) % {"size": max(1, limit // (1024 * 1024))}

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload:
            return None
        try:
            check_file(
                upload,
                upload.name,
                max_bytes=self.channel.max_attachment_bytes,
                allowed_types=self.channel.allowed_attachment_types or None,
            )
        except AttachmentRefused as exc:
            raise ValidationError(str(exc), code="attachment_refused") from exc
        upload.seek(0)
        return upload

    def clean(self):
        data = super().clean()
        empty = not (data.get("body") or "").strip() and not data.get("attachment")
        if empty and not self.errors:
            raise ValidationError(_("Escreva uma mensagem ou escolha um arquivo."))
        return data


SCORES = [
    ("5", _("5 — Muito bom")),
    ("4", _("4 — Bom")),
    ("3", _("3 — Regular")),
    ("2", _("2 — Ruim")),
    ("1", _("1 — Muito ruim")),
]


class RatingForm(forms.Form):
    score = forms.ChoiceField(
        label=_("Como você avalia o atendimento?"), choices=SCORES, widget=forms.RadioSelect
    )
    resolved = forms.ChoiceField(
        label=_("A resposta resolveu a sua necessidade?"),
        choices=CaseRating.Resolved.choices,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comentário (opcional)"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Não escreva dados pessoais."),
    )


class EmailProofForm(forms.Form):
    email = forms.EmailField(
        label=_("Seu e-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("O e-mail que você informou ao abrir os atendimentos."),
    )
