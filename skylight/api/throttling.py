from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from skylight.cache import window_hit


class ApiKeyRateThrottle(SimpleRateThrottle):
    """Requests per API key; answered with 429 and Retry-After past the rate.

    Counted in a fixed window in the shared cache (Redis, or the database), with an
    atomic increment, so the limit holds in total across web processes and machines.
    """

    scope = "api_key"

    def get_rate(self):
        # Read at request time (not import time) so the rate follows settings changes.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        api_key = getattr(request.user, "api_key", None)
        ident = f"key-{api_key.pk}" if api_key else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        count, self.seconds_left = window_hit(self.get_cache_key(request, view), self.duration)
        return count <= self.num_requests

    def wait(self):
        return self.seconds_left
