"""Settings for the test suite (pyproject: ``DJANGO_SETTINGS_MODULE``): the project's own
settings, read from the same environment, with what only tests want.

A server a test starts as a separate process (``balcao serve``) runs the real
``balcao.settings`` (tests/conftest.py, ``balcao_serve``).
"""

import os

from balcao import localstate

# The suite is a local run (balcao.localstate) when its environment names no deployment, as
# on a laptop or CI: the test client speaks plain http and pages name static files from the
# source folders. Decided before the suite's own key is set, and only while these settings
# are read: a process a test starts (``balcao check --deploy`` with a production
# environment) gets the settings of the environment the test gives it.
_local = "BALCAO_LOCAL" not in os.environ and localstate.local_run()

# A fixed key: tests sign and check tokens, and must not need the laptop's key file.
os.environ.setdefault("SECRET_KEY", "balcao-test-suite-not-a-secret")

if _local:
    os.environ["BALCAO_LOCAL"] = "1"
from balcao.settings import *  # noqa: E402,F403

if _local:
    del os.environ["BALCAO_LOCAL"]
from balcao.settings import DATABASES, HUEY, env_bool  # noqa: E402

# Hashing passwords quickly; production keeps Django's PBKDF2 default.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Tasks run in the test's process, at once (a test of the real worker turns this off).
HUEY = {**HUEY, "immediate": env_bool("BALCAO_TASKS_IMMEDIATE", True)}

# No connection pool: pooled connections would keep the test database from being dropped.
DATABASES["default"].get("OPTIONS", {}).pop("pool", None)

# The test client fetches no static files (a live server serves them through Django's
# static handler): WhiteNoise need not scan the source folders for every client.
WHITENOISE_USE_FINDERS = False
