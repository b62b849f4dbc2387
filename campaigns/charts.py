"""Server-rendered figures for the campaign page: the per-day bars, recorded and planned.

Planned days come from `progress.projection`, the same projection as the API's estimate.
"""

import math
from dataclasses import dataclass

from campaigns.limits import daily_limit, tier_limit
from campaigns.models import CampaignDay

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 180, 28
MAX_SCHEDULE_ROWS = 60


@dataclass
class Bar:
    x: float
    x2: float
    width: float
    sent_y: float
    sent_height: float
    failed_y: float
    failed_height: float
    limit_y: float | None
    label: str
    title: str
    planned: bool = False
    value: str = ""  # the number written above the bar ("" when bars are too narrow)
    value_y: float = 0.0
    center: float = 0.0


def _slots(campaign, schedule_rows) -> list[dict]:
    """One slot per day: the latest recorded CampaignDay rows, then the projected days."""
    latest = CampaignDay.objects.filter(campaign=campaign).order_by("-date")[:MAX_SCHEDULE_ROWS]
    days = list(reversed(latest))
    slots = [
        {
            "number": d.day_number,
            "date": d.date,
            "sent": d.sent,
            "failed": d.failed,
            "limit": d.daily_limit,
            "planned": False,
        }
        for d in days
    ]
    last = days[-1].date if days else None
    for row in schedule_rows:
        if last is None or row["date"] > last:
            slots.append(
                {
                    "number": row["day"],
                    "date": row["date"],
                    "sent": row["contacts"],
                    "failed": 0,
                    "limit": daily_limit(
                        row["day"], campaign.is_new_number, campaign.total_contacts
                    ),
                    "planned": True,
                }
            )
    return slots


def day_bars(campaign, schedule_rows=()) -> dict:
    """Geometry of a stacked bar (sent, failed) per recorded day with its limit marked, then
    a lighter bar per projected day of the schedule."""
    slots = _slots(campaign, schedule_rows)[:MAX_SCHEDULE_ROWS]
    chart = {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "bars": [],
        "has_planned": any(s["planned"] for s in slots),
        "has_recorded": any(not s["planned"] for s in slots),
    }
    if not slots:
        return chart
    top = max(max(s["sent"] + s["failed"], s["limit"] or 0) for s in slots) or 1
    plot_height = CHART_HEIGHT - 2 * CHART_PAD
    base = CHART_HEIGHT - CHART_PAD
    slot = (CHART_WIDTH - CHART_PAD) / max(len(slots), 7)
    width = max(slot * 0.7, 2)
    every = 1 if len(slots) <= 15 else 5
    numbered = len(slots) <= 15
    for index, s in enumerate(slots):
        sent_h, failed_h = plot_height * s["sent"] / top, plot_height * s["failed"] / top
        x = CHART_PAD + index * slot + (slot - width) / 2
        what = f"{s['sent']} planned" if s["planned"] else f"{s['sent']} sent, {s['failed']} failed"
        limit = "" if s["limit"] is None else f", limit {s['limit']}"
        chart["bars"].append(
            Bar(
                x=x,
                x2=x + width,
                width=width,
                sent_y=base - sent_h,
                sent_height=sent_h,
                failed_y=base - sent_h - failed_h,
                failed_height=failed_h,
                limit_y=None if s["limit"] is None else base - plot_height * s["limit"] / top,
                label=f"D{s['number']}" if index % every == 0 else "",
                title=f"Day {s['number']} ({s['date']:%b %-d}): {what}{limit}",
                planned=s["planned"],
                value=str(s["sent"] + s["failed"]) if numbered else "",
                value_y=base - sent_h - failed_h - 4,
                center=x + width / 2,
            )
        )
    chart.update(top=top, top_y=CHART_PAD, base_y=base, left=CHART_PAD, label_y=base + 18)
    chart["gridlines"] = [
        {"y": base - plot_height * step / 4, "value": round(top * step / 4)} for step in (1, 2, 3)
    ]
    return chart


def small_campaign_cap(campaign) -> int | None:
    """The per-day cap ⌈total/3⌉ when it is below the warm-up tier of the campaign's
    current day (a small campaign is spread over at least three days), else None."""
    cap = math.ceil(campaign.total_contacts / 3)
    if cap and cap < tier_limit(max(campaign.campaign_day, 1), campaign.is_new_number):
        return cap
    return None


def usage_bars(days: list[dict], cap: int | None = None) -> dict:
    """Geometry of the number's last days (campaigns/usage.py): a stacked bar of the people
    sent to and failed per day, today last, with today's cap drawn across when one applies."""
    chart = {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": [], "cap_y": None}
    if not days:
        return chart
    top = max(max(d["sent"] + d["failed"] for d in days), cap or 0) or 1
    plot_height = CHART_HEIGHT - 2 * CHART_PAD
    base = CHART_HEIGHT - CHART_PAD
    slot = (CHART_WIDTH - CHART_PAD) / len(days)
    width = max(slot * 0.7, 2)
    for index, d in enumerate(days):
        sent_h, failed_h = plot_height * d["sent"] / top, plot_height * d["failed"] / top
        x = CHART_PAD + index * slot + (slot - width) / 2
        total = d["sent"] + d["failed"]
        chart["bars"].append(
            Bar(
                x=x,
                x2=x + width,
                width=width,
                sent_y=base - sent_h,
                sent_height=sent_h,
                failed_y=base - sent_h - failed_h,
                failed_height=failed_h,
                limit_y=None,
                label=f"{d['date']:%b %-d}" if index % 7 == 2 or index == len(days) - 1 else "",
                title=f"{d['date']:%b %-d}: {d['sent']} sent, {d['failed']} failed, "
                f"{d['opted_out']} opted out, {d['replied']} replied",
                value=str(total) if total and len(days) <= 31 and width >= 10 else "",
                value_y=base - sent_h - failed_h - 4,
                center=x + width / 2,
            )
        )
    chart.update(top=top, top_y=CHART_PAD, base_y=base, left=CHART_PAD, label_y=base + 18)
    if cap:
        chart["cap_y"] = base - plot_height * cap / top
    chart["gridlines"] = [
        {"y": base - plot_height * step / 4, "value": round(top * step / 4)} for step in (1, 2, 3)
    ]
    return chart
