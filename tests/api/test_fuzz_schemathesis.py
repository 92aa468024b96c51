"""Every operation of the OpenAPI schema fuzzed by schemathesis: no input is a 5xx.

The schema is the one the API serves (/api/v1/openapi.json), so an endpoint added
tomorrow is fuzzed tomorrow. Two callers: a supervisor's token holding every scope
(it reaches every operation) and nobody (the public operations). Requests go straight
into Django's WSGI handler inside the test's transaction, so the same run works on
SQLite and PostgreSQL.

Bounded for CI: ``MAX_EXAMPLES`` per operation, caller and kind of input, derandomized
(every run sends the same inputs, so a red CI is reproducible), no Hypothesis deadline,
no example database. The public rate limit is off for this test only (it would answer
429 after 60 calls, hiding the endpoints behind it).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from balcao.api.models import ApiToken
from balcao.apikit.throttling import PublicRateThrottle

pytestmark = pytest.mark.django_db

ALL_SCOPES = [
    "cases:read",
    "cases:write",
    "requesters:read",
    "requesters:write",
    "queues:read",
    "telephony:hours",
]
# ~50 s for both callers on SQLite, ~60 s on PostgreSQL (2 cores); more for a deeper
# local run: BALCAO_FUZZ_EXAMPLES=500 pytest tests/api/test_fuzz_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("BALCAO_FUZZ_EXAMPLES", "50"))


@pytest.fixture
def no_public_throttle(monkeypatch):
    monkeypatch.setattr(PublicRateThrottle, "allow_request", lambda self, request: True)


@pytest.fixture
def wsgi_in_test_transaction():
    """Django's test client keeps a request from closing the test's connection;
    calling the WSGI handler directly needs the same (else PostgreSQL loses the
    transaction the test runs in)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(open_case, staff):
    """Existing objects for the path ids: a requester, a case with an attachment, a
    team, a bot conversation. Random ids almost never find them."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from balcao.bot.services import start_conversation
    from balcao.cases.models import Team, TeamMembership
    from balcao.cases.services import do_add_message, do_find_or_create_requester

    team = Team.objects.create(slug="n1", name="Nível 1")
    TeamMembership.objects.create(team=team, user=staff["agent"])
    requester = do_find_or_create_requester(name="Maria", cpf="52998224725")
    case = open_case(requester=requester, team=team)
    message = do_add_message(
        case,
        "Segue",
        actor=staff["supervisor"],
        files=[SimpleUploadedFile("a.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n")],
    )
    return {
        "case_id": case.pk,
        "requester_id": requester.pk,
        "attachment_id": message.attachments.get().pk,
        "token": start_conversation("pt-BR").token,
        "calendar": "br",
        "protocol": case.protocol,  # the public follow-up of a manifestation
    }


@pytest.fixture(params=["supervisor", "anonymous"])
def caller(request, staff):
    if request.param == "anonymous":
        return {}
    _, raw = ApiToken.issue(name="fuzz", user=staff["supervisor"], scopes=ALL_SCOPES)
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api_schema(world, no_public_throttle, wsgi_in_test_transaction):
    from django.core.wsgi import get_wsgi_application

    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def _fuzz(operation, mode, headers, path_parameters=None) -> str | None:
    """The first server error ``operation`` answers to ``mode`` inputs, or None."""

    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    try:
        run()
    except Unsatisfiable:
        return None  # nothing to break: e.g. no negative input for an operation without any
    except Exception as exc:  # noqa: BLE001 - every failure is reported, per operation
        fixed = " with existing ids" if path_parameters else ""
        return f"{operation.label} ({mode.value}{fixed}): {exc}"
    return None


def test_no_input_is_a_server_error(api_schema, caller, world):
    """Each operation with random inputs (valid and invalid), then with the ids of
    existing objects in its path and random everything else.

    Schemathesis's pytest plugin does not run under pytest 9 (it rewrites a node id
    pytest no longer has), so the operations are walked here, with its Python API."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20
    if not caller:  # nobody: the public operations (the others answer 401 to anything)
        operations = [op for op in operations if not op.definition.raw.get("security")]
        assert len(operations) >= 8
    failures = []
    for operation in operations:
        existing = {p.name: world[p.name] for p in operation.path_parameters}
        for mode in GenerationMode:
            failures.append(_fuzz(operation, mode, caller))
        if existing:
            failures.append(_fuzz(operation, GenerationMode.POSITIVE, caller, existing))
    failures = [f for f in failures if f]
    assert not failures, "\n\n".join(failures)
