"""Knowledge-base actions: import/export, editing with versions, workflow, feedback, gaps."""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from balcao import languages
from balcao.kb.gaps import best_group, content_stems
from balcao.kb.models import Article, ArticleVersion, Gap, GapGroup
from balcao.masking import mask

# Allowed moves of the editorial workflow: draft → in review → published → archived.
TRANSITIONS = {
    Article.State.DRAFT: {Article.State.REVIEW, Article.State.ARCHIVED},
    Article.State.REVIEW: {Article.State.PUBLISHED, Article.State.DRAFT},
    Article.State.PUBLISHED: {Article.State.ARCHIVED, Article.State.DRAFT},
    Article.State.ARCHIVED: {Article.State.DRAFT},
}


class KbError(Exception):
    """A refused knowledge-base action; the message is for a person, in their language
    (gettext when raised: the console's, the API's or the command's active language)."""


def normalise_language(value) -> str:
    """The canonical tag (:func:`balcao.languages.normalise`); absent or empty is pt-BR,
    anything unknown a :class:`KbError`."""
    try:
        return languages.normalise(value or None)
    except languages.UnknownLanguage:
        raise KbError(
            _("idioma desconhecido: %(value)s (use pt-BR, pt-PT ou en)") % {"value": repr(value)}
        ) from None


