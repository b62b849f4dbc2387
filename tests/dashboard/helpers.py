"""Helpers for the dashboard tests."""


def htmx(client, method, url, data=None, **extra):
    """A region request as htmx makes it (HX-Request, not boosted)."""
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true", **extra)
