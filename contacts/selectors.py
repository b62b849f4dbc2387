"""Reads of contacts, lists and segments, shaped for listing (no per-row queries)."""

from django.db.models import F, QuerySet

from contacts.models import Contact, ContactList, Segment
from contacts.segments import segment_queryset


def contacts_for_listing() -> QuerySet[Contact]:
    """Contacts with their tags prefetched (one extra query per page, whatever its size)."""
    return Contact.objects.prefetch_related("tags")


def lists_with_counts() -> QuerySet[ContactList]:
    """Contact lists with `contacts_count`: the trigger-kept counter, nothing is counted."""
    return ContactList.objects.annotate(contacts_count=F("members_count"))


def segment_members(*, segment: Segment) -> QuerySet[Contact]:
    """A segment's current members, newest first, tags prefetched."""
    return segment_queryset(segment).prefetch_related("tags").order_by("-id")
