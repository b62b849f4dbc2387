"""Suppressions added, lifted or imported are in the audit log, from the dashboard and the
API alike, with who did it."""

import io

from contacts.models import Suppression
from skylight.models import AuditEvent


def _actions(account):
    return list(
        AuditEvent.objects.filter(account=account)
        .order_by("id")
        .values_list("actor", "action", "object_type", "changes")
    )


def test_the_dashboard_records_add_import_and_lift(web, alice):
    web.post("/suppressions/", {"add-address": "+966501234567", "add-channel_type": "whatsapp"})
    upload = io.BytesIO(b"address\n+966501234568\nnonsense\n")
    upload.name = "dnc.csv"
    web.post("/suppressions/import/", {"import-file": upload, "import-channel_type": "whatsapp"})
    entry = Suppression.objects.get(address="+966501234567")
    web.post(f"/suppressions/{entry.pk}/lift/")

    actions = _actions(alice)
    assert [(actor, action) for actor, action, _, _ in actions] == [
        ("alice", "suppression.created"),
        ("alice", "suppression.imported"),
        ("alice", "suppression.deleted"),
    ]
    assert actions[1][3] == {"created": 1, "rejected": 1}
    assert {object_type for _, _, object_type, _ in actions} == {"suppression"}


def test_the_api_records_an_import(api, alice):
    upload = io.BytesIO(b"address\n+966501234567\n")
    upload.name = "dnc.csv"
    api.post("/api/v1/suppressions/import", {"file": upload, "channel_type": "whatsapp"})

    [(actor, action, _, changes)] = _actions(alice)
    assert actor.startswith("sk_")
    assert (action, changes) == ("suppression.imported", {"created": 1, "rejected": 0})
