"""Catalogue actions: loading an agency catalogue, rendering hours and "open now",
the triage recommender over the active channels, anonymous outcomes, versioned edits.

Text for people is chosen by gettext in the language asked for (``translation.override``),
never by branching on the language: pt-BR msgids, pt-PT and English in ``balcao/locale``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
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
from balcao.db import locks
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
        automated = (item.get("mode") or {}).get("staffing") == "automated"
        kind = ENTRY_KIND.get(entry.get("kind"), Channel.Kind.FORM)
        wanted = Channel(kind=kind, automated=automated)
        if is_live_chat(wanted) and not Channel.objects.filter(slug=item["slug"]).exists():
            _refuse_a_second_live_chat(wanted)
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
                "automated": automated,
                "media": (item.get("mode") or {}).get("media", []),
                "hours": hours.get("kind", Channel.Hours.UNSPECIFIED),
                "session_times": hours.get("times", []),
                "deadline_policy": deadline.get("policy") or "",
                "deadline_agreed": bool(deadline.get("agreed")),
                "entry": entry.get("kind", Channel.Entry.FORM),
                "entry_url": entry.get("url") or "",
                "kind": kind,
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


# --- an agency's own catalogue ------------------------------------------------------------

#: A catalogue file's ``kind`` (eval/README.md's list, and the other spellings
#: :data:`balcao.catalog.roles.ROLE_OF_KIND` reads) → the database's kind, whether the channel
#: is automated, and its entry point on the portal.
FILE_KINDS = {
    "chatbot": (Channel.Kind.CHAT, True, Channel.Entry.CHAT),
    "bot": (Channel.Kind.CHAT, True, Channel.Entry.CHAT),
    "faq": (Channel.Kind.CHAT, True, Channel.Entry.CHAT),
    "chat": (Channel.Kind.CHAT, False, Channel.Entry.CHAT),
    "form": (Channel.Kind.FORM, False, Channel.Entry.FORM),
    "email": (Channel.Kind.EMAIL, False, Channel.Entry.FORM),
    "phone": (Channel.Kind.PHONE, False, Channel.Entry.FORM),
    "presential": (Channel.Kind.SCHEDULING, False, Channel.Entry.SCHEDULING),
    "presencial": (Channel.Kind.SCHEDULING, False, Channel.Entry.SCHEDULING),
    "scheduling": (Channel.Kind.SCHEDULING, False, Channel.Entry.SCHEDULING),
    "ombudsman": (Channel.Kind.OMBUDSMAN, False, Channel.Entry.FORM),
    "lai": (Channel.Kind.LAI, False, Channel.Entry.FORM),
    "sic": (Channel.Kind.LAI, False, Channel.Entry.FORM),
    "external": (Channel.Kind.EXTERNAL, False, Channel.Entry.FORM),
    "mediation": (Channel.Kind.MEDIATION, False, Channel.Entry.FORM),
}
#: The portal's merit statement for an agency's own catalogue (seed 000: the channels "não
#: realizam a apreciação ou discussão do mérito de decisões"; the demo's names the INPI).
MERIT_STATEMENT = pgettext_lazy(
    "portal",
    "Lembre que os canais de atendimento não realizam a apreciação ou discussão do mérito de "
    "decisões.",
)


class CatalogImportError(ValueError):
    """A catalogue file that cannot be imported; the message names what is wrong."""


#: The largest catalogue file read: a few dozen channels take tens of kilobytes (the
#: evaluation sets' 9–14 KB, the demo's 34 KB); a file of megabytes is the wrong file, and one
#: of gigabytes must be refused before it is read into memory.
MAX_CATALOG_BYTES = 5 * 1024 * 1024


def read_catalog_file(path: str | Path) -> dict:
    """The JSON object of a catalogue file (``balcao catalog import``, ``balcao triage
    --catalog``), or :class:`CatalogImportError` with a message a person can act on: the file
    cannot be read, is over :data:`MAX_CATALOG_BYTES` (refused before it is read), is not UTF-8,
    not JSON, or not an object."""
    try:
        with open(path, encoding="utf-8") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_CATALOG_BYTES:
                raise CatalogImportError(
                    f"{path} tem {size / 2**20:.0f} MB: um catálogo tem no máximo "
                    f"{MAX_CATALOG_BYTES // 2**20} MB (algumas dezenas de canais cabem em poucos "
                    "KB). Confira se é o arquivo certo"
                )
            data = json.load(handle)
    except OSError as exc:
        raise CatalogImportError(f"Não foi possível ler {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CatalogImportError(f"{path} não está em UTF-8") from exc
    except json.JSONDecodeError as exc:
        raise CatalogImportError(
            f"{path} não é JSON válido (linha {exc.lineno}, coluna {exc.colno}): {exc.msg}"
        ) from exc
    if not isinstance(data, dict):
        raise CatalogImportError(f"{path}: um catálogo é um objeto JSON com a lista 'channels'")
    return data


@dataclass
class CatalogImport:
    """What :func:`do_import_catalog` did (or, in a dry run, would do)."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    own_rules: bool = False
    plain: bool = True


