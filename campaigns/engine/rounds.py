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
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from datetime import datetime

from django.utils import timezone

from campaigns.models import Campaign, CampaignMessage

from . import config
from .batches import batch_slots
from .lane import DONE, Lane, Run, Wait
from .planning import Batch
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
    lanes = [
        Lane(campaigns[pk], sizes[pk], now, deadline, slot=slots[pk], messages=messages[pk])
        for pk in sorted(slots)
    ]
    drive(lanes)
    return lanes


def drive(lanes: list[Lane]) -> None:
    """Runs every lane to its end; a lane's database error ends that lane only."""
    limit = max(config.worker_concurrency(), 1)
    order = itertools.count()
    due: list[tuple[float, int, Lane]] = [(0.0, next(order), lane) for lane in lanes]
    running: dict[Future, Lane] = {}
    errors: list[BaseException] = []

    def later(lane: Lane, seconds: float) -> None:
        if not lane.closed:  # a lane that stopped (e.g. its number must rest) waits for nothing
            heapq.heappush(due, (time.monotonic() + seconds, next(order), lane))

    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="skylight-send") as pool:
        try:
            while due or running:
                while due and due[0][0] <= time.monotonic() and len(running) < limit:
                    lane = heapq.heappop(due)[2]
                    action = _advance(lane, errors)
                    if isinstance(action, Wait):
                        later(lane, action.seconds)
                    elif isinstance(action, Run) and lane.inline:
                        later(lane, _finish(lane, run_step(action.steps), errors))
                    elif isinstance(action, Run):
                        running[pool.submit(run_step, action.steps)] = lane
                _wait_for_work(
                    due, running, limit, lambda lane, step: later(lane, _finish(lane, step, errors))
                )
        finally:
            for lane in lanes:
                lane.close()
    if errors:
        raise errors[0]


def _wait_for_work(due, running: dict[Future, Lane], limit: int, finished) -> None:
    """Waits for a step to finish or the next lane's moment, whichever comes first."""
    timeout = None
    if due and len(running) < limit:
        timeout = max(due[0][0] - time.monotonic(), 0.0)
    if running:
        done, _ = wait(list(running), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            finished(running.pop(future), future.result())
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
