"""Sending under provider latency: a local gateway that answers every request in 200 ms.

The engine runs as it does in production, in separate processes on the real clock:
`manage.py send_cycle` (one inline cycle) and a 2-worker qcluster on Redis fed by
`send_cycle --enqueue`. Each channel posts to its own path on the fake, so the fake can
count, per number, how many requests were in flight at once; it also counts requests
per recipient (a duplicate is a second request to one recipient).

Cases:
- 500 numbers with one contact due each (inline cycle, then the 2-worker cluster);
- catch-up: 50 numbers x 20 due contacts with the default gaps between a number's
  contacts (random 1-4 s), against its floor: the gaps plus latencies of one number.

Runs that cannot finish within the time budget are stopped; their rate is what they
reached, and the catch-up reports its projected total time.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from benchmarks.harness import report

LATENCY = 0.2
BUDGET_SECONDS = float(os.environ.get("BENCH_SENDING_BUDGET", "90"))
ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-gateway-secret-0123456789"
CONTACT_GAP = 4.0  # the production default: a random 1-4 s between a number's contacts


class FakeGateway(ThreadingHTTPServer):
    """Answers each POST after LATENCY seconds; counts duplicates and in-flight per path."""

    daemon_threads = True
    request_queue_size = 512

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.per_recipient: Counter[str] = Counter()
            self.in_flight: Counter[str] = Counter()
            self.max_in_flight: dict[str, int] = defaultdict(int)
            self.answered = 0
            self.last_answer = 0.0
            self.most_at_once = 0
            self.total_in_flight = 0

    def handle_error(self, request, client_address):
        pass  # a client stopped at the budget resets its connections; that is expected

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server: FakeGateway = self.server
        recipient = json.loads(body).get("recipient", "")
        with server.lock:
            server.per_recipient[recipient] += 1
            server.in_flight[self.path] += 1
            server.max_in_flight[self.path] = max(
                server.max_in_flight[self.path], server.in_flight[self.path]
            )
            server.total_in_flight += 1
            server.most_at_once = max(server.most_at_once, server.total_in_flight)
        time.sleep(LATENCY)
        with server.lock:
            server.in_flight[self.path] -= 1
            server.total_in_flight -= 1
            server.answered += 1
            number = server.answered
            server.last_answer = time.monotonic()
        answer = json.dumps({"id": f"bench-{number}"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def _setup(gateway: FakeGateway, numbers: int, due_each: int, enrolled_each: int, day: int):
    """`numbers` running campaigns, each alone on its own webhook channel."""
    from campaigns.models import Campaign, CampaignContact, CampaignMessage
    from channels.models import Channel
    from contacts.models import Contact
    from skylight.services import account_create

    now = datetime.now(UTC)
    account = account_create(name=f"bench-sending-{time.time_ns()}", timezone_name="UTC")
    channels = Channel.objects.bulk_create(
        Channel(
            account=account,
            name=f"number {i}",
            type="whatsapp",
            provider="webhook",
            config={"url": f"{gateway.base_url}/number/{i}", "secret": SECRET},
        )
        for i in range(numbers)
    )
    # The window closes soon, so the pacing curve lets the whole day's limit go now.
    window_end = (now + timedelta(minutes=20)).time().replace(microsecond=0)
    assert window_end > clock_time(0, 30), "run this benchmark before 23:30 UTC"
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            account=account,
            channel=channel,
            name=f"latency {i}",
            status="running",
            campaign_day=day,
            last_active_date=now.date(),
            today_date=now.date(),
            total_contacts=enrolled_each,
            pending_count=enrolled_each,
            send_window_start=clock_time(0) if due_each > 1 else None,
            send_window_end=window_end if due_each > 1 else None,
            started_at=now,
            next_send_at=None,
        )
        for i, channel in enumerate(channels)
    )
    CampaignMessage.objects.bulk_create(
        CampaignMessage(campaign=c, position=1, type="text", content="Hi {{first_name|there}}")
        for c in campaigns
    )
    stamp = time.time_ns() % 10**5
    contacts = Contact.objects.bulk_create(
        Contact(account=account, name=f"Person {i}", phone=f"+1{stamp:05d}{i:07d}")
        for i in range(numbers * enrolled_each)
    )
    CampaignContact.objects.bulk_create(
        CampaignContact(campaign=campaign, contact=contacts[n * enrolled_each + k])
        for n, campaign in enumerate(campaigns)
        for k in range(enrolled_each)
    )
    return account, campaigns


def _cleanup(campaigns) -> None:
    """Nothing of this benchmark may run in later cycles of other benchmarks."""
    from campaigns.models import Campaign, CampaignContact

    ids = [c.pk for c in campaigns]
    CampaignContact.objects.filter(campaign_id__in=ids, status="sending").update(status="failed")
    Campaign.objects.filter(pk__in=ids).update(status="cancelled", next_send_at=None)


def _env(**extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "SKYLIGHT_ALLOW_PRIVATE_NETWORK": "1",
        "LOG_LEVEL": "WARNING",
        "SKYLIGHT_PACING_JITTER_SECONDS": "0",
        **extra,
    }
    return env


def _manage(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


# A cycle in production runs in a warm worker; the clock starts once this process has
# loaded Django (about 1.5 s of interpreter and imports that no production cycle pays).
_WARM_CYCLE = """
import sys, django
django.setup()
from django.core.management import call_command
print("ready", flush=True)
call_command("send_cycle", *sys.argv[1:])
"""


def _cycle(*args: str, **env: str) -> subprocess.Popen:
    """`manage.py send_cycle *args` in a process that says when Django is loaded."""
    process = subprocess.Popen(
        [sys.executable, "-c", _WARM_CYCLE, *args],
        cwd=ROOT,
        env=_env(DJANGO_SETTINGS_MODULE="skylight.settings", **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError(f"send_cycle did not start: {process.stderr.read()[-2000:]}")
    return process


def _wait_for(gateway: FakeGateway, expected: int, started: float, process=None) -> float:
    """Seconds from `started` to the last answer, or to the budget's end."""
    deadline = started + BUDGET_SECONDS
    while time.monotonic() < deadline:
        if gateway.answered >= expected:
            return gateway.last_answer - started
        if process is not None and process.poll() is not None and gateway.answered < expected:
            # An inline cycle that ended early: wait for its last answers only.
            time.sleep(0.5)
            if gateway.answered < expected:
                return time.monotonic() - started
        time.sleep(0.05)
    return time.monotonic() - started


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def _figures(label: str, gateway: FakeGateway, expected: int, seconds: float) -> None:
    sent = gateway.answered
    duplicates = sum(n - 1 for n in gateway.per_recipient.values() if n > 1)
    most = max(gateway.max_in_flight.values(), default=0)
    done = "" if sent >= expected else f", stopped at the {BUDGET_SECONDS:.0f} s budget"
    rate = f"{sent / seconds:.1f}"
    report(f"{label}: sends/s ({sent} of {expected} in {seconds:.1f} s{done})", rate)
    report(f"{label}: duplicates at the fake (must be 0)", str(duplicates))
    report(f"{label}: max in flight per number (must be 1)", str(most))
    report(f"{label}: most requests in flight at once", str(gateway.most_at_once))


