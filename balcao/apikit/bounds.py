"""Bounds shared by every API input: ids the database can hold, texts the forms allow.

An id past the database's integer range is not "unknown" to SQLite: the driver
refuses to bind it (OverflowError, a server error) before any row is read. Every id
in a path, query or body is therefore declared with ``DbId`` and refused with 422
when out of range. Text limits are the ones the portal's and console's forms apply
(balcao/portal/forms.py, balcao/console/forms.py), so the API accepts nothing a
person could not type into a form.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# Largest signed 64-bit integer: BigAutoField on PostgreSQL, INTEGER on SQLite.
MAX_DB_ID = 2**63 - 1

DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]

# Same limits as the forms: TriageForm.text and the bot's 2000 characters, the
# portal's case description, the console's message body.
PUBLIC_TEXT = 2000
DESCRIPTION = 50_000
MESSAGE_BODY = 50_000
REASON = 2000  # TransitionForm.reason
SLUG = 100
LANGUAGE = 16


def parse_db_id(value: str) -> int | None:
    """``value`` as a database id, or None unless it is ASCII digits within range.

    ``str.isdigit`` accepts "²" and other digits ``int`` refuses, and ``int`` accepts
    numbers no database column holds."""
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if 1 <= number <= MAX_DB_ID else None
