"""Every dashboard page carries a Content-Security-Policy that allows scripts and styles
only from our own static files (the browser tests in tests/e2e/ load the pages under it
and fail on any console error, which is where violations are reported)."""

import pytest

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parts = (part.split() for part in policy.split(";") if part.strip())
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("url", ["/", "/campaigns/", "/contacts/", "/channels/", "/account/"])
def test_dashboard_pages_allow_scripts_only_from_our_origin(web, url):
    policy = directives(web.get(url, follow=True))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_the_login_page_has_no_inline_script(client):
    page = client.get("/login/").content.decode()
    assert "<script>" not in page and "<style" not in page
    assert 'src="/static/vendor/htmx/htmx.min.js"' in page
