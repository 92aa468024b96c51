"""Live chat conversations (issue 24; seed 004, IPM Atende.Net "Chat de Atendimento
On-line"): one ``ChatSession`` per case opened from the chat, and each agent's presence."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """The unguessable part of the person's socket address (``ws/chat/<token>/``)."""
    return secrets.token_urlsafe(24)


def default_max_chats() -> int:
    return settings.BALCAO_CHAT_MAX_PER_AGENT


class ChatSession(models.Model):
    """The live side of a chat case: where it stands in the queue, who answers it, and what
    each side has read. The messages themselves are the case's (``cases.Message``)."""

    class State(models.TextChoices):
        WAITING = "waiting", _("Na fila")
        ACTIVE = "active", _("Em atendimento")
        CONCLUDED = "concluded", _("Concluído pelo usuário")
        CLOSED = "closed", _("Encerrado pelo atendente")
        OFFLINE = "offline", _("Mensagem fora do horário")

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="chat_session")
    requester = models.ForeignKey(
        "cases.Requester", on_delete=models.PROTECT, related_name="chat_sessions"
    )
    channel = models.ForeignKey(
        "catalog.Channel", on_delete=models.PROTECT, related_name="chat_sessions"
    )
    state = models.CharField(
        _("situação"), max_length=10, choices=State.choices, default=State.WAITING, db_index=True
    )
    queued_at = models.DateTimeField(_("entrou na fila em"), db_index=True)
    accepted_at = models.DateTimeField(_("atendido em"), null=True, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chat_sessions",
        verbose_name=_("atendente"),
    )
    closed_at = models.DateTimeField(_("encerrado em"), null=True, blank=True)
    close_reason = models.TextField(_("motivo do encerramento"), blank=True)
    # The bot's conversation while the person waits (seed 002's lifecycle; issue 24: "While
    # waiting, the bot answers first"); its turns are the bot's record, its answers the case's.
    bot_conversation = models.ForeignKey(
        "bot.Conversation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    person_read_at = models.DateTimeField(null=True, blank=True)
    agent_read_at = models.DateTimeField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)

    class Meta:
        ordering = ["queued_at", "pk"]
        verbose_name = _("conversa de chat")
        verbose_name_plural = _("conversas de chat")

    def __str__(self) -> str:
        return f"{self.case_id} ({self.state})"

    @property
    def group(self) -> str:
        """The channel-layer group both sides of this conversation listen to."""
        return f"chat.{self.pk}"


class AgentPresence(models.Model):
    """Whether an agent takes chats now, and how many at once (seed 004: several
    conversations per agent; ``BALCAO_CHAT_MAX_PER_AGENT`` by default)."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("Disponível")
        BUSY = "busy", _("Ocupado")
        PAUSED = "paused", _("Em pausa")
        OFFLINE = "offline", _("Desconectado")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_presence"
    )
    status = models.CharField(
        _("situação"), max_length=10, choices=Status.choices, default=Status.OFFLINE
    )
    max_chats = models.PositiveSmallIntegerField(
        _("conversas simultâneas"), default=default_max_chats
    )
    # Console sockets open now, in every server process (changed by one UPDATE each), and the
    # status to go back to when the first one opens after the last one closed.
    connections = models.PositiveIntegerField(_("consoles abertos"), default=0)
    resume_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("presença no chat")
        verbose_name_plural = _("presenças no chat")

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"
