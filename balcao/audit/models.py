"""Audit trail of personal-data access (LGPD art. 37 / GDPR art. 30).

Every staff view or export of a requester's personal data is one row, written by
``audit.services.log_personal_data_access`` — the only writer.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalDataAccess(models.Model):
    class Kind(models.TextChoices):
        VIEW = "view", _("Visualização")
        EXPORT = "export", _("Exportação")
        API = "api", _("API")
        SEARCH = "search", _("Busca")
        LIST = "list", _("Lista")

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    token_name = models.CharField(max_length=100, blank=True)
    requester = models.ForeignKey("cases.Requester", on_delete=models.PROTECT)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    fields = models.CharField(_("campos"), max_length=200)
    where = models.CharField(_("onde"), max_length=250)
    purpose = models.CharField(_("finalidade"), max_length=250, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("acesso a dado pessoal")
        verbose_name_plural = _("acessos a dados pessoais")
        # record_access / record_requesters_seen: "has this person seen them in the last
        # five minutes?" reads only this person's recent rows.
        indexes = [models.Index(fields=["user", "at"], name="access_user_recent")]
