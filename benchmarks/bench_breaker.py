"""The circuit breaker's cost after a send flush: what it adds per channel.

A channel with an hour of attempts (`HOUR`) among `OTHER` older or other-channel rows
in the window table; the breaker reads its window (bounded), prunes, and judges. The
figure is one `breaker_check` for one channel, and the queries it makes.
"""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from benchmarks.harness import median_ms, report
from campaigns.breaker import breaker_check
from campaigns.models import ChannelAttempt
from channels.models import Channel
from skylight.models import Account
from skylight.services import account_create

ACCOUNT_NAME = "Benchmark: breaker"
CHANNELS = 200
OTHER = 100_000
HOUR = 300  # far above a warm-up number's hourly sends


def _data():
    account = Account.objects.filter(name=ACCOUNT_NAME).first() or account_create(
        name=ACCOUNT_NAME, timezone_name="UTC"
    )
    channels = list(Channel.objects.filter(account=account).order_by("pk"))
    if len(channels) < CHANNELS:
        channels += Channel.objects.bulk_create(
            Channel(account=account, name=f"Bench {n}", type="whatsapp", provider="console")
            for n in range(len(channels), CHANNELS)
        )
    ids = [channel.pk for channel in channels]
    now = timezone.now()
    ChannelAttempt.objects.filter(channel_id__in=ids).delete()
    ChannelAttempt.objects.bulk_create(
        ChannelAttempt(
            channel_id=ids[1 + n % (CHANNELS - 1)],
            at=now - timedelta(minutes=n % 50),
            kind="ok" if n % 11 else "failed",
        )
        for n in range(OTHER)
    )
    ChannelAttempt.objects.bulk_create(
        ChannelAttempt(channel_id=ids[0], at=now - timedelta(seconds=10 * n), kind="ok")
        for n in range(HOUR)
    )
    return ids[0], now


def main() -> None:
    channel_id, now = _data()
    with CaptureQueriesContext(connection) as queries:
        breaker_check(channel_ids=[channel_id], now=now)
    median = median_ms(lambda: breaker_check(channel_ids=[channel_id], now=now), 200)
    report(
        f"breaker_check, 1 channel ({HOUR} sends in its hour, {OTHER:,} other rows), median",
        f"{median:.2f} ms",
    )
    report("breaker_check, queries per channel (healthy, no change)", str(len(queries)))
    baseline = median_ms(lambda: Channel.objects.filter(pk=channel_id).exists(), 200)
    report("for scale: one primary-key lookup on the same machine, median", f"{baseline:.2f} ms")
