"""The fm client library's durable queue of sets and clears.

Every set, clear and log a process raises goes into one SQLite file (WAL)
in the caller's state directory before it is sent, and leaves it only once
stx-fm-manager has committed it. So an operation is never lost when the
manager, the broker or the calling process dies, and a process restarted on
the same file replays what its predecessor left, in order.

Rows are ``(seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT)``, ``op`` a
JSON document; ``seq`` gives the order. AUTOINCREMENT keeps numbers from
ever being reused, so a waiter's ``seq`` names one operation for good.

One process owns a file at a time: the queue takes an exclusive ``flock``
on ``<file>.lock`` and refuses a file another process holds, since two
senders would interleave their replays.

One Sender per queue file and process delivers it: every FaultAPIs of the
process that uses the file shares it (the all-in-one runs several services
in one process). It delivers queued operations to stx-fm-manager strictly in
order, removing each only once the manager has acknowledged it, and keeps
retrying (backoff 0.1 s doubling to 2 s) while the manager is unavailable.
Consecutive operations of one kind travel in one RPC call, so a backlog
drains at the manager's batch rate rather than one round trip per row.

A sync caller waits on the sender for its operation's result; see
``submit()`` and ``wait()``.
"""

import fcntl
import json
import os
import sqlite3
import threading
import time

from oslo_log import log as logging

from stx.common import context as stx_context
from stx.common import exception
from stx.fm.manager import rpcapi

LOG = logging.getLogger(__name__)

_SCHEMA = ('CREATE TABLE IF NOT EXISTS ops ('
           'seq INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL)')


class DurableQueue:
    """A FIFO of JSON-serializable operations in one SQLite file.

    Thread-safe: one connection, guarded by a lock. WAL with
    ``synchronous=NORMAL``: an operation survives the calling process being
    killed the moment append() returns; only an operating system crash or
    power loss can lose the last few. FULL would also survive those but
    costs an fsync per append and per delete (5 ms against 0.15 ms here),
    and a host that lost power re-raises its alarms when its services
    start again.

    :param path: the SQLite file; its directory is created if missing.
    :raises: Conflict if another process holds the file.
    """

    def __init__(self, path):
        self.path = os.path.abspath(path)
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        self._lock = threading.Lock()
        self._lock_file = open(self.path + '.lock', 'a')
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock_file.close()
            raise exception.Conflict(
                'The fm client queue %s is in use by another process.'
                % self.path) from None
        self._db = sqlite3.connect(self.path, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute('PRAGMA journal_mode=WAL')
        self._db.execute('PRAGMA synchronous=NORMAL')
        self._db.execute(_SCHEMA)
        self._depth = self._db.execute(
            'SELECT COUNT(*) FROM ops').fetchone()[0]
        if self._depth:
            LOG.info('fm client queue %(path)s holds %(depth)d operations '
                     'left by a previous run; replaying them',
                     {'path': self.path, 'depth': self._depth})

    def __len__(self):
        return self._depth

    def append(self, op):
        """Store one operation; returns its sequence number."""
        text = json.dumps(op, sort_keys=True)
        with self._lock:
            seq = self._db.execute('INSERT INTO ops (op) VALUES (?)',
                                   (text,)).lastrowid
            self._depth += 1
        return seq

    def peek(self, limit):
        """The oldest ``limit`` operations as ``[(seq, op)]``, in order."""
        with self._lock:
            rows = self._db.execute(
                'SELECT seq, op FROM ops ORDER BY seq LIMIT ?',
                (limit,)).fetchall()
        return [(seq, json.loads(text)) for seq, text in rows]

    def delete(self, seqs):
        """Forget delivered operations."""
        if not seqs:
            return
        with self._lock:
            self._db.execute('BEGIN IMMEDIATE')
            try:
                deleted = self._db.executemany(
                    'DELETE FROM ops WHERE seq = ?',
                    [(seq,) for seq in seqs]).rowcount
                self._db.execute('COMMIT')
            except BaseException:
                self._db.execute('ROLLBACK')
                raise
            self._depth -= deleted

    def close(self):
        with self._lock:
            if self._db is None:
                return
            self._db.close()
            self._db = None
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)
            self._lock_file.close()


CLEAR_ALL = 'clear_all'
MAX_BATCH = 200
MIN_BACKOFF = 0.1
MAX_BACKOFF = 2.0
# Longest a sender waits for more operations before a call (_linger).
LINGER = 0.002

_senders = {}
# Senders told to stop whose RPC call may still be in flight, by path.
_stopping = {}
_senders_lock = threading.Lock()


def acquire(path, topic, rpc_timeout):
    """The started sender of ``path``, shared; release() it when done."""
    with _senders_lock:
        sender = _senders.get(path)
        if sender is None:
            previous = _stopping.pop(path, None)
            if previous is not None:
                # It still holds the file until its last call returns.
                previous.join()
            sender = _senders[path] = Sender(path, topic, rpc_timeout)
        elif sender.topic != topic:
            raise ValueError('fm client queue %s already sends to topic %s'
                             % (path, sender.topic))
        sender.users += 1
        return sender


def release(sender):
    """Stop sharing a sender; the last user stops it, without waiting."""
    with _senders_lock:
        sender.users -= 1
        if sender.users > 0:
            return
        del _senders[sender.path]
        _stopping[sender.path] = sender
        sender.stop()


class _Failed:
    """What a waiter gets for an operation the manager refused."""

    def __init__(self, error):
        self.error = error


