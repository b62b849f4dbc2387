"""News that channels announces to the apps above it (they connect receivers).

channels never imports those apps: campaigns listens here (`campaigns/receivers.py`).
"""

from django.dispatch import Signal

# Sent with `channel` and `events` (see channels/webhooks/events.py) once a provider webhook is
# verified and parsed. A receiver applies what its app owns and returns a dict of
# counts (e.g. {"statuses": 3}) that the webhook's answer adds up.
provider_events_received = Signal()

# Sent with `channel` and `change` ("delete" or "change_type") inside the transaction
# that is about to make it. A receiver returns a sentence saying why it must not
# happen, or None; any sentence refuses the change (409).
channel_change_requested = Signal()

# Sent with `channel`, `name`, `language`, `status` and `reason` when the provider says a
# message template of the channel's business changed status (Meta's
# `message_template_status_update`: APPROVED, REJECTED, PAUSED, DISABLED...). A receiver
# returns a dict of counts for the webhook's answer (e.g. {"campaigns_paused": 1}).
template_status_changed = Signal()

# Sent with `channel_id` and `reason` (a sentence with figures) when the number must stop
# sending now: the circuit breaker tripped, or the provider said the number is flagged,
# restricted, banned or logged out. campaigns pauses every running campaign on it.
channel_safety_paused = Signal()
