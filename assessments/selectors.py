"""Selectors of the assessment engine (they read).

Learner-facing reads are scoped to the learner; marking reads are scoped by
``organisation.permissions.trainer_scope_paths``. ``scored_response_records`` and
``question_indicator_pairs`` feed the insights app's mastery analytics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from organisation.permissions import ALL, trainer_scope_paths

from . import sql
from .models import (
    Attempt,
    AttemptItem,
    Category,
    ExternalResult,
    Question,
    Quiz,
    Response,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FINAL = [Attempt.Status.FINISHED]
SUBMITTED = [Attempt.Status.FINISHED, Attempt.Status.AWAITING_MARKING]


def quiz_get(*, slug: str) -> Quiz | None:
    """The quiz at ``slug`` (drafts included: the caller decides who may see them)."""
    return sql.quiz_by_slug(slug)


def _graded_attempts(
    *, user, quiz: Quiz, since: dt.datetime | None = None
) -> QuerySet[Attempt]:
    attempts = Attempt.objects.filter(
        user=user,
        quiz=quiz,
        status=Attempt.Status.FINISHED,
        counted=True,
        preview=False,
    )
    if since is not None:
        attempts = attempts.filter(finished_at__gte=since)
    return attempts


def quiz_grade(
    *, user: User, quiz: Quiz, since: dt.datetime | None = None
) -> Decimal | None:
    """The user's grade (percent) for a quiz by its grading method; None if none counts.

    With ``since``, only attempts finished then or later count (a course whose
    material change named the quiz asks for it to be passed again)."""
    scores = list(
        _graded_attempts(user=user, quiz=quiz, since=since)
        .order_by("number")
        .values_list("score_percent", flat=True)
    )
    if not scores:
        return None
    method = quiz.grading_method
    if method == Quiz.GradingMethod.FIRST:
        return scores[0]
    if method == Quiz.GradingMethod.LAST:
        return scores[-1]
    if method == Quiz.GradingMethod.AVERAGE:
        return (sum(scores, Decimal(0)) / len(scores)).quantize(Decimal("0.01"))  # type: ignore[operator, type-var, union-attr]
    return max(scores)  # type: ignore[type-var]


def quiz_passed(*, user: User, quiz: Quiz, since: dt.datetime | None = None) -> bool:
    """True when the user's grade by the quiz's grading method reaches the pass mark
    (counting attempts finished at ``since`` or later, when given)."""
    if not getattr(user, "is_authenticated", False):
        return False
    grade = quiz_grade(user=user, quiz=quiz, since=since)
    return grade is not None and grade >= quiz.pass_mark


def quizzes_open_for(*, user: User, now: dt.datetime | None = None) -> QuerySet[Quiz]:
    now = now or timezone.now()
    return (
        Quiz.objects.filter(draft=False)
        .filter(Q(open_at__isnull=True) | Q(open_at__lte=now))
        .filter(Q(close_at__isnull=True) | Q(close_at__gt=now))
        .order_by("title")
    )


def attempts_of(*, user: User) -> QuerySet[Attempt]:
    return (
        Attempt.objects.filter(user=user, preview=False)
        .select_related("quiz")
        .order_by("-started_at")
    )


def attempt_get_for_learner(*, user: User, attempt_id: int) -> Attempt | None:
    # Plain SQL (assessments.sql): every page of an attempt reads it. A number
    # beyond the column's range matches nothing, as the ORM's lookup would.
    if not 0 < attempt_id <= sql.MAX_ID:
        return None
    return sql.attempt_with_quiz(attempt_id=attempt_id, user_id=user.pk)


def attempt_page_for_learner(
    *, user: User, attempt_id: int, version_at: int
) -> tuple[Attempt | None, list[AttemptItem]]:
    """``attempt_get_for_learner`` and ``attempt_items(version_at=…)`` in one read
    (the question page's)."""
    if not 0 < attempt_id <= sql.MAX_ID:
        return None, []
    attempt, items = sql.attempt_page_read(
        attempt_id=attempt_id, user_id=user.pk, version_at=version_at
    )
    for item in items:
        AttemptItem._meta.get_field("attempt").set_cached_value(item, attempt)
    return attempt, items


def attempt_items(
    *, attempt: Attempt, version_at: int | None = None
) -> list[AttemptItem]:
    """The attempt's items in order, each with its response and its version (with
    ``version_at``, only the item at that position: the others read theirs when
    asked)."""
    items = sql.items_with_versions(attempt.pk, version_at=version_at)
    for item in items:
        AttemptItem._meta.get_field("attempt").set_cached_value(item, attempt)
    return items


def category_progress(*, user: User) -> list[dict]:
    """Lifetime results per category and sub-category, computed from responses.

    Each row: ``{"category_id", "path", "depth", "score", "max", "percent", "answered"}``;
    a category's figures include its sub-categories.
    """
    rows = (
        Response.objects.filter(
            item__attempt__user=user,
            item__attempt__status=Attempt.Status.FINISHED,
            item__attempt__preview=False,
            score__isnull=False,
        )
        .values("item__question__category_id", "item__question__category__path")
        .annotate(score=Sum("score"), max=Sum("item__points"), answered=Count("id"))
    )
    totals: dict[str, dict] = {}
    for row in rows:
        path = row["item__question__category__path"]
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            key = "/".join(parts[:depth])
            entry = totals.setdefault(
                key,
                {
                    "path": key,
                    "name": parts[depth - 1],
                    "depth": depth - 1,
                    "score": Decimal(0),
                    "max": Decimal(0),
                    "answered": 0,
                },
            )
            entry["score"] += row["score"] or 0
            entry["max"] += row["max"] or 0
            entry["answered"] += row["answered"]
    result = []
    for key in sorted(totals):
        entry = totals[key]
        entry["percent"] = (
            round(float(max(entry["score"], 0) * 100 / entry["max"]), 1)
            if entry["max"]
            else 0.0
        )
        result.append(entry)
    return result


def categories_with_progress(
    *, user: User, now: dt.datetime | None = None
) -> list[dict]:
    """Every category, each with the learner's lifetime progress (0% where nothing
    is answered yet) and the number of quizzes open in it and its sub-categories.

    Rows are ``category_progress`` rows plus ``category_id`` and ``quizzes``, in
    tree order. Three queries whatever the size of the bank.
    """
    progress = {row["path"]: row for row in category_progress(user=user)}
    open_by_category = dict(
        quizzes_open_for(user=user, now=now)
        .filter(category__isnull=False)
        .values_list("category__path")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = []
    for category in Category.objects.order_by("path"):
        path = category.path
        row = progress.get(path) or {
            "path": path,
            "name": category.name,
            "depth": path.count("/"),
            "score": Decimal(0),
            "max": Decimal(0),
            "answered": 0,
            "percent": 0.0,
        }
        quizzes = sum(
            n
            for quiz_path, n in open_by_category.items()
            if quiz_path == path or quiz_path.startswith(path + "/")
        )
        rows.append({**row, "category_id": category.pk, "quizzes": quizzes})
    return rows


def category_quizzes(
    *, user: User, category: Category, now: dt.datetime | None = None
) -> QuerySet[Quiz]:
    """Quizzes open to the learner in a category and its sub-categories."""
    return quizzes_open_for(user=user, now=now).filter(
        Q(category__path=category.path)
        | Q(category__path__startswith=category.path + "/")
    )


def marking_queue(
    *, user: User, quiz_id: int | None = None, learner_q: str = ""
) -> QuerySet[Response]:
    """Responses awaiting marking from learners in the trainer's units."""
    responses = Response.objects.filter(
        needs_marking=True, item__attempt__status=Attempt.Status.AWAITING_MARKING
    )
    return _scope_responses(responses, user, quiz_id, learner_q).order_by(
        "item__attempt__finished_at", "item__position"
    )


def _scope_responses(responses, user, quiz_id, learner_q):
    paths = trainer_scope_paths(user)
    if paths is not ALL:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(item__attempt__user__profile__unit__path__startswith=path)
        responses = responses.filter(condition)
    if quiz_id:
        responses = responses.filter(item__attempt__quiz_id=quiz_id)
    if learner_q:
        responses = responses.filter(
            Q(item__attempt__user__profile__name__icontains=learner_q)
            | Q(item__attempt__user__profile__staff_no__iexact=learner_q)
            | Q(item__attempt__user__username__iexact=learner_q)
        )
    return responses.select_related(
        "item__version",
        "item__attempt__quiz",
        "item__attempt__user__profile__unit",
    )


def attempts_for_marker(
    *, user: User, quiz_id: int | None = None, learner_q: str = ""
) -> QuerySet[Attempt]:
    """Submitted attempts of learners in the trainer's units (for overriding marks)."""
    attempts = Attempt.objects.filter(status__in=SUBMITTED, preview=False)
    paths = trainer_scope_paths(user)
    if paths is not ALL:
        condition = Q(pk__in=[])
        for path in paths:
            condition |= Q(user__profile__unit__path__startswith=path)
        attempts = attempts.filter(condition)
    if quiz_id:
        attempts = attempts.filter(quiz_id=quiz_id)
    if learner_q:
        attempts = attempts.filter(
            Q(user__profile__name__icontains=learner_q)
            | Q(user__profile__staff_no__iexact=learner_q)
            | Q(user__username__iexact=learner_q)
        )
    return attempts.select_related("quiz", "user__profile__unit").order_by(
        "-finished_at"
    )


def response_get_for_marker(*, user: User, response_id: int) -> Response | None:
    return _scope_responses(
        Response.objects.filter(pk=response_id), user, None, ""
    ).first()


def scored_response_records() -> Iterator[dict]:
    """Every graded answer, for mastery analytics.

    Yields ``{"user_id", "question_id", "score", "points", "answered_on", "source"}``:
    ``score`` is the fraction (0–1) of the question's points, ``source`` is
    "platform" for finished attempts and "external" for ``import_results`` rows.
    """
    responses = (
        Response.objects.filter(
            item__attempt__status=Attempt.Status.FINISHED,
            item__attempt__preview=False,
            fraction__isnull=False,
        )
        .values_list(
            "item__attempt__user_id",
            "item__question_id",
            "fraction",
            "item__points",
            "item__attempt__finished_at",
        )
        .order_by()
    )
    tz = timezone.get_current_timezone()
    for user_id, question_id, fraction, points, finished in responses.iterator(
        chunk_size=5000
    ):
        yield {
            "user_id": user_id,
            "question_id": question_id,
            "score": float(max(Decimal(0), min(Decimal(1), fraction))),  # type: ignore[arg-type, type-var]
            "points": float(points),
            "answered_on": timezone.localtime(finished, tz).date()
            if finished
            else None,
            "source": "platform",
        }
    external = ExternalResult.objects.values_list(
        "user_id", "question_id", "score", "question__points", "answered_on"
    ).order_by()
    for user_id, question_id, score, points, answered_on in external.iterator(
        chunk_size=5000
    ):
        yield {
            "user_id": user_id,
            "question_id": question_id,
            "score": float(score),
            "points": float(points),
            "answered_on": answered_on,
            "source": "external",
        }


def question_indicator_pairs() -> Iterator[dict]:
    """``{"question_id", "indicator_code"}`` for every indicator tag of every question."""
    pairs = Question.indicators.through.objects.values_list(
        "question_id", "indicator__code"
    ).order_by()
    for question_id, code in pairs.iterator(chunk_size=5000):
        yield {"question_id": question_id, "indicator_code": code}


def attempts_for_statistics(*, quiz: Quiz) -> list[int]:
    """Attempt ids the item statistics use: by the quiz's grading method, as Moodle does
    (highest → each person's highest-graded, first, last; average → all attempts)."""
    rows = list(
        Attempt.objects.filter(
            quiz=quiz, status=Attempt.Status.FINISHED, counted=True, preview=False
        )
        .order_by("user_id", "number")
        .values_list("pk", "user_id", "score_percent")
    )
    method = quiz.grading_method
    if method == Quiz.GradingMethod.AVERAGE:
        return [pk for pk, _u, _s in rows]
    chosen: dict[int, tuple[int, Decimal]] = {}
    for pk, user_id, score in rows:
        current = chosen.get(user_id)
        if (
            current is None
            or method == Quiz.GradingMethod.LAST
            or (method == Quiz.GradingMethod.HIGHEST and score > current[1])  # type: ignore[operator]
        ):
            chosen[user_id] = (pk, score)  # type: ignore[assignment]
    return [pk for pk, _s in chosen.values()]


def item_mark_records(
    *, attempt_ids: list[int], draw_positions: set[int]
) -> list[dict]:
    """Rows for ``assessments.item_statistics`` (see its column list), plus chosen option keys."""
    from . import grading

    items = (
        AttemptItem.objects.filter(attempt_id__in=attempt_ids)
        .select_related("version", "response")
        .order_by("attempt_id", "slot_position", "position")
    )
    rows, counters, rgs_cache = [], {}, {}  # type: ignore[var-annotated]
    for item in items.iterator(chunk_size=2000):
        data = item.version.data
        slot_key = (item.attempt_id, item.slot_position)
        random_slot = item.slot_position == 0 or item.slot_position in draw_positions
        counters[slot_key] = counters.get(slot_key, 0) + 1
        slot = (
            f"{item.slot_position}.{counters[slot_key]}"
            if random_slot
            else str(item.slot_position)
        )
        if item.version_id not in rgs_cache:
            rgs = grading.random_guess_score(data)
            rgs_cache[item.version_id] = float(rgs) if rgs is not None else float("nan")
        score = item.response.score
        rows.append(
            {
                "attempt_id": item.attempt_id,
                "slot": slot,
                "question_id": item.question_id,
                "mark": float(score or 0),
                "max_mark": float(item.points),
                "random": random_slot,
                "rgs": rgs_cache[item.version_id],
                "keys": (item.response.answer or {}).get("keys") or [],
                "value": (item.response.answer or {}).get("value"),
            }
        )
    return rows
