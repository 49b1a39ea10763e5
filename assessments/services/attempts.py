"""Attempt services: start, save (sequence-checked), check, submit, close overdue.

Guarantees:
- an acknowledged save is committed together with the new sequence number; a post
  carrying an older sequence number is refused and changes nothing;
- an attempt finishes exactly once, however many submits arrive (a conditional
  UPDATE on the status is the gate, which holds on SQLite and PostgreSQL);
- the deadline is the server's: saves after it are refused and overdue attempts
  are closed by ``attempt_close_overdue`` according to the quiz's policy.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from collections import OrderedDict, namedtuple
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from config.batch import run_isolated

from .. import grading, sql
from ..errors import AssessmentError
from ..models import Attempt, AttemptItem, Category, Question, Quiz, Response
from ..pools import exam_question_ids
from ..signals import attempt_finished
from .questions import question_current_versions

if TYPE_CHECKING:
    from django.contrib.auth.models import User

STALE = "stale"
# How many times a submit re-reads and re-marks when saves keep landing in between.
FINISH_ROUNDS = 20
# The largest values the sequence and position columns hold on every database.
MAX_SEQ = 2**31 - 1
MAX_POSITION = 2**15 - 1
MAX_ID = sql.MAX_ID


def _draw_pool(slot) -> list[Question]:
    questions = Question.objects.filter(active=True)
    if slot.draw_category_id:
        root = slot.draw_category
        questions = questions.filter(
            Q(category=root) | Q(category__path__startswith=root.path + "/")
        )
    if slot.draw_indicator_id:
        questions = questions.filter(indicators=slot.draw_indicator_id)
    if slot.draw_business_line_id:
        questions = questions.filter(business_lines=slot.draw_business_line_id)
    return list(questions.distinct())


def quiz_question_list(
    quiz: Quiz, rng: random.Random, cache: dict | None = None
) -> list[tuple[int, Question]]:
    """(slot position, question) pairs for a new attempt, in the order shown.

    ``cache`` (optional, for bulk generation) keeps slots and draw pools between calls.
    """
    chosen: list[tuple[int, Question]] = []
    seen: set[int] = set()
    cache = {} if cache is None else cache
    key = ("slots", quiz.pk)
    if key not in cache:
        cache[key] = list(quiz.slots.select_related("question", "draw_category"))
    slots = cache[key]
    if not quiz.exam_paper:
        # A practice quiz never shows an exam's questions (see assessments.pools),
        # even one that reached its pool after the quiz was saved.
        if "exam_pool" not in cache:
            cache["exam_pool"] = exam_question_ids()
        seen = set(cache["exam_pool"])
    for position, slot in enumerate(slots, start=1):
        if slot.question_id:
            if slot.question_id not in seen and slot.question.active:
                chosen.append((position, slot.question))
                seen.add(slot.question_id)
            continue
        if ("pool", slot.pk) not in cache:
            cache[("pool", slot.pk)] = _draw_pool(slot)
        pool = [q for q in cache[("pool", slot.pk)] if q.pk not in seen]
        rng.shuffle(pool)
        for question in pool[: slot.draw_count]:
            chosen.append((position, question))
            seen.add(question.pk)
    if not slots and quiz.category_id:
        root = quiz.category
        pool = Question.objects.filter(active=True).filter(
            Q(category=root) | Q(category__path__startswith=root.path + "/")
        )
        chosen = [(0, q) for q in pool.order_by("code") if q.pk not in seen]
    if quiz.random_order:
        rng.shuffle(chosen)
    if quiz.max_questions:
        if not quiz.random_order:
            # Draw N at random but keep the authored order among those drawn.
            keep = set(
                rng.sample(range(len(chosen)), min(quiz.max_questions, len(chosen)))
            )
            chosen = [c for i, c in enumerate(chosen) if i in keep]
        chosen = chosen[: quiz.max_questions]
    return chosen


def _option_keys(data: dict, rng: random.Random) -> list[str]:
    options = list(data.get("options") or [])
    if data.get("option_order") == "alphabetical":
        options.sort(key=lambda o: o["text"])
    elif data.get("option_order") == "random":
        rng.shuffle(options)
    return [o["key"] for o in options]


def attempts_remaining(quiz: Quiz, used: int) -> int | None:
    limit = 1 if quiz.single_attempt else quiz.attempts_allowed
    return None if not limit else max(0, limit - used)


def quiz_availability_error(
    quiz: Quiz, *, now: dt.datetime, preview: bool
) -> str | None:
    """Why a quiz cannot be started now (a translated message), or None."""
    if quiz.draft and not preview:
        return _("This quiz is not published yet.")
    if quiz.open_at and now < quiz.open_at and not preview:
        return _("This quiz is not open yet.")
    if quiz.close_at and now >= quiz.close_at and not preview:
        return _("This quiz has closed.")
    return None


def attempt_start(
    *, user: User, quiz: Quiz, preview: bool = False, now: dt.datetime | None = None
) -> Attempt:
    """Resume the user's unfinished attempt, or start a new one if the rules allow.

    A start is lean (it runs for every learner when a whole office begins an exam at
    once): one aggregate over the learner's earlier attempts, the slots with their
    questions' current versions in one query, and the writes. On PostgreSQL the
    attempt, its items and their empty responses are one statement, atomic by itself;
    the unique attempt number decides between two tabs starting at once.
    """
    now = now or timezone.now()
    seen = sql.attempts_seen(
        user_id=user.pk, quiz_id=quiz.pk, open_status=Attempt.Status.IN_PROGRESS
    )
    if seen["open_id"]:
        open_attempt = (
            Attempt.objects.filter(
                user=user, quiz=quiz, status=Attempt.Status.IN_PROGRESS
            )
            .order_by("-number")
            .first()
        )
        if open_attempt:
            return open_attempt
    problem = quiz_availability_error(quiz, now=now, preview=preview)
    if problem:
        raise AssessmentError(problem, code="unavailable")
    if not preview and attempts_remaining(quiz, seen["used"]) == 0:
        raise AssessmentError(_("You have used all your attempts at this quiz."))
    rng = random.Random()
    slots, versions = sql.slots_with_versions(quiz)
    questions = quiz_question_list(quiz, rng, cache={("slots", quiz.pk): slots})
    if not questions:
        raise AssessmentError(
            _("This quiz has no questions yet. Please tell the training office."),
            code="empty",
        )
    deadline = None
    if quiz.time_limit_minutes:
        extra = quiz.extra_times.filter(user=user).values_list("minutes", flat=True)
        minutes = quiz.time_limit_minutes + sum(extra)
        deadline = now + dt.timedelta(minutes=minutes)
    if quiz.close_at and (deadline is None or deadline > quiz.close_at):
        deadline = quiz.close_at if not preview else deadline
    drawn = [q for _p, q in questions if q.pk not in versions]
    if drawn:
        versions.update(question_current_versions(questions=drawn))
    items = []
    for position, (slot_position, question) in enumerate(questions, start=1):
        version = versions[question.pk]
        items.append(
            AttemptItem(
                position=position,
                question=question,
                version=version,
                slot_position=slot_position,
                points=Decimal(version.data["points"]),
                option_keys=_option_keys(version.data, rng),
            )
        )
    number = (seen["number"] or 0) + 1
    attempt = Attempt(
        user=user,
        quiz=quiz,
        number=number,
        deadline=deadline,
        preview=preview,
        counted=not preview,
        max_score=sum((item.points for item in items), Decimal(0)),
    )
    if not _insert_attempt(attempt, items, now):
        # Two tabs started at once: the other one won; resume its attempt.
        return Attempt.objects.get(user=user, quiz=quiz, number=number)
    return attempt


def _clean_answer(data: dict, item: AttemptItem, raw) -> dict:
    """Validate a posted answer against the question shown; refuses unknown keys."""
    kind = data["type"]
    if raw is None:
        return {}
    if kind in ("single", "multiple"):
        keys = raw.get("keys", []) if isinstance(raw, dict) else raw
        if isinstance(keys, str):
            keys = [keys]
        keys = [str(k) for k in keys if k]
        if any(k not in item.option_keys for k in keys):
            raise AssessmentError(_("That option is not part of this question."))
        if kind == "single" and len(keys) > 1:
            raise AssessmentError(_("Choose only one option."))
        return {"keys": keys} if keys else {}
    if kind == "true_false":
        value = raw.get("value") if isinstance(raw, dict) else raw
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            value = value.lower() in ("true", "1", "yes")
        return {"value": bool(value)}
    text = raw.get("text", "") if isinstance(raw, dict) else str(raw)
    text = str(text)[:20000]
    if kind == "numeric":
        number = grading.read_number(text)
        if number is not None and not grading.in_range(number):
            raise AssessmentError(
                _(
                    "This number cannot be marked: enter a number with at most 15 "
                    "digits before the decimal point."
                ),
                code="out_of_range",
            )
    return {"text": text} if text.strip() else {}


def _stale() -> AssessmentError:
    return AssessmentError(
        _(
            "This page is out of date: your answers were saved from another page "
            "or tab. Reload the page to see the latest answers."
        ),
        code=STALE,
    )


def _gate_problem(attempt_id: int, user, seq: int, now) -> AssessmentError | None:
    """Why a save carrying ``seq`` is refused now, or None if it would be accepted."""
    attempt = Attempt.objects.filter(pk=attempt_id, user=user).first()
    if attempt is None:
        return AssessmentError(_("Attempt not found."), code="not_found")
    if attempt.status != Attempt.Status.IN_PROGRESS:
        return AssessmentError(
            _("This attempt has already been submitted."), code="finished"
        )
    if attempt.deadline and now >= attempt.deadline:
        return AssessmentError(
            _("Time is up: answers can no longer be changed."), code="time_up"
        )
    return _stale() if attempt.seq != seq else None


# The hot statements of a quiz storm, written as plain SQL: the ORM's compilation of
# a conditional UPDATE and of bulk_update's CASE expressions cost more CPU than the
# database work itself when hundreds of learners save at once.

# What a save needs to know of each item it writes, read without building models.
_Shown = namedtuple(
    "_Shown",
    "position id checked_at flagged option_keys version__data response_id",
)

# What never changes in an attempt once it has started (which item and response sit
# at each position, the options and the question's type), kept per worker for the
# attempts it has saved lately: an autosave then writes without reading first. The
# answer-save figure of docs/performance.md (0.65-0.72 of a bare write with the read)
# is why. What may change (an item checked, flags) is never kept: the gated write
# checks it (``sql.save_gated(verify=True)``) together with the ids used, and any
# refusal is answered by the full path, which reads everything afresh.
_Known = namedtuple("_Known", "position id option_keys kind response_id")
KNOWN_ATTEMPTS = 2000
_known: OrderedDict[int, tuple[int, dict[int, _Known]]] = OrderedDict()
_known_lock = threading.Lock()


def _known_items(attempt_id: int, user_id: int) -> dict[int, _Known] | None:
    with _known_lock:
        entry = _known.get(attempt_id)
        if entry is not None and entry[0] == user_id:
            _known.move_to_end(attempt_id)
            return entry[1]
    rows = sql.items_known(attempt_id=attempt_id, user_id=user_id)
    if not rows:
        return None
    items = {row[0]: _Known(*row) for row in rows}
    with _known_lock:
        _known[attempt_id] = (user_id, items)
        while len(_known) > KNOWN_ATTEMPTS:
            _known.popitem(last=False)
    return items


def _forget_known(attempt_id: int) -> None:
    with _known_lock:
        _known.pop(attempt_id, None)


def _cleaned(
    answers: dict[int, object], items: dict, data_of
) -> list[tuple[int, dict]]:
    """(response id, answer as stored) for each posted answer, checked against the
    item at its position (``data_of(item)`` gives the question's data, or at least
    its type); AssessmentError for an answer the question refuses."""
    written = []
    for position, raw in answers.items():
        item = items[int(position)]
        answer = _clean_answer(data_of(item), item, raw)
        written.append((item.response_id, answer))
    return written


def _save_known(
    attempt_id: int,
    user_id: int,
    seq: int,
    now,
    answers: dict[int, object],
    flags: dict[int, bool],
) -> bool:
    """The autosave without a read before the write (PostgreSQL): True when saved,
    False when the full path must decide (nothing has been written)."""
    items = _known_items(attempt_id, user_id)
    if items is None or any(int(p) not in items for p in [*answers, *flags]):
        return False
    try:
        written = _cleaned(answers, items, lambda item: {"type": item.kind})
    except AssessmentError:
        return False
    flagged = [(items[int(p)].id, bool(v)) for p, v in flags.items()]
    if sql.save_gated(attempt_id, user_id, seq, now, written, flagged, verify=True):
        return True
    _forget_known(attempt_id)
    return False


def _insert_attempt(attempt: Attempt, items: list[AttemptItem], now) -> bool:
    """Insert the attempt, its items and their empty responses, all or nothing.

    Returns False (and writes nothing) when the learner's attempt of that number
    exists already.
    """
    if connection.vendor != "postgresql":
        try:
            with transaction.atomic():
                attempt.save(force_insert=True)
                for item in items:
                    item.attempt = attempt
                AttemptItem.objects.bulk_create(items)
                if not connection.features.can_return_rows_from_bulk_insert:
                    items = list(AttemptItem.objects.filter(attempt=attempt).only("id"))
                Response.objects.bulk_create(
                    Response(item=item, saved_at=now) for item in items
                )
        except IntegrityError:
            return False
        return True
    new_id = sql.attempt_insert(attempt, items, now)
    if new_id is None:
        return False
    attempt.pk = new_id
    attempt._state.adding = False
    attempt._state.db = connection.alias
    return True


def _save_gated(
    attempt_id: int,
    user_id: int,
    seq: int,
    now,
    written: list[tuple[int, dict]],
    flagged: list[tuple[int, bool]],
) -> bool:
    """Pass the gate and store answers and flags, all or nothing; False if refused.

    On PostgreSQL one statement: the answers and flags are written only through the
    row the gate updated, so a refused save writes nothing.
    """
    if connection.vendor != "postgresql":
        with transaction.atomic():
            if not sql.seq_advance(attempt_id, user_id, seq, now):
                return False
            if written:
                Response.objects.bulk_update(
                    [
                        Response(pk=pk, answer=a, seq=seq + 1, saved_at=now)
                        for pk, a in written
                    ],
                    ["answer", "seq", "saved_at"],
                )
            if flagged:
                AttemptItem.objects.bulk_update(
                    [AttemptItem(pk=pk, flagged=f) for pk, f in flagged], ["flagged"]
                )
        return True
    return sql.save_gated(attempt_id, user_id, seq, now, written, flagged)


def _finish_gated(attempt: Attempt, seq: int, marks: list[tuple]) -> bool:
    """Move the attempt out of "in progress" with its totals and store the marks.

    The gate is the status and the sequence number read with the answers that were
    marked: only one caller wins, and never with answers a later save replaced.
    ``marks`` are (response id, fraction, score, needs_marking) rows. On PostgreSQL
    one statement; elsewhere one transaction.
    """
    finish = {
        "status": attempt.status,
        "finished_at": attempt.finished_at,
        "ending": attempt.ending,
        "counted": attempt.counted,
        "score": attempt.score,
        "score_percent": attempt.score_percent,
        "passed": attempt.passed,
    }
    if connection.vendor != "postgresql":
        with transaction.atomic():
            won = Attempt.objects.filter(
                pk=attempt.pk, status=Attempt.Status.IN_PROGRESS, seq=seq
            ).update(seq=F("seq") + 1, **finish)
            if won and marks:
                Response.objects.bulk_update(
                    [
                        Response(pk=pk, fraction=f, score=sc, needs_marking=n)
                        for pk, f, sc, n in marks
                    ],
                    ["fraction", "score", "needs_marking"],
                )
        return bool(won)
    return sql.finish_gated(attempt.pk, seq, finish, marks)


def attempt_save(
    *,
    attempt_id: int,
    user: User,
    seq: int,
    answers: dict[int, object] | None = None,
    flags: dict[int, bool] | None = None,
    now: dt.datetime | None = None,
) -> int:
    """Save answers (by item position) and flags; returns the new sequence number.

    Refused (AssessmentError, nothing written) when ``seq`` is not the attempt's
    current sequence number, after the deadline, or once the attempt is finished.

    The items are read before the gate: what a save checks of them (which item sits
    at a position, its options, whether it is checked or flagged) changes only
    together with the sequence number, so a gate that passes on ``seq`` proves the
    read current.
    """
    now = now or timezone.now()
    answers = answers or {}
    flags = flags or {}
    positions = {int(p) for p in answers} | {int(p) for p in flags}
    # The hot reads and the gate are plain SQL: a number the columns cannot hold
    # would raise in the driver (a 500) instead of simply matching nothing.
    if not 0 < attempt_id <= MAX_ID:
        raise AssessmentError(_("Attempt not found."), code="not_found")
    if not 0 <= seq <= MAX_SEQ:
        raise _gate_problem(attempt_id, user, 0, now) or _stale()
    if any(not 0 <= p <= MAX_POSITION for p in positions):
        raise _gate_problem(attempt_id, user, seq, now) or AssessmentError(
            _("That question is not part of this attempt.")
        )
    if (
        positions
        and connection.vendor == "postgresql"
        and _save_known(attempt_id, user.pk, seq, now, answers, flags)
    ):
        return seq + 1
    items = (
        {
            row[0]: _Shown(*row)
            for row in sql.items_for_saving(
                attempt_id=attempt_id, user_id=user.pk, positions=positions
            )
        }
        if positions
        else {}
    )
    for position in answers:
        item = items.get(int(position))
        if item is None or item.checked_at:
            raise _gate_problem(attempt_id, user, seq, now) or AssessmentError(
                _("That question is not part of this attempt.")
                if item is None
                else _("This question has been checked and is locked.")
            )
    try:
        written = _cleaned(answers, items, lambda item: item.version__data)
    except AssessmentError as error:
        raise _gate_problem(attempt_id, user, seq, now) or error from None
    flagged = [
        (items[int(p)].id, bool(v))
        for p, v in flags.items()
        if int(p) in items and items[int(p)].flagged != bool(v)
    ]
    if not _save_gated(attempt_id, user.pk, seq, now, written, flagged):
        raise _gate_problem(attempt_id, user, seq, now) or _stale()
    return seq + 1


def _mark(data: dict, answer: dict, points: Decimal):
    """(fraction, score, needs_marking) of one answer to the version ``data``."""
    fraction = grading.fraction_for(data, answer)
    if fraction is None:
        answered = grading.is_answered(data, answer)
        zero = None if answered else Decimal(0)
        return zero, zero, answered
    return fraction, (fraction * points).quantize(Decimal("0.001")), False


def _grade_response(response: Response, item: AttemptItem) -> None:
    response.fraction, response.score, response.needs_marking = _mark(
        item.version.data, response.answer, item.points
    )


@transaction.atomic
def attempt_check_item(
    *,
    attempt_id: int,
    user: User,
    position: int,
    seq: int,
    now: dt.datetime | None = None,
) -> int:
    """Immediate-feedback quizzes: mark one item now and lock it. Returns the new seq."""
    now = now or timezone.now()
    new_seq = attempt_save(attempt_id=attempt_id, user=user, seq=seq, now=now)
    item = AttemptItem.objects.select_related("version", "attempt__quiz").get(
        attempt_id=attempt_id, position=position
    )
    if item.attempt.quiz.feedback_mode != Quiz.FeedbackMode.IMMEDIATE:
        raise AssessmentError(_("This quiz gives feedback at the end."))
    if item.checked_at is None:
        response = item.response
        if not grading.is_answered(item.version.data, response.answer):
            # Checking an empty answer would lock the question and show its answer.
            raise AssessmentError(
                _("Answer the question before checking it."), code="unanswered"
            )
        _grade_response(response, item)
        response.save(update_fields=["fraction", "score", "needs_marking"])
        AttemptItem.objects.filter(pk=item.pk).update(checked_at=now)
    return new_seq


def attempt_recompute(attempt: Attempt) -> Attempt:
    """Totals, percentage, pass/fail and status from the responses' marks."""
    rows = Response.objects.filter(item__attempt=attempt)
    waiting = rows.filter(needs_marking=True).exists()
    total = rows.aggregate(s=Sum("score"))["s"] or Decimal(0)
    _apply_totals(attempt, total, waiting)
    attempt.save(update_fields=["score", "score_percent", "status", "passed"])
    return attempt


