"""Query-parameter filters of the campaign endpoints (django-filter)."""

import django_filters

from campaigns.models import Campaign, CampaignContact, CampaignStatus, ContactStatus
from skylight.filters import IdFilter, TextFilter

# `sending` is the engine's claim; to API users such a contact is still pending.
VISIBLE_CONTACT_STATUSES = [
    (value, label) for value, label in ContactStatus.choices if value != ContactStatus.SENDING
]


class CampaignFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)
    channel_id = IdFilter(field_name="channel_id")
    search = TextFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Campaign
        fields = ["status", "channel_id", "search"]


class CampaignContactFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=VISIBLE_CONTACT_STATUSES, method="filter_status")

    class Meta:
        model = CampaignContact
        fields = ["status"]

    def filter_status(self, queryset, name, value):
        if value == ContactStatus.PENDING:
            return queryset.filter(status__in=[ContactStatus.PENDING, ContactStatus.SENDING])
        return queryset.filter(status=value)