_URL = URLValidator(schemes=["http", "https"])


def _file_channel(item: dict, raw: dict, primary: str) -> dict:
    """The database fields of one channel of a catalogue file (``item`` as
    :func:`recommender.catalog_from_file` gives it, every text per language; ``raw`` as the
    file has it). Keys set only when a channel is created start with ``create_``."""
    slug = str(item.get("slug") or "")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug) or len(slug) > 50:
        raise CatalogImportError(
            f"identificador de canal inválido: {slug!r} (minúsculas, números e hífens; "
            "até 50 caracteres)"
        )
    texts = _per_language(item)
    if primary not in texts and texts:
        primary = next(lang for lang in LANGUAGES if lang in texts)
    if primary not in texts or not texts[primary].get("name"):
        raise CatalogImportError(f"o canal {slug} não tem nome")
    base = texts[primary]
    kind_given = str(item.get("kind") or "").strip().lower()
    if kind_given and kind_given not in FILE_KINDS:
        raise CatalogImportError(
            f"o canal {slug} tem um tipo desconhecido: {kind_given!r} "
            f"(um de: {', '.join(sorted(FILE_KINDS))})"
        )
    role = str(item.get("role") or "")
    if role and role not in Channel.TriageRole.values:
        raise CatalogImportError(
            f"o canal {slug} tem um papel desconhecido: {role!r} "
            f"(um de: {', '.join(Channel.TriageRole.values)})"
        )
    try:
        level = int(item["level"]) if item.get("level") not in (None, "") else None
        order = int(item.get("order") or 0)
    except (TypeError, ValueError):
        raise CatalogImportError(
            f"o canal {slug} tem um nível ou uma ordem que não é um número"
        ) from None
    if level is not None and not 1 <= level <= 9:
        raise CatalogImportError(f"o canal {slug} tem o nível {level} (de 1 a 9)")
    if not 0 <= order <= 32767:
        raise CatalogImportError(f"o canal {slug} tem a ordem {order} (de 0 a 32767)")
    fields = {
        "name": base["name"][:120],
        "purpose": base.get("purpose", ""),
        "ideal_for": list(base.get("ideal_for", [])),
        "not_advised_for": list(base.get("not_advised_for", [])),
        "texts": texts,
        "active": bool(item.get("active", True)),
        "order": order,
        "level_number": level,
    }
    if role:
        fields["triage_role"] = role
    entry_point = raw.get("entry_point") or {}
    entry_kind = entry_point.get("kind")
    if entry_kind and entry_kind not in Channel.Entry.values:
        raise CatalogImportError(
            f"o canal {slug} tem um ponto de entrada desconhecido: {entry_kind!r} "
            f"(um de: {', '.join(Channel.Entry.values)})"
        )
    if kind_given:
        fields["kind"], fields["automated"], fields["entry"] = FILE_KINDS[kind_given]
    elif entry_kind:
        # The demo's shape says how a channel is entered and who answers, not its kind: a
        # new channel's kind follows its entry point, an existing one keeps its own.
        fields["create_kind"] = ENTRY_KIND.get(entry_kind, Channel.Kind.FORM)
        fields["create_automated"] = (raw.get("mode") or {}).get("staffing") == "automated"
    if entry_kind:
        fields["entry"] = entry_kind
    url = str(raw.get("url") or entry_point.get("url") or "")
    if url:
        try:
            _URL(url)
        except ValidationError:
            raise CatalogImportError(
                f"o canal {slug} tem um endereço que não é http(s): {url!r}"
            ) from None
        fields["entry"], fields["entry_url"] = Channel.Entry.EXTERNAL, url
    # Decreto 10.153/2019: who reports to the ombudsman is shown to the ombudsman role alone;
    # a new ombudsman channel is confidential unless the file says otherwise.
    kind = fields.get("kind") or fields.get("create_kind")
    fields["create_confidential"] = bool(raw.get("confidential", kind == Channel.Kind.OMBUDSMAN))
    if "confidential" in raw:
        fields["confidential"] = bool(raw["confidential"])
    return fields


