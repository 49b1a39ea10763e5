"""Celery tasks for campaigns: thin wrappers over the services, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from . import notices, reminders, services


@shared_task
def sync_audiences() -> dict:
    """Nightly, and after each roster import: joiners in, leavers out."""
    return {
        code: list(change) for code, change in services.campaigns_sync_all().items()
    }


def _enqueue_pending() -> int:
    ids = reminders.pending_reminder_ids()
    for reminder_id in ids:
        transaction.on_commit(lambda rid=reminder_id: deliver_reminder.delay(rid))
    return len(ids)


@shared_task
def send_learner_reminders() -> int:
    """Daily: due in 7 days, due tomorrow, and (once per week) overdue."""
    reminders.plan_learner_reminders()
    return _enqueue_pending()


@shared_task
def send_leader_digests() -> int:
    """Weekly: each unit leader hears who in their subtree is overdue or not started."""
    reminders.plan_leader_digests()
    return _enqueue_pending()


@shared_task(bind=True, max_retries=reminders.MAX_ATTEMPTS - 1)
def deliver_reminder(self, reminder_id: int) -> bool:
    try:
        return reminders.reminder_deliver(reminder_id=reminder_id)
    except Exception as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries)


@shared_task
def notify_marked(attempt_id: int) -> bool:
    """After a marker finishes an attempt: a notice to the learner, once."""
    return notices.notification_marked(attempt_id=attempt_id)
