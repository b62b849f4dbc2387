"""Dashboard pages for campaigns: list, create/edit, detail, lifecycle actions, previews."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from campaigns import (
    exports,
    previews,
    progress,
    rendering,
    reports,
    selectors,
    services,
    template_picker,
)
from campaigns.charts import MAX_SCHEDULE_ROWS, day_bars, small_campaign_cap
from campaigns.filters import VISIBLE_CONTACT_STATUSES
from campaigns.forms import (
    MESSAGE_TYPES,
    CampaignForm,
    ScheduleForm,
    message_rows_from_post,
    message_rows_of,
    validate_messages,
)
from campaigns.models import Campaign, CampaignStatus, PausedBy
from campaigns.next_step import next_step
from campaigns.report_charts import funnel, outcome_bars
from channels.models import Channel
from contacts.models import Contact
from skylight.audit import audit_record
from skylight.domain import DomainError, Invalid
from skylight.page_utils import (
    PER_PAGE,
    account_page,
    add_service_errors,
    delete_through_service,
    render_page,
    service_error_messages,
)
from skylight.paging import keyset_page

ACTIONS = {
    "start": (services.campaign_start, "Started"),
    "pause": (services.campaign_pause, "Paused"),
    "resume": (services.campaign_resume, "Resumed"),
    "cancel": (services.campaign_cancel, "Cancelled"),
}


def _with_figures(campaign, now=None):
    """Attaches the derived figures the templates show (shared with the API via progress)."""
    campaign.progress = progress.progress_percentage(campaign)
    campaign.sent_today = progress.messages_sent_today(campaign, now)
    campaign.limit_today = progress.current_daily_limit(campaign)
    campaign.remaining = progress.remaining_today(campaign, now)
    campaign.next_step = next_step(campaign, now)
    return campaign


def _scoped(request, pk) -> Campaign:
    return get_object_or_404(selectors.campaign_queryset(account=request.account), pk=pk)


# --- list -----------------------------------------------------------------------


@account_page
def campaigns(request):
    params = {key: request.GET.get(key, "") for key in ("status", "search")}
    if params["status"] not in CampaignStatus.values:
        params["status"] = ""
    filtered = selectors.campaign_list(account=request.account, params=params)
    page = Paginator(filtered, PER_PAGE).get_page(request.GET.get("page"))
    for campaign in page:
        _with_figures(campaign)
    counts = dict(
        Campaign.objects.filter(account=request.account)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    tabs = [("", "All", sum(counts.values()))] + [
        (value, label, counts.get(value, 0)) for value, label in CampaignStatus.choices
    ]
    query = "&".join(f"{key}={value}" for key, value in params.items() if value)
    context = {
        "page_obj": page,
        "params": params,
        "tabs": tabs,
        "query": f"{query}&" if query else "",
        "any_running": any(c.status == CampaignStatus.RUNNING for c in page),
    }
    return render_page(request, "campaigns/campaigns.html", context, "table")


# --- create / edit ----------------------------------------------------------------


def _initial_for_new(request) -> dict:
    initial = {}
    if request.GET.get("list", "").isdigit():
        initial["lists"] = [int(request.GET["list"])]
    return initial


def _picker_channel(request, form, campaign=None):
    """The channel whose templates the editor offers: the campaign's, else the form's."""
    if campaign is not None:
        return campaign.channel
    channel_id = str(form.data.get("channel") or form.initial.get("channel") or "")
    if not channel_id.isdigit():
        return None
    return Channel.objects.filter(account=request.account, pk=int(channel_id)).first()


def _with_pickers(rows, channel) -> list[dict]:
    """Each row with its template picker (the approved templates are listed once)."""
    return [
        {
            **row,
            "picker": template_picker.picker(
                channel,
                template_picker.value_of(row.get("template_name", ""), row.get("language", "")),
                row.get("parameters") or (),
            ),
        }
        for row in rows
    ]


def _form_page(request, form, rows, row_errors=(), sequence_errors=(), campaign=None, **extra):
    channel = _picker_channel(request, form, campaign)
    rows = _with_pickers(rows, channel)
    context = {
        **_message_preview(request, rows, campaign),
        **extra,
        "form": form,
        "campaign": campaign,
        "message_rows": list(zip(rows, list(row_errors) or [{} for _ in rows], strict=False)),
        "sequence_errors": sequence_errors,
        "message_types": MESSAGE_TYPES,
        "blank_picker": template_picker.picker(channel),
    }
    if form.creating:
        context["preview"] = _preview_of(request, form) if form.is_bound else None
    return render_page(request, "campaigns/campaign_form.html", context, "campaign-form")


@account_page
def campaign_new(request):
    form = CampaignForm(
        request.POST or None, account=request.account, initial=_initial_for_new(request)
    )
    if request.method != "POST":
        rows = [{"type": "text", "content": "", "caption": "", "filename": ""}]
        return _form_page(request, form, rows)
    rows = message_rows_from_post(request.POST)
    valid_messages, row_errors, sequence_errors = validate_messages(rows)
    if form.is_valid() and valid_messages is not None:
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                account=request.account,
                name=data["name"],
                channel=data["channel"],
                messages=valid_messages,
                is_new_number=data["is_new_number"],
                send_window=form.send_window(),
                timezone=data["timezone"],
                **form.sources(),
            )
        except DomainError as exc:
            add_service_errors(form, exc, {"enrollment": None, "channel_id": "channel"})
        else:
            audit_record(account=request.account, action="campaign.created", target=campaign)
            messages.success(request, f"Created {campaign.name} as a draft. Start it when ready.")
            return redirect("dashboard:campaign_detail", campaign.pk)
    return _form_page(request, form, rows, row_errors, sequence_errors)


@account_page
def campaign_edit(request, pk):
    campaign = _scoped(request, pk)
    if campaign.status != CampaignStatus.DRAFT:
        messages.error(request, "Only draft campaigns can be edited.")
        return redirect("dashboard:campaign_detail", campaign.pk)
    initial = {
        "name": campaign.name,
        "is_new_number": campaign.is_new_number,
        "window_start": campaign.send_window_start,
        "window_end": campaign.send_window_end,
        "timezone": campaign.timezone,
    }
    form = CampaignForm(
        request.POST or None, account=request.account, creating=False, initial=initial
    )
    if request.method != "POST":
        return _form_page(request, form, message_rows_of(campaign), campaign=campaign)
    rows = message_rows_from_post(request.POST)
    valid_messages, row_errors, sequence_errors = validate_messages(rows)
    if form.is_valid() and valid_messages is not None:
        try:
            services.campaign_update(
                campaign=campaign,
                name=form.cleaned_data["name"],
                messages=valid_messages,
                is_new_number=form.cleaned_data["is_new_number"],
                send_window=form.send_window(),
                timezone=form.cleaned_data["timezone"],
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            changed = sorted(set(form.changed_data) | {"messages"})
            audit_record(
                account=request.account,
                action="campaign.updated",
                target=campaign,
                changes={"fields": changed},
            )
            messages.success(request, "Campaign saved.")
            return redirect("dashboard:campaign_detail", campaign.pk)
    return _form_page(request, form, rows, row_errors, sequence_errors, campaign)


def _preview_of(request, form) -> dict | None:
    """Enrollment preview of the form's channel and sources (None until both are given).

    Typed phones count as soon as they match a contact; the others are listed (not a
    phone number, or no such contact) before the form is submitted.
    """
    form.is_valid()
    channel = form.cleaned_data.get("channel")
    sources = form.sources()
    found, bad, missing = form.phone_lookup(form.data.get("phones", ""))
    sources["contact_ids"] = found
    problems = {"not_phones": bad[:10], "unknown_phones": missing[:10]}
    if channel is None or not any(sources.values()):
        return problems if bad or missing else None
    try:
        summary = services.enrollment_preview(
            account=request.account,
            channel=channel,
            estimate=True,
            messages=message_rows_from_post(request.POST) or None,
            **sources,
        )
    except Invalid as exc:
        return {"errors": service_error_messages(exc), **problems}
    return {"summary": summary, "channel": channel, **problems}


@account_page
def campaign_template_picker(request):
    """One message row's template picker for the chosen channel and template (htmx)."""
    channel_id = request.GET.get("channel") or request.GET.get("template_channel") or ""
    channel = None
    if channel_id.isdigit():
        channel = Channel.objects.filter(account=request.account, pk=int(channel_id)).first()
    selected = request.GET.get("message_template", "")
    context = {"picker": template_picker.picker(channel, selected)}
    return render(request, "campaigns/campaign_form.html#template-picker", context)