def _clean_list(value, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KbError(_("“%(name)s” deve ser uma lista de textos") % {"name": name})
    return [v.strip() for v in value if v.strip()]


def _snapshot(article: Article, actor=None, note: str = "") -> None:
    ArticleVersion.objects.create(
        article=article,
        number=article.version,
        question=article.question,
        answer=article.answer,
        variants=article.variants,
        tags=article.tags,
        state=article.state,
        author=actor if getattr(actor, "pk", None) else None,
        note=note[:200],
    )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    archived: int = 0
    errors: list[str] = field(default_factory=list)


def parse_record(line: str) -> dict:
    """One JSON Lines record checked: ``{"id", "question", "answer", "variants",
    "language", "tags"}``; raises KbError naming what is wrong."""
    try:
        data = json.loads(line)
    except ValueError as exc:
        raise KbError(_("não é JSON válido (%(error)s)") % {"error": exc}) from exc
    if not isinstance(data, dict):
        raise KbError(_("esperado um objeto JSON"))
    record_id = str(data.get("id") or "").strip()
    if not record_id or len(record_id) > 120:
        raise KbError(_("“id” ausente ou com mais de 120 caracteres"))
    question = str(data.get("question") or "").strip()
    answer = str(data.get("answer") or "").strip()
    if not question:
        raise KbError(_("“question” vazia"))
    if not answer:
        raise KbError(_("“answer” vazia"))
    return {
        "id": record_id,
        "question": question[:300],
        "answer": answer,
        "variants": _clean_list(data.get("variants"), "variants"),
        "language": normalise_language(data.get("language")),
        "tags": _clean_list(data.get("tags"), "tags"),
    }


@transaction.atomic
def do_import(
    lines: Iterable[str], *, draft: bool = False, replace: bool = False, actor=None
) -> ImportResult:
    """Upsert articles by ``id``; published unless ``draft``. A bad line is reported by
    number and skipped; the others are imported.

    ``replace`` archives (never deletes: the versions stay) every article the file does not
    hold — the demo's, for an agency that loads its own base on a ``make run`` database, whose
    bot would otherwise go on answering the INPI's questions. A file with a bad line archives
    nothing: the article on that line would be taken for one the file no longer holds; so
    does a file with no article at all. Drafts and articles in review are staff's work in
    progress and stay as they are; ``replace`` with ``draft`` is refused (the bot would be
    left with nothing published)."""
    if replace and draft:
        raise KbError(_("--replace com --draft deixaria o chatbot sem artigos publicados."))
    result = ImportResult()
    seen: set[str] = set()
    state = Article.State.DRAFT if draft else Article.State.PUBLISHED
    now = timezone.now()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_record(line)
        except KbError as exc:
            result.errors.append(
                _("linha %(number)s: %(error)s") % {"number": number, "error": exc}
            )
            continue
        seen.add(record["id"])
        fields = {
            "question": record["question"],
            "answer": record["answer"],
            "variants": record["variants"],
            "language": record["language"],
            "tags": record["tags"],
            "state": state,
        }
        article = Article.objects.filter(slug=record["id"]).first()
        if article is None:
            article = Article.objects.create(
                slug=record["id"], **fields, approved_at=None if draft else now
            )
            _snapshot(article, actor, "importação")
            result.created += 1
            continue
        if all(getattr(article, k) == v for k, v in fields.items()):
            result.unchanged += 1
            continue
        for key, value in fields.items():
            setattr(article, key, value)
        article.version += 1
        if not draft:
            article.approved_at = now
        article.save()
        _snapshot(article, actor, "importação")
        result.updated += 1
    if replace and seen and not result.errors:
        stale = Article.objects.filter(state=Article.State.PUBLISHED).exclude(slug__in=seen)
        for article in stale:
            article.state = Article.State.ARCHIVED
            article.version += 1
            article.save()
            _snapshot(article, actor, "importação: fora do arquivo")
            result.archived += 1
    return result


def export_records(*, include_archived: bool = True) -> Iterator[dict]:
    queryset = Article.objects.order_by("slug")
    if not include_archived:
        queryset = queryset.exclude(state=Article.State.ARCHIVED)
    for article in queryset.iterator():
        yield article.as_import_record()


@transaction.atomic
def do_save_article(
    article: Article, *, actor, note: str = "", review: bool = True, **changes
) -> Article:
    """Edit an article; every saved change is a new version. An edit of a *published*
    article waits for review (``_propose``) unless ``review`` is False — the gap inbox,
    where a knowledge manager adding a person's question as a variant is the review."""
    allowed = {"question", "answer", "variants", "tags", "language", "service", "owner"}
    unknown = set(changes) - allowed
    if unknown:
        raise KbError(
            _("Campos não editáveis: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    if "language" in changes:
        changes["language"] = normalise_language(changes["language"])
    for key in ("variants", "tags"):
        if key in changes:
            changes[key] = _clean_list(changes[key], key)
    if not (changes.get("question", article.question) or "").strip():
        raise KbError(_("A pergunta não pode ficar vazia."))
    if not (changes.get("answer", article.answer) or "").strip():
        raise KbError(_("A resposta não pode ficar vazia."))
    creating = article.pk is None
    if review and not creating and article.state == Article.State.PUBLISHED:
        return _propose(article, actor=actor, note=note, changes=changes)
    for key, value in changes.items():
        setattr(article, key, value)
    if not creating:
        article.version += 1
    article.save()
    _snapshot(article, actor, note or ("criação" if creating else "edição"))
    return article


# The fields an edit of a published article proposes, stored as JSON until reviewed.
PROPOSABLE = ("question", "answer", "variants", "tags", "language", "service_id", "owner_id")


def _propose(article: Article, *, actor, note: str, changes: dict) -> Article:
    """An edit of a published article does not go live: it waits in ``article.pending``
    (a later edit replaces the proposal) while the bot and the FAQ keep the published text,
    until someone approves it (``do_review_pending``)."""
    proposal = dict(article.pending or {f: getattr(article, f) for f in PROPOSABLE})
    for key, value in changes.items():
        if key in ("service", "owner"):
            proposal[f"{key}_id"] = value.pk if value is not None else None
        else:
            proposal[key] = value
    proposal["note"] = note[:200]
    article.pending = proposal
    article.pending_by = actor if getattr(actor, "pk", None) else None
    article.pending_at = timezone.now()
    article.save(update_fields=["pending", "pending_by", "pending_at", "updated_at"])
    return article


def pending_changes(article: Article) -> list[dict]:
    """What a pending proposal changes: ``[{"field", "label", "published", "proposed"}]``."""
    if not article.pending:
        return []
    labels = {"service_id": _("serviço"), "owner_id": _("responsável")}
    changed = []
    for name in PROPOSABLE:
        published, proposed = getattr(article, name), article.pending.get(name)
        if proposed != published:
            label = labels.get(name) or Article._meta.get_field(name).verbose_name
            changed.append(
                {"field": name, "label": label, "published": published, "proposed": proposed}
            )
    return changed


@transaction.atomic
def do_review_pending(article: Article, *, actor, approve: bool) -> Article:
    """Approve (the proposal goes live as a new version, approved by ``actor``) or reject
    (discarded; the published text unchanged) a pending edit."""
    article = Article.objects.select_for_update().get(pk=article.pk)
    if not article.pending:
        raise KbError(_("Não há alteração pendente neste artigo."))
    proposer = article.pending_by
    if approve:
        for name in PROPOSABLE:
            if name in article.pending:
                setattr(article, name, article.pending[name])
        article.version += 1
        article.approved_by = actor if getattr(actor, "pk", None) else None
        article.approved_at = timezone.now()
        note = _("revisão aprovada (proposta por %(who)s)") % {"who": proposer or "—"}
    else:
        note = ""
    article.pending, article.pending_by, article.pending_at = None, None, None
    article.save()
    if approve:
        _snapshot(article, actor, note)
    return article


@transaction.atomic
def do_change_article_state(article: Article, target: str, *, actor) -> Article:
    """Move along the editorial workflow (TRANSITIONS); publishing records who approved."""
    if target not in Article.State.values:
        raise KbError(_("Situação desconhecida: %(state)s.") % {"state": repr(target)})
    if target not in TRANSITIONS.get(article.state, set()):
        raise KbError(
            _("Não é possível passar de “%(source)s” para “%(target)s”.")
            % {"source": article.get_state_display(), "target": Article.State(target).label}
        )
    article.state = target
    article.version += 1
    if target == Article.State.PUBLISHED:
        article.approved_by = actor if getattr(actor, "pk", None) else None
        article.approved_at = timezone.now()
    article.save()
    _snapshot(article, actor, f"situação: {target}")
    return article


def published_articles():
    return Article.objects.filter(state=Article.State.PUBLISHED)


# --- feedback and the gap inbox ------------------------------------------------------


def record_gap(text: str, language: str, reason: str, article: Article | None = None) -> Gap:
    """Keep a question the bot could not answer (masked) in its similarity group: an open one,
    or one staff set aside as not the agency's business (it is counted there and stays out of
    the inbox)."""
    masked = mask(text)[:500]
    stems = content_stems(masked, language)
    with transaction.atomic():
        open_groups = GapGroup.objects.select_for_update().filter(
            status__in=(GapGroup.Status.OPEN, GapGroup.Status.DISMISSED), language=language
        )
        group_id = best_group(stems, ((g.pk, g.stems) for g in open_groups))
        if group_id is None:
            group = GapGroup.objects.create(language=language, representative=masked, stems=stems)
        else:
            group = GapGroup.objects.get(pk=group_id)
        GapGroup.objects.filter(pk=group.pk).update(count=F("count") + 1, last_seen=timezone.now())
        return Gap.objects.create(group=group, text=masked, reason=reason, article=article)


def _voter_network(address: str) -> str:
    """Who votes, for the stuffing guard: an IPv4 address itself, an IPv6 client by its
    /64 (a household or phone gets a whole /64 and can rotate addresses inside it)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def do_record_vote(article: Article, helpful: bool, *, address: str) -> bool:
    """A public “Was this helpful?” vote, counted once per article per client address
    (IPv6: per /64) within ``BALCAO_KB_VOTE_WINDOW_SECONDS``; the view also allows one vote
    per article per browser session. Extra votes are ignored (False) and the person is
    thanked all the same, so a script stuffing votes without cookies learns nothing.

    The window lives in the default cache, keyed by a keyed hash (no address is stored),
    which every web process shares (a database table, or Redis with ``REDIS_URL``)."""
    voter = salted_hmac("balcao.kb.vote", f"{article.pk}:{_voter_network(address)}")
    if not cache.add(
        f"kb:vote:{voter.hexdigest()}", True, timeout=settings.BALCAO_KB_VOTE_WINDOW_SECONDS
    ):
        return False
    record_feedback(article, helpful, language=article.language)
    return True


def record_feedback(
    article: Article, helpful: bool, *, question: str = "", language: str = ""
) -> None:
    """“Was this helpful?”: counts, and a thumbs-down goes to the gap inbox."""
    if helpful:
        Article.objects.filter(pk=article.pk).update(helpful_yes=F("helpful_yes") + 1)
        return
    Article.objects.filter(pk=article.pk).update(helpful_no=F("helpful_no") + 1)
    record_gap(
        question or article.question, language or article.language, Gap.Reason.THUMBS_DOWN, article
    )


@transaction.atomic
def do_dismiss_gap_group(group: GapGroup, *, actor) -> GapGroup:
    """Set a group aside: its questions are not the agency's business ("como tirar
    passaporte"), and the bot is right to refuse them. Similar questions asked later join it
    and stay out of the inbox."""
    group = GapGroup.objects.select_for_update().get(pk=group.pk)
    if group.status != GapGroup.Status.OPEN:
        raise KbError(_("Este grupo já foi tratado."))
    group.status = GapGroup.Status.DISMISSED
    group.resolved_by = actor
    group.save(update_fields=["status", "resolved_by"])
    return group


@transaction.atomic
def do_resolve_gap_group(
    group: GapGroup,
    *,
    actor,
    add_variant_to: Article | None = None,
    variant: str = "",
    new_question: str = "",
    new_answer: str = "",
    publish: bool = False,
) -> Article:
    """In one step, turn a group into a variant of an existing article or a new article.

    ``variant`` is the group's question as the manager rewrote it (default: the group's
    representative, as the citizen typed it). A variant weighs three times more than the
    answer in the bot's word index, so a citizen's whole story ("a minha mãe tem 88 anos e
    …") brings its everyday words into the article: on the tuning sets, other questions'
    articles then ranked first less often (docs/quality.md, "the bot's gap inbox")."""
    if group.status != GapGroup.Status.OPEN:
        raise KbError(_("Este grupo já foi tratado."))
    if add_variant_to is not None:
        variants = list(add_variant_to.variants)
        phrasing = mask(" ".join(variant.split()))[:300] or group.representative
        if phrasing not in variants:
            variants.append(phrasing)
        article = do_save_article(
            add_variant_to,
            actor=actor,
            review=False,
            variants=variants,
            note=f"variante da caixa de lacunas #{group.pk}",
        )
    else:
        if not new_answer.strip():
            raise KbError(_("Escreva a resposta do novo artigo."))
        slug_base = (
            "-".join(content_stems(new_question or group.representative, group.language)[:6])
            or "artigo"
        )
        slug, n = slug_base[:100], 1
        while Article.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{slug_base[:100]}-{n}"
        article = do_save_article(
            Article(slug=slug, owner=actor),
            actor=actor,
            question=(new_question or group.representative)[:300],
            answer=new_answer,
            language=group.language,
            variants=[g.text for g in group.gaps.all()[:10]],
            note=f"criado da caixa de lacunas #{group.pk}",
        )
        if publish:
            article.state = Article.State.PUBLISHED
            article.approved_by, article.approved_at = actor, timezone.now()
            article.save()
    group.status = GapGroup.Status.RESOLVED
    group.resolved_article = article
    group.resolved_by = actor
    group.save(update_fields=["status", "resolved_article", "resolved_by"])
    return article
