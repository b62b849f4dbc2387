"""Dashboard page of the event webhooks: endpoints, their delivery log, resend.

Owners only, like API keys: an endpoint's secret and URL are integration settings.
"""

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from skylight.audit import audit_record
from skylight.domain import DomainError
from skylight.events import EVENT_TYPES
from skylight.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from skylight.page_utils import add_service_errors, owner_page, paginate, render_page

from . import services


class EndpointForm(forms.Form):
    url = forms.URLField(
        max_length=2000,
        assume_scheme="https",
        label="URL",
        help_text="SkyLight POSTs signed JSON events here.",
    )
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
        initial=list(EVENT_TYPES),
        label="Events",
    )


@owner_page
def webhooks(request):
    form = EndpointForm(request.POST or None)
    context = {}
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.webhook_endpoint_create(
                account=request.account, **form.cleaned_data
            )
        except DomainError as exc:
            add_service_errors(form, exc)
        else:
            audit_record(
                account=request.account,
                action="webhook_endpoint.created",
                target=endpoint,
                changes={"url": endpoint.url, "events": endpoint.events},
            )
            context = {"new_endpoint": endpoint, "secret": endpoint.secret}
            form = EndpointForm()
    endpoints = WebhookEndpoint.objects.filter(account=request.account).order_by("-id")
    context.update(form=form, endpoints=endpoints, section="webhooks")
    return render_page(request, "channels/webhooks.html", context)


def _endpoint(request, pk) -> WebhookEndpoint:
    return get_object_or_404(WebhookEndpoint, pk=pk, account=request.account)


@owner_page
def webhook_detail(request, pk, secret=None):
    endpoint = _endpoint(request, pk)
    deliveries = (
        WebhookDelivery.objects.filter(endpoint=endpoint)
        .select_related("event")
        .prefetch_related(Prefetch("attempt_log", WebhookAttempt.objects.order_by("number")))
        .order_by("-id")
    )
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    context = {
        "endpoint": endpoint,
        "page_obj": paginate(request, deliveries),
        "status": status,
        "statuses": WebhookDelivery.Status.choices,
        "secret": secret,
        "section": "webhooks",
    }
    return render_page(request, "channels/webhook_detail.html", context, "deliveries")


@owner_page
@require_POST
def webhook_toggle(request, pk):
    endpoint = _endpoint(request, pk)
    active = not endpoint.is_active
    services.webhook_endpoint_update(endpoint=endpoint, is_active=active)
    audit_record(
        account=request.account,
        action="webhook_endpoint.updated",
        target=endpoint,
        changes={"fields": ["is_active"], "is_active": active},
    )
    messages.success(request, f"{'Enabled' if active else 'Disabled'} {endpoint.url}.")
    return redirect("dashboard:webhook_detail", pk=endpoint.pk)


@owner_page
@require_POST
def webhook_roll_secret(request, pk):
    endpoint = services.webhook_endpoint_roll_secret(endpoint=_endpoint(request, pk))
    audit_record(account=request.account, action="webhook_endpoint.secret_rolled", target=endpoint)
    return webhook_detail(request, pk, secret=endpoint.secret)


@owner_page
@require_POST
def webhook_delete(request, pk):
    endpoint = _endpoint(request, pk)
    endpoint_id, url = endpoint.pk, endpoint.url
    services.webhook_endpoint_delete(endpoint=endpoint)
    audit_record(
        account=request.account,
        action="webhook_endpoint.deleted",
        object_id=endpoint_id,
        changes={"url": url},
    )
    messages.success(request, f"Deleted the endpoint {url}.")
    return redirect("dashboard:webhooks")


@owner_page
@require_POST
def webhook_resend(request, pk, delivery_id):
    endpoint = _endpoint(request, pk)
    delivery = get_object_or_404(WebhookDelivery, pk=delivery_id, endpoint=endpoint)
    try:
        services.webhook_delivery_resend(delivery=delivery)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{delivery.event_id} will be sent again within a minute.")
    return redirect("dashboard:webhook_detail", pk=endpoint.pk)
