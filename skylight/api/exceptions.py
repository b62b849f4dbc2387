"""One handler that renders every API error in the envelope.

Services raise domain errors (`skylight/domain.py`); this is where the API translates
them, once, into status codes. DRF's own errors (authentication, parsing, throttling,
serializer validation) go through the same envelope.
"""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from skylight.domain import Conflict, DomainError, Invalid, NotFound, QuotaExceeded, flatten_errors

logger = logging.getLogger("skylight.api")


# Each domain error's status code; the envelope carries its message.
DOMAIN_STATUS = {Conflict: 409, QuotaExceeded: 403, NotFound: 404}


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
    if isinstance(exc, Invalid):
        return error_response(422, "The given data was invalid.", exc.errors)
    if isinstance(exc, DomainError):
        return error_response(_domain_status(exc), exc.message)
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
        errors = flatten_errors(exc.detail)
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


def _domain_status(exc: DomainError) -> int:
    for error_type, status_code in DOMAIN_STATUS.items():
        if isinstance(exc, error_type):
            return status_code
    return 400


def _message(detail) -> str:
    if isinstance(detail, list | dict):
        return " ".join(
            message for messages in flatten_errors(detail).values() for message in messages
        )
    return str(detail)
