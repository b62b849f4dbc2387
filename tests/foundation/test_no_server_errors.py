"""Requests that once ended in a 500: each now gets a clear 4xx in the envelope."""

import json

import pytest

from campaigns.models import Campaign
from channels.models import Channel
from contacts.models import Contact, Segment
from tests.campaigns.helpers import campaign_body
from tests.factories import make_channel, make_contact

SURROGATE = "\ud800"


def _raw_json(text: str) -> str:
    """JSON text carrying a lone surrogate escape, as a hostile client would send it."""
    return text.replace("SURROGATE", "\\ud800")


def post_raw(api, url, body: str, method="POST"):
    return api.generic(method, url, body.encode(), content_type="application/json")


def assert_envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content[:500]
    body = response.json()
    assert body["success"] is False
    return body


@pytest.fixture
def draft(api, alice):
    channel = make_channel(alice)
    contact = make_contact(alice)
    body = campaign_body(channel, contact_ids=[contact.pk])
    response = api.post("/api/v1/campaigns", body, format="json")
    assert response.status_code == 201
    return response.json()["data"]


# 1. A partial or empty send window.


@pytest.mark.parametrize("method", ["patch", "put"])
@pytest.mark.parametrize("window", [{}, {"start": "09:00"}, {"end": "20:00"}])
def test_a_partial_send_window_is_422(api, draft, method, window):
    url = f"/api/v1/campaigns/{draft['id']}"
    response = getattr(api, method)(url, {"send_window": window}, format="json")
    body = assert_envelope(response, 422)
    missing = {"start", "end"} - set(window)
    assert {f"send_window.{name}" for name in missing} <= set(body["errors"])
    assert Campaign.objects.get(pk=draft["id"]).send_window_start is None


# 2. A body over Django's upload limit.


@pytest.mark.parametrize("url", ["/api/v1/contacts", "/api/v1/lists", "/api/v1/segments"])
def test_a_body_over_the_upload_limit_is_413(api, settings, url):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"name": "x" * 2000, "phone": "+966501111111"})
    response = post_raw(api, url, body)
    assert_envelope(response, 413)
    assert Contact.objects.count() == 0


def test_a_body_over_the_default_upload_limit_is_413(api):
    body = json.dumps({"phone": "+966501111111", "attributes": {"note": "x" * 900}}) + " " * (
        3 * 1024 * 1024
    )
    response = post_raw(api, "/api/v1/contacts", body)
    assert_envelope(response, 413)
    assert Contact.objects.count() == 0


def test_a_webhook_body_over_the_upload_limit_is_413(client, alice, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    config = {"url": "https://gw.example.com/s", "secret": "s" * 20}
    channel = make_channel(alice, provider="webhook", config=config)
    response = client.post(
        f"/webhooks/{channel.webhook_token}/", "x" * 5000, content_type="application/json"
    )
    assert response.status_code == 413


# 3. JSON nested far too deep.


@pytest.mark.parametrize("url", ["/api/v1/lists", "/api/v1/contacts", "/api/v1/segments"])
@pytest.mark.parametrize("depth", [1000, 100_000])
def test_deeply_nested_json_is_422(api, url, depth):
    response = post_raw(api, url, "[" * depth + "]" * depth)
    body = assert_envelope(response, 422)
    assert "nest" in body["message"].lower()


def test_moderately_nested_json_inside_a_value_is_422_not_stored(api):
    nested = "[" * 200 + "]" * 200
    body = f'{{"phone": "+966501111111", "attributes": {{"a": {nested}}}}}'
    assert_envelope(post_raw(api, "/api/v1/contacts", body), 422)
    assert Contact.objects.count() == 0


# 4. Lone surrogates and NULs inside JSON objects.


@pytest.mark.parametrize(
    "body",
    [
        '{"phone": "+966501111111", "attributes": {"SURROGATE": "x"}}',
        '{"phone": "+966501111111", "attributes": {"k": "aSURROGATEb"}}',
    ],
)
def test_a_surrogate_in_contact_attributes_is_422(api, body):
    response = post_raw(api, "/api/v1/contacts", _raw_json(body))
    errors = assert_envelope(response, 422)["errors"]
    assert "attributes" in errors
    assert Contact.objects.count() == 0


def test_a_surrogate_in_contact_attributes_is_422_on_patch(api, alice):
    contact = make_contact(alice, attributes={"city": "Riyadh"})
    body = _raw_json('{"attributes": {"city": "SURROGATE"}}')
    response = post_raw(api, f"/api/v1/contacts/{contact.pk}", body, method="PATCH")
    assert "attributes" in assert_envelope(response, 422)["errors"]
    contact.refresh_from_db()
    assert contact.attributes == {"city": "Riyadh"}


@pytest.mark.parametrize(
    ("condition", "field"),
    [
        ('{"field": "name", "op": "eq", "value": "SURROGATE"}', "conditions.0.value"),
        ('{"field": "tags", "op": "in", "value": ["a", "SURROGATE"]}', "conditions.0.value"),
        ('{"field": "attributes.city", "op": "eq", "value": "SURROGATE"}', "conditions.0.value"),
        ('{"field": "attributes.SURROGATE", "op": "exists", "value": true}', "conditions.0.field"),
    ],
)  # fmt: skip
def test_a_surrogate_in_segment_rules_is_422(api, condition, field):
    body = _raw_json(f'{{"name": "S", "rules": {{"match": "all", "conditions": [{condition}]}}}}')
    errors = assert_envelope(post_raw(api, "/api/v1/segments", body), 422)["errors"]
    assert f"rules.{field}" in errors
    assert Segment.objects.count() == 0


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ('{"url": "https://gw.example.com/SURROGATE"}', "config.url"),
        ('{"url": "https://gw.example.com/s", "secret": "SURROGATEbcdefghijklm"}', "config.secret"),
        ('{"url": "https://gw.example.com/s\\u0000"}', "config.url"),
        ('{"url": "https://gw.example.com/s", "SURROGATE": "x"}', "config"),
    ],
)  # fmt: skip
def test_a_surrogate_or_nul_in_channel_config_is_422(api, config, field):
    body = _raw_json(
        f'{{"name": "GW", "type": "whatsapp", "provider": "webhook", "config": {config}}}'
    )
    errors = assert_envelope(post_raw(api, "/api/v1/channels", body), 422)["errors"]
    assert any(key == field or key.startswith(f"{field}.") for key in errors), errors
    assert Channel.objects.count() == 0


