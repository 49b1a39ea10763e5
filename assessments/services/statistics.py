"""Computing and storing item statistics snapshots (called by the Celery task)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
from django.db import transaction

from .. import item_statistics as stats
from ..models import Question, Quiz, StatisticsSnapshot
from ..selectors import attempts_for_statistics, item_mark_records


def _option_counts(rows: list[dict]) -> dict[int, dict]:
    counts: dict[int, Counter] = {}
    for row in rows:
        counter = counts.setdefault(row["question_id"], Counter())
        for key in row["keys"]:
            counter[key] += 1
        if row["value"] is not None:
            counter["true" if row["value"] else "false"] += 1
    return counts  # type: ignore[return-value]


@transaction.atomic
def statistics_compute(*, quiz_id: int) -> StatisticsSnapshot:
    quiz = Quiz.objects.get(pk=quiz_id)
    draw_positions = {
        position
        for position, slot in enumerate(quiz.slots.all(), start=1)
        if not slot.question_id
    }
    rows = item_mark_records(
        attempt_ids=attempts_for_statistics(quiz=quiz), draw_positions=draw_positions
    )
    marks = pd.DataFrame(rows, columns=stats.MARK_COLUMNS + ["keys", "value"])
    test = stats.test_statistics(marks[stats.MARK_COLUMNS])
    slots = stats.records(stats.slot_statistics(marks[stats.MARK_COLUMNS]))
    drawn = stats.records(stats.random_question_statistics(marks[stats.MARK_COLUMNS]))
    counts = _option_counts(rows)
    codes = dict(Question.objects.filter(pk__in=counts).values_list("pk", "code"))
    questions = []
    for row in slots:
        row["kind"] = "slot"
        questions.append(row)
    for row in drawn:
        row["kind"] = "drawn"
        questions.append(row)
    for row in questions:
        qid = row.get("question_id")
        row["code"] = codes.get(qid, "")
        row["options"] = dict(counts.get(qid, {})) if qid else {}
    snapshot, _created = StatisticsSnapshot.objects.update_or_create(
        quiz=quiz, defaults={"test": test, "questions": questions}
    )
    return snapshot


@transaction.atomic
def statistics_compute_bank() -> StatisticsSnapshot:
    """Bank-wide "needs checking": each question's figures averaged over its quizzes."""
    per_quiz = []
    for snapshot in StatisticsSnapshot.objects.filter(quiz__isnull=False):
        for row in snapshot.questions:
            if row.get("question_id") and (row["kind"] == "drawn" or not row["random"]):
                per_quiz.append(
                    {
                        k: row.get(k)
                        for k in (
                            "question_id",
                            "facility",
                            "discrimination",
                            "discriminative_efficiency",
                        )
                    }
                )
    frame = pd.DataFrame(
        per_quiz,
        columns=[
            "question_id",
            "facility",
            "discrimination",
            "discriminative_efficiency",
        ],
    ).astype(
        {"facility": float, "discrimination": float, "discriminative_efficiency": float}
    )
    result = stats.records(stats.needs_checking(frame))
    codes = dict(Question.objects.values_list("pk", "code"))
    for row in result:
        row["code"] = codes.get(row["question_id"], "")
    snapshot = StatisticsSnapshot.objects.filter(quiz__isnull=True).first()  # type: ignore[assignment]
    if snapshot is None:
        snapshot = StatisticsSnapshot(quiz=None)
    snapshot.test = {"questions": len(result)}
    snapshot.questions = result
    snapshot.save()
    return snapshot
