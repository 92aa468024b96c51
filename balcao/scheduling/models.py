"""Scheduled sessions (issue 25). INPI Conecta Todos (seed ``000_…txt``): "nas datas
pré-definidas em calendário atualizado semanalmente, às 10 e 14 horas, em sessões abertas de
uma hora" — an ``OpenSession`` per published date and time, a ``Registration`` per person
who signs up (confirmed, on the waiting list, or cancelled)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from balcao.scheduling.ics import new_room_secret


def new_room_name() -> str:
    """A video room nobody can guess (``ics.new_room_secret``)."""
    return new_room_secret()


def new_cancel_token() -> str:
    """The unguessable part of a registration's cancel link (``agendamento/cancelar/<t>/``)."""
    return secrets.token_urlsafe(24)


class OpenSession(models.Model):
    """One open video session of a channel (Conecta Todos), with its seats and hosts."""

    channel = models.ForeignKey(
        "catalog.Channel", on_delete=models.PROTECT, related_name="open_sessions"
    )
    starts_at = models.DateTimeField(_("início"), db_index=True)
    ends_at = models.DateTimeField(_("fim"))
    capacity = models.PositiveIntegerField(_("vagas"))
    video_url = models.URLField(_("link da videochamada"), max_length=500)
    room_secret = models.CharField(max_length=128, default=new_room_name, editable=False)
    hosts = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="hosted_sessions"
    )
    published = models.BooleanField(_("publicada"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "starts_at"], name="scheduling_one_session_per_start"
            )
        ]
        verbose_name = _("sessão aberta")
        verbose_name_plural = _("sessões abertas")

    def __str__(self) -> str:
        return f"{self.channel_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Registration(models.Model):
    """A person's sign-up to an open session (issue 25: name, e-mail, the subject in one
    line; a waiting list when full)."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmada")
        WAITING = "waiting", _("Lista de espera")
        CANCELLED = "cancelled", _("Cancelada")

    session = models.ForeignKey(OpenSession, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(_("nome"), max_length=200)
    email = models.EmailField(_("e-mail"))
    subject = models.CharField(_("assunto"), max_length=200)
    status = models.CharField(_("situação"), max_length=10, choices=Status.choices, db_index=True)
    created_at = models.DateTimeField(_("inscrita em"))
    cancel_token = models.CharField(
        max_length=64, unique=True, default=new_cancel_token, editable=False
    )
    attended = models.BooleanField(_("compareceu"), null=True, blank=True)
    questions = models.TextField(_("dúvidas tratadas"), blank=True)
    reminders_sent = models.JSONField(default=list, blank=True)
    ics_sequence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("inscrição")
        verbose_name_plural = _("inscrições")

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"


def new_link_token() -> str:
    """The unguessable part of a person's link to a (tele)presential session
    (``agendamento/sessao/<t>/``: pick a slot, cancel) or of a participant's signature link."""
    return secrets.token_urlsafe(24)


