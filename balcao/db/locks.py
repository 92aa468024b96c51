"""Locks a transaction holds until it ends, for a rule that spans rows no row lock covers."""

from __future__ import annotations

import zlib

from django.db import connections


def hold_until_commit(name: str, using: str = "default") -> None:
    """Wait until no other transaction holds the lock ``name``, then hold it until this one
    commits or rolls back; call it inside ``transaction.atomic`` before reading what the
    rule checks. A check such as "no other live chat exists" then sees what a concurrent
    transaction wrote, instead of both passing it and both writing.

    PostgreSQL: a transaction-level advisory lock (released at commit, rollback or a lost
    connection); under READ COMMITTED the next query sees the other transaction's rows.
    SQLite: nothing to do; the settings open every transaction with ``BEGIN IMMEDIATE``,
    so one writer at a time already runs its check and its write."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise RuntimeError("hold_until_commit() needs a transaction (transaction.atomic)")
    key = zlib.crc32(f"balcao:{name}".encode())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
