"""A scriptable fake HTTP provider on 127.0.0.1 that records every request it receives.

Script outcomes per request with `then(outcome, **options)` (consumed in order) or
`always(outcome, **options)` (the default once the script is empty; starts as "ok"),
or per recipient with `for_recipient(address, outcome, **options)` (every request to
that address, before the script; the address as the provider sees it).
Any outcome accepts `delay=<seconds>` to answer slowly (for read timeouts).
`max_in_flight` holds, per request path, the most requests it was answering at once;
`most_at_once` the most over all paths.
Each provider module defines its outcomes in `respond()`; requests that are not sends
(session state, typing, webhook set-up) can be answered by `answer_directly()` without
consuming the script.
"""

import itertools
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response


@dataclass
class RecordedRequest:
    """One request as the fake received it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    query: dict[str, str] = field(default_factory=dict)
    received_at: float = field(default_factory=time.monotonic)

    def json(self):
        return json.loads(self.body)

    @property
    def form(self) -> dict[str, str]:
        return dict(parse_qsl(self.body.decode(), keep_blank_values=True))


class FakeProvider:
    """Base of the fakes: start()/stop(), `url`, `requests`, then()/always()."""

    def __init__(self):
        self.server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
        self.requests: list[RecordedRequest] = []
        self._script: deque[tuple[str, dict]] = deque()
        self._by_recipient: dict[str, tuple[str, dict]] = {}
        self._default: tuple[str, dict] = ("ok", {})
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.most_at_once = 0

    def start(self) -> "FakeProvider":
        self.server.expect_request(re.compile(".*")).respond_with_handler(self._dispatch)
        self.server.start()
        return self

    def stop(self) -> None:
        if self.server.is_running():
            self.server.clear()
            self.server.stop()

    def reset(self) -> "FakeProvider":
        """Forget requests and script (servers are shared by a test session)."""
        with self._lock:
            self.requests.clear()
            self._script.clear()
            self._by_recipient.clear()
            self._default = ("ok", {})
            self._ids = itertools.count(1)
            self._in_flight.clear()
            self.max_in_flight.clear()
            self.most_at_once = 0
        return self

    @property
    def url(self) -> str:
        """The base URL (no trailing slash) to put in the provider's base-URL setting."""
        return self.server.url_for("/").rstrip("/")

    def then(self, outcome: str, **options) -> "FakeProvider":
        self._script.append((outcome, options))
        return self

    def always(self, outcome: str, **options) -> "FakeProvider":
        self._default = (outcome, options)
        return self

    def for_recipient(self, address: str, outcome: str, **options) -> "FakeProvider":
        self._by_recipient[str(address)] = (outcome, options)
        return self

    def recipient_of(self, request: RecordedRequest) -> str:
        """The address a request sends to, as the provider reads it."""
        return ""

    @property
    def last(self) -> RecordedRequest:
        return self.requests[-1]

    def next_id(self) -> int:
        return next(self._ids)

    def _dispatch(self, request: Request) -> Response:
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            headers={key: value for key, value in request.headers.items()},
            body=request.get_data(),
            query=dict(request.args),
        )
        with self._lock:
            direct = self.answer_directly(recorded)
            if direct is not None:
                self.requests.append(recorded)
                return direct
        try:
            recipient = self.recipient_of(recorded)
        except (ValueError, KeyError, TypeError, AttributeError):
            recipient = ""
        with self._lock:
            self.requests.append(recorded)
            if recipient in self._by_recipient:
                outcome, options = self._by_recipient[recipient]
            else:
                outcome, options = self._script.popleft() if self._script else self._default
            self._in_flight[recorded.path] = self._in_flight.get(recorded.path, 0) + 1
            self.max_in_flight[recorded.path] = max(
                self.max_in_flight.get(recorded.path, 0), self._in_flight[recorded.path]
            )
            self.most_at_once = max(self.most_at_once, sum(self._in_flight.values()))
        options = dict(options)
        delay = options.pop("delay", 0)
        try:
            if delay:
                time.sleep(delay)
            return self.respond(outcome, recorded, **options)
        finally:
            with self._lock:
                self._in_flight[recorded.path] -= 1

    def respond(self, outcome: str, request: RecordedRequest, **options) -> Response:
        raise NotImplementedError

    def answer_directly(self, request: RecordedRequest) -> Response | None:
        """An answer outside the script (None: the request is a scripted send)."""
        return None

    @staticmethod
    def json_response(data, status: int = 200, headers: dict | None = None) -> Response:
        return Response(
            json.dumps(data), status=status, headers=headers, content_type="application/json"
        )

    @staticmethod
    def garbage() -> Response:
        return Response("<html>upstream glitch", status=200, content_type="text/html")


def unknown_outcome(outcome: str) -> Response:
    return Response(f"fake: unknown outcome {outcome!r}", status=599)
