"""The report's counts on PostgreSQL (campaigns migration 0010) equal the live aggregates.

The counts are kept by triggers on the contact rows and the deliveries, so every writer
moves them: the engine's claims and flushes, retries, the reaper, provider statuses one
by one and in batches, replies, opt-outs, contact and campaign deletions, raw SQL. Each
test compares `counted_*` with `live_*` (campaigns/reports.py), the aggregate the
counts replace, and the whole report read both ways.
"""

import importlib
import threading
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from campaigns.deliveries import delivery_status_record
from campaigns.engine.recording import reap_stale_claims
from campaigns.models import (
    Campaign,
    CampaignContact,
    Delivery,
    ReportDayCount,
    ReportStepCount,
)
from campaigns.replies import reply_record
from campaigns.reports import (
    campaign_report,
    counted_day_rows,
    counted_steps,
    live_day_rows,
    live_steps,
    report_counts_compact,
)
from campaigns.services import campaign_cancel, campaign_delete
from campaigns.status_batches import delivery_statuses_record
from channels.webhooks.events import StatusEvent
from contacts.models import Contact
from contacts.services import contact_delete
from tests.engine.helpers import (
    assert_counters_match,
    assert_report_totals_are_the_counters,
    run_days,
    start_campaign,
)
from tests.factories import make_channel, make_contacts, make_delivery

pytestmark = pytest.mark.postgres

MIGRATION = importlib.import_module("campaigns.migrations.0010_report_counts")
FIRST = datetime(2027, 3, 1, tzinfo=UTC)
TWO_STEPS = [
    {"type": "text", "content": "Hi {{first_name|there}}"},
    {"type": "text", "content": "A second message"},
]


def days_of(rows) -> dict[tuple, int]:
    return {tuple(row[:-1]): row[-1] for row in rows}


def steps_of(found: dict) -> dict[int, tuple]:
    return {position: (c["sent"], c["delivered"], c["read"]) for position, c in found.items()}


def assert_counts_match(campaign: Campaign) -> None:
    """The counts give the live aggregates' rows, and the same report."""
    assert days_of(counted_day_rows(campaign)) == days_of(live_day_rows(campaign))
    assert steps_of(counted_steps(campaign)) == steps_of(live_steps(campaign))
    assert campaign_report(campaign=campaign) == campaign_report(campaign=campaign, live=True)


@pytest.fixture
def gateway_channel(alice, fake_gateway):
    return make_channel(alice, provider="webhook", config=fake_gateway.channel_config())


def statuses(channel, deliveries, status, *, batch: bool) -> None:
    events = [
        StatusEvent(provider_message_id=d.provider_message_id, status=status) for d in deliveries
    ]
    if batch:
        delivery_statuses_record(channel=channel, events=events)
    else:
        for event in events:
            delivery_status_record(channel=channel, event=event)


def test_the_counts_equal_the_live_report_after_a_realistic_run(
    alice, gateway_channel, fake_gateway
):
    """Days in Riyadh's time zone with every kind of outcome and every writer."""
    fake_gateway.always("ok")
    people = make_contacts(alice, 150)
    for person in people[10::40][:3]:
        fake_gateway.for_recipient(person.phone, "rejected")  # failed, HTTP 400
    for person in people[7:9]:
        fake_gateway.for_recipient(person.phone, "server_error")  # retried, then failed
    campaign = start_campaign(
        alice,
        contacts=people,
        at=FIRST,
        channel=gateway_channel,
        messages=TWO_STEPS,
        timezone="Asia/Riyadh",
        send_window={"start": time(9), "end": time(17)},
    )
    Contact.objects.filter(pk__in=[p.pk for p in people[-4:]]).update(opted_out=True)
    run_days(FIRST, 2, step_minutes=60)
    assert_counts_match(campaign)

    # Replies from two contacts reached and one still pending (skipped: replied).
    pending = CampaignContact.objects.filter(campaign=campaign, status="pending").order_by("id")
    sent = CampaignContact.objects.filter(campaign=campaign, status="sent").order_by("id")
    for row in [*sent[:2], pending.first()]:
        reply_record(
            channel=gateway_channel, address=row.contact.phone, at=FIRST + timedelta(days=2)
        )
    # A contact reached, with deliveries, is deleted.
    contact_delete(contact=sent[5].contact)
    # A worker dies mid-send: its claim is reaped as "outcome unknown".
    stale = pending[1]
    CampaignContact.objects.filter(pk=stale.pk).update(
        status="sending", claimed_at=FIRST + timedelta(days=2, hours=8)
    )
    reap_stale_claims(FIRST + timedelta(days=2, hours=10))
    assert_counts_match(campaign)

    run_days(FIRST + timedelta(days=2), 6, step_minutes=60)
    firsts = list(
        Delivery.objects.filter(campaign_contact__campaign=campaign, position=1, status="sent")
        .order_by("id")
    )  # fmt: skip
    statuses(gateway_channel, firsts[:40], "delivered", batch=False)
    statuses(gateway_channel, firsts[40:90], "delivered", batch=True)
    statuses(gateway_channel, firsts[20:60], "read", batch=True)
    statuses(gateway_channel, firsts[95:97], "failed", batch=False)
    seconds = Delivery.objects.filter(campaign_contact__campaign=campaign, position=2)
    statuses(gateway_channel, list(seconds.order_by("id")[:30]), "read", batch=True)
    campaign.refresh_from_db()

    assert_counters_match(campaign)
    assert_counts_match(campaign)
    report = campaign_report(campaign=campaign)
    totals = report["totals"]
    assert campaign.status == "completed"
    assert_report_totals_are_the_counters(totals, campaign)
    # Every kind of outcome is there, so the comparison above covered each of them.
    assert totals["replied"] == 2 and totals["opted_out"] == 4
    assert totals["read"] > 0 and totals["delivered"] > totals["read"]
    reasons = {(f["reason"], f["code"]) for f in report["failures"]}
    assert reasons == {("rejected", "400"), ("not_accepted", "503"), ("worker_stopped", "")}
    assert len(report["days"]) >= 3  # cohorts of several days

    # Folding the appended rows into one per key changes nothing.
    pieces = ReportDayCount.objects.filter(campaign=campaign).count()
    report_counts_compact(campaign_id=campaign.pk)
    assert ReportDayCount.objects.filter(campaign=campaign).count() < pieces
    assert ReportDayCount.objects.filter(campaign=campaign).count() == len(live_day_rows(campaign))
    assert_counts_match(campaign)


