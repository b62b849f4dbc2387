"""Base classes every API view uses: tenant scoping in one place."""

from rest_framework import viewsets
from rest_framework.response import Response

from skylight import read_cache


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


class CachedReadMixin:
    """Reads that API clients poll, answered from `skylight.read_cache` when fresh.

    Authentication, permissions and the throttle run on every request as before; only the
    handler's work (queries and serializer) is skipped on a hit.
    """

    def cached_read(self, handler, request, *args, **kwargs) -> Response:
        def read():
            response = handler(request, *args, **kwargs)
            return response.status_code, response.data, getattr(response, "enveloped", False)

        status, data, enveloped = read_cache.cached(request, self.account.pk, read)
        response = Response(data, status=status)
        response.enveloped = enveloped  # a page carries its own envelope (with `meta`)
        return response


class AccountScopedModelViewSet(AccountScopedMixin, viewsets.ModelViewSet):
    pass
