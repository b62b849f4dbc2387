"""Local fake provider servers speaking each provider's protocol (see fixtures.py)."""
