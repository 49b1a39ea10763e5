"""Periodic work of the course tree."""

from __future__ import annotations

from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def publish_scheduled_pages() -> None:
    """Publish course pages whose scheduled time has come (Wagtail's own command).

    Safe to run twice: a page already published is no longer scheduled.
    """
    call_command("publish_scheduled", verbosity=0)


@shared_task(acks_late=True)
def reconcile_completions(hours: int = 48) -> int:
    """Record lesson and course completions earned by attempts passed in the last
    ``hours`` whose in-process follow-up did not run (see
    ``learning.services.completions_reconcile``). Safe to run any number of times."""
    import datetime as dt

    from django.utils import timezone

    from .services import completions_reconcile

    return completions_reconcile(since=timezone.now() - dt.timedelta(hours=hours))
