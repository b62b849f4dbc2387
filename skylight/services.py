"""Account, membership, API key and quota services."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from skylight.domain import Invalid, QuotaExceeded
from skylight.models import (
    Account,
    ApiKey,
    Membership,
    Plan,
    Subscription,
    api_key_digest,
    country_choices,
    month_bounds,
)


def default_plan() -> Plan:
    spec = settings.SKYLIGHT_DEFAULT_PLAN
    plan, _ = Plan.objects.get_or_create(
        name=spec["name"], defaults={"outreach_campaigns": spec["outreach_campaigns"]}
    )
    return plan


@transaction.atomic
def account_create(*, name: str, timezone_name: str = "UTC", owner=None) -> Account:
    """A new account on the default plan, optionally with its first (owner) member."""
    account = Account.objects.create(name=name, timezone=timezone_name)
    start, end = month_bounds(timezone.localdate())
    Subscription.objects.create(
        account=account, plan=default_plan(), period_start=start, period_end=end
    )
    if owner is not None:
        Membership.objects.create(account=account, user=owner, role=Membership.Role.OWNER)
    return account


def account_set_default_country(*, account: Account, country: str) -> Account:
    """Sets where local phone numbers (without a country code) are read; "" for none."""
    country = (country or "").strip().upper()
    if country and country not in dict(country_choices()):
        raise Invalid({"default_country": [f"'{country}' is not a known country code."]})
    account.default_country = country
    account.save(update_fields=["default_country"])
    return account


def api_key_create(*, account: Account, name: str = "API key") -> tuple[ApiKey, str]:
    """A new key for the account and its raw value, which is shown this once only."""
    raw_key, prefix = ApiKey.generate()

    key = ApiKey.objects.create(
        account=account, name=name or "API key", prefix=prefix, digest=api_key_digest(raw_key)
    )
    return key, raw_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
    return api_key


def _current_subscription(account: Account) -> Subscription:
    """The account's subscription row, locked, rolled over to the current month if needed."""
    subscription = (
        Subscription.objects.select_for_update().select_related("plan").get(account=account)
    )
    today = timezone.localdate()
    if today > subscription.period_end:
        subscription.period_start, subscription.period_end = month_bounds(today)
        subscription.outreach_campaigns_used = 0
        subscription.save(update_fields=["period_start", "period_end", "outreach_campaigns_used"])
    return subscription


def subscription_get(*, account: Account) -> Subscription:
    """The account's subscription; read without a lock unless its period has ended."""
    subscription = Subscription.objects.select_related("plan").get(account=account)
    if timezone.localdate() <= subscription.period_end:
        return subscription
    with transaction.atomic():
        return _current_subscription(account)


def outreach_quota_use(*, account: Account) -> None:
    """Use one outreach campaign unit; raise QuotaExceeded when none is left.

    Call inside the transaction that creates the campaign, so a failure gives it back.
    """
    subscription = _current_subscription(account)
    if subscription.outreach_campaigns_remaining <= 0:
        raise QuotaExceeded(
            f"Your {subscription.plan.name} plan allows {subscription.plan.outreach_campaigns} "
            f"outreach campaigns per period, and all are used until {subscription.period_end}."
        )
    subscription.outreach_campaigns_used += 1
    subscription.save(update_fields=["outreach_campaigns_used"])


def outreach_quota_refund(*, account: Account) -> None:
    """Give back one unit (a never-started draft was deleted)."""
    subscription = _current_subscription(account)
    if subscription.outreach_campaigns_used > 0:
        subscription.outreach_campaigns_used -= 1
        subscription.save(update_fields=["outreach_campaigns_used"])


BREAKER_RANGES = {
    "breaker_failure_percent": (1, 100),
    "breaker_min_attempts": (1, 50),
    "breaker_opt_out_limit": (1, 50),
    "contact_cooldown_days": (0, 365),
}


def account_breaker_update(*, account: Account, **thresholds: int) -> Account:
    """Sets the account's circuit breaker thresholds (any of BREAKER_RANGES' fields).

    Raises Invalid naming each field out of its range.
    """
    errors = {}
    for field, value in thresholds.items():
        low, high = BREAKER_RANGES[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[field] = [f"A whole number from {low} to {high}."]
    if errors:
        raise Invalid(errors)
    for field, value in thresholds.items():
        setattr(account, field, value)
    account.save(update_fields=list(thresholds))
    return account
