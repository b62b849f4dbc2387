"""Base classes every API view uses: tenant scoping in one place."""

from rest_framework import viewsets


class AccountScopedMixin:
    """Restricts every queryset to the request's account (others' objects are 404).

    Subclasses set `queryset`; anything reachable through the view is filtered here.
    """

    account_field = "account"

    @property
    def account(self):
        return self.request.user.account

    def get_queryset(self):
        return super().get_queryset().filter(**{self.account_field: self.account})

    def filter_queryset(self, queryset):
        # Filters narrow listings; a read by id (the object's own route) is never filtered,
        # so it costs no filterset (its query parameters are not documented either).
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if getattr(self.request, "user", None) is not None and hasattr(
            self.request.user, "account"
        ):
            context["account"] = self.request.user.account
        return context


class AccountScopedModelViewSet(AccountScopedMixin, viewsets.ModelViewSet):
    pass
