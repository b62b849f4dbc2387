"""Evolution API webhooks: upserts (ignoring our own echoes) and status updates."""

import pytest

from tests.factories import make_channel, make_contact, make_delivery
from tests.fakes.evolution import update, upsert


@pytest.fixture
def channel(alice, fake_evolution):
    return make_channel(alice, provider="evolution_api", config=fake_evolution.channel_config())


def post(client, channel, body: bytes):
    return client.post(f"/webhooks/{channel.webhook_token}/", body, content_type="application/json")


def test_stop_opts_the_person_out(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")

    response = post(client, channel, upsert("966501234567", "stop"))

    assert response.status_code == 200 and response.json()["opted_out"] == 1
    contact.refresh_from_db()
    assert contact.opted_out is True


def test_our_own_echo_is_ignored(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")

    post(client, channel, upsert("966501234567", "STOP", from_me=True))

    contact.refresh_from_db()
    assert contact.opted_out is False


def test_a_wrong_token_is_404(client, channel):
    response = client.post("/webhooks/guess/", upsert("1", "STOP"), content_type="application/json")
    assert response.status_code == 404


def test_updates_move_forward_only_with_numbers_or_names(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    delivery = make_delivery(channel, contact, "BAE5X", status="sent")

    post(client, channel, update("966501234567", "BAE5X", 3))
    delivery.refresh_from_db()
    assert delivery.status == "delivered"

    post(client, channel, update("966501234567", "BAE5X", "READ"))
    post(client, channel, update("966501234567", "BAE5X", "SERVER_ACK"))
    post(client, channel, update("966501234567", "BAE5X", 0))
    delivery.refresh_from_db()
    assert delivery.status == "read"


def test_an_error_status_fails_an_unconfirmed_message(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    delivery = make_delivery(channel, contact, "BAE5Y", status="sent")

    post(client, channel, update("966501234567", "BAE5Y", "ERROR"))

    delivery.refresh_from_db()
    assert delivery.status == "failed" and "ERROR" in delivery.error


def test_a_body_without_event_is_400(client, channel):
    assert post(client, channel, b'{"data": {}}').status_code == 400
