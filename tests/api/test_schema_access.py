"""The API schema and its Swagger page need a signed-in user (issue 13): anonymous visitors
learn nothing of the API's shape."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_schema_and_docs_need_a_login(client, path):
    assert client.get(path).status_code in (401, 403)


def test_schema_with_a_token_and_docs_with_a_session(client, resident, resident_token, staff):
    response = client.get("/api/v1/schema/", HTTP_AUTHORIZATION=f"Token {resident_token}")
    assert response.status_code == 200 and b"/api/v1/tickets/" in response.content
    client.force_login(staff)
    assert client.get("/api/v1/docs/").status_code == 200
    assert client.get("/api/v1/schema/").status_code == 200


def test_ids_in_the_schema_are_digits(client, staff):
    client.force_login(staff)
    schema = client.get("/api/v1/schema/?format=json").json()
    parameter = schema["paths"]["/api/v1/meetings/{id}/"]["get"]["parameters"][0]
    assert (
        parameter["schema"].get("pattern") == r"^\d+$" or parameter["schema"]["type"] == "integer"
    )
