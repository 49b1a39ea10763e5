"""Writes for daily practice: the day's questions and the answers to them.

Guarantees: a person's practice day is chosen once and then stays the same (opening
the page again, in another tab or after a reload, shows the same questions); an
answer is marked once, and a replayed post never changes it or the schedule; only
questions of the practice pool are ever chosen (never one in an exam's pool).

How the day is chosen: first the questions the schedule says are due (the most
overdue first, then the weaker indicator), then — up to the day's minimum — new
questions: the person's own mistakes that are open to practice, then a draw weighted
toward the indicators where the person's own shrunk mastery is lowest.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessments import grading
from assessments.models import Question
from assessments.services import question_current_version

from . import selectors
from .errors import PracticeError
from .models import Card, PracticeAnswer
from .scheduler import card_review

DAY_MIN = 5
DAY_MAX = 10
# Even a fully mastered indicator keeps a small chance of being drawn.
WEIGHT_FLOOR = 0.05


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )


def _weakness(tags: list[str], mastery: selectors.OwnMastery) -> float:
    """How weak the person is on a question's indicators: 1 − the lowest mastery."""
    known = [mastery.of(code) for code in tags] or [mastery.overall]
    known = [m for m in known if m is not None]
    if not known:
        return 1.0
    return max(WEIGHT_FLOOR, 1.0 - min(known))


def _weighted_sample(
    candidates: list[int], weights: dict[int, float], k: int, rng: random.Random
) -> list[int]:
    """``k`` distinct questions, each drawn with chance proportional to its weight
    (Efraimidis–Spirakis keys: u^(1/w), largest first)."""
    keyed = sorted(
        candidates,
        key=lambda qid: rng.random() ** (1.0 / weights[qid]),
        reverse=True,
    )
    return keyed[:k]


def practice_choose(
    *, user: AbstractBaseUser, day: dt.date, pool: set[int]
) -> list[int]:
    """The question ids of the person's practice on ``day`` (not saved)."""
    if not pool:
        return []
    events = selectors.answer_events(user=user)
    mastery = selectors.own_mastery_from(events, user_id=user.pk)
    tags: dict[int, list[str]] = {qid: [] for qid in pool}
    for qid, code in Question.indicators.through.objects.filter(
        question_id__in=list(pool)
    ).values_list("question_id", "indicator__code"):
        tags[qid].append(code)
    weights = {qid: _weakness(codes, mastery) for qid, codes in tags.items()}
    cards = {
        c.question_id: c
        for c in Card.objects.filter(user=user, question_id__in=list(pool))
    }
    end = _end_of(day)
    due = sorted(
        (c for c in cards.values() if c.due < end),
        key=lambda c: (timezone.localdate(c.due), -weights[c.question_id], c.pk),
    )
    chosen = [c.question_id for c in due[:DAY_MAX]]
    missing = DAY_MIN - len(chosen)
    if missing <= 0:
        return chosen
    book = selectors.book_entries(events)
    mistakes = sorted(
        (qid for qid in book if qid in pool and qid not in cards),
        key=lambda qid: (-weights[qid], qid),
    )
    chosen += mistakes[:missing]
    missing = DAY_MIN - len(chosen)
    fresh = sorted(qid for qid in pool if qid not in cards and qid not in chosen)
    rng = random.Random(f"{user.pk}:{day.isoformat()}")
    chosen += _weighted_sample(fresh, weights, missing, rng) if missing > 0 else []
    return chosen


def _option_keys(data: dict, rng: random.Random) -> list[str]:
    options = list(data.get("options") or [])
    if data.get("option_order") == "alphabetical":
        options.sort(key=lambda o: o["text"])
    elif data.get("option_order") == "random":
        rng.shuffle(options)
    return [o["key"] for o in options]


def practice_day_start(
    *, user: AbstractBaseUser, now: dt.datetime | None = None
) -> list[PracticeAnswer]:
    """The person's practice for today, chosen now if it was not yet."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    existing = selectors.day_answers(user=user, day=day)
    if existing:
        return existing
    ids = practice_choose(user=user, day=day, pool=selectors.practice_pool_ids())
    if not ids:
        return []
    questions = Question.objects.in_bulk(ids)
    rng = random.Random(f"{user.pk}:{day.isoformat()}:options")
    rows = []
    for position, qid in enumerate(ids, start=1):
        version = question_current_version(question=questions[qid])
        rows.append(
            PracticeAnswer(
                user=user,
                question_id=qid,
                version=version,
                day=day,
                position=position,
                option_keys=_option_keys(version.data, rng),
                points=Decimal(str(version.data.get("points") or 1)),
            )
        )
    try:
        with transaction.atomic():
            PracticeAnswer.objects.bulk_create(rows)
    except IntegrityError:
        # Another tab chose the day at the same moment: its choice stands.
        pass
    return selectors.day_answers(user=user, day=day)


def _clean_answer(data: dict, row: PracticeAnswer, raw: list[str]) -> dict:
    """A posted answer checked against the question as shown."""
    kind = data["type"]
    values = [str(v) for v in raw if str(v).strip()]
    if kind in ("single", "multiple"):
        if any(key not in row.option_keys for key in values):
            raise PracticeError(_("That option is not part of this question."))
        if kind == "single" and len(values) > 1:
            raise PracticeError(_("Choose only one option."))
        return {"keys": values} if values else {}
    if kind == "true_false":
        return {"value": values[0].lower() == "true"} if values else {}
    text = (values[0] if values else "")[:2000]
    if kind == "numeric" and text.strip():
        number = grading.read_number(text)
        if number is not None and not grading.in_range(number):
            raise PracticeError(_("Enter a number with at most 15 whole digits."))
    return {"text": text} if text.strip() else {}


@transaction.atomic
def practice_answer_submit(
    *,
    user: AbstractBaseUser,
    answer_id: int,
    raw: list[str],
    now: dt.datetime | None = None,
) -> PracticeAnswer:
    """Mark the person's answer to one practice question and move its schedule.

    Raises :class:`PracticeError` (code ``not_found``) for a question that is not the
    person's own. A question already answered keeps its first answer.
    """
    now = now or timezone.now()
    row = (
        PracticeAnswer.objects.select_for_update()
        .select_related("version")
        .filter(user=user, pk=answer_id)
        .first()
    )
    if row is None:
        raise PracticeError(
            _("This practice question was not found."), code="not_found"
        )
    if row.answered_at is not None:
        return row
    data = row.version.data
    answer = _clean_answer(data, row, raw)
    if not grading.is_answered(data, answer):
        raise PracticeError(_("Choose or enter an answer first."), code="empty")
    fraction = grading.fraction_for(data, answer)
    row.answer = answer
    row.fraction = max(Decimal(0), fraction if fraction is not None else Decimal(0))
    row.answered_at = now
    row.save(update_fields=["answer", "fraction", "answered_at"])
    card, _created = Card.objects.select_for_update().get_or_create(
        user=user, question_id=row.question_id, defaults={"due": now}
    )
    card_review(card, fraction=row.fraction, now=now)
    card.save()
    return row
