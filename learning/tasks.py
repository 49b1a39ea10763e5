"""Periodic work of the course tree."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def publish_scheduled_pages() -> dict[str, int]:
    """Unpublish expired pages and publish revisions whose go-live time has come.

    What Wagtail's ``publish_scheduled`` command does, one object at a time: a page
    that cannot be published is logged and counted, and the rest still go live.
    Safe to run twice: a page already published is no longer scheduled.
    """
    from django.apps import apps
    from django.utils import timezone
    from wagtail.models import DraftStateMixin, Page, Revision

    from config.batch import run_isolated

    now = timezone.now()
    models = [Page] + [
        m
        for m in apps.get_models()
        if issubclass(m, DraftStateMixin) and not issubclass(m, Page)
    ]
    expired = [
        obj
        for model in models
        for obj in model.objects.filter(live=True, expire_at__lt=now).order_by(
            "expire_at"
        )
    ]
    unpublished = run_isolated(
        expired,
        lambda obj: obj.unpublish(
            set_expired=True, log_action="wagtail.unpublish.scheduled"
        ),
        what="unpublishing an expired page",
        label=lambda obj: f"{type(obj).__name__} {obj.pk}",
    )
    due = list(
        Revision.objects.filter(approved_go_live_at__lt=now).order_by(
            "approved_go_live_at"
        )
    )
    published = run_isolated(
        due,
        lambda revision: revision.publish(log_action="wagtail.publish.scheduled"),
        what="publishing a scheduled revision",
        label=lambda revision: f"revision {revision.pk}",
    )
    return {
        "unpublished": unpublished.done,
        "published": published.done,
        "failed": unpublished.failed + published.failed,
    }


@shared_task(acks_late=True)
def reconcile_completions(hours: int = 48) -> int:
    """Record lesson and course completions earned by attempts passed in the last
    ``hours`` whose in-process follow-up did not run (see
    ``learning.services.completions_reconcile``). Safe to run any number of times."""
    import datetime as dt

    from django.utils import timezone

    from .services import completions_reconcile

    return completions_reconcile(since=timezone.now() - dt.timedelta(hours=hours))
