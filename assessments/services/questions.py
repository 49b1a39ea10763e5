"""Question bank services: categories by path, upserts by code, and frozen versions."""

from __future__ import annotations

import secrets
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import OuterRef, Subquery

from ..models import Category, Option, Question, QuestionVersion

if TYPE_CHECKING:
    from collections.abc import Iterable


def category_ensure(*, path: str) -> Category:
    """The category at ``a/b/c``, created (with its parents) when missing."""
    parent = None
    for name in [p.strip() for p in path.replace("／", "/").split("/") if p.strip()]:
        category = Category.objects.filter(parent=parent, name=name).first()
        if category is None:
            category = Category(parent=parent, name=name)
            category.save()
        parent = category
    if parent is None:
        raise ValueError("empty category path")
    return parent


def _num(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def question_content(question: Question, options: list[Option] | None = None) -> dict:
    """Everything that decides how a question looks and is marked (no option keys)."""
    if options is None:
        options = list(question.options.all())
    data = {
        "code": question.code,
        "type": question.type,
        "text": question.text,
        "points": _num(question.points),
        "explanation": question.explanation,
        "figure_id": question.figure_id,
        "category_id": question.category_id,
        "option_order": question.option_order,
        "multiple_grading": question.multiple_grading,
        "options": [
            {"text": o.text, "fraction": _num(o.fraction), "feedback": o.feedback}
            for o in options
        ],
        "correct_bool": question.correct_bool,
        "numeric_answer": _num(question.numeric_answer),
        "tolerance": _num(question.tolerance or 0),
        "accepted": [
            a.strip() for a in question.accepted_answers.splitlines() if a.strip()
        ],
    }
    # Only questions that use them carry these keys, so the versions of every
    # other question stay exactly as they were.
    if question.text_format and question.text_format != "plain":
        data["text_format"] = question.text_format
    if question.answers:
        data["answers"] = question.answers
    return data


def _with_keys(content: dict, previous: dict | None) -> dict:
    # Keep the keys of unchanged options so a resumed attempt still matches them.
    old = {}
    if previous:
        old = {(o["text"], o["fraction"]): o["key"] for o in previous["options"]}
    data = dict(content)
    data["options"] = [
        {**o, "key": old.get((o["text"], o["fraction"])) or secrets.token_hex(4)}
        for o in content["options"]
    ]
    return data


def _strip_keys(data: dict) -> dict:
    return {
        **data,
        "options": [
            {k: v for k, v in o.items() if k != "key"} for o in data.get("options", [])
        ],
    }


@transaction.atomic
def question_publish_version(*, question: Question) -> QuestionVersion:
    """Freeze the question's current content.

    Unchanged content keeps the latest version. Changed content updates the latest
    version in place while no attempt has shown it, and otherwise creates a new
    version, so that answered attempts keep exactly what they showed.
    """
    content = question_content(question)
    latest = question.versions.order_by("-number").first()
    if latest and _strip_keys(latest.data) == content:
        return latest
    data = _with_keys(content, latest.data if latest else None)
    if latest and not latest.attempt_items.exists():
        latest.data = data
        latest.save(update_fields=["data"])
        return latest
    return QuestionVersion.objects.create(
        question=question, number=(latest.number + 1 if latest else 1), data=data
    )


def question_current_version(*, question: Question) -> QuestionVersion:
    latest = question.versions.order_by("-number").first()
    return latest or question_publish_version(question=question)


def question_current_versions(
    *, questions: Iterable[Question]
) -> dict[int, QuestionVersion]:
    """The latest version of each question by question id, in one query.

    A question never published yet gets its first version here (rare: the bank
    publishes on save).
    """
    questions = list(questions)
    newest = (
        QuestionVersion.objects.filter(question=OuterRef("question"))
        .order_by("-number")
        .values("number")[:1]
    )
    versions = {
        v.question_id: v
        for v in QuestionVersion.objects.filter(
            question_id__in=[q.pk for q in questions], number=Subquery(newest)
        )
    }
    for question in questions:
        if question.pk not in versions:
            versions[question.pk] = question_publish_version(question=question)
    return versions


FIELDS = (
    "category",
    "type",
    "text",
    "points",
    "explanation",
    "option_order",
    "multiple_grading",
    "correct_bool",
    "numeric_answer",
    "tolerance",
    "accepted_answers",
    "text_format",
    "answers",
    "idnumber",
    "tags",
    "difficulty",
)


def _same(a, b) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if a is None or b is None:
            return a is b
        return Decimal(a) == Decimal(b)
    return a == b


def question_upsert(
    *,
    code: str,
    fields: dict,
    options: list[dict],
    indicators: list | None = None,
    business_lines: list | None = None,
) -> str:
    """Create or update a question by code; returns "created", "updated" or "unchanged".

    ``options`` are ``{"text", "fraction", "feedback"}`` dicts in authored order.
    ``indicators``/``business_lines`` are model instances; None leaves them alone.
    """
    question = Question.objects.filter(code=code).first()
    created = question is None
    changed = created
    if created:
        question = Question(code=code)
    for name in FIELDS:
        if name in fields:
            value = fields[name]
            current = getattr(question, name if name != "category" else "category_id")
            target = value.pk if name == "category" else value
            if created or not _same(current, target):
                setattr(question, name, value)
                changed = True
    if changed:
        question.save()
    existing = [] if created else list(question.options.all())
    wanted = [
        (o["text"], Decimal(str(o.get("fraction", 0))), o.get("feedback", ""))
        for o in options
    ]
    have = [(o.text, Decimal(o.fraction), o.feedback) for o in existing]
    if wanted != have:
        question.options.all().delete()
        Option.objects.bulk_create(
            Option(question=question, text=t, fraction=f, feedback=fb, sort_order=i)
            for i, (t, f, fb) in enumerate(wanted)
        )
        changed = True
    m2m_changed = False
    for attr, values in (
        ("indicators", indicators),
        ("business_lines", business_lines),
    ):
        if values is None:
            continue
        manager = getattr(question, attr)
        current = set() if created else {v.pk for v in manager.all()}
        if current != {v.pk for v in values}:
            manager.set(values)
            m2m_changed = True
    if m2m_changed:
        # Parental many-to-many relations are written when the question is saved.
        question.save()
        changed = True
    if changed:
        question = Question.objects.get(pk=question.pk)
        question_publish_version(question=question)
    return "created" if created else ("updated" if changed else "unchanged")


# Readable prefixes of generated codes, one per type: a trainer can tell a code's
# kind at a glance in lists and exports (Q-DX-00012 is a single-choice question).
CODE_PREFIXES: dict[str, str] = {
    Question.Type.SINGLE: "Q-DX",
    Question.Type.MULTIPLE: "Q-DXX",
    Question.Type.TRUE_FALSE: "Q-PD",
    Question.Type.NUMERIC: "Q-SZ",
    Question.Type.SHORT: "Q-TK",
    Question.Type.ESSAY: "Q-LS",
}


def question_code_next(*, type: str) -> str:
    """The next unused code of the type's series (``Q-DX-00001``, ``Q-DX-00002``…).

    Numbers only grow: a deleted question's code is not handed out again while a
    higher one exists, so a code once printed on a paper keeps naming one question.
    """
    prefix = CODE_PREFIXES.get(type, "Q")
    highest = 0
    for code in Question.objects.filter(code__startswith=f"{prefix}-").values_list(
        "code", flat=True
    ):
        tail = code[len(prefix) + 1 :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}-{highest + 1:05d}"
