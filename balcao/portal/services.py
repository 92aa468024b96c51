"""Portal actions: the channel cards of the home page, entry points and the public form that
opens a case (with its confirmation e-mail on commit; the per-address limit and the
unverified contact come from ``cases.intake``).

Views stay thin: they parse the request and call these.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.cache import caches
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from balcao.accounts.permissions import SYSTEM
from balcao.cases import intake
from balcao.cases.models import Message
from balcao.cases.services import do_add_message, do_open_case
from balcao.cases.text import clean_line, clean_text
from balcao.catalog import services as catalog
from balcao.catalog.models import Channel, ContentItem, Level, PortalText

CONFIRMATION_SALT = "balcao.portal.confirmation"
CONFIRMATION_MAX_AGE = 60 * 60  # the confirmation link works for one hour

MEDIA_LABELS = {
    "electronic": _("eletrônico"),
    "virtual": _("virtual"),
    "in_person": _("presencial"),
}


def current_language() -> str:
    """The catalogue's language tag (pt-BR, pt-PT, en) for the active Django language."""
    return catalog.language_code(get_language())


# --- home page ------------------------------------------------------------------------


def portal_texts(language: str) -> dict[str, str]:
    """The agency's portal texts (title, tagline, merit_statement, appeal) in ``language``."""
    return {item.key: item.text("value", language) for item in PortalText.objects.all()}


def entry_href(channel: Channel) -> str:
    """Where a person goes to use ``channel``: the live chat with people (issue 24), the
    chatbot, the channel's public form, the scheduling page or the agency's external
    address."""
    if channel.kind == Channel.Kind.CHAT and not channel.automated:
        return reverse("portal:chat_new")
    if channel.entry == Channel.Entry.CHAT:
        return reverse("bot:chat")
    if channel.entry == Channel.Entry.EXTERNAL and channel.entry_url:
        return channel.entry_url
    if channel.entry == Channel.Entry.SCHEDULING:
        return reverse("portal:scheduling", args=[channel.slug])
    return reverse("portal:channel_form", args=[channel.slug])


def how_it_works(channel: Channel) -> str:
    staffing = gettext("100% automatizado") if channel.automated else gettext("humanizado")
    media = [str(MEDIA_LABELS[m]) for m in channel.media if m in MEDIA_LABELS]
    return "; ".join([", ".join(media), staffing]) if media else staffing


@dataclass
class ChannelCard:
    """What the home page shows of one channel, in one language."""

    slug: str
    name: str
    purpose: str
    ideal_for: list[str]
    not_advised_for: list[str]
    how: str
    open: bool | None
    status: str
    hours_text: str
    deadline_text: str
    href: str
    external: bool
    entry: str
    automated: bool


def channel_card(channel: Channel, language: str, now=None) -> ChannelCard:
    status = catalog.open_status(channel, language, now)
    return ChannelCard(
        slug=channel.slug,
        name=channel.text("name", language),
        purpose=channel.text("purpose", language),
        ideal_for=list(channel.text("ideal_for", language) or []),
        not_advised_for=list(channel.text("not_advised_for", language) or []),
        how=how_it_works(channel),
        open=status["open"],
        status=status["text"],
        hours_text=channel.text("hours_text", language) or "",
        deadline_text=channel.text("deadline_text", language) or "",
        href=entry_href(channel),
        external=channel.entry == Channel.Entry.EXTERNAL and bool(channel.entry_url),
        entry=channel.entry,
        automated=channel.automated,
    )


def home_levels(language: str, now=None) -> list[dict]:
    """The five levels in order, each with its active channels as cards (two queries)."""
    channels = (
        Channel.objects.filter(active=True).select_related("calendar").order_by("order", "pk")
    )
    levels = Level.objects.prefetch_related(Prefetch("channel_set", queryset=channels))
    return [
        {
            "number": level.number,
            "slug": level.slug,
            "name": level.text("name", language),
            "purpose": level.text("purpose", language),
            "channels": [channel_card(c, language, now) for c in level.channel_set.all()],
        }
        for level in levels
    ]


HOME_CACHE_SECONDS = 60


def catalogue_version() -> str:
    """Changes whenever the catalogue or a calendar is edited through the console or the
    calendar actions (CatalogChange rows, Calendar.updated_at)."""
    from balcao.catalog.models import CatalogChange
    from balcao.deadlines.models import Calendar

    change = CatalogChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    calendar = Calendar.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
    return f"{change or 0}:{calendar.timestamp() if calendar else 0}"


def home_catalogue_html(language: str) -> str:
    """The five levels with their channel cards and the episodes, rendered.

    The cards change with the minute ("Aberto agora — fecha às 17h") and with the catalogue,
    so the HTML is cached per language, per minute of the catalogue's clock and per catalogue
    version for at most a minute; other edits (texts, episodes) show within a minute. Two
    small queries when cached, instead of rendering nine cards."""
    from django.template.loader import render_to_string

    now = catalog.timezone.now()
    key = "portal:home:{}:{}:{}".format(language, now.strftime("%Y%m%d%H%M"), catalogue_version())
    local = caches["local"]  # per process: a card may lag a minute behind another process
    html = local.get(key)
    if html is None:
        html = render_to_string(
            "portal/_catalogue.html",
            {"levels": home_levels(language, now), "episodes": episodes(language)},
        )
        local.set(key, html, HOME_CACHE_SECONDS)
    return html


def episodes(language: str) -> list[dict]:
    return [
        {"number": item.number, "title": item.text("title", language), "url": item.url}
        for item in ContentItem.objects.filter(active=True)
    ]


# --- triage choice ------------------------------------------------------------------------


def do_record_choice(token: str, chosen: str) -> None:
    """Record the channel a person went on to use after a triage (the outcome travels
    signed, so nobody can rewrite someone else's outcome)."""
    catalog.record_choice(token, chosen)


# --- the public form ------------------------------------------------------------------------


def format_due(moment, language: str | None = None) -> str:
    """A due instant in the agency's local time, written for people."""
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT", use_l10n=True)


@transaction.atomic
def do_open_public_case(
    *,
    channel: Channel,
    name: str,
    email: str,
    cpf: str = "",
    service=None,
    subject: str,
    description: str,
    attachment=None,
    language: str = "pt-BR",
):
    """Open a case from the portal's public form.

    Whoever fills the form is not identified: the case goes to a new unverified contact
    holding what was typed (``cases.intake``), never onto the record of a person on file
    with the same CPF or e-mail, and the confirmation (protocol and due date) goes to the
    address typed — once the transaction commits, so nobody is told about a case that was
    rolled back. The attachment is checked by the channel's limits before anything is
    stored.
    """
    requester = intake.do_record_public_contact(
        name=name, email=email, cpf=cpf, preferred_language=(get_language() or "pt-br")
    )
    case = do_open_case(
        channel=channel,
        subject=clean_line(subject, 250),
        description=clean_text(description, 10000),
        requester=requester,
        service=service,
        actor=SYSTEM,
        acknowledge=True,
    )
    if attachment is not None:
        do_add_message(
            case,
            gettext("Anexo enviado com o formulário."),
            author_kind=Message.Author.REQUESTER,
            files=[attachment],
        )
    return case


def confirmation_token(case) -> str:
    return signing.dumps({"case": case.pk}, salt=CONFIRMATION_SALT)


def case_from_confirmation(token: str):
    """The case a confirmation link points at, or None when forged or older than an hour
    (the page shows the protocol and the due date only: nothing personal)."""
    from balcao.cases.models import Case

    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Case.objects.select_related("channel").filter(pk=data.get("case")).first()
