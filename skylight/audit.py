"""The audit log's one entry point, `audit_record`, and the request-scoped actor it uses.

The actor is set once per request: by `AuditActorMiddleware` for a signed-in user
(dashboard and admin) and by the API key authentication for API calls. Anything else
(the workers, management commands) records as "system".
"""

from contextvars import ContextVar
from dataclasses import dataclass

from skylight.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    type: str
    label: str
    user_id: int | None = None
    ip: str | None = None


SYSTEM = Actor(type=AuditEvent.ActorType.SYSTEM, label="system")
_current: ContextVar[Actor] = ContextVar("audit_actor", default=SYSTEM)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_set(actor: Actor):
    """Makes `actor` the current one; returns the token to undo it with `actor_reset`."""
    return _current.set(actor)


def actor_reset(token) -> None:
    _current.reset(token)


def actor_for_api_key(api_key, request) -> Actor:
    label = f"sk_{api_key.prefix}…"
    return Actor(type=AuditEvent.ActorType.API_KEY, label=label, ip=client_ip(request))


def audit_record(*, account, action: str, target=None, object_id=None, changes=None) -> AuditEvent:
    """Records `action` (e.g. "campaign.started") on `target` by the current actor.

    `object_id` names a target already deleted; `changes` says which fields changed.
    """
    actor = _current.get()
    object_type = action.split(".", 1)[0]
    if object_id is None and target is not None:
        object_id = target.pk
    return AuditEvent.objects.create(
        account=account,
        actor_type=actor.type,
        actor=actor.label,
        actor_user_id=actor.user_id,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        changes=changes or {},
        ip=actor.ip,
    )


class AuditActorMiddleware:
    """Scopes the actor to one request: a signed-in user, else "system" until the API key
    authentication names the key. Reset afterwards, so a thread's next request starts clean."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = actor_set(_request_actor(request))
        try:
            return self.get_response(request)
        finally:
            actor_reset(token)


def _request_actor(request) -> Actor:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return Actor(type=SYSTEM.type, label=SYSTEM.label, ip=client_ip(request))
    return Actor(
        type=AuditEvent.ActorType.USER,
        label=user.get_username(),
        user_id=user.pk,
        ip=client_ip(request),
    )