def _apply_totals(attempt: Attempt, total, waiting: bool) -> None:
    attempt.score = Decimal(total).quantize(Decimal("0.01"))
    maximum = attempt.max_score or Decimal(0)
    percent = max(Decimal(0), attempt.score) * 100 / maximum if maximum else Decimal(0)
    attempt.score_percent = min(Decimal(100), percent).quantize(Decimal("0.01"))
    if waiting:
        attempt.status = Attempt.Status.AWAITING_MARKING
        attempt.passed = None
    else:
        attempt.status = Attempt.Status.FINISHED
        attempt.passed = (
            attempt.counted and attempt.score_percent >= attempt.quiz.pass_mark
        )


def _announce(attempt: Attempt) -> None:
    if attempt.status == Attempt.Status.FINISHED:
        transaction.on_commit(
            lambda: attempt_finished.send(sender=Attempt, attempt=attempt)
        )


def _ending_for(attempt: Attempt, quiz: Quiz, now, automatic: bool) -> str | None:
    """How the attempt ends now, or None if a learner's submit comes too late to count."""
    if attempt.deadline is None or now <= attempt.deadline:
        return Attempt.Ending.AUTO if automatic else Attempt.Ending.SUBMITTED
    if quiz.overdue_policy == Quiz.OverduePolicy.AUTOSUBMIT:
        return Attempt.Ending.AUTO
    if quiz.overdue_policy == Quiz.OverduePolicy.GRACE:
        grace_end = attempt.deadline + dt.timedelta(minutes=quiz.grace_minutes)
        if now <= grace_end and not automatic:
            return Attempt.Ending.SUBMITTED
    return Attempt.Ending.OVERDUE


