"""Chatbot conversations: the lifecycle shared with the live chat.

bot → waiting for a person → with a person → closed. Seed 002 (MGI): "conversas
inativas são encerradas após 20 minutos"; the transcript is kept on the case.
Texts are stored masked (no CPF, card number or password).
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Conversation(models.Model):
    class State(models.TextChoices):
        BOT = "bot", _("Com o robô")
        WAITING = "waiting", _("Aguardando atendente")
        HUMAN = "human", _("Com atendente")
        CLOSED = "closed", _("Encerrada")

    token = models.CharField(max_length=40, unique=True, default=new_token)
    state = models.CharField(max_length=10, choices=State.choices, default=State.BOT)
    language = models.CharField(max_length=5, default="pt-BR")
    started_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField()
    idle_warned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=40, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="conversations"
    )
    requester = models.ForeignKey(
        "cases.Requester", on_delete=models.SET_NULL, null=True, blank=True
    )
    last_article = models.CharField(max_length=120, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "last_activity_at"], name="bot_conv_idle")]


class Turn(models.Model):
    class Role(models.TextChoices):
        PERSON = "person", _("Pessoa")
        BOT = "bot", _("Robô")
        AGENT = "agent", _("Atendente")
        SYSTEM = "system", _("Sistema")

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    role = models.CharField(max_length=8, choices=Role.choices)
    text = models.TextField()
    article_id = models.CharField(max_length=120, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    # "Você quis dizer…": the questions offered as buttons after this bot turn.
    suggestions = models.JSONField(default=list, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
