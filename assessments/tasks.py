"""Celery tasks of the assessment engine: thin wrappers around services, safe to rerun."""

from __future__ import annotations

from celery import shared_task

from .models import Attempt, Quiz


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def close_overdue_attempts() -> int:
    """Close open attempts past their deadline according to each quiz's policy."""
    from .services import attempt_close_overdue

    return attempt_close_overdue()


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def compute_quiz_statistics(quiz_id: int) -> None:
    from .services.statistics import statistics_compute, statistics_compute_bank

    if Quiz.objects.filter(pk=quiz_id).exists():
        statistics_compute(quiz_id=quiz_id)
        statistics_compute_bank()


@shared_task
def compute_all_statistics() -> int:
    """Recompute every quiz with finished attempts, then the bank-wide figures."""
    from .services.statistics import statistics_compute, statistics_compute_bank

    quiz_ids = (
        Attempt.objects.filter(status=Attempt.Status.FINISHED)
        .values_list("quiz_id", flat=True)
        .distinct()
    )
    for quiz_id in quiz_ids:
        statistics_compute(quiz_id=quiz_id)
    statistics_compute_bank()
    return len(quiz_ids)
