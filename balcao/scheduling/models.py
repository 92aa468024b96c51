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
