"""Installs the send-cycle schedule after `migrate` (idempotent, by name)."""
