"""The contact centre's records (issue 23): the ``queue_log`` files imported — each known by
its first line and how far it has been read, so that importing it again, or after it grew,
adds nothing twice — and what the reports read from them: one row per call and one per
agent's login session or pause. Epochs are UTC seconds, as Asterisk writes them."""

from datetime import UTC, datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QueueLogSource(models.Model):
    """One ``queue_log`` file, wherever it lies: ``head`` names its first line, ``digest``
    its first ``size`` bytes (the ``lines`` already imported). A file whose first ``size``
    bytes have that digest — the same file again, grown, or copied elsewhere — continues
    from there."""

    head = models.CharField(_("primeira linha (impressão digital)"), max_length=32, db_index=True)
    digest = models.CharField(_("impressão digital do que foi lido"), max_length=32)
    size = models.BigIntegerField(_("bytes lidos"), default=0)
    lines = models.PositiveIntegerField(_("linhas lidas"), default=0)
    open_tail = models.BooleanField(_("a última linha lida não tinha fim de linha"), default=False)
    bad_lines = models.PositiveIntegerField(_("linhas com erro"), default=0)
    path = models.CharField(_("último caminho"), max_length=1000)
    time_zone = models.CharField(_("fuso horário de exibição"), max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("arquivo queue_log")
        verbose_name_plural = _("arquivos queue_log")

    def __str__(self) -> str:
        return self.path


class Call(models.Model):
    """One call through the queues, as its queue_log events tell it (kept up to date when
    later events arrive: ``balcao.telephony.indicators.CallBook``). It belongs to the report
    of the local date it entered the queue (``entered``)."""

    callid = models.CharField(_("identificador da chamada"), max_length=150, db_index=True)
    source = models.ForeignKey(
        QueueLogSource, on_delete=models.PROTECT, related_name="calls", verbose_name=_("arquivo")
    )
    entered = models.BigIntegerField(_("entrada na fila (epoch UTC)"), null=True, db_index=True)
    last = models.BigIntegerField(_("último evento (epoch UTC)"), db_index=True)
    queue = models.CharField(_("fila"), max_length=80, blank=True)
    caller = models.CharField(_("número de quem liga"), max_length=80, blank=True)
    agent = models.CharField(_("operador"), max_length=200, blank=True)
    answered_wait = models.FloatField(_("espera até ser atendida (s)"), null=True)
    abandoned_wait = models.FloatField(_("espera até desistir (s)"), null=True)
    exited = models.BooleanField(_("saiu da fila sem atendimento"), default=False)
    talk = models.FloatField(_("conversação (s)"), null=True)
    hold = models.FloatField(_("em espera durante a chamada (s)"), default=0)
    hold_started = models.BigIntegerField(_("espera em curso desde (epoch UTC)"), null=True)
    wrapup = models.FloatField(_("wrap-up (s)"), default=0)
    topic = models.CharField(_("assunto"), max_length=200, null=True, blank=True)
    callback = models.BooleanField(_("pediu para ser chamado de volta"), default=False)
    # Who called (found by the caller's number among the requesters on file) and the case an
    # agent opened from the call, if any.
    requester = models.ForeignKey(
        "cases.Requester", on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="calls"
    )

    class Meta:
        verbose_name = _("chamada")
        verbose_name_plural = _("chamadas")

    def __str__(self) -> str:
        return self.callid

    @property
    def entered_at(self) -> datetime | None:
        return None if self.entered is None else datetime.fromtimestamp(self.entered, UTC)


class AgentInterval(models.Model):
    """An agent's login session (in one queue, or the old AGENTLOGIN style) or pause, from
    ``start`` to ``end`` (None while still open): the tender's login and ready times (13.1
    ee, ff)."""

    class Kind(models.TextChoices):
        SESSION = "session", _("Sessão")
        PAUSE = "pause", _("Pausa")

    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    agent = models.CharField(_("operador"), max_length=200)
    key = models.CharField(_("fila ou estilo"), max_length=80, blank=True)
    start = models.BigIntegerField(_("início (epoch UTC)"), db_index=True)
    end = models.BigIntegerField(_("fim (epoch UTC)"), null=True, db_index=True)
    source = models.ForeignKey(
        QueueLogSource,
        on_delete=models.PROTECT,
        related_name="agent_intervals",
        verbose_name=_("arquivo"),
    )

    class Meta:
        verbose_name = _("intervalo de operador")
        verbose_name_plural = _("intervalos de operadores")

    def __str__(self) -> str:
        return f"{self.agent} {self.kind} {self.start}–{self.end or ''}"


def recording_path(instance: "Recording", filename: str) -> str:
    return f"recordings/{instance.received_at:%Y/%m}/{filename}"


class Line(models.Model):
    """A phone line of the agency as the PBX knows it (``slug`` is what the dialplan sends to
    ``open-now``): when it is open comes from ``calendar`` (its opening hours, holidays and
    closures; the country's national calendar when empty), and what callers hear outside
    those hours and while waiting is configured here per language (seed 003: "mensagem fora
    do horário", português e inglês)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("nome"), max_length=120)
    queue = models.CharField(_("fila no PBX"), max_length=80, blank=True)
    country = models.CharField(_("país"), max_length=2, default="PT")
    calendar = models.ForeignKey(
        "deadlines.Calendar", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # {"after_hours": {"pt-pt": "…", "en": "…"}, "on_hold": {…}}
    messages = models.JSONField(_("mensagens"), default=dict, blank=True)
    # Where a case an agent opens from a call on this line goes (seed 003, 11.12: a
    # question not answered on the phone is registered "como um pedido normal … tratamento
    # idêntico às solicitações rececionadas por correio eletrónico").
    channel = models.ForeignKey(
        "catalog.Channel",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("canal dos atendimentos abertos das chamadas"),
    )
    active = models.BooleanField(_("ativa"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("linha telefônica")
        verbose_name_plural = _("linhas telefônicas")

    def __str__(self) -> str:
        return self.name


class CallbackRequest(models.Model):
    """A person who asked to be called back — in the queue after the voice guide (seed 003:
    callback offered to everyone waiting past 60 seconds) or from the web form — dialled when
    an agent is free (AMI Originate), retried by policy, with its outcome."""

    class Source(models.TextChoices):
        QUEUE = "queue", _("Na fila de espera")
        WEB = "web", _("Pelo site")

    class Status(models.TextChoices):
        PENDING = "pending", _("Aguardando")
        DIALLING = "dialling", _("Ligando")
        DONE = "done", _("Atendido")
        FAILED = "failed", _("Sem sucesso")
        CANCELLED = "cancelled", _("Cancelado")

    number = models.CharField(_("número"), max_length=32)
    line = models.ForeignKey(
        Line, on_delete=models.PROTECT, null=True, blank=True, related_name="callbacks"
    )
    queue = models.CharField(_("fila"), max_length=80, blank=True)
    source = models.CharField(_("origem"), max_length=8, choices=Source.choices)
    callid = models.CharField(_("chamada de origem"), max_length=150, blank=True)
    consent = models.BooleanField(_("consentimento"), default=False)
    status = models.CharField(
        _("situação"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentativas"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(_("resultado"), blank=True)
    agent = models.CharField(_("operador"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("pedido em"), auto_now_add=True)
    completed_at = models.DateTimeField(_("concluído em"), null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("pedido de chamada de volta")
        verbose_name_plural = _("pedidos de chamada de volta")


class Recording(models.Model):
    """A call recording from the PBX, linked to its call; listened to in the console only by
    the roles allowed (every play logged), purged after ``BALCAO_RECORDING_DAYS`` (90) days
    with an audit record (seed 003: gravação das chamadas, guardadas 90 dias), and sampled
    for the monthly verification (1 % of the month's calls, at most 20: 13.2.1)."""

    callid = models.CharField(_("identificador da chamada"), max_length=150, db_index=True)
    call = models.ForeignKey(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="recordings"
    )
    file = models.FileField(_("arquivo"), upload_to=recording_path, max_length=300, blank=True)
    filename = models.CharField(_("nome do arquivo"), max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    duration = models.FloatField(_("duração (s)"), null=True, blank=True)
    received_at = models.DateTimeField(_("recebida em"), auto_now_add=True)
    purged_at = models.DateTimeField(_("apagada em"), null=True, blank=True)
    sampled_for = models.CharField(_("amostra do mês"), max_length=7, blank=True)  # "2026-12"

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("gravação")
        verbose_name_plural = _("gravações")


class AgentPhone(models.Model):
    """Where a member of staff answers the phone: the queue member interface the PBX rings
    (``PJSIP/201``, ``SIP/agent7``, ``Local/201@agents``). It ties the live AMI feed's calls
    to a person for the screen-pop (issue 23: "screen-pop of the caller's requester record
    and open cases to the agent")."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent_phone",
        verbose_name=_("membro da equipe"),
    )
    interface = models.CharField(_("ramal no PBX"), max_length=120, unique=True)

    class Meta:
        verbose_name = _("ramal de operador")
        verbose_name_plural = _("ramais de operadores")

    def __str__(self) -> str:
        return f"{self.user} ({self.interface})"


class CallCase(models.Model):
    """A case an agent opened from a call in progress. The call's queue_log record may
    arrive later (the log is imported or tailed): the import links ``Call.case`` by
    ``callid`` (Asterisk's uniqueid, the same in AMI and in queue_log)."""

    callid = models.CharField(_("identificador da chamada"), max_length=150, db_index=True)
    number = models.CharField(_("número de quem liga"), max_length=80, blank=True)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="phone_calls", verbose_name=_("caso")
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("atendimento aberto de uma chamada")
        verbose_name_plural = _("atendimentos abertos de chamadas")


class Occurrence(models.Model):
    """A failure, an unavailability or another event that affected the service, for the
    monthly and final reports (seed 003, 13.2 d and 13.3 d: "Indicação das falhas de
    desempenho, bem como da indisponibilidade dos serviços ou de outras ocorrências que
    influenciem no normal funcionamento do centro de atendimento"). Recorded by a
    supervisor, or by the platform itself (``automatic``: the PBX feed or a mailbox down)."""

    class Kind(models.TextChoices):
        FAILURE = "failure", _("Falha de desempenho")
        UNAVAILABLE = "unavailable", _("Indisponibilidade do serviço")
        OTHER = "other", _("Outra ocorrência")

    class Scope(models.TextChoices):
        ALL = "all", _("Todo o atendimento")
        PHONE = "phone", _("Telefone")
        EMAIL = "email", _("E-mail")

    kind = models.CharField(_("tipo"), max_length=12, choices=Kind.choices)
    scope = models.CharField(_("canal afetado"), max_length=8, choices=Scope.choices, default="all")
    started_at = models.DateTimeField(_("início"), db_index=True)
    ended_at = models.DateTimeField(_("fim"), null=True, blank=True)
    description = models.TextField(_("descrição"))
    automatic = models.BooleanField(_("registrada pela plataforma"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("ocorrência")
        verbose_name_plural = _("ocorrências")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.started_at:%Y-%m-%d %H:%M}"


class Suggestion(models.Model):
    """An improvement suggested by an agent or by the people served (seed 003, cláusula 11.ª
    n.º 2: "mensalmente, reportar uma lista de sugestões de melhorias identificadas pelo
    operador ou pelos utentes, tendo em vista reduzir a reincidência de questões"; 13.3 g)."""

    class Source(models.TextChoices):
        AGENT = "agent", _("Operador")
        PERSON = "person", _("Utente")

    source = models.CharField(_("origem"), max_length=8, choices=Source.choices)
    text = models.TextField(_("sugestão"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("registrada em"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("sugestão de melhoria")
        verbose_name_plural = _("sugestões de melhoria")


class SentReport(models.Model):
    """A periodic report the platform e-mailed by itself (weekly, monthly: seed 003, 13.1
    and 13.2), so that a job run twice, or again after a restart, sends it once."""

    class Kind(models.TextChoices):
        WEEKLY = "weekly", _("Semanal")
        MONTHLY = "monthly", _("Mensal")

    kind = models.CharField(_("tipo"), max_length=8, choices=Kind.choices)
    start = models.DateField(_("de"))
    end = models.DateField(_("até"))
    recipients = models.PositiveSmallIntegerField(_("destinatários"), default=0)
    sent_at = models.DateTimeField(_("enviado em"), auto_now_add=True)

    class Meta:
        ordering = ["-start", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "start", "end"], name="telephony_sent_once")
        ]
        verbose_name = _("relatório enviado")
        verbose_name_plural = _("relatórios enviados")
