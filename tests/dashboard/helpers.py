"""Helpers for the dashboard tests."""


def htmx(client, method, url, data=None, **extra):
    """A region request as htmx makes it (HX-Request, not boosted)."""
    return getattr(client, method)(url, data or {}, HTTP_HX_REQUEST="true", **extra)


def chosen_targets(page: str) -> dict[str, str]:
    """The import mapping step's selected target per column field ({"column_0": "phone"})."""
    import re

    chosen = {}
    for name, options in re.findall(r'<select name="(column_\d+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)"[^>]*selected', options)
        chosen[name] = selected.group(1) if selected else ""
    return chosen


def import_csv(client, text: str, mapping=None, country=None, request=None, **options):
    """Uploads `text` on the dashboard import page, then imports it with the guessed
    targets changed by `mapping` ({"column_1": "ignore"}); returns both responses."""
    import re

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    request = request or (lambda method, url, data: getattr(client, method)(url, data))
    upload = SimpleUploadedFile("people.csv", text.encode(), content_type="text/csv")
    url = reverse("dashboard:contact_import")
    first = request("post", url, {"file": upload, "type": "whatsapp", **options})
    page = first.content.decode()
    token = re.search(r'name="stash" value="([^"]+)"', page)
    assert token, page
    data = {"stash": token.group(1), **chosen_targets(page), **(mapping or {})}
    if country is not None:
        data["default_country"] = country
    else:
        selected = re.search(
            r'name="default_country"[^>]*>.*?<option value="([^"]*)"[^>]*selected', page, re.S
        )
        data["default_country"] = selected.group(1) if selected else ""
    return first, request("post", url, data)
