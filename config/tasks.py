"""Sending Celery tasks from a request without letting the broker fail it.

A view stores its result first and queues follow-up work after the commit. When the
broker cannot be reached the stored result still stands, so the request must not
answer 500 because of it: ``send`` logs the failure and returns False. Every task
sent this way has a way to be picked up later — a periodic sweep in
``config/celery.py`` or a record left ``queued`` that is queued again — so a lost
send delays the work, it does not lose it.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

# One quick retry: a request should not wait seconds for a broker that is down.
RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}


def send(task, *args, countdown: float | None = None, **kwargs) -> bool:
    """Queue ``task(*args, **kwargs)``; False (logged) when the broker refused it."""
    options = {"retry_policy": RETRY_POLICY}
    if countdown is not None:
        options["countdown"] = countdown
    try:
        task.apply_async(args=args, kwargs=kwargs, **options)
    except Exception:
        # Whatever the broker raised (a refused connection, a timeout, a full
        # queue): the caller's data is stored; the sweep of this task picks it up.
        logger.exception("could not queue %s; it will be picked up later", task.name)
        return False
    return True


def send_on_commit(task, *args, **kwargs) -> None:
    """``send`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send, task, *args, **kwargs))
