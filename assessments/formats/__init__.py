"""Question file formats: GIFT, Aiken, CSV/XLSX. Each parser turns a file into
:class:`QuestionRecord` objects (or raises ImportRejected naming every bad line or
row); each writer turns records back into a file that parses to the same records.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

TYPES = ("single", "multiple", "true_false", "numeric", "short", "essay")


@dataclass
class QuestionRecord:
    code: str
    category: str
    type: str
    text: str
    line: int = 0
    options: list[dict] = field(
        default_factory=list
    )  # {"text", "fraction", "feedback"}
    correct_bool: bool | None = None
    numeric_answer: Decimal | None = None
    tolerance: Decimal = Decimal(0)
    accepted: list[str] = field(default_factory=list)
    explanation: str = ""
    points: Decimal | None = None
    difficulty: int | None = None
    option_order: str | None = None
    multiple_grading: str | None = None
    indicators: list[str] | None = None
    business_lines: list[str] | None = None


def code_from_text(prefix: str, text: str) -> str:
    """A stable code for formats without titles, so re-imports update the same question."""
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10].upper()}"


def record_from_question(question) -> QuestionRecord:
    """The record of a bank question (options, tags and category prefetched)."""
    return QuestionRecord(
        code=question.code,
        category=question.category.path,
        type=question.type,
        text=question.text,
        options=[
            {"text": o.text, "fraction": Decimal(o.fraction), "feedback": o.feedback}
            for o in question.options.all()
        ],
        correct_bool=question.correct_bool,
        numeric_answer=question.numeric_answer,
        tolerance=question.tolerance or Decimal(0),
        accepted=[
            a.strip() for a in question.accepted_answers.splitlines() if a.strip()
        ],
        explanation=question.explanation,
        points=question.points,
        difficulty=question.difficulty,
        option_order=question.option_order,
        multiple_grading=question.multiple_grading,
        indicators=sorted(i.code for i in question.indicators.all()),
        business_lines=sorted(b.code for b in question.business_lines.all()),
    )


def number_text(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text
