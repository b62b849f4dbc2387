"""The send engine: plan due campaigns (`run_cycle`), then claim, send and record contacts
in rounds that serve many numbers at once (`send_round`). docs/architecture.md describes
the rules it enforces."""

from .batches import BatchResult, send_batch
from .planning import Batch, CycleReport, Round, run_cycle
from .recording import reap_stale_claims
from .rounds import send_round

__all__ = [
    "Batch",
    "BatchResult",
    "CycleReport",
    "Round",
    "reap_stale_claims",
    "run_cycle",
    "send_batch",
    "send_round",
]
