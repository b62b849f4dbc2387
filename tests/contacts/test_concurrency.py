"""Concurrent writers on PostgreSQL: duplicate creates and overlapping imports."""

import threading

import pytest
from django.db import close_old_connections, connection

from contacts.importing import import_contacts_csv
from contacts.models import Contact
from contacts.services import contact_create
from skylight.domain import Invalid
from tests.contacts.helpers import csv_upload

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(*jobs) -> list:
    """Runs each job in its own thread and connection, started at the same moment."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test checks
            outcomes[index] = exc
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_creates_of_one_phone_leave_one_contact_and_a_422(alice):
    outcomes = run_together(
        *[lambda: contact_create(account=alice, phone="+966501111111") for _ in range(4)]
    )
    created = [o for o in outcomes if isinstance(o, Contact)]
    refused = [o for o in outcomes if isinstance(o, Invalid)]
    assert len(created) == 1 and len(refused) == 3, outcomes
    assert all("phone" in o.errors for o in refused)
    assert Contact.objects.filter(account=alice).count() == 1


def test_overlapping_imports_in_opposite_orders_both_finish(alice):
    phones = [f"+9665{n:08d}" for n in range(1, 3001)]
    forward = "phone,source\n" + "".join(f"{p},a\n" for p in phones)
    backward = "phone,source\n" + "".join(f"{p},b\n" for p in reversed(phones))
    outcomes = run_together(
        lambda: import_contacts_csv(account=alice, file=csv_upload(forward)),
        lambda: import_contacts_csv(account=alice, file=csv_upload(backward)),
    )
    assert all(not isinstance(o, Exception) for o in outcomes), outcomes
    assert sorted((o.created, o.updated) for o in outcomes) == [(0, 3000), (3000, 0)]
    assert Contact.objects.filter(account=alice).count() == 3000
