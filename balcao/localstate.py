"""Where a Balcão installation keeps its local state (``var/``), read without side effects.

Importing the settings only reads: the folder and, on a laptop, the secret key file are
made by ``prepare()``, which the ``balcao`` command runs before anything else (so
``make run`` works on a fresh clone). Pure: no Django import.
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


def prepare(*, debug: bool) -> None:
    """Create ``var/`` (and ``var/static``, where collectstatic writes) and, with debug on
    and no ``SECRET_KEY``, a random key kept in ``var/secret_key`` (mode 600). With debug
    off nothing is invented: the settings refuse to start without ``SECRET_KEY``."""
    (var_dir() / "static").mkdir(parents=True, exist_ok=True)
    path = secret_key_file()
    if debug and not os.environ.get("SECRET_KEY") and not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
