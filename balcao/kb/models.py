"""Knowledge base: articles kept by staff, their versions, feedback and the gap inbox.

Seed 002 (MGI): "base de conhecimento mantida pelos gestores do serviço". An article
goes draft → in review → published → archived; only published articles are
answered by the bot and shown in the public FAQ.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGES = [("pt-BR", "Português (Brasil)"), ("pt-PT", "Português (Portugal)"), ("en", "English")]


class Article(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Rascunho")
        REVIEW = "review", _("Em revisão")
        PUBLISHED = "published", _("Publicado")
        ARCHIVED = "archived", _("Arquivado")

    slug = models.SlugField(
        _("identificador"),
        max_length=120,
        unique=True,
        help_text=_("O “id” da importação; estável entre versões."),
    )
    language = models.CharField(_("idioma"), max_length=5, choices=LANGUAGES, default="pt-BR")
    question = models.CharField(_("pergunta"), max_length=300)
    answer = models.TextField(_("resposta"))
    variants = models.JSONField(_("outras formas de perguntar"), default=list, blank=True)
    tags = models.JSONField(_("etiquetas"), default=list, blank=True)
    service = models.ForeignKey(
        "catalog.Service",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("serviço"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="kb_articles",
        verbose_name=_("responsável"),
    )
    state = models.CharField(
        _("situação"), max_length=10, choices=State.choices, default=State.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # An edit of a published article waits here for review (kb.services.do_save_article);
    # the fields above stay what the bot and the FAQ show until it is approved.
    pending = models.JSONField(_("alteração pendente de revisão"), null=True, blank=True)
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pending_at = models.DateTimeField(null=True, blank=True)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["question"]
        verbose_name = _("artigo")
        verbose_name_plural = _("artigos")
        indexes = [models.Index(fields=["state", "language"], name="kb_article_state_lang")]

    def __str__(self) -> str:
        return self.question

    def as_import_record(self) -> dict:
        """The ``balcao kb import``/``export`` JSON Lines record."""
        return {
            "id": self.slug,
            "question": self.question,
            "answer": self.answer,
            "variants": list(self.variants),
            "language": self.language,
            "tags": list(self.tags),
            "state": self.state,
        }


class ArticleVersion(models.Model):
    """A snapshot of every saved version (who wrote it, who approved it)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    question = models.CharField(max_length=300)
    answer = models.TextField()
    variants = models.JSONField(default=list)
    tags = models.JSONField(default=list)
    state = models.CharField(max_length=10)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="one_version_number")
        ]


class GapGroup(models.Model):
    """Questions the bot could not answer (or answered badly), grouped by similarity."""

    class Status(models.TextChoices):
        OPEN = "open", _("Aberto")
        RESOLVED = "resolved", _("Resolvido")
        DISMISSED = "dismissed", _("Descartado")

    language = models.CharField(max_length=5, default="pt-BR")
    representative = models.CharField(_("pergunta representativa"), max_length=500)
    stems = models.JSONField(default=list)
    count = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolved_article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-count", "-last_seen"]
        indexes = [models.Index(fields=["status", "language"], name="kb_gap_status_lang")]


class Gap(models.Model):
    """One unanswered or thumbs-down question (masked: no CPF, card or password)."""

    class Reason(models.TextChoices):
        NOT_KNOWN = "not_known", _("O robô não soube responder")
        THUMBS_DOWN = "thumbs_down", _("Resposta marcada como não útil")

    group = models.ForeignKey(GapGroup, on_delete=models.CASCADE, related_name="gaps")
    text = models.CharField(max_length=500)
    reason = models.CharField(max_length=12, choices=Reason.choices)
    article = models.ForeignKey(Article, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]


class CannedAnswer(models.Model):
    """A team's ready-made reply text ("resposta pronta"), inserted into a reply on the
    console's case page. Without a team it is offered to everyone. Knowledge managers and
    supervisors manage them (console "Respostas prontas"); deactivated ones stay for the
    record but are no longer offered."""

    title = models.CharField(_("título"), max_length=120)
    body = models.TextField(_("texto"), max_length=10_000)
    team = models.ForeignKey(
        "cases.Team",
        verbose_name=_("equipe"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="canned_answers",
        help_text=_("Vazio: todas as equipes."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("criada por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    active = models.BooleanField(_("ativa"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("resposta pronta")
        verbose_name_plural = _("respostas prontas")

    def __str__(self) -> str:
        return self.title
