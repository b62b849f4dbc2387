"""Campaign reads: scoped querysets, filtered listings and counter-based totals."""

from functools import cache

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django_filters.utils import translate_validation

from campaigns.filters import CampaignContactFilter, CampaignFilter
from campaigns.models import Campaign, CampaignContact, CampaignMessage, CampaignStatus
from skylight.prepared import PreparedQuery, attach_prefetched

CONTACT_ROW_FIELDS = (
    "id",
    "status",
    "sent_at",
    "error",
    "replied_at",
    "skip_reason",
    "next_step_at",
    "contact__id",
    "contact__name",
    "contact__phone",
    "contact__type",
)

# The stored counter that equals the number of rows a status filter selects.
STATUS_COUNTERS = {
    "pending": "pending_count",
    "sent": "sent_count",
    "failed": "failed_count",
    "skipped": "skipped_count",
}


@cache
def _number_shared_with():
    """How many other running campaigns send through the campaign's number.

    Built once per process: building the subquery cost more than running it, on every
    campaign read (`annotate` copies the expression, so sharing it is safe)."""
    others = (
        Campaign.objects.filter(channel_id=OuterRef("channel_id"), status=CampaignStatus.RUNNING)
        .exclude(pk=OuterRef("pk"))
        .order_by()
        .values("channel_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(others), 0)


def campaign_queryset(*, account) -> QuerySet[Campaign]:
    """The account's campaigns with what the campaign object needs, in two queries.

    `number_shared_with` counts the other running campaigns on the same number: they share
    its daily cap, so the schedule and the estimated completion date account for them.
    """
    return (
        Campaign.objects.filter(account=account)
        .select_related("channel")
        .prefetch_related("messages")
        .annotate(number_shared_with=_number_shared_with())
    )


# A campaign read by id is the API's most frequent query: compiled once (skylight/prepared.py).
# The stand-ins are ids no row has.
_CAMPAIGN_BY_ID = PreparedQuery(
    lambda account_id, pk: (
        Campaign.objects.filter(account_id=account_id, pk=pk)
        .select_related("channel")
        .annotate(number_shared_with=_number_shared_with())
    ),
    account_id=-1,
    pk=-2,
)
_CAMPAIGN_ROW = PreparedQuery(
    lambda account_id, pk: Campaign.objects.filter(account_id=account_id, pk=pk),
    account_id=-1,
    pk=-2,
)
_MESSAGES_OF = PreparedQuery(
    lambda campaign_id: CampaignMessage.objects.filter(campaign_id=campaign_id),
    campaign_id=-1,
)


def campaign_get(*, account, pk: int) -> Campaign | None:
    """The account's campaign `pk` as `campaign_queryset` reads it (messages prefetched), or
    None."""
    found = _CAMPAIGN_BY_ID.run(account_id=account.pk, pk=pk)
    if not found:
        return None
    campaign = found[0]
    attach_prefetched(campaign, "messages", _MESSAGES_OF.run(campaign_id=campaign.pk))
    return campaign


def campaign_row(*, account, pk: int) -> Campaign | None:
    """The account's campaign `pk`, its own row only (e.g. under its contacts listing)."""
    return next(iter(_CAMPAIGN_ROW.run(account_id=account.pk, pk=pk)), None)


def _filtered(filterset_class, params, queryset) -> QuerySet:
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.qs


def campaign_list(*, account, params) -> QuerySet[Campaign]:
    """The account's campaigns filtered by `status`, `channel_id` and `search`, newest first."""
    return _filtered(CampaignFilter, params, campaign_queryset(account=account)).order_by("-id")


def campaign_contact_rows(*, campaign: Campaign, params) -> QuerySet[CampaignContact]:
    """The campaign's contacts (filtered by `status`) in id order, contact joined."""
    rows = (
        CampaignContact.objects.filter(campaign=campaign)
        .select_related("contact")
        .only(*CONTACT_ROW_FIELDS)
        .order_by("id")
    )
    return _filtered(CampaignContactFilter, params, rows)


def campaign_contact_total(*, campaign: Campaign, status: str | None) -> int:
    """How many rows a listing holds, read from the counters instead of counting."""
    if not status:
        return campaign.total_contacts
    return getattr(campaign, STATUS_COUNTERS[status])
