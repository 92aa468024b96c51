"""The portal card's hours sentence (``catalog.services.open_status``) in each language:
chosen by gettext in the language asked for, so pt-PT reads pt-PT and not pt-BR."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from balcao.catalog import services
from balcao.catalog.models import Channel
from balcao.deadlines.models import Calendar, CalendarDay

pytestmark = pytest.mark.django_db
SAO_PAULO = ZoneInfo("America/Sao_Paulo")


@pytest.fixture
def catalog(db):
    services.load_demo_catalog()


@pytest.fixture
def weekly(catalog):
    """Fale Conosco open Monday to Friday 9h30–12h and 14h–17h, Rio de Janeiro calendar."""
    calendar = Calendar.objects.create(
        slug="inpi-rj",
        name="INPI — Rio de Janeiro",
        country="BR",
        subdivision="RJ",
        opening_hours={str(day): ["09:30-12:00", "14:00-17:00"] for day in range(5)},
    )
    Channel.objects.filter(slug="fale-conosco").update(hours="weekly", calendar=calendar)
    return Channel.objects.get(slug="fale-conosco")


def status(channel: Channel | str, language: str, now: datetime | None = None) -> str:
    if isinstance(channel, str):
        channel = Channel.objects.get(slug=channel)
    return services.open_status(channel, language, now)["text"]


@pytest.mark.parametrize(
    ("slug", "pt_br", "pt_pt", "en"),
    [
        ("chatbot", "Aberto 24 horas", "Aberto 24 horas", "Open 24 hours"),
        (
            "conecta-todos",
            "Sessões ao vivo às 10h e 14h",
            "Sessões em direto às 10h e 14h",
            "Live sessions at 10:00 and 14:00",
        ),
        ("telepresencial", "Com agendamento", "Por marcação", "By appointment"),
        (
            "sic",
            "Recebe pedidos a qualquer momento",
            "Recebe pedidos a qualquer momento",
            "Takes requests at any time",
        ),
    ],
)
def test_each_kind_of_hours_in_each_language(catalog, slug, pt_br, pt_pt, en):
    assert status(slug, "pt-BR") == pt_br
    assert status(slug, "pt-PT") == pt_pt
    assert status(slug, "en") == en


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("pt-pt", "Por marcação"),
        ("pt_PT", "Por marcação"),
        ("en-GB", "By appointment"),
        ("pt-br", "Com agendamento"),
        ("xx", "Com agendamento"),
        (None, "Com agendamento"),
    ],
)
def test_django_codes_and_unknown_languages(catalog, language, expected):
    """The portal passes Django's code; anything that is not ours is the default, pt-BR."""
    assert status("telepresencial", language) == expected


MONDAY = datetime(2025, 3, 10, tzinfo=SAO_PAULO)


@pytest.mark.parametrize(
    ("now", "pt_br", "pt_pt", "en"),
    [
        (
            MONDAY.replace(hour=15),
            "Aberto agora — fecha às 17h",
            "Aberto agora — fecha às 17h",
            "Open now — closes at 17:00",
        ),
        (
            MONDAY.replace(hour=8),
            "Fechado — abre hoje às 9h30",
            "Fechado — abre hoje às 9h30",
            "Closed — opens today at 09:30",
        ),
        (
            MONDAY.replace(hour=20),
            "Fechado — abre amanhã às 9h30",
            "Fechado — abre amanhã às 9h30",
            "Closed — opens tomorrow at 09:30",
        ),
        # Friday evening: next opening on Monday.
        (
            MONDAY.replace(day=14, hour=18),
            "Fechado — abre segunda às 9h30",
            "Fechado — abre segunda-feira às 9h30",
            "Closed — opens on Monday at 09:30",
        ),
    ],
)
def test_weekly_hours_from_the_calendar(weekly, now, pt_br, pt_pt, en):
    assert status(weekly, "pt-BR", now) == pt_br
    assert status(weekly, "pt-PT", now) == pt_pt
    assert status(weekly, "en", now) == en
    assert services.open_status(weekly, "en", now)["open"] is (now.hour == 15)


def test_weekly_hours_a_week_or_more_away_give_the_date(weekly):
    """An agency closure of ten days: the sentence names the date of the next opening."""
    for offset in range(1, 11):
        CalendarDay.objects.create(
            calendar=weekly.calendar,
            kind="closure",
            date=date(2025, 3, 10) + timedelta(days=offset),
        )
    Calendar.objects.filter(pk=weekly.calendar.pk).update(updated_at=MONDAY)
    weekly.refresh_from_db()
    now = MONDAY.replace(hour=20)
    assert status(weekly, "pt-BR", now) == "Fechado — abre em 21/03/2025 às 9h30"
    assert status(weekly, "pt-PT", now) == "Fechado — abre a 21/03/2025 às 9h30"
    assert status(weekly, "en", now) == "Closed — opens on 21/03/2025 at 09:30"


def test_the_active_language_is_left_as_it_was(catalog):
    with translation.override("pt-pt"):
        status("chatbot", "en")
        assert translation.get_language() == "pt-pt"
