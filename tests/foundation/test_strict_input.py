"""Inputs the OpenAPI document calls invalid are refused with 422, not coerced (found by
schemathesis: each request here was once accepted although the document forbids it)."""

import pytest

from campaigns.models import Campaign
from channels.models import Channel
from contacts.models import ContactList
from tests.factories import make_channel, make_contact


def assert_refused(response, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["success"] is False
    assert field in body["errors"], body


@pytest.mark.parametrize("value", [0, 1.5, True, ["x"]])
def test_a_number_is_not_a_name(api, value):
    assert_refused(api.post("/api/v1/lists", {"name": value}, format="json"), "name")
    assert not ContactList.objects.exists()


def test_a_list_description_must_be_a_string(api):
    response = api.post("/api/v1/lists", {"name": "A", "description": 0}, format="json")
    assert_refused(response, "description")


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
def test_is_active_must_be_a_json_boolean(api, value):
    body = {"name": "C", "type": "whatsapp", "provider": "console", "is_active": value}
    assert_refused(api.post("/api/v1/channels", body, format="json"), "is_active")
    assert not Channel.objects.exists()


def test_an_id_given_as_a_string_is_refused(api, alice):
    channel = make_channel(alice)
    contact = make_contact(alice)
    body = {
        "name": "Hello",
        "channel_id": str(channel.pk),
        "contact_ids": [str(contact.pk)],
        "messages": [{"type": "text", "content": "Hi"}],
    }
    response = api.post("/api/v1/campaigns", body, format="json")
    assert_refused(response, "channel_id")
    assert response.json()["errors"]["contact_ids"] == ["Each item: must be an integer."]
    assert not Campaign.objects.exists()


def test_a_provider_setting_must_be_a_string(api):
    body = {
        "name": "Cloud",
        "type": "whatsapp",
        "provider": "whatsapp_cloud",
        "config": {"phone_number_id": 106540352242922, "access_token": "token"},
    }
    response = api.post("/api/v1/channels", body, format="json")
    assert_refused(response, "config.phone_number_id")
    assert response.json()["errors"]["config.phone_number_id"] == ["Must be a string."]


@pytest.mark.parametrize("value", ["9:00", "09:00:00", "24:00", 900])
def test_a_send_window_time_is_exactly_hh_mm(api, alice, value):
    channel = make_channel(alice)
    contact = make_contact(alice)
    body = {
        "name": "Hello",
        "channel_id": channel.pk,
        "contact_ids": [contact.pk],
        "messages": [{"type": "text", "content": "Hi"}],
        "send_window": {"start": value, "end": "20:00"},
    }
    response = api.post("/api/v1/campaigns", body, format="json")
    assert_refused(response, "send_window.start")


@pytest.mark.parametrize(
    "query, field",
    [
        ({"opted_out": "abc"}, "opted_out"),
        ({"opted_out": "1"}, "opted_out"),
        ({"list_id": "1.5"}, "list_id"),
        ({"list_id": "0"}, "list_id"),
    ],
)
def test_contact_filters_that_do_not_parse_are_422_not_ignored(api, query, field):
    assert_refused(api.get("/api/v1/contacts", query), field)


def test_boolean_filters_take_true_and_false(api, alice):
    make_contact(alice, opted_out=True)
    make_contact(alice)
    assert api.get("/api/v1/contacts", {"opted_out": "true"}).json()["meta"]["total"] == 1
    assert api.get("/api/v1/contacts", {"opted_out": "false"}).json()["meta"]["total"] == 1
    make_channel(alice, is_active=False)
    assert api.get("/api/v1/channels", {"is_active": "false"}).json()["meta"]["total"] == 1
    assert_refused(api.get("/api/v1/channels", {"is_active": "0"}), "is_active")


def test_campaign_channel_filter_is_a_positive_integer(api):
    assert_refused(api.get("/api/v1/campaigns", {"channel_id": "0"}), "channel_id")
    assert_refused(api.get("/api/v1/campaigns", {"channel_id": "x"}), "channel_id")


@pytest.mark.parametrize(
    "path", ["/api/v1/account", "/api/v1/account/subscription", "/api/v1/account/channels"]
)
def test_account_paths_answer_with_and_without_a_trailing_slash(api, path):
    assert api.get(path).status_code == 200
    assert api.get(path + "/").status_code == 200


@pytest.mark.parametrize(
    "url, query",
    [
        ("/api/v1/channels", {"provider": "", "type": ""}),
        ("/api/v1/contacts", {"type": "", "list_id": "", "opted_out": ""}),
        ("/api/v1/campaigns", {"status": "", "channel_id": ""}),
    ],
)
def test_an_empty_filter_is_no_filter(api, url, query):
    # Documented with allowEmptyValue; schemathesis sent these.
    assert api.get(url, query).status_code == 200


def test_an_empty_cursor_is_the_first_page(api, alice):
    channel = make_channel(alice)
    contact = make_contact(alice)
    body = {
        "name": "Hello",
        "channel_id": channel.pk,
        "contact_ids": [contact.pk],
        "messages": [{"type": "text", "content": "Hi"}],
    }
    campaign_id = api.post("/api/v1/campaigns", body, format="json").json()["data"]["id"]
    response = api.get(f"/api/v1/campaigns/{campaign_id}/contacts", {"cursor": "", "status": ""})
    assert response.status_code == 200
    assert response.json()["meta"]["current_page"] == 1
