"""Helpers for the contacts tests: tagged contacts, lists and CSV uploads."""

import io

import pytest

from contacts.models import ContactList, ListMembership
from contacts.services import tags_ensure
from tests.conftest import make_contact


def tagged_contact(account, *tags, **fields):
    contact = make_contact(account, **fields)
    contact.tags.set(list(tags_ensure(account=account, names=tags).values()))
    return contact


def make_list(account, *contacts, name="Customers"):
    contact_list = ContactList.objects.create(account=account, name=name)
    ListMembership.objects.bulk_create(
        [ListMembership(contact_list=contact_list, contact=contact) for contact in contacts]
    )
    return contact_list


def csv_upload(text: str, name: str = "contacts.csv") -> io.BytesIO:
    upload = io.BytesIO(text.encode("utf-8"))
    upload.name = name
    return upload


@pytest.fixture
def errors_of():
    def read(response) -> dict:
        body = response.json()
        assert body["success"] is False
        return body.get("errors", {})

    return read
