"""Channels: provider webhooks applied per second, and transport sends over local HTTP.

Webhooks are measured end to end through Django (signature check, parse, conditional
updates) against 50,000 recorded deliveries; transports against the local fake servers
the tests use (so the figure is SkyLight's own overhead plus loopback HTTP).
"""

import itertools
import json
import time

from django.conf import settings
from django.db import connection
from django.test import Client

from benchmarks.harness import median_ms, report
from campaigns.models import Campaign, CampaignContact, Delivery
from channels.models import Channel
from channels.transports import OutboundMessage, transport_for
from contacts.models import Contact
from skylight.models import Account
from skylight.services import account_create
from tests.fakes import evolution, gateway, waha, whatsapp

ACCOUNT_NAME = "Benchmark: channels"
DELIVERIES = 50_000


def _data():
    account = Account.objects.filter(name=ACCOUNT_NAME).first()
    if account is None:
        account = account_create(name=ACCOUNT_NAME, timezone_name="UTC")
    channel = Channel.objects.filter(account=account).first() or Channel.objects.create(
        account=account, name="Bench WhatsApp", type="whatsapp", provider="whatsapp_cloud",
        config={"phone_number_id": whatsapp.PHONE_NUMBER_ID, "access_token": "t",
                "app_secret": whatsapp.APP_SECRET},
    )  # fmt: skip
    campaign = Campaign.objects.filter(channel=channel).first() or Campaign.objects.create(
        account=account, channel=channel, name="Bench", status="running"
    )
    if not Delivery.objects.filter(campaign_contact__campaign=campaign).exists():
        contacts = Contact.objects.bulk_create(
            Contact(account=account, phone=f"+9665{n:08d}", name=f"C{n}") for n in range(DELIVERIES)
        )
        rows = CampaignContact.objects.bulk_create(
            CampaignContact(campaign=campaign, contact=c, status="sent") for c in contacts
        )
        Delivery.objects.bulk_create(
            Delivery(campaign_contact=row, position=0, type="text", body="Hi", status="sent",
                     provider_message_id=f"wamid.BENCH{row.pk}")
            for row in rows
        )  # fmt: skip
    Delivery.objects.filter(campaign_contact__campaign=campaign).update(status="sent")
    ids = list(
        Delivery.objects.filter(campaign_contact__campaign=campaign).values_list(
            "provider_message_id", flat=True
        )
    )
    return channel, ids


def _post(client, channel, body: bytes):
    response = client.post(
        f"/webhooks/{channel.webhook_token}/", body, content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=whatsapp.meta_signature(body),
    )  # fmt: skip
    assert response.status_code == 200, response.content


def _webhooks(channel, ids) -> None:
    client = Client(HTTP_HOST="localhost")
    pending = iter(ids)
    median = median_ms(
        lambda: _post(client, channel, whatsapp.status_update(next(pending), "delivered")), 200
    )
    report(f"Meta status webhook (of {len(ids):,} deliveries), median", f"{median:.2f} ms")
    count, start = 500, time.perf_counter()
    for message_id in itertools.islice(pending, count):
        _post(client, channel, whatsapp.status_update(message_id, "read"))
    report("Meta status webhooks, sequential", f"{count / (time.perf_counter() - start):,.0f} /s")
    _batched_webhooks(client, channel, pending)
    phones = itertools.count(1)
    median = median_ms(
        lambda: _post(client, channel, whatsapp.inbound_text(f"9665{next(phones):08d}", "STOP")),
        100,
    )
    report("Meta inbound STOP webhook (opt-out account-wide), median", f"{median:.2f} ms")


BATCH = 50  # statuses per payload; Meta sends up to ~1,000 at busy times


def _many_statuses(message_ids: list[str], status: str) -> bytes:
    """One Meta payload carrying a status for each of `message_ids`."""
    value = json.loads(whatsapp.status_update(message_ids[0], status))
    statuses = value["entry"][0]["changes"][0]["value"]["statuses"]
    statuses[:] = [{**statuses[0], "id": message_id} for message_id in message_ids]
    return json.dumps(value).encode()


def _batched_webhooks(client, channel, pending) -> None:
    bodies = [
        _many_statuses(list(itertools.islice(pending, BATCH)), "delivered") for _ in range(40)
    ]
    start = time.perf_counter()
    for body in bodies:
        _post(client, channel, body)
    rate = len(bodies) * BATCH / (time.perf_counter() - start)
    label = f"Meta status webhooks, {BATCH} statuses per payload, sequential"
    report(label, f"{rate:,.0f} events/s")


def _sends(fake, channel) -> None:
    transport = transport_for(channel)
    message = OutboundMessage(type="text", content="Hello")
    count = 500
    start = time.perf_counter()
    for _ in range(count):
        transport.send("+966501234567", message)
    rate = count / (time.perf_counter() - start)
    report(f"{channel.provider} transport sends to a local fake, sequential", f"{rate:,.0f} /s")


def main() -> None:
    if connection.vendor != "postgresql":
        print("  note: figures on SQLite are not the ones we report")
    channel, ids = _data()
    _webhooks(channel, ids)
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = True
    # WAHA's typing indicator is off: its human pause is not our overhead.
    for fake, provider, base, extra in (
        (gateway.FakeGateway(), "webhook", None, {}),
        (whatsapp.FakeWhatsApp(), "whatsapp_cloud", "SKYLIGHT_WHATSAPP_API_BASE", {}),
        (waha.FakeWaha(), "waha", None, {"typing_indicator": False}),
        (evolution.FakeEvolution(), "evolution_api", None, {}),
    ):
        fake.start()
        try:
            if base:
                setattr(settings, base, fake.url)
            config = {**fake.channel_config(), **extra}
            unsaved = Channel(name="bench", type="whatsapp", provider=provider,
                              config=config)  # fmt: skip
            _sends(fake, unsaved)
        finally:
            fake.stop()
