"""The ombudsman's triage, forwarding to units as pseudonymised copies, the units' answers,
and the identity of a manifestation filed with identity preserved (issue 21; Lei 13.460/2017
art. 13, Decreto 10.153/2019 arts. 3 and 6)."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from balcao.accounts.permissions import PermissionDenied
from balcao.audit.models import PersonalDataAccess
from balcao.cases import services as cases
from balcao.cases.models import Case, Message, State, Team, TeamMembership
from balcao.ombudsman import services
from balcao.ombudsman.models import Forwarding, Triage

pytestmark = pytest.mark.django_db

NAME, EMAIL, CPF = "Joana Prudente Valadares", "joana.valadares@example.org", "52998224725"


def _pdf_by_joana() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.add_metadata({"/Author": NAME})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def denuncia(staff, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return _file_denuncia()


def _file_denuncia():
    filed = services.do_file_manifestation(
        {
            "type": "denuncia",
            "identity": "preserved",
            "subject": "Assédio na divisão",
            "description": (
                f"Eu, {NAME}, CPF {CPF}, fui constrangida pelo chefe da DIMAR. "
                f"Respondam para {EMAIL} ou (21) 98765-4321."
            ),
            "requester": {"name": NAME, "email": EMAIL, "cpf": CPF},
        }
    )
    case = Case.objects.get(pk=filed.case.pk)
    cases.do_add_message(
        case,
        "Segue o relato assinado.",
        author_kind=Message.Author.REQUESTER,
        files=[SimpleUploadedFile("relato.pdf", _pdf_by_joana(), "application/pdf")],
    )
    return case


@pytest.fixture
def unit(staff, make_user):
    team = Team.objects.create(slug="dimar", name="DIMAR", strategy=Team.Strategy.MANUAL)
    member = make_user("agent", username="t.dimar", email="dimar@example.gov.br")
    TeamMembership.objects.create(team=team, user=member)
    return team, member


def _admit(case, staff):
    return services.do_triage(
        case,
        outcome="admissible",
        reason="Fatos descritos e unidade identificada.",
        actor=staff["ombudsman"],
    )


def _forward(case, staff, team, **overrides):
    copy = services.suggested_copy(case)
    data = {
        "team": team,
        "subject": copy["subject"],
        "text": copy["text"],
        "instructions": "Apurar e informar as providências.",
        "due_on": timezone.localdate() + timedelta(days=5),
        "attachment_ids": [a.pk for a in case.attachments.all()],
        "actor": staff["ombudsman"],
    }
    data.update(overrides)
    return services.do_forward(case, **data)


# --- triage ---------------------------------------------------------------------------


def test_only_the_ombudsman_triages_and_a_reason_is_required(denuncia, staff):
    with pytest.raises(PermissionDenied):
        services.do_triage(denuncia, outcome="admissible", reason="ok", actor=staff["supervisor"])
    with pytest.raises(services.ManifestationError) as refused:
        services.do_triage(denuncia, outcome="admissible", reason=" ", actor=staff["ombudsman"])
    assert "reason" in refused.value.fields
    triage = _admit(denuncia, staff)
    assert triage.outcome == Triage.Outcome.ADMISSIBLE
    denuncia.refresh_from_db()
    assert denuncia.is_open and denuncia.state.slug == "em-atendimento"
    with pytest.raises(services.ManifestationError):  # once
        _admit(denuncia, staff)


def test_not_admitted_closes_and_tells_the_person_why(
    denuncia, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.do_triage(
            denuncia,
            outcome="inadmissible",
            reason="Os fatos não envolvem o órgão.",
            actor=staff["ombudsman"],
        )
    denuncia.refresh_from_db()
    assert denuncia.state.category == State.Category.CLOSED
    told = Message.objects.filter(case=denuncia, internal=False, author_kind="agent").last()
    assert "não foi admitida" in told.body and "não envolvem o órgão" in told.body
    assert any(EMAIL in m.to for m in mail.outbox)


def test_duplicate_needs_the_original_protocol_and_links_it(denuncia, staff):
    other = services.do_file_manifestation(
        {"type": "reclamacao", "identity": "anonymous", "subject": "x", "description": "y"}
    ).case
    with pytest.raises(services.ManifestationError) as refused:
        services.do_triage(
            denuncia, outcome="duplicate", reason="Repete.", actor=staff["ombudsman"]
        )
    assert "duplicate_of" in refused.value.fields
    digits = "".join(ch for ch in other.protocol if ch.isdigit())
    triage = services.do_triage(
        denuncia,
        outcome="duplicate",
        reason="Repete.",
        duplicate_of=digits,
        actor=staff["ombudsman"],
    )
    assert triage.duplicate_of_id == other.pk
    told = Message.objects.filter(case=denuncia, internal=False, author_kind="agent").last()
    assert other.protocol in told.body


def test_other_channel_names_the_channel(denuncia, staff):
    with pytest.raises(services.ManifestationError) as refused:
        services.do_triage(
            denuncia,
            outcome="other-channel",
            reason="É pedido de informação.",
            actor=staff["ombudsman"],
        )
    assert "channel" in refused.value.fields
    services.do_triage(
        denuncia,
        outcome="other-channel",
        reason="É pedido de informação.",
        channel="Serviço de Informação ao Cidadão (SIC)",
        actor=staff["ombudsman"],
    )
    told = Message.objects.filter(case=denuncia, internal=False, author_kind="agent").last()
    assert "SIC" in told.body


# --- forwarding -------------------------------------------------------------------------


def test_the_copy_proposed_has_no_identity(denuncia):
    copy = services.suggested_copy(denuncia)
    for identifier in ("Joana", "Valadares", "Prudente", EMAIL, CPF, "529.982.247-25", "98765"):
        assert identifier not in copy["text"], identifier
    assert "chefe da DIMAR" in copy["text"]
    assert copy["removed"]["[nome]"] >= 1 and copy["removed"]["[e-mail]"] == 1


def test_forward_needs_an_admitted_triage_and_refuses_a_copy_that_still_identifies(
    denuncia, staff, unit
):
    team, _member = unit
    with pytest.raises(services.ManifestationError) as refused:
        _forward(denuncia, staff, team)
    assert "team" in refused.value.fields
    _admit(denuncia, staff)
    with pytest.raises(services.ManifestationError) as refused:
        _forward(denuncia, staff, team, text="A servidora Joana relata assédio.")
    assert "nome" in refused.value.fields["text"][0]
    with pytest.raises(services.ManifestationError) as refused:
        _forward(denuncia, staff, team, text=f"Contato: {EMAIL}")
    assert "e-mail" in refused.value.fields["text"][0]
    with pytest.raises(services.ManifestationError) as refused:
        _forward(denuncia, staff, team, due_on=timezone.localdate() - timedelta(days=1))
    assert "due_on" in refused.value.fields
    with pytest.raises(PermissionDenied):
        _forward(denuncia, staff, team, actor=staff["supervisor"])
    assert Forwarding.objects.count() == 0


def test_forwarded_copy_reaches_the_unit_without_identity(
    denuncia, staff, unit, django_capture_on_commit_callbacks
):
    team, member = unit
    _admit(denuncia, staff)
    with django_capture_on_commit_callbacks(execute=True):
        forwarding = _forward(denuncia, staff, team)
    denuncia.refresh_from_db()
    assert denuncia.state.category == State.Category.WAITING_THIRD_PARTY
    # the attachment goes without its author in the metadata, under a neutral name
    item = forwarding.files.get()
    data = item.file.open("rb").read()
    assert item.filename == "anexo-1.pdf" and data.startswith(b"%PDF")
    assert NAME.encode() not in data
    # the unit's members are told, with nothing of the author
    sent = [m for m in mail.outbox if "dimar@example.gov.br" in m.to]
    assert len(sent) == 1
    for identifier in ("Joana", "Valadares", EMAIL, CPF, denuncia.protocol):
        assert identifier not in sent[0].subject + sent[0].body
    assert f"/console/encaminhamentos/{forwarding.pk}/" in sent[0].body


def test_the_unit_answers_the_ombudsman_not_the_person(
    denuncia, staff, unit, django_capture_on_commit_callbacks
):
    team, member = unit
    _admit(denuncia, staff)
    forwarding = _forward(denuncia, staff, team)
    with pytest.raises(PermissionDenied):
        services.do_answer_forwarding(forwarding, text="x", actor=staff["agent"])  # other unit
    staff["ombudsman"].email = "ouvidoria@example.gov.br"
    staff["ombudsman"].save(update_fields=["email"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_answer_forwarding(
            forwarding, text="Chefe afastado; apuração aberta.", actor=member
        )
    forwarding.refresh_from_db()
    assert forwarding.answered_by == member and forwarding.answer.startswith("Chefe afastado")
    note = Message.objects.filter(case=denuncia, internal=True).last()
    assert "DIMAR" in note.body and "apuração aberta" in note.body
    # nothing went to the person; the ombudsman was told
    assert all(EMAIL not in m.to for m in mail.outbox)
    assert [m.to for m in mail.outbox] == [["ouvidoria@example.gov.br"]]
    denuncia.refresh_from_db()
    assert denuncia.state.slug == "em-atendimento"
    with pytest.raises(services.ManifestationError):
        services.do_answer_forwarding(forwarding, text="de novo", actor=member)


def test_units_are_reminded_once_a_day_of_what_is_due(denuncia, staff, unit):
    team, _member = unit
    _admit(denuncia, staff)
    soon = _forward(denuncia, staff, team, due_on=timezone.localdate() + timedelta(days=1))
    later = _forward(denuncia, staff, team, due_on=timezone.localdate() + timedelta(days=9))
    mail.outbox.clear()
    assert services.remind_forwardings() == 1
    assert len(mail.outbox) == 1 and "Lembrete" in mail.outbox[0].subject
    assert services.remind_forwardings() == 0  # once a day
    Forwarding.objects.filter(pk=later.pk).update(due_at=timezone.now() - timedelta(days=1))
    assert services.remind_forwardings() == 1
    assert soon.pk != later.pk


def test_the_daily_task_reminds(denuncia, staff, unit):
    from balcao.ops.tasks import remind_ombudsman_forwardings

    team, _member = unit
    _admit(denuncia, staff)
    _forward(denuncia, staff, team, due_on=timezone.localdate())
    assert remind_ombudsman_forwardings.call_local() == 1


# --- the console ------------------------------------------------------------------------


def test_unit_pages_show_the_copy_and_never_the_case(
    denuncia, staff, unit, client, verified_client
):
    team, member = unit
    _admit(denuncia, staff)
    forwarding = _forward(denuncia, staff, team)
    web = verified_client(member)
    listing = web.get("/console/encaminhamentos/").content.decode()
    assert forwarding.subject in listing
    page = web.get(f"/console/encaminhamentos/{forwarding.pk}/").content.decode()
    assert "chefe da DIMAR" in page
    for identifier in ("Joana", "Valadares", EMAIL, "529.982.247-25", CPF, denuncia.protocol):
        assert identifier not in page + listing, identifier
    assert web.get(f"/console/atendimentos/{denuncia.pk}/").status_code == 404
    item = forwarding.files.get()
    download = web.get(f"/console/encaminhamentos/{forwarding.pk}/anexos/{item.pk}/")
    assert download.status_code == 200 and NAME.encode() not in b"".join(download.streaming_content)
    answered = web.post(f"/console/encaminhamentos/{forwarding.pk}/", {"answer": "Apurado."})
    assert answered.status_code == 302
    # another unit's member sees nothing of it
    other = verified_client(staff["agent"])
    assert other.get(f"/console/encaminhamentos/{forwarding.pk}/").status_code == 404
    assert forwarding.subject not in other.get("/console/encaminhamentos/").content.decode()


def test_preserved_identity_is_shown_only_after_a_reason_and_the_reveal_is_logged(
    denuncia, staff, verified_client
):
    web = verified_client(staff["ombudsman"])

    def facts():
        page = web.get(f"/console/atendimentos/{denuncia.pk}/").content.decode()
        return page.split('<dl class="case-facts">')[1].split("</dl>")[0]

    assert "Identidade preservada" in facts()
    assert NAME not in facts() and EMAIL not in facts()
    assert not PersonalDataAccess.objects.filter(requester=denuncia.requester).exists()
    empty = web.post(f"/console/atendimentos/{denuncia.pk}/identidade/", {"reason": ""})
    assert empty.status_code == 302 and NAME not in facts()
    web.post(
        f"/console/atendimentos/{denuncia.pk}/identidade/",
        {"reason": "Ofício da corregedoria nº 12"},
    )
    access = PersonalDataAccess.objects.filter(requester=denuncia.requester).earliest("pk")
    assert access.user == staff["ombudsman"] and access.purpose == "Ofício da corregedoria nº 12"
    assert NAME in facts() and EMAIL in facts()
    # nobody else may reveal it
    other = verified_client(staff["supervisor"])
    assert (
        other.post(
            f"/console/atendimentos/{denuncia.pk}/identidade/", {"reason": "curiosidade"}
        ).status_code
        == 403
    )


def test_triage_and_forward_through_the_case_page(denuncia, staff, unit, verified_client):
    team, _member = unit
    web = verified_client(staff["ombudsman"])
    page = web.get(f"/console/atendimentos/{denuncia.pk}/").content.decode()
    assert (
        "Registrar triagem" in page and "Encaminhar" not in page.split("Registrar triagem")[1][:50]
    )
    refused = web.post(f"/console/atendimentos/{denuncia.pk}/triagem/", {"outcome": "admissible"})
    assert refused.status_code == 400 and "tri-reason_error" in refused.content.decode()
    web.post(
        f"/console/atendimentos/{denuncia.pk}/triagem/",
        {"outcome": "admissible", "reason": "Fatos e unidade identificados."},
    )
    page = web.get(f"/console/atendimentos/{denuncia.pk}/").content.decode()
    assert "Encaminhar a uma unidade" in page and "chefe da DIMAR" in page
    form = page.split(f'action="/console/atendimentos/{denuncia.pk}/encaminhar/"')[1]
    assert "Joana" not in form.split("</form>")[0]
    posted = web.post(
        f"/console/atendimentos/{denuncia.pk}/encaminhar/",
        {
            "team": team.pk,
            "subject": "Assédio na divisão",
            "text": "Servidora relata constrangimento pelo chefe da DIMAR.",
            "due_on": (timezone.localdate() + timedelta(days=3)).isoformat(),
        },
    )
    assert posted.status_code == 302
    assert Forwarding.objects.get().team == team
    assert (
        "aguardando a unidade" in web.get(f"/console/atendimentos/{denuncia.pk}/").content.decode()
    )


def test_the_queue_does_not_name_the_author_of_a_preserved_manifestation(
    denuncia, staff, verified_client
):
    identified = services.do_file_manifestation(
        {
            "type": "reclamacao",
            "identity": "identified",
            "subject": "Fila longa",
            "description": "Esperei duas horas.",
            "requester": {"name": "Otávio Identificado", "email": "otavio@example.org"},
        }
    ).case
    web = verified_client(staff["ombudsman"])
    listing = web.get("/console/?view=todos").content.decode()
    assert denuncia.protocol in listing and identified.protocol in listing
    assert NAME not in listing and "identidade preservada" in listing
    assert "Otávio Identificado" in listing
    # only the identified person's appearance is in the audit log
    seen = set(PersonalDataAccess.objects.values_list("requester_id", flat=True))
    assert denuncia.requester_id not in seen and identified.requester_id in seen


@pytest.mark.parametrize(
    "kind", ["denuncia", "reclamacao", "solicitacao", "sugestao", "elogio", "simplifique"]
)
def test_each_type_goes_from_filing_to_rating(kind, staff, django_capture_on_commit_callbacks):
    """Every type of manifestation runs the same flow on its clock: filed → triaged →
    answered by the ombudsman → resolved → rated by its author on the Fala.BR scale."""
    from balcao.cases import followup
    from balcao.cases.models import CaseRating

    with django_capture_on_commit_callbacks(execute=True):
        filed = services.do_file_manifestation(
            {
                "type": kind,
                "identity": "identified",
                "subject": f"Manifestação do tipo {kind}",
                "description": "Texto da manifestação.",
                "requester": {"name": "Lia Souza", "email": "lia@example.org"},
            }
        )
    case = Case.objects.get(pk=filed.case.pk)
    assert case.due_at is not None and case.manifestation.type == kind
    _admit(case, staff)
    case.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        cases.do_add_message(case, "Resposta conclusiva da Ouvidoria.", actor=staff["ombudsman"])
        cases.do_change_state(
            case,
            State.objects.get(workflow=case.state.workflow, slug="resolvido"),
            actor=staff["ombudsman"],
        )
    case.refresh_from_db()
    assert any("Resposta conclusiva" in m.body for m in mail.outbox if "lia@example.org" in m.to)
    followup.do_rate_case(case, score=5, resolved="yes")
    assert CaseRating.objects.get(case=case).score == 5
