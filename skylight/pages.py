"""Dashboard pages of the account: API keys, subscription, account switcher."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from skylight.audit import audit_record
from skylight.audit_api import AuditEventFilter
from skylight.domain import Invalid
from skylight.forms import ApiKeyForm, BreakerForm, DefaultCountryForm, SwitchAccountForm
from skylight.middleware import SESSION_KEY, accounts_of
from skylight.models import ApiKey, AuditEvent, UserPreference
from skylight.page_utils import (
    account_page,
    add_service_errors,
    owner_page,
    paginate,
    render_page,
)
from skylight.roles import request_is_owner
from skylight.services import (
    account_breaker_update,
    account_set_default_country,
    api_key_create,
    api_key_revoke,
    subscription_get,
)


def _account_context(request, **extra):
    subscription = subscription_get(account=request.account)
    plan_limit = subscription.plan.outreach_campaigns
    used_pct = (
        min(100, round(100 * subscription.outreach_campaigns_used / plan_limit))
        if plan_limit
        else 100
    )
    keys = ApiKey.objects.filter(account=request.account).order_by("-created_at")
    chosen = UserPreference.objects.filter(user=request.user).values_list("language", flat=True)
    return {
        "subscription": subscription,
        "user_language": next(iter(chosen), ""),
        "used_pct": used_pct,
        "api_keys": keys if request_is_owner(request) else ApiKey.objects.none(),
        "key_form": extra.pop("key_form", None) or ApiKeyForm(),
        "country_form": extra.pop("country_form", None)
        or DefaultCountryForm(initial={"default_country": request.account.default_country}),
        "breaker_form": extra.pop("breaker_form", None) or BreakerForm.for_account(request.account),
        **extra,
    }


@account_page
def account(request):
    return render_page(request, "dashboard/account.html", _account_context(request), "api-keys")


@owner_page
@require_POST
def api_key_new(request):
    form = ApiKeyForm(request.POST)
    context = {"key_form": form}
    if form.is_valid():
        key, raw_key = api_key_create(account=request.account, name=form.cleaned_data["name"])
        audit_record(account=request.account, action="api_key.created", target=key)
        context.update(new_key=key, raw_key=raw_key, key_form=ApiKeyForm())
    return render_page(
        request, "dashboard/account.html", _account_context(request, **context), "api-keys"
    )


@owner_page
@require_POST
def api_key_revoke_view(request, pk):
    key = get_object_or_404(ApiKey, pk=pk, account=request.account)
    api_key_revoke(api_key=key)
    audit_record(account=request.account, action="api_key.revoked", target=key)
    if not request.htmx:
        messages.success(request, f"Revoked {key.name}.")
        return redirect("dashboard:account")
    return render_page(request, "dashboard/account.html", _account_context(request), "api-keys")


@owner_page
@require_POST
def account_safety(request):
    """Saves the account's circuit breaker thresholds."""
    form = BreakerForm.for_account(request.account, request.POST)
    context = {"breaker_form": form}
    if form.is_valid():
        try:
            account_breaker_update(account=request.account, **form.cleaned_data)
        except Invalid as exc:
            for field, problems in exc.errors.items():
                form.add_error(field, problems)
        else:
            audit_record(
                account=request.account, action="account.safety_changed", target=request.account
            )
            context["safety_saved"] = True
            context["breaker_form"] = BreakerForm.for_account(request.account)
    return render_page(
        request, "dashboard/account.html", _account_context(request, **context), "safety"
    )


@account_page
@require_POST
def switch_account(request):
    form = SwitchAccountForm(request.POST)
    target = None
    if form.is_valid():
        target = accounts_of(request.user).filter(pk=form.cleaned_data["account"]).first()
    if target is None:
        messages.error(request, "You are not a member of that account.")
    else:
        request.session[SESSION_KEY] = target.pk
        messages.success(request, f"Now working in {target.name}.")
    return redirect("dashboard:home")


@owner_page
@require_POST
def default_country(request):
    """Saves the account's default country for local phone numbers (owners only)."""
    form = DefaultCountryForm(request.POST)
    if form.is_valid():
        before = request.account.default_country
        try:
            account_set_default_country(
                account=request.account, country=form.cleaned_data["default_country"]
            )
        except Invalid as exc:
            add_service_errors(form, exc)
        else:
            audit_record(
                account=request.account,
                action="account.updated",
                target=request.account,
                changes={"default_country": [before, request.account.default_country]},
            )
            messages.success(request, "Default country saved.")
            return redirect("dashboard:account")
    context = _account_context(request, country_form=form)
    return render_page(request, "dashboard/account.html", context, status=422)


@account_page
@require_POST
def choose_language(request):
    """Saves the user's dashboard language ("" follows the browser)."""
    language = request.POST.get("language", "")
    if language and language not in dict(settings.LANGUAGES):
        language = ""
    UserPreference.objects.update_or_create(user=request.user, defaults={"language": language})
    return redirect("dashboard:account")


ACTIVITY_FILTERS = ("action", "object_type", "object_id", "actor")


@account_page
def activity(request):
    """The account's audit log, newest first, filtered like GET /audit-events."""
    params = {key: request.GET.get(key, "").strip() for key in ACTIVITY_FILTERS}
    filterset = AuditEventFilter(
        {key: value for key, value in params.items() if value},
        queryset=AuditEvent.objects.filter(account=request.account).order_by("-id"),
    )
    events = filterset.qs if filterset.is_valid() else AuditEvent.objects.none()
    query = "&".join(f"{key}={value}" for key, value in params.items() if value)
    context = {
        "page_obj": paginate(request, events),
        "params": params,
        "query": f"{query}&" if query else "",
        "actions": AuditEvent.objects.filter(account=request.account)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct(),
    }
    return render_page(request, "dashboard/activity.html", context, "events")
