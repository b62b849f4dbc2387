"""Dashboard tenancy: `request.account` is the signed-in user's current account."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.http import JsonResponse
from django.middleware.common import CommonMiddleware
from django.shortcuts import render
from django.utils import timezone, translation

from skylight.models import Account, UserPreference

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
        if request.account is None:
            return self.get_response(request)
        # Pages show times in the account's timezone (campaign pages switch to the
        # campaign's own zone with {% timezone %}).
        try:
            zone = ZoneInfo(request.account.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = None
        if zone is None:
            return self.get_response(request)
        with timezone.override(zone):
            return self.get_response(request)


class MethodNotAllowedPageMiddleware:
    """A dashboard action URL opened as a link (GET on a POST-only view) answers a page that
    says so, instead of Django's empty 405; the API keeps its JSON envelope."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        machine = request.path.startswith(("/api/", "/webhooks/"))
        if response.status_code != 405 or machine or response.content:
            return response
        page = render(request, "405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


class UserLanguageMiddleware:
    """The signed-in user's chosen language wins over the browser's; machine-facing paths
    (API, webhooks) always answer in the default language (English)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._language(request)
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        return self.get_response(request)

    @staticmethod
    def _language(request) -> str:
        if request.path.startswith(("/api/", "/webhooks/")):
            return settings.LANGUAGE_CODE
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return ""
        # One small query per page; caching it in the session would write the session.
        chosen = UserPreference.objects.filter(user=user).values_list("language", flat=True)
        return next(iter(chosen), "")


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
