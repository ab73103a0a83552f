"""Stop the work shortly before the Lambda's time runs out, so the stack hears FAILED, not nothing.

A custom resource that never answers keeps its stack waiting for CloudFormation's own timeout
(an hour). The handler runs the work under ``guard``: a real-time interval timer (``SIGALRM``)
fires ``RESERVE_MS`` before the invocation's end (``context.get_remaining_time_in_millis()``) and
raises ``DeadlineExceeded`` in the work, which stops there, so no late commit lands after FAILED was
sent; the reserve is the time left to PUT the response. A signal, not a thread: a thread left
running would go on in the next invocation of a warm container. Without a context (tests, a local
call) or outside the main thread (signals cannot be set there) the work runs unguarded.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

# Kept for answering CloudFormation: send() gives the PUT SEND_TIMEOUT_SECONDS, plus a margin.
SEND_TIMEOUT_SECONDS = 10
RESERVE_MS = (SEND_TIMEOUT_SECONDS + 5) * 1000


class DeadlineExceeded(BaseException):
    """The invocation is about to time out (a BaseException: library code's ``except Exception`` lets it pass)."""

    def __init__(self, budget_ms: int) -> None:
        super().__init__(
            f"timed out: the seeding did not finish within {budget_ms / 1000:.1f} s, {RESERVE_MS // 1000} s before "
            "the Lambda's own timeout (raise the function's Timeout, or deliver to an S3 zip)"
        )


def remaining_ms(context: Any) -> int | None:
    """The invocation's remaining time, or None when there is no Lambda context."""
    get: Callable[[], int] | None = getattr(context, "get_remaining_time_in_millis", None)
    return int(get()) if callable(get) else None


@contextmanager
def guard(context: Any) -> Iterator[None]:
    """Run the body with a deadline ``RESERVE_MS`` before the invocation ends.

    Raises:
        DeadlineExceeded: In the body, when the deadline passes (at once if it already has).
    """
    left = remaining_ms(context)
    if left is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    budget = left - RESERVE_MS
    if budget <= 0:
        raise DeadlineExceeded(max(budget, 0))

    def fire(signum: int, frame: Any) -> None:
        raise DeadlineExceeded(budget)

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, budget / 1000)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
