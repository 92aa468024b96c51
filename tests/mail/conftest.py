"""A real IMAP server for the mail tests: Debian's dovecot (``make install`` installs
``dovecot-imapd`` when it can: scripts/ensure-dovecot.sh), started once per test session
(tests/mail/dovecot.py). Tests that need it are skipped, saying why, where dovecot is not
installed."""

from __future__ import annotations

import os

import pytest

from tests.mail.dovecot import DOVECOT, DovecotError, run_dovecot


@pytest.fixture(scope="session")
def imap_server():
    if not os.path.exists(DOVECOT):
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd): no IMAP tests")
    try:
        with run_dovecot() as server:
            yield server
    except DovecotError as exc:
        pytest.fail(str(exc))
