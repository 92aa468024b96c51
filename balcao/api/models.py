"""Integration tokens (scoped) and webhook subscriptions."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SCOPES = {
    "cases:read": _("Ler atendimentos, mensagens, anexos e histórico"),
    "cases:write": _("Abrir atendimentos, responder, mudar situação, atribuir"),
    "requesters:read": _("Ler dados pessoais de requerentes (auditado)"),
    "requesters:write": _("Cadastrar requerentes"),
    "queues:read": _("Ler equipes e filas"),
    "webhooks:manage": _("Gerir webhooks"),
    "telephony:hours": _("Consultar se as linhas telefônicas estão abertas (PBX)"),
}


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for an integration. It acts as ``user`` (whose roles still apply),
    limited to ``scopes``. Only a hash is stored; the token is shown once."""

    name = models.CharField(_("nome"), max_length=100, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("token de integração")
        verbose_name_plural = _("tokens de integração")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str, user, scopes, expires_at=None) -> tuple[ApiToken, str]:
        unknown = set(scopes) - set(SCOPES)
        if unknown:
            raise ValueError(f"escopos desconhecidos: {sorted(unknown)}")
        raw = "blc_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            name=name,
            user=user,
            prefix=raw[:12],
            key_hash=hash_token(raw),
            scopes=sorted(set(scopes)),
            expires_at=expires_at,
        )
        return token, raw

    @property
    def is_usable(self) -> bool:
        return not self.revoked and (self.expires_at is None or self.expires_at > timezone.now())


class Webhook(models.Model):
    """A subscription: case events are POSTed to ``url``, signed with HMAC-SHA256."""

    name = models.CharField(_("nome"), max_length=100)
    url = models.URLField(_("endereço"), max_length=500)
    secret = models.CharField(max_length=64)
    events = models.JSONField(
        _("eventos"),
        default=list,
        blank=True,
        help_text=_("Vazio: todos os eventos de atendimento."),
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return self.active and (not self.events or event in self.events)


class WebhookDelivery(models.Model):
    """One attempt history per event and webhook (retried with backoff)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]
