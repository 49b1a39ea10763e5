"""Quiz building services: many bank questions added to a quiz at once."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..errors import AssessmentError
from ..models import Question, Quiz, QuizSlot
from ..pools import SlotSpec, pool_conflicts, quiz_specs


@transaction.atomic
def quiz_add_questions(*, quiz: Quiz, questions: list[Question]) -> tuple[int, int]:
    """Add ``questions`` to ``quiz`` as fixed questions after its last slot, in the
    order given; returns (added, skipped). A question the quiz already fixes is
    skipped. Raises AssessmentError, adding nothing, when the result would break the
    practice/exam rule (see assessments.pools)."""
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    present = set(
        quiz.slots.filter(question__isnull=False).values_list("question_id", flat=True)
    )
    new = []
    for question in questions:
        if question.pk not in present:
            new.append(question)
            present.add(question.pk)
    if not new:
        return 0, len(questions)
    specs = quiz_specs(quiz) + [SlotSpec(question_id=q.pk) for q in new]
    clashes = pool_conflicts(exam=quiz.exam_paper, specs=specs, quiz_id=quiz.pk)
    if clashes:
        names = "、".join(f"“{title}”" for title in clashes)
        raise AssessmentError(
            _(
                "Nothing was added: the quiz would share questions with %(names)s, "
                "and practice quizzes and exams may not share questions."
            )
            % {"names": names},
            code="pool",
        )
    start = (quiz.slots.aggregate(n=Max("sort_order"))["n"] or 0) + 1
    QuizSlot.objects.bulk_create(
        QuizSlot(quiz=quiz, question=question, sort_order=start + i)
        for i, question in enumerate(new)
    )
    return len(new), len(questions) - len(new)