def _level(number: int) -> Level:
    level = Level.objects.filter(number=number).order_by("order", "pk").first()
    if level is None:
        level = Level.objects.create(
            slug=f"nivel-{number}", number=number, order=number, name=f"Nível {number}"
        )
    return level


def is_live_chat(channel: Channel) -> bool:
    """The live chat with people (issue 24) is offered on every page by its button, not by
    the catalogue: an import never switches it off, and the export leaves it out."""
    return channel.kind == Channel.Kind.CHAT and not channel.automated


@transaction.atomic
def do_import_catalog(
    data: dict, *, replace: bool = False, dry_run: bool = False, actor=None
) -> CatalogImport:
    """Load an agency's own catalogue file into the database: its channels and their texts
    (the triage learns each channel from its "ideal para" and purpose), their kind and role,
    and its appeal — the sentence the triage gives a need that wants a decision reviewed, with
    the agency's own rule and deadline (issue 20: "the agency's own appeal rule and deadline
    in the catalogue"; the demo's cites Lei 9.279/1996, art. 212, which is the INPI's).

    ``data`` is either shape :func:`recommender.catalog_from_file` reads: the demo's (every
    text per language) or the plain one an agency writes in one language. A channel is matched
    by its slug: a new one is created, an existing one takes the file's texts, kind, role,
    level and order (what the console edits stays otherwise: calendar, workflow, attachments,
    confidentiality unless the file gives it); every change is kept in
    :class:`CatalogChange`. ``replace`` switches off (never deletes: cases keep their
    channel) the active channels the file does not name — the demo's, for an agency that
    starts from ``make run`` — but the live chat with people.

    Unless the agency has triage rules of its own (``BALCAO_TRIAGE_RULES``), or the file names
    a ``rules_key``, a plain file's channels get :data:`recommender.NO_RULES`: the shipped cues
    were written for the INPI's channels and must not fire for an agency's "ouvidoria" because
    it shares a slug. ``dry_run`` does everything and rolls it back."""
    try:
        catalog = recommender.catalog_from_file(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise CatalogImportError(f"não é um catálogo: {exc}") from exc
    plain = not recommender.in_demo_shape(data)
    # Before any channel is written: a console edit holding the lock and waiting for a row
    # this import had already updated would otherwise deadlock with it.
    the_live_chat(lock=True)
    agency = data.get("agency") or {}
    primary = languages.normalise(str(agency.get("language") or "pt-BR")) if plain else "pt-BR"
    own_rules = bool(settings.BALCAO_TRIAGE_RULES)
    result = CatalogImport(own_rules=own_rules, plain=plain)
    pairs = list(zip(catalog["channels"], data["channels"], strict=True))
    wanted = [_file_channel(item, raw, primary) for item, raw in pairs]
    for (item, raw), fields in zip(pairs, wanted, strict=True):
        fields["rules_key"] = str(
            item.get("rules_key")
            or raw.get("rules_key")
            or ("" if own_rules or not plain else recommender.NO_RULES)
        )
    slugs = [item["slug"] for item in catalog["channels"]]
    if len(set(slugs)) != len(slugs):
        raise CatalogImportError("o catálogo repete o identificador de um canal")
    for slug, fields in zip(slugs, wanted, strict=True):
        number = fields.pop("level_number")
        if number is not None:
            fields["level"] = _level(number)
        created = {
            k[len("create_") :]: fields.pop(k) for k in list(fields) if k.startswith("create_")
        }
        channel = Channel.objects.filter(slug=slug).first()
        try:
            if channel is None:
                fields = {**created, **fields}
                fields.setdefault("kind", Channel.Kind.FORM)
                channel = Channel(slug=slug, **fields)
                _refuse_a_second_live_chat(channel)
            else:
                fields = _with_kind_rules(channel, fields)
        except ValidationError as exc:
            live = the_live_chat()
            hint = f" (é o canal {live.slug}: use esse identificador)" if live else ""
            raise CatalogImportError(
                f"o canal {slug}: {' '.join(exc.messages)}{hint if live != channel else ''}"
            ) from exc
        if channel.pk is None:
            result.created.append(slug)
            _save_new_channel(channel, actor, "import")
        elif _apply_changes(channel, actor, fields):
            result.updated.append(slug)
        else:
            result.unchanged.append(slug)
    if replace:
        for channel in Channel.objects.filter(active=True).exclude(slug__in=slugs):
            if not is_live_chat(channel):
                result.deactivated.append(channel.slug)
                _apply_changes(channel, actor, {"active": False})
    texts = _agency_texts(data, catalog, plain)
    if plain and "appeal" not in texts and PortalText.objects.filter(key="appeal").exists():
        # Another agency's appeal rule (the demo's Lei 9.279/1996) must not answer for this
        # one: the triage then says to look for the deadline in the decision itself.
        result.removed.append("appeal")
        PortalText.objects.filter(key="appeal").delete()
    for key, values in texts.items():
        result.texts.append(key)
        PortalText.objects.update_or_create(
            key=key,
            defaults={
                "value": values.get("pt-BR") or next(iter(values.values())),
                "texts": {lang: {"value": v} for lang, v in values.items()},
            },
        )
    if dry_run:
        transaction.set_rollback(True)
    elif result.created or result.updated or result.deactivated:
        _warm_after_commit()
    return result


def export_catalog() -> dict:
    """The database's catalogue as a file in the demo's shape (every text per language the
    channel has), which :func:`do_import_catalog` and ``balcao triage --catalog`` read back:
    the console's edits leave the database the way they came in (``balcao catalog export``)."""
    channels = []
    for channel in Channel.objects.select_related("level").order_by("order", "pk"):
        if is_live_chat(channel):
            continue
        item: dict = {
            "slug": channel.slug,
            "kind": (
                "chatbot"
                if channel.kind == Channel.Kind.CHAT and channel.automated
                else channel.kind
            ),
            "order": channel.order,
            "active": channel.active,
            "confidential": channel.confidential,
            "entry_point": {
                "kind": channel.entry,
                "url": channel.entry_url if channel.entry == Channel.Entry.EXTERNAL else None,
            },
        }
        if channel.level:
            item["level"] = channel.level.number
        if channel.triage_role:
            item["role"] = channel.triage_role
        if channel.rules_key:
            item["rules_key"] = channel.rules_key
        own = [lang for lang in LANGUAGES if channel.texts.get(lang)] or ["pt-BR"]
        for key in TEXT_KEYS:
            values = {}
            for lang in own:
                if channel.texts.get(lang):
                    if key in channel.texts[lang]:
                        values[lang] = channel.texts[lang][key]
                elif key in ("name", "purpose", "ideal_for", "not_advised_for"):
                    values[lang] = getattr(channel, key)  # a channel with no texts per language
            if values:
                item[key] = values
        channels.append(item)
    data: dict = {"schema": "balcao.catalog/1", "channels": channels}
    for text in PortalText.objects.all():
        values = {lang: text.text("value", lang) for lang in LANGUAGES if text.texts.get(lang)}
        values = values or {"pt-BR": text.value}
        data[text.key] = {"text": values} if text.key == "appeal" else values
    return data


def _agency_texts(data: dict, catalog: dict, plain: bool) -> dict[str, dict]:
    """The portal texts a catalogue file sets, by key and language: its appeal sentence; the
    demo shape's title, tagline and merit statement, or for a plain file a merit statement
    that names no agency."""
    texts: dict[str, dict] = {}
    appeal = (catalog.get("appeal") or {}).get("text")
    if isinstance(appeal, dict) and appeal:
        texts["appeal"] = dict(appeal)
    if not plain:
        for key in ("title", "tagline", "merit_statement"):
            if isinstance(data.get(key), dict):
                texts[key] = dict(data[key])
    else:
        statement = {}
        for lang in LANGUAGES:
            with translation.override(languages.django_code(lang)):
                statement[lang] = str(MERIT_STATEMENT)
        texts["merit_statement"] = statement
    return texts


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
    """The channel as the recommender reads it. A channel whose texts were given in some
    languages only (an agency's catalogue, ``balcao catalog import``) is offered in those
    alone, like the same file to ``balcao triage --catalog``: copies of one language's texts
    under the others would count its phrases several times in the channel's profile."""
    texts = {}
    own_languages = [lang for lang in LANGUAGES if channel.texts.get(lang)] or LANGUAGES
    for lang in own_languages:
        own = channel.texts.get(lang) or {}
        texts[lang] = recommender.ChannelTexts(
            name=own.get("name") or channel.name,
            ideal_for=tuple(own.get("ideal_for") or channel.ideal_for),
            not_advised_for=tuple(own.get("not_advised_for") or channel.not_advised_for),
            hours_text=own.get("hours_text") or open_status(channel, lang)["text"],
            deadline_text=own.get("deadline_text", ""),
            purpose=own.get("purpose") or channel.purpose,
        )
    top = texts.get("pt-BR") or next(iter(texts.values()))
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


def cued_slugs() -> set[str]:
    """The channels the triage scores on cues of the rules in use (the demo's, or the
    agency's own ``BALCAO_TRIAGE_RULES``); the others on their texts, role and labelled needs.
    The console's catalogue says which is which."""
    rules_ = rules()
    return {
        channel.slug
        for channel in Channel.objects.all()
        if recommender.has_cues(channel_info(channel), rules_)
    }


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


@dataclass
class ExamplesImport:
    """What :func:`do_import_triage_examples` did."""

    created: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


@transaction.atomic
def do_import_triage_examples(lines, *, actor=None) -> ExamplesImport:
    """Labelled needs from a JSON Lines file (``{"text", "language", "expect"}`` a line, the
    shape ``balcao triage --examples`` and ``--eval`` read), for an agency that has a history
    of needs and the channel each belonged to. Each text is masked like a need shared from
    the portal (:func:`shareable_text`): an example teaches the triage words, not whose need
    it was. A need already labelled the same is not added twice; a bad line (no text, a
    channel that is not an active one) is reported by number and the file is refused whole,
    so that a file is never half imported."""
    result = ExamplesImport()
    valid = set(Channel.objects.filter(active=True).values_list("slug", flat=True))
    valid.add(recommender.MERIT_NOT_DISCUSSED)
    have = set(TriageExample.objects.values_list("text", "language", "expect"))
    wanted = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text = shareable_text(item["text"])
            language = languages.normalise(str(item.get("language") or "pt-BR"))
            expect = str(item["expect"])
        except (ValueError, KeyError, TypeError, languages.UnknownLanguage) as exc:
            result.errors.append(f"linha {number}: não é uma necessidade rotulada ({exc})")
            continue
        if not text.strip():
            result.errors.append(f"linha {number}: sem texto")
        elif expect not in valid:
            result.errors.append(f"linha {number}: {expect!r} não é um canal ativo do catálogo")
        elif (text, language, expect) in have:
            result.unchanged += 1
        else:
            have.add((text, language, expect))
            wanted.append(TriageExample(text=text, language=language, expect=expect))
    if result.errors:
        return result
    for example in wanted:
        example.created_by = actor
    TriageExample.objects.bulk_create(wanted)
    result.created = len(wanted)
    if wanted:
        _warm_after_commit()
    return result


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
    "kind",
    "automated",
    "level",
    "confidential",
    "triage_role",
)


