"""Terminative answer (Portaria, art. 35 §3 and art. 43 §5): a contact ended for one of the
three grounds, its own term, the person told, the ombudsman informed at once."""

from __future__ import annotations

import pytest
from django.core import mail

from balcao.cases import services
from balcao.cases.models import CaseEvent, Requester, TerminativeTerm

pytestmark = pytest.mark.django_db


@pytest.fixture
def mails(staff):
    for user in staff.values():
        user.email = f"{user.username}@agency.example"
        user.save(update_fields=["email"])


def test_terminating_closes_records_the_term_and_tells_the_ombudsman_and_the_person(
    open_case, staff, mails, django_capture_on_commit_callbacks
):
    person = Requester.objects.create(name="Rui", email="rui@example.org")
    case = open_case(requester=person)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_terminate_case(
            case, actor=staff["agent"], ground="conduct", statement="Ofendeu o atendente."
        )
    case.refresh_from_db()
    assert not case.is_open and case.state.category == "closed"
    term = TerminativeTerm.objects.get(case=case)
    assert (term.ground, term.by) == ("conduct", staff["agent"])
    assert case.history.filter(action=CaseEvent.Action.TERMINATED).exists()
    to_ombudsman = [m for m in mail.outbox if "t.ombudsman@agency.example" in m.to]
    assert to_ombudsman and "Resposta terminativa registrada" in to_ombudsman[0].subject
    assert f"/console/atendimentos/{case.pk}/termo/" in to_ombudsman[0].body
    assert not any("t.supervisor@agency.example" in m.to for m in to_ombudsman)
    public = case.messages.filter(internal=False).last()
    assert "resposta terminativa" in public.body and "Ofendeu" not in public.body


@pytest.mark.parametrize(
    ("ground", "statement", "message"),
    [("", "x", "três hipóteses"), ("rudeness", "x", "três hipóteses"), ("conduct", " ", "Relate")],
)
def test_a_term_needs_a_listed_ground_and_an_account(open_case, staff, ground, statement, message):
    case = open_case()
    with pytest.raises(services.CaseError, match=message):
        services.do_terminate_case(case, actor=staff["agent"], ground=ground, statement=statement)
    case.refresh_from_db()
    assert case.is_open and not TerminativeTerm.objects.exists()


def test_on_the_case_page_and_its_term(open_case, staff, verified_client):
    case = open_case()
    agent = verified_client(staff["supervisor"])
    page = agent.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Encerrar com resposta terminativa" in page
    response = agent.post(
        f"/console/atendimentos/{case.pk}/terminativa/",
        {"ground": "favours", "statement": "Ofereceu presente para agilizar."},
        follow=True,
    )
    assert "a Ouvidoria foi informada" in response.content.decode()
    term_page = agent.get(f"/console/atendimentos/{case.pk}/termo/").content.decode()
    assert "Ofereceu presente para agilizar." in term_page and "Oferta de favores" in term_page
    quality = verified_client(staff["quality_manager"])
    assert (
        "Encerrar com resposta terminativa"
        not in quality.get(f"/console/atendimentos/{case.pk}/").content.decode()
    )
