"""Celery tasks: recompute the gap-analysis snapshots (after imports and nightly)."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from .models import AnalysisRun


@shared_task(bind=True, max_retries=3, default_retry_delay=60, acks_late=True)
def snapshots_recompute(self, run_id: int) -> str:
    """Recompute the periods of one AnalysisRun; safe to run twice (it overwrites)."""
    from . import services

    run = AnalysisRun.objects.filter(pk=run_id).first()
    if run is None:
        return "missing"
    if run.status == AnalysisRun.Status.DONE:
        return "done"
    try:
        run = services.snapshots_run(run)
    except services.InsightsError:
        return "failed"
    except Exception as exc:  # a database hiccup: try again later
        raise self.retry(exc=exc)
    return "failed" if run.status == AnalysisRun.Status.FAILED else "done"


@shared_task
def snapshots_nightly() -> int:
    """Recompute every period, so that new completions and answers are reflected."""
    from . import services

    with transaction.atomic():
        run = services.snapshots_schedule(periods=None)
    return run.pk
