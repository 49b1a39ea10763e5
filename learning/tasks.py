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
