from django.db import models
from django.utils.translation import gettext_lazy as _


class Manifestation(models.Model):
    """What a case filed with the ombudsman is: its type and how its author chose to be
    identified (Decreto 10.153/2019). The case itself (protocol, clock, thread) is the case
    core's, on a confidential channel that only the ombudsman role sees."""

    class Type(models.TextChoices):
        DENUNCIA = "denuncia", _("Denúncia")
        RECLAMACAO = "reclamacao", _("Reclamação")
        SOLICITACAO = "solicitacao", _("Solicitação de providência")
        SUGESTAO = "sugestao", _("Sugestão")
        ELOGIO = "elogio", _("Elogio")
        SIMPLIFIQUE = "simplifique", _("Simplifique")
        ACESSO_INFORMACAO = "acesso-informacao", _("Acesso à informação")

    class Identity(models.TextChoices):
        IDENTIFIED = "identified", _("Identificada")
        PRESERVED = "preserved", _("Com identidade preservada")
        ANONYMOUS = "anonymous", _("Anônima")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="manifestation"
    )
    type = models.CharField(_("tipo"), max_length=20, choices=Type.choices)
    identity = models.CharField(_("identificação"), max_length=12, choices=Identity.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("manifestação")
        verbose_name_plural = _("manifestações")

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.case_id}"
