"""The case core: requesters, cases, messages, attachments, states, history, queues.

Glossary (docs/glossary.md): atendimento/chamado/manifestação → case,
protocolo → protocol number, usuário/utente → requester, procurador → representative.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def choice_label(choices: type[models.Choices], value) -> str:
    """The label of ``value`` in ``choices`` (the value itself if it is not one of them).

    Django's ``get_FOO_display`` builds a dict of every choice on each call, which
    translates every label of the field: on the case page, with a history of twenty
    events, that was several hundred translations per page; this translates one."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


class Organisation(models.Model):
    """A company or body a requester belongs to (e.g. an IP law firm)."""

    name = models.CharField(_("nome"), max_length=200)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("organização")
        verbose_name_plural = _("organizações")

    def __str__(self) -> str:
        return self.name


class Requester(models.Model):
    """A person or company served (usuário / utente). Personal data: audited views.

    CPF/CNPJ/NIF are stored once, normalised (digits and, for the 2026 CNPJ,
    upper-case letters only) and validated by python-stdnum.
    """

    name = models.CharField(_("nome"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True, db_index=True)
    phone = models.CharField(_("telefone"), max_length=32, blank=True)
    cpf = models.CharField(_("CPF"), max_length=11, unique=True, null=True, blank=True)
    cnpj = models.CharField(_("CNPJ"), max_length=14, unique=True, null=True, blank=True)
    nif = models.CharField(_("NIF"), max_length=9, unique=True, null=True, blank=True)
    preferred_language = models.CharField(_("idioma preferido"), max_length=10, default="pt-br")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("organização"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A contact typed by someone nobody has identified (portal form, chatbot, any public
    # endpoint). It never holds the unique documents: what was typed is kept in claimed_*
    # until staff link it to a person, or the person proves control of the e-mail on file.
    unverified = models.BooleanField(_("contato não verificado"), default=False)
    claimed_cpf = models.CharField(_("CPF informado"), max_length=11, blank=True, db_index=True)
    claimed_cnpj = models.CharField(_("CNPJ informado"), max_length=14, blank=True, db_index=True)
    claimed_nif = models.CharField(_("NIF informado"), max_length=9, blank=True, db_index=True)
    linked_to = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_contacts",
        verbose_name=_("vinculado a"),
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    linked_via = models.CharField(max_length=40, blank=True)

    class Meta:
        verbose_name = _("requerente")
        verbose_name_plural = _("requerentes")

    def __str__(self) -> str:
        return self.name

    @property
    def active_representative(self) -> Requester | None:
        if getattr(self, "_no_representation_yet", False):
            return None  # created in this transaction: nobody can have linked one yet
        link = self.representations.filter(active=True).select_related("representative").first()
        return link.representative if link else None


class Representation(models.Model):
    """A procurador on file for a requester (Portaria, art. 36, parágrafo único).

    While active, official communications on the requester's cases go to the
    representative only.
    """

    requester = models.ForeignKey(
        Requester, on_delete=models.CASCADE, related_name="representations"
    )
    representative = models.ForeignKey(
        Requester, on_delete=models.PROTECT, related_name="represents"
    )
    document = models.CharField(_("procuração (referência)"), max_length=200, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("procuração")
        verbose_name_plural = _("procurações")
        constraints = [
            models.UniqueConstraint(
                fields=["requester"],
                condition=models.Q(active=True),
                name="one_active_representative",
            ),
            models.CheckConstraint(
                condition=~models.Q(requester=models.F("representative")),
                name="representative_not_self",
            ),
        ]


class Workflow(models.Model):
    """A data-driven state machine for one channel type (chat, helpdesk…)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)

    class Meta:
        verbose_name = _("fluxo de estados")
        verbose_name_plural = _("fluxos de estados")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def initial_state(self) -> State:
        """The state new cases start in (read once per instance: a channel's workflow opens
        many cases in one e-mail batch)."""
        return self.states.get(is_initial=True)


class State(models.Model):
    """A case state; its category tells the deadline engine when to pause."""

    class Category(models.TextChoices):
        OPEN = "open", _("Aberto")
        WAITING_REQUESTER = "waiting_requester", _("Aguardando o requerente")
        WAITING_THIRD_PARTY = "waiting_third_party", _("Aguardando terceiros")
        RESOLVED = "resolved", _("Resolvido")
        CLOSED = "closed", _("Encerrado")

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="states")
    slug = models.SlugField()
    name = models.CharField(_("nome"), max_length=120)
    category = models.CharField(_("categoria"), max_length=24, choices=Category.choices)
    is_initial = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["workflow", "order", "pk"]
        verbose_name = _("estado")
        constraints = [
            models.UniqueConstraint(fields=["workflow", "slug"], name="state_slug_per_workflow"),
            models.UniqueConstraint(
                fields=["workflow"], condition=models.Q(is_initial=True), name="one_initial_state"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_terminal(self) -> bool:
        return self.category in {self.Category.RESOLVED, self.Category.CLOSED}


class Transition(models.Model):
    """An allowed move between two states; reopening is a transition with a reason."""

    workflow = models.ForeignKey(Workflow, on_delete=models.CASCADE, related_name="transitions")
    source = models.ForeignKey(State, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(State, on_delete=models.CASCADE, related_name="incoming")
    name = models.CharField(_("ação"), max_length=120)
    requires_reason = models.BooleanField(_("exige justificativa"), default=False)
    is_reopen = models.BooleanField(_("reabertura"), default=False)

    class Meta:
        verbose_name = _("transição")
        verbose_name_plural = _("transições")
        constraints = [
            models.UniqueConstraint(fields=["source", "target"], name="one_transition_per_pair")
        ]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class Team(models.Model):
    """A queue/team of agents (fila / equipe) with its assignment strategy."""

    class Strategy(models.TextChoices):
        MANUAL = "manual", _("Manual")
        ROUND_ROBIN = "round_robin", _("Rodízio")
        LEAST_LOADED = "least_loaded", _("Menos ocupado")

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    strategy = models.CharField(
        _("distribuição"), max_length=20, choices=Strategy.choices, default=Strategy.MANUAL
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="TeamMembership", related_name="teams", blank=True
    )
    last_assigned = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("equipe")
        verbose_name_plural = _("equipes")

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    accepts_assignments = models.BooleanField(_("recebe distribuição"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership")]


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.name


class ProtocolSequence(models.Model):
    """The last protocol sequence used in a scope (a year, or 'all')."""

    scope = models.CharField(max_length=16, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)


class Case(models.Model):
    """A case (atendimento / chamado / manifestação) with its protocol number."""

    class Priority(models.IntegerChoices):
        LOW = 1, _("Baixa")
        NORMAL = 2, _("Normal")
        HIGH = 3, _("Alta")
        URGENT = 4, _("Urgente")

    protocol = models.CharField(_("protocolo"), max_length=40, unique=True)
    channel = models.ForeignKey(
        "catalog.Channel", on_delete=models.PROTECT, verbose_name=_("canal")
    )
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("serviço"),
    )
    subject = models.CharField(_("assunto"), max_length=250)
    description = models.TextField(_("descrição"), blank=True)
    requester = models.ForeignKey(
        Requester,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        verbose_name=_("requerente"),
    )
    representative = models.ForeignKey(
        Requester,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="represented_cases",
        verbose_name=_("procurador"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("organização"),
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("equipe")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("responsável"),
    )
    priority = models.PositiveSmallIntegerField(
        _("prioridade"), choices=Priority.choices, default=Priority.NORMAL
    )
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("etiquetas"))
    state = models.ForeignKey(State, on_delete=models.PROTECT, verbose_name=_("situação"))
    # When the request reached the agency: now, or earlier when given (an e-mail filed as
    # advertising and found not to be, seed 003: "a contar da receção").
    created_at = models.DateTimeField(_("aberto em"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("atualizado em"), auto_now=True)
    closed_at = models.DateTimeField(_("encerrado em"), null=True, blank=True)
    deadline_policy = models.CharField(_("política de prazo"), max_length=64, blank=True)
    due_at = models.DateTimeField(_("prazo"), null=True, blank=True)
    # A deadline agreed between the person and the agency, for a channel whose catalogue entry
    # has none of its own (INPI, Resolução Pacífica de Conflitos: "PRAZO: acordado entre o
    # usuário e o INPI (partes envolvidas)"); set by ombudsman.services.do_agree_deadline.
    agreed_due_at = models.DateTimeField(_("prazo acordado"), null=True, blank=True)
    deadline_paused_at = models.DateTimeField(_("prazo suspenso desde"), null=True, blank=True)

    class Meta:
        verbose_name = _("atendimento")
        verbose_name_plural = _("atendimentos")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="case_recent"),
            models.Index(fields=["state", "-created_at", "-id"], name="case_state_recent"),
            models.Index(fields=["team", "-created_at", "-id"], name="case_team_recent"),
            models.Index(fields=["assignee", "-created_at", "-id"], name="case_assignee_recent"),
            models.Index(fields=["channel", "-created_at", "-id"], name="case_channel_recent"),
            models.Index(fields=["due_at"], name="case_due"),
            # The work queue: open cases by due date, then age (cases.filters, order "due").
            models.Index(
                fields=["due_at", "created_at", "id"],
                name="case_open_queue",
                condition=models.Q(closed_at__isnull=True),
            ),
            # The counts on the queue's views ("meus", "sem responsável", "abertos"):
            # read from the index alone (PostgreSQL), however the open cases are spread
            # over the table; the channel is there for the ombudsman's exclusion.
            models.Index(
                fields=["assignee", "channel"],
                include=["id"],
                name="case_open_assignee",
                condition=models.Q(closed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.protocol} — {self.subject}"

    @property
    def is_open(self) -> bool:
        return not self.state.is_terminal

    @property
    def official_recipient(self) -> Requester | None:
        """Who receives official communications: the procurador when one is on
        file (Portaria, art. 36, parágrafo único), otherwise the requester."""
        return self.representative or self.requester


class Message(models.Model):
    """A message on a case: public reply or internal note, from whoever wrote it."""

    class Author(models.TextChoices):
        REQUESTER = "requester", _("Requerente")
        AGENT = "agent", _("Atendente")
        BOT = "bot", _("Robô")
        SYSTEM = "system", _("Sistema")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="messages")
    author_kind = models.CharField(max_length=12, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    body = models.TextField(_("mensagem"))
    internal = models.BooleanField(_("nota interna"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # The message's id in the channel it came by (an e-mail's Message-ID): replies to the
    # person answer it (In-Reply-To / References, cases.outbound).
    external_id = models.CharField(max_length=250, blank=True)
    # An e-mail's HTML body, sanitised (balcao.mail.html), shown on request beside ``body``.
    html = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("mensagem")
        verbose_name_plural = _("mensagens")

    @property
    def author_label(self) -> str:
        return choice_label(self.Author, self.author_kind)


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.case_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file on a case, stored outside the web root under its content hash."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("nome do arquivo"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anexo")
        verbose_name_plural = _("anexos")


class HistoryIsAppendOnly(Exception):
    """Code tried to change or remove a history row (a programming error, not a refusal
    shown to a person: the database trigger refuses the same at the SQL level)."""


class HistoryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise HistoryIsAppendOnly("Case history is append-only: rows cannot be updated.")

    def delete(self):
        raise HistoryIsAppendOnly("Case history is append-only: rows cannot be deleted.")


class CaseEvent(models.Model):
    """One entry of a case's append-only history (who, when, what, old → new).

    Written only by ``cases.history.record``; there is no update or delete path
    (the model and its queryset refuse both; on PostgreSQL a trigger too).
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="history")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    actor_label = models.CharField(max_length=150, blank=True)

    class Action(models.TextChoices):
        OPENED = "opened", _("Abertura")
        STATE_CHANGED = "state_changed", _("Mudança de situação")
        REOPENED = "reopened", _("Reabertura")
        ASSIGNED = "assigned", _("Atribuição")
        TEAM_CHANGED = "team_changed", _("Mudança de equipe")
        MESSAGE_ADDED = "message_added", _("Mensagem")
        NOTE_ADDED = "note_added", _("Nota interna")
        UPDATED = "updated", _("Alteração")
        DUE_SET = "due_set", _("Prazo definido")
        DEADLINE_EXTENDED = "deadline_extended", _("Prorrogação de prazo")
        DEADLINE_PAUSED = "deadline_paused", _("Prazo suspenso")
        DEADLINE_RESUMED = "deadline_resumed", _("Prazo retomado")
        REQUESTER_LINKED = "requester_linked", _("Contato vinculado ao cadastro")
        ACCESS_CODE_ISSUED = "access_code_issued", _("Código de acesso enviado")
        RATED = "rated", _("Avaliação do requerente")
        TERMINATED = "terminated", _("Resposta terminativa")

    action = models.CharField(max_length=40, choices=Action.choices)
    field = models.CharField(max_length=60, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.TextField(blank=True)

    objects = HistoryQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("histórico")
        verbose_name_plural = _("históricos")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise HistoryIsAppendOnly("Case history is append-only: rows cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly("Case history is append-only: rows cannot be deleted.")

    @property
    def action_label(self) -> str:
        return choice_label(self.Action, self.action)


# --- the case's clock (cases.clock) --------------------------------------------------


class DeadlinePause(models.Model):
    """A span during which a case waited on the requester (or a complementation)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_pause_per_case",
            )
        ]


class DeadlineExtension(models.Model):
    """A granted extension (prorrogação), always with its justification."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_extensions")
    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    justification = models.TextField(_("justificativa"))

    class Meta:
        ordering = ["at", "pk"]


class DeadlineAlert(models.Model):
    """One notification per case, threshold and due instant (so never sent twice)."""

    class Threshold(models.TextChoices):
        SOON = "soon", _("Prazo próximo")
        OVERDUE = "overdue", _("Prazo vencido")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="deadline_alerts")
    threshold = models.CharField(max_length=10, choices=Threshold.choices)
    due_at = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "threshold", "due_at"], name="one_alert_per_threshold"
            )
        ]


