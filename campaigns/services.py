"""Campaign write services: creation with enrollment and quota, edits, lifecycle, deletion.

Every transition locks the campaign row and re-checks its status inside the
transaction, so two concurrent requests can never both win.
"""

from collections.abc import Callable, Iterable
from datetime import UTC

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone as dj_timezone

from campaigns import enrollment, enrollment_estimate
from campaigns.breaker import breaker_restart
from campaigns.models import (
    Campaign,
    CampaignContact,
    CampaignMessage,
    CampaignStatus,
    ContactStatus,
    Delivery,
    MessageType,
    PausedBy,
    WaitingReason,
)
from campaigns.progress import local_today
from campaigns.selectors import STATUS_COUNTERS
from campaigns.webhook_events import campaign_emit, campaigns_emit
from channels.transports import TRANSPORTS
from channels.window import window_hours
from contacts.models import Contact
from skylight.audit import audit_record
from skylight.domain import Conflict, Invalid
from skylight.models import Account
from skylight.services import outreach_quota_refund, outreach_quota_use, subscription_get

DRAFT, RUNNING, PAUSED = CampaignStatus.DRAFT, CampaignStatus.RUNNING, CampaignStatus.PAUSED
CANCELLED = CampaignStatus.CANCELLED
UPDATABLE_FIELDS = (
    "name",
    "messages",
    "is_new_number",
    "send_window",
    "timezone",
    "stop_on_reply",
    "scheduled_start_at",
)
SCHEDULED_STARTS_PER_CYCLE = 500


def _window_fields(send_window) -> dict:
    """`{"start": time, "end": time}` or None as the model's two columns."""
    if not send_window:
        return {"send_window_start": None, "send_window_end": None}
    return {"send_window_start": send_window["start"], "send_window_end": send_window["end"]}


def _message_rows(campaign: Campaign, messages: Iterable[dict]) -> list[CampaignMessage]:
    return [
        CampaignMessage(
            campaign=campaign,
            position=position,
            type=message["type"],
            content=message.get("content") or "",
            caption=message.get("caption") or "",
            filename=message.get("filename") or "",
            template_name=message.get("template_name") or "",
            language=message.get("language") or "",
            parameters=list(message.get("parameters") or []),
            delay_hours=message.get("delay_hours") or 0,
        )
        for position, message in enumerate(messages, start=1)
    ]


def _messages_fit_channel(channel, messages: Iterable[dict]) -> None:
    """422 for template messages on a channel whose provider cannot send templates."""
    transport = TRANSPORTS.get(channel.provider)
    if transport is None or transport.supports_templates:
        return
    if any(message["type"] == MessageType.TEMPLATE for message in messages):
        raise Invalid(
            {
                "messages": [
                    "Template messages need a WhatsApp Cloud API channel; "
                    f"{transport.label} sends free-form messages only."
                ]
            }
        )


def _nobody_enrolled(summary: dict):
    return Invalid(
        {
            "enrollment": [
                "No contact can be enrolled: {requested} requested, {duplicates} duplicates, "
                "{opted_out} opted out, {suppressed} suppressed, {incompatible} of another "
                "channel type.".format(**summary)
            ]
        }
    )


@transaction.atomic
def campaign_create(
    *,
    account,
    name: str,
    channel,
    messages: list[dict],
    contact_ids=(),
    list_ids=(),
    segment_ids=(),
    is_new_number: bool = False,
    send_window=None,
    timezone: str | None = None,
    stop_on_reply: bool = True,
    scheduled_start_at=None,
) -> Campaign:
    """A draft campaign with its messages and enrolled contacts, using one quota unit.

    Raises QuotaExceeded (403) when the quota is used up and a 422 validation error when
    the selection enrolls nobody; either way nothing is created and no quota is used.
    """
    _messages_fit_channel(channel, messages)
    _check_schedule(scheduled_start_at)
    outreach_quota_use(account=account)
    campaign = Campaign.objects.create(
        account=account,
        channel=channel,
        name=name,
        is_new_number=is_new_number,
        stop_on_reply=stop_on_reply,
        timezone=timezone or account.timezone,
        scheduled_start_at=scheduled_start_at,
        **_window_fields(send_window),
    )
    CampaignMessage.objects.bulk_create(_message_rows(campaign, messages))
    summary = enrollment.enroll(
        campaign=campaign, contact_ids=contact_ids, list_ids=list_ids, segment_ids=segment_ids
    )
    if summary["enrolled"] == 0:
        raise _nobody_enrolled(summary)
    summary |= enrollment.window_summary(
        channel=channel,
        enrolled_contacts=Contact.objects.filter(
            pk__in=CampaignContact.objects.filter(campaign=campaign).values("contact_id")
        ),
        enrolled=summary["enrolled"],
        messages=messages,
        now=dj_timezone.now(),
    )
    campaign.enrollment = summary
    campaign.total_contacts = campaign.pending_count = summary["enrolled"]
    campaign.save(update_fields=["enrollment", "total_contacts", "pending_count"])
    return campaign


