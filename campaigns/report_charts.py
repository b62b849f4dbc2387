"""Server-rendered figures of the Report tab: the funnel and the per-day outcome bars."""

from dataclasses import dataclass

WIDTH, HEIGHT, PAD = 640, 200, 28
MAX_DAYS = 60
# Stacked from the bottom: each segment is the part of the day's contacts in that state.
SEGMENTS = (
    ("read", "Read", "seg-read"),
    ("delivered_unread", "Delivered", "seg-delivered"),
    ("sent_only", "Sent", "seg-sent"),
    ("failed", "Failed", "seg-failed"),
    ("skipped", "Skipped", "seg-skipped"),
)


@dataclass
class Segment:
    css: str
    y: float
    height: float


def funnel(campaign, totals: dict) -> list[dict]:
    """Enrolled, then sent, delivered, read and replied, each as a share of the enrolled."""
    enrolled = campaign.total_contacts
    steps = [("Enrolled", enrolled)] + [
        (label, totals[key])
        for key, label in (
            ("sent", "Sent"),
            ("delivered", "Delivered"),
            ("read", "Read"),
            ("replied", "Replied"),
        )
    ]
    return [
        {"label": label, "count": count, "pct": round(100 * count / enrolled, 1) if enrolled else 0}
        for label, count in steps
    ]


def _parts(day: dict) -> dict:
    return {
        "read": day["read"],
        "delivered_unread": day["delivered"] - day["read"],
        "sent_only": day["sent"] - day["delivered"],
        "failed": day["failed"],
        "skipped": day["skipped"],
    }


def outcome_bars(days: list[dict]) -> dict:
    """Geometry of one stacked bar per day (the latest MAX_DAYS days)."""
    days = days[-MAX_DAYS:]
    chart = {"width": WIDTH, "height": HEIGHT, "bars": [], "legend": SEGMENTS}
    if not days:
        return chart
    top = max(sum(_parts(day).values()) for day in days) or 1
    plot, base = HEIGHT - 2 * PAD, HEIGHT - PAD
    slot = (WIDTH - PAD) / max(len(days), 7)
    width = max(slot * 0.7, 2)
    every = 1 if len(days) <= 15 else 5
    for index, day in enumerate(days):
        parts, y, segments = _parts(day), base, []
        for key, _, css in SEGMENTS:
            height = plot * parts[key] / top
            y -= height
            if height:
                segments.append(Segment(css=css, y=y, height=height))
        label = f"D{day['campaign_day']}" if day["campaign_day"] else f"{day['date']:%b %-d}"
        chart["bars"].append(
            {
                "x": PAD + index * slot + (slot - width) / 2,
                "width": width,
                "segments": segments,
                "label": label if index % every == 0 else "",
                "title": f"{day['date']:%b %-d}: {day['sent']} sent, {day['delivered']} "
                f"delivered, {day['read']} read, {day['failed']} failed, "
                f"{day['skipped']} skipped",
            }
        )
    chart.update(top=top, top_y=PAD, base_y=base, left=PAD, label_y=base + 18)
    return chart