@account_page
@require_POST
def campaign_preview(request):
    form = CampaignForm(request.POST, account=request.account)
    context = {"preview": _preview_of(request, form)}
    return render(request, "campaigns/campaign_form.html#preview", context)


# --- message preview and test send --------------------------------------------------


def _message_preview(request, rows, campaign=None, contact=None) -> dict:
    """The editor's messages rendered for a sample contact (placeholders, one spintax pick)."""
    if contact is None:
        contact = previews.sample_contact(account=request.account, campaign=campaign)
    recipient = previews.recipient_of(contact)
    shown = [row for row in rows if row.get("content") or row.get("caption")]
    seed = f"preview:{contact.pk if contact else 0}"
    return {
        "preview_messages": previews.render_messages(shown, recipient, seed),
        "preview_contact": contact,
        "preview_sample": previews.SAMPLE,
    }


def _campaign_of_url(request, pk):
    """The draft being edited (pk given), or None on the new campaign page."""
    if pk is None:
        return None
    campaign = _scoped(request, pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise Http404("Only a draft's messages are edited.")
    return campaign


@account_page
@require_POST
def campaign_message_preview(request, pk=None):
    """The live preview region of the editor (htmx posts the whole form on input)."""
    campaign = _campaign_of_url(request, pk)
    context = _message_preview(request, message_rows_from_post(request.POST), campaign)
    return render(request, "campaigns/campaign_form.html#message-preview", context)


@account_page
@require_POST
def campaign_test_send(request, pk=None):
    """Sends the editor's messages, rendered, to a phone of the user's choice now."""
    campaign = _campaign_of_url(request, pk)
    form = CampaignForm(request.POST, account=request.account, creating=campaign is None)
    rows = message_rows_from_post(request.POST)
    result = _test_send(request, form, rows, campaign)
    if request.htmx:
        return render(request, "campaigns/campaign_form.html#test-send-result", result)
    return _form_page(request, form, rows, campaign=campaign, **result)


def _test_send(request, form, rows, campaign) -> dict:
    raw = request.POST.get("test_phone", "")
    result = {"test_phone": raw}
    form.is_valid()
    channel = campaign.channel if campaign else form.cleaned_data.get("channel")
    valid_messages, _, sequence_errors = validate_messages(rows)
    if channel is None:
        return {**result, "test_error": "Choose the channel to send the test through."}
    if valid_messages is None:
        problem = " ".join(sequence_errors) or "Correct the messages first."
        return {**result, "test_error": problem}
    try:
        address = previews.trial_address(account=request.account, channel=channel, raw=raw)
    except Invalid as exc:
        return {**result, "test_error": " ".join(service_error_messages(exc))}
    if wait := previews.trial_wait_seconds(account=request.account):
        return {**result, "test_error": f"Too many test sends; try again in {wait:.0f} s."}
    contact = Contact.objects.filter(
        account=request.account, type=channel.type, phone=address
    ).first() or previews.sample_contact(account=request.account, campaign=campaign)
    seed = f"preview:{contact.pk if contact else 0}"
    rendered = previews.render_messages(valid_messages, previews.recipient_of(contact), seed)
    try:
        outcomes = previews.campaign_test_send(channel=channel, address=address, messages=rendered)
    except DomainError as exc:
        return {**result, "test_error": " ".join(service_error_messages(exc))}
    audit_record(
        account=request.account,
        action="campaign.test_sent",
        target=campaign,
        changes={"channel_id": channel.pk, "sent": sum(o.accepted for o in outcomes)},
    )
    return {**result, "test_outcomes": outcomes, "test_channel": channel, "test_address": address}


# --- detail and actions -------------------------------------------------------------


def _keyset_page(request, rows) -> dict:
    """One page of contact rows after the id in `?after=` (constant cost at any depth)."""
    after = request.GET.get("after", "")
    after = int(after) if after.isdigit() else 0
    page = keyset_page(rows, size=PER_PAGE, after=after)
    return {
        "rows": page.rows,
        "next_after": page.next_after,
        "is_first": not after,
        "after": after,
    }


def _contact_tabs(campaign) -> list[tuple[str, str, int]]:
    """(status, label, how many) for the contact tabs, read from the campaign's counters."""
    tabs = [("", "All", campaign.total_contacts)]
    return tabs + [
        (value, label, selectors.campaign_contact_total(campaign=campaign, status=value))
        for value, label in VISIBLE_CONTACT_STATUSES
    ]


def _message_examples(campaign) -> dict:
    """The sequence rendered for one enrolled contact (placeholders and one spintax pick)."""
    contact = previews.first_enrolled(campaign)
    messages_ = list(campaign.messages.all())
    if contact is None:
        return {"sample": None, "messages": [(m, "") for m in messages_]}
    recipient = rendering.Recipient(
        name=contact.name, phone=contact.phone, attributes=contact.attributes
    )
    rendered = [
        (m, rendering.render(m.content if m.type == "text" else m.caption, recipient, f"p{m.pk}"))
        for m in messages_
    ]
    return {"sample": contact, "messages": rendered}


@account_page
def campaign_detail(request, pk):
    campaign = _with_figures(_scoped(request, pk))
    status = request.GET.get("status", "")
    if status not in dict(VISIBLE_CONTACT_STATUSES):
        status = ""
    rows = selectors.campaign_contact_rows(campaign=campaign, params={"status": status})
    total = selectors.campaign_contact_total(campaign=campaign, status=status or None)
    planned = progress.projection(campaign)
    schedule_rows = planned.days(MAX_SCHEDULE_ROWS) if planned else []
    context = {
        "campaign": campaign,
        "estimate": progress.estimated_completion_date(campaign),
        # The projection's days past the shown ones (counted without walking them).
        "schedule_more": max(0, planned.day_count - MAX_SCHEDULE_ROWS) if planned else 0,
        # Each region reads only what it shows: a poll of the live region never reads the
        # contacts page, and paging the contacts never reads the per-day rows.
        "chart": SimpleLazyObject(lambda: day_bars(campaign, schedule_rows)),
        "schedule": schedule_rows,
        "small_cap": small_campaign_cap(campaign),
        "contact_status": status,
        "contact_statuses": VISIBLE_CONTACT_STATUSES,
        "contact_tabs": _contact_tabs(campaign),
        "contacts_page": SimpleLazyObject(lambda: _keyset_page(request, rows)),
        "contacts_total": total,
        "query": f"status={status}&" if status else "",
        "is_live": campaign.is_running,
        "examples": SimpleLazyObject(lambda: _message_examples(campaign)),
        "schedule_form": ScheduleForm(campaign=campaign),
    }
    partial = (
        "contacts" if request.GET.get("status") is not None or "after" in request.GET else "live"
    )
    response = render_page(request, "campaigns/campaign_detail.html", context, partial)
    if _is_live_poll(request) and not context["is_live"]:
        # The campaign stopped running: its heading and buttons change, so reload once.
        response["HX-Refresh"] = "true"
    return response


def _is_live_poll(request) -> bool:
    return bool(request.htmx) and request.htmx.target == "campaign-live"


@account_page
def campaign_export(request, pk):
    """The campaign's contacts as a CSV download (the contacts table's status filter)."""
    campaign = _scoped(request, pk)
    status = request.GET.get("status", "")
    params = {"status": status} if status in dict(VISIBLE_CONTACT_STATUSES) else {}
    return exports.campaign_contacts_csv(campaign=campaign, params=params)


@account_page
def campaign_report(request, pk):
    """The Report tab: the funnel, outcomes per day, rates, top failures and steps."""
    campaign = _scoped(request, pk)
    report = reports.campaign_report(campaign=campaign)
    context = {
        "campaign": campaign,
        "report": report,
        "funnel": funnel(campaign, report["totals"]),
        "chart": outcome_bars(report["days"]),
        "rates": {key: round(100 * value, 1) for key, value in report["rates"].items()},
    }
    return render_page(request, "campaigns/campaign_report.html", context)


@account_page
@require_POST
def campaign_action(request, pk, action):
    campaign = _scoped(request, pk)
    if action not in ACTIONS:
        raise Http404("No such action.")
    service, done = ACTIONS[action]
    if (
        action == "resume"
        and campaign.paused_by == PausedBy.SAFETY
        and not request.POST.get("confirm_safety")
    ):
        # Sender safety stopped the number: a person must say they checked it first.
        messages.error(
            request,
            f"Sender safety paused {campaign.name}: {campaign.pause_reason} Tick the box to "
            "confirm the number may send again.",
        )
        return redirect("dashboard:campaign_detail", campaign.pk)
    try:
        changed = service(campaign=campaign)
    except DomainError as exc:
        messages.error(request, " ".join(service_error_messages(exc)))
    else:
        audit_record(
            account=request.account,
            action=f"campaign.{done.lower()}",
            target=changed,
            changes={"status": [campaign.status, changed.status]},
        )
        messages.success(request, f"{done} {campaign.name}.")
    return redirect("dashboard:campaign_detail", campaign.pk)


@account_page
@require_POST
def campaign_schedule(request, pk):
    """Schedules, reschedules or (with `clear`) unschedules a draft's start."""
    campaign = _scoped(request, pk)
    if "clear" in request.POST:
        starts_at = None
    else:
        form = ScheduleForm(request.POST, campaign=campaign)
        if not form.is_valid():
            messages.error(request, "Give the date and time to start on.")
            return redirect("dashboard:campaign_detail", campaign.pk)
        starts_at = form.cleaned_data["starts_at"]
    try:
        services.campaign_update(campaign=campaign, scheduled_start_at=starts_at)
    except DomainError as exc:
        messages.error(request, " ".join(service_error_messages(exc)))
    else:
        audit_record(
            account=request.account,
            action="campaign.updated",
            target=campaign,
            changes={"fields": ["scheduled_start_at"]},
        )
        messages.success(request, "Schedule cleared." if starts_at is None else "Start scheduled.")
    return redirect("dashboard:campaign_detail", campaign.pk)


@account_page
@require_POST
def campaign_delete(request, pk):
    campaign = _scoped(request, pk)
    campaign_id = campaign.pk

    def delete():
        services.campaign_delete(campaign=campaign)
        audit_record(account=request.account, action="campaign.deleted", object_id=campaign_id)

    return delete_through_service(
        request,
        delete,
        label=campaign.name,
        success_url="dashboard:campaigns",
        error_url=reverse("dashboard:campaign_detail", args=[campaign.pk]),
    )
