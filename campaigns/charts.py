"""Server-rendered figures for the campaign page: the per-day bars and the projected schedule."""

from dataclasses import dataclass
from datetime import timedelta

from campaigns import progress
from campaigns.limits import schedule
from campaigns.models import CampaignDay

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 180, 28
MAX_SCHEDULE_ROWS = 60


@dataclass
class Bar:
    x: float
    width: float
    sent_y: float
    sent_height: float
    failed_y: float
    failed_height: float
    limit_y: float
    label: str
    title: str


def day_bars(campaign) -> dict:
    """Geometry of a stacked bar per CampaignDay (sent, failed) with the day's limit marked."""
    days = list(CampaignDay.objects.filter(campaign=campaign).order_by("date"))
    if not days:
        return {"bars": [], "width": CHART_WIDTH, "height": CHART_HEIGHT}
    top = max(max(day.daily_limit, day.attempted, day.sent + day.failed) for day in days) or 1
    plot_height = CHART_HEIGHT - 2 * CHART_PAD
    slot = (CHART_WIDTH - CHART_PAD) / len(days)
    width = max(min(slot * 0.7, 48), 2)

    def y(value):
        return CHART_HEIGHT - CHART_PAD - plot_height * value / top

    bars = []
    for index, day in enumerate(days):
        sent_h, failed_h = plot_height * day.sent / top, plot_height * day.failed / top
        base = CHART_HEIGHT - CHART_PAD
        bars.append(
            Bar(
                x=CHART_PAD + index * slot + (slot - width) / 2,
                width=width,
                sent_y=base - sent_h,
                sent_height=sent_h,
                failed_y=base - sent_h - failed_h,
                failed_height=failed_h,
                limit_y=y(day.daily_limit),
                label=f"D{day.day_number}" if len(days) <= 31 or index % 5 == 0 else "",
                title=f"Day {day.day_number} ({day.date:%b %-d}): {day.sent} sent, "
                f"{day.failed} failed, limit {day.daily_limit}",
            )
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "top": top,
        "top_y": CHART_PAD,
        "base_y": CHART_HEIGHT - CHART_PAD,
        "left": CHART_PAD,
        "label_y": CHART_HEIGHT - CHART_PAD + 16,
        "days": days,
    }


def projected_schedule(campaign, now=None) -> list[dict]:
    """Remaining days to completion under the daily-limit policy (empty when finished).

    Follows progress.estimated_completion_date: drafts start today; a paused campaign
    is shown as if resumed today.
    """
    if (
        campaign.status in ("completed", "cancelled")
        or not campaign.pending_count
        and campaign.status != "draft"
    ):
        return []
    today = progress.local_today(campaign, now)
    first_day, done_before_today = 1, 0
    if campaign.status in ("running", "paused"):
        counted_today = campaign.last_active_date == today
        first_day = max(campaign.campaign_day, 1) + (0 if counted_today else 1)
        done = campaign.sent_count + campaign.failed_count + campaign.skipped_count
        done_before_today = done - progress.messages_sent_today(campaign, now)
    rows = []
    plan = schedule(campaign.is_new_number, campaign.total_contacts, first_day, done_before_today)
    for offset, (day, contacts) in enumerate(plan):
        rows.append({"day": day, "date": today + timedelta(days=offset), "contacts": contacts})
    return rows
