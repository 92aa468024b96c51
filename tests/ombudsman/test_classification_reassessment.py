"""Reassessment of classified information, the appeal to the President and the ombudsman's
opinion (issue 21; INPI Portaria arts. 47–49, Decreto 7.724/2012 arts. 35–37): who decides,
what each decision does to the TCI and its CIDIC, the 10 days to appeal and the 30 to decide,
what the person is told."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from balcao.accounts.permissions import PermissionDenied
from balcao.cases.clock import policy_due
from balcao.ombudsman import services
from balcao.ombudsman.classification import (
    Authority,
    ClassificationError,
    classify,
    downgrade,
    reduce_term,
)
from balcao.ombudsman.models import (
    ClassificationAppeal,
    ClassificationAuthority,
    ClassificationReassessment,
)

# --- the pure rules -------------------------------------------------------------------------


def _secret(**given):
    fields = {
        "nup": "52400.000900/2026-10",
        "degree": "secreto",
        "category": "06",
        "legal_ground": "Lei 12.527/2011, art. 23, VIII",
        "produced_on": date(2026, 3, 2),
        "classified_on": date(2026, 3, 10),
        "years": 15,
        "reasons": "Investigação em curso.",
        "authority": Authority(president=True),
    }
    fields.update(given)
    return classify(**fields)


def test_a_downgrade_fits_the_new_degrees_maximum_and_never_lengthens():
    tci = _secret()
    lower = downgrade(tci, "reservado", 5, on=date(2026, 6, 1))
    assert (lower.degree.value, lower.years, lower.reclassified) == ("reservado", 5, True)
    assert lower.cidic == "52400.000900/2026-10.R.06.02/03/2026.02/03/2031.S"
    with pytest.raises(ClassificationError) as refused:
        downgrade(tci, "reservado", 6)  # reservado: 5 years at most (Lei 12.527 art. 24 § 1º)
    assert refused.value.field == "years" and "1 a 5" in refused.value.message
    with pytest.raises(ClassificationError) as refused:
        downgrade(tci, "secreto", 10)  # not lower
    assert refused.value.field == "degree"
    with pytest.raises(ClassificationError) as refused:
        downgrade(_secret(years=3), "reservado", 4)  # longer than the term in force
    assert refused.value.field == "years"


def test_a_term_that_would_already_have_ended_is_a_declassification_instead():
    tci = _secret(produced_on=date(2020, 1, 10), classified_on=date(2020, 2, 1))
    assert reduce_term(tci, 7, on=date(2026, 6, 1)).declassified_on == date(2027, 1, 10)
    with pytest.raises(ClassificationError) as refused:
        reduce_term(tci, 6, on=date(2026, 6, 1))  # would have ended on 10/01/2026
    assert "desclassifique" in refused.value.message
    with pytest.raises(ClassificationError):
        downgrade(tci, "reservado", 5, on=date(2026, 6, 1))


# --- the services ---------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def people(staff):
    """The President (a manager), a head with CCE/FCE 15 (an admin), the ombudsman."""
    ClassificationAuthority.objects.create(user=staff["manager"], president=True)
    ClassificationAuthority.objects.create(user=staff["admin"], level=15)
    return {
        "president": staff["manager"],
        "head": staff["admin"],
        "ombudsman": staff["ombudsman"],
        "agent": staff["agent"],
    }


def _tci(actor, **given):
    fields = {
        "nup": "52400.000321/2026-11",
        "degree": "reservado",
        "category": "06",
        "legal_ground": "Lei 12.527/2011, art. 23, VIII",
        "subject": "Apuração de fraude",
        "produced_on": timezone.localdate() - timedelta(days=30),
        "years": 5,
        "reasons": "Investigação sigilosa em curso.",
    }
    fields.update(given)
    return services.do_classify(actor=actor, **fields)


def _asked(item, actor, **given):
    fields = {
        "origin": "request",
        "asked": "declassify",
        "requester_name": "Maria Exemplo",
        "requester_email": "maria@example.org",
        "text": "A investigação terminou; peço a desclassificação.",
    }
    fields.update(given)
    return services.do_request_reassessment(item, actor=actor, **fields)


def _refused(item, people, **given):
    reassessment = _asked(item, people["ombudsman"], **given)
    return services.do_decide_reassessment(
        reassessment,
        actor=people["president"],
        decision="keep",
        reasons="As razões da classificação permanecem.",
    )


@pytestmark_db
def test_a_request_records_who_asked_and_the_text_one_at_a_time(people):
    item = _tci(people["head"])
    reassessment = _asked(item, people["ombudsman"])
    assert reassessment.origin == "request" and reassessment.requester_name == "Maria Exemplo"
    assert reassessment.registered_by == people["ombudsman"] and reassessment.decision == ""
    with pytest.raises(services.ManifestationError) as refused:
        _asked(item, people["ombudsman"])
    assert "aguardando decisão" in " ".join(refused.value.fields["text"])


@pytestmark_db
def test_a_request_names_who_asked_an_ex_officio_one_names_who_started_it(people):
    item = _tci(people["head"])
    with pytest.raises(services.ManifestationError) as refused:
        _asked(item, people["ombudsman"], requester_name=" ", requester_email="not-an-email")
    assert set(refused.value.fields) == {"requester_name", "requester_email"}
    ex_officio = _asked(
        item, people["head"], origin="ex-officio", requester_name="Ignored", text="Revisão."
    )
    assert ex_officio.requester_name == "" and ex_officio.registered_by == people["head"]
    with pytest.raises(services.ManifestationError):
        services.do_decide_reassessment(
            ex_officio, actor=people["head"], decision="keep", reasons=""
        )  # reasons are required


@pytestmark_db
def test_an_agent_may_not_even_register_one(people):
    item = _tci(people["head"])
    with pytest.raises(PermissionDenied):
        _asked(item, people["agent"])


@pytestmark_db
def test_only_an_authority_able_to_classify_at_the_degree_decides(people):
    secret = _tci(people["president"], degree="secreto", years=15)
    reassessment = _asked(secret, people["ombudsman"])
    for who, says in (("head", "Só o Presidente"), ("ombudsman", "não está registrado")):
        with pytest.raises(services.ManifestationError) as refused:
            services.do_decide_reassessment(
                reassessment, actor=people[who], decision="declassify", reasons="x", summary="y"
            )
        assert says in " ".join(refused.value.fields["authority"])
    reassessment.refresh_from_db()
    assert reassessment.decision == ""
    done = services.do_decide_reassessment(
        reassessment, actor=people["president"], decision="keep", reasons="Permanecem."
    )
    assert done.decided_by == people["president"] and done.decision == "keep"
    with pytest.raises(services.ManifestationError) as refused:
        services.do_decide_reassessment(
            reassessment, actor=people["president"], decision="keep", reasons="De novo."
        )
    assert "já foi decidida" in " ".join(refused.value.fields["decision"])


@pytestmark_db
def test_a_reduction_shortens_the_term_and_the_cidic_keeps_its_history(people):
    item = _tci(people["head"])
    before = item.as_classification().cidic
    reassessment = _asked(item, people["ombudsman"], asked="reduce")
    with pytest.raises(services.ManifestationError) as refused:
        services.do_decide_reassessment(
            reassessment, actor=people["head"], decision="reduce", reasons="x", years=5
        )
    assert "só pode reduzir" in " ".join(refused.value.fields["years"])
    done = services.do_decide_reassessment(
        reassessment, actor=people["head"], decision="reduce", reasons="Menor risco.", years=2
    )
    item.refresh_from_db()
    assert (item.years, item.reclassified, item.declassified_on) == (2, True, None)
    assert (done.new_degree, done.new_years) == ("reservado", 2)
    assert done.cidic_before == before and before.endswith(".N")
    assert done.cidic_after == item.as_classification().cidic and done.cidic_after.endswith(".S")
    assert not done.refused  # a reduction was asked and given


@pytestmark_db
def test_a_downgrade_lowers_the_degree_within_its_maximum(people):
    secret = _tci(people["president"], degree="secreto", years=15)
    reassessment = _asked(secret, people["ombudsman"])
    with pytest.raises(services.ManifestationError) as refused:
        services.do_decide_reassessment(
            reassessment,
            actor=people["president"],
            decision="downgrade",
            degree="reservado",
            years=10,
            reasons="Risco menor.",
        )
    assert "1 a 5" in " ".join(refused.value.fields["years"])
    done = services.do_decide_reassessment(
        reassessment,
        actor=people["president"],
        decision="downgrade",
        degree="reservado",
        years=4,
        reasons="Risco menor.",
    )
    secret.refresh_from_db()
    assert (secret.degree, secret.years) == ("reservado", 4)
    assert ".R.06." in done.cidic_after and ".S.06." in done.cidic_before
    assert done.refused  # the declassification asked was not given: appealable


@pytestmark_db
def test_a_declassification_reaches_the_annual_report(people):
    item = _tci(people["head"])
    reassessment = _asked(item, people["ombudsman"])
    with pytest.raises(services.ManifestationError) as refused:
        services.do_decide_reassessment(
            reassessment, actor=people["head"], decision="declassify", reasons="Terminou."
        )
    assert "summary" in refused.value.fields
    services.do_decide_reassessment(
        reassessment,
        actor=people["head"],
        decision="declassify",
        reasons="A investigação terminou.",
        summary="Relatório de apuração de fraude",
    )
    item.refresh_from_db()
    assert item.declassified_on == timezone.localdate() and item.declassified_by == people["head"]
    report = services.annual_report(timezone.localdate())
    assert [d["summary"] for d in report["declassified"]] == ["Relatório de apuração de fraude"]
    with pytest.raises(services.ManifestationError):
        _asked(item, people["ombudsman"])  # nothing left to reassess


@pytestmark_db
def test_a_refusal_tells_the_person_the_outcome_and_the_appeal_not_the_reasons(
    people, django_capture_on_commit_callbacks
):
    item = _tci(people["head"])
    with django_capture_on_commit_callbacks(execute=True):
        refused = _refused(item, people)
    assert refused.refused
    [sent] = mail.outbox
    assert sent.to == ["maria@example.org"]
    due = timezone.localtime(services.appeal_filing_due(refused)).strftime("%d/%m/%Y")
    assert "Classificação mantida" in sent.body and due in sent.body
    assert "Presidente" in sent.body and "permanecem" not in sent.body


@pytestmark_db
def test_the_appeal_goes_to_the_president_within_10_days_and_is_due_in_30(people):
    item = _tci(people["head"])
    refused = _refused(item, people)
    filing_due = services.appeal_filing_due(refused)
    assert filing_due == policy_due("classification-appeal-filing", refused.decided_at)
    assert timedelta(days=10) <= filing_due - refused.decided_at < timedelta(days=14)
    appeal = services.do_file_classification_appeal(
        refused, text="A investigação terminou em maio.", actor=people["ombudsman"]
    )
    assert appeal.filing_due == filing_due
    assert appeal.decision_due == policy_due("classification-appeal-decision", appeal.filed_at)
    assert timedelta(days=30) <= appeal.decision_due - appeal.filed_at < timedelta(days=34)
    with pytest.raises(services.ManifestationError) as again:
        services.do_file_classification_appeal(refused, text="De novo.", actor=people["head"])
    assert "já tem recurso" in " ".join(again.value.fields["text"])
    with pytest.raises(services.ManifestationError) as blocked:
        _asked(item, people["ombudsman"])  # the President decides first
    assert "recurso" in " ".join(blocked.value.fields["text"])


@pytestmark_db
def test_a_late_appeal_is_refused_naming_the_day_the_term_ended(people):
    refused = _refused(_tci(people["head"]), people)
    refused.decided_at = timezone.now() - timedelta(days=30)
    refused.save(update_fields=["decided_at"])
    with pytest.raises(services.ManifestationError) as late:
        services.do_file_classification_appeal(refused, text="Tarde?", actor=people["ombudsman"])
    message = " ".join(late.value.fields["text"])
    ended = timezone.localtime(services.appeal_filing_due(refused)).strftime("%d/%m/%Y")
    assert f"terminou em {ended}" in message and "art. 48" in message
    assert not ClassificationAppeal.objects.exists()


@pytestmark_db
def test_only_a_refused_request_can_be_appealed(people):
    item = _tci(people["head"])
    pending = _asked(item, people["ombudsman"])
    ex_officio = _asked(
        _tci(people["head"], nup="52400.000322/2026-12"),
        people["head"],
        origin="ex-officio",
        text="Revisão periódica.",
    )
    services.do_decide_reassessment(
        ex_officio, actor=people["head"], decision="keep", reasons="Permanecem."
    )
    for reassessment in (pending, ex_officio):
        with pytest.raises(services.ManifestationError) as refused:
            services.do_file_classification_appeal(
                reassessment, text="Recorro.", actor=people["ombudsman"]
            )
        assert "Só cabe recurso" in " ".join(refused.value.fields["text"])


@pytestmark_db
def test_the_president_grants_and_the_information_is_declassified(
    people, django_capture_on_commit_callbacks
):
    item = _tci(people["head"])
    appeal = services.do_file_classification_appeal(
        _refused(item, people), text="Recorro.", actor=people["ombudsman"]
    )
    with pytest.raises(services.ManifestationError) as refused:
        services.do_decide_classification_appeal(
            appeal, actor=people["head"], outcome="denied", reasons="Mantida."
        )
    assert "Presidente" in " ".join(refused.value.fields["authority"])
    with pytest.raises(services.ManifestationError) as refused:
        services.do_decide_classification_appeal(
            appeal, actor=people["president"], outcome="granted", reasons="Procede."
        )
    assert "effect" in refused.value.fields
    with django_capture_on_commit_callbacks(execute=True):
        decided = services.do_decide_classification_appeal(
            appeal,
            actor=people["president"],
            outcome="granted",
            effect="declassify",
            reasons="A investigação terminou.",
            summary="Apuração de fraude encerrada",
        )
    item.refresh_from_db()
    assert item.declassified_on == timezone.localdate()
    assert item.declassification_summary == "Apuração de fraude encerrada"
    assert (decided.outcome, decided.effect, decided.decided_by) == (
        "granted",
        "declassify",
        people["president"],
    )
    assert "Provido — Desclassificada" in mail.outbox[-1].body
    assert "terminou" not in mail.outbox[-1].body  # the reasons stay inside
    with pytest.raises(services.ManifestationError):
        services.do_decide_classification_appeal(
            appeal, actor=people["president"], outcome="denied", reasons="De novo."
        )


@pytestmark_db
def test_a_granted_appeal_may_reduce_and_a_denied_one_changes_nothing(people):
    first = _tci(people["head"])
    appeal = services.do_file_classification_appeal(
        _refused(first, people), text="Recorro.", actor=people["ombudsman"]
    )
    services.do_decide_classification_appeal(
        appeal,
        actor=people["president"],
        outcome="granted",
        effect="reduce",
        years=1,
        reasons="Basta um ano.",
    )
    first.refresh_from_db()
    assert (first.years, first.reclassified) == (1, True)
    second = _tci(people["head"], nup="52400.000322/2026-12")
    appeal = services.do_file_classification_appeal(
        _refused(second, people), text="Recorro.", actor=people["ombudsman"]
    )
    denied = services.do_decide_classification_appeal(
        appeal, actor=people["president"], outcome="denied", reasons="Mantida."
    )
    second.refresh_from_db()
    assert (second.years, second.reclassified, second.declassified_on) == (5, False, None)
    assert denied.cidic_before == denied.cidic_after == second.as_classification().cidic
    _asked(second, people["ombudsman"])  # the line is closed: a new request may come


@pytestmark_db
def test_the_ombudsman_opines_while_it_is_pending(people):
    item = _tci(people["head"])
    reassessment = _asked(item, people["head"])
    with pytest.raises(PermissionDenied):
        services.do_record_opinion(
            actor=people["president"], text="Opino.", reassessment=reassessment
        )
    opinion = services.do_record_opinion(
        actor=people["ombudsman"],
        text="A Ouvidoria opina pela desclassificação.",
        reassessment=reassessment,
    )
    assert opinion.author == people["ombudsman"] and opinion.created_at is not None
    assert list(reassessment.opinions.all()) == [opinion]
    services.do_decide_reassessment(
        reassessment, actor=people["head"], decision="keep", reasons="Permanecem."
    )
    reassessment.refresh_from_db()
    with pytest.raises(services.ManifestationError) as late:
        services.do_record_opinion(
            actor=people["ombudsman"], text="Tarde.", reassessment=reassessment
        )
    assert "art. 49" in " ".join(late.value.fields["text"])
    appeal = services.do_file_classification_appeal(
        reassessment, text="Recorro.", actor=people["ombudsman"]
    )
    on_appeal = services.do_record_opinion(
        actor=people["ombudsman"], text="Opino pelo provimento.", appeal=appeal
    )
    assert on_appeal.appeal == appeal and on_appeal.reassessment is None
    assert ClassificationReassessment.objects.get().refused
