"""The conclusive answer to an access-to-information request (issue 21; Lei 12.527/2011
art. 15, Decreto 7.724/2012 art. 13 and 19): what the person receives, what is recorded."""

from __future__ import annotations

import pytest

from balcao.cases.models import Case, Message
from balcao.ombudsman import services
from balcao.ombudsman.models import LaiAnswer

pytestmark = pytest.mark.django_db


def _request(subject="Cópia do contrato de limpeza"):
    filed = services.do_file_manifestation(
        {
            "type": "acesso-informacao",
            "identity": "identified",
            "subject": subject,
            "description": "Peço cópia do contrato de limpeza vigente e seus aditivos.",
            "requester": {"name": "Maria Exemplo", "email": "maria@example.org"},
        }
    )
    return Case.objects.get(pk=filed.case.pk)


def _last_public_reply(case):
    return Message.objects.filter(case=case, internal=False).order_by("-pk").first().body


def test_a_denial_says_its_ground_and_how_to_appeal(staff):
    case = _request()
    answer = services.do_answer_lai(
        case,
        kind="denied",
        ground="personal",
        text="O contrato contém dados pessoais de terceiros.",
        actor=staff["ombudsman"],
    )
    assert answer.kind == "denied" and answer.answered_by == staff["ombudsman"]
    body = _last_public_reply(case)
    assert "Acesso negado" in body and "Informação pessoal" in body
    assert "recorrer desta decisão em até 10 dias" in body and "art. 15" in body
    assert "dados pessoais de terceiros" in body


def test_access_granted_has_no_appeal_notice_and_a_body_is_named_when_not_ours(staff):
    granted = _request()
    services.do_answer_lai(granted, kind="granted", text="Segue o contrato.", actor=staff["agent"])
    assert "recorrer" not in _last_public_reply(granted)
    elsewhere = _request("Dados de outro órgão")
    services.do_answer_lai(
        elsewhere,
        kind="not-competent",
        competent_body="Ministério da Economia",
        text="O pedido deve ser feito ao órgão indicado.",
        actor=staff["agent"],
    )
    assert "Órgão competente: Ministério da Economia" in _last_public_reply(elsewhere)


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"kind": "denied", "text": "Não."}, "ground"),
        ({"kind": "not-competent", "text": "Não é aqui."}, "competent_body"),
        ({"kind": "granted", "text": "  "}, "text"),
        ({"kind": "maybe", "text": "Hum."}, "kind"),
    ],
)
def test_each_missing_piece_is_named_and_nothing_is_sent(staff, given, field):
    case = _request()
    before = Message.objects.filter(case=case).count()
    with pytest.raises(services.ManifestationError) as refused:
        services.do_answer_lai(case, actor=staff["agent"], **given)
    assert field in refused.value.fields
    assert Message.objects.filter(case=case).count() == before
    assert not LaiAnswer.objects.filter(case=case).exists()


def test_one_conclusive_answer_per_request_and_only_on_lai_cases(staff, open_case):
    case = _request()
    services.do_answer_lai(case, kind="granted", text="Segue.", actor=staff["agent"])
    with pytest.raises(services.ManifestationError):
        services.do_answer_lai(case, kind="granted", text="De novo.", actor=staff["agent"])
    with pytest.raises(services.ManifestationError):
        services.do_answer_lai(open_case(), kind="granted", text="Não é LAI.", actor=staff["agent"])


def test_the_console_form_answers_and_shows_errors_beside_the_fields(staff, verified_client):
    case = _request()
    client = verified_client(staff["ombudsman"])
    page = client.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert "Resposta conclusiva (Lei de Acesso à Informação)" in page
    url = f"/console/atendimentos/{case.pk}/resposta-lai/"
    refused = client.post(url, {"kind": "denied", "text": "Não."})
    assert refused.status_code == 400 and 'id="lai-ground_error"' in refused.content.decode()
    done = client.post(url, {"kind": "denied", "ground": "generic", "text": "Pedido genérico."})
    assert done.status_code == 302
    page = client.get(f"/console/atendimentos/{case.pk}/").content.decode()
    assert 'id="lai-answer"' in page and "Pedido genérico" in page
    assert "Resposta conclusiva (Lei de Acesso à Informação)" not in page


def test_a_denial_on_classified_information_carries_its_tci_without_the_reasons(staff):
    from datetime import date

    from balcao.ombudsman.models import ClassificationAuthority, ClassifiedInformation

    ClassificationAuthority.objects.create(user=staff["manager"], president=True)
    tci = services.do_classify(
        actor=staff["manager"],
        nup="52400.000900/2026-01",
        degree="reservado",
        category="06",
        legal_ground="Lei 12.527/2011, art. 23, VIII",
        subject="Auditoria de segurança",
        produced_on=date(2026, 1, 5),
        years=5,
        reasons="Vulnerabilidades ainda não corrigidas.",
    )
    case = _request("Relatório de auditoria de segurança")
    with pytest.raises(services.ManifestationError) as refused:
        services.do_answer_lai(
            case, kind="denied", ground="classified", text="Classificada.", actor=staff["agent"]
        )
    assert "classification_id" in refused.value.fields
    services.do_answer_lai(
        case,
        kind="denied",
        ground="classified",
        classification_id=tci.pk,
        text="A informação está classificada.",
        actor=staff["agent"],
    )
    body = _last_public_reply(case)
    assert tci.as_classification().cidic in body and "reservado" in body
    assert "Vulnerabilidades" not in body
    assert ClassifiedInformation.objects.get().denials.count() == 1
