from django.core.cache import caches
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per API key; answered with 429 and Retry-After past the rate."""

    scope = "api_key"

    @property
    def cache(self):
        # Shared by all web processes when Redis is configured (settings.CACHES).
        return caches["throttle"]

    def get_rate(self):
        # Read at request time (not import time) so the rate follows settings changes.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        api_key = getattr(request.user, "api_key", None)
        ident = f"key-{api_key.pk}" if api_key else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}
