"""Case history is append-only in the database too: a trigger refuses UPDATE (and, on
PostgreSQL, DELETE outside a retention purge), whatever code or raw SQL tries."""

from django.db import migrations

HISTORY_TRIGGER = """
CREATE OR REPLACE FUNCTION balcao_history_append_only() RETURNS trigger AS $$
BEGIN
    -- A retention purge (privacy issue) sets balcao.history_purge = 'on' for its
    -- transaction only; nothing else may change or remove history rows.
    IF TG_OP = 'DELETE' AND current_setting('balcao.history_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'Case history is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cases_caseevent_append_only
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION balcao_history_append_only();
"""

# SQLite: UPDATE is refused by the database; DELETE by the model, its queryset and the
# PROTECT foreign key (a DELETE trigger would also block the test runner's flush, which
# empties tables in no fixed order).
SQLITE_TRIGGERS = [
    """CREATE TRIGGER cases_caseevent_no_update BEFORE UPDATE ON cases_caseevent
       BEGIN SELECT RAISE(ABORT, 'Case history is append-only: UPDATE refused'); END;""",
]


def add_history_guard(apps, schema_editor):
    """History rows cannot be changed even by raw SQL (database trigger)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(HISTORY_TRIGGER, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


def drop_history_guard(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent"
        )
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_caseevent_no_update")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_builtin_workflows")]

    operations = [migrations.RunPython(add_history_guard, drop_history_guard)]