class SessionRequest(models.Model):
    """A (tele)presential session (Portaria, arts. 32-35) on a case: asked for by the person
    through the portal (art. 34), or offered by the agency in a direct contact (arts. 40 III
    and 42). Its life: triage (7 working days, the case's clock) → slots offered → a slot
    picked → confirmed (two representatives, art. 32 §4) → held (minutes or a recording,
    art. 32 §6); or redirected, refused, cancelled."""

    class Origin(models.TextChoices):
        REQUEST = "request", _("Solicitação do usuário")
        DIRECT_CONTACT = "direct_contact", _("Contato direto do órgão")

    class Status(models.TextChoices):
        TRIAGE = "triage", _("Em triagem")
        OFFERED = "offered", _("Horários oferecidos")
        PICKED = "picked", _("Horário escolhido")
        CONFIRMED = "confirmed", _("Confirmada")
        HELD = "held", _("Realizada")
        REDIRECTED = "redirected", _("Encaminhada a outro canal")
        REFUSED = "refused", _("Recusada")
        CANCELLED = "cancelled", _("Cancelada")

    class Mode(models.TextChoices):
        PRESENTIAL = "presential", _("Presencial")
        REMOTE = "remote", _("Por videochamada")

    class Record(models.TextChoices):
        MINUTES = "minutes", _("Ata sumária")
        RECORDING = "recording", _("Gravação")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="session_request"
    )
    origin = models.CharField(
        _("origem"), max_length=16, choices=Origin.choices, default=Origin.REQUEST
    )
    status = models.CharField(
        _("situação"), max_length=12, choices=Status.choices, default=Status.TRIAGE, db_index=True
    )
    mode = models.CharField(
        _("modalidade"), max_length=12, choices=Mode.choices, default=Mode.REMOTE
    )
    # art. 34
    requester_document = models.CharField(_("documento de identificação"), max_length=100)
    reference = models.CharField(_("ato ou processo"), max_length=250, blank=True)
    no_reference = models.BooleanField(_("não se refere a ato ou processo"), default=False)
    justification = models.TextField(_("justificativa"), blank=True)
    # triage
    decision_reason = models.TextField(_("motivo"), blank=True)
    redirect_channel = models.ForeignKey(
        "catalog.Channel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("canal indicado"),
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # the session
    starts_at = models.DateTimeField(_("início"), null=True, blank=True, db_index=True)
    ends_at = models.DateTimeField(_("fim"), null=True, blank=True)
    place = models.CharField(_("local"), max_length=300, blank=True)
    video_url = models.URLField(_("link da videochamada"), max_length=500, blank=True)
    room_secret = models.CharField(max_length=128, blank=True, editable=False)
    token = models.CharField(max_length=64, unique=True, default=new_link_token, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.TextField(_("motivo do cancelamento"), blank=True)
    ics_sequence = models.PositiveIntegerField(default=0)
    reminders_sent = models.JSONField(default=list, blank=True)
    # art. 32 §§ 5-6: minutes or a recording
    record_kind = models.CharField(_("registro"), max_length=10, choices=Record.choices, blank=True)
    minutes_subjects = models.TextField(_("assuntos tratados"), blank=True)
    minutes_closed_at = models.DateTimeField(null=True, blank=True)
    recording = models.ForeignKey(
        "cases.Attachment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("gravação"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("atendimento (tele)presencial")
        verbose_name_plural = _("atendimentos (tele)presenciais")

    def __str__(self) -> str:
        return f"{self.case_id} ({self.status})"


class OfferedSlot(models.Model):
    """A one-hour slot the unit offers after accepting a request (issue 25: "the unit accepts
    (proposes slots) … the person picks one of the offered one-hour slots")."""

    request = models.ForeignKey(SessionRequest, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("início"))
    ends_at = models.DateTimeField(_("fim"))
    chosen = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["request", "starts_at"], name="scheduling_one_offer")
        ]


class Participant(models.Model):
    """Someone in a (tele)presential session: the requester, a companion (art. 34, IV) or a
    representative of the agency (art. 32 §4: two or more, at least one a civil servant).
    Identity checked against a document and recorded (art. 35 §1); the electronic acceptance
    of the minutes (art. 32 §5) or the consent to the recording (art. 32 §6)."""

    class Kind(models.TextChoices):
        REQUESTER = "requester", _("Solicitante")
        COMPANION = "companion", _("Acompanhante")
        REPRESENTATIVE = "representative", _("Representante do órgão")

    request = models.ForeignKey(
        SessionRequest, on_delete=models.CASCADE, related_name="participants"
    )
    kind = models.CharField(_("papel"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("nome"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    interest = models.CharField(_("interesse no assunto"), max_length=300, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    civil_servant = models.BooleanField(_("servidor"), default=False)
    document = models.CharField(_("documento conferido"), max_length=100, blank=True)
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    consent_at = models.DateTimeField(_("consentimento em"), null=True, blank=True)
    consent_text = models.TextField(blank=True)
    signed_at = models.DateTimeField(_("ata aceita em"), null=True, blank=True)
    sign_token = models.CharField(
        max_length=64, unique=True, default=new_link_token, editable=False
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("participante")
        verbose_name_plural = _("participantes")

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class ContactUnit(models.Model):
    """A managing unit that writes to users (Serviço de Contato Direto, arts. 36-45): its
    team, its institutional address (art. 40: the message goes "a partir do endereço
    eletrônico institucional da unidade") and the channel its contacts are filed on."""

    team = models.OneToOneField("cases.Team", on_delete=models.CASCADE, related_name="contact_unit")
    email = models.EmailField(_("endereço institucional"))
    channel = models.ForeignKey(
        "catalog.Channel", on_delete=models.PROTECT, related_name="+", verbose_name=_("canal")
    )
    signature = models.CharField(_("assinatura"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("unidade de contato direto")
        verbose_name_plural = _("unidades de contato direto")

    def __str__(self) -> str:
        return str(self.team)


class Hypothesis(models.Model):
    """A hypothesis under which a process is eligible for a direct contact, with its
    requirements, published by the managing unit (art. 38), and the unit's templates of the
    three parts of the official message (art. 40): preceito, premissa, conclusão."""

    unit = models.ForeignKey(ContactUnit, on_delete=models.CASCADE, related_name="hypotheses")
    title = models.CharField(_("hipótese"), max_length=200)
    requirements = models.TextField(_("requisitos"))
    preceito = models.TextField(_("preceito (modelo)"))
    premissa = models.TextField(_("premissa (modelo)"))
    conclusao = models.TextField(_("conclusão (modelo)"))
    active = models.BooleanField(_("publicada"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["unit", "order", "pk"]
        verbose_name = _("hipótese de contato direto")
        verbose_name_plural = _("hipóteses de contato direto")

    def __str__(self) -> str:
        return self.title


class DirectContact(models.Model):
    """An official message of a unit to a user about a process (arts. 36-42), on its case:
    the three parts as sent, the process, the 5-working-day reply clock (the case's
    ``contato-direto`` policy) and the person's answer."""

    class Status(models.TextChoices):
        SENT = "sent", _("Enviado, aguardando resposta")
        INTERESTED = "interested", _("Usuário interessado")
        DECLINED = "declined", _("Usuário não interessado")
        EXPIRED = "expired", _("Sem resposta no prazo")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="direct_contact"
    )
    hypothesis = models.ForeignKey(
        Hypothesis, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("hipótese")
    )
    process = models.CharField(_("processo"), max_length=100)
    preceito = models.TextField(_("preceito"))
    premissa = models.TextField(_("premissa"))
    conclusao = models.TextField(_("conclusão"))
    status = models.CharField(
        _("situação"), max_length=12, choices=Status.choices, default=Status.SENT, db_index=True
    )
    sent_at = models.DateTimeField(_("enviado em"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("contato direto")
        verbose_name_plural = _("contatos diretos")

    def __str__(self) -> str:
        return f"{self.process} ({self.status})"
