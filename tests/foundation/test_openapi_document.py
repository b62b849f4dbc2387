"""The OpenAPI document describes what the server answers (see docs/api.md).

These checks hold without running schemathesis (`make fuzz`), so a regression in the
document fails the ordinary suite.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from channels.transports import TRANSPORTS

API = "/api/v1"


@pytest.fixture(scope="module")
def document():
    return SchemaGenerator().get_schema(request=None, public=True)


def resolve(document, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_schema(document, path: str, method: str, status: str) -> dict:
    response = document["paths"][API + path][method]["responses"][status]
    return resolve(document, response["content"]["application/json"]["schema"])


def test_a_single_object_is_documented_inside_the_success_envelope(document):
    envelope = body_schema(document, "/campaigns/{id}", "get", "200")
    assert envelope["required"] == ["success", "data"]
    assert envelope["properties"]["success"] == {"type": "boolean", "enum": [True]}
    campaign = resolve(document, envelope["properties"]["data"])
    assert "send_window" in campaign["properties"]


def test_every_success_response_has_the_envelope(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                json = response.get("content", {}).get("application/json")
                if status.startswith("2") and json:  # exports answer text/csv
                    schema = resolve(document, json["schema"])
                    assert schema["properties"]["success"]["enum"] == [True], (method, path)
                    assert "data" in schema["required"], (method, path)


def test_lists_document_their_meta(document):
    envelope = body_schema(document, "/contacts", "get", "200")
    meta = envelope["properties"]["meta"]
    assert set(meta["required"]) == {"current_page", "per_page", "total", "last_page"}


def test_campaign_contacts_document_the_cursor(document):
    meta = body_schema(document, "/campaigns/{id}/contacts", "get", "200")["properties"]["meta"]
    assert meta["properties"]["next_cursor"]["nullable"] is True
    assert meta["properties"]["current_page"]["nullable"] is True
    assert "next_cursor" in meta["required"]


def test_validation_errors_are_documented_with_the_error_envelope(document):
    error = body_schema(document, "/contacts", "post", "422")
    assert error["required"] == ["success", "message", "errors"]
    assert error["properties"]["success"]["enum"] == [False]
    assert error["properties"]["errors"]["additionalProperties"]["type"] == "array"


@pytest.mark.parametrize(
    "path, method, statuses",
    [
        ("/campaigns", "post", {"401", "403", "413", "415", "422", "429"}),
        ("/campaigns/{id}/start", "post", {"401", "404", "409", "429"}),
        ("/contacts/{id}", "get", {"401", "404", "429"}),
        ("/channels", "get", {"401", "422", "429"}),
    ],
)
def test_error_statuses_are_documented_by_kind_of_operation(document, path, method, statuses):
    responses = document["paths"][API + path][method]["responses"]
    assert statuses <= set(responses)
    for status in statuses:
        assert responses[status]["content"]["application/json"]["schema"]["$ref"].endswith(
            ("/Error", "/ValidationError")
        )
    assert "Retry-After" in responses["429"]["headers"]


def test_removing_list_members_documents_its_200_and_body(document):
    operation = document["paths"][API + "/lists/{id}/contacts"]["delete"]
    assert "200" in operation["responses"] and "204" not in operation["responses"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "contact_ids" in resolve(document, body)["required"]


def test_send_window_times_have_a_pattern_not_a_time_format(document):
    window = document["components"]["schemas"]["SendWindowRequest"]["properties"]["start"]
    assert "format" not in window
    assert re.fullmatch(window["pattern"].strip("^$"), "09:00")
    assert not re.fullmatch(window["pattern"].strip("^$"), "9:00")
    assert not re.fullmatch(window["pattern"].strip("^$"), "24:00")


def test_real_constraints_are_in_the_schema(document):
    schemas = document["components"]["schemas"]
    phone = schemas["ContactRequest"]["properties"]["phone"]["pattern"]
    assert re.fullmatch(phone.strip("^$"), "+966501234567")
    assert not re.fullmatch(phone.strip("^$"), "0501234567")
    messages = schemas["CampaignCreateRequest"]["properties"]["messages"]
    assert (messages["minItems"], messages["maxItems"]) == (1, 10)
    timezone = resolve(document, schemas["CampaignCreateRequest"]["properties"]["timezone"])
    if "allOf" in timezone:
        timezone = resolve(document, timezone["allOf"][0])
    assert {"UTC", "Asia/Riyadh"} <= set(timezone["enum"])
    identifier = document["paths"][API + "/contacts/{id}"]["get"]["parameters"][0]["schema"]
    assert identifier["type"] == "integer" and identifier["minimum"] == 1


def test_channel_config_lists_every_registered_provider(document):
    schemas = document["components"]["schemas"]
    for component in ("ChannelRequest", "PatchedChannelRequest", "Channel"):
        branches = schemas[component]["properties"]["config"]["anyOf"]
        providers = {resolve(document, branch)["x-provider"] for branch in branches}
        assert providers == set(TRANSPORTS), component
    whatsapp = schemas["WhatsappCloudConfigRequest"]
    assert whatsapp["required"] == ["phone_number_id"]
    assert whatsapp["additionalProperties"] is False
    assert "access_token" not in schemas["WhatsappCloudConfig"]["properties"]


def test_main_operations_carry_examples(document):
    for path in ("/campaigns", "/contacts", "/segments"):
        operation = document["paths"][API + path]["post"]
        assert operation["requestBody"]["content"]["application/json"].get("examples"), path
        created = operation["responses"]["201"]["content"]["application/json"]
        for example in created["examples"].values():
            assert example["value"]["success"] is True, path


def test_creates_link_to_the_operations_on_the_new_object(document):
    links = document["paths"][API + "/campaigns"]["post"]["responses"]["201"]["links"]
    assert links["campaigns_start_create"]["parameters"] == {"id": "$response.body#/data/id"}


def test_generating_twice_gives_the_same_document(document):
    again = SchemaGenerator().get_schema(request=None, public=True)
    assert again == document
    assert again["components"]["schemas"]["Error"]["properties"]["success"]["enum"] == [False]


def test_the_channel_test_send_documents_the_providers_502(document):
    response = document["paths"][API + "/channels/{id}/test"]["post"]["responses"]["502"]
    schema = response["content"]["application/json"]["schema"]
    assert schema["properties"]["success"]["enum"] == [False]