def enrollment_preview(
    *,
    account,
    channel,
    contact_ids=(),
    list_ids=(),
    segment_ids=(),
    estimate=False,
    messages=None,
) -> dict:
    """The `enrollment` summary creating would produce now, without writing anything.

    With `estimate`, a large selection of lists only is estimated by sampling (the
    summary then has `"estimated": True`); creating always counts exactly. On a channel
    with a free-form window the summary adds `open_window` (always counted exactly) and
    `warnings` (when the first of `messages` is free-form).
    """
    summary = None
    if estimate and not contact_ids and not segment_ids:
        summary = enrollment_estimate.estimate_lists(
            account=account, channel_type=channel.type, list_ids=list_ids
        )
    if summary is None:
        summary = enrollment.summarise(
            account=account,
            channel_type=channel.type,
            contact_ids=contact_ids,
            list_ids=list_ids,
            segment_ids=segment_ids,
        )
    if window_hours(channel) is None:
        return summary
    selection = enrollment.Selection.of(
        account=account, contact_ids=contact_ids, list_ids=list_ids, segment_ids=segment_ids
    )
    return summary | enrollment.window_summary(
        channel=channel,
        enrolled_contacts=enrollment.eligible(selection.contacts(), channel.type),
        enrolled=summary["enrolled"],
        messages=messages,
        now=dj_timezone.now(),
    )


def _lock(campaign: Campaign) -> Campaign:
    """The campaign's row, locked until the end of the transaction."""
    return Campaign.objects.select_for_update().get(pk=campaign.pk)


def _refuse(campaign: Campaign, allowed: str, verb: str) -> Conflict:
    return Conflict(f"Campaign is {campaign.status}; only {allowed} campaigns can be {verb}.")


def _transition(
    campaign: Campaign,
    *,
    allowed: tuple[str, ...],
    describe: str,
    verb: str,
    apply: Callable[[Campaign], dict],
    event: str,
) -> Campaign:
    """Locks the row, checks the status is in `allowed`, then saves what `apply` sets
    and emits `event` (webhooks out) in the same transaction."""
    with transaction.atomic():
        locked = _lock(campaign)
        if locked.status not in allowed:
            raise _refuse(locked, describe, verb)
        changes = apply(locked)
        for field, value in changes.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*changes, "updated_at"])
        campaign_emit(locked, event)
    return locked


def _start_fields(campaign: Campaign, now) -> dict:
    return {
        "status": RUNNING,
        "started_at": now,
        "campaign_day": 1,
        "last_active_date": local_today(campaign, now),
        "next_send_at": now,
    }


def campaign_start(*, campaign: Campaign) -> Campaign:
    """draft -> running: day 1 starts today (local); sending begins on the next cycle.

    A draft with `scheduled_start_at` is refused: the send cycle starts it at that time.
    """

    def apply(locked: Campaign) -> dict:
        if locked.scheduled_start_at is not None:
            raise Conflict(
                f"Campaign is scheduled to start at {_iso(locked.scheduled_start_at)}; "
                "clear scheduled_start_at to start it now."
            )
        return _start_fields(locked, dj_timezone.now())

    return _transition(
        campaign,
        allowed=(DRAFT,),
        describe="draft",
        verb="started",
        apply=apply,
        event="campaign.started",
    )


