from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A member of staff (atendente, supervisor, ouvidor…).

    Requesters (citizens) are not users: they are ``cases.Requester`` records and
    prove control of their e-mail to see their own cases.
    """

    display_name = models.CharField(_("nome de exibição"), max_length=150, blank=True)
    preferred_language = models.CharField(_("idioma"), max_length=10, default="pt-br")

    class Meta:
        verbose_name = _("membro da equipe")
        verbose_name_plural = _("membros da equipe")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class LoginFailure(models.Model):
    """Failed staff login attempts, kept 30 days for audit (who tried which username, from
    where). The delays themselves are counted in the cache (accounts.services)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("falha de login")


class EnrolmentLink(models.Model):
    """A one-time link that lets a member of staff enrol an authenticator app.

    Finding #5: a password alone must not be enough to enrol a second factor. An admin
    issues the link (``balcao user enrolment-link``) or the person asks for it by e-mail,
    at the staff address on record. Only a hash of the token is stored; the link works
    until ``expires_at``, once, and issuing a newer one for the same person ends it.
    """

    class Via(models.TextChoices):
        COMMAND = "command", "command"
        EMAIL = "email", "e-mail"
        DEMO = "demo", "demo"
        CONSOLE = "console", "console"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_links"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("link de cadastro do segundo fator")

    def __str__(self) -> str:
        return f"{self.user} ({self.via}, {self.created_at:%Y-%m-%d %H:%M})"

    def is_usable(self, now=None) -> bool:
        now = now or timezone.now()
        return self.used_at is None and self.expires_at > now and self.user.is_active


class StaffChange(models.Model):
    """One change an admin made to a member of staff in the console (who changed what):
    created, roles, teams, deactivated/reactivated, enrolment link re-issued."""

    class Action(models.TextChoices):
        CREATE = "create", _("Criação")
        ROLES = "roles", _("Papéis")
        TEAMS = "teams", _("Equipes")
        DEACTIVATE = "deactivate", _("Desativação")
        REACTIVATE = "reactivate", _("Reativação")
        ENROLMENT = "enrolment", _("Novo link de cadastro")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_changes"
    )
    action = models.CharField(_("ação"), max_length=20, choices=Action.choices)
    detail = models.CharField(_("detalhe"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("alteração de equipe")
        verbose_name_plural = _("alterações de equipe")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} → {self.user}: {self.action}"
