from django.utils import timezone

from skylight.middleware import accounts_of


def current_account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_account": getattr(request, "account", None),
        "user_accounts": accounts_of(user),
    }


def time_zone_name(request):
    """The name of the zone pages show times in (the account's), to label those times."""
    return {"TIME_ZONE_NAME": timezone.get_current_timezone_name()}
