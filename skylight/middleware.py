"""Dashboard tenancy: `request.account` is the signed-in user's current account."""

from django.http import JsonResponse
from django.middleware.common import CommonMiddleware

from skylight.models import Account

SESSION_KEY = "current_account_id"


def accounts_of(user):
    return Account.objects.filter(memberships__user=user).order_by("name")


class CurrentAccountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.account = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            accounts = accounts_of(user)
            wanted = request.session.get(SESSION_KEY)
            account = accounts.filter(pk=wanted).first() if wanted else None
            request.account = account or accounts.first()
        return self.get_response(request)


class ApiAwareCommonMiddleware(CommonMiddleware):
    """Django's CommonMiddleware, except that API writes are never redirected to `path/`.

    A redirect would drop the body (and under DEBUG Django raises instead), so such a
    write answers 404 in the envelope, naming the path that exists.
    """

    SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

    def process_request(self, request):
        if self._is_api_write(request) and super().should_redirect_with_slash(request):
            message = f"No API endpoint at {request.path}; did you mean {request.path}/?"
            return JsonResponse({"success": False, "message": message}, status=404)
        return super().process_request(request)

    def should_redirect_with_slash(self, request):
        if self._is_api_write(request):
            return False
        return super().should_redirect_with_slash(request)

    def _is_api_write(self, request) -> bool:
        return request.path_info.startswith("/api/") and request.method not in self.SAFE_METHODS