def _iso(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _check_schedule(scheduled_start_at) -> None:
    if scheduled_start_at is not None and scheduled_start_at <= dj_timezone.now():
        raise Invalid({"scheduled_start_at": ["Must be in the future."]})


def campaigns_start_scheduled(*, now) -> int:
    """Starts the drafts whose `scheduled_start_at` has come, each exactly once.

    Called at the top of every send cycle. Rows another cycle holds are skipped, and a
    row it has just started no longer matches once locked, so concurrent cycles never
    start one campaign twice. Returns how many started.
    """
    scheduled = Campaign.objects.filter(status=DRAFT, scheduled_start_at__lte=now)
    if not scheduled.exists():  # the usual cycle: one indexed read, no transaction
        return 0
    with transaction.atomic():
        due = list(
            scheduled.select_for_update(skip_locked=True)
            .only("pk", "timezone")
            .order_by("scheduled_start_at")[:SCHEDULED_STARTS_PER_CYCLE]
        )
        started = [
            campaign.pk
            for campaign in due
            if Campaign.objects.filter(pk=campaign.pk, status=DRAFT).update(
                **_start_fields(campaign, now), updated_at=now
            )
        ]
        _scheduled_starts_record(started)
    return len(started)


def _scheduled_starts_record(campaign_ids: list[int]) -> None:
    """The audit log (actor "system") and `campaign.started` events of automatic starts."""
    if not campaign_ids:
        return
    for campaign_id, account_id in Campaign.objects.filter(pk__in=campaign_ids).values_list(
        "pk", "account_id"
    ):
        audit_record(
            account=Account(pk=account_id),
            action="campaign.started",
            object_id=campaign_id,
            changes={"status": [DRAFT, RUNNING], "scheduled": True},
        )
    campaigns_emit(campaign_ids, "campaign.started")


def campaign_pause(*, campaign: Campaign) -> Campaign:
    """running -> paused: the engine sends nothing more once this commits."""
    return _transition(
        campaign,
        allowed=(RUNNING,),
        describe="running",
        verb="paused",
        apply=lambda locked: {
            "status": PAUSED,
            "paused_at": dj_timezone.now(),
            "paused_by": PausedBy.USER,
            "pause_reason": "",
            "waiting_reason": WaitingReason.PAUSED,
        },
        event="campaign.paused",
    )


def campaigns_pause_for_safety(*, reason: str, channel_id=None, campaign_ids=None) -> list[int]:
    """Pauses running campaigns by sender safety, with `reason` (a sentence with figures).

    Either every running campaign on `channel_id` or the running ones among
    `campaign_ids`. Rows are locked first, like a claim, so once this commits no more
    contact is claimed for them (a claim made before may finish). Returns the ids paused.
    """
    running = Campaign.objects.filter(status=RUNNING)
    if channel_id is not None:
        running = running.filter(channel_id=channel_id)
    if campaign_ids is not None:
        running = running.filter(pk__in=list(campaign_ids))
    now = dj_timezone.now()
    with transaction.atomic():
        ids = list(running.select_for_update().order_by("pk").values_list("pk", flat=True))
        if ids:
            Campaign.objects.filter(pk__in=ids, status=RUNNING).update(
                status=PAUSED,
                paused_at=now,
                paused_by=PausedBy.SAFETY,
                pause_reason=reason[:1000],
                waiting_reason=WaitingReason.SAFETY_PAUSED,
                updated_at=now,
            )
            campaigns_emit(ids, "campaign.paused")
    return ids


def campaign_resume(*, campaign: Campaign) -> Campaign:
    """paused -> running, keeping campaign_day and every counter.

    Resuming a campaign sender safety paused is a person's judgement that the number
    may send again: the channel's breaker starts a fresh window and its health is `ok`.
    """
    return _transition(
        campaign,
        allowed=(PAUSED,),
        describe="paused",
        verb="resumed",
        apply=_resume_fields,
        event="campaign.resumed",
    )


def _resume_fields(locked: Campaign) -> dict:
    if locked.paused_by == PausedBy.SAFETY:
        breaker_restart(channel_id=locked.channel_id)
    return {
        "status": RUNNING,
        "paused_at": None,
        "paused_by": "",
        "pause_reason": "",
        "waiting_reason": "",
        "next_send_at": dj_timezone.now(),
    }


def campaign_cancel(*, campaign: Campaign) -> Campaign:
    """draft, running or paused -> cancelled, which is final."""
    return _transition(
        campaign,
        allowed=(DRAFT, RUNNING, PAUSED),
        describe="draft, running or paused",
        verb="cancelled",
        apply=lambda locked: {"status": CANCELLED, "cancelled_at": dj_timezone.now()},
        event="campaign.cancelled",
    )


def campaign_update(*, campaign: Campaign, **fields) -> Campaign:
    """Changes a draft's name, messages, is_new_number, send_window, timezone or schedule.

    `messages` replaces the whole sequence; `send_window=None` clears the window and
    `scheduled_start_at=None` the schedule (a new one must be in the future).
    """
    unknown = set(fields) - set(UPDATABLE_FIELDS)
    if unknown:
        raise TypeError(f"campaign_update() cannot change {', '.join(sorted(unknown))}")
    with transaction.atomic():
        locked = _lock(campaign)
        if locked.status != DRAFT:
            raise _refuse(locked, "draft", "updated")
        _check_schedule(fields.get("scheduled_start_at"))
        messages = fields.pop("messages", None)
        if messages is not None:
            _messages_fit_channel(locked.channel, messages)
        if "send_window" in fields:
            fields.update(_window_fields(fields.pop("send_window")))
        for field, value in fields.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*fields, "updated_at"])
        if messages is not None:
            locked.messages.all().delete()
            CampaignMessage.objects.bulk_create(_message_rows(locked, messages))
    return locked


