"""A million-contact campaign that has run for twenty days, built with set-based SQL.

`outcome_campaign()` enrols the benchmark account's million contacts (benchmarks/fixtures.py)
and writes outcomes as the engine would have: 80% sent over twenty days (60% of them
delivered, half of those read), 10% failed with a few kinds of error, 5% skipped as
opted out, 5% pending; one delivery per reached contact, counters and per-day rows to
match. Built once and reused.
"""

from datetime import timedelta

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from benchmarks import fixtures

NAME = "Benchmark: a twenty-day million"
DAYS = 20
ERRORS = (
    "rejected: HTTP 400: (#131026) Message undeliverable",
    "rejected: HTTP 400: invalid phone number",
    "not accepted after 3 attempts: HTTP 503: busy",
    "outcome unknown: read timeout after the request was sent",
    '=HYPERLINK("http://evil") error a spreadsheet must not run',
)

_OUTCOMES_SQL = """
UPDATE campaigns_campaigncontact cc SET
  status = CASE WHEN cc.id %% 100 < 80 THEN 'sent' WHEN cc.id %% 100 < 90 THEN 'failed'
                WHEN cc.id %% 100 < 95 THEN 'skipped' ELSE 'pending' END,
  claimed_at = CASE WHEN cc.id %% 100 < 95
                    THEN %(start)s + (cc.id %% 20) * interval '1 day' + interval '10 hours' END,
  sent_at = CASE WHEN cc.id %% 100 < 80
                 THEN %(start)s + (cc.id %% 20) * interval '1 day' + interval '10 hours' END,
  delivery_status = CASE WHEN cc.id %% 100 >= 80 THEN ''
                         WHEN cc.id %% 10 < 3 THEN 'read' WHEN cc.id %% 10 < 6 THEN 'delivered'
                         ELSE 'sent' END,
  error = CASE WHEN cc.id %% 100 >= 80 AND cc.id %% 100 < 90
               THEN (ARRAY[%(errors)s])[1 + cc.id %% 5]
               WHEN cc.id %% 100 >= 90 AND cc.id %% 100 < 95
               THEN 'Contact opted out before sending.' END
WHERE cc.campaign_id = %(campaign)s
"""

_DELIVERIES_SQL = """
INSERT INTO campaigns_delivery
  (campaign_contact_id, position, type, body, caption, status, provider_message_id, error,
   sent_at, delivered_at, read_at)
SELECT cc.id, 1, 'text', 'Hello', '',
  CASE WHEN cc.status = 'failed' THEN 'failed' WHEN cc.delivery_status = '' THEN 'sent'
       ELSE cc.delivery_status END,
  'wamid.' || cc.id, COALESCE(cc.error, ''), cc.sent_at,
  CASE WHEN cc.delivery_status IN ('delivered', 'read') THEN cc.sent_at END,
  CASE WHEN cc.delivery_status = 'read' THEN cc.sent_at END
FROM campaigns_campaigncontact cc
WHERE cc.campaign_id = %(campaign)s AND cc.status IN ('sent', 'failed')
"""


def _write_outcomes(campaign, start) -> None:
    from campaigns.models import Campaign, CampaignContact, CampaignDay

    params = {"start": start, "errors": list(ERRORS), "campaign": campaign.pk}
    with connection.cursor() as cursor:
        cursor.execute(_OUTCOMES_SQL, params)
        cursor.execute(_DELIVERIES_SQL, params)
    counts = dict(
        CampaignContact.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    Campaign.objects.filter(pk=campaign.pk).update(
        status="running",
        started_at=start,
        campaign_day=DAYS,
        sent_count=counts.get("sent", 0),
        failed_count=counts.get("failed", 0),
        skipped_count=counts.get("skipped", 0),
        pending_count=counts.get("pending", 0),
    )
    CampaignDay.objects.bulk_create(
        CampaignDay(campaign=campaign, date=(start + timedelta(days=d)).date(), day_number=d + 1)
        for d in range(DAYS)
    )


def outcome_campaign():
    """(benchmark data, the campaign), built on first use (a few minutes)."""
    from campaigns.models import Campaign, CampaignContact, Delivery
    from campaigns.services import campaign_create

    data = fixtures.million_contacts()
    campaign = Campaign.objects.filter(account=data.account, name=NAME).first()
    if campaign is not None:
        return data, campaign
    print("  building a twenty-day campaign of a million contacts (first run only)...")
    with transaction.atomic():
        campaign = campaign_create(
            account=data.account,
            name=NAME,
            channel=data.channel,
            messages=[{"type": "text", "content": "Hello {{name|there}}"}],
            list_ids=data.list_ids,
        )
        start = timezone.now().replace(hour=0, minute=0, second=0, microsecond=0)
        _write_outcomes(campaign, start - timedelta(days=DAYS))
    fixtures._vacuum_analyze(CampaignContact, Delivery)
    campaign.refresh_from_db()
    return data, campaign