def attempt_submit(
    *,
    attempt_id: int,
    user: User | None = None,
    now: dt.datetime | None = None,
    automatic: bool = False,
) -> Attempt:
    """Finish an attempt exactly once and mark it; later calls return it unchanged.

    Optimistic: the attempt and its answers are read without a lock and the finish
    is gated on the sequence number read with them; a save that lands in between
    makes the gate fail and the answers are read and marked again.
    """
    now = now or timezone.now()
    if not 0 < attempt_id <= MAX_ID:
        raise AssessmentError(_("Attempt not found."), code="not_found")
    for _round in range(FINISH_ROUNDS):
        attempt = sql.attempt_with_quiz(
            attempt_id=attempt_id, user_id=None if user is None else user.pk
        )
        if attempt is None:
            raise AssessmentError(_("Attempt not found."), code="not_found")
        if attempt.status != Attempt.Status.IN_PROGRESS:
            return attempt
        quiz = attempt.quiz
        ending = _ending_for(attempt, quiz, now, automatic)
        if automatic and quiz.overdue_policy == Quiz.OverduePolicy.GRACE:
            grace_end = (attempt.deadline or now) + dt.timedelta(
                minutes=quiz.grace_minutes
            )
            if now <= grace_end:
                return attempt
        # Mark every item not already checked, from plain rows (no model building).
        marks = []
        for (
            checked_at,
            points,
            data,
            pk,
            answer,
            score,
            fraction,
            needs,
        ) in sql.items_for_marking(attempt.pk):
            if checked_at is None:
                fraction, score, needs = _mark(data, answer, points)
            marks.append((pk, fraction, score, needs))
        seq = attempt.seq
        attempt.counted = ending != Attempt.Ending.OVERDUE and not attempt.preview
        attempt.finished_at = now
        attempt.ending = ending  # type: ignore[assignment]
        _apply_totals(
            attempt,
            sum((m[2] for m in marks if m[2] is not None), Decimal(0)),
            any(m[3] for m in marks),
        )
        if _finish_gated(attempt, seq, marks):
            attempt.seq = seq + 1
            _announce(attempt)
            return attempt
    # Saves kept landing between the read and the gate: let the learner try again.
    raise _stale()