#: Slugs the console's own pages use under /console/catalogo/.
RESERVED_SLUGS = frozenset({"novo", "triagem"})


@transaction.atomic
def do_create_channel(*, actor, slug: str, **fields) -> Channel:
    """Add a channel in the console (issue 20: "a new channel added in the console is
    recommended sensibly without a code change"). The triage learns it from its purpose, its
    "ideal para", its role and the labelled needs. Unless the agency has its own rules
    (``BALCAO_TRIAGE_RULES``), a slug the shipped rules know (``ouvidoria``, ``sic``…) gets
    :data:`recommender.NO_RULES`: the INPI demo's phrases are not this channel's. A new
    ombudsman channel is confidential unless the form says otherwise (Decreto 10.153/2019)."""
    check_can(actor, "catalog.edit")
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug or "") or slug in RESERVED_SLUGS:
        raise ValidationError(
            {"slug": gettext("Use letras minúsculas, números e hífens (ex.: ouvidoria-geral).")}
        )
    if Channel.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": gettext("Já existe um canal com este identificador.")})
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"campos não editáveis: {sorted(unknown)}")
    shipped = rules()
    fields.setdefault("confidential", fields.get("kind") == Channel.Kind.OMBUDSMAN)
    channel = Channel(slug=slug, **fields)
    _refuse_a_second_live_chat(channel)
    if not settings.BALCAO_TRIAGE_RULES and recommender.has_cues(channel_info(channel), shipped):
        channel.rules_key = recommender.NO_RULES
    _save_new_channel(channel, actor, "new")
    _warm_after_commit()
    return channel


