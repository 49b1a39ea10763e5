"""Aiken: single-choice questions, one per block.

    问题文本（可多行）
    A. 选项
    B) 选项
    ANSWER: B

Aiken has no codes, so a question's code is derived from its category, text and
options (``AIKEN-…``): re-importing the same file updates the same questions, and
two questions that share a stem but not their options stay two questions. A file
holds at most ``QUESTION_IMPORT_MAX_QUESTIONS`` questions.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from organisation.tabular import ImportRejected, RowError

from . import QuestionRecord, code_for

OPTION = re.compile(r"^([A-Z])\s*[.)．、）]\s*(.+)$")
ANSWER = re.compile(r"^ANSWER\s*[:：]\s*([A-Z])\s*$", re.I)


def parse(text: str, *, default_category: str = "") -> list[QuestionRecord]:
    errors: list[RowError] = []
    records: list[QuestionRecord] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    block: list[tuple[int, str]] = []

    def flush():
        if not block:
            return
        start = block[0][0]
        question: list[str] = []
        options: list[tuple[str, str]] = []
        answer = None
        problem = None
        for number, line in block:
            stripped = line.strip()
            match_answer = ANSWER.match(stripped)
            match_option = OPTION.match(stripped)
            if answer is not None:
                problem = (number, _("text after the ANSWER line"))
                break
            if match_answer:
                answer = match_answer.group(1).upper()
            elif match_option and (options or question):
                letter = match_option.group(1)
                expected = chr(ord("A") + len(options))
                if letter != expected:
                    problem = (
                        number,
                        _("option %(got)s where %(want)s was expected")
                        % {"got": letter, "want": expected},
                    )
                    break
                options.append((letter, match_option.group(2).strip()))
            elif options:
                problem = (number, _("a line that is neither an option nor ANSWER:"))
                break
            else:
                question.append(stripped)
        if problem is None:
            if not question:
                problem = (start, _("the question has no text"))
            elif len(options) < 2:
                problem = (start, _("a question needs at least two options"))
            elif answer is None:
                problem = (block[-1][0], _("the ANSWER: line is missing"))
            elif answer not in {letter for letter, _t in options}:
                problem = (
                    block[-1][0],
                    _("ANSWER names an option that does not exist"),
                )
            elif not default_category:
                problem = (start, _("no category: use --category"))
        if problem:
            errors.append(RowError(problem[0], "aiken", problem[1]))
        else:
            text_ = "\n".join(question)
            records.append(
                QuestionRecord(
                    code="",
                    category=default_category,
                    type="single",
                    text=text_,
                    line=start,
                    options=[
                        {
                            "text": t,
                            "fraction": Decimal(1 if letter == answer else 0),
                            "feedback": "",
                        }
                        for letter, t in options
                    ],
                )
            )
            records[-1].code = code_for("AIKEN", records[-1])
        block.clear()
        if len(records) + len(errors) > limit:
            raise ImportRejected(
                [
                    RowError(
                        start,
                        "aiken",
                        _(
                            "the file holds more than %(max)s questions: split it "
                            "into files of at most %(max)s questions each"
                        )
                        % {"max": limit},
                    )
                ]
            )

    limit = settings.QUESTION_IMPORT_MAX_QUESTIONS
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            flush()
            continue
        block.append((number, line))
        if ANSWER.match(line.strip()):
            flush()
    flush()
    seen = set()
    for rec in records:
        if rec.code in seen:
            errors.append(
                RowError(rec.line, "aiken", _("the same question appears twice"))
            )
        seen.add(rec.code)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return records


def _writable(rec: QuestionRecord) -> bool:
    """Whether Aiken can say this question exactly: plain single choice, one right
    option and the others wrong, no feedback, each text read back as written."""
    if rec.type != "single" or (rec.text_format or "plain") != "plain":
        return False
    if not 2 <= len(rec.options) <= 26 or rec.explanation:
        return False
    fractions = [Decimal(str(o["fraction"])) for o in rec.options]
    if sorted(fractions) != [Decimal(0)] * (len(fractions) - 1) + [Decimal(1)]:
        return False
    if any(o.get("feedback") for o in rec.options):
        return False
    lines = rec.text.split("\n")
    if any(not line.strip() or line != line.strip() for line in lines):
        return False
    if any(OPTION.match(line) or ANSWER.match(line) for line in lines[1:]):
        return False
    if ANSWER.match(lines[0]):
        return False
    for option in rec.options:
        text = option["text"]
        if not text.strip() or text != text.strip() or "\n" in text:
            return False
    return True


def write(records: list[QuestionRecord]) -> tuple[str, list[QuestionRecord]]:
    """The Aiken file of the questions it can hold, and the questions left out."""
    out: list[str] = []
    skipped: list[QuestionRecord] = []
    for rec in records:
        if not _writable(rec):
            skipped.append(rec)
            continue
        out.append(rec.text)
        answer = "A"
        for index, option in enumerate(rec.options):
            letter = chr(ord("A") + index)
            out.append(f"{letter}. {option['text']}")
            if Decimal(str(option["fraction"])) == 1:
                answer = letter
        out.append(f"ANSWER: {answer}")
        out.append("")
    return "\n".join(out), skipped
