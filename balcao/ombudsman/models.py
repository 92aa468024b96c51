from django.conf import settings
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


class LaiAnswer(models.Model):
    """The conclusive answer to an access-to-information request (Lei 12.527/2011 art. 11;
    Decreto 7.724/2012 arts. 15 and 19): what was decided and, for a denial, on what ground;
    for a request that is not the agency's, which body is competent. One per request; the
    appeals that may follow have their own clocks (``lai-appeal-filing``/``-decision``)."""

    class Kind(models.TextChoices):
        GRANTED = "granted", _("Acesso concedido")
        PARTIAL = "partial", _("Acesso parcialmente concedido")
        DENIED = "denied", _("Acesso negado")
        NONEXISTENT = "nonexistent", _("Informação inexistente")
        NOT_COMPETENT = "not-competent", _("Órgão não competente")

    class Ground(models.TextChoices):
        PERSONAL = "personal", _("Informação pessoal (Lei 12.527/2011, art. 31)")
        CLASSIFIED = "classified", _("Informação classificada em grau de sigilo (art. 23)")
        OTHER_SECRECY = "other-secrecy", _("Sigilo previsto em outra lei (art. 22)")
        GENERIC = "generic", _("Pedido genérico (Decreto 7.724/2012, art. 13, I)")
        DISPROPORTIONATE = (
            "disproportionate",
            _("Pedido desproporcional ou desarrazoado (art. 13, II)"),
        )
        ADDITIONAL_WORK = (
            "additional-work",
            _("Exige trabalho adicional de análise ou consolidação (art. 13, III)"),
        )

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="lai_answer")
    kind = models.CharField(_("resposta"), max_length=16, choices=Kind.choices)
    ground = models.CharField(_("fundamento"), max_length=20, choices=Ground.choices, blank=True)
    competent_body = models.CharField(_("órgão competente"), max_length=200, blank=True)
    # a denial on classified information goes with its TCI, reasons hidden (Portaria art. 46 § 3º)
    classification = models.ForeignKey(
        "ombudsman.ClassifiedInformation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="denials",
        verbose_name=_("TCI"),
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resposta a pedido de acesso à informação")
        verbose_name_plural = _("respostas a pedidos de acesso à informação")


class ClassificationAuthority(models.Model):
    """Who may sign a Termo de Classificação de Informação (INPI Portaria art. 46): the
    President (secreto and reservado), or a head holding a CCE/FCE of ``level`` 15 or above
    (reservado). Recorded by an administrator; the rules are balcao.ombudsman.classification."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classification_authority"
    )
    president = models.BooleanField(_("Presidente"), default=False)
    level = models.PositiveSmallIntegerField(_("nível do CCE/FCE"), null=True, blank=True)

    class Meta:
        verbose_name = _("autoridade classificadora")
        verbose_name_plural = _("autoridades classificadoras")

    def __str__(self) -> str:
        return f"{self.user} ({'Presidente' if self.president else self.level or '—'})"


class ClassifiedInformation(models.Model):
    """A Termo de Classificação de Informação (Decreto 7.724/2012 art. 31; INPI Portaria
    arts. 46–51): recorded only through ``services.do_classify``, which applies the rules of
    balcao.ombudsman.classification. The reasons stay at the degree of the information
    (art. 31 § 2º) and never reach a requester (Portaria art. 46 § 3º)."""

    nup = models.CharField(_("NUP"), max_length=25)
    degree = models.CharField(_("grau"), max_length=14)
    category = models.CharField(_("categoria (VCGE)"), max_length=2)
    legal_ground = models.CharField(_("fundamento legal"), max_length=300)
    subject = models.CharField(_("assunto"), max_length=300, blank=True)
    produced_on = models.DateField(_("produção"))
    classified_on = models.DateField(_("classificação"))
    years = models.PositiveSmallIntegerField(_("prazo (anos)"))
    reasons = models.TextField(_("razões da classificação"))
    end_event = models.CharField(_("evento que encerra o sigilo"), max_length=300, blank=True)
    reclassified = models.BooleanField(default=False)
    classified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authority_president = models.BooleanField(default=False)
    authority_level = models.PositiveSmallIntegerField(null=True, blank=True)
    declassified_on = models.DateField(_("desclassificação"), null=True, blank=True)
    declassified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    declassification_summary = models.TextField(
        _("resumo do documento desclassificado"), blank=True
    )

    class Meta:
        ordering = ["-classified_on", "-pk"]
        verbose_name = _("informação classificada")
        verbose_name_plural = _("informações classificadas")

    def as_classification(self):
        from balcao.ombudsman import classification

        return classification.Classification(
            nup=self.nup,
            degree=classification.Degree(self.degree),
            category=self.category,
            legal_ground=self.legal_ground,
            produced_on=self.produced_on,
            classified_on=self.classified_on,
            years=self.years,
            reasons=self.reasons,
            subject=self.subject,
            end_event=self.end_event,
            reclassified=self.reclassified,
            authority=classification.Authority(self.authority_president, self.authority_level),
        )


class LaiAppeal(models.Model):
    """An appeal against the answer to an access-to-information request, or the complaint
    for no answer. Four instances (Lei 12.527/2011 arts. 15–16; Decreto 7.724/2012 arts.
    21–24): the authority above whoever answered, the agency's highest authority (10 days to
    appeal, 5 to decide, each), then the CGU and the CMRI outside the agency (their decisions
    are recorded here); the complaint for omission (Decreto 7.724 art. 22) when the request's
    deadline passed without an answer."""

    class Instance(models.TextChoices):
        FIRST = "first", _("1ª instância (autoridade superior a quem respondeu)")
        SECOND = "second", _("2ª instância (autoridade máxima do órgão)")
        CGU = "cgu", _("3ª instância (Controladoria-Geral da União)")
        CMRI = "cmri", _("4ª instância (Comissão Mista de Reavaliação de Informações)")
        OMISSION = "omission", _("Reclamação por omissão")

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Provido")
        PARTLY = "partly", _("Parcialmente provido")
        DENIED = "denied", _("Não provido")
        NOT_ADMITTED = "not-admitted", _("Não conhecido")

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="lai_appeals")
    instance = models.CharField(_("instância"), max_length=10, choices=Instance.choices)
    text = models.TextField(_("razões do recurso"))
    filed_at = models.DateTimeField(_("apresentado em"))
    decision_due = models.DateTimeField(_("decisão até"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    outcome = models.CharField(_("decisão"), max_length=14, choices=Outcome.choices, blank=True)
    decision_text = models.TextField(_("fundamentação da decisão"), blank=True)
    decided_at = models.DateTimeField(_("decidido em"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["filed_at", "pk"]
        verbose_name = _("recurso de acesso à informação")
        verbose_name_plural = _("recursos de acesso à informação")
