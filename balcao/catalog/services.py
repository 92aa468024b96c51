"""Catalogue actions: loading an agency catalogue, rendering hours and "open now",
the triage recommender over the active channels, anonymous outcomes, versioned edits.

Text for people is chosen by gettext in the language asked for (``translation.override``),
never by branching on the language: pt-BR msgids, pt-PT and English in ``balcao/locale``.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext, pgettext, pgettext_lazy

from balcao import languages
from balcao.accounts.permissions import check_can
from balcao.catalog import recommender
from balcao.catalog.models import (
    LANGUAGES,
    CatalogChange,
    Channel,
    ContentItem,
    Level,
    PortalText,
    Service,
    TriageExample,
    TriageOutcome,
)
from balcao.masking import mask

DEMO_CATALOG = Path(__file__).resolve().parent / "demo" / "inpi-catalog.json"
ENTRY_KIND = {
    "chat": Channel.Kind.CHAT,
    "form": Channel.Kind.FORM,
    "scheduling": Channel.Kind.SCHEDULING,
    "external": Channel.Kind.EXTERNAL,
}
TEXT_KEYS = (
    "name",
    "purpose",
    "ideal_for",
    "not_advised_for",
    "terms",
    "hours_text",
    "deadline_text",
)


def language_code(value: str | None) -> str:
    """The canonical tag of a Django language code: 'pt-br' → 'pt-BR', 'pt-pt' → 'pt-PT',
    'en…' → 'en'; anything else is the default, pt-BR."""
    return languages.normalise_or_default(value)


def translate(msgid: str, language: str) -> str:
    """``msgid`` (pt-BR) in ``language`` through Django's gettext: the recommender's
    ``translate`` on the Django side."""
    with translation.override(languages.django_code(language)):
        return gettext(msgid)


# --- loading --------------------------------------------------------------------------


def _per_language(item: dict, keys=TEXT_KEYS) -> dict:
    texts: dict[str, dict] = {}
    for key in keys:
        for lang, value in (item.get(key) or {}).items() if isinstance(item.get(key), dict) else []:
            texts.setdefault(lang, {})[key] = value
    return texts


@transaction.atomic
def load_catalog(data: dict) -> dict[str, int]:
    """Load a catalogue file (schema ``balcao.catalog/1``); existing rows are kept as
    the agency edited them (idempotent)."""
    counts = {"levels": 0, "channels": 0, "services": 0}
    levels = {}
    for item in data["levels"]:
        texts = _per_language(item, ("name", "purpose"))
        levels[item["number"]], created = Level.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "number": item["number"],
                "order": item["number"],
                "name": texts["pt-BR"]["name"],
                "purpose": texts["pt-BR"].get("purpose", ""),
                "texts": texts,
            },
        )
        counts["levels"] += created
    # The workflow a channel's cases follow is the case core's model; the catalogue names
    # it only through the foreign key, so it never imports the case core.
    workflows = Channel._meta.get_field("workflow").related_model.objects
    chat, helpdesk = workflows.get(slug="chat"), workflows.get(slug="helpdesk")
    for item in data["channels"]:
        texts = _per_language(item)
        base = texts["pt-BR"]
        entry = item.get("entry_point") or {}
        hours = item.get("hours") or {}
        deadline = item.get("deadline") or {}
        _, created = Channel.objects.get_or_create(
            slug=item["slug"],
            defaults={
                "name": base["name"],
                "level": levels.get(item["level"]),
                "order": item.get("order", 0),
                "active": item.get("active", True),
                "confidential": bool(item.get("confidential", False)),
                "purpose": base.get("purpose", ""),
                "ideal_for": base.get("ideal_for", []),
                "not_advised_for": base.get("not_advised_for", []),
                "automated": (item.get("mode") or {}).get("staffing") == "automated",
                "media": (item.get("mode") or {}).get("media", []),
                "hours": hours.get("kind", Channel.Hours.UNSPECIFIED),
                "session_times": hours.get("times", []),
                "deadline_policy": deadline.get("policy") or "",
                "deadline_agreed": bool(deadline.get("agreed")),
                "entry": entry.get("kind", Channel.Entry.FORM),
                "entry_url": entry.get("url") or "",
                "kind": ENTRY_KIND.get(entry.get("kind"), Channel.Kind.FORM),
                "workflow": chat if entry.get("kind") == "chat" else helpdesk,
                "texts": texts,
                "rules_key": item.get("rules_key") or "",
            },
        )
        counts["channels"] += created
    for item in data.get("services", []):
        texts = _per_language(item, ("name",))
        _, created = Service.objects.get_or_create(
            slug=item["slug"], defaults={"name": texts["pt-BR"]["name"], "texts": texts}
        )
        counts["services"] += created
    for key in ("title", "tagline", "merit_statement"):
        if key in data:
            PortalText.objects.get_or_create(
                key=key,
                defaults={
                    "value": data[key]["pt-BR"],
                    "texts": {lang: {"value": v} for lang, v in data[key].items()},
                },
            )
    if "appeal" in data:
        appeal = data["appeal"]["text"]
        PortalText.objects.get_or_create(
            key="appeal",
            defaults={
                "value": appeal["pt-BR"],
                "texts": {lang: {"value": v} for lang, v in appeal.items()},
            },
        )
    for item in data.get("episodes", []):
        ContentItem.objects.get_or_create(
            number=item["number"],
            defaults={
                "title": item["title"]["pt-BR"],
                "url": item.get("url") or "",
                "texts": {lang: {"title": v} for lang, v in item["title"].items()},
            },
        )
    return counts


def load_demo_catalog() -> dict[str, int]:
    return load_catalog(json.loads(DEMO_CATALOG.read_text(encoding="utf-8")))


# --- hours and deadlines ----------------------------------------------------------------


def _calendar(channel: Channel):
    from balcao.deadlines.services import calendar_from_model

    return calendar_from_model(channel.calendar) if channel.calendar_id else None


def open_status(channel: Channel, language: str, now: datetime | None = None) -> dict:
    """Whether the channel is open now, and a sentence for the portal card in ``language``
    (respecting holidays and agency closures through the channel's calendar)."""
    now = now or timezone.now()
    with translation.override(languages.django_code(language_code(language))):
        if channel.hours == Channel.Hours.ALWAYS:
            return {"open": True, "text": gettext("Aberto 24 horas")}
        cal = _calendar(channel)
        if channel.hours == Channel.Hours.WEEKLY and cal is not None:
            return {"open": cal.is_open(now), "text": _weekly_status(cal, now)}
        if channel.hours == Channel.Hours.SESSIONS and channel.session_times:
            times = _list_text(
                [_clock_text(*map(int, t.split(":")[:2])) for t in channel.session_times]
            )
            return {
                "open": None,
                "text": gettext("Sessões ao vivo às %(times)s") % {"times": times},
            }
        if channel.hours == Channel.Hours.APPOINTMENT:
            return {"open": None, "text": gettext("Com agendamento")}
        return {"open": True, "text": gettext("Recebe pedidos a qualquer momento")}


WEEKDAYS = (
    pgettext_lazy("dia da semana", "segunda"),
    pgettext_lazy("dia da semana", "terça"),
    pgettext_lazy("dia da semana", "quarta"),
    pgettext_lazy("dia da semana", "quinta"),
    pgettext_lazy("dia da semana", "sexta"),
    pgettext_lazy("dia da semana", "sábado"),
    pgettext_lazy("dia da semana", "domingo"),
)


def _clock_text(hour: int, minute: int) -> str:
    """A time of day as people write it in the active language: "9h", "12h30" / "09:00"."""
    if minute == 0:
        # Translators: a time on the hour, in Django's date format (G hour, H hour with two
        # digits, i minutes, \h the letter h): pt-BR writes 9h, English 09:00 (H:i).
        pattern = pgettext("formato de hora cheia", "G\\h")
    else:
        # Translators: a time with minutes, in Django's date format: pt-BR writes 12h30.
        pattern = pgettext("formato de hora e minutos", "G\\hi")
    return dateformat.time_format(time(hour, minute), pattern)


def _list_text(items: list[str]) -> str:
    """ "a, b e c" in the active language."""
    if len(items) <= 1:
        return "".join(items)
    return gettext("%(items)s e %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _weekly_status(cal, now: datetime) -> str:
    """ "Aberto agora — fecha às 17h" / "Fechado — abre segunda às 9h", from the calendar's
    facts (closing time, next opening), in the active language."""
    closing = cal.closing_time(now)
    if closing is not None:
        return gettext("Aberto agora — fecha às %(time)s") % {
            "time": _clock_text(closing.hour, closing.minute)
        }
    opening = cal.next_opening(now)
    if opening is None:
        return gettext("Fechado")
    opening = cal.local(opening)
    at = _clock_text(opening.hour, opening.minute)
    today = cal.local(now).date()
    if opening.date() == today:
        return gettext("Fechado — abre hoje às %(time)s") % {"time": at}
    if opening.date() == today + timedelta(days=1):
        return gettext("Fechado — abre amanhã às %(time)s") % {"time": at}
    if (opening.date() - today).days < 7:
        return gettext("Fechado — abre %(weekday)s às %(time)s") % {
            "weekday": str(WEEKDAYS[opening.weekday()]),
            "time": at,
        }
    return gettext("Fechado — abre em %(date)s às %(time)s") % {
        "date": opening.date().strftime("%d/%m/%Y"),
        "time": at,
    }


def channel_info(channel: Channel) -> recommender.ChannelInfo:
    texts = {}
    for lang in LANGUAGES:
        own = channel.texts.get(lang) or {}
        texts[lang] = recommender.ChannelTexts(
            name=own.get("name") or channel.name,
            ideal_for=tuple(own.get("ideal_for") or channel.ideal_for),
            not_advised_for=tuple(own.get("not_advised_for") or channel.not_advised_for),
            hours_text=own.get("hours_text") or open_status(channel, lang)["text"],
            deadline_text=own.get("deadline_text", ""),
            purpose=own.get("purpose") or channel.purpose,
        )
    top = texts["pt-BR"]
    return recommender.ChannelInfo(
        slug=channel.slug,
        name=top.name,
        level=channel.level.number if channel.level else 1,
        ideal_for=top.ideal_for,
        not_advised_for=top.not_advised_for,
        hours_text=top.hours_text,
        deadline_text=top.deadline_text,
        active=channel.active,
        order=channel.order,
        texts=texts,
        rules_key=channel.rules_key or None,
        kind="chatbot" if channel.kind == Channel.Kind.CHAT and channel.automated else channel.kind,
        role=channel.triage_role,
    )


def active_channel_infos() -> list[recommender.ChannelInfo]:
    """The recommender only ever sees the active channels of this database's catalogue —
    but for a live chat with people (a chat that is not a bot): it is offered on every page
    by its button (issue 24), and one is not sent to it to file a need."""
    return [
        channel_info(c)
        for c in Channel.objects.filter(active=True)
        .exclude(kind=Channel.Kind.CHAT, automated=False)
        .select_related("level", "calendar")
    ]


def appeal_text(language: str) -> str | None:
    text = PortalText.objects.filter(key="appeal").first()
    return text.text("value", language_code(language)) if text else None


# --- triage -----------------------------------------------------------------------------


def rules() -> recommender.TriageRules:
    """The agency's triage rules: ``BALCAO_TRIAGE_RULES`` (a file in the shape of the shipped
    ``balcao/catalog/triage_rules.json``), or the shipped ones (written for the INPI demo's
    channels; other agencies' channels are scored on their own catalogue texts)."""
    return recommender.load_rules(settings.BALCAO_TRIAGE_RULES or recommender.RULES_PATH)


def learned_examples() -> tuple[recommender.Example, ...]:
    """The needs the agency labelled in the console, for the triage to learn from."""
    return tuple(TriageExample.objects.values_list("text", "language", "expect"))


#: How long the shared cache keeps the labelled needs' weight (:func:`example_weight`).
EXAMPLE_WEIGHT_CACHE_SECONDS = 7 * 24 * 3600
_rules_digests: dict[int, tuple[recommender.TriageRules, str]] = {}


def example_weight(
    examples: tuple[recommender.Example, ...],
    channels: list[recommender.ChannelInfo],
    rules_: recommender.TriageRules,
) -> float:
    """How much the labelled needs weigh in the triage: :func:`recommender.calibrate_examples`
    checks them against each other (under a second for a few dozen, three to four seconds
    for three hundred: tests/bench/bench_triage.py). Like the bot's calibration, it is
    computed by the first process that meets these needs, channels and rules, and kept in the
    shared cache for the others; a change of the labelled needs computes it in the task queue
    as soon as it commits (:func:`warm_example_weight`), so a citizen's triage does not wait
    for it."""
    if len(examples) < recommender.MIN_CHECKED_EXAMPLES:
        return recommender.calibrate_examples(examples, channels, rules_)
    key = _example_weight_key(examples, channels, rules_)
    stored = caches["default"].get(key)
    if stored is None:
        stored = recommender.calibrate_examples(examples, channels, rules_)
        caches["default"].set(key, stored, EXAMPLE_WEIGHT_CACHE_SECONDS)
    return float(stored)


def _example_weight_key(examples, channels, rules_) -> str:
    if id(rules_) not in _rules_digests:
        raw = json.dumps(rules_.raw, sort_keys=True, ensure_ascii=False).encode()
        _rules_digests[id(rules_)] = (rules_, hashlib.blake2b(raw, digest_size=16).hexdigest())
    digest = hashlib.blake2b(digest_size=16)
    digest.update(_rules_digests[id(rules_)][1].encode())
    digest.update(repr(examples).encode())
    digest.update(repr(recommender.channels_key(channels)).encode())
    return f"balcao:triage-example-weight:v1:{digest.hexdigest()}"


def warm_example_weight() -> float:
    """The weight of the labelled needs as they are now, computed into the shared cache."""
    return example_weight(learned_examples(), active_channel_infos(), rules())


def _warm_after_commit() -> None:
    def enqueue() -> None:
        from balcao.catalog.tasks import warm_triage_example_weight

        warm_triage_example_weight()

    transaction.on_commit(enqueue)


def do_add_triage_example(*, text: str, language: str, expect: str, actor) -> TriageExample:
    """Label a need with the channel it should go to (an active channel's slug, or
    ``merit-not-discussed``); the triage learns from it at once."""
    check_can(actor, "catalog.edit")
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": gettext("Escreva a necessidade.")})
    if len(text) > 1000:
        raise ValidationError({"text": gettext("No máximo 1000 caracteres.")})
    valid = set(Channel.objects.filter(active=True).values_list("slug", flat=True))
    if expect not in valid | {recommender.MERIT_NOT_DISCUSSED}:
        raise ValidationError({"expect": gettext("Escolha um canal ativo do catálogo.")})
    example = TriageExample.objects.create(
        text=text,
        language=languages.normalise(language or "pt-BR"),
        expect=expect,
        created_by=actor,
    )
    _warm_after_commit()
    return example


def do_delete_triage_example(example: TriageExample, *, actor) -> None:
    check_can(actor, "catalog.edit")
    example.delete()
    _warm_after_commit()


def triage(
    text,
    language=None,
    answers=None,
    *,
    record: bool = False,
    share: bool = False,
    source: str = "portal",
    channels=None,
    rules_=None,
    examples=None,
) -> dict:
    """The contract's object ``{"channel", "alternative", "why", …}`` for one need.

    Raises ``recommender.TriageInputError`` (with ``.field``) on an empty text or an
    unknown language. ``record`` keeps an anonymous outcome, without the text unless the
    person agreed to ``share`` it (then masked: :func:`shareable_text`); a shared need whose
    person goes on to choose a channel is offered to staff as an example (:func:`suggestions`).
    """
    lang = recommender.normalise_language(language)
    channels = channels if channels is not None else active_channel_infos()
    rules_ = rules_ or rules()
    examples = learned_examples() if examples is None else tuple(examples)
    result = recommender.recommend(
        text,
        lang,
        answers,
        channels,
        rules=rules_,
        appeal_text=appeal_text(lang),
        translate=translate,
        examples=examples,
        example_weight=example_weight(examples, channels, rules_),
    ).to_json()
    if record:
        outcome = TriageOutcome.objects.create(
            language=lang,
            recommended=result["channel"],
            alternative=result["alternative"] or "",
            source=source,
            text=shareable_text(text) if share else "",
        )
        result["outcome"] = outcome_token(outcome.pk)
    return result


#: Days a need shared on the portal waits for staff (accept as an example, or discard)
#: before its text is erased; the anonymous outcome stays.
SUGGESTION_DAYS = 30
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LONG_NUMBER = re.compile(r"(?<!\w)\+?\d[\d .()-]{6,}\d(?!\w)")


def shareable_text(text: str) -> str:
    """What is kept of a need the person agreed to share: documents, cards and passwords
    masked (:func:`balcao.masking.mask`), then e-mail addresses and any other long number
    (phones, process numbers) — an example teaches the triage words, not whose need it was."""
    kept = mask(" ".join(str(text or "").split()))
    kept = _EMAIL.sub("[e-mail]", kept)
    return _LONG_NUMBER.sub("[número]", kept)[:1000]


def suggestions():
    """Needs shared on the portal whose person then chose a channel, newest first: each is a
    labelled need staff may accept as an example (issue 20: "every recorded choice on the
    portal is one"). Accepted, it teaches the triage; a choice alone is not trusted blindly —
    anyone may type anything on a public page."""
    cutoff = timezone.now() - timedelta(days=SUGGESTION_DAYS)
    return (
        TriageOutcome.objects.exclude(text="")
        .exclude(chosen="")
        .filter(at__gte=cutoff)
        .order_by("-at", "-pk")
    )


@transaction.atomic
def do_accept_suggestion(outcome: TriageOutcome, *, actor, expect: str = "") -> TriageExample:
    """The shared need becomes an example labelled with the channel the person chose (or the
    one staff correct it to); its text then leaves the outcome."""
    check_can(actor, "catalog.edit")
    # Locked: two staff accepting the same suggestion at once make one example, not two.
    outcome = TriageOutcome.objects.select_for_update().get(pk=outcome.pk)
    if not outcome.text:
        raise ValidationError({"text": gettext("Esta sugestão já foi tratada.")})
    example = do_add_triage_example(
        text=outcome.text, language=outcome.language, expect=expect or outcome.chosen, actor=actor
    )
    outcome.text = ""
    outcome.save(update_fields=["text"])
    return example


def do_discard_suggestion(outcome: TriageOutcome, *, actor) -> None:
    """The shared need is not an example: its text is erased (the anonymous outcome stays)."""
    check_can(actor, "catalog.edit")
    TriageOutcome.objects.filter(pk=outcome.pk).update(text="")


def purge_shared_texts(now: datetime | None = None) -> int:
    """Erase the texts nobody will use: shared needs older than SUGGESTION_DAYS, and those
    whose person chose no channel before the outcome's token expired (no label will come)."""
    now = now or timezone.now()
    stale = models.Q(at__lt=now - timedelta(days=SUGGESTION_DAYS)) | models.Q(
        chosen="", at__lt=now - timedelta(seconds=OUTCOME_MAX_AGE)
    )
    return TriageOutcome.objects.exclude(text="").filter(stale).update(text="")


OUTCOME_SALT = "balcao.catalog.triage-outcome"
OUTCOME_MAX_AGE = 24 * 3600


def outcome_token(outcome_id: int) -> str:
    """The recorded outcome's id, signed: only whoever got this triage can say which
    channel they went on to use (a bare id let anyone fill in everyone's choices)."""
    return signing.dumps(outcome_id, salt=OUTCOME_SALT)


def outcome_from_token(token: str) -> int | None:
    try:
        value = signing.loads(str(token or ""), salt=OUTCOME_SALT, max_age=OUTCOME_MAX_AGE)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def record_choice(token: str, chosen: str) -> bool:
    """The channel the person went on to use, after a recommendation: once per outcome,
    and only with the outcome's signed token (at most a day old)."""
    outcome_id = outcome_from_token(token)
    if outcome_id is None or not Channel.objects.filter(slug=chosen).exists():
        return False
    return bool(TriageOutcome.objects.filter(pk=outcome_id, chosen="").update(chosen=chosen))


# --- edits --------------------------------------------------------------------------------

EDITABLE = (
    "name",
    "purpose",
    "ideal_for",
    "not_advised_for",
    "active",
    "order",
    "hours",
    "session_times",
    "deadline_policy",
    "deadline_agreed",
    "entry",
    "entry_url",
    "texts",
    "calendar",
    "level",
    "confidential",
    "triage_role",
)


@transaction.atomic
def do_update_channel(channel: Channel, *, actor, **changes) -> Channel:
    """Edit a channel; the change (old → new) is kept in CatalogChange."""
    check_can(actor, "catalog.edit")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"campos não editáveis: {sorted(unknown)}")
    diff = {}
    for key, value in changes.items():
        old = getattr(channel, key)
        if old != value:
            diff[key] = {"old": _plain(old), "new": _plain(value)}
            setattr(channel, key, value)
    if diff:
        channel.save()
        CatalogChange.objects.create(
            user=actor, object_type="channel", object_key=channel.slug, changes=diff
        )
    return channel


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    return value
