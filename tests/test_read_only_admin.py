"""Audit trails are read-only in the admin (balcao.admin_mixins.ReadOnlyAdminMixin)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from balcao.admin_mixins import ReadOnlyAdminMixin
from balcao.audit.models import PersonalDataAccess
from balcao.cases.models import Requester
from balcao.deadlines.models import Calendar, CalendarChange


@pytest.fixture
def trails(db):
    calendar = Calendar.objects.create(slug="t", name="T", country="BR")
    change = CalendarChange.objects.create(calendar=calendar, action="set", detail="closure")
    requester = Requester.objects.create(name="Maria")
    access = PersonalDataAccess.objects.create(
        requester=requester, kind="view", fields="cpf", where="test"
    )
    return [change, access]


@pytest.mark.parametrize("model", [PersonalDataAccess, CalendarChange])
def test_trail_admins_use_the_read_only_mixin(model) -> None:
    assert isinstance(admin.site._registry[model], ReadOnlyAdminMixin)


def test_a_superuser_can_read_but_not_write_a_trail(trails, make_user, verified_client) -> None:
    superuser = make_user(username="root", is_staff=True, is_superuser=True)
    client = verified_client(superuser)
    for record in trails:
        meta = record._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        assert client.get(reverse(f"{name}_changelist")).status_code == 200
        assert client.get(reverse(f"{name}_change", args=[record.pk])).status_code == 200
        assert client.get(reverse(f"{name}_add")).status_code == 403
        delete_url = reverse(f"{name}_delete", args=[record.pk])
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
        assert type(record).objects.filter(pk=record.pk).exists()
