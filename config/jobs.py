"""Sending background jobs (exports, imports) without ever failing the request.

A job row is written first, with status ``queued``; its task is sent only after the
transaction commits (``config.tasks.send_on_commit``). If the broker refuses the
message, the person still gets their page: the row stays queued and the stale-job
sweep (``requeue_stale``) sends it again, a few times at most, then marks it failed
with a reason they can read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.models import Model, QuerySet
from django.utils import timezone

from config.tasks import send


def requeue_stale(
    queryset: QuerySet,
    *,
    task,
    args: Callable[[Model], tuple],
    fail: Callable[[QuerySet], int],
    now: dt.datetime | None = None,
) -> dict:
    """Send again every job of ``queryset`` (already filtered to ``queued``) that has
    waited JOB_STALE_MINUTES; after JOB_REQUEUE_LIMIT sends, call ``fail`` instead.

    The row is claimed with a conditional update before sending, so two sweeps running
    at once send each job once.
    """
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.JOB_STALE_MINUTES)
    stale = queryset.filter(queued_at__lt=cutoff)
    failed = fail(stale.filter(requeue_count__gte=settings.JOB_REQUEUE_LIMIT))
    sent = 0
    for job in stale.filter(requeue_count__lt=settings.JOB_REQUEUE_LIMIT):
        claimed = queryset.filter(
            pk=job.pk, queued_at=job.queued_at, requeue_count=job.requeue_count
        ).update(queued_at=now, requeue_count=job.requeue_count + 1)
        if claimed and send(task, *args(job)):
            sent += 1
    return {"requeued": sent, "failed": failed}
