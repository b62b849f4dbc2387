"""The console transport's message ids: unique in a process and across forked workers."""

import os

from channels.transports.base import OutboundMessage
from channels.transports.console import ConsoleTransport


def _send_id() -> str:
    return (
        ConsoleTransport({})
        .send("+15550000001", OutboundMessage(type="text", content="hi"))
        .provider_message_id
    )


def test_ids_are_unique_in_a_process():
    ids = [_send_id() for _ in range(1000)]
    assert len(set(ids)) == 1000 and all(i.startswith("console-") for i in ids)


def test_a_forked_worker_draws_its_own_prefix():
    """qcluster forks its workers from one process: their ids must not repeat each other."""
    parent = _send_id()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first id, then out without running pytest's teardown
        os.write(write, _send_id().encode())
        os._exit(0)
    os.close(write)
    child = os.read(read, 200).decode()
    os.waitpid(pid, 0)
    os.close(read)
    assert child and child != parent
    assert child[: len("console-") + 20] != parent[: len("console-") + 20]
