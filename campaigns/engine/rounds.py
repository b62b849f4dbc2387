"""A round: many numbers' lanes driven by one worker, their provider calls in a thread pool.

Each lane is one campaign's planned contacts on one number, sent one after another.
This thread does all database work (claims, pause checks, records, number locks); pool
threads only run transport steps. A lane never sleeps: after each step it names when it
wants to go on (the sequence gap, the number's gap after a contact, a provider's
Retry-After, a transport's typing pause), and this loop serves other lanes meanwhile.

Bounds: `worker_concurrency()` steps in flight per round (one round per worker task),
`number_concurrency()` lanes per number across all workers (see lanes.py).
"""

import heapq
import itertools
import logging
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign, CampaignMessage

from . import config
from .batches import batch_slots
from .lane import DONE, Lane, Run, Wait
from .planning import Batch
from .round_recording import RoundRecorder
from .sending import run_step

logger = logging.getLogger("skylight.engine")


def send_round(batches: list[Batch], now: datetime | None = None) -> list[Lane]:
    """Sends the planned batches concurrently across their numbers; returns the lanes.

    Batches of one campaign become one lane. `now` fixes the clock (simulations).
    """
    sizes: dict[int, int] = {}
    for batch in batches:
        sizes[batch.campaign_id] = sizes.get(batch.campaign_id, 0) + batch.size
    campaigns = Campaign.objects.select_related("channel", "account").in_bulk(list(sizes))
    slots = batch_slots(list(campaigns.values()), now or timezone.now())
    messages: dict[int, list] = {pk: [] for pk in slots}
    for message in CampaignMessage.objects.filter(campaign_id__in=list(slots)).order_by(
        "campaign_id", "position"
    ):
        messages[message.campaign_id].append(message)
    deadline = time.monotonic() + config.batch_seconds()
    outcomes = RoundRecorder()
    lanes = [
        Lane(
            campaigns[pk],
            sizes[pk],
            now,
            deadline,
            slot=slots[pk],
            messages=messages[pk],
            outcomes=outcomes,
        )
        for pk in sorted(slots)
    ]
    drive(lanes, outcomes)
    return lanes


def drive(lanes: list[Lane], outcomes: RoundRecorder) -> None:
    """Runs every lane to its end; a lane's database error ends that lane only."""
    loop = _Loop(outcomes)
    with (
        ThreadPoolExecutor(max_workers=loop.limit, thread_name_prefix="skylight-send") as pool,
        _quick_handover,
    ):
        try:
            for lane in lanes:
                loop.later(lane, 0.0)
            while loop.due or loop.running:
                loop.start_due_lanes(pool)
                loop.wait_for_work()
        finally:
            for lane in lanes:
                lane.close()
            outcomes.close()
    if loop.errors:
        raise loop.errors[0]


class _QuickHandover:
    """While a round runs, a thread waiting for the interpreter gets it within 1 ms rather
    than Python's 5 ms: a writer thread's statements each waited that long for the sending
    thread to let go, while holding the campaign row the next claim waits for
    (docs/architecture.md). The first round to start in a process sets it and the last
    to end restores it (rounds may run in threads side by side)."""

    def __init__(self, seconds: float = 0.001):
        self.seconds = seconds
        self.lock = threading.Lock()
        self.running = 0
        self.before = 0.0

    def __enter__(self) -> None:
        with self.lock:
            if not self.running:
                self.before = sys.getswitchinterval()
                sys.setswitchinterval(min(self.before, self.seconds))
            self.running += 1

    def __exit__(self, *exc_info) -> None:
        with self.lock:
            self.running -= 1
            if not self.running:
                sys.setswitchinterval(self.before)


_quick_handover = _QuickHandover()


class _Loop:
    """The round's schedule: lanes by the moment they go on, and the steps in flight."""

    def __init__(self, outcomes: RoundRecorder):
        self.limit = max(config.worker_concurrency(), 1)
        self.outcomes = outcomes
        self.order = itertools.count()
        self.due: list[tuple[float, int, Lane]] = []
        self.running: dict[Future, Lane] = {}
        self.errors: list[BaseException] = []

    def later(self, lane: Lane, seconds: float) -> None:
        if not lane.closed:  # a lane that stopped (e.g. its number must rest) waits for nothing
            heapq.heappush(self.due, (time.monotonic() + seconds, next(self.order), lane))

    def start_due_lanes(self, pool: ThreadPoolExecutor) -> None:
        while self.due and self.due[0][0] <= time.monotonic() and len(self.running) < self.limit:
            lane = heapq.heappop(self.due)[2]
            action = _advance(lane, self.errors)
            if isinstance(action, Wait):
                self.later(lane, action.seconds)
            elif isinstance(action, Run) and lane.inline:
                self.finished(lane, run_step(action.steps))
            elif isinstance(action, Run):
                self.running[pool.submit(run_step, action.steps)] = lane

    def finished(self, lane: Lane, step) -> None:
        self.later(lane, _finish(lane, step, self.errors))
        # A lane that claimed one at a time has its outcome written at once, unless other
        # steps are about to finish and can share the flush (at most `max_delay` later).
        if lane.wants_flush and not self.running:
            self.outcomes.flush()
        lane.wants_flush = False

    def wait_for_work(self) -> None:
        """Waits for a step to finish, the next lane's moment or the flush, the soonest."""
        flush_in = self.outcomes.due_in()
        if flush_in is not None and flush_in <= 0:
            self.outcomes.flush()
            flush_in = None
        moments = [flush_in] if flush_in is not None else []
        if self.due and len(self.running) < self.limit:
            moments.append(self.due[0][0] - time.monotonic())
        timeout = max(min(moments), 0.0) if moments else None
        if self.running:
            done, _ = wait(list(self.running), timeout=timeout, return_when=FIRST_COMPLETED)
            for future in done:
                self.finished(self.running.pop(future), future.result())
        elif timeout:
            time.sleep(timeout)  # every lane is waiting for its number's next moment


def _advance(lane: Lane, errors: list) -> object:
    try:
        return lane.advance()
    except Exception as exc:
        logger.exception("campaign=%s lane failed", lane.campaign.pk)
        errors.append(exc)
        lane.close()
        return DONE


def _finish(lane: Lane, step, errors: list) -> float:
    try:
        return lane.finished(step)
    except Exception as exc:
        logger.exception("campaign=%s lane failed recording", lane.campaign.pk)
        errors.append(exc)
        lane.close()
        return 0.0
