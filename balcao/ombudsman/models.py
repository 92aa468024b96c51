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


class ClassificationReassessment(models.Model):
    """A reassessment of a TCI (INPI Portaria art. 47: "Compete à Autoridade Classificadora,
    mediante provocação ou de ofício, a reavaliação dos dados ou informações classificadas em
    qualquer grau de sigilo, para a sua desclassificação ou redução do prazo de sigilo"; Decreto
    7.724/2012 art. 36: the request may come from anyone, with or without an earlier request
    for access, and "será endereçado à autoridade classificadora, que decidirá no prazo de
    trinta dias"). Recorded by ``services.do_request_reassessment`` with who asked and what
    they wrote; decided by ``services.do_decide_reassessment``, by an authority who may
    classify at the item's degree. The decision stays at the degree of the information (Lei
    12.527/2011 art. 29 § único): the person learns the outcome, never the reasons."""

    class Origin(models.TextChoices):
        REQUEST = "request", _("A pedido")
        EX_OFFICIO = "ex-officio", _("De ofício")

    class Asked(models.TextChoices):
        DECLASSIFY = "declassify", _("Desclassificação")
        REDUCE = "reduce", _("Redução do prazo de sigilo")

    class Decision(models.TextChoices):
        KEEP = "keep", _("Classificação mantida")
        REDUCE = "reduce", _("Prazo de sigilo reduzido")
        DOWNGRADE = "downgrade", _("Reclassificada em grau menos restritivo")
        DECLASSIFY = "declassify", _("Desclassificada")

    item = models.ForeignKey(
        ClassifiedInformation,
        on_delete=models.PROTECT,
        related_name="reassessments",
        verbose_name=_("TCI"),
    )
    origin = models.CharField(_("origem"), max_length=10, choices=Origin.choices)
    asked = models.CharField(_("pedido"), max_length=10, choices=Asked.choices)
    requester_name = models.CharField(_("quem pediu"), max_length=200, blank=True)
    requester_email = models.EmailField(_("e-mail de quem pediu"), blank=True)
    request_text = models.TextField(_("texto do pedido"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registrado em"))
    decision = models.CharField(_("decisão"), max_length=10, choices=Decision.choices, blank=True)
    decision_text = models.TextField(_("razões da decisão"), blank=True)
    new_degree = models.CharField(_("novo grau"), max_length=14, blank=True)
    new_years = models.PositiveSmallIntegerField(_("novo prazo (anos)"), null=True, blank=True)
    # Decreto 7.845/2012 (Portaria art. 51 § 1º): the CIDIC's history of changes
    cidic_before = models.CharField(_("CIDIC antes"), max_length=80, blank=True)
    cidic_after = models.CharField(_("CIDIC depois"), max_length=80, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decidido em"), null=True, blank=True)

    class Meta:
        ordering = ["registered_at", "pk"]
        verbose_name = _("reavaliação de informação classificada")
        verbose_name_plural = _("reavaliações de informação classificada")

    @property
    def refused(self) -> bool:
        """A request denied, in whole or in part (Portaria art. 48: "Negado o pedido de
        desclassificação ou de reavaliação"): kept, or not declassified when that was asked.
        An ex officio reassessment has nobody to appeal."""
        if self.origin != self.Origin.REQUEST or not self.decision:
            return False
        return self.decision == self.Decision.KEEP or (
            self.asked == self.Asked.DECLASSIFY and self.decision != self.Decision.DECLASSIFY
        )


class ClassificationAppeal(models.Model):
    """The appeal against a refused declassification or reassessment (INPI Portaria art. 48:
    "Negado o pedido de desclassificação ou de reavaliação pela autoridade classificadora, o
    usuário poderá apresentar recurso no prazo de 10 (dez) dias, contados da ciência da
    negativa, ao Presidente do INPI, que decidirá no prazo de trinta dias"; Decreto 7.724/2012
    art. 37). Clocks: ``classification-appeal-filing`` and ``classification-appeal-decision``."""

    class Outcome(models.TextChoices):
        GRANTED = "granted", _("Provido")
        DENIED = "denied", _("Não provido")

    reassessment = models.OneToOneField(
        ClassificationReassessment, on_delete=models.PROTECT, related_name="appeal"
    )
    text = models.TextField(_("razões do recurso"))
    filed_at = models.DateTimeField(_("apresentado em"))
    filing_due = models.DateTimeField(_("prazo para recorrer"))
    decision_due = models.DateTimeField(_("decisão até"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("decisão"), max_length=10, choices=Outcome.choices, blank=True)
    effect = models.CharField(
        _("efeito"),
        max_length=10,
        choices=ClassificationReassessment.Decision.choices,
        blank=True,
    )
    decision_text = models.TextField(_("fundamentação da decisão"), blank=True)
    new_degree = models.CharField(_("novo grau"), max_length=14, blank=True)
    new_years = models.PositiveSmallIntegerField(_("novo prazo (anos)"), null=True, blank=True)
    cidic_before = models.CharField(_("CIDIC antes"), max_length=80, blank=True)
    cidic_after = models.CharField(_("CIDIC depois"), max_length=80, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decidido em"), null=True, blank=True)

    class Meta:
        verbose_name = _("recurso contra negativa de desclassificação")
        verbose_name_plural = _("recursos contra negativa de desclassificação")


class ClassificationOpinion(models.Model):
    """The ombudsman's advisory opinion on a reassessment or an appeal (INPI Portaria art. 49:
    "A Ouvidoria prestará consultoria e assessoramento … quanto à classificação,
    desclassificação, reclassificação ou reavaliação", II: "assessorar a Autoridade
    Classificadora ou a autoridade hierarquicamente superior quanto à desclassificação,
    reclassificação ou reavaliação"). On exactly one of the two; recorded while it is pending."""

    reassessment = models.ForeignKey(
        ClassificationReassessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    appeal = models.ForeignKey(
        ClassificationAppeal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinions",
    )
    text = models.TextField(_("parecer"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registrado em"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("parecer da Ouvidoria")
        verbose_name_plural = _("pareceres da Ouvidoria")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(reassessment__isnull=False, appeal__isnull=True)
                    | models.Q(reassessment__isnull=True, appeal__isnull=False)
                ),
                name="classification_opinion_one_target",
            )
        ]


# --- the ombudsman's triage and the units a manifestation is forwarded to (issue 21) ------


class Triage(models.Model):
    """The ombudsman's first reading of a manifestation (Decreto 9.492/2018, art. 16 and
    Lei 13.460/2017 art. 13: the ombudsman receives, analyses and forwards): admissible, not
    admissible (with the reason), for another channel (named), or a duplicate of another
    manifestation (linked). Only ``services.do_triage`` writes it; one per case."""

    class Outcome(models.TextChoices):
        ADMISSIBLE = "admissible", _("Admitida")
        INADMISSIBLE = "inadmissible", _("Não admitida")
        OTHER_CHANNEL = "other-channel", _("De outro canal")
        DUPLICATE = "duplicate", _("Duplicada")

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="triage")
    outcome = models.CharField(_("resultado"), max_length=14, choices=Outcome.choices)
    reason = models.TextField(_("motivo"))
    duplicate_of = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("em"), auto_now_add=True)

    class Meta:
        verbose_name = _("triagem da Ouvidoria")
        verbose_name_plural = _("triagens da Ouvidoria")


def forwarding_file_path(instance: "ForwardingFile", filename: str) -> str:
    return f"forwardings/{instance.forwarding_id}/{filename}"


class Forwarding(models.Model):
    """A manifestation sent to an internal unit (a team) for its input, as a pseudonymised
    copy (Decreto 10.153/2019 art. 6º: "encaminhará a denúncia … com a identidade do
    denunciante preservada"): the unit reads ``subject``/``text``/``files`` here and never the
    case, answers by ``due_at`` (its own internal deadline, reminded), and the ombudsman
    writes the conclusive answer to the person."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="forwardings")
    team = models.ForeignKey("cases.Team", on_delete=models.PROTECT, related_name="forwardings")
    subject = models.CharField(_("assunto (cópia)"), max_length=300)
    text = models.TextField(_("relato (cópia pseudonimizada)"))
    instructions = models.TextField(_("o que se pede à unidade"), blank=True)
    due_at = models.DateTimeField(_("prazo interno"))
    sent_at = models.DateTimeField(_("encaminhado em"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    answer = models.TextField(_("resposta da unidade"), blank=True)
    answered_at = models.DateTimeField(_("respondido em"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("encaminhamento")
        verbose_name_plural = _("encaminhamentos")

    def __str__(self) -> str:
        return f"{self.case_id} → {self.team_id}"


class ForwardingFile(models.Model):
    """An attachment of the case as the unit receives it: a copy without its author's
    metadata (balcao.ombudsman.pseudonymise.strip_metadata), under a neutral name."""

    forwarding = models.ForeignKey(Forwarding, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=forwarding_file_path, max_length=300)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["pk"]


# --- Resolução Pacífica de Conflitos: mediation coordinated by the ombudsman (issue 21) -----


class Mediation(models.Model):
    """A case of the "Resolução Pacífica de Conflitos" channel (INPI catalogue, level 5: "Para
    solução de questões afetas ao relacionamento dos usuários com o INPI … mediante
    procedimento específico coordenado pela Ouvidoria. PRAZO: acordado entre o usuário e o
    INPI (partes envolvidas)"): the deadline agreed and how, the sessions, and how it ended —
    with the agreement's text kept as its own document."""

    class Outcome(models.TextChoices):
        AGREEMENT = "agreement", _("Acordo")
        NO_AGREEMENT = "no-agreement", _("Sem acordo")
        WITHDRAWN = "withdrawn", _("Desistência")

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="mediation")
    agreed_how = models.TextField(_("como o prazo foi acordado"), blank=True)
    outcome = models.CharField(_("resultado"), max_length=14, choices=Outcome.choices, blank=True)
    agreement = models.TextField(_("termo de acordo"), blank=True)
    concluded_at = models.DateTimeField(_("concluída em"), null=True, blank=True)
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("mediação")
        verbose_name_plural = _("mediações")


class MediationSession(models.Model):
    """A mediation session: when, how (virtual or in person, with the link or the place), and
    its minutes once held."""

    class Mode(models.TextChoices):
        VIRTUAL = "virtual", _("Virtual")
        IN_PERSON = "in-person", _("Presencial")

    mediation = models.ForeignKey(Mediation, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("data e hora"))
    mode = models.CharField(_("modalidade"), max_length=10, choices=Mode.choices)
    where = models.CharField(_("local ou link"), max_length=300)
    minutes = models.TextField(_("ata"), blank=True)
    held = models.BooleanField(_("realizada"), null=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("sessão de mediação")
        verbose_name_plural = _("sessões de mediação")


# --- Reclame Aqui: complaints published on the outside site (issue 21) ----------------------


class ExternalComplaint(models.Model):
    """A complaint a person published about the agency on Reclame Aqui (INPI catalogue, level
    5: "Para resposta a reclamações consideradas críticas pelos usuários … PRAZO: 20 dias,
    prorrogável por mais 10 dias"), registered here by staff so that it runs on the agency's
    clock from the moment it was published: the site's complaint id and address, the public
    reply the agency posted there, and the evaluation the person left on the site. Balcão
    never logs in to the site (no password of another system is kept)."""

    class Verdict(models.TextChoices):
        RESOLVED = "yes", _("Resolvida")
        NOT_RESOLVED = "no", _("Não resolvida")

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, related_name="external_complaint"
    )
    site_id = models.CharField(_("identificador no site"), max_length=60, unique=True)
    url = models.URLField(_("endereço da reclamação"), max_length=500)
    published_at = models.DateTimeField(_("publicada em"))
    public_reply = models.TextField(_("resposta pública"), blank=True)
    replied_at = models.DateTimeField(_("respondida em"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(
        _("avaliação: resolvida?"), max_length=3, blank=True, choices=Verdict.choices
    )
    score = models.PositiveSmallIntegerField(_("nota (0–10)"), null=True, blank=True)
    would_return = models.BooleanField(_("voltaria a fazer negócio"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("avaliada em"), null=True, blank=True)

    class Meta:
        verbose_name = _("reclamação do Reclame Aqui")
        verbose_name_plural = _("reclamações do Reclame Aqui")
