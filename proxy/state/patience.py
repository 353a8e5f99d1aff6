"""Timeouts that tell a slow state server from this process's own starved event loop.

A timeout measured on the event loop fires late when the loop itself was blocked (a CPU-heavy
plugin step, a long GC pause): by the time the timer runs, the reply it was guarding has often
been sitting in the socket buffer for a while. An ordinary `asyncio.timeout` then cancels the
read and the state call fails; with `on_failure = "fail_open"` the request goes on against
local state, which knows nothing of the spend in Redis: a budget at its cap edge overspent that
way on CI. `patient_timeout` gives the reply another `budget` when its deadline ran more than
`STARVED_SECONDS` late (the loop was not running, so the server was not what was slow) by as
long as it was late (at most `budget`), a few times at most; a deadline met on time still fires at once, so a stopped or slow server is
detected as quickly as before.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

log = logging.getLogger("bulwark.state")

# A healthy loop runs a due timer within a few milliseconds; later than this, it was blocked.
STARVED_SECONDS = 0.05
EXTENSIONS = 4  # at most this many more budgets (a server that is down still fails, later)

stalls = 0  # deadlines that ran late because the loop was blocked (exported as a metric)
_last_warned = 0.0


def _starved(late: float) -> None:
    global stalls, _last_warned
    stalls += 1
    now = time.monotonic()
    if now - _last_warned > 10.0:
        _last_warned = now
        log.warning("the event loop was blocked for %.0f ms while a state reply was due: waiting for the reply instead of "
                    "counting a state failure (CPU work on the loop is the cause, not the state server)", late * 1000)


def patient_timeout(budget: float) -> "_Patience":
    """Like `asyncio.timeout(budget)` (raises TimeoutError when it fires), except that a
    deadline that came due while the loop was blocked is extended (by its lateness, at most
    `budget`, at most `EXTENSIONS` times)."""
    return _Patience(budget)


class _Patience:
    """The context manager of `patient_timeout`. A class, not a generator with a closure: the
    closure that re-armed its own timer referred to itself, so every use (a dozen per request
    on Redis) left a reference cycle holding its frame, the timeout and the request's task for
    the cyclic collector (~180 objects per request). The timer's bound method refers to this
    object only until the exit cancels it.

    It cancels the task itself rather than wrapping an `asyncio.timeout`, with the same rules
    (a TimeoutError only when the cancel was its own and nobody else asked for one meanwhile):
    a Timeout is a second object, a second timer handle and, on Python 3.11, two more
    event-loop lookups each costing a getpid() system call (`tasks.current_task()` and
    `get_running_loop()` check the process id), for every read from Redis."""

    __slots__ = ("budget", "left", "loop", "handle", "task", "cancelling", "expired")

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.left = EXTENSIONS
        self.handle: asyncio.TimerHandle | None = None
        self.task: asyncio.Task[Any] | None = None
        self.expired = False

    async def __aenter__(self) -> None:
        assert self.task is None, "a patient timeout is entered once"
        loop = self.loop = asyncio.get_running_loop()
        task = asyncio.current_task(loop)  # with the loop given: no second lookup
        if task is None:
            raise RuntimeError("patient_timeout must be used inside a task")
        self.task = task
        self.cancelling = task.cancelling()
        at = loop.time() + self.budget
        self.handle = loop.call_at(at, self._due, at)

    def _due(self, at: float) -> None:
        now = self.loop.time()
        late = now - at
        if late > STARVED_SECONDS and self.left > 0:
            self.left -= 1
            _starved(late)
            # As long again as the loop was away (at most one budget): enough for a reply
            # already in the buffer, and under a steadily lagging loop a dead server is
            # still found within a few lags rather than five budgets.
            more = min(self.budget, late)
            self.handle = self.loop.call_at(now + more, self._due, now + more)
        else:
            self.handle = None
            self.expired = True
            self.task.cancel()  # type: ignore[union-attr]

    async def __aexit__(self, exc_type: Any, exc: Any, tb: Any) -> bool | None:
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None
        task, self.task = self.task, None
        if self.expired and task is not None and task.uncancel() <= self.cancelling and exc_type is asyncio.CancelledError:
            raise TimeoutError from exc  # ours alone: the caller's own cancel stays a cancel
        return None
