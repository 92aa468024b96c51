"""Full-text search over cases with the database's own engine.

PostgreSQL: a stored ``tsvector`` column (``search_vector``) generated from the
subject, protocol and description with the ``balcao_pt`` text-search configuration
(Portuguese stemming + ``unaccent``), under a GIN index.
SQLite: an FTS5 external-content table (``cases_case_fts``) with the
``unicode61 remove_diacritics 2`` tokenizer, kept in step by triggers; terms are
prefix-matched so "registr" finds "registro" and "registrar".
Either way "faturacao" finds "faturação".
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from balcao.textnorm import fold

_WORD = re.compile(r"[\w]+", re.UNICODE)
_PROTOCOL = re.compile(r"^\d[\d./-]*\d$")


def _terms(text: str) -> list[str]:
    return [t for t in _WORD.findall(fold(text)) if t][:12]


def filter_search(queryset: QuerySet, text: str) -> QuerySet:
    """Restrict a Case queryset to cases matching ``text`` (all terms must match).

    Text shaped like a protocol number (digits and separators) matches the protocol.
    """
    if _PROTOCOL.match(text.strip()):
        return queryset.filter(protocol=text.strip())
    terms = _terms(text)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        query = " & ".join(f"{term}:*" for term in terms)
        # A predicate on the outer query (not ``id IN (subquery)``): the planner can
        # then walk the (created_at, id) index and stop after one page for common
        # terms, or use the GIN index and sort for rare ones.
        return queryset.filter(
            RawSQL(
                '"cases_case"."search_vector" @@ to_tsquery(\'balcao_pt\'::regconfig, %s)',
                [query],
                output_field=BooleanField(),
            )
        )
    if connection.vendor == "sqlite":
        match = " ".join(f'"{term}"*' for term in terms)
        return queryset.filter(
            id__in=RawSQL("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s",
                          [match])
        )
    # Other databases: a plain contains search over the subject.
    for term in terms:
        queryset = queryset.filter(subject__icontains=term)
    return queryset


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


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_SETUP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_SETUP:
            schema_editor.execute(statement)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_TEARDOWN, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_TEARDOWN:
            schema_editor.execute(statement)
