"""The arithmetic of the scheduling services' report (``balcao.scheduling.indicators``), on
hand-built records: plain pytest, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from balcao.scheduling.indicators import (
    Contact,
    Request,
    Session,
    SignUp,
    Window,
    compute,
    conecta_figures,
    direct_figures,
    presential_figures,
    ratio,
)

START = datetime(2026, 11, 1, 3, 0, tzinfo=UTC)  # midnight in Brasília
WINDOW = Window(START, START + timedelta(days=30))
INSIDE = START + timedelta(days=10)
BEFORE = START - timedelta(days=1)
AFTER = WINDOW.end  # excluded


def at(days: float) -> datetime:
    return START + timedelta(days=days)


def test_ratio_is_none_without_a_divisor():
    assert ratio(3, 4) == 0.75
    assert ratio(0, 0) is None


def test_window_includes_start_and_excludes_end():
    assert START in WINDOW
    assert AFTER not in WINDOW
    assert BEFORE not in WINDOW
    assert None not in WINDOW


def test_conecta_counts_sessions_starting_in_the_period():
    full = Session(
        INSIDE,
        capacity=3,
        registrations=(
            SignUp("confirmed", True, "Como depositar uma marca"),
            SignUp("confirmed", True),
            SignUp("confirmed", False),
            SignUp("waiting"),
            SignUp("cancelled", None, "  "),
        ),
    )
    unmarked = Session(at(11), capacity=5, registrations=(SignUp("confirmed", None, "Prazo"),))
    outside = Session(AFTER, capacity=10, registrations=(SignUp("confirmed", True),))

    figures = conecta_figures([full, unmarked, outside], WINDOW)

    assert (figures.sessions, figures.seats) == (2, 8)
    assert (figures.confirmed, figures.waiting, figures.cancelled) == (4, 1, 1)
    assert (figures.attended, figures.no_shows) == (2, 1)
    assert figures.attendance_rate == 2 / 3  # the unmarked one is not in the divisor
    assert figures.occupancy == 4 / 8
    assert figures.questions == 2  # a blank note is no question


def test_conecta_rates_are_none_without_seats_or_attendance():
    figures = conecta_figures([Session(BEFORE, 4)], WINDOW)
    assert figures.sessions == 0
    assert figures.attendance_rate is None
    assert figures.occupancy is None
    marked_none = conecta_figures([Session(INSIDE, 4, (SignUp("confirmed"),))], WINDOW)
    assert marked_none.occupancy == 0.25
    assert marked_none.attendance_rate is None


def test_presential_triage_counts_requests_received_in_the_period():
    due = at(9)
    requests = [
        # triaged on time (at the due instant itself), then held 4 days after the request
        Request("held", at(0), due, decided_at=due, offered=True, starts_at=at(4)),
        # triaged late, then redirected
        Request("redirected", at(1), at(10), decided_at=at(12)),
        # refused on time
        Request("refused", at(2), at(11), decided_at=at(3)),
        # accepted, slots offered, then cancelled before any slot was picked
        Request("cancelled", at(3), at(12), decided_at=at(4), offered=True),
        # still in triage
        Request("triage", at(5), at(14)),
        # decided without a deadline: triaged, not in the on-time share
        Request("offered", at(6), None, decided_at=at(7)),
        # received before the period: no triage figure here
        Request("confirmed", BEFORE, at(5), decided_at=at(1), starts_at=at(40)),
    ]

    figures = presential_figures(requests, WINDOW)

    assert figures.received == 6
    assert figures.triaged == 5
    assert figures.triaged_with_deadline == 4
    assert figures.on_time == 3
    assert figures.on_time_share == 0.75
    assert figures.accepted == 3  # held, cancelled after an offer, offered
    assert (figures.redirected, figures.refused) == (1, 1)
    assert figures.held == 1
    assert figures.median_days_to_session == 4.0
    assert figures.cancelled == 1


def test_presential_sessions_count_where_they_start_and_the_median_wait():
    requests = [
        Request("held", BEFORE - timedelta(days=2), None, starts_at=at(1)),  # 4 days
        Request("held", at(2), None, starts_at=at(4)),  # 2 days
        Request("held", at(3), None, starts_at=at(4.5)),  # 1.5 days
        Request("held", at(20), None, starts_at=AFTER),  # next period
        Request("cancelled", BEFORE, None, starts_at=at(8)),  # its session was due here
        Request("cancelled", at(8), None, starts_at=AFTER),  # was due next period
        Request("cancelled", BEFORE, None),  # cancelled in triage, another period
    ]

    figures = presential_figures(requests, WINDOW)

    assert figures.held == 3
    assert figures.median_days_to_session == 2.0
    assert figures.cancelled == 1
    assert figures.received == 4
    assert figures.accepted == 3  # held: they went through the slots


def test_presential_without_requests_has_no_rates():
    figures = presential_figures([], WINDOW)
    assert figures.received == 0
    assert figures.on_time_share is None
    assert figures.median_days_to_session is None


def test_direct_contacts_answered_within_the_five_working_days():
    due = at(7)
    contacts = [
        Contact("interested", at(0), due, answered_at=due, unit="DIRPA"),  # on the dot
        Contact("declined", at(1), due, answered_at=at(2), unit="DIRPA"),
        Contact("interested", at(1), due, answered_at=at(8), unit="DIRMA"),  # late
        Contact("interested", at(1), due, answered_at=None, unit="DIRMA"),  # no time known
        Contact("expired", at(2), due, unit="DIRMA"),
        Contact("sent", at(3), due, unit="DIRMA"),
        Contact("declined", BEFORE, due, answered_at=at(1), unit="DIRPA"),  # earlier period
    ]

    figures = direct_figures(contacts, WINDOW)

    assert figures.sent == 6
    assert figures.answered_on_time == 2
    assert figures.answered_on_time_share == 2 / 6
    assert (figures.interested, figures.declined, figures.expired) == (3, 1, 1)
    assert figures.waiting == 1


def test_compute_splits_direct_contacts_by_unit():
    contacts = [
        Contact("interested", at(0), at(7), answered_at=at(1), unit="DIRPA"),
        Contact("expired", at(1), at(8), unit="DIRMA"),
        Contact("expired", BEFORE, at(8), unit="CGREC"),  # not in the period: no row
    ]

    figures = compute(WINDOW, contacts=contacts)

    assert list(figures.direct_by_unit) == ["DIRMA", "DIRPA"]
    assert figures.direct_by_unit["DIRPA"].answered_on_time_share == 1.0
    assert figures.direct_by_unit["DIRMA"].expired == 1
    assert figures.direct.sent == 2
    assert figures.conecta.sessions == 0
    assert figures.presential.received == 0
