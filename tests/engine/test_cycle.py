"""The cycle's rules: windows and timezones, pacing, shared channels, pause, opt-out."""

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from campaigns.engine import run_cycle
from campaigns.models import Campaign, CampaignContact, CampaignDay, ChannelDay, Delivery
from campaigns.progress import messages_sent_today, remaining_today
from campaigns.services import campaign_pause, campaign_resume
from contacts.models import Contact
from tests.engine.helpers import assert_counters_match, cycle, inline, run_days, start_campaign
from tests.factories import make_channel

RIYADH = ZoneInfo("Asia/Riyadh")
NINE_TO_FIVE = {"start": time(9), "end": time(17)}


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def attempted_on(campaign, day) -> int:
    row = CampaignDay.objects.filter(campaign=campaign, date=day).first()
    return row.attempted if row else 0


def test_nothing_leaves_outside_the_window_in_the_campaigns_timezone(bob):
    campaign = start_campaign(bob, contacts=30, at=utc(2027, 3, 1, 3), send_window=NINE_TO_FIVE)
    assert campaign.timezone == "Asia/Riyadh"

    cycle(utc(2027, 3, 1, 5, 59))  # 08:59 in Riyadh
    campaign.refresh_from_db()
    assert campaign.sent_count == 0
    assert campaign.next_send_at == utc(2027, 3, 1, 6)

    cycle(utc(2027, 3, 1, 6, 1))  # 09:01 in Riyadh
    campaign.refresh_from_db()
    assert campaign.sent_count == 1

    cycle(utc(2027, 3, 1, 14, 0))  # 17:00 in Riyadh: closed until local midnight starts day 2
    campaign.refresh_from_db()
    assert campaign.sent_count == 1 and campaign.next_send_at == utc(2027, 3, 1, 21)

    cycle(utc(2027, 3, 1, 21, 0))  # midnight in Riyadh: day 2 begins, sends wait for 09:00
    campaign.refresh_from_db()
    assert campaign.campaign_day == 2 and campaign.today_date.isoformat() == "2027-03-02"
    assert campaign.sent_count == 1 and campaign.next_send_at == utc(2027, 3, 2, 6)


def test_the_day_turns_at_local_midnight_riyadh_before_utc(alice, bob):
    riyadh = start_campaign(bob, contacts=30, at=utc(2027, 3, 1, 21))  # Riyadh: 2 Mar 00:00
    london = start_campaign(alice, contacts=30, at=utc(2027, 3, 1, 21))  # UTC: 1 Mar 21:00
    assert riyadh.timezone == "Asia/Riyadh" and london.timezone == "UTC"
    for hour in range(21, 24 + 21, 1):
        cycle(utc(2027, 3, 1, 21) + timedelta(hours=hour - 21, minutes=59))
    # 2 Mar 20:59 UTC: Riyadh's day 1 is over (23:59 local), UTC's is not.
    riyadh.refresh_from_db()
    london.refresh_from_db()
    assert riyadh.today_attempted == riyadh.sent_count == 10 and riyadh.campaign_day == 1
    now = utc(2027, 3, 2, 21, 1)  # 00:01 on 3 Mar in Riyadh, 21:01 on 2 Mar in UTC
    cycle(now)
    riyadh.refresh_from_db()
    london.refresh_from_db()
    assert riyadh.campaign_day == 2 and riyadh.today_date.isoformat() == "2027-03-03"
    assert messages_sent_today(riyadh, now) == riyadh.today_attempted <= 1
    assert london.campaign_day == 2 and london.today_date.isoformat() == "2027-03-02"
    on_day_two = attempted_on(london, london.today_date)
    assert messages_sent_today(london, now) == on_day_two > 1
    assert remaining_today(london, now) == 10 - on_day_two


def test_pacing_spreads_sends_over_the_window_without_a_burst_at_the_start(alice):
    campaign = start_campaign(alice, contacts=300, at=utc(2027, 3, 1, 8), send_window=NINE_TO_FIVE)
    start, paced = utc(2027, 3, 1, 9), (8 * 3600 - 60)
    seen = []
    for minute in range(0, 8 * 60):
        now = start + timedelta(minutes=minute, seconds=30)
        cycle(now)
        campaign.refresh_from_db()
        allowed = math.ceil((now - start).total_seconds() / paced * 35)
        assert campaign.today_attempted <= min(allowed, 35)
        seen.append(campaign.today_attempted)
    assert seen[0] == 1 and seen[10] <= 2  # ten minutes in: one or two sent, not 35
    assert seen[-1] == 35
    gaps = [b - a for a, b in zip(seen, seen[1:], strict=False)]
    assert max(gaps) == 1  # one contact at a time, spread out


