"""Group concurrent write requests into few transactions.

Callers on many RPC threads each submit one operation and wait; a single
writer thread takes up to ``[fm] batch_max_size`` of them (waiting at most
``[fm] batch_max_wait_ms`` for more to arrive), applies them in one
transaction and wakes each caller with its own result or exception. One
durable commit for hundreds of operations is what lets fm keep up with a
burst of alarms from every host at once.
"""

import queue
import threading
import time

from oslo_log import log as logging

from stx.common import exception
from stx.conf import CONF

LOG = logging.getLogger(__name__)

# How often an idle writer looks at its stop flag.
_IDLE_POLL_S = 0.5


class Operation:
    """One caller's request, and where its answer is left."""

    def __init__(self, kind, **args):
        self.kind = kind
        self.args = args
        self.result = None
        self.error = None
        self._done = threading.Event()

    def finish(self, result=None, error=None):
        self.result = result
        self.error = error
        self._done.set()

    def wait(self):
        self._done.wait()
        if self.error is not None:
            raise self.error
        return self.result

    def outcome(self):
        """(result, error) once done, without raising."""
        self._done.wait()
        return self.result, self.error


class Batcher:
    """The writer thread.

    :param apply_batch: ``apply_batch(operations)`` applies every operation
        in one transaction and commits. It returns a list with one
        ``(result, error)`` per operation, where error is the
        StxException refusing that operation alone; any other exception
        means the transaction failed and nothing was committed.
    """

    def __init__(self, apply_batch):
        self._apply_batch = apply_batch
        self._queue = queue.Queue()
        self._thread = None
        self._stopping = threading.Event()
        #: Transactions committed and operations finished, for tests and
        #: for the log line that tells an operator how well batching works.
        self.commits = 0
        self.operations = 0

    def start(self):
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name='fm-writer')
        self._thread.start()

    def stop(self):
        if self._thread is None:
            return
        self._stopping.set()
        self._thread.join()
        self._thread = None

    def submit(self, operation):
        """Queue an operation and wait for it; returns its result.

        :raises: whatever refused the operation.
        """
        if self._thread is None:
            raise exception.ServiceUnavailable(
                service='stx-fm-manager', reason='its writer is not running')
        self._queue.put(operation)
        return operation.wait()

    def submit_many(self, operations):
        """Queue operations together, in order; wait for all of them.

        Queued back to back, they are written in the same transaction
        unless it fills up. Each keeps its own outcome.
        """
        if self._thread is None:
            raise exception.ServiceUnavailable(
                service='stx-fm-manager', reason='its writer is not running')
        for operation in operations:
            self._queue.put(operation)
        return [operation.outcome() for operation in operations]

    def _take(self):
        try:
            first = self._queue.get(timeout=_IDLE_POLL_S)
        except queue.Empty:
            return []
        batch = [first]
        max_size = CONF.fm.batch_max_size
        deadline = time.monotonic() + CONF.fm.batch_max_wait_ms / 1000.0
        while len(batch) < max_size:
            # Whatever is already queued joins without waiting.
            remaining = deadline - time.monotonic()
            try:
                if remaining > 0:
                    batch.append(self._queue.get(timeout=remaining))
                else:
                    batch.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self):
        while not (self._stopping.is_set() and self._queue.empty()):
            batch = self._take()
            if batch:
                self._write(batch)

    def _write(self, batch):
        try:
            outcomes = self._apply_batch(batch)
        except Exception as error:
            if len(batch) == 1:
                LOG.exception('fm write %(kind)s failed',
                              {'kind': batch[0].kind})
                self._finish(batch, [(None, _unavailable(error))])
                return
            # One bad operation must not fail its neighbours: retry each
            # alone, so only the guilty one fails.
            LOG.warning('A batch of %(count)d fm writes failed (%(error)s); '
                        'retrying them one by one',
                        {'count': len(batch), 'error': error})
            for operation in batch:
                self._write([operation])
            return
        self.commits += 1
        self._finish(batch, outcomes)

    def _finish(self, batch, outcomes):
        for operation, (result, error) in zip(batch, outcomes):
            self.operations += 1
            operation.finish(result, error)


def _unavailable(error):
    if isinstance(error, exception.StxException):
        return error
    return exception.ServiceUnavailable(
        service='stx-fm-manager',
        reason='the fm database refused the write: %s' % error)
