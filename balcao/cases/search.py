"""Full-text search over cases with the database's own engine.

PostgreSQL: a stored ``tsvector`` column (``search_vector``) generated from the
subject, protocol and description with the ``balcao_pt`` text-search configuration
(Portuguese stemming + ``unaccent``), under a GIN index.
SQLite: an FTS5 external-content table (``cases_case_fts``) with the
``unicode61 remove_diacritics 2`` tokenizer, kept in step by triggers; terms are
prefix-matched so "registr" finds "registro" and "registrar".
Either way "faturacao" finds "faturação". Migration cases 0005 creates both.
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
            id__in=RawSQL("SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s", [match])
        )
    # Other databases: a plain contains search over the subject.
    for term in terms:
        queryset = queryset.filter(subject__icontains=term)
    return queryset
