"""Factories and helpers for the assessment tests: questions are built through services."""

from __future__ import annotations

from decimal import Decimal

from assessments.models import Question, Quiz, QuizSlot
from assessments.services import category_ensure, question_upsert


def make_question(
    code: str,
    *,
    type: str = "single",
    category: str = "指标/案-件比",
    text: str | None = None,
    options: list[tuple[str, float]] | None = None,
    points: str = "1",
    **fields,
) -> Question:
    if options is None and type in ("single", "multiple"):
        options = [("正确", 1), ("错误甲", 0), ("错误乙", 0)]
    question_upsert(
        code=code,
        fields={
            "category": category_ensure(path=category),
            "type": type,
            "text": text or f"题目 {code}",
            "points": Decimal(points),
            "explanation": fields.pop("explanation", f"{code} 的解析"),
            **fields,
        },
        options=[{"text": t, "fraction": f} for t, f in (options or [])],
    )
    return Question.objects.get(code=code)


def make_quiz(slug: str, questions: list[Question], **fields) -> Quiz:
    fields.setdefault("title", f"测验 {slug}")
    fields.setdefault("draft", False)
    quiz = Quiz.objects.create(slug=slug, **fields)
    QuizSlot.objects.bulk_create(
        QuizSlot(quiz=quiz, question=q, sort_order=i) for i, q in enumerate(questions)
    )
    return quiz


def right_keys(item) -> list[str]:
    return [o["key"] for o in item.version.data["options"] if float(o["fraction"]) > 0]


def wrong_key(item) -> str:
    return next(
        o["key"] for o in item.version.data["options"] if float(o["fraction"]) <= 0
    )
