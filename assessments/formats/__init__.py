"""Question file formats: GIFT, Aiken, CSV/XLSX. Each parser turns a file into
:class:`QuestionRecord` objects (or raises ImportRejected naming every bad line or
row); each writer turns records back into a file that parses to the same records.
"""

from __future__ import annotations

import hashlib
import json
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
    text_format: str = "plain"
    # Graded answers of short, numeric and true/false questions with their
    # fractions and feedback (see Question.answers); empty = the fields above.
    answers: list[dict] = field(default_factory=list)
    idnumber: str | None = None
    tags: list[str] | None = None
    # What the reader changed or left out, each listed in the import summary.
    warnings: list[str] = field(default_factory=list)
    # True when the file gave no code and the code was derived from the content.
    derived_code: bool = False


def _plain(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def fingerprint(
    *,
    category: str,
    type: str,
    text: str,
    options: list[dict],
    correct_bool: bool | None,
    answers: list[dict],
) -> str:
    """What identifies a question without a code: category, type, text and answers."""
    content = {
        "category": category,
        "type": type,
        "text": text,
        "options": [[o["text"], _plain(o.get("fraction", 0))] for o in options],
        "correct": correct_bool if type == "true_false" else None,
        "answers": [
            [a.get("text", a.get("value")), _plain(a.get("fraction", 1))]
            + ([_plain(a.get("tolerance") or 0)] if type == "numeric" else [])
            for a in answers
            if type in ("short", "numeric")
        ],
    }
    data = json.dumps(content, ensure_ascii=False, sort_keys=True)
    return hashlib.sha1(data.encode("utf-8")).hexdigest()


def record_fingerprint(rec: QuestionRecord) -> str:
    return fingerprint(
        category=rec.category,
        type=rec.type,
        text=rec.text,
        options=rec.options,
        correct_bool=rec.correct_bool,
        answers=graded_answers(rec),
    )


def code_for(prefix: str, rec: QuestionRecord) -> str:
    """A stable code for a question the file gives none: the hash of its identity,
    so that two questions sharing a stem but not their answers or type never meet."""
    rec.derived_code = True
    return f"{prefix}-{record_fingerprint(rec)[:12].upper()}"


def code_from_text(prefix: str, text: str) -> str:
    """A code from the text alone: the rule before content identity, kept for
    callers that have nothing but a text."""
    return f"{prefix}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:10].upper()}"


def graded_answers(rec: QuestionRecord) -> list[dict]:
    """The full answer list of a short or numeric record, from ``answers`` or the
    plain fields (accepted texts, one numeric answer with its tolerance)."""
    if rec.type == "short":
        if rec.answers:
            return rec.answers
        return [
            {"text": a, "fraction": Decimal(1), "feedback": ""} for a in rec.accepted
        ]
    if rec.type == "numeric":
        if rec.answers:
            return rec.answers
        if rec.numeric_answer is None:
            return []
        return [
            {
                "value": _plain(rec.numeric_answer),
                "tolerance": _plain(rec.tolerance or 0),
                "fraction": Decimal(1),
                "feedback": "",
            }
        ]
    return []


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
        text_format=question.text_format,
        answers=[dict(a) for a in question.answers or []],
        idnumber=question.idnumber,
        tags=list(question.tags or []),
    )


def number_text(value) -> str:
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text
