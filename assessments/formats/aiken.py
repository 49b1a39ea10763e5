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


def _read_block(
    block: list[tuple[int, str]],
) -> tuple[list[str], list[tuple[str, str]], str | None, tuple[int, str] | None]:
    """(question lines, (letter, text) options, answer letter, problem) of a block;
    the problem is the first out-of-place line found, if any."""
    question: list[str] = []
    options: list[tuple[str, str]] = []
    answer = None
    for number, line in block:
        stripped = line.strip()
        match_answer = ANSWER.match(stripped)
        match_option = OPTION.match(stripped)
        if answer is not None:
            return question, options, answer, (number, _("text after the ANSWER line"))
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
                return question, options, answer, problem
            options.append((letter, match_option.group(2).strip()))
        elif options:
            problem = (number, _("a line that is neither an option nor ANSWER:"))
            return question, options, answer, problem
        else:
            question.append(stripped)
    return question, options, answer, None


def _block_problem(
    block: list[tuple[int, str]],
    question: list[str],
    options: list[tuple[str, str]],
    answer: str | None,
    default_category: str,
) -> tuple[int, str] | None:
    """What makes a well-formed block unusable as a question, if anything."""
    start = block[0][0]
    if not question:
        return (start, _("the question has no text"))
    if len(options) < 2:
        return (start, _("a question needs at least two options"))
    if answer is None:
        return (block[-1][0], _("the ANSWER: line is missing"))
    if answer not in {letter for letter, _t in options}:
        return (block[-1][0], _("ANSWER names an option that does not exist"))
    if not default_category:
        return (start, _("no category: use --category"))
    return None


def _record(
    start: int,
    question: list[str],
    options: list[tuple[str, str]],
    answer: str,
    category: str,
) -> QuestionRecord:
    record = QuestionRecord(
        code="",
        category=category,
        type="single",
        text="\n".join(question),
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
    record.code = code_for("AIKEN", record)
    return record


def _too_many(start: int, limit: int) -> ImportRejected:
    return ImportRejected(
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


def parse(text: str, *, default_category: str = "") -> list[QuestionRecord]:
    errors: list[RowError] = []
    records: list[QuestionRecord] = []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    block: list[tuple[int, str]] = []
    limit = settings.QUESTION_IMPORT_MAX_QUESTIONS

    def flush() -> None:
        if not block:
            return
        start = block[0][0]
        question, options, answer, problem = _read_block(block)
        if problem is None:
            problem = _block_problem(block, question, options, answer, default_category)
        if problem is not None:
            errors.append(RowError(problem[0], "aiken", problem[1]))
        elif answer is not None:
            records.append(_record(start, question, options, answer, default_category))
        block.clear()
        if len(records) + len(errors) > limit:
            raise _too_many(start, limit)

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
