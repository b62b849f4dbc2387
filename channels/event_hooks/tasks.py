"""django-q2 tasks of the event webhooks: each loads by id and calls the delivery code;
running one twice is harmless (claims are conditional)."""

from django.utils import timezone

from skylight.events import deliveries_enqueue

from .delivery import REQUESTS_PER_RUN, deliveries_sweep, endpoint_deliver, outbox_prune


def endpoint_deliver_task(endpoint_id: int) -> int:
    """Sends what is due for one endpoint (queued after each emitting commit); a backlog
    longer than one task's share goes on in a fresh task rather than waiting a minute."""
    sent = endpoint_deliver(endpoint_id)
    if sent >= REQUESTS_PER_RUN:
        deliveries_enqueue([endpoint_id])
    return sent


def deliveries_sweep_task() -> int:
    """The every-minute schedule: queues every endpoint with retries now due, and forgets
    events older than the delivery log keeps (30 days)."""
    outbox_prune(timezone.now())
    return deliveries_sweep()
