"""A reader process that dies on its first message (tests/mail/test_imap.py): imported by
the reader process itself, so it imports nothing of Django."""

from __future__ import annotations

import os


def read_and_die(raw: bytes, file: str = "-"):
    os._exit(9)
