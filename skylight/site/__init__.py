"""The site: the top layer that wires the apps together.

Root URLs, the dashboard's URL map and home page, and the demo data (`seed_demo`)
know every app; nothing imports them. Everything below (tenancy and API conventions
in `skylight`, then contacts, channels, campaigns) only points down. See
docs/architecture.md, "Layers".
"""
