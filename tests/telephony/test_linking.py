"""Calls linked to the requester whose phone on file is the caller's number, after each
queue_log import (issue 23: "Calls become call records linked to a requester (by caller
id)"); never to one of several people sharing a number."""

from __future__ import annotations

from datetime import date

import pytest

from balcao.cases.models import Requester
from balcao.telephony import services
from balcao.telephony.linking import link_callers, phone_key
from balcao.telephony.models import Call
from tests.telephony.weeks import Log, local

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 11, 2)


@pytest.mark.parametrize(
    ("number", "key"),
    [
        ("+351 912 345 678", "912345678"),
        ("00351912345678", "912345678"),
        ("912345678", "912345678"),
        ("+55 (11) 91234-5678", "912345678"),
        ("011 91234 5678", "912345678"),
        ("1234", None),
        ("", None),
        ("anonymous", None),
    ],
)
def test_phone_key(number, key):
    assert phone_key(number) == key


def imported(tmp_path, *callers) -> list[str]:
    log = Log()
    ids = [
        log.call(local(MONDAY, 10, i), answer=5, talk=60, caller=caller)
        for i, caller in enumerate(callers)
    ]
    services.do_import_queue_log(log.write(tmp_path / "queue_log"))
    return ids


def test_a_caller_with_one_requester_on_file_is_linked(tmp_path):
    maria = Requester.objects.create(name="Maria", phone="+351 912 345 678")
    Requester.objects.create(name="João", phone="+351 213 000 111")
    joao_br = Requester.objects.create(name="João BR", phone="(11) 98888-7777")
    known, brazil, stranger, anonymous = imported(
        tmp_path, "00351912345678", "+5511988887777", "+351 966 000 000", "anonymous"
    )
    calls = {c.callid: c.requester_id for c in Call.objects.all()}
    assert calls == {known: maria.pk, brazil: joao_br.pk, stranger: None, anonymous: None}


def test_a_number_shared_by_two_people_links_to_nobody(tmp_path):
    Requester.objects.create(name="Maria", phone="912345678")
    Requester.objects.create(name="Mário", phone="+351 912 345 678")
    imported(tmp_path, "+351912345678")
    assert Call.objects.get().requester is None


def test_a_contact_linked_to_a_person_stands_for_that_person(tmp_path):
    maria = Requester.objects.create(name="Maria", phone="912345678")
    Requester.objects.create(name="Maria (portal)", phone="912 345 678", linked_to=maria)
    imported(tmp_path, "912345678")
    assert Call.objects.get().requester == maria


def test_a_linked_call_is_not_relinked(tmp_path):
    maria = Requester.objects.create(name="Maria", phone="912345678")
    imported(tmp_path, "912345678")
    Requester.objects.create(name="Mário", phone="912345678")  # now ambiguous
    assert link_callers() == 0
    assert Call.objects.get().requester == maria


def test_linking_later_calls_only(tmp_path):
    imported(tmp_path, "912345678")
    maria = Requester.objects.create(name="Maria", phone="912345678")
    last = Call.objects.get().last
    assert link_callers(since=last + 1) == 0
    assert link_callers(since=last) == 1
    assert Call.objects.get().requester == maria
