from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from skylight.middleware import accounts_of
from skylight.roles import request_is_owner


def current_account(request):
    user = getattr(request, "user", None)
    # API pages rendered as HTML (the docs) may carry an API key's principal, not a user.
    if not isinstance(user, AbstractBaseUser) or not user.is_authenticated:
        return {}
    return {
        "current_account": getattr(request, "account", None),
        "user_accounts": accounts_of(user),
        # Called by the template engine only where a page asks (one query then).
        "is_account_owner": lambda: request_is_owner(request),
    }


def time_zone_name(request):
    """The name of the zone pages show times in (the account's), to label those times."""
    return {"TIME_ZONE_NAME": timezone.get_current_timezone_name()}
