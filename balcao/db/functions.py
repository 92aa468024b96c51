"""Database functions Django does not ship for every backend Balcão runs on."""

from __future__ import annotations

from django.db.models import Aggregate, CharField


class JoinedText(Aggregate):
    """Values joined by commas: ``string_agg`` on PostgreSQL, ``group_concat`` on SQLite.

    Used to read a short list (a user's roles, their teams) in the same query as the
    row it belongs to; the values must not contain commas.
    """

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)
