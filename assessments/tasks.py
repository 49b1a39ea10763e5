"""Celery tasks of the assessment engine: thin wrappers around services, safe to rerun."""

from __future__ import annotations

from celery import shared_task
from django.core.cache import cache

from config.batch import run_isolated
from config.tasks import send

from .models import Attempt, Quiz

# Seconds between a submission and the recompute it triggers; submissions in between
# share that one recompute.
STATISTICS_DEBOUNCE = 300


@shared_task(autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=3)
def close_overdue_attempts() -> dict[str, int]:
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
def compute_all_statistics() -> dict[str, int]:
    """Recompute every quiz with finished attempts, then the bank-wide figures.

    One quiz whose figures cannot be computed is logged and counted; the others and
    the bank are still refreshed.
    """
    from .services.statistics import statistics_compute, statistics_compute_bank

    quiz_ids = list(
        Attempt.objects.filter(status=Attempt.Status.FINISHED)
        .values_list("quiz_id", flat=True)
        .distinct()
    )
    quizzes = run_isolated(
        quiz_ids,
        lambda quiz_id: statistics_compute(quiz_id=quiz_id),
        what="item statistics of a quiz",
    )
    bank = run_isolated(
        [None], lambda _: statistics_compute_bank(), what="bank figures"
    )
    return {"quizzes": quizzes.done, "failed": quizzes.failed + bank.failed}


def statistics_refresh_soon(quiz_id: int) -> bool:
    """After a submission: queue one recompute of the quiz's item statistics in a few
    minutes, unless one is already queued (a cache lock per quiz). True when queued.

    Only with a real broker: in-process (eager) mode would compute in the learner's
    request; the periodic beat task covers that case.
    """
    if compute_quiz_statistics.app.conf.task_always_eager:
        return False
    if not cache.add(f"assessments:statistics-due:{quiz_id}", 1, STATISTICS_DEBOUNCE):
        return False
    # A send the broker refuses is logged; the periodic recompute covers the quiz.
    return send(compute_quiz_statistics, quiz_id, countdown=STATISTICS_DEBOUNCE)


def on_attempt_finished(sender, attempt=None, **kwargs) -> None:
    if attempt is not None and not attempt.preview:
        statistics_refresh_soon(attempt.quiz_id)
