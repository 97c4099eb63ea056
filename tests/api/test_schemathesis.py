"""Schemathesis against the OpenAPI schema of /api/v1/ (issue 13): every operation, as a staff
user and as a resident, must never answer a 5xx, whatever the input.

The schema comes from drf-spectacular; requests go through Django's WSGI application in this
process (so they see the test database). Valid and invalid cases (schemathesis' positive and
negative modes). Bounded: a few examples per operation and user, derandomized (the same cases
on every run), no shrinking — the module takes well under 2 minutes on two cores.
"""

from __future__ import annotations

import contextlib
import functools
import json

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

EXAMPLES = 4  # per operation and user


@functools.cache
def api_schema():
    raw = SchemaGenerator().get_schema(request=None, public=True)
    raw = json.loads(OpenApiJsonRenderer().render(raw))
    raw["paths"] = {p: ops for p, ops in raw["paths"].items() if p.startswith("/api/v1/")}
    return schemathesis.openapi.from_dict(raw)


@pytest.fixture
def wsgi_app():
    """Django's WSGI app without closing the connection after each request: the test's
    transaction holds the fixtures (Django's test client does the same)."""
    django_app = get_wsgi_application()

    def app(environ, start_response):
        environ["REMOTE_ADDR"] = environ.get("REMOTE_ADDR") or "127.0.0.1"  # as any server sets
        return django_app(environ, start_response)

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield app
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _strategy(operation):
    """Valid cases and, where the schema can be negated, invalid ones (wrong types, missing
    fields, out-of-range values)."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    try:
        return st.one_of(positive, operation.as_strategy(GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 — an operation with nothing to negate
        return positive


def _fuzz(operation, app, token, failures):
    @given(case=_strategy(operation))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        response = case.call(app=app, headers={"Authorization": f"Token {token}"})
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except AssertionError as failure:
            failures.append(f"{operation.label}: {str(failure)[:600]}")
            raise

    with contextlib.suppress(AssertionError):  # recorded; go on with the next operation
        run()


@pytest.mark.django_db
def test_schema_covers_the_api():
    labels = [result.ok().label for result in api_schema().get_all_operations()]
    assert len(labels) > 140
    assert "GET /api/v1/deliberation/meetings/{id}/" in labels or any(
        "/meetings/{id}/" in label for label in labels
    )


@pytest.mark.django_db
def test_no_operation_answers_a_server_error(wsgi_app, staff_token, resident_token):
    failures: list[str] = []
    for result in api_schema().get_all_operations():
        operation = result.ok()
        for token in (staff_token, resident_token):
            _fuzz(operation, wsgi_app, token, failures)
    assert not failures, "\n\n".join(failures)