class CaseAccess(models.Model):
    """The key to a case's follow-up page ("Acompanhar atendimento"): its protocol plus an
    access code sent with the acknowledgement. Only a keyed hash of the code is kept; a
    CPF alone never opens a case (anyone may know someone's CPF)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="access")
    code_hash = models.CharField(max_length=128)
    issued_at = models.DateTimeField()

    class Meta:
        verbose_name = _("código de acesso")


class OutboundMail(models.Model):
    """One e-mail to the person a case belongs to: queued in the transaction that caused
    it, sent by the task queue after commit, retried with backoff when the server refuses,
    and shown on the case with its outcome. ``message_id`` threads the person's replies
    back into the case (the e-mail channel reads In-Reply-To / References)."""

    class Kind(models.TextChoices):
        ACKNOWLEDGEMENT = "acknowledgement", _("Confirmação de recebimento")
        REPLY = "reply", _("Resposta")
        COMPLEMENT_REQUEST = "complement_request", _("Pedido de complementação")
        STATE_CHANGE = "state_change", _("Mudança de situação")
        ANSWER = "answer", _("Resposta final")
        ACCESS_CODE = "access_code", _("Novo código de acesso")
        UNIT_FORWARD = "unit_forward", _("Encaminhamento a unidade")
        DIRECT_CONTACT = "direct_contact", _("Contato direto do órgão")
        SESSION = "session", _("Atendimento (tele)presencial")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Na fila")
        SENT = "sent", _("Enviado")
        FAILED = "failed", _("Falhou")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outbound_mails")
    case_message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound_mails"
    )
    kind = models.CharField(_("tipo"), max_length=24, choices=Kind.choices)
    to_address = models.EmailField(_("destinatário"))
    #: The sender when not the agency's default: a unit's institutional address (Portaria,
    #: art. 40: the direct contact goes "a partir do endereço eletrônico institucional").
    from_address = models.EmailField(_("remetente"), blank=True)
    subject = models.CharField(_("assunto"), max_length=300)
    body = models.TextField(_("texto"))
    # A one-time secret (the access code) put into the body only when sending, then erased.
    secret = models.CharField(max_length=64, blank=True)
    message_id = models.CharField(max_length=250, unique=True)
    in_reply_to = models.CharField(max_length=250, blank=True)
    language = models.CharField(max_length=10, default="pt-br")
    status = models.CharField(
        _("situação"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("tentativas"), default=0)
    last_error = models.TextField(_("último erro"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("e-mail enviado")
        verbose_name_plural = _("e-mails enviados")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbound_due")]

    @property
    def kind_label(self) -> str:
        return choice_label(self.Kind, self.kind)


class CaseRating(models.Model):
    """The person's rating of the service once answered: five levels and whether the
    answer solved it — the INPI's commitment to "práticas centradas no usuário, como
    pesquisas de satisfação" (seed 000), the contact centre's "inquéritos de satisfação
    dos utentes" (seed 003, 8.2)."""

    class Resolved(models.TextChoices):
        YES = "yes", _("Sim")
        PARTLY = "partly", _("Em parte")
        NO = "no", _("Não")

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(_("avaliação"))
    resolved = models.CharField(_("resolveu?"), max_length=8, choices=Resolved.choices)
    comment = models.TextField(_("comentário"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("avaliação do atendimento")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            )
        ]


class TerminativeTerm(models.Model):
    """The "termo próprio" of a terminative answer (Portaria, art. 35 §3 and art. 43 §5):
    a contact ended for one of three grounds, with the agent's account of what happened;
    the ombudsman is told at once (§4 / §6). Written once, never edited."""

    class Ground(models.TextChoices):
        INTEGRITY = (
            "integrity",
            _(
                "Lesão ou ameaça à integridade e honra pessoal do servidor atendente ou à "
                "dignidade de sua função pública"
            ),
        )
        CONDUCT = (
            "conduct",
            _(
                "Falta de lealdade, urbanidade e boa-fé, ou manifestação caluniosa, difamatória "
                "ou injuriosa"
            ),
        )
        FAVOURS = (
            "favours",
            _(
                "Oferta de favores, benesses ou vantagens, em decorrência de ações ou omissões "
                "imorais, ilegais ou antiéticas"
            ),
        )

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="terminative_term")
    ground = models.CharField(_("hipótese"), max_length=12, choices=Ground.choices)
    statement = models.TextField(_("relato do ocorrido"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("termo de resposta terminativa")
        verbose_name_plural = _("termos de resposta terminativa")
