"""Public forms: the triage ("Encontre o atendimento certo") and the case form of the
channels whose entry point is a form."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from balcao.cases.attachments import AttachmentRefused, check_file
from balcao.cases.services import check_requester_documents
from balcao.catalog.models import Service

ANSWERS = [("", _("Não sei")), ("yes", _("Sim")), ("no", _("Não"))]

# Common subjects to pick instead of typing. Each is sent to the triage as the need's text in
# the page's language, so the label and what the recommender reads always agree (the comment
# is the channel the demo catalogue recommends; tests/portal checks it).
COMMON_SUBJECTS = {
    "price": {  # chatbot
        "pt-BR": "Quanto custa registrar uma marca ou patente?",
        "pt-PT": "Quanto custa registar uma marca ou patente?",
        "en": "How much does it cost to register a trademark or patent?",
    },
    "technical": {  # fale-conosco
        "pt-BR": "Tenho uma dúvida técnica sobre o andamento do meu pedido",
        "pt-PT": "Tenho uma dúvida técnica sobre o andamento do meu pedido",
        "en": "I have a technical question about the progress of my application",
    },
    "export": {  # comex-responde
        "pt-BR": "Quero proteger minha marca para exportar para outros países",
        "pt-PT": "Quero proteger a minha marca para exportar para outros países",
        "en": "I want to protect my trademark to export to other countries",
    },
    "complaint": {  # ouvidoria
        "pt-BR": "Fazer uma denúncia, reclamação, sugestão ou elogio",
        "pt-PT": "Fazer uma denúncia, reclamação, sugestão ou elogio",
        "en": "Make a complaint, report, suggestion or compliment",
    },
    "information": {  # sic
        "pt-BR": "Pedir cópia de documentos ou informações públicas (Lei de Acesso à Informação)",
        "pt-PT": "Pedir cópia de documentos ou informações públicas (Lei de Acesso à Informação)",
        "en": "Request copies of documents or public information (access to information law)",
    },
    "strategy": {  # telepresencial
        "pt-BR": "Preciso de atendimento para um caso técnico de alta complexidade",
        "pt-PT": "Preciso de atendimento para um caso técnico de alta complexidade",
        "en": "I need help with a highly complex technical case",
    },
    "appeal": {  # merit-not-discussed
        "pt-BR": "Quero reverter uma decisão (indeferimento) sobre o meu pedido",
        "pt-PT": "Quero reverter uma decisão (indeferimento) sobre o meu pedido",
        "en": "I want to reverse a decision (refusal) on my application",
    },
}


def subject_text(key: str, language: str) -> str:
    texts = COMMON_SUBJECTS.get(key) or {}
    return texts.get(language) or texts.get("pt-BR", "")


class TriageForm(forms.Form):
    text = forms.CharField(
        label=_("Descreva a sua necessidade"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Escreva com as suas palavras. Não informe CPF, senhas ou dados pessoais."),
    )
    subject = forms.ChoiceField(label=_("Ou escolha um assunto comum"), required=False, choices=[])
    urgent = forms.ChoiceField(
        label=_("É urgente?"), required=False, choices=ANSWERS, widget=forms.RadioSelect, initial=""
    )
    about_decision = forms.ChoiceField(
        label=_("É sobre uma decisão já tomada pelo órgão?"),
        required=False,
        choices=ANSWERS,
        widget=forms.RadioSelect,
        initial="",
    )
    share = forms.BooleanField(
        label=_(
            "Autorizo que o texto que escrevi, sem números de documentos, e-mails ou "
            "telefones, seja lido pela equipe do órgão para melhorar estas recomendações."
        ),
        required=False,
        help_text=_(
            "Opcional. Sem esta autorização, guardamos só qual canal foi recomendado e qual "
            "você escolheu, nunca o que escreveu. O texto autorizado é apagado em até 30 dias."
        ),
    )

    def __init__(self, *args, language: str = "pt-BR", **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.fields["subject"].choices = [("", _("— nenhum —"))] + [
            (key, subject_text(key, language)) for key in COMMON_SUBJECTS
        ]

    def clean(self):
        data = super().clean()
        text = (data.get("text") or "").strip()
        if not text and data.get("subject"):
            text = subject_text(data["subject"], self.language)
        if not text:
            raise ValidationError(_("Descreva a sua necessidade ou escolha um assunto comum."))
        data["need"] = text
        return data

    def answers(self) -> dict:
        def value(key):
            return {"yes": True, "no": False}.get(self.cleaned_data.get(key) or "")

        return {"urgent": value("urgent"), "about_decision": value("about_decision")}


class ServiceChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, language="pt-BR", **kwargs):
        self.language = language
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return obj.text("name", self.language)


class PublicCaseForm(forms.Form):
    """A case on a form channel. ``website`` is a honeypot: hidden from people (and from
    assistive technology), filled in by bots."""

    name = forms.CharField(
        label=_("Nome completo"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Enviamos o número de protocolo para este e-mail."),
    )
    cpf = forms.CharField(
        label=_("CPF (opcional)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("Somente números ou no formato 000.000.000-00."),
    )
    service = ServiceChoiceField(
        label=_("Serviço"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("— não sei / outro —"),
    )
    subject = forms.CharField(label=_("Assunto"), max_length=250)
    description = forms.CharField(
        label=_("Descrição"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6})
    )
    attachment = forms.FileField(label=_("Anexo (opcional)"), required=False)
    website = forms.CharField(
        label=_("Não preencha este campo"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, channel, language="pt-BR", **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        field = self.fields["service"]
        field.queryset = Service.objects.filter(active=True)
        field.language = language
        limit = channel.max_attachment_bytes
        self.fields["attachment"].help_text = _(
            "Um arquivo de até %(size)s MB: PDF, imagem, texto ou documento de escritório."
        ) % {"size": max(1, limit // (1024 * 1024))}

    @property
    def is_bot(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def clean_cpf(self):
        cpf = (self.cleaned_data.get("cpf") or "").strip()
        if not cpf:
            return ""
        try:
            check_requester_documents(cpf=cpf)
        except ValidationError as exc:
            raise ValidationError(
                _("CPF inválido: confira os 11 números (ou deixe o campo em branco)."),
                code="invalid_cpf",
            ) from exc
        return cpf

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
        return upload


class ManifestationForm(PublicCaseForm):
    """The ombudsman's form (a confidential channel): the type of manifestation and how the
    person chooses to be identified (Decreto 10.153/2019) before the usual fields. Name and
    e-mail are required unless the manifestation is anonymous; an anonymous one keeps
    nothing personal and cannot be followed (issue 21)."""

    kind = forms.ChoiceField(
        label=_("Tipo de manifestação"),
        widget=forms.RadioSelect,
        initial="reclamacao",
    )
    identity = forms.ChoiceField(
        label=_("Como você quer se identificar?"),
        widget=forms.RadioSelect,
        initial="identified",
    )

    def __init__(self, *args, **kwargs):
        from balcao.ombudsman.models import Manifestation

        super().__init__(*args, **kwargs)
        # Access to information has its own channel (SIC) and its own clock (LAI).
        self.fields["kind"].choices = [
            (value, label)
            for value, label in Manifestation.Type.choices
            if value != Manifestation.Type.ACESSO_INFORMACAO
        ]
        self.fields["identity"].choices = [
            (
                Manifestation.Identity.IDENTIFIED,
                _("Identificada: meu nome aparece para a ouvidoria"),
            ),
            (
                Manifestation.Identity.PRESERVED,
                _("Com identidade preservada: só a ouvidoria sabe quem sou"),
            ),
            (
                Manifestation.Identity.ANONYMOUS,
                _(
                    "Anônima: nada pessoal é guardado, e não será possível acompanhar nem "
                    "receber resposta"
                ),
            ),
        ]
        for name in ("name", "email"):
            self.fields[name].required = False
        self.fields["email"].help_text = _(
            "Enviamos o protocolo e o código de acompanhamento para este e-mail "
            "(não é preciso na manifestação anônima)."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("identity") != "anonymous":
            if not cleaned.get("name"):
                self.add_error("name", _("Informe seu nome (ou escolha a manifestação anônima)."))
            if not cleaned.get("email") and "email" not in self.errors:
                self.add_error(
                    "email", _("Informe seu e-mail (ou escolha a manifestação anônima).")
                )
        return cleaned
