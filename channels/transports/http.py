"""Outgoing HTTP for transports: timeouts, the private-network guard, error classes.

Every provider call goes through `request()` (or `post()`), which maps what went wrong
onto the three error kinds the send engine understands:

- transient (provably not accepted): DNS failure, connection refused, connect timeout;
  HTTP 429 and 5xx are classified by the caller via `error_for_status`;
- unknown: the request left but no usable answer came back (read timeout, the
  connection dropped mid-response);
- permanent: a target the guard refuses, or an unusable URL.
"""

import ipaddress
import logging
import socket
import threading
import time
from urllib.parse import urlsplit

import httpcore
import httpx
from django.conf import settings

from .base import TransportError
from .error_codes import error_for_rule

logger = logging.getLogger("skylight.transports")
_client: httpx.Client | None = None
_client_lock = threading.Lock()
# The send engine keeps up to its worker concurrency (50 by default) requests in flight.
LIMITS = httpx.Limits(max_connections=200, max_keepalive_connections=100, keepalive_expiry=30)
# Hosts found public recently: saves a DNS lookup per message on the early check.
PUBLIC_HOST_TTL = 60.0
_public_hosts: dict[tuple[str, int], float] = {}


class _GuardedBackend(httpcore.SyncBackend):
    """Connects only to addresses the guard allows, checked on the address actually used.

    `check_target` refuses early with a clear message; this closes the gap where a
    name resolves to a public address for the check and a private one for the connect.
    """

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        if settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        addresses = public_addresses(host, port, verb="connect to")
        # Resolver order, with a fallback: a host may have an address family we cannot reach.
        for address in addresses[:-1]:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout):
                continue
        return super().connect_tcp(addresses[-1], port, timeout, local_address, socket_options)


def client() -> httpx.Client:
    """One pooled client per process; redirects are never followed (they could lead inside)."""
    global _client
    with _client_lock:  # the send engine's pool threads share it
        if _client is None:
            transport = httpx.HTTPTransport(trust_env=False, limits=LIMITS)
            transport._pool._network_backend = _GuardedBackend()  # httpcore has no public hook
            _client = httpx.Client(transport=transport, follow_redirects=False, trust_env=False)
    return _client


def timeout() -> httpx.Timeout:
    connect = settings.SKYLIGHT_HTTP_CONNECT_TIMEOUT
    read = settings.SKYLIGHT_HTTP_READ_TIMEOUT
    return httpx.Timeout(connect=connect, read=read, write=read, pool=connect)


def post(url: str, **kwargs) -> httpx.Response:
    """POST to `url` after the guard; raises TransportError for failures before a response."""
    return request("POST", url, **kwargs)


def get(url: str, **kwargs) -> httpx.Response:
    return request("GET", url, **kwargs)


