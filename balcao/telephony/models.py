"""The contact centre's records (issue 23): the ``queue_log`` files imported — each known by
its first line and how far it has been read, so that importing it again, or after it grew,
adds nothing twice — and what the reports read from them: one row per call and one per
agent's login session or pause. Epochs are UTC seconds, as Asterisk writes them."""

from datetime import UTC, datetime

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
