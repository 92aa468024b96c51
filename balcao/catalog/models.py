"""The channel catalogue: levels, channels, services/modules.

The portal issue extends these (hours, triage texts, translations); cases point
at a channel and a service from the start.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.Model):
    """One of the five service levels of the INPI page (seed 000)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    purpose = models.TextField(_("finalidade"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("nível de atendimento")
        verbose_name_plural = _("níveis de atendimento")

    def __str__(self) -> str:
        return self.name


class Channel(models.Model):
    """A service channel (Chatbot, Fale Conosco, Ouvidoria…) with its rules."""

    class Kind(models.TextChoices):
        CHAT = "chat", _("Chat")
        FORM = "form", _("Formulário")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Telefone")
        SCHEDULING = "scheduling", _("Agendamento")
        OMBUDSMAN = "ombudsman", _("Ouvidoria")
        EXTERNAL = "external", _("Externo")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    level = models.ForeignKey(Level, on_delete=models.PROTECT, null=True, blank=True)
    kind = models.CharField(_("tipo"), max_length=20, choices=Kind.choices, default=Kind.FORM)
    workflow = models.ForeignKey(
        "cases.Workflow", on_delete=models.PROTECT, null=True, blank=True,
        verbose_name=_("fluxo de estados"),
    )
    deadline_policy = models.CharField(_("política de prazo"), max_length=64, blank=True)
    calendar = models.ForeignKey(
        "deadlines.Calendar", on_delete=models.SET_NULL, null=True, blank=True,
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
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("canal")
        verbose_name_plural = _("canais")

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
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