def request(method: str, url: str, **kwargs) -> httpx.Response:
    """Any method to `url` after the guard, with the error classes of `post()`."""
    check_target(url)
    try:
        return client().request(method, url, timeout=timeout(), **kwargs)
    except (httpx.InvalidURL, httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
        raise TransportError(
            TransportError.PERMANENT,
            f"Cannot build a request to {_host(url)}: {exc.__class__.__name__}",
        ) from exc
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise TransportError(
            TransportError.TRANSIENT, f"Could not connect to {_host(url)}: {exc}"
        ) from exc
    except httpx.TimeoutException as exc:
        raise TransportError(
            TransportError.UNKNOWN,
            f"No answer from {_host(url)} in time after the request was sent; "
            "the outcome is unknown.",
        ) from exc
    except httpx.TransportError as exc:
        raise TransportError(
            TransportError.UNKNOWN,
            f"The connection to {_host(url)} failed mid-request ({exc.__class__.__name__}); "
            "the outcome is unknown.",
        ) from exc


def check_target(url: str) -> None:
    """Refuses non-HTTP URLs and, outside development, hosts resolving to internal addresses.

    Every resolved address is checked, so a name with one public and one private
    address is refused. A DNS failure is transient (nothing was sent).
    """
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        raise TransportError(
            TransportError.PERMANENT, f"Not a valid URL: {_redacted(url)!r}."
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(TransportError.PERMANENT, f"Not an http(s) URL: {_redacted(url)!r}.")
    if settings.SKYLIGHT_ALLOW_PRIVATE_NETWORK:
        return
    key = (parts.hostname, parts.port or 443)
    if _public_hosts.get(key, 0) > time.monotonic():
        return  # checked recently; the connect-time check still guards each new connection
    public_addresses(*key, verb="send to")
    _public_hosts[key] = time.monotonic() + PUBLIC_HOST_TTL


def public_addresses(host: str, port: int, *, verb: str) -> list[str]:
    """The host's addresses in resolver order; refused if any one of them is not public."""
    addresses = _resolve(host, port)
    for address in addresses:
        if not is_public_address(address):
            # The tenant must not learn what a name resolves to; operators see it here.
            logger.warning("refused non-public target host=%s address=%s", host, address)
            raise TransportError(
                TransportError.PERMANENT,
                f"Refusing to {verb} {host}: it is not a public internet address. "
                "A gateway on this machine or a private network is allowed only in "
                "development: set DJANGO_DEBUG=1 or SKYLIGHT_ALLOW_PRIVATE_NETWORK=1.",
            )
    return addresses


def _resolve(host: str, port: int) -> list[str]:
    """Addresses in the order getaddrinfo prefers them, without repeats."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise TransportError(TransportError.TRANSIENT, f"Could not resolve {host}: {exc}") from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_public_address(address: str) -> bool:
    """A global unicast address; IPv6 forms embedding IPv4 need their IPv4 public too."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return _is_global(ip) and all(_is_global(inner) for inner in _embedded_ipv4(ip))


def _embedded_ipv4(ip) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address carries: mapped, 6to4 (2002::/16), Teredo (2001::/32)."""
    if not isinstance(ip, ipaddress.IPv6Address):
        return []
    embedded = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    return [inner for inner in embedded if inner is not None]


def _is_global(ip) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def retry_after_header(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None  # an HTTP date: rare from providers; the engine's backoff applies


def error_for_table(response: httpx.Response, table: dict, key, detail: str) -> TransportError:
    """The error of `key`'s row in a provider's table (error_codes.py), else by status."""
    rule = table.get(key)
    if rule is None:
        return error_for_status(response, detail)
    return error_for_rule(
        rule,
        status=response.status_code,
        detail=detail,
        code=str(key),
        retry_after=retry_after_header(response),
    )


def error_for_status(response: httpx.Response, detail: str, **extra) -> TransportError:
    """The error class of a non-2xx answer: 429 and 5xx transient, other 4xx permanent."""
    status = response.status_code
    message = f"HTTP {status}: {detail}"
    if status == 429:
        retry_after = extra.pop("retry_after", None) or retry_after_header(response)
        return TransportError(TransportError.TRANSIENT, message, retry_after=retry_after, **extra)
    if status >= 500:
        extra.setdefault("retry_after", retry_after_header(response))
        return TransportError(TransportError.TRANSIENT, message, **extra)
    return TransportError(TransportError.PERMANENT, message, **extra)


def unparseable(response: httpx.Response, what: str) -> TransportError:
    return TransportError(
        TransportError.UNKNOWN,
        f"HTTP {response.status_code} with an unreadable body (expected {what}); "
        "the provider may have accepted the message.",
    )


def _host(url: str) -> str:
    """The host alone: provider URLs can carry credentials in their path (Telegram)."""
    try:
        return urlsplit(url).hostname or "the provider"
    except ValueError:
        return "the provider"


def _redacted(url: str) -> str:
    return url.split("?", 1)[0][:40] + ("..." if len(url) > 40 else "")
