"""Full-text search over cases (cases.search queries it): on PostgreSQL a stored
``tsvector`` column with an accent-folding Portuguese configuration and a GIN index; on
SQLite an FTS5 external-content table kept in step by triggers. The SQL is this
migration's own copy."""

from django.db import migrations

POSTGRES_SETUP = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'balcao_pt') THEN
        CREATE TEXT SEARCH CONFIGURATION balcao_pt (COPY = portuguese);
        ALTER TEXT SEARCH CONFIGURATION balcao_pt
            ALTER MAPPING FOR hword, hword_part, word WITH unaccent, portuguese_stem;
    END IF;
END $$;
ALTER TABLE cases_case ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('balcao_pt'::regconfig, coalesce(protocol, '')), 'A') ||
    setweight(to_tsvector('balcao_pt'::regconfig, coalesce(subject, '')), 'A') ||
    setweight(to_tsvector('balcao_pt'::regconfig, coalesce(description, '')), 'B')
) STORED;
CREATE INDEX cases_case_search_gin ON cases_case USING GIN (search_vector);
"""

POSTGRES_TEARDOWN = """
DROP INDEX IF EXISTS cases_case_search_gin;
ALTER TABLE cases_case DROP COLUMN IF EXISTS search_vector;
"""

SQLITE_SETUP = [
    """CREATE VIRTUAL TABLE cases_case_fts USING fts5(
        protocol, subject, description, content='cases_case', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER cases_case_fts_ai AFTER INSERT ON cases_case BEGIN
        INSERT INTO cases_case_fts(rowid, protocol, subject, description)
        VALUES (new.id, new.protocol, new.subject, new.description); END""",
    """CREATE TRIGGER cases_case_fts_ad AFTER DELETE ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, protocol, subject, description)
        VALUES ('delete', old.id, old.protocol, old.subject, old.description); END""",
    """CREATE TRIGGER cases_case_fts_au AFTER UPDATE OF protocol, subject, description
        ON cases_case BEGIN
        INSERT INTO cases_case_fts(cases_case_fts, rowid, protocol, subject, description)
        VALUES ('delete', old.id, old.protocol, old.subject, old.description);
        INSERT INTO cases_case_fts(rowid, protocol, subject, description)
        VALUES (new.id, new.protocol, new.subject, new.description); END""",
    "INSERT INTO cases_case_fts(cases_case_fts) VALUES ('rebuild')",
]

SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS cases_case_fts_ai",
    "DROP TRIGGER IF EXISTS cases_case_fts_ad",
    "DROP TRIGGER IF EXISTS cases_case_fts_au",
    "DROP TABLE IF EXISTS cases_case_fts",
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_SETUP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_SETUP:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TEARDOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TEARDOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_history_guard")]

    operations = [migrations.RunPython(install, uninstall)]