def _delete_contacts(campaign: Campaign) -> None:
    """Deletes the campaign's contact rows in two statements, not row by row."""
    Delivery.objects.filter(campaign_contact__campaign=campaign).delete()
    rows = CampaignContact.objects.filter(campaign=campaign)
    # The collector would load every row to cascade to deliveries (already gone).
    rows._raw_delete(rows.db)


def _used_this_period(campaign: Campaign) -> bool:
    """Whether the campaign's quota unit belongs to the current period (else none is owed)."""
    subscription = subscription_get(account=campaign.account)
    return dj_timezone.localdate(campaign.created_at) >= subscription.period_start


def campaign_delete(*, campaign: Campaign) -> None:
    """Deletes a draft or cancelled campaign; a never-started draft gives its quota back."""
    with transaction.atomic():
        locked = _lock(campaign)
        if locked.status not in (DRAFT, CANCELLED):
            raise _refuse(locked, "draft or cancelled", "deleted")
        if locked.status == DRAFT and locked.started_at is None and _used_this_period(locked):
            outreach_quota_refund(account=locked.account)
        _delete_contacts(locked)
        locked.delete()


def campaign_contacts_forget(*, contact_ids: Iterable[int]) -> None:
    """Removes contacts from every campaign they are enrolled in, keeping counters exact.

    Called inside the transaction that deletes the contacts. The campaigns are locked
    (in id order, as claims take them), so no claim can start meanwhile; a contact being
    sent to right now is refused with 409, since its outcome is still to be recorded.
    """
    contact_ids = list(contact_ids)
    rows = CampaignContact.objects.filter(contact_id__in=contact_ids)
    campaign_ids = sorted(set(rows.values_list("campaign_id", flat=True)))
    if not campaign_ids:
        return
    list(Campaign.objects.select_for_update().filter(pk__in=campaign_ids).order_by("pk"))
    if rows.filter(status=ContactStatus.SENDING).exists():
        raise Conflict("A message to this contact is being sent right now; try again in a minute.")
    counts = rows.values_list("campaign_id", "status").annotate(n=Count("id")).order_by()
    changes: dict[int, dict[str, int]] = {}
    for campaign_id, status, n in counts:
        change = changes.setdefault(campaign_id, {"total_contacts": 0})
        change["total_contacts"] += n
        change[STATUS_COUNTERS[status]] = change.get(STATUS_COUNTERS[status], 0) + n
    for campaign_id, change in changes.items():
        Campaign.objects.filter(pk=campaign_id).update(
            **{field: F(field) - n for field, n in change.items()}
        )
    Delivery.objects.filter(campaign_contact__contact_id__in=contact_ids).delete()
    rows.delete()
