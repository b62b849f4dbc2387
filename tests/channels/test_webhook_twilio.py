"""Twilio webhooks: X-Twilio-Signature over URL + sorted params; statuses and inbound."""

import pytest

from tests.factories import make_channel, make_contact, make_delivery
from tests.fakes.twilio import twilio_signature


@pytest.fixture
def channel(alice, fake_twilio, settings):
    settings.SKYLIGHT_PUBLIC_URL = "https://sky.example.com"
    return make_channel(alice, type="sms", provider="twilio", config=fake_twilio.channel_config())


def post(client, channel, params: dict, signature: str | None = None, url: str | None = None):
    url = url or channel.webhook_url
    signature = twilio_signature(url, params) if signature is None else signature
    return client.post(
        f"/webhooks/{channel.webhook_token}/", params, HTTP_X_TWILIO_SIGNATURE=signature
    )


def status_params(sid: str, status: str, **extra) -> dict:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "MessageStatus": status,
        "SmsStatus": status,
        "AccountSid": "AC" + "0" * 32,
        "To": "+966501234567",
        "From": "+15005550006",
        **extra,
    }


def test_a_signed_status_callback_updates_the_delivery(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "SM1")

    response = post(client, channel, status_params("SM1", "delivered"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_undelivered_maps_to_failed_with_the_error_code(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "SM2")
    post(client, channel, status_params("SM2", "undelivered", ErrorCode="30003"))
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == ("failed", "Twilio error 30003")


def test_the_signature_of_the_url_the_request_arrived_at_is_accepted(client, channel, alice):
    delivery = make_delivery(channel, make_contact(alice), "SM3")
    local_url = f"http://testserver/webhooks/{channel.webhook_token}/"
    assert post(client, channel, status_params("SM3", "read"), url=local_url).status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "read"


@pytest.mark.parametrize("forge", ["empty", "other_token", "tampered"])
def test_forged_signatures_are_403_and_change_nothing(client, channel, alice, forge):
    delivery = make_delivery(channel, make_contact(alice), "SM4")
    params = status_params("SM4", "delivered")
    signature = {
        "empty": "",
        "other_token": twilio_signature(channel.webhook_url, params, "x" * 32),
        "tampered": twilio_signature(channel.webhook_url, {**params, "MessageStatus": "sent"}),
    }[forge]

    assert post(client, channel, params, signature).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_inbound_stop_opts_out_every_type_at_that_phone(client, channel, alice, bob):
    sms = make_contact(alice, phone="+966501234567", type="sms")
    whatsapp = make_contact(alice, phone="+966501234567", type="whatsapp")
    other_account = make_contact(bob, phone="+966501234567", type="sms")

    params = {
        "MessageSid": "SMin",
        "SmsStatus": "received",
        "From": "+966501234567",
        "To": "+15005550006",
        "Body": "  Stop  ",
    }
    response = post(client, channel, params)

    assert response.status_code == 200
    for contact, opted_out in ((sms, True), (whatsapp, True), (other_account, False)):
        contact.refresh_from_db()
        assert contact.opted_out is opted_out


def test_inbound_whatsapp_sender_prefix_is_stripped(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567")
    post(
        client,
        channel,
        {"SmsStatus": "received", "From": "whatsapp:+966501234567", "Body": "إلغاء"},
    )
    contact.refresh_from_db()
    assert contact.opted_out


def test_an_unsubscribed_error_in_a_status_callback_opts_out(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567", type="sms")
    make_delivery(channel, contact, "SM5")
    post(client, channel, status_params("SM5", "failed", ErrorCode="21610"))
    contact.refresh_from_db()
    assert contact.opted_out


def test_advanced_opt_out_type_counts_even_for_custom_keywords(client, channel, alice):
    contact = make_contact(alice, phone="+966501234567", type="sms")
    params = {
        "SmsStatus": "received",
        "From": "+966501234567",
        "Body": "Leave me alone",
        "OptOutType": "STOP",
    }
    post(client, channel, params)
    contact.refresh_from_db()
    assert contact.opted_out
