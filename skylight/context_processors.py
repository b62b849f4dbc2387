from skylight.middleware import accounts_of


def current_account(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "current_account": getattr(request, "account", None),
        "user_accounts": accounts_of(user),
    }
