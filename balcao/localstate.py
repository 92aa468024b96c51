"""Where a Balcão installation keeps its local state (``var/``), read without side effects,
and whether this run is a *local run* or a deployment.

Debug is off unless asked for (``BALCAO_DEBUG=1``, ``balcao serve --debug``). What makes
``make run`` work on a fresh clone is the *local run*: Balcão on this machine, over plain
``http://127.0.0.1``. It is on when ``BALCAO_LOCAL=1``, or when ``BALCAO_LOCAL`` is unset
and the environment names neither a ``SECRET_KEY`` nor ``ALLOWED_HOSTS`` — a deployment
sets both, and then gets the HTTPS-only settings and refuses to start without its secret
(see ``balcao/settings.py``, docs/operator.md). A local run keeps a generated key in
``var/secret_key``, serves plain http with cookies that are not secure-only, serves the
static files from the source folders and writes e-mail to ``var/outbox/``.

Importing the settings only reads: the folder and, on a local run, the secret key file are
made by ``prepare()``, which the ``balcao`` command and the WSGI/ASGI entry points run
before anything else. Pure: no Django import.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def debug() -> bool:
    """``BALCAO_DEBUG``: off unless set to 1/true/yes/on."""
    return env_bool("BALCAO_DEBUG", False)


def local_run() -> bool:
    """``BALCAO_LOCAL`` if set; else on when neither ``SECRET_KEY`` nor ``ALLOWED_HOSTS``
    is in the environment (a laptop, ``make run``)."""
    configured = bool(os.environ.get("SECRET_KEY") or os.environ.get("ALLOWED_HOSTS"))
    return env_bool("BALCAO_LOCAL", not configured)


def var_dir() -> Path:
    """``BALCAO_VAR_DIR``, default ``var/`` beside the code: SQLite database, task queue,
    private files, collected static files, the laptop's secret key."""
    return Path(os.environ.get("BALCAO_VAR_DIR", BASE_DIR / "var"))


def secret_key_file() -> Path:
    return var_dir() / "secret_key"


def read_secret_key() -> str:
    """``SECRET_KEY`` from the environment, else the laptop's key file, else ''."""
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    path = secret_key_file()
    return path.read_text().strip() if path.exists() else ""


def prepare() -> None:
    """Create ``var/`` (and ``var/static``, where collectstatic writes) and, on a local run
    (or with debug on) and no ``SECRET_KEY``, a random key kept in ``var/secret_key``
    (mode 600). A deployment gets nothing invented: the settings refuse to start without
    ``SECRET_KEY``."""
    (var_dir() / "static").mkdir(parents=True, exist_ok=True)
    path = secret_key_file()
    if (local_run() or debug()) and not os.environ.get("SECRET_KEY") and not path.exists():
        # Written beside with mode 600, then linked into place: a process starting at the
        # same moment sees no file or the whole key, and the first one's key wins.
        scratch = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