def test_campaigns_sharing_a_channel_share_the_highest_daily_limit(alice):
    channel = make_channel(alice)
    first = utc(2027, 3, 1, 0)
    normal = start_campaign(alice, contacts=300, at=first, channel=channel)  # day 1: 35
    fresh = start_campaign(alice, contacts=300, at=first, channel=channel, is_new_number=True)

    run_days(first, 2)

    day1, day2 = first.date(), (first + timedelta(days=1)).date()
    for day in (day1, day2):
        assert ChannelDay.objects.get(channel=channel, date=day).attempted == 35
        assert attempted_on(normal, day) + attempted_on(fresh, day) == 35
        assert attempted_on(fresh, day) <= 20 and attempted_on(normal, day) <= 35
    assert_counters_match(normal)
    assert_counters_match(fresh)


def test_paused_days_do_not_count_and_pause_stops_the_next_claim(alice):
    first = utc(2027, 3, 1, 0)
    campaign = start_campaign(alice, contacts=600, at=first, send_window=NINE_TO_FIVE)
    run_days(first, 1, window=(time(9), time(17)))
    for minute in range(0, 3 * 60, 30):  # day 2 morning
        cycle(utc(2027, 3, 2, 9, 1) + timedelta(minutes=minute))
    planned = []
    run_cycle(utc(2027, 3, 2, 12, 30), enqueue=planned.append)
    assert planned, "a batch was planned before the pause"
    campaign_pause(campaign=campaign)
    for batch in planned:  # the batch runs after the pause committed: nothing leaves
        inline(batch)
    campaign.refresh_from_db()
    day2 = attempted_on(campaign, utc(2027, 3, 2).date())
    assert 0 < day2 < 35 and campaign.today_attempted == day2

    run_days(utc(2027, 3, 2, 13), 2, window=(time(9), time(17)))  # rest of day 2, day 3
    campaign.refresh_from_db()
    assert campaign.campaign_day == 2 and attempted_on(campaign, utc(2027, 3, 2).date()) == day2
    assert attempted_on(campaign, utc(2027, 3, 3).date()) == 0

    campaign_resume(campaign=campaign)
    run_days(utc(2027, 3, 4, 0), 1, window=(time(9), time(17)))
    campaign.refresh_from_db()
    assert campaign.campaign_day == 3
    assert attempted_on(campaign, utc(2027, 3, 4).date()) == 65  # day 3's tier
    assert_counters_match(campaign)


def test_contacts_opted_out_after_enrollment_are_skipped_without_using_a_slot(alice):
    first = utc(2027, 3, 1, 0)
    campaign = start_campaign(alice, contacts=6, at=first)
    enrolled = list(CampaignContact.objects.filter(campaign=campaign).order_by("id"))
    Contact.objects.filter(pk__in=[enrolled[0].contact_id, enrolled[1].contact_id]).update(
        opted_out=True
    )

    run_days(first, 1)

    campaign.refresh_from_db()
    assert campaign.skipped_count == 2 and campaign.sent_count == 2  # ceil(6/3) a day
    assert attempted_on(campaign, first.date()) == 2
    skipped = CampaignContact.objects.filter(campaign=campaign, status="skipped")
    assert {row.contact_id for row in skipped} == {enrolled[0].contact_id, enrolled[1].contact_id}
    assert not Delivery.objects.filter(campaign_contact__in=skipped).exists()
    run_days(first + timedelta(days=1), 1)
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.sent_count == 4
    assert_counters_match(campaign)


def test_a_campaign_whose_last_pending_contact_is_skipped_completes_at_once(alice):
    first = utc(2027, 3, 1, 0)
    campaign = start_campaign(alice, contacts=1, at=first)
    Contact.objects.filter(campaign_rows__campaign=campaign).update(opted_out=True)
    now = first + timedelta(minutes=5)

    cycle(now)

    campaign.refresh_from_db()
    assert campaign.skipped_count == 1 and campaign.pending_count == 0
    assert campaign.status == "completed"
    assert campaign.completed_at == now


def test_each_contact_gets_the_sequence_in_order_rendered_for_them(alice):
    messages = [
        {"type": "text", "content": "{Hi|Hello} {{first_name|there}}"},
        {"type": "image", "content": "https://example.com/a.png", "caption": "For {{name}}"},
        {"type": "text", "content": "City: {{attributes.city|unknown}}"},
    ]
    person = Contact.objects.create(
        account=alice, name="Sara Ali", phone="+966501110000", attributes={"city": "Jeddah"}
    )
    campaign = start_campaign(alice, contacts=[person], at=utc(2027, 3, 1), messages=messages)
    cycle(utc(2027, 3, 1, 0, 30))
    rows = list(Delivery.objects.filter(campaign_contact__campaign=campaign).order_by("position"))
    assert [row.position for row in rows] == [1, 2, 3]
    assert rows[0].body in {"Hi Sara", "Hello Sara"}
    assert rows[1].body == "https://example.com/a.png" and rows[1].caption == "For Sara Ali"
    assert rows[2].body == "City: Jeddah"
    assert all(row.status == "sent" and row.provider_message_id for row in rows)
    assert rows[0].sent_at <= rows[1].sent_at <= rows[2].sent_at
    campaign.refresh_from_db()
    assert campaign.status == "completed" and campaign.completed_at == utc(2027, 3, 1, 0, 30)


