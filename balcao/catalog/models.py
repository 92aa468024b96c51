"""The channel catalogue: levels, channels, services/modules.

The portal issue extends these (hours, triage texts, translations); cases point
at a channel and a service from the start.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("pt-BR", "pt-PT", "en")


class Translated(models.Model):
    """Texts per language in ``texts`` ({"pt-BR": {...}, "pt-PT": {...}, "en": {...}});
    the plain fields hold the default language (pt-BR)."""

    texts = models.JSONField(_("textos por idioma"), default=dict, blank=True)

    class Meta:
        abstract = True

    def text(self, key: str, language: str = "pt-BR"):
        for lang in (language, "pt-BR"):
            value = (self.texts.get(lang) or {}).get(key)
            if value:
                return value
        return getattr(self, key, "")


class Level(Translated):
    """One of the five service levels of the INPI page (seed 000)."""

    slug = models.SlugField(unique=True)
    number = models.PositiveSmallIntegerField(default=1)
    name = models.CharField(_("nome"), max_length=120)
    purpose = models.TextField(_("finalidade"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("nível de atendimento")
        verbose_name_plural = _("níveis de atendimento")

    def __str__(self) -> str:
        return self.name


class Channel(Translated):
    """A service channel (Chatbot, Fale Conosco, Ouvidoria…) with its rules.

    ``slug`` is stable (kept when names or texts are edited or translated): the triage
    contract and integrations use it. ``texts[lang]`` holds name, purpose, ideal_for,
    not_advised_for (lists), terms.
    """

    class Hours(models.TextChoices):
        ALWAYS = "always", _("24 horas, todos os dias")
        WEEKLY = "weekly", _("Horário semanal (calendário)")
        SESSIONS = "sessions", _("Sessões em horários fixos")
        APPOINTMENT = "appointment", _("Com agendamento")
        UNSPECIFIED = "unspecified", _("Recebe pedidos a qualquer momento")

    class Entry(models.TextChoices):
        CHAT = "chat", _("Chat")
        FORM = "form", _("Formulário")
        SCHEDULING = "scheduling", _("Agendamento")
        EXTERNAL = "external", _("Endereço externo")

    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")
        FORM = "form", _("Formulário")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Telefone")
        SCHEDULING = "scheduling", _("Agendamento")
        OMBUDSMAN = "ombudsman", _("Ouvidoria")
        LAI = "lai", _("Acesso à informação (SIC)")
        EXTERNAL = "external", _("Externo")
        MEDIATION = "mediation", _("Mediação ou conciliação")

    class TriageRole(models.TextChoices):
        """The role the channel plays for the triage of an agency with no cues of its own
        (``balcao.catalog.roles.ROLES``); empty: read from the kind and the level."""

        SELF_SERVICE = "self-service", _("Autoatendimento (chatbot, perguntas frequentes)")
        WRITTEN = "written", _("Contato por escrito (formulário, e-mail)")
        PHONE = "phone", _("Contato imediato (telefone, chat com pessoa)")
        PRESENTIAL = "presential", _("Atendimento presencial ou agendado")
        OMBUDSMAN = "ombudsman", _("Ouvidoria")
        INFORMATION_ACCESS = "information-access", _("Acesso à informação (LAI)")
        EXTERNAL = "external", _("Plataforma externa de reclamação")
        MEDIATION = "mediation", _("Mediação ou conciliação")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.FORM)
    triage_role = models.CharField(
        _("papel na triagem"),
        max_length=20,
        choices=TriageRole.choices,
        blank=True,
        help_text=_("Vazio: deduzido do tipo e do nível do canal."),
    )
    purpose = models.TextField(_("finalidade"), blank=True)
    ideal_for = models.JSONField(_("ideal para"), default=list, blank=True)
    not_advised_for = models.JSONField(_("desaconselhado para"), default=list, blank=True)
    automated = models.BooleanField(_("automatizado"), default=False)
    media = models.JSONField(
        _("meios"), default=list, blank=True, help_text=_("electronic, virtual, in_person")
    )
    hours = models.CharField(
        _("funcionamento"), max_length=12, choices=Hours.choices, default=Hours.UNSPECIFIED
    )
    session_times = models.JSONField(_("horários das sessões"), default=list, blank=True)
    deadline_agreed = models.BooleanField(_("prazo acordado entre as partes"), default=False)
    entry = models.CharField(
        _("ponto de entrada"), max_length=12, choices=Entry.choices, default=Entry.FORM
    )
    entry_url = models.URLField(_("endereço externo"), blank=True)
    rules_key = models.SlugField(
        _("regras de triagem"),
        blank=True,
        help_text=_("Vazio: as regras do próprio identificador."),
    )
    workflow = models.ForeignKey(
        "cases.Workflow",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("fluxo de estados"),
    )
    deadline_policy = models.CharField(_("política de prazo"), max_length=64, blank=True)
    calendar = models.ForeignKey(
        "deadlines.Calendar",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("calendário (horário de funcionamento)"),
    )
    max_attachment_bytes = models.PositiveBigIntegerField(
        _("tamanho máximo de anexo (bytes)"), default=20 * 1024 * 1024
    )
    allowed_attachment_types = models.JSONField(
        _("tipos de anexo permitidos"),
        default=list,
        blank=True,
        help_text=_("Tipos MIME aceitos; vazio aceita os tipos seguros padrão."),
    )
    active = models.BooleanField(_("ativo"), default=True)
    # Issue 21: "Ombudsman cases must be visible only to the ombudsman role" — Decreto
    # 10.153/2019 protects the identity of whoever reports to the ombudsman; the cases of a
    # confidential channel, and who filed them, are shown to the ombudsman role alone.
    confidential = models.BooleanField(
        _("sigiloso (só a ouvidoria vê os atendimentos e quem os abriu)"), default=False
    )
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("canal")
        verbose_name_plural = _("canais")

    def __str__(self) -> str:
        return self.name


class Service(Translated):
    """A service/module cases are filed under (Marcas, Patentes, e-INPI/GRU…)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("serviço")
        verbose_name_plural = _("serviços")

    def __str__(self) -> str:
        return self.name


