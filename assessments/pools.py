"""Which questions a quiz can put in front of a learner, and the practice/exam rule.

A quiz's *pool* is every question one of its slots can produce: the slot's fixed
question, or, for a random draw, every active question in the draw's category (with
its sub-categories) carrying the draw's indicator and business-line tags.

**The rule:** a practice quiz (one that does not keep attempts as exam papers) never
shares a question with the pool of an exam quiz (one that does). Otherwise practising
would hand out an exam's questions with their answers. The rule is checked both ways
when a quiz is saved in the admin (a practice quiz cannot take an exam's questions; an
exam cannot take a practice quiz's), and attempts at a practice quiz leave out any
exam question that reached its pool later (a question moved into a drawn category).
Trainers keep practice questions in categories of their own, such as 课堂练习/….
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from .models import Category, Question, Quiz, QuizSlot


@dataclass(frozen=True)
class SlotSpec:
    """What one slot asks for, whether saved or still in a form."""

    question_id: int | None = None
    category: Category | None = None
    indicator_id: int | None = None
    business_line_id: int | None = None

    @classmethod
    def of(cls, slot: QuizSlot) -> SlotSpec:
        return cls(
            question_id=slot.question_id,
            category=slot.draw_category,
            indicator_id=slot.draw_indicator_id,
            business_line_id=slot.draw_business_line_id,
        )


def slot_q(spec: SlotSpec) -> Q:
    """The questions a slot can produce, as a filter on Question."""
    if spec.question_id:
        return Q(pk=spec.question_id)
    q = Q(active=True)
    if spec.category is not None:
        root = spec.category
        q &= Q(category=root) | Q(category__path__startswith=root.path + "/")
    if spec.indicator_id:
        q &= Q(indicators=spec.indicator_id)
    if spec.business_line_id:
        q &= Q(business_lines=spec.business_line_id)
    return q


def pool_q(specs: Iterable[SlotSpec]) -> Q | None:
    """The union of the slots' pools; None when there is no slot."""
    combined = None
    for spec in specs:
        q = slot_q(spec)
        combined = q if combined is None else combined | q
    return combined


def quiz_specs(quiz: Quiz) -> list[SlotSpec]:
    """A saved quiz's slots; a quiz without slots draws its whole category."""
    specs = [SlotSpec.of(slot) for slot in quiz.slots.all()]
    if not specs and quiz.category_id:
        specs = [SlotSpec(category=quiz.category)]
    return specs


def _quizzes(*, exam: bool, exclude_quiz_id: int | None):
    quizzes = (
        Quiz.objects.filter(exam_paper=exam)
        .select_related("category")
        .prefetch_related(
            Prefetch("slots", QuizSlot.objects.select_related("draw_category"))
        )
    )
    if exclude_quiz_id:
        quizzes = quizzes.exclude(pk=exclude_quiz_id)
    return quizzes


def pool_conflicts(
    *, exam: bool, specs: list[SlotSpec], quiz_id: int | None = None
) -> list[str]:
    """Titles of the quizzes of the other kind whose pools share a question with
    ``specs`` (the slots of a quiz being saved, an exam if ``exam``)."""
    mine = pool_q(specs)
    if mine is None:
        return []
    titles = []
    for quiz in _quizzes(exam=not exam, exclude_quiz_id=quiz_id):
        theirs = pool_q(quiz_specs(quiz))
        if theirs is not None and Question.objects.filter(mine & theirs).exists():
            titles.append(quiz.title)
    return sorted(titles)


def exam_question_ids() -> set[int]:
    """Every question some exam quiz can fix or draw."""
    combined = pool_q(
        spec
        for quiz in _quizzes(exam=True, exclude_quiz_id=None)
        for spec in quiz_specs(quiz)
    )
    if combined is None:
        return set()
    return set(Question.objects.filter(combined).values_list("pk", flat=True))