def bench_inline(gateway: FakeGateway) -> None:
    _, campaigns = _setup(gateway, numbers=500, due_each=1, enrolled_each=1, day=1)
    gateway.reset()
    process = _cycle()
    started = time.monotonic()
    try:
        seconds = _wait_for(gateway, 500, started, process)
    finally:
        _stop(process)
        _cleanup(campaigns)
    _figures("500 numbers x 1 due, one inline send_cycle", gateway, 500, seconds)


def bench_cluster(gateway: FakeGateway) -> None:
    import redis
    from django_q.models import Schedule

    from campaigns.signals import install_send_cycle_schedule

    Schedule.objects.all().delete()  # only the cycle we run, so the timing is ours
    name = f"bench-sending-{os.getpid()}"
    url = "redis://127.0.0.1:6379/12"
    env = {"REDIS_URL": url, "SKYLIGHT_Q_CLUSTER_NAME": name, "SKYLIGHT_WORKERS": "2"}
    cluster = _manage("qcluster", **env)
    try:
        time.sleep(8)  # the cluster's workers start
        _, campaigns = _setup(gateway, numbers=500, due_each=1, enrolled_each=1, day=1)
        gateway.reset()
        cycle = _cycle("--enqueue", **env)
        started = time.monotonic()
        seconds = _wait_for(gateway, 500, started)
        cycle.communicate(timeout=60)
    finally:
        _stop(cluster)
        _cleanup(campaigns)
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(match=f"*{name}*"):
            client.delete(key)
        install_send_cycle_schedule()
    _figures("500 numbers x 1 due, qcluster with 2 workers", gateway, 500, seconds)


def bench_catch_up(gateway: FakeGateway) -> None:
    numbers, due = 50, 20
    _, campaigns = _setup(gateway, numbers=numbers, due_each=due, enrolled_each=60, day=14)
    gateway.reset()
    process = _cycle(
        SKYLIGHT_CONTACT_GAP_SECONDS=str(CONTACT_GAP),
        SKYLIGHT_SEQUENCE_GAP_SECONDS="3",
    )
    started = time.monotonic()
    expected = numbers * due
    try:
        seconds = _wait_for(gateway, expected, started, process)
    finally:
        _stop(process)
        _cleanup(campaigns)
    label = f"catch-up {numbers} numbers x {due} due, one inline send_cycle"
    _figures(label, gateway, expected, seconds)
    # One number's floor: its latencies plus the mean gap (uniform between gap/4 and gap).
    floor = due * LATENCY + (due - 1) * (CONTACT_GAP / 4 + CONTACT_GAP) / 2
    projected = seconds * expected / max(gateway.answered, 1)
    report(f"{label}: floor (gaps + latencies of one number, s)", f"{floor:.1f}")
    report(f"{label}: total time, projected if stopped (s)", f"{projected:.1f}")
    report(f"{label}: time / floor (target <= 1.5)", f"{projected / floor:.2f}")


def main() -> None:
    gateway = FakeGateway()
    server = threading.Thread(target=gateway.serve_forever, daemon=True)
    server.start()
    try:
        bench_inline(gateway)
        bench_cluster(gateway)
        bench_catch_up(gateway)
    finally:
        gateway.shutdown()
        gateway.server_close()