def test_a_write_in_raw_sql_reaches_the_report_which_reads_no_contact_rows(alice):
    """Without the triggers the report would still show nothing sent."""
    campaign = start_campaign(alice, contacts=3, at=FIRST, messages=TWO_STEPS)
    rows = list(CampaignContact.objects.filter(campaign=campaign).order_by("id"))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE campaigns_campaigncontact SET status = 'sent', sent_at = %s, "
            "delivery_status = 'read' WHERE id IN (%s, %s)",
            [FIRST + timedelta(hours=10), rows[0].pk, rows[1].pk],
        )
        cursor.execute(
            "UPDATE campaigns_campaigncontact SET status = 'failed', claimed_at = %s, "
            "error = 'rejected: HTTP 470: no' WHERE id = %s",
            [FIRST + timedelta(days=1), rows[2].pk],
        )
        cursor.execute(
            "INSERT INTO campaigns_delivery (campaign_contact_id, position, type, body, "
            "caption, status, provider_message_id, error, sent_at) "
            "SELECT id, 1, 'text', 'Hi', '', 'read', 'raw' || id, '', sent_at "
            "FROM campaigns_campaigncontact WHERE id IN (%s, %s)",
            [rows[0].pk, rows[1].pk],
        )

    with CaptureQueriesContext(connection) as queries:
        report = campaign_report(campaign=campaign)

    assert (report["totals"]["sent"], report["totals"]["read"], report["totals"]["failed"]) == (
        2,
        2,
        1,
    )
    assert [day["date"] for day in report["days"]] == [FIRST.date(), FIRST.date() + timedelta(1)]
    assert report["failures"] == [{"reason": "rejected", "code": "470", "count": 1}]
    assert report["steps"][0] == {"index": 1, "sent": 2, "delivered": 2, "read": 2}
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert "campaigns_reportdaycount" in read and "campaigns_reportstepcount" in read
    assert "campaigns_campaigncontact" not in read and "campaigns_delivery" not in read
    assert_counts_match(campaign)


def test_rows_without_a_day_and_deliveries_never_sent_count_like_the_live_aggregate(alice):
    channel = make_channel(alice)
    people = make_contacts(alice, 2)
    make_delivery(channel, people[0], "m1", status="queued", position=3)  # sent row, no day
    make_delivery(channel, people[1], "m2", status="delivered", position=1)
    campaign = Campaign.objects.get(channel=channel)
    CampaignContact.objects.filter(campaign=campaign).update(error="other: HTTP 5")

    assert None in {row[0] for row in counted_day_rows(campaign)}
    assert 3 in counted_steps(campaign)
    assert_counts_match(campaign)


def test_changing_the_time_zone_moves_the_counts_to_its_days(alice):
    campaign = start_campaign(alice, contacts=4, at=FIRST)
    late = FIRST + timedelta(hours=22, minutes=30)  # the next day in Riyadh
    CampaignContact.objects.filter(campaign=campaign).update(status="sent", sent_at=late)
    before = {row[0] for row in counted_day_rows(campaign)}

    Campaign.objects.filter(pk=campaign.pk).update(timezone="Asia/Riyadh")
    campaign.refresh_from_db()

    assert before == {FIRST.date()}
    assert {row[0] for row in counted_day_rows(campaign)} == {FIRST.date() + timedelta(1)}
    assert_counts_match(campaign)


