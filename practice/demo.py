"""Demo practice: the bank's practice categories opened to daily practice, and a past
week of practice for the demo learner ``staff`` (idempotent)."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.utils import timezone

from assessments.models import Category

from .models import PracticeAnswer, PracticeSource
from .services import practice_answer_submit, practice_day_start

PRACTICE_ROOT = "课堂练习"


def _write(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def _answer(data: dict, *, right: bool) -> list[str]:
    """A right or a wrong answer to a question, as the practice form posts it."""
    kind = data["type"]
    if kind in ("single", "multiple"):
        options = data.get("options") or []
        keys = [o["key"] for o in options if (float(o["fraction"]) > 0) == right]
        return keys if kind == "multiple" and right else keys[:1]
    if kind == "true_false":
        truth = bool(data.get("correct_bool"))
        return ["true" if truth == right else "false"]
    if kind == "numeric":
        return [str(data.get("numeric_answer")) if right else "999999"]
    accepted = data.get("accepted") or [""]
    return [accepted[0] if right else "不知道"]


def seed(*, stdout=None) -> None:
    root = Category.objects.filter(path=PRACTICE_ROOT).first()
    if root is None:
        return
    PracticeSource.objects.get_or_create(
        category=root, question=None, defaults={"note": "课堂练习题开放给每日一练"}
    )
    learner = get_user_model().objects.filter(username="staff").first()
    if learner is None or PracticeAnswer.objects.filter(user=learner).exists():
        _write(stdout, "demo practice already present")
        return
    rng = random.Random(20261126)
    today = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0)
    answered = 0
    # Six of the last seven days, about seven in ten right: a book with a few
    # questions in it and questions due again today.
    for days_ago in (7, 6, 5, 3, 2, 1):
        when = today - dt.timedelta(days=days_ago)
        for row in practice_day_start(user=learner, now=when):
            raw = _answer(row.version.data, right=rng.random() < 0.7)
            practice_answer_submit(user=learner, answer_id=row.pk, raw=raw, now=when)
            answered += 1
    _write(stdout, f"demo practice: {answered} answers for staff")
