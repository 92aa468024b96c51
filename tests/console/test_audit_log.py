"""The personal-data audit log: one row per visit, who and whose data, filters, CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from balcao.audit.models import PersonalDataAccess
from balcao.cases.models import Requester

pytestmark = pytest.mark.django_db


@pytest.fixture
def maria(db):
    return Requester.objects.create(name="Maria da Silva", email="maria@example.org")


@pytest.fixture
def joao(db):
    return Requester.objects.create(name="João Pereira", email="joao@example.org")


def _visit(client, case, times=3):
    for _ in range(times):
        assert client.get(f"/console/atendimentos/{case.pk}/").status_code == 200


def test_one_row_per_visit(open_case, staff, verified_client, maria):
    case = open_case(requester=maria)
    client = verified_client(staff["agent"])
    _visit(client, case)
    client.post(f"/console/atendimentos/{case.pk}/responder/", {"body": "Olá", "public": "on"})
    _visit(client, case, times=1)
    rows = PersonalDataAccess.objects.filter(requester=maria, user=staff["agent"])
    assert rows.count() == 1


def test_a_new_visit_after_the_window_is_recorded(open_case, staff, verified_client, maria):
    case = open_case(requester=maria)
    client = verified_client(staff["agent"])
    _visit(client, case, times=1)
    PersonalDataAccess.objects.update(at=timezone.now() - timedelta(minutes=6))
    _visit(client, case, times=1)
    assert PersonalDataAccess.objects.filter(requester=maria).count() == 2


@pytest.fixture
def admin_client(staff, verified_client):
    return verified_client(staff["admin"])


@pytest.fixture
def accesses(staff, maria, joao):
    staff["agent"].first_name, staff["agent"].last_name = "Ana", "Atendente"
    staff["agent"].save()
    make = PersonalDataAccess.objects.create
    old = make(user=staff["agent"], requester=maria, kind="view", fields="name", where="a")
    PersonalDataAccess.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=10))
    make(user=staff["supervisor"], requester=joao, kind="view", fields="name", where="b")
    make(user=staff["agent"], requester=joao, kind="view", fields="name", where="=cmd()")
    return staff


def test_only_the_auditor_reaches_it(staff, verified_client, accesses):
    for role in ("agent", "supervisor", "manager"):
        client = verified_client(staff[role])
        assert client.get("/console/auditoria/").status_code == 403
        assert client.get("/console/auditoria/exportar/").status_code == 403


def test_who_and_whose_shown(admin_client, accesses, maria):
    page = admin_client.get("/console/auditoria/").content.decode()
    assert "Ana Atendente" in page and "Maria da Silva" in page and "João Pereira" in page
    assert f"#{maria.pk}" in page and "Registro" not in page


def test_grouped_rows_written_before_the_fix(admin_client, staff, maria):
    for _ in range(7):
        PersonalDataAccess.objects.create(
            user=staff["agent"], requester=maria, kind="view", fields="name", where="x"
        )
    response = admin_client.get("/console/auditoria/")
    assert len(response.context["groups"]) == 1
    assert "×7" in response.content.decode()


def test_filters(admin_client, accesses, maria, joao):
    def whose(**params):
        groups = admin_client.get("/console/auditoria/", params).context["groups"]
        return sorted((g["row"].user.username, g["row"].requester.name) for g in groups)

    assert whose(staff=accesses["supervisor"].pk) == [("t.supervisor", "João Pereira")]
    assert whose(requester="maria") == [("t.agent", "Maria da Silva")]
    assert whose(requester=str(joao.pk)) == [
        ("t.agent", "João Pereira"),
        ("t.supervisor", "João Pereira"),
    ]
    today = timezone.localdate()
    assert len(whose(since=str(today - timedelta(days=1)))) == 2
    assert whose(until=str(today - timedelta(days=5))) == [("t.agent", "Maria da Silva")]


def test_pages(admin_client, staff, maria, monkeypatch):
    from balcao.console import audit_views

    monkeypatch.setattr(audit_views, "PAGE_SIZE", 2)
    for where in "abcde":
        PersonalDataAccess.objects.create(
            user=staff["agent"], requester=maria, kind="export", fields="name", where=where
        )
    first = admin_client.get("/console/auditoria/").context
    second = admin_client.get("/console/auditoria/", {"before": first["next_before"]}).context
    seen = [g["row"].where for g in first["groups"] + second["groups"]]
    assert seen == ["e", "d", "c", "b"]


def test_csv_export_is_filtered_and_audited(admin_client, accesses, joao, staff):
    response = admin_client.get("/console/auditoria/exportar/", {"requester": "joão"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="auditoria-')
    body = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:6] == [
        "at",
        "staff_username",
        "staff_name",
        "token",
        "requester_id",
        "requester_name",
    ]
    assert sorted(r[1] for r in rows[1:]) == ["t.agent", "t.supervisor"]
    assert {r[5] for r in rows[1:]} == {"João Pereira"}
    assert "'=cmd()" in body  # no formula reaches a spreadsheet
    export = PersonalDataAccess.objects.get(kind="export")
    assert export.user == staff["admin"] and export.requester == joao
    assert "CSV" in export.where
