"""The send engine: plan due campaigns (`run_cycle`), then claim, send and record contacts
in small batches (`send_batch`). docs/architecture.md tells the life of a send and the
rules it keeps."""

from .batches import BatchResult, send_batch
from .planning import Batch, CycleReport, run_cycle
from .recording import reap_stale_claims

__all__ = ["Batch", "BatchResult", "CycleReport", "reap_stale_claims", "run_cycle", "send_batch"]
