"""One exception hierarchy and one handler that renders every API error in the envelope."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

logger = logging.getLogger("skylight.api")


class ApiError(exceptions.APIException):
    """Base of SkyLight's own API errors; `code` is machine-readable."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request could not be processed."
    default_code = "error"


class Conflict(ApiError):
    """The action is not allowed in the object's current state."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This action is not allowed in the object's current state."
    default_code = "conflict"


class QuotaExceeded(ApiError):
    status_code = status.HTTP_403_FORBIDDEN
    default_detail = "Your plan's quota is used up for this period."
    default_code = "quota_exceeded"


class Unprocessable(exceptions.ValidationError):
    """A validation error raised by a service; rendered as 422 with field errors."""


def validation_failed(errors: dict[str, list[str]] | str) -> Unprocessable:
    return Unprocessable(errors)


def _flatten(detail) -> dict[str, list[str]]:
    """DRF's nested error detail as {field: [messages]}; nested fields use dotted paths."""
    if isinstance(detail, list):
        return {"non_field_errors": [str(item) for item in _leaves(detail)]}
    flat: dict[str, list[str]] = {}
    for field, value in detail.items():
        if isinstance(value, dict):
            for sub, messages in _flatten(value).items():
                flat[f"{field}.{sub}"] = messages
        elif isinstance(value, list) and value and any(isinstance(v, dict) for v in value):
            for index, item in enumerate(value):
                if isinstance(item, dict) and item:
                    for sub, messages in _flatten(item).items():
                        flat[f"{field}.{index}.{sub}"] = messages
                elif item and not isinstance(item, dict):
                    flat.setdefault(field, []).append(str(item))
        else:
            flat[field] = [str(item) for item in _leaves(value)]
    return flat


def _leaves(value):
    if isinstance(value, list | tuple):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    else:
        yield value


def printable(value):
    """`value` with lone surrogates escaped (`\\ud800`): they cannot be encoded as UTF-8.

    Validation messages may quote what the client sent, so the error itself must not
    break on it.
    """
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {printable(key): printable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [printable(item) for item in value]
    return value


def error_response(status_code: int, message: str, errors=None, headers=None) -> Response:
    body = {"success": False, "message": printable(message)}
    if errors is not None:
        body["errors"] = printable(errors)
    response = Response(body, status=status_code, headers=headers)
    response.enveloped = True
    return response


def envelope_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))

    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return error_response(413, f"The request body is larger than {limit} bytes.")
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return error_response(413, "The request has too many fields or files.")
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.detail)
        return error_response(422, "The given data was invalid.", errors)
    if isinstance(exc, exceptions.ParseError):
        return error_response(
            422, f"Malformed request body: {exc.detail}", {"body": [str(exc.detail)]}
        )
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return error_response(415, str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        wait = int(exc.wait or 1)
        return error_response(
            429,
            f"Too many requests. Try again in {wait} seconds.",
            headers={"Retry-After": str(wait)},
        )
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response = error_response(401, str(exc.detail))
        response["WWW-Authenticate"] = "X-Api-Key"
        return response
    if isinstance(exc, exceptions.APIException):
        return error_response(exc.status_code, _message(exc.detail))

    logger.exception("Unhandled API error", exc_info=exc)
    return error_response(500, "Something went wrong on our side. It has been logged.")


def _message(detail) -> str:
    if isinstance(detail, list | dict):
        return " ".join(str(item) for item in _leaves(detail))
    return str(detail)