def test_an_idle_cycle_reads_no_contact_rows(alice, django_assert_max_num_queries):
    campaign = start_campaign(alice, contacts=50, at=utc(2027, 3, 1), send_window=NINE_TO_FIVE)
    cycle(utc(2027, 3, 1, 3))  # before the window: next look at 09:00
    Campaign.objects.filter(pk=campaign.pk).update(next_send_at=utc(2027, 3, 1, 9))
    # Stale claims, scheduled starts, due campaigns, savepoint.
    with django_assert_max_num_queries(5) as ctx:
        run_cycle(utc(2027, 3, 1, 4), enqueue=lambda batch: None)
    assert not any(
        'campaigncontact" WHERE' in q["sql"] and "pending" in q["sql"] for q in ctx.captured_queries
    )


def test_a_disconnected_channel_sends_nothing(alice):
    campaign = start_campaign(alice, contacts=30, at=utc(2027, 3, 1))
    campaign.channel.is_active = False
    campaign.channel.save(update_fields=["is_active"])
    cycle(utc(2027, 3, 1, 23, 59, 30))
    campaign.refresh_from_db()
    assert campaign.sent_count == 0 and campaign.next_send_at > utc(2027, 3, 1, 23, 59, 30)


def test_campaigns_sharing_a_number_take_turns_within_a_cycle(alice):
    channel = make_channel(alice)
    first = start_campaign(alice, contacts=300, at=utc(2027, 3, 1), channel=channel)
    second = start_campaign(alice, contacts=300, at=utc(2027, 3, 1), channel=channel)
    now = utc(2027, 3, 1, 12)
    planned = []
    run_cycle(now, enqueue=planned.append)
    (went,) = {batch.campaign_id for planned_round in planned for batch in planned_round.batches}
    waiting = Campaign.objects.get(pk=({first.pk, second.pk} - {went}).pop())
    assert now + timedelta(seconds=17) < waiting.next_send_at <= now + timedelta(seconds=60)


def test_an_overnight_window_sends_across_midnight_and_not_by_day(bob):
    overnight = {"start": time(22), "end": time(8)}
    campaign = start_campaign(bob, contacts=30, at=utc(2027, 3, 1, 12), send_window=overnight)
    limit = math.ceil(30 / 3)  # the small-campaign cap

    cycle(utc(2027, 3, 1, 12))  # 15:00 in Riyadh: outside
    campaign.refresh_from_db()
    assert campaign.sent_count == 0 and campaign.next_send_at == utc(2027, 3, 1, 19)

    cycle(utc(2027, 3, 1, 19, 1))  # 22:01: inside the evening part
    campaign.refresh_from_db()
    evening = campaign.sent_count
    assert 0 < evening <= limit

    cycle(utc(2027, 3, 2, 1, 30))  # 04:30 on local day 2: inside the morning part
    campaign.refresh_from_db()
    assert campaign.campaign_day == 2 and campaign.sent_count > evening
    morning = campaign.sent_count

    for hour in (6, 9, 12, 18):  # 09:00 to 21:00 local: closed
        cycle(utc(2027, 3, 2, hour))
    campaign.refresh_from_db()
    assert campaign.sent_count == morning and campaign.next_send_at == utc(2027, 3, 2, 19)
    assert attempted_on(campaign, date(2027, 3, 2)) <= limit


def test_campaigns_due_at_the_same_moment_are_planned_oldest_first(alice):
    """A number's cap may let only one of its campaigns send now: which one must not depend
    on where PostgreSQL happens to keep the rows (an updated row moves to the heap's end)."""
    from django.db import transaction

    from campaigns.engine.planning import _due

    channel = make_channel(alice)
    moment = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    campaigns = [start_campaign(alice, contacts=1, at=moment, channel=channel) for _ in range(3)]
    Campaign.objects.filter(pk__in=[c.pk for c in campaigns]).update(next_send_at=moment)
    # The oldest one's row, and its index entry, move behind the others (as a pause and a
    # resume would leave it).
    Campaign.objects.filter(pk=campaigns[0].pk).update(next_send_at=moment + timedelta(1))
    Campaign.objects.filter(pk=campaigns[0].pk).update(next_send_at=moment)

    with transaction.atomic():
        due = [campaign.pk for campaign in _due(moment, set())]

    assert due == [campaign.pk for campaign in campaigns]
