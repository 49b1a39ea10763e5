"""Celery tasks of the integration API."""

from __future__ import annotations

from celery import shared_task

from .lrs import LrsUnavailable, lrs_push


@shared_task(
    bind=True,
    autoretry_for=(LrsUnavailable,),
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=12,
)
def lrs_push_statements(self) -> int:
    """Deliver new xAPI statements to the configured LRS (safe to run twice: the
    mark only moves after the LRS acknowledges, and the LRS drops known ids)."""
    return lrs_push()
