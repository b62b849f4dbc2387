"""`manage.py ensure_schedule` (the release step) installs or repairs the send-cycle
and report-counts schedules, and running it again never makes a second one."""

import io

import pytest
from django.core.management import call_command
from django_q.models import Schedule

from campaigns.signals import (
    REPORT_COUNTS_FUNC,
    REPORT_COUNTS_SCHEDULE,
    SEND_CYCLE_FUNC,
    SEND_CYCLE_SCHEDULE,
)

pytestmark = pytest.mark.django_db


def test_it_recreates_a_deleted_schedule_once_however_often_it_runs():
    Schedule.objects.filter(name=SEND_CYCLE_SCHEDULE).delete()

    for _ in range(2):
        call_command("ensure_schedule", stdout=io.StringIO())

    schedule = Schedule.objects.get(name=SEND_CYCLE_SCHEDULE)
    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        SEND_CYCLE_FUNC,
        Schedule.MINUTES,
        1,
    )


def test_it_repairs_a_schedule_that_was_changed():
    Schedule.objects.filter(name=SEND_CYCLE_SCHEDULE).update(minutes=30, repeats=0)

    call_command("ensure_schedule", stdout=io.StringIO())

    schedule = Schedule.objects.get(name=SEND_CYCLE_SCHEDULE)
    assert (schedule.minutes, schedule.repeats) == (1, -1)


def test_it_installs_the_report_counts_sweep_every_five_minutes():
    Schedule.objects.filter(name=REPORT_COUNTS_SCHEDULE).delete()

    for _ in range(2):
        call_command("ensure_schedule", stdout=io.StringIO())

    schedule = Schedule.objects.get(name=REPORT_COUNTS_SCHEDULE)
    assert (schedule.func, schedule.minutes, schedule.repeats) == (REPORT_COUNTS_FUNC, 5, -1)
