"""Web processes freeze what they loaded out of the garbage collector's sight once warm
(balcao.ops.warm): the case page's 100–145 ms pauses at 1 M cases were full collections."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from balcao.ops import warm


def test_freezes_after_the_1st_10th_100th_and_1000th_request_and_answers_each(monkeypatch):
    frozen_after = []
    app = warm.FreezeWhenWarm(lambda environ, start_response: [environ["n"]])
    monkeypatch.setattr(gc, "freeze", lambda: frozen_after.append(app.served))
    answers = [app({"n": n}, None) for n in range(1, 1201)]
    assert answers == [[n] for n in range(1, 1201)]
    assert frozen_after == [1, 10, 100, 1000]


def test_a_request_that_fails_still_counts(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(1))

    def broken(environ, start_response):
        raise RuntimeError("boom")

    app = warm.FreezeWhenWarm(broken)
    with pytest.raises(RuntimeError, match="boom"):
        app({}, None)
    assert calls == [1]


def test_the_served_applications_freeze_after_their_first_request(tmp_path):
    """balcao.wsgi's application (gunicorn alone) and the one served behind nginx, each
    given one real request in a fresh process: nothing frozen before, the loaded objects
    after."""
    probe = (
        "import gc, sys\n"
        "from wsgiref.util import setup_testing_defaults\n"
        "if sys.argv[1] == 'nginx':\n"
        "    from balcao.ops.nginx import wsgi_application; app = wsgi_application()\n"
        "else:\n"
        "    from balcao.wsgi import application as app\n"
        "environ = {}; setup_testing_defaults(environ); environ['PATH_INFO'] = '/nao-existe/'\n"
        "before = gc.get_freeze_count()\n"
        "app(environ, lambda status, headers: None)\n"
        "print(before, gc.get_freeze_count())\n"
    )
    env = {
        **os.environ,
        "BALCAO_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "warm-" + "x" * 45,
        "ALLOWED_HOSTS": "*",
        "DJANGO_SETTINGS_MODULE": "balcao.settings",
    }
    env.pop("DATABASE_URL", None)
    for kind in ("gunicorn", "nginx"):
        out = subprocess.run(  # noqa: S603
            [sys.executable, "-c", probe, kind], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr[-2000:]
        before, after = map(int, out.stdout.split()[-2:])
        assert before == 0 and after > 10_000, (kind, before, after)
