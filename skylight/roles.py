"""Who may do what in an account.

Owners manage the account's API keys, channels and members; every member (owners
included) runs contacts, lists, segments and campaigns. In the admin, superusers may do
anything, other staff only what their own role in the account allows.
"""

from skylight.models import Membership

OWNER_ONLY_MESSAGE = "Only an owner of this account manages API keys, channels and members."


def is_owner(user, account) -> bool:
    """Whether `user` holds the owner role in `account`."""
    if account is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        account=account, user=user, role=Membership.Role.OWNER
    ).exists()


def request_is_owner(request) -> bool:
    """`is_owner` for the dashboard's current account, asked once per request."""
    if not hasattr(request, "_skylight_is_owner"):
        request._skylight_is_owner = is_owner(request.user, getattr(request, "account", None))
    return request._skylight_is_owner


def may_administer(user, account) -> bool:
    """In the admin: a superuser, or staff owning `account`."""
    return bool(user.is_superuser) or is_owner(user, account)
