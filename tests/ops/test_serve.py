"""``balcao serve`` starts a real web server (by default gunicorn for HTTP and uvicorn for
websockets behind one port: nginx in front when it is installed, ``balcao.ops.front``
otherwise or with ``--front python``; uvicorn alone with --asgi) and the task worker, and
SIGTERM or Ctrl-C (SIGINT) stops every process it started. tests/ops/test_nginx.py covers
the nginx front on its own."""

import json
import os
import signal
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from balcao.ops.nginx import find_nginx

# What listens on the port with no flag: nginx when installed, else the Python front.
DEFAULT_FRONT = "nginx: master" if find_nginx() else "balcao.ops.front"


def _environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "REDIS_URL": "", **extra}
    env.pop("BALCAO_FRONT", None)  # the default front, whatever the shell says
    return env


@pytest.mark.parametrize(
    ("flags", "server_name"),
    [([], "gunicorn"), (["--front", "python"], "gunicorn"), (["--asgi"], "uvicorn")],
)
def test_serve_answers_http(tmp_path, flags, server_name, balcao_serve):
    env = _environment(DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}")
    server = balcao_serve("--no-worker", "--workers", "1", *flags, env=env)
    answer = server.get_json("/api/v1/health")
    # websockets on the same port, with no flag too (issue 24: the chat from `make run`)
    with connect(f"ws://127.0.0.1:{server.port}/ws/health/", open_timeout=20) as socket:
        said = json.loads(socket.recv(timeout=10))
    server.stop()
    assert answer["status"] == 200
    assert answer["body"] == {"status": "ok"}
    assert server_name in answer["server"].lower()
    assert said == {"status": "ok"}


def _process_table() -> dict[int, tuple[int, str, str]]:
    """pid → (parent pid, state, command line), read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        table[int(entry.name)] = (int(fields[1]), fields[0], cmdline)
    return table


def _descendants(pid: int) -> dict[int, str]:
    table = _process_table()
    found, frontier = {}, [pid]
    while frontier:
        parent = frontier.pop()
        for child, (ppid, _state, cmdline) in table.items():
            if ppid == parent and child not in found:
                found[child] = cmdline
                frontier.append(child)
    return found


def _still_running(processes: dict[int, str]) -> dict[int, str]:
    table = _process_table()
    return {
        pid: cmdline
        for pid, cmdline in processes.items()
        if pid in table and table[pid][1] != "Z" and table[pid][2] == cmdline
    }


@pytest.mark.parametrize(
    ("stop_signal", "flags", "server_name", "front"),
    [
        (signal.SIGTERM, [], "gunicorn", DEFAULT_FRONT),
        (signal.SIGINT, ["--front", "python"], "gunicorn", "balcao.ops.front"),
        (signal.SIGINT, ["--asgi"], "uvicorn", None),
    ],
)
def test_a_signal_to_serve_stops_every_process_it_started(
    tmp_path, balcao_serve, stop_signal, flags, server_name, front
):
    env = _environment(
        DATABASE_URL=f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        BALCAO_VAR_DIR=str(tmp_path / "var"),
        # the contact centre's readers (issue 23): an AMI peer that is not there (the feed
        # retries for ever) and a queue_log tailed as the PBX writes it
        BALCAO_AMI_HOST="127.0.0.1",
        BALCAO_AMI_PORT="9",
        BALCAO_QUEUE_LOG=str(tmp_path / "queue_log"),
    )
    (tmp_path / "queue_log").write_text("1733300000|NONE|NONE|NONE|QUEUESTART||\n")
    server = balcao_serve("--workers", "2", *flags, env=env)  # with the task worker
    assert server.get_json("/api/v1/health")["status"] == 200
    started = _descendants(server.process.pid)
    commands = " ".join(started.values())
    assert server_name in commands and "run_huey" in commands, started
    assert "mail watch" in commands, started  # the IMAP IDLE watcher (balcao.mail.imap)
    assert "telephony ami" in commands and "import-queue-log" in commands, started
    if front:  # gunicorn and uvicorn behind the front (issue 24)
        assert front in commands and "uvicorn" in commands, started
    try:
        os.kill(server.process.pid, stop_signal)  # the serve process alone, not its group
        server.process.wait(timeout=40)
        deadline = time.monotonic() + 10
        while _still_running(started) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _still_running(started) == {}
    finally:
        for pid in _still_running(started):  # leave nothing behind if the test failed
            os.kill(pid, signal.SIGKILL)
