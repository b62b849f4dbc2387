"""Query-parameter filters for the contacts, lists and segments endpoints."""

import re

import django_filters
from django.db.models import Exists, OuterRef, Q

from contacts.models import ChannelType, Contact, ContactList, ListMembership, Segment
from skylight.filters import IdFilter, StrictBooleanFilter, TextFilter

_NOT_PHONE_CHARS = re.compile(r"[^\d+]")


class ContactFilter(django_filters.FilterSet):
    """`search` (name or phone), `tag` (has the tag), `type`, `list_id` (member), `opted_out`."""

    search = TextFilter(method="filter_search", max_length=255)
    tag = TextFilter(method="filter_tag", max_length=64)
    type = django_filters.ChoiceFilter(choices=ChannelType.choices)
    list_id = IdFilter(method="filter_list")
    opted_out = StrictBooleanFilter()

    class Meta:
        model = Contact
        fields = ["search", "tag", "type", "list_id", "opted_out"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        matches = Q(name__icontains=value)
        digits = _NOT_PHONE_CHARS.sub("", value)
        if any(char.isdigit() for char in digits):
            matches |= Q(phone__contains=digits)
        return queryset.filter(matches)

    def filter_tag(self, queryset, name, value):
        tagged = Contact.tags.through.objects.filter(contact_id=OuterRef("pk"), tag__name=value)
        return queryset.filter(Exists(tagged))

    def filter_list(self, queryset, name, value):
        if value != int(value):
            return queryset.none()
        member = ListMembership.objects.filter(contact_id=OuterRef("pk"), contact_list_id=value)
        return queryset.filter(Exists(member))


class ContactListFilter(django_filters.FilterSet):
    search = TextFilter(field_name="name", lookup_expr="icontains", max_length=255)

    class Meta:
        model = ContactList
        fields = ["search"]


class SegmentFilter(django_filters.FilterSet):
    search = TextFilter(field_name="name", lookup_expr="icontains", max_length=255)

    class Meta:
        model = Segment
        fields = ["search"]