def _save_new_channel(channel: Channel, actor, how: str) -> None:
    """Save a channel added by the import or the console, with the workflow its cases follow
    (a chat's or the help desk's), and keep its creation in CatalogChange."""
    channel.workflow = _workflow_for(channel.kind)
    channel.save()
    CatalogChange.objects.create(
        user=actor,
        object_type="channel",
        object_key=channel.slug,
        changes={how: {"old": None, "new": channel.slug}},
    )


@transaction.atomic
def do_update_channel(channel: Channel, *, actor, **changes) -> Channel:
    """Edit a channel; the change (old → new) is kept in CatalogChange. Its kind and level
    may change (with them the role the triage reads, unless one is chosen), but the live chat
    with people stays the one live chat."""
    check_can(actor, "catalog.edit")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValueError(f"campos não editáveis: {sorted(unknown)}")
    changes = _with_kind_rules(channel, changes)
    _apply_changes(channel, actor, changes)
    _warm_after_commit()
    return channel


def _with_kind_rules(channel: Channel, changes: dict) -> dict:
    """``changes`` to an existing channel, with what a change of its kind brings: a channel
    that is no chat is not automated; one that moves into or out of chat takes the chat's or
    the help desk's workflow; one that becomes the ombudsman's is confidential unless the
    change says otherwise (Decreto 10.153/2019, as a new one). The live chat with people stays
    a chat, and no other channel becomes a second one (ValidationError). The console's edit
    and the import both go through here."""
    kind = changes.get("kind", channel.kind)
    changes = dict(changes)
    if kind != Channel.Kind.CHAT and changes.get("automated", channel.automated):
        changes["automated"] = False
    after = Channel(kind=kind, automated=changes.get("automated", channel.automated))
    if is_live_chat(channel) and not is_live_chat(after):
        raise ValidationError(
            {"kind": gettext("O chat com atendentes continua chat: desative-o se não o usar.")}
        )
    if not is_live_chat(channel):
        _refuse_a_second_live_chat(after)
    if (channel.kind == Channel.Kind.CHAT) != (kind == Channel.Kind.CHAT):
        # a chat's cases follow the chat's workflow, the others the help desk's
        changes["workflow"] = _workflow_for(kind)
    if kind == Channel.Kind.OMBUDSMAN and channel.kind != Channel.Kind.OMBUDSMAN:
        changes.setdefault("confidential", True)
    return changes


