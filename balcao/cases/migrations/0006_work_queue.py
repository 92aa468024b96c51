"""The work queue (issue 19): open cases ordered by due date on a partial index, and the
search of requesters by name (cases.filters.requester_ids_matching).

``balcao_fold(text)`` lower-cases and strips accents. On PostgreSQL it wraps ``unaccent``
in an IMMUTABLE function (``unaccent`` itself is only STABLE, so no index can use it) and a
trigram GIN index over ``balcao_fold(name)`` serves ``LIKE '%maria%'`` at a million
requesters; on SQLite the same name is a Python function registered on each connection
(cases.apps). The SQL is this migration's own copy."""

from django.db import migrations, models

POSTGRES_SETUP = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE OR REPLACE FUNCTION balcao_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;
CREATE INDEX IF NOT EXISTS requester_name_folded_trgm
    ON cases_requester USING GIN (balcao_fold(name) gin_trgm_ops);
"""

POSTGRES_TEARDOWN = """
DROP INDEX IF EXISTS requester_name_folded_trgm;
DROP FUNCTION IF EXISTS balcao_fold(text);
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_SETUP, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_TEARDOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_followup_and_outbound_mail")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", True)),
                fields=["due_at", "created_at", "id"],
                name="case_open_queue",
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
