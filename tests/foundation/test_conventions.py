"""The API conventions (docs/api.md), tried through real endpoints."""

import re

import pytest

from tests.factories import make_channel

TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def test_unknown_api_path_is_a_json_404(api):
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["success"] is False


def test_wrong_method_is_a_json_405(api):
    response = api.delete("/api/v1/account")
    assert response.status_code == 405
    assert response.json() == {"success": False, "message": 'Method "DELETE" not allowed.'}


def test_malformed_json_is_422_not_500(api):
    response = api.generic(
        "POST", "/api/v1/account/channels", "{not json", content_type="application/json"
    )
    # The endpoint is read-only: the method is refused before the body is read.
    assert response.status_code == 405
    response = api.generic("POST", "/api/v1/contacts", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["success"] is False


def test_list_envelope_and_meta(api, alice):
    for index in range(3):
        make_channel(alice, name=f"Channel {index}")
    response = api.get("/api/v1/account/channels", {"per_page": 2, "page": 2})
    body = response.json()
    assert body["success"] is True
    assert len(body["data"]) == 1
    assert body["meta"] == {"current_page": 2, "per_page": 2, "total": 3, "last_page": 2}


@pytest.mark.parametrize(("asked", "used"), [("1000", 100), ("100", 100), ("0", 1), ("-5", 1)])
def test_per_page_is_clamped(api, asked, used):
    response = api.get("/api/v1/account/channels", {"per_page": asked})
    assert response.status_code == 200
    assert response.json()["meta"]["per_page"] == used


@pytest.mark.parametrize("name", ["page", "per_page"])
@pytest.mark.parametrize("asked", ["abc", "1.5", "null", " 2", "٣"])
def test_a_page_parameter_that_is_not_a_whole_number_is_422(api, name, asked):
    # The OpenAPI document declares them integers; guessing a default hid client bugs.
    response = api.get("/api/v1/contacts", {name: asked})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == [name]


def test_a_page_past_the_end_is_empty_not_an_error(api, alice):
    make_channel(alice)
    body = api.get("/api/v1/account/channels", {"page": 99}).json()
    assert body["data"] == []
    assert body["meta"]["current_page"] == 99


def test_timestamps_are_utc_with_six_fraction_digits_and_z(api, alice):
    make_channel(alice)
    created_at = api.get("/api/v1/account/channels").json()["data"][0]["created_at"]
    assert TIMESTAMP.match(created_at), created_at


def test_channels_of_another_account_are_not_listed(api, bob):
    make_channel(bob, name="Bob's number")
    assert api.get("/api/v1/account/channels").json()["data"] == []


def test_list_query_count_does_not_grow_with_page_size(api, alice, django_assert_max_num_queries):
    for index in range(30):
        make_channel(alice, name=f"Channel {index}")
    api.get("/api/v1/account")  # the key's first use writes last_used once
    with django_assert_max_num_queries(6) as small:
        api.get("/api/v1/account/channels", {"per_page": 5})
    with django_assert_max_num_queries(6) as large:
        api.get("/api/v1/account/channels", {"per_page": 30})
    assert len(small.captured_queries) == len(large.captured_queries)


def test_throttling_answers_429_with_retry_after(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "3/min"},
    }
    statuses = [api.get("/api/v1/account").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/account")
    assert int(response["Retry-After"]) > 0
    assert response.json()["success"] is False


def test_throttling_is_per_key(api, bob_api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key": "2/min"},
    }
    for _ in range(3):
        api.get("/api/v1/account")
    assert bob_api.get("/api/v1/account").status_code == 200


def test_openapi_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/account" in schema.content
    assert client.get("/api/v1/docs/").status_code == 200


def test_the_openapi_document_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for path in ("/api/v1/campaigns", "/api/v1/contacts/import", "/api/v1/segments/{id}/contacts"):
        assert f"{path}:" in text