def attempt_close_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Close every open attempt past its deadline (and grace period).

    Returns ``{"closed": n, "failed": m}``. Each attempt is closed on its own: one
    that raises is logged and counted, and the others are still closed.
    """
    now = now or timezone.now()
    candidates = list(
        Attempt.objects.filter(status=Attempt.Status.IN_PROGRESS, deadline__lte=now)
        .select_related("quiz")
        .only("id", "deadline", "quiz__overdue_policy", "quiz__grace_minutes")
    )
    closed = 0

    def close(attempt: Attempt) -> None:
        nonlocal closed
        quiz = attempt.quiz
        if quiz.overdue_policy == Quiz.OverduePolicy.GRACE:
            if now <= attempt.deadline + dt.timedelta(minutes=quiz.grace_minutes):  # type: ignore[operator]
                return
        result = attempt_submit(attempt_id=attempt.pk, now=now, automatic=True)
        closed += result.status != Attempt.Status.IN_PROGRESS

    outcome = run_isolated(
        candidates, close, what="closing an overdue attempt", label=lambda a: a.pk
    )
    return {"closed": closed, "failed": outcome.failed}


__all__ = [
    "attempt_start",
    "attempt_save",
    "attempt_check_item",
    "attempt_submit",
    "attempt_close_overdue",
    "attempt_recompute",
    "Category",
]