class PortalText(Translated):
    """Agency texts of the portal (title, tagline, merit statement, appeal), per language."""

    key = models.SlugField(unique=True)
    value = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.key

    def text(self, key: str = "value", language: str = "pt-BR"):
        return super().text(key, language)


class ContentItem(Translated):
    """Podcast episodes and news linked from the portal ("episódios")."""

    number = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(_("título"), max_length=200)
    url = models.URLField(blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["number", "pk"]

    def __str__(self) -> str:
        return self.title


class CatalogChange(models.Model):
    """Every edit of the catalogue: who changed what, when (old → new values)."""

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    object_type = models.CharField(max_length=30)
    object_key = models.CharField(max_length=80)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-pk"]


class TriageOutcome(models.Model):
    """An anonymous triage result to learn which needs go where: what was recommended and
    which channel the person then chose.

    ``text`` is empty unless the person agreed, on the portal, that what they wrote may teach
    the triage (issue 20: "labelled needs the agency can add in the console (every recorded
    choice on the portal is one)"); it is kept masked (CPF, CNPJ, NIF, card numbers,
    passwords), only until staff accept it as an example or discard it, and at most
    ``catalog.services.SUGGESTION_DAYS`` days."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    language = models.CharField(max_length=5)
    recommended = models.CharField(max_length=50)
    alternative = models.CharField(max_length=50, blank=True)
    chosen = models.CharField(max_length=50, blank=True)
    source = models.CharField(max_length=10, default="portal")
    text = models.TextField(blank=True, default="")


class TriageExample(models.Model):
    """A need labelled by the agency with the channel it should go to (or
    ``merit-not-discussed``): the triage learns each channel's profile from these and from
    the channel's own texts (issue 20; balcao.catalog.learned). Written by staff in the
    console, in the words citizens use; never a citizen's own text (the portal keeps no text
    of a triage, only its outcome)."""

    text = models.TextField(_("necessidade"), max_length=1000)
    language = models.CharField(_("idioma"), max_length=5, default="pt-BR")
    expect = models.CharField(_("canal certo"), max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("exemplo da triagem")
        verbose_name_plural = _("exemplos da triagem")

    def __str__(self) -> str:
        return f"{self.expect}: {self.text[:60]}"
