"""Signed event webhooks out: endpoints, delivery of the outbox (skylight/events.py), and
their API and dashboard page. It lives in channels because it sends through the
transports' guarded HTTP client (the private-network guard)."""
