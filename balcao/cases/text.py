"""Text typed by people, made safe to store and show. Pure: no Django import.

Bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) let a name or a
subject display as something other than what it is ("fatura\u202efdp.exe" shows as
"faturaexe.pdf"); zero-width and other format characters (Unicode category Cf) hide text,
and control characters break lines and logs. None of them belongs in a name or a subject.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_line", "clean_text"]

_SPACES = re.compile(r"[ \t\u00a0]+")
_WHITESPACE_CONTROLS = "\r\n\t\v\f"


def clean_line(text: str, max_length: int) -> str:
    """One line (a name, a subject): format and control characters removed (line breaks
    and tabs become spaces), runs of spaces folded, trimmed to ``max_length``."""
    kept = []
    for char in str(text or ""):
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        if category == "Cc":
            if char in _WHITESPACE_CONTROLS:
                kept.append(" ")
            continue
        kept.append(char)
    return _SPACES.sub(" ", "".join(kept)).strip()[:max_length]


def clean_text(text: str, max_length: int) -> str:
    """A longer text (a description, a message): line breaks kept, each line cleaned as
    ``clean_line``, trimmed to ``max_length``."""
    lines = [clean_line(line, max_length) for line in str(text or "").splitlines()]
    return "\n".join(lines).strip()[:max_length]
