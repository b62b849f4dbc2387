"""The hand-written contact representation equals DRF's generic output, in field order."""

from rest_framework import serializers

from contacts import services
from contacts.selectors import contacts_for_api_listing, contacts_for_listing
from contacts.serializers import ContactSerializer


def test_contacts_read_as_the_declared_fields_would(alice):
    services.contact_create(account=alice, phone="+966501111111")
    services.contact_create(
        account=alice,
        phone="+966502222222",
        name='Zoë ✓ "quoted"',
        type="telegram",
        tags=["vip", "b"],
        attributes={"city": "Riyadh", "n": 3, "ok": True, "none": None},
        opted_out=True,
    )
    listed = [*contacts_for_listing().filter(account=alice)]
    for contact in listed + [*contacts_for_api_listing().filter(account=alice)]:
        serializer = ContactSerializer(contact)
        expected = serializers.ModelSerializer.to_representation(serializer, contact)
        assert serializer.data == expected
        assert list(serializer.data) == list(expected)
