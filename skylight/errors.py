"""Error pages: JSON in the API envelope under /api/, HTML elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _json(status: int, message: str) -> JsonResponse:
    return JsonResponse({"success": False, "message": message}, status=status)


def bad_request(request, exception=None):
    if _is_api(request):
        return _json(400, "Bad request.")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _is_api(request):
        return _json(403, "You do not have permission to perform this action.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _is_api(request):
        return _json(404, f"No API endpoint at {request.path}.")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return _json(500, "Something went wrong on our side. It has been logged.")
    return defaults.server_error(request)
