"""Inbound provider webhooks at /webhooks/<channel webhook token>/.

Each transport names its handler class (`Transport.webhook_handler`, a dotted path);
the handler verifies the request the provider's way and parses it into events
(`events.py`); `apply.py` acts on opt-outs and announces the events to the apps above.
"""
