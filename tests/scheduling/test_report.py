"""The scheduling services' report in the console (``/console/agendamento/relatorio/``): the
figures read from the models for a period, the page, its CSV, who may see it, and a period
that cannot be read."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from balcao.accounts.permissions import SYSTEM
from balcao.cases.models import Case, Message, Requester, Team
from balcao.cases.services import do_open_case
from balcao.scheduling.models import (
    ContactUnit,
    DirectContact,
    Hypothesis,
    OfferedSlot,
    OpenSession,
    Registration,
    SessionRequest,
)
from balcao.scheduling.report import build_report, current_month

pytestmark = pytest.mark.django_db

URL = "/console/agendamento/relatorio/"
PERIOD = {"de": "2026-11-01", "ate": "2026-11-30"}
LOCAL = ZoneInfo("America/Sao_Paulo")


def local(day: int, hour: int = 10, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=LOCAL)


def _session(channel, start: datetime, capacity: int = 4, published: bool = True):
    return OpenSession.objects.create(
        channel=channel,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=capacity,
        video_url="https://meet.example.org/sala",
        published=published,
    )


def _register(session, status, attended=None, questions=""):
    return Registration.objects.create(
        session=session,
        name="Ana",
        email=f"ana{Registration.objects.count()}@example.org",
        subject="Marcas",
        status=status,
        attended=attended,
        questions=questions,
        created_at=session.starts_at - timedelta(days=2),
    )


def _received(request: SessionRequest, at: datetime, due: datetime) -> SessionRequest:
    Case.objects.filter(pk=request.case_id).update(created_at=at, due_at=due)
    return request


def _contact(channel, hypothesis, status, sent_at, due, answer_at=None):
    requester = Requester.objects.create(name="Rui Titular", email="rui@example.org")
    case = do_open_case(
        channel=channel,
        subject="Contato direto: processo 912345678",
        description="Mensagem oficial da unidade",
        requester=requester,
        actor=SYSTEM,
    )
    Case.objects.filter(pk=case.pk).update(due_at=due)
    contact = DirectContact.objects.create(
        case=case,
        hypothesis=hypothesis,
        process="912345678",
        preceito="p",
        premissa="p",
        conclusao="c",
        status=status,
    )
    DirectContact.objects.filter(pk=contact.pk).update(sent_at=sent_at)
    if answer_at is not None:
        message = Message.objects.create(
            case=case, author_kind=Message.Author.REQUESTER, body="Tenho interesse."
        )
        Message.objects.filter(pk=message.pk).update(created_at=answer_at)
    return contact


@pytest.fixture
def data(conecta, presencial, make_request):
    """November 2026: two Conecta sessions, three (tele)presential requests, three direct
    contacts; and records of other periods that must not count."""
    session = _session(conecta, local(10))
    _register(session, "confirmed", True, "Como registrar uma marca mista")
    _register(session, "confirmed", False)
    _register(session, "waiting")
    _register(session, "cancelled")
    _session(conecta, local(12, 14), capacity=2)
    _session(conecta, local(13), capacity=9, published=False)  # a draft: not held
    other = _session(conecta, local(2, month=12), capacity=7)  # December
    _register(other, "confirmed", True)

    held = _received(make_request(), local(3), local(12, 19))
    held.status, held.decided_at, held.starts_at = "held", local(5), local(17, 14)
    held.save()
    OfferedSlot.objects.create(request=held, starts_at=local(17, 14), ends_at=local(17, 15))
    refused = _received(make_request(), local(4), local(13, 19))
    refused.status, refused.decided_at = "refused", local(20)  # late
    refused.save()
    _received(make_request(), local(25), local(30, 19, month=11))  # still in triage
    _received(make_request(), local(1, month=12), local(10, month=12))  # December

    team = Team.objects.create(slug="dirpa", name="DIRPA")
    unit = ContactUnit.objects.create(team=team, email="dirpa@inpi.example", channel=presencial)
    hypothesis = Hypothesis.objects.create(
        unit=unit, title="Exigência formal", requirements="r", preceito="p", premissa="p",
        conclusao="c",
    )  # fmt: skip
    _contact(presencial, hypothesis, "interested", local(2), local(9, 19), local(3))
    _contact(presencial, hypothesis, "declined", local(2), local(9, 19), local(10))  # late
    _contact(presencial, hypothesis, "expired", local(16), local(23, 19))
    _contact(presencial, hypothesis, "interested", local(1, month=12), local(8, month=12))


def test_build_report_reads_the_period_in_four_queries(data, django_assert_num_queries):
    with django_assert_num_queries(4):
        report = build_report(date(2026, 11, 1), date(2026, 11, 30))
    conecta, presential, direct = (
        report.figures.conecta,
        report.figures.presential,
        report.figures.direct,
    )
    assert (conecta.sessions, conecta.seats) == (2, 6)
    assert (conecta.confirmed, conecta.waiting, conecta.cancelled) == (2, 1, 1)
    assert (conecta.attended, conecta.no_shows, conecta.questions) == (1, 1, 1)
    assert conecta.attendance_rate == 0.5
    assert conecta.occupancy == 2 / 6
    assert (presential.received, presential.triaged, presential.on_time) == (3, 2, 1)
    assert presential.on_time_share == 0.5
    assert (presential.accepted, presential.refused, presential.redirected) == (1, 1, 0)
    assert (presential.held, presential.cancelled) == (1, 0)
    assert presential.median_days_to_session == 14.2  # 3 Nov 10:00 → 17 Nov 14:00
    assert (direct.sent, direct.answered_on_time) == (3, 1)
    assert (direct.interested, direct.declined, direct.expired) == (1, 1, 1)
    assert report.figures.direct_by_unit["DIRPA"].sent == 3


def test_current_month_runs_from_the_first_to_the_last_day():
    assert current_month(date(2026, 2, 14)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert current_month(date(2026, 12, 31)) == (date(2026, 12, 1), date(2026, 12, 31))


def test_manager_sees_the_figures(data, staff, verified_client):
    response = verified_client(staff["manager"]).get(URL, PERIOD)

    assert response.status_code == 200
    figures = response.context["report"].figures
    assert figures.conecta.sessions == 2
    assert figures.direct.sent == 3
    html = response.content.decode()
    assert "INPI Conecta Todos" in html
    assert '<th scope="row">Taxa de comparecimento</th><td>50 %</td>' in html
    assert '<th scope="row">Parcela triada no prazo</th><td>50 %</td>' in html
    assert (
        '<th scope="row">Mediana de dias entre a solicitação e a sessão</th><td>14,2</td>' in html
    )
    assert "Contato direto: DIRPA" in html
    assert "formato=csv" in html


def test_empty_period_shows_a_dash_for_the_rates(staff, verified_client):
    response = verified_client(staff["supervisor"]).get(URL)

    assert response.status_code == 200
    start, end = current_month()
    assert (response.context["report"].start, response.context["report"].end) == (start, end)
    html = response.content.decode()
    assert '<th scope="row">Ocupação das vagas</th><td>—</td>' in html
    assert '<th scope="row">Parcela respondida no prazo</th><td>—</td>' in html


def test_csv_has_a_header_and_one_row_per_indicator(data, staff, verified_client):
    response = verified_client(staff["manager"]).get(URL, {**PERIOD, "formato": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "relatorio-agendamento-2026-11-01-2026-11-30.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Serviço", "Indicador", "Valor"]
    cells = {(service, label): value for service, label, value in rows[1:]}
    assert cells[("INPI Conecta Todos", "Sessões realizadas")] == "2"
    assert cells[("INPI Conecta Todos", "Vagas oferecidas")] == "6"
    assert cells[("INPI Conecta Todos", "Taxa de comparecimento")] == "0.5"
    assert cells[("INPI Conecta Todos", "Ocupação das vagas")] == "0.3333"
    assert cells[("Atendimento (tele)presencial", "Solicitações recebidas")] == "3"
    assert cells[("Atendimento (tele)presencial", "Sessões realizadas")] == "1"
    assert cells[("Contato direto", "Respondidas em até 5 dias úteis")] == "1"
    assert cells[("Contato direto: DIRPA", "Mensagens enviadas")] == "3"


def test_csv_leaves_a_rate_without_divisor_empty(staff, verified_client):
    response = verified_client(staff["manager"]).get(URL, {**PERIOD, "formato": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    cells = {(service, label): value for service, label, value in rows[1:]}
    assert cells[("INPI Conecta Todos", "Ocupação das vagas")] == ""
    assert cells[("Contato direto", "Mensagens enviadas")] == "0"


def test_agent_without_the_capability_is_refused(staff, verified_client):
    response = verified_client(staff["agent"]).get(URL, PERIOD)
    assert response.status_code == 403


@pytest.mark.parametrize(
    "query, message",
    [
        ({"de": "2026-13-01", "ate": "2026-11-30"}, "Informe uma data válida."),
        ({"de": "ontem", "ate": "2026-11-30"}, "Informe uma data válida."),
        ({"de": "2026-11-30", "ate": "2026-11-01"}, "A data final deve ser igual ou posterior"),
        ({"de": "2024-01-01", "ate": "2026-11-30"}, "Escolha um período de até 366 dias."),
        ({"de": "2026-11-01"}, "Este campo é obrigatório."),
    ],
)
def test_a_period_that_cannot_be_read_is_a_400(staff, verified_client, query, message):
    response = verified_client(staff["manager"]).get(URL, query)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["report"] is None


def test_a_wrong_date_gives_no_csv(staff, verified_client):
    response = verified_client(staff["manager"]).get(
        URL, {"de": "2026-02-30", "ate": "2026-03-01", "formato": "csv"}
    )
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("text/csv")
