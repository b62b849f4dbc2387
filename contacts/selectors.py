"""Reads of contacts, lists and segments, shaped for listing (no per-row queries)."""

from django.db.models import F, Prefetch, QuerySet

from contacts.models import Contact, ContactList, Segment, Tag
from contacts.segments import segment_queryset


def contacts_for_listing() -> QuerySet[Contact]:
    """Contacts with their tags prefetched (one extra query per page, whatever its size)."""
    return Contact.objects.prefetch_related("tags")


def contacts_for_api_listing() -> QuerySet[Contact]:
    """As contacts_for_listing, tags as a plain list in `tag_list` (the API serializer
    reads it; building a related manager per row costs more than the row itself)."""
    return Contact.objects.prefetch_related(
        Prefetch("tags", queryset=Tag.objects.all(), to_attr="tag_list")
    )


def lists_with_counts() -> QuerySet[ContactList]:
    """Contact lists with `contacts_count`: the trigger-kept counter, nothing is counted."""
    return ContactList.objects.annotate(contacts_count=F("members_count"))


def segment_members(*, segment: Segment) -> QuerySet[Contact]:
    """A segment's current members, newest first, tags prefetched."""
    return segment_queryset(segment).prefetch_related("tags").order_by("-id")