# 5. A surrogate echoed back in a validation message.


def test_a_surrogate_phone_is_422_on_post(api):
    body = _raw_json('{"phone": "+9665SURROGATE"}')
    errors = assert_envelope(post_raw(api, "/api/v1/contacts", body), 422)["errors"]
    assert "phone" in errors


def test_a_surrogate_phone_is_422_on_patch(api, alice):
    contact = make_contact(alice)
    body = _raw_json('{"phone": "SURROGATE"}')
    response = post_raw(api, f"/api/v1/contacts/{contact.pk}", body, method="PATCH")
    assert "phone" in assert_envelope(response, 422)["errors"]


def test_a_surrogate_timezone_is_422(api, alice):
    channel = make_channel(alice)
    contact = make_contact(alice)
    body = json.dumps(campaign_body(channel, contact_ids=[contact.pk], timezone="TZ"))
    response = post_raw(api, "/api/v1/campaigns", body.replace('"TZ"', '"\\ud800"'))
    assert "timezone" in assert_envelope(response, 422)["errors"]


def test_a_surrogate_segment_phone_is_422(api):
    body = _raw_json(
        '{"name": "S", "rules": {"conditions": '
        '[{"field": "phone", "op": "eq", "value": "SURROGATE"}]}}'
    )
    errors = assert_envelope(post_raw(api, "/api/v1/segments", body), 422)["errors"]
    assert "rules.conditions.0.value" in errors


# 6. An absurd page number on a campaign's contacts.


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775807"])
def test_a_huge_page_of_campaign_contacts_is_an_empty_page(api, draft, page):
    response = api.get(f"/api/v1/campaigns/{draft['id']}/contacts", {"page": page})
    assert response.status_code == 200
    assert response.json()["data"] == []


def test_a_cursor_beyond_any_id_is_422(api, draft):
    import base64

    token = base64.urlsafe_b64encode(b"after:99999999999999999999").decode().rstrip("=")
    response = api.get(f"/api/v1/campaigns/{draft['id']}/contacts", {"cursor": token})
    assert "cursor" in assert_envelope(response, 422)["errors"]


# 7. Segment dates out of any database's range.


@pytest.mark.parametrize(
    ("op", "value"),
    [
        ("after", "9999-12-31"),
        ("before", "0001-01-01"),
        ("after", "9999-12-31T23:59:59Z"),
        ("before", "2026-03-01T08:00:00+16:00"),
        ("after", "2026-03-01T08:00:00-23:59"),
        ("before", "0001-01-01T00:00:00+05:00"),
    ],
)
def test_a_segment_date_out_of_range_is_refused_on_save(api, alice, op, value):
    make_contact(alice)
    rules = {"conditions": [{"field": "created_at", "op": op, "value": value}]}
    response = api.post("/api/v1/segments", {"name": "Far", "rules": rules}, format="json")
    errors = assert_envelope(response, 422)["errors"]
    assert "rules.conditions.0.value" in errors
    assert Segment.objects.count() == 0


def test_an_edge_offset_is_still_accepted(api, alice):
    make_contact(alice)
    rules = {
        "conditions": [{"field": "created_at", "op": "after", "value": "2026-03-01T08:00+15:59"}]
    }
    response = api.post("/api/v1/segments", {"name": "Edge", "rules": rules}, format="json")
    assert response.status_code == 201
    segment_id = response.json()["data"]["id"]
    assert api.get(f"/api/v1/segments/{segment_id}/contacts").status_code == 200


# 8. The API docs opened with a key.


def test_the_docs_with_a_valid_key_are_served(api):
    assert api.get("/api/v1/docs/").status_code == 200
    assert api.get("/api/v1/schema/").status_code == 200


# 9. A POST without the trailing slash under DEBUG.


@pytest.mark.parametrize("path", ["/api/v1/schema", "/api/v1/docs"])
def test_a_post_without_trailing_slash_is_a_clean_error_under_debug(api, settings, path):
    settings.DEBUG = True
    response = api.post(path, {}, format="json")
    assert response.status_code in (404, 405)
    assert response.json()["success"] is False


def test_a_get_without_trailing_slash_still_finds_the_schema(api, settings):
    settings.DEBUG = True
    response = api.get("/api/v1/schema", follow=True)
    assert response.status_code == 200


def test_a_patched_message_without_a_type_is_422_not_500(api, alice):
    from campaigns.models import CampaignMessage
    from tests.factories import make_campaign

    campaign = make_campaign(alice)
    body = {"messages": [{"content": "", "template_name": "0", "language": "aa"}]}
    response = api.patch(f"/api/v1/campaigns/{campaign.pk}", body, format="json")
    assert response.status_code == 422
    assert "messages.0.type" in response.json()["errors"]
    assert [m.content for m in CampaignMessage.objects.filter(campaign=campaign)] == ["Hi {{name}}"]
