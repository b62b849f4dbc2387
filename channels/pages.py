"""Dashboard pages for channels: list, connect/edit per provider, test send, delete."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from channels import services
from channels.connection import channel_connection_state, channel_webhook_register
from channels.forms import CONFIG_PREFIX, ChannelForm, TestMessageForm
from channels.guidance import provider_intro
from channels.models import Channel
from channels.transports import TRANSPORTS, ConfigError, TransportError
from skylight.audit import audit_record
from skylight.domain import DomainError
from skylight.page_utils import (
    account_page,
    add_service_errors,
    delete_through_service,
    owner_page,
    render_page,
    service_error_messages,
)

STORED_SETTINGS_INVALID = "The channel's stored settings are invalid: open and save them again."


def _config_error_map(form) -> dict:
    """Service errors name `config.<key>`; the form's field is `config_<key>`."""
    return {
        f"config.{name[len(CONFIG_PREFIX) :]}": name
        for name in form.fields
        if name.startswith(CONFIG_PREFIX)
    }


@account_page
def channels(request):
    items = Channel.objects.filter(account=request.account)
    providers = [(name, transport.label) for name, transport in TRANSPORTS.items()]
    return render_page(
        request, "channels/channels.html", {"channels": items, "providers": providers}
    )


@owner_page
def channel_new(request):
    provider = request.POST.get("provider") or request.GET.get("provider")
    if provider not in TRANSPORTS:
        providers = [(name, t.label, t.channel_types) for name, t in TRANSPORTS.items()]
        return render_page(request, "channels/channel_new.html", {"providers": providers})
    form = ChannelForm(request.POST or None, provider=provider)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.channel_create(
                account=request.account,
                provider=provider,
                config=form.config(),
                **form.common(),
            )
        except DomainError as exc:
            add_service_errors(form, exc, _config_error_map(form))
        else:
            audit_record(account=request.account, action="channel.created", target=channel)
            messages.success(
                request, f"Connected {channel.name}. Paste its webhook URL into the provider."
            )
            return redirect("dashboard:channel_detail", channel.pk)
    context = {
        "form": form,
        "provider": provider,
        "provider_label": TRANSPORTS[provider].label,
        "transport": TRANSPORTS[provider],
        "provider_intro": provider_intro(provider),
    }
    return render_page(request, "channels/channel_form.html", context, "channel-form")


@owner_page
def channel_detail(request, pk):
    channel = get_object_or_404(Channel, pk=pk, account=request.account)
    if channel.provider not in TRANSPORTS:
        raise Http404("Unknown provider.")
    form = ChannelForm(
        request.POST or None,
        provider=channel.provider,
        channel=channel,
        initial=ChannelForm.initial_from(channel),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.channel_update(
                channel=channel,
                config=form.config(),
                **form.common(),
            )
        except DomainError as exc:
            add_service_errors(form, exc, _config_error_map(form))
        else:
            changed = sorted(name for name in form.changed_data)
            audit_record(
                account=request.account,
                action="channel.updated",
                target=channel,
                changes={"fields": changed},
            )
            messages.success(request, "Channel saved.")
            return redirect("dashboard:channel_detail", channel.pk)
    context = {
        "form": form,
        "channel": channel,
        "provider": channel.provider,
        "provider_label": TRANSPORTS[channel.provider].label,
        "transport": TRANSPORTS[channel.provider],
        "provider_intro": provider_intro(channel.provider),
        "test_form": TestMessageForm(channel=channel),
        "webhook_url": channel.webhook_url_for(request),
    }
    return render_page(request, "channels/channel_form.html", context, "channel-form")


@owner_page
@require_POST
def channel_test(request, pk):
    """Asks a gateway for its state first (a disconnected one sends nothing), then sends."""
    channel = get_object_or_404(Channel, pk=pk, account=request.account)
    form = TestMessageForm(request.POST, channel=channel)
    context = {"channel": channel, "test_form": form}
    if form.is_valid():
        try:
            context.update(_test_send(channel, form.cleaned_data))
        except TransportError as exc:
            context["test_error"] = f"{exc.message} ({exc.kind})"
        except ConfigError:
            context["test_error"] = STORED_SETTINGS_INVALID
        except DomainError as exc:
            context["test_error"] = " ".join(service_error_messages(exc))
    if not request.htmx:
        if "test_ok" in context:
            messages.success(request, f"Test message accepted (id {context['test_ok']}).")
        else:
            messages.error(request, context.get("test_error") or "Check the recipient.")
        return redirect("dashboard:channel_detail", channel.pk)
    return render_page(request, "channels/channel_form.html", context, "test-panel")


def _test_send(channel, data) -> dict:
    state = channel_connection_state(channel=channel)
    if state is not None and not state.ready:
        return {"test_error": f"{state.description}; nothing was sent."}
    result = services.channel_send_test(
        channel=channel, recipient=data["recipient"], text=data["text"]
    )
    return {"test_ok": result.provider_message_id or "not given by the provider"}


@owner_page
@require_POST
def channel_delete(request, pk):
    channel = get_object_or_404(Channel, pk=pk, account=request.account)
    channel_id = channel.pk

    def delete():
        services.channel_delete(channel=channel)
        audit_record(account=request.account, action="channel.deleted", object_id=channel_id)

    return delete_through_service(
        request,
        delete,
        label=channel.name,
        success_url="dashboard:channels",
        error_url=reverse("dashboard:channel_detail", args=[channel.pk]),
    )


@account_page
@require_POST
def channel_connection(request, pk):
    """Asks the gateway for its session/instance state and shows it in words."""
    channel = get_object_or_404(Channel, pk=pk, account=request.account)
    context = {"channel": channel, "transport": TRANSPORTS[channel.provider]}
    try:
        context["connection"] = channel_connection_state(channel=channel)
    except TransportError as exc:
        context["connection_error"] = exc.message
    except ConfigError:
        context["connection_error"] = STORED_SETTINGS_INVALID
    return _panel(
        request,
        context,
        error_key="connection_error",
        success=lambda c: c["connection"].description,
        partial="connection-panel",
    )


@owner_page
@require_POST
def channel_webhook(request, pk):
    """One-click webhook set-up with the provider's API."""
    channel = get_object_or_404(Channel, pk=pk, account=request.account)
    context = {"channel": channel, "transport": TRANSPORTS[channel.provider]}
    try:
        context["webhook_ok"] = channel_webhook_register(channel=channel)
    except TransportError as exc:
        context["webhook_error"] = f"{exc.message} ({exc.kind})"
    except ConfigError:
        context["webhook_error"] = STORED_SETTINGS_INVALID
    except DomainError as exc:
        context["webhook_error"] = " ".join(service_error_messages(exc))
    return _panel(
        request,
        context,
        error_key="webhook_error",
        success=lambda c: c["webhook_ok"],
        partial="webhook-panel",
    )


def _panel(request, context, *, error_key: str, success, partial: str):
    """A panel of the channel page for htmx; without it, a flash message and the page."""
    if not request.htmx:
        _flash(request, context, error_key, success)
        return redirect("dashboard:channel_detail", context["channel"].pk)
    return render_page(request, "channels/channel_form.html", context, partial)


def _flash(request, context, error_key, success) -> None:
    if error_key in context:
        messages.error(request, context[error_key])
    else:
        messages.success(request, success(context))