def test_the_migration_counts_existing_campaigns_as_the_triggers_would(alice):
    campaign = start_campaign(alice, contacts=5, at=FIRST, messages=TWO_STEPS)
    CampaignContact.objects.filter(campaign=campaign).update(
        status="failed", claimed_at=FIRST, error="not accepted after 3 attempts: HTTP 503: x"
    )
    expected = days_of(counted_day_rows(campaign))
    ReportDayCount.objects.all().delete()
    ReportStepCount.objects.all().delete()

    with connection.cursor() as cursor:
        for statement in MIGRATION.BACKFILL:
            cursor.execute(statement)

    assert days_of(counted_day_rows(campaign)) == expected
    assert_counts_match(campaign)


def test_a_report_with_many_appended_rows_compacts_them(alice, monkeypatch):
    from campaigns import reports

    campaign = start_campaign(alice, contacts=6, at=FIRST)
    for row in CampaignContact.objects.filter(campaign=campaign):
        CampaignContact.objects.filter(pk=row.pk).update(status="sent", sent_at=FIRST)
    assert ReportDayCount.objects.filter(campaign=campaign).count() == 6
    monkeypatch.setattr(reports, "COMPACT_AFTER", 2)

    first = campaign_report(campaign=campaign)

    assert ReportDayCount.objects.filter(campaign=campaign).count() == 1
    assert campaign_report(campaign=campaign) == first
    assert first["totals"]["sent"] == 6


def test_the_sweep_compacts_the_campaigns_whose_counts_piled_up_and_only_those(alice, monkeypatch):
    from campaigns import reports
    from campaigns.tasks import report_counts_sweep_task

    busy = start_campaign(alice, contacts=6, at=FIRST)
    for row in CampaignContact.objects.filter(campaign=busy):
        CampaignContact.objects.filter(pk=row.pk).update(status="sent", sent_at=FIRST)
    quiet = start_campaign(alice, contacts=2, at=FIRST)
    CampaignContact.objects.filter(campaign=quiet).update(status="sent", sent_at=FIRST)
    quiet_rows = set(ReportDayCount.objects.filter(campaign=quiet).values_list("id", "n"))
    monkeypatch.setattr(reports, "SWEEP_AFTER", 2)

    assert report_counts_sweep_task() == 1

    assert list(ReportDayCount.objects.filter(campaign=busy).values_list("n", flat=True)) == [6]
    assert set(ReportDayCount.objects.filter(campaign=quiet).values_list("id", "n")) == quiet_rows
    assert_counts_match(busy)
    assert report_counts_sweep_task() == 0


def test_deleting_a_campaign_deletes_its_counts(alice):
    campaign = start_campaign(alice, contacts=3, at=FIRST)
    CampaignContact.objects.filter(campaign=campaign).update(status="sent", sent_at=FIRST)
    assert ReportDayCount.objects.filter(campaign=campaign).exists()

    campaign_delete(campaign=campaign_cancel(campaign=campaign))

    assert not ReportDayCount.objects.filter(campaign_id=campaign.pk).exists()
    assert not ReportStepCount.objects.filter(campaign_id=campaign.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_writers_of_the_same_report_key_never_wait_for_each_other(alice):
    """Two open transactions move contacts of one campaign and day to the same key; the
    second goes through at once (counts are appended, not updated in place)."""
    campaign = start_campaign(alice, contacts=2, at=FIRST)
    first, second = CampaignContact.objects.filter(campaign=campaign).order_by("id")
    CampaignContact.objects.filter(campaign=campaign).update(status="sent", sent_at=FIRST)
    other = connections.create_connection("default")
    errors = []

    def move_second():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(
                    "UPDATE campaigns_campaigncontact SET delivery_status = 'read' WHERE id = %s",
                    [second.pk],
                )
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    try:
        other.set_autocommit(False)
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE campaigns_campaigncontact SET delivery_status = 'read' WHERE id = %s",
                [first.pk],
            )
        thread = threading.Thread(target=move_second)
        thread.start()
        thread.join()
        other.commit()
    finally:
        other.close()

    assert errors == []
    assert campaign_report(campaign=campaign)["totals"]["read"] == 2
    assert_counts_match(campaign)


@pytest.mark.django_db
def test_a_one_row_statement_after_a_large_one_plans_its_trigger_lookups_by_key():
    """PL/pgSQL plans a trigger's statements once per connection, for the first transition
    table it sees. After a large statement, a one-row statement's trigger must still look
    its campaign up by primary key, and never compile (JIT) the plan: measured, a joined
    plan with JIT cost 600 ms per one-status webhook after a bulk reset."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proname, proconfig FROM pg_proc WHERE proname LIKE 'campaigns_report_%%'"
        )
        functions = dict(cursor.fetchall())
        cursor.execute(
            "SELECT pg_get_functiondef(oid) FROM pg_proc WHERE proname = 'campaigns_report_steps'"
        )
        steps = cursor.fetchone()[0]
    assert len(functions) == 4
    assert all("jit=off" in (config or []) for config in functions.values())
    assert "JOIN campaigns_campaigncontact" not in steps
    assert "WHERE cc.id = d.campaign_contact_id" in steps
