"""Debian's dovecot with a throw-away configuration, users file and maildir under a temporary
directory, listening on a free loopback port: the IMAP server of the mail tests
(tests/mail/conftest.py) and of the ingest benchmark (tests/bench/bench_mail.py)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


@dataclass(frozen=True)
class ImapServer:
    host: str
    port: int
    user: str
    password: str


def _config(root: Path, port: int) -> str:
    if os.geteuid() == 0:
        # dovecot never gives mail to uid 0: its own user owns the throw-away maildir
        owner = pwd.getpwnam("dovecot")
        uid, gid, login_user, internal_user = owner.pw_uid, owner.pw_gid, "dovenull", "dovecot"
    else:
        me = pwd.getpwuid(os.geteuid())
        uid, gid, login_user, internal_user = me.pw_uid, me.pw_gid, me.pw_name, me.pw_name
    for sub in ("mail", "home", "run", "state"):
        (root / sub).mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(root / sub, uid, gid)
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
first_valid_uid = {uid}
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
"""


class DovecotError(RuntimeError):
    """dovecot is missing or did not start."""


@contextlib.contextmanager
def run_dovecot() -> Iterator[ImapServer]:
    if not os.path.exists(DOVECOT):
        raise DovecotError("dovecot is not installed (apt-get install dovecot-imapd)")
    # not under pytest's own temporary folder: that one is private to this user, and
    # dovecot's processes run as its own users
    root = Path(tempfile.mkdtemp(prefix="balcao-dovecot-"))
    os.chmod(root, 0o755)  # noqa: S103 — read by dovecot's own users; nothing secret in it
    port = free_port()
    (root / "users").write_text("balcao@agencia.test:{PLAIN}senha-imap-de-teste\n")
    (root / "dovecot.conf").write_text(_config(root, port))
    process = subprocess.Popen(  # noqa: S603 — our own throw-away configuration
        [DOVECOT, "-F", "-c", str(root / "dovecot.conf")],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                log = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise DovecotError(f"dovecot did not start: {log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise DovecotError("dovecot did not listen in 20 s") from None
                time.sleep(0.1)
        yield ImapServer("127.0.0.1", port, "balcao@agencia.test", "senha-imap-de-teste")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)
