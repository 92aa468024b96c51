"""Shared fixtures: staff of every role, a verified (2FA) client, channels, cases."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from balcao.accounts.roles import ROLES

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (a clone without ../shared)")
    return path


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /en/… must not leave the next test speaking English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Per-process fragments (the portal home's cards) of one test must not show in the next;
    the shared cache is a database table, rolled back with each test's transaction."""
    from django.core.cache import caches

    caches["local"].clear()
    yield
    caches["local"].clear()


@pytest.fixture(autouse=True)
def _fresh_lookups():
    """Rolled-back test data must not linger in the per-process name snapshots."""
    from balcao.cases import lookups

    lookups.clear_all()
    yield
    lookups.clear_all()


@pytest.fixture
def make_user(db, django_user_model):
    def make(role: str | None = None, username: str | None = None, **extra):
        username = username or f"user-{role or 'none'}-{django_user_model.objects.count()}"
        user = django_user_model.objects.create_user(
            username=username, password="senha-de-teste-123", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff(make_user):
    """One user per role, keyed by role name."""
    return {role: make_user(role, username=f"t.{role}") for role in ROLES}


@pytest.fixture
def verified_client(client):
    """A client logged in as ``user`` with a verified second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture
def helpdesk_channel(db):
    from balcao.cases.models import Workflow
    from balcao.catalog.models import Channel

    return Channel.objects.create(
        slug="fale-conosco", name="Fale Conosco", kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"), deadline_policy="fale-conosco",
        max_attachment_bytes=1024 * 1024,
    )


@pytest.fixture
def open_case(helpdesk_channel, staff):
    from balcao.cases import services

    def make(**kwargs):
        kwargs.setdefault("channel", helpdesk_channel)
        kwargs.setdefault("subject", "Dúvida sobre GRU")
        kwargs.setdefault("actor", staff["supervisor"])
        return services.do_open_case(**kwargs)

    return make
