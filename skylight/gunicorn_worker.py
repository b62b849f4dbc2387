"""The web process's worker: gunicorn's threaded worker, taking a new connection only
when one of its threads is free.

The workers share one listening socket. gunicorn's own threaded worker accepts whenever
the socket is readable, so the first worker to wake took most of a burst of keep-alive
connections (27 of 32 under the API benchmark) and kept them: its queue set the tail
latency while the other worker idled. This one stops listening while all its threads are
busy, so a new connection goes to a worker that can serve it now, and the connections
spread over the workers as their load does. Connections already taken are served as
before; those waiting stay queued in the kernel until a worker has a thread free.
"""

from gunicorn.workers import gthread


class ThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.in_pool = 0  # requests handed to the thread pool and not finished yet

    def enqueue_req(self, conn) -> None:
        self.in_pool += 1
        super().enqueue_req(conn)

    def finish_request(self, conn, fs) -> None:
        self.in_pool -= 1
        super().finish_request(conn, fs)

    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled and self.in_pool < self.cfg.threads)
