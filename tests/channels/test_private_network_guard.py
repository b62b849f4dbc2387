"""Outside development, transports refuse internal targets before connecting."""

import pytest

from channels.transports import TransportError
from channels.transports.http import check_target, is_public_address
from tests.channels.helpers import send_error, text, transport


@pytest.fixture
def guarded(settings):
    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
        "http://[2002:7f00:1::1]/hook",  # 6to4 of 127.0.0.1
        "http://[2002:a00:1::]/hook",  # 6to4 of 10.0.0.1
        "http://[2002:a9fe:a9fe::1]/hook",  # 6to4 of 169.254.169.254
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",  # Teredo, client 127.0.0.1
    ],
)
def test_internal_targets_are_refused_as_permanent(guarded, url):
    error = send_error(transport("webhook", {"url": url, "secret": "s" * 20}), "+9665", text())
    assert error.kind == "permanent"
    assert "Refusing" in error.message


def test_the_fake_server_is_never_contacted_when_refused(guarded, fake_gateway):
    gateway = transport("webhook", fake_gateway.channel_config())

    error = send_error(gateway, "+966501234567", text())

    assert error.kind == "permanent"
    assert fake_gateway.requests == []


def test_provider_base_urls_are_guarded_too(guarded, fake_whatsapp):
    whatsapp = transport("whatsapp_cloud", fake_whatsapp.channel_config())
    assert send_error(whatsapp, "+966501234567", text()).kind == "permanent"
    assert fake_whatsapp.requests == []


def test_the_same_server_is_reachable_in_development(fake_gateway):
    transport("webhook", fake_gateway.channel_config()).send("+966501234567", text())
    assert len(fake_gateway.requests) == 1


def test_non_http_urls_are_refused_even_in_development():
    with pytest.raises(TransportError) as info:
        check_target("file:///etc/passwd")
    assert info.value.kind == "permanent"


def test_an_unresolvable_host_is_transient(guarded):
    config = {"url": "http://no-such-host.invalid/hook", "secret": "s" * 20}
    assert send_error(transport("webhook", config), "+966501234567", text()).kind == "transient"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("172.16.5.4", False),
        ("fe80::1", False),
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("2002:7f00:1::1", False),
        ("2002:c0a8:1::1", False),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo, client 10.0.0.1
    ],
)
def test_public_address_classification(address, public):
    assert is_public_address(address) is public


def test_the_connect_itself_is_guarded_against_rebinding(settings, monkeypatch, fake_gateway):
    """A name that passes the early check but resolves inside at connect time is refused."""
    from channels.transports import http

    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False
    monkeypatch.setattr(http, "check_target", lambda url: None)  # simulate the rebinding window
    config = {**fake_gateway.channel_config()}
    config["url"] = config["url"].replace("127.0.0.1", "localhost")

    error = send_error(transport("webhook", config), "+966501234567", text())

    assert error.kind == "permanent"
    assert fake_gateway.requests == []


def test_public_hosts_are_remembered_briefly(guarded, monkeypatch):
    """DNS is simulated here (no internet): a public answer is cached, a private one refused."""
    from channels.transports import http

    monkeypatch.setattr(http, "_public_hosts", {})
    monkeypatch.setattr(http, "_resolve", lambda host, port: ["93.184.216.34"])
    check_target("https://gateway.example.com/hook")

    monkeypatch.setattr(http, "_resolve", lambda host, port: ["10.0.0.8"])
    check_target("https://gateway.example.com/hook")  # within the TTL: no new lookup
    http._public_hosts.clear()
    with pytest.raises(TransportError):
        check_target("https://gateway.example.com/hook")


@pytest.mark.parametrize("url", ["http://[::1/hook", "http://host:99999/hook", "http://host:x/"])
def test_broken_urls_are_permanent_and_never_raise_anything_else(url):
    with pytest.raises(TransportError) as info:
        check_target(url)
    assert info.value.kind == "permanent"


def test_addresses_keep_the_resolvers_order(monkeypatch):
    import socket

    from channels.transports import http

    answers = [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("54.172.60.1", 443)),
        (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("2600:1f18::1", 443, 0, 0)),
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("54.172.60.1", 443)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answers)
    assert http.public_addresses("api.example.com", 443, verb="send to") == [
        "54.172.60.1",
        "2600:1f18::1",
    ]


def test_an_unreachable_first_address_falls_back_to_the_next(settings, monkeypatch, fake_gateway):
    """A host with an address we cannot reach (say IPv6 in a v4-only container) still works."""
    from channels.transports import http

    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False
    monkeypatch.setattr(http, "check_target", lambda url: None)
    monkeypatch.setattr(http, "is_public_address", lambda address: True)
    # 127.0.0.0 refuses the connection (nothing listens there) and sorts first as text.
    monkeypatch.setattr(http, "_resolve", lambda host, port: ["127.0.0.0", "127.0.0.1"])
    http._client = None  # a fresh pool, so no connection is reused
    config = {**fake_gateway.channel_config()}
    config["url"] = config["url"].replace("127.0.0.1", "gateway.test")

    result = transport("webhook", config).send("+966501234567", text())

    assert result.provider_message_id
    assert len(fake_gateway.requests) == 1


def test_the_refusal_does_not_say_what_a_name_resolves_to(guarded):
    error = send_error(
        transport("webhook", {"url": "http://localhost:9/h", "secret": "s" * 20}), "+9665", text()
    )
    assert "localhost" in error.message
    assert "127.0.0.1" not in error.message and "::1" not in error.message


def test_the_channel_test_neither_reveals_addresses_nor_echoes_the_answer(
    api, alice, fake_gateway, settings
):
    from tests.factories import make_channel

    channel = make_channel(alice, provider="webhook", config=fake_gateway.channel_config())
    fake_gateway.then("rejected")
    response = api.post(
        f"/api/v1/channels/{channel.pk}/test", {"phone": "+966501234567"}, format="json"
    )
    assert response.status_code == 422
    assert "unknown recipient" not in response.content.decode()
    assert "HTTP 400" in response.json()["message"]

    settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK = False
    response = api.post(
        f"/api/v1/channels/{channel.pk}/test", {"phone": "+966501234567"}, format="json"
    )
    assert response.status_code == 422
    assert "not a public internet address" in response.json()["message"]
    assert fake_gateway.requests[-1:] and len(fake_gateway.requests) == 1


def test_the_refusal_says_how_to_allow_a_local_gateway(guarded):
    gateway = transport("webhook", {"url": "http://127.0.0.1:9/hook", "secret": "s" * 20})
    error = send_error(gateway, "+966501234567", text())
    assert "DJANGO_DEBUG=1" in error.message
    assert "SKYLIGHT_ALLOW_PRIVATE_NETWORK=1" in error.message
