"""Settings for the test suite (pyproject: ``DJANGO_SETTINGS_MODULE``): the project's own
settings, read from the same environment, with what only tests want.

A server a test starts as a separate process (``balcao serve``) runs the real
``balcao.settings`` (tests/conftest.py, ``balcao_serve``).
"""

import os

# A fixed key: tests sign and check tokens, and must not need the laptop's key file.
os.environ.setdefault("SECRET_KEY", "balcao-test-suite-not-a-secret")

from balcao.settings import *  # noqa: E402,F403
from balcao.settings import DATABASES, HUEY, env_bool  # noqa: E402

# Hashing passwords quickly; production keeps Django's PBKDF2 default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in the test's process, at once (a test of the real worker turns this off).
HUEY = {**HUEY, "immediate": env_bool("BALCAO_TASKS_IMMEDIATE", True)}

# No connection pool: pooled connections would keep the test database from being dropped.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)