class Sender:
    """Delivers one durable queue, in order, on a daemon thread."""

    def __init__(self, path, topic, rpc_timeout):
        self.path = path
        self.topic = topic
        self.users = 0
        self._queue = DurableQueue(path)
        self._api = rpcapi.FMAPI(timeout=rpc_timeout, topic=topic)
        self._context = stx_context.get_admin_context()
        self._cond = threading.Condition()
        # seq -> _Waiter of each sync caller waiting for its result.
        self._waiters = {}
        self._poked = False
        self._stopped = False
        # Operations expected after the last delivery, and when it ended:
        # see _linger().
        self._expected = 0
        self._answered_at = 0.0
        # How many queued operations wake the sender (None: it is busy),
        # so that submit() does not wake it for each one.
        self._wanted = None
        self._thread = threading.Thread(
            target=self._run, name='fm-client-sender', daemon=True)
        self._thread.start()

    @property
    def depth(self):
        return len(self._queue)

    def submit(self, op, wait=False):
        """Queue ``op`` durably; returns its sequence number.

        :param wait: register for the result, to be collected by wait().
        """
        with self._cond:
            seq = self._queue.append(op)
            if wait:
                self._waiters[seq] = _Waiter()
            self._poked = True
            if self._wanted is not None and len(self._queue) >= self._wanted:
                self._cond.notify_all()
        return seq

    def wait(self, seq, deadline):
        """The manager's answer for ``seq``, or None at ``deadline``.

        :raises: the manager's exception if it refused the operation.
        """
        waiter = self._waiters[seq]
        answered = waiter.done.wait(max(0.0, deadline - time.monotonic()))
        with self._cond:
            self._waiters.pop(seq, None)
        if not answered:
            return None
        if isinstance(waiter.result, _Failed):
            raise waiter.result.error
        return waiter.result

    def flush(self, timeout):
        """Wait until the queue is empty; False if it is not in time."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._queue):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._stopped:
                    return False
                self._cond.wait(remaining)
        return True

    def stop(self):
        """Stop after the call in flight, if any; see join()."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()

    def join(self):
        """Wait until the sender stopped and closed the queue file."""
        # An RPC in flight ends within its own timeout.
        self._thread.join(self._api.client.timeout + 1)

    def _wait_for_work(self, delay):
        deadline = time.monotonic() + delay
        with self._cond:
            try:
                while not self._stopped:
                    self._wanted = 1
                    if not len(self._queue):
                        self._cond.wait()
                        continue
                    if self._poked or time.monotonic() >= deadline:
                        self._poked = False
                        self._linger()
                        return True
                    self._cond.wait(deadline - time.monotonic())
                return False
            finally:
                self._wanted = None

    def _linger(self):
        # Sync callers the last delivery answered usually send their next
        # operation at once: waiting briefly for them (never more than
        # LINGER) makes one call of what would be several small ones, and
        # one call costs about as much as one operation. An isolated
        # operation, or async callers, do not wait at all.
        if time.monotonic() - self._answered_at > LINGER:
            return
        until = time.monotonic() + LINGER
        self._wanted = min(self._expected, MAX_BATCH)
        while len(self._queue) < self._wanted and not self._stopped:
            remaining = until - time.monotonic()
            if remaining <= 0:
                return
            self._cond.wait(remaining)

    def _run(self):
        delay = 0.0
        try:
            while self._wait_for_work(delay):
                rows = self._queue.peek(MAX_BATCH)
                try:
                    results = self._deliver(rows)
                except Exception as error:
                    if delay == 0:
                        LOG.warning('Cannot deliver %(depth)d queued fm '
                                    'operations, retrying: %(error)s',
                                    {'depth': len(self._queue),
                                     'error': error})
                    delay = min(max(delay * 2, MIN_BACKOFF), MAX_BACKOFF)
                    continue
                if delay:
                    LOG.info('Delivering queued fm operations again')
                delay = 0.0
                self._delivered(rows, results)
        finally:
            self._queue.close()

    def _deliver(self, rows):
        # Every kind travels in one call, in queue order: with many
        # callers setting and clearing at once, one method per call made
        # batches of one or two.
        operations = [{'method': op['method'],
                       'arg': op['arg'] if op['method'] == CLEAR_ALL
                       else [op['arg']]} for _seq, op in rows]
        outcomes = self._api.apply(self._context, operations)
        results = []
        for (_seq, op), outcome in zip(rows, outcomes):
            if 'error' in outcome:
                error = _rebuild(outcome['error'])
                # Validated before it was queued, so the manager's
                # catalogue differs: resending would be refused again.
                LOG.error('stx-fm-manager refused queued operation '
                          '%(op)s; dropping it: %(error)s',
                          {'op': op, 'error': error})
                results.append(_Failed(error))
            elif op['method'] == CLEAR_ALL:
                results.append(outcome['result'])
            else:
                results.append(outcome['result'][0])
        return results

    def _delivered(self, rows, results):
        self._queue.delete([seq for seq, _op in rows])
        answered = 0
        with self._cond:
            for (seq, _op), result in zip(rows, results):
                waiter = self._waiters.get(seq)
                if waiter is not None:
                    waiter.result = result
                    waiter.done.set()
                    answered += 1
            # What was queued meanwhile, and what the callers just
            # answered will queue next.
            self._expected = len(self._queue) + answered
            self._answered_at = time.monotonic()
            self._cond.notify_all()


class _Waiter:
    """Where a sync caller's result is left."""

    def __init__(self):
        self.done = threading.Event()
        self.result = None


def _rebuild(error):
    """The StxException a manager's {'class', 'kwargs', 'message'} names."""
    cls = getattr(exception, error.get('class') or '', None)
    if not (isinstance(cls, type) and
            issubclass(cls, exception.StxException)):
        cls = exception.StxException
    return cls(message=error.get('message'), **error.get('kwargs') or {})
