"""Two managers who save a live chat at the same instant get one: the check that no other
live chat exists holds a lock until its transaction ends (balcao.db.locks)."""

from __future__ import annotations

import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from balcao.catalog import services
from balcao.catalog.models import Channel

LIVE_CHAT = {"name": "Chat", "kind": Channel.Kind.CHAT, "automated": False}


def _waiting_on_an_advisory_lock(thread: threading.Thread, patience: float = 30.0) -> bool:
    """True once another connection waits for an advisory lock; False if ``thread`` ended
    first (nothing held it back) or ``patience`` ran out. pg_locks shows the lock manager as
    it is now, also from inside a transaction."""
    deadline = time.monotonic() + patience
    while thread.is_alive() and time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_way", ["create", "update"])
def test_two_managers_saving_a_live_chat_at_once_get_one(staff, second_way):
    if connection.vendor != "postgresql":
        pytest.skip(
            "PostgreSQL's advisory lock; SQLite opens every transaction with BEGIN IMMEDIATE, "
            "so two writers never overlap"
        )
    manager = staff["manager"]
    bot = Channel.objects.create(slug="assistente", name="Assistente", kind="chat", automated=True)
    outcome = {}

    def second_manager():
        try:
            if second_way == "create":
                services.do_create_channel(actor=manager, slug="chat-b", **LIVE_CHAT)
            else:
                services.do_update_channel(
                    Channel.objects.get(pk=bot.pk), actor=manager, automated=False
                )
            outcome["second"] = "saved"
        except ValidationError as exc:
            outcome["second"] = " ".join(exc.messages)
        finally:
            connections.close_all()

    with transaction.atomic():
        services.do_create_channel(actor=manager, slug="chat-a", **LIVE_CHAT)
        # the first manager's save has not committed yet when the second one saves
        thread = threading.Thread(target=second_manager)
        thread.start()
        held_back = _waiting_on_an_advisory_lock(thread)
    thread.join(60)
    assert held_back, "the second save did not wait for the first"
    assert "já existe" in outcome["second"]
    assert list(
        Channel.objects.filter(kind="chat", automated=False).values_list("slug", flat=True)
    ) == ["chat-a"]
    bot.refresh_from_db()
    assert bot.automated


@pytest.mark.django_db(transaction=True)
def test_an_import_waits_for_the_lock_before_it_writes_a_channel(staff):
    """An import updates channels one by one. Had it taken the lock only at its live chat,
    it would hold the rows it had updated by then; a console edit holding the lock and
    waiting for one of those rows would deadlock with it. It takes the lock first."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory lock")
    Channel.objects.create(slug="fale-conosco", name="Fale Conosco", kind="form")
    plain = {
        "agency": {"name": "Agência", "language": "pt-BR"},
        "channels": [
            {"slug": "fale-conosco", "name": "Fale Conosco (novo nome)", "kind": "form"},
            {"slug": "chat-b", "name": "Chat", "kind": "chat"},
        ],
    }
    outcome = {}

    def importer():
        try:
            services.do_import_catalog(plain)
            outcome["import"] = "saved"
        except Exception as exc:  # noqa: BLE001 - the test reports what happened
            outcome["import"] = repr(exc)
        finally:
            connections.close_all()

    with transaction.atomic():
        services.the_live_chat(lock=True)  # a console edit that holds the lock
        thread = threading.Thread(target=importer)
        thread.start()
        held_back = _waiting_on_an_advisory_lock(thread)
        # the import has written nothing yet: the row is free for the console's edit
        row = Channel.objects.select_for_update(nowait=True).get(slug="fale-conosco")
        row.name = "Fale Conosco (console)"
        row.save()
    thread.join(60)
    assert held_back and outcome == {"import": "saved"}
    assert Channel.objects.get(slug="fale-conosco").name == "Fale Conosco (novo nome)"
    assert services.the_live_chat().slug == "chat-b"


@pytest.mark.django_db(transaction=True)
def test_the_lock_is_refused_outside_a_transaction():
    """Outside a transaction an advisory lock would end with its statement: no lock at all."""
    from balcao.db import locks

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's advisory lock")
    with pytest.raises(RuntimeError, match="transaction"):
        locks.hold_until_commit("catalog.live-chat")