def _workflow_for(kind: str):
    """The workflow a channel's new cases follow: a chat's, or the help desk's."""
    workflows = Channel._meta.get_field("workflow").related_model.objects
    return workflows.filter(slug="chat" if kind == Channel.Kind.CHAT else "helpdesk").first()


#: The lock held while a live chat is checked for and saved (:func:`the_live_chat`).
LIVE_CHAT_LOCK = "catalog.live-chat"


def the_live_chat(*, lock: bool = False) -> Channel | None:
    """The live chat with people, if there is one. With ``lock`` (inside a transaction) no
    other transaction can add one until this one ends (:func:`locks.hold_until_commit`):
    take it before writing any channel, or two transactions could wait on each other."""
    if lock:
        locks.hold_until_commit(LIVE_CHAT_LOCK)
    return Channel.objects.filter(kind=Channel.Kind.CHAT, automated=False).order_by("pk").first()


def _refuse_a_second_live_chat(channel: Channel) -> None:
    """The live chat with people is one channel, offered on every page by its button (issue
    24); another chat answered by people would never be offered. Two managers saving at the
    same instant are taken one after the other (:func:`the_live_chat` with its lock): the
    second sees the first's live chat and is refused."""
    if not is_live_chat(channel):
        return
    if the_live_chat(lock=True) is not None:
        raise ValidationError(
            {
                "automated": gettext(
                    "O chat com atendentes já existe; um novo chat só pode ser automatizado "
                    "(chatbot)."
                )
            }
        )


def _apply_changes(channel: Channel, actor, changes: dict, *, save: bool = True) -> dict:
    """Set ``changes`` on the channel and keep what changed (old → new) in CatalogChange;
    returns that difference (nothing is written when ``save`` is false)."""
    diff = {}
    for key, value in changes.items():
        old = getattr(channel, key)
        if old != value:
            diff[key] = {"old": _plain(old), "new": _plain(value)}
            if save:
                setattr(channel, key, value)
    if diff and save:
        channel.save()
        CatalogChange.objects.create(
            user=actor, object_type="channel", object_key=channel.slug, changes=diff
        )
    return diff


def _plain(value):
    if hasattr(value, "pk"):
        return str(value)
    return value
