"""`Idempotency-Key` on API POSTs: the first answer is kept for a day and replayed.

One middleware covers every POST under /api/. The key's row (unique per account and
key) is inserted and committed before the view runs, then locked for the whole request
inside one transaction that also stores the answer, so the answer and the work it
reports commit together:

- a second request while the first runs finds the row locked and gets 409;
- afterwards the same request gets the stored answer with `Idempotent-Replayed: true`,
  and another body or path with the same key gets 422;
- a request that died leaves an unlocked "running" row, taken over after STALE_AFTER;
- answers that did nothing (401, 429, 5xx) are not kept, so a retry runs again.
"""

import hashlib
import tempfile
from datetime import timedelta

from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from rest_framework import exceptions

from skylight.api.authentication import ApiKeyAuthentication
from skylight.models import IdempotencyKey

API_PREFIX = "/api/"
HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAYED_HEADER = "Idempotent-Replayed"
REPLAY_WINDOW = timedelta(hours=24)
# Longer than the moment between committing a new row and locking it.
STALE_AFTER = timedelta(seconds=30)
NOT_KEPT = {401, 429}
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


def _envelope(status: int, message: str, errors: dict | None = None) -> JsonResponse:
    body = {"success": False, "message": message}
    if errors is not None:
        body["errors"] = errors
    return JsonResponse(body, status=status)


def _still_running() -> JsonResponse:
    return _envelope(
        409, "A request with this Idempotency-Key is still being processed; retry shortly."
    )


def _key_reused() -> JsonResponse:
    message = "This Idempotency-Key was already used with another request."
    return _envelope(422, message, {"Idempotency-Key": [message]})


def _bad_key() -> JsonResponse:
    message = f"Idempotency-Key must be 1 to {IdempotencyKey.MAX_LENGTH} characters."
    return _envelope(422, "The given data was invalid.", {"Idempotency-Key": [message]})


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        bytes(row.response_body),
        status=row.response_status,
        content_type=row.response_content_type or None,
    )
    response[REPLAYED_HEADER] = "true"
    return response


def request_fingerprint(request) -> str:
    """SHA-256 of method, path and body; the body is copied aside so the view still reads it."""
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    copy = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    while chunk := request.read(CHUNK):
        digest.update(chunk)
        copy.write(chunk)
    copy.seek(0)
    # Django reads the body (and multipart uploads) from `_stream`; hand it the copy.
    request._stream = copy
    request._read_started = False
    return digest.hexdigest()


def _account_of(request):
    """The account of a valid X-Api-Key, or None (the view then answers 401 itself)."""
    try:
        found = ApiKeyAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    return found[1].account if found else None


def _locked_or_none(account, key: str) -> IdempotencyKey | None | bool:
    """The key's row locked without waiting; False when another request holds it."""
    try:
        with transaction.atomic():
            return (
                IdempotencyKey.objects.select_for_update(nowait=True)
                .filter(account=account, key=key)
                .first()
            )
    except DatabaseError:
        return False


def _restart(row: IdempotencyKey, fingerprint: str, now) -> IdempotencyKey:
    row.fingerprint, row.state, row.created_at = fingerprint, IdempotencyKey.State.RUNNING, now
    row.response_status, row.response_body, row.response_content_type = None, b"", ""
    row.save()
    return row


def _answer_from_existing(account, key: str, fingerprint: str):
    """A refusal or replay from the key's existing row, or the row to run under; None if gone."""
    with transaction.atomic():
        row = _locked_or_none(account, key)
        if row is False:
            return _still_running()
        if row is None:
            return None
        now = timezone.now()
        if row.created_at < now - REPLAY_WINDOW:
            return _restart(row, fingerprint, now)
        if row.fingerprint != fingerprint:
            return _key_reused()
        if row.state == IdempotencyKey.State.ANSWERED:
            return _replay(row)
        if row.created_at > now - STALE_AFTER:
            return _still_running()
        return _restart(row, fingerprint, now)  # its request died: run it again


def _purge_expired(now) -> None:
    """Answers past the replay window are never read again (an indexed range delete)."""
    IdempotencyKey.objects.filter(created_at__lt=now - REPLAY_WINDOW).delete()


def claim(account, key: str, fingerprint: str) -> IdempotencyKey | HttpResponse:
    """The committed row to run the request under, or the answer to give instead."""
    for _ in range(3):
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    account=account, key=key, fingerprint=fingerprint
                )
            _purge_expired(row.created_at)
            return row
        except IntegrityError:
            pass
        outcome = _answer_from_existing(account, key, fingerprint)
        if outcome is not None:
            return outcome
    return _still_running()


def _keep(row: IdempotencyKey, response) -> None:
    row.state = IdempotencyKey.State.ANSWERED
    row.response_status = response.status_code
    row.response_body = response.content
    row.response_content_type = response.get("Content-Type", "")
    row.save(update_fields=["state", "response_status", "response_body", "response_content_type"])


def _did_nothing(response) -> bool:
    return response.status_code in NOT_KEPT or response.status_code >= 500


class IdempotencyMiddleware:
    """Applies `Idempotency-Key` to every API POST (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if HEADER not in request.META:
            return self.get_response(request)
        key = request.META[HEADER]
        if not 1 <= len(key) <= IdempotencyKey.MAX_LENGTH:
            return _bad_key()
        account = _account_of(request)
        if account is None:
            return self.get_response(request)
        outcome = claim(account, key, request_fingerprint(request))
        if not isinstance(outcome, IdempotencyKey):
            return outcome
        return self._run(request, outcome)

    def _run(self, request, row: IdempotencyKey):
        kept = False
        with transaction.atomic():
            IdempotencyKey.objects.select_for_update().filter(pk=row.pk).first()
            response = self.get_response(request)
            if _did_nothing(response):
                transaction.set_rollback(True)
            elif not response.streaming:
                _keep(row, response)
                kept = True
        if not kept:
            IdempotencyKey.objects.filter(pk=row.pk, state=IdempotencyKey.State.RUNNING).delete()
        return response
