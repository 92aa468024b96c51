"""The e-mail channel's records (issue 22): the mailboxes Balcão reads, and every message it
took from them — keyed by mailbox + UIDVALIDITY/UID so that a restart neither loses nor
duplicates anything — with the original kept and what became of it."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def raw_path(instance: "InboundMail", filename: str) -> str:
    return f"mail/{instance.mailbox_id}/{instance.uidvalidity}/{filename}"


class Mailbox(models.Model):
    """An address of the agency whose incoming mail opens and continues cases on ``channel``
    (and ``team``'s queue, when given)."""

    slug = models.SlugField(unique=True)
    address = models.EmailField(_("endereço"))
    channel = models.ForeignKey(
        "catalog.Channel", on_delete=models.PROTECT, related_name="mailboxes"
    )
    team = models.ForeignKey(
        "cases.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(_("ativa"), default=True)
    # IMAP: where its mail is read (imap.fetch_mailbox); the secret is stored encrypted
    # (balcao.mail.secrets) and never shown back.
    imap_host = models.CharField(_("servidor IMAP"), max_length=200, blank=True)
    imap_port = models.PositiveIntegerField(_("porta IMAP"), default=993)
    imap_tls = models.BooleanField(_("IMAP com TLS"), default=True)
    imap_user = models.CharField(_("usuário IMAP"), max_length=200, blank=True)
    imap_secret = models.TextField(_("senha IMAP (cifrada)"), blank=True, editable=False)
    folder = models.CharField(_("pasta"), max_length=200, default="INBOX")
    # How the last reading went, for the people who look after the mailbox (imap.fetch_mailbox).
    last_read_at = models.DateTimeField(_("última leitura"), null=True, blank=True, editable=False)
    last_error = models.TextField(_("último erro"), blank=True, editable=False)
    last_error_at = models.DateTimeField(_("último erro em"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("caixa de e-mail")
        verbose_name_plural = _("caixas de e-mail")

    def __str__(self) -> str:
        return self.address


class InboundMail(models.Model):
    """One message taken from a mailbox, and what became of it. Written in the same
    transaction as its case or message, so the server's copy is marked processed only after
    both exist (``services.ingest``)."""

    class Outcome(models.TextChoices):
        NEW_CASE = "new-case", _("Novo atendimento")
        REPLY = "reply", _("Mensagem num atendimento")
        DUPLICATE = "duplicate", _("Repetida (mesmo Message-ID)")
        BOUNCE = "bounce", _("Aviso de não entrega")
        QUARANTINE = "quarantine", _("Quarentena")
        ADVERTISING = "advertising", _("Publicidade")
        UNIT_ANSWER = "unit-answer", _("Resposta de uma unidade")

    class Mark(models.TextChoices):
        ADVERTISING = "advertising", _("É publicidade")
        NOT_ADVERTISING = "not-advertising", _("Não é publicidade")

    mailbox = models.ForeignKey(Mailbox, on_delete=models.PROTECT, related_name="messages")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=250, blank=True, db_index=True)
    sender = models.EmailField(blank=True)
    subject = models.CharField(max_length=300, blank=True)
    raw = models.FileField(upload_to=raw_path, max_length=300)
    size = models.PositiveBigIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    reason = models.TextField(blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    case_message = models.ForeignKey(
        "cases.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    acknowledged = models.BooleanField(default=False)
    # The advertising filter's verdict when the message arrived (balcao.mail.advertising):
    # its probability and the rule or words that decided, and an agent's mark, which
    # overrides it and teaches the filter.
    advertising_score = models.FloatField(null=True, blank=True)
    advertising_reason = models.CharField(max_length=200, blank=True)
    mark = models.CharField(_("marca"), max_length=16, choices=Mark.choices, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    marked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail recebido")
        verbose_name_plural = _("e-mails recebidos")
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="one_row_per_server_message"
            )
        ]
        indexes = [
            # a sender's recent messages: threading by subject, the acknowledgement's limit
            models.Index(fields=["mailbox", "sender", "received_at"], name="mail_by_sender"),
            # a message that came twice (the duplicate check), a reply naming one (threading)
            models.Index(fields=["mailbox", "message_id"], name="mail_by_message_id"),
        ]


class AdvertisingFilter(models.Model):
    """What the advertising filter learnt from agents' marks (one row, ``name="default"``):
    word counts per class, updated on each mark (balcao.mail.advertising)."""

    name = models.SlugField(unique=True, default="default")
    state = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)


class Unit(models.Model):
    """An internal unit of the agency reached by e-mail (seed 003, 13.1 e': messages "que, em
    virtude do seu teor, são devidamente reencaminhadas para o INPI"): agents forward a case
    to ``address`` and the unit's answer comes back into the case."""

    name = models.CharField(_("nome"), max_length=120)
    address = models.EmailField(_("endereço"), unique=True)
    active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unidade")
        verbose_name_plural = _("unidades")

    def __str__(self) -> str:
        return self.name


class UnitForward(models.Model):
    """A case forwarded by e-mail to a unit, with a tracking token (in the subject and the
    ``Message-ID``) that brings the unit's answer back into the case; the time at the unit
    is ``answered_at - sent_at``, shown and counted apart from the agency's own time."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="unit_forwards")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="forwards")
    token = models.CharField(max_length=32, unique=True)
    note = models.TextField(_("o que se pede à unidade"), blank=True)
    sent_at = models.DateTimeField(_("encaminhado em"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outbound = models.ForeignKey(
        "cases.OutboundMail", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("respondido em"), null=True, blank=True)
    answer = models.ForeignKey(
        "cases.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("encaminhamento a unidade")
        verbose_name_plural = _("encaminhamentos a unidades")
