"""A real worker (Huey's consumer, with its scheduler) in threads of the test process, on a given queue.

The test's master database is SQLite in memory, shared between threads without waiting for locks:
so the worker has one thread, and the test waits on what the worker reports (not by querying the
database) until the jobs it expects have ended.
"""

import signal
import threading
import uuid
from contextlib import contextmanager

from subscription.jobs import huey


class Finished:
    """The jobs the worker has ended, as (job name, "ok" | "retrying" | "failed"), in order."""

    def __init__(self) -> None:
        self.ended: list[tuple[str, str]] = []
        self.changed = threading.Condition()

    def hook(self, task, value, error) -> None:
        outcome = "ok" if error is None else ("retrying" if task.retries else "failed")
        with self.changed:
            self.ended.append((task.name.rsplit(".", 1)[-1], outcome))
            self.changed.notify_all()

    def wait(self, name: str, *, outcome: str = "ok", count: int = 1, seconds: float = 60.0) -> None:
        def done() -> bool:
            return sum(1 for ended in self.ended if ended == (name, outcome)) >= count

        with self.changed:
            if not self.changed.wait_for(done, timeout=seconds):
                raise AssertionError(f"{count} × {name} {outcome}: not within {seconds}s; ended: {self.ended}")


@contextmanager
def running_worker(storage, *, periodic: bool = False):
    """Run the consumer on `storage` for the block; jobs enqueued meanwhile go through it."""
    import master_admin.tasks  # noqa: F401 - the worker knows every job, as run_huey's autodiscovery makes it
    import subscription.tasks  # noqa: F401

    saved_signals = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    saved_storage, saved_immediate = huey.storage, huey.immediate
    huey.immediate = False
    huey.storage = storage
    finished = Finished()
    hook = f"test-{uuid.uuid4().hex}"
    huey.post_execute(name=hook)(finished.hook)
    consumer = huey.create_consumer(
        workers=1, worker_type="thread", periodic=periodic, initial_delay=0.05, max_delay=0.2, backoff=1.1
    )
    consumer.start()
    try:
        yield finished
    finally:
        consumer.stop(graceful=True)
        huey.unregister_post_execute(hook)
        storage.flush_all()
        huey.storage = saved_storage
        huey.immediate = saved_immediate
        for sig, handler in saved_signals.items():
            signal.signal(sig, handler)
