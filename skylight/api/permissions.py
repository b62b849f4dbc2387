from rest_framework.permissions import BasePermission


class HasAccount(BasePermission):
    """Every API request acts for exactly one account, taken from its key."""

    message = "Authentication credentials were not provided. Send your key in X-Api-Key."

    def has_permission(self, request, view) -> bool:
        return getattr(request.user, "account", None) is not None
