"""Reads of contacts, lists and segments, shaped for listing (no per-row queries)."""

from django.db.models import Count, QuerySet

from contacts.models import Contact, ContactList, Segment
from contacts.segments import segment_queryset


def contacts_for_listing() -> QuerySet[Contact]:
    """Contacts with their tags prefetched (one extra query per page, whatever its size)."""
    return Contact.objects.prefetch_related("tags")


def lists_with_counts() -> QuerySet[ContactList]:
    """Contact lists annotated with `contacts_count` in the same query."""
    return ContactList.objects.annotate(contacts_count=Count("memberships"))


def segment_members(*, segment: Segment) -> QuerySet[Contact]:
    """A segment's current members, newest first, tags prefetched."""
    return segment_queryset(segment).prefetch_related("tags").order_by("-id")
