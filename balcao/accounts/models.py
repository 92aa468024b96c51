from django.contrib.auth.models import AbstractUser
from django.db import models
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
    """Failed staff login attempts, counted per username for the lockout."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("falha de login")
