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
# environment) gets the settings of the environment the test gives it. The suite's worker
# processes (``pytest -n``, children of the first) start with that key already in their
# environment: they take the first process's decision, left in ``BALCAO_TEST_SUITE_LOCAL``
# with its process id.
_parent, _, _decided = os.environ.get("BALCAO_TEST_SUITE_LOCAL", "").partition(":")
if "PYTEST_XDIST_WORKER" in os.environ and _parent == str(os.getppid()):
    _local = _decided == "1"
else:
    _local = "BALCAO_LOCAL" not in os.environ and localstate.local_run()
    os.environ["BALCAO_TEST_SUITE_LOCAL"] = f"{os.getpid()}:{int(_local)}"

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

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file, in memory-backed storage when the machine has it, not
    # SQLite's shared in-memory database: a server a test runs in a thread (uvicorn for the
    # live chat's websockets) writes through its own connection, and a file's connections
    # wait for each other's write lock (the busy timeout above), where a shared in-memory
    # database answers "database table is locked" at once. One private folder per test process, so
    # two runs on one machine never share it; removed at the end.
    import atexit  # noqa: E402
    import shutil  # noqa: E402
    import tempfile  # noqa: E402

    _shm = "/dev/shm"  # noqa: S108 - a private folder is made in it just below
    _memory = os.path.isdir(_shm) and os.access(_shm, os.W_OK)
    _folder = tempfile.mkdtemp(prefix="balcao-test-", dir=_shm if _memory else None)
    atexit.register(shutil.rmtree, _folder, True)
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(_folder, "test.sqlite3")}
