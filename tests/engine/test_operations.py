"""The schedule installed after migrate, and `manage.py send_cycle`."""

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.models import Schedule

from campaigns.models import CampaignContact
from campaigns.signals import SEND_CYCLE_SCHEDULE, install_send_cycle_schedule
from tests.engine.helpers import start_campaign


def test_migrate_installed_the_every_minute_send_cycle_once(db):
    install_send_cycle_schedule()
    install_send_cycle_schedule()
    schedule = Schedule.objects.get(name=SEND_CYCLE_SCHEDULE)
    assert schedule.func == "campaigns.tasks.send_cycle_task"
    assert schedule.schedule_type == Schedule.MINUTES and schedule.minutes == 1
    assert schedule.repeats == -1


def test_the_schedule_is_repaired_not_duplicated(db):
    Schedule.objects.filter(name=SEND_CYCLE_SCHEDULE).update(minutes=30, func="oops")
    install_send_cycle_schedule()
    assert Schedule.objects.filter(name=SEND_CYCLE_SCHEDULE).count() == 1
    schedule = Schedule.objects.get(name=SEND_CYCLE_SCHEDULE)
    assert schedule.minutes == 1 and schedule.func == "campaigns.tasks.send_cycle_task"


def test_send_cycle_runs_one_cycle_inline_at_the_given_time(alice):
    campaign = start_campaign(alice, contacts=9, at=datetime(2027, 3, 1, tzinfo=UTC))
    out = StringIO()
    call_command("send_cycle", "--now", "2027-03-01T23:59:30+00:00", stdout=out)
    assert "3 contacts in 1 batches" in out.getvalue() and "sent 3" in out.getvalue()
    assert CampaignContact.objects.filter(campaign=campaign, status="sent").count() == 3


def test_send_cycle_refuses_a_bad_clock(db):
    with pytest.raises(CommandError, match="ISO 8601"):
        call_command("send_cycle", "--now", "yesterday")


def test_the_cycle_task_plans_on_the_real_clock(alice):
    from campaigns.tasks import send_cycle_task

    campaign = start_campaign(alice, contacts=3, at=datetime.now(UTC))
    assert send_cycle_task() >= 0  # batches go to the broker (ORM here)
    campaign.refresh_from_db()
    assert campaign.next_send_at is not None and campaign.campaign_day == 1
