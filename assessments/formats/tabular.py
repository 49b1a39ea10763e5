"""CSV and XLSX question files (columns as in DESIGN.md, plus optional extras).

Required: ``code, category, type, text``. Optional: ``option_a`` … ``option_h``,
``answer``, ``tolerance``, ``explanation``, ``indicators``, ``business_lines``,
``points`` and the extras ``difficulty``, ``option_order``, ``multiple_grading``,
``option_feedback`` (``|``-separated, one per option), ``fractions`` (each
option's share of the points in percent, ``;``-separated, written
only when the answer letters cannot express it, e.g. negative marks).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from organisation.columns import Column, Schema, Text
from organisation.tabular import RowError, Table, split_codes

from ..grading import parse_number
from . import TYPES, QuestionRecord, number_text
from .gift import _number as bounded_number

LETTERS = "abcdefgh"
OPTION_COLUMNS = [f"option_{c}" for c in LETTERS]
REQUIRED = ["code", "category", "type", "text"]
OPTIONAL = OPTION_COLUMNS + [
    "answer",
    "tolerance",
    "explanation",
    "indicators",
    "business_lines",
    "points",
    "difficulty",
    "option_order",
    "multiple_grading",
    "fractions",
    "option_feedback",
]
HEADERS = REQUIRED + OPTIONAL
CHINESE_HEADERS = {
    "code": ("试题代码", "题目代码", "试题编号"),
    "category": ("分类", "题库分类"),
    "type": ("题型",),
    "text": ("题干", "题目"),
    **{f"option_{c}": (f"选项{c.upper()}",) for c in LETTERS},
    "answer": ("答案", "正确答案"),
    "tolerance": ("误差",),
    "explanation": ("解析", "答案解析"),
    "indicators": ("关联指标", "指标"),
    "business_lines": ("业务条线", "条线"),
    "points": ("分值",),
    "difficulty": ("难度",),
    "option_order": ("选项顺序",),
    "multiple_grading": ("多选计分",),
    "fractions": ("选项得分比例",),
    "option_feedback": ("选项反馈",),
}
# The one question of the data-import page's sample files; other cells stay empty.
SAMPLE = {
    "code": "SAMPLE-Q1",
    "category": "示例题库",
    "type": "single",
    "text": "示例：单选题的题干",
    "option_a": "甲",
    "option_b": "乙",
    "answer": "A",
    "points": "1",
}
# Cells are cleaned below; the schema gives the headers, aliases and column errors
# every importer shares.
SCHEMA = Schema(
    *(
        Column(
            name,
            Text(100_000),
            CHINESE_HEADERS[name][0],
            CHINESE_HEADERS[name][1:],
            required=name in REQUIRED,
            example=SAMPLE.get(name, ""),
        )
        for name in HEADERS
    ),
    kind="questions",
)
TRUE = {"true", "t", "1", "对", "正确", "是", "√"}
FALSE = {"false", "f", "0", "错", "错误", "否", "×"}
TYPE_ALIASES = {
    "单选": "single",
    "多选": "multiple",
    "判断": "true_false",
    "数值": "numeric",
    "计算": "numeric",
    "填空": "short",
    "简答": "short",
    "论述": "essay",
}


def _unneutralise(value: str) -> str:
    # Exports put a quote before cells that look like formulas; take it off again.
    if len(value) > 1 and value[0] == "'" and value[1] in "=+-@\t\r":
        return value[1:]
    return value


def _letters(value: str) -> list[str]:
    compact = re.sub(r"[\s,，;；、]", "", value.upper())
    return list(compact)


def even_fractions(
    count_right: int, count: int, partial: bool, right: set[int]
) -> list[Decimal]:
    """Fractions the answer letters stand for: right options share 1; in partial mode
    a wrong pick deducts one right option's share."""
    if not count_right:
        return [Decimal(0)] * count
    share = (Decimal(1) / count_right).quantize(Decimal("0.00001"))
    last = Decimal(1) - share * (count_right - 1)
    result = []
    seen = 0
    for index in range(count):
        if index in right:
            seen += 1
            result.append(last if seen == count_right else share)
        else:
            result.append(-share if partial else Decimal(0))
    return result


def records_from_table(
    table: Table, *, default_category: str = ""
) -> tuple[list[QuestionRecord], list[RowError]]:
    table = SCHEMA.canonical(table)
    records, errors = [], []
    for row_number, raw in table.rows:
        row = {k: _unneutralise((v or "").strip()) for k, v in raw.items()}
        problems: list[RowError] = []

        def bad(column: str, message, problems=problems, row_number=row_number):
            problems.append(RowError(row_number, column, message))

        rec = _record_basics(row, row_number, default_category, bad)
        _record_numbers(row, rec, bad)
        _record_settings(row, rec, bad)
        texts = [row.get(c, "") for c in OPTION_COLUMNS if row.get(c, "")]
        if rec.type in ("single", "multiple"):
            _record_choices(row, rec, texts, bad)
        elif texts and rec.type in TYPES:
            bad("option_a", _("only choice questions have options"))
        _record_answer(row.get("answer", ""), rec, bad)
        if problems:
            errors.extend(problems)
        else:
            records.append(rec)
    return records, errors


def _record_basics(row: dict, row_number: int, default_category: str, bad):
    kind = TYPE_ALIASES.get(row.get("type", ""), row.get("type", "").lower())
    if kind not in TYPES:
        bad(
            "type",
            _(
                "type must be one of single, multiple, true_false, numeric, short, essay"
            ),
        )
    if not row.get("code"):
        bad("code", _("the code is empty"))
    if not row.get("text"):
        bad("text", _("the question text is empty"))
    category = row.get("category") or default_category
    if not category:
        bad("category", _("no category: fill the column or use --category"))
    return QuestionRecord(
        code=row.get("code", ""),
        category=category,
        type=kind,
        text=row.get("text", ""),
        line=row_number,
        explanation=row.get("explanation", ""),
    )


def _record_numbers(row: dict, rec: QuestionRecord, bad) -> None:
    # The columns' sizes: points 6 digits with 2 places, tolerance 16 with 6.
    for column, digits, places in (("points", 6, 2), ("tolerance", 16, 6)):
        if not row.get(column):
            continue
        try:
            value = bounded_number(row[column].replace(",", ""), digits, places)
            if value < 0:
                raise InvalidOperation
            setattr(rec, column, value)
        except InvalidOperation:
            bad(
                column,
                _('expected a number, got "%(value)s"') % {"value": row[column]},
            )


SETTINGS = (
    ("difficulty", ("1", "2", "3"), int, _lazy("difficulty must be 1, 2 or 3")),
    (
        "option_order",
        ("authored", "alphabetical", "random"),
        str,
        _lazy("option_order must be authored, alphabetical or random"),
    ),
    (
        "multiple_grading",
        ("all_or_nothing", "partial"),
        str,
        _lazy("multiple_grading must be all_or_nothing or partial"),
    ),
)


def _record_settings(row: dict, rec: QuestionRecord, bad) -> None:
    for column, allowed, convert, message in SETTINGS:
        if not row.get(column):
            continue
        if row[column] in allowed:
            setattr(rec, column, convert(row[column]))
        else:
            bad(column, str(message))
    if "indicators" in row:
        rec.indicators = split_codes(row["indicators"])
    if "business_lines" in row:
        rec.business_lines = split_codes(row["business_lines"])


def _record_choices(row: dict, rec: QuestionRecord, texts: list[str], bad) -> None:
    # Options must be contiguous from option_a.
    filled = [bool(row.get(c, "")) for c in OPTION_COLUMNS]
    if filled[len(texts) :].count(True):
        bad("option_a", _("options must be filled from option_a on without gaps"))
    if len(texts) < 2:
        bad("option_a", _("a choice question needs at least two options"))
    letters = _letters(row.get("answer", ""))
    indexes = set()
    for letter in letters:
        index = LETTERS.upper().find(letter)
        if index < 0 or index >= len(texts):
            bad(
                "answer",
                _('"%(letter)s" is not one of the options') % {"letter": letter},
            )
        else:
            indexes.add(index)
    if not letters:
        bad("answer", _("the answer is empty"))
    if rec.type == "single" and len(indexes) > 1:
        bad("answer", _("a single-choice question has one answer"))
    fractions = even_fractions(
        len(indexes), len(texts), rec.multiple_grading == "partial", indexes
    )
    if row.get("fractions"):
        fractions = _record_fractions(row["fractions"], len(texts), bad) or fractions
    feedback = row.get("option_feedback", "").split("|")
    feedback += [""] * (len(texts) - len(feedback))
    rec.options = [
        {"text": t, "fraction": f, "feedback": fb.strip()}
        for t, f, fb in zip(texts, fractions, feedback, strict=False)
    ]


def _record_fractions(text: str, count: int, bad) -> list[Decimal] | None:
    try:
        given = [Decimal(p.strip()) / 100 for p in text.split(";")]
        if len(given) != count:
            raise InvalidOperation
        return given
    except InvalidOperation:
        bad(
            "fractions",
            _("fractions must list one percentage per option, separated by ;"),
        )
        return None


def _record_answer(answer: str, rec: QuestionRecord, bad) -> None:
    if rec.type == "true_false":
        word = answer.lower()
        if word in TRUE:
            rec.correct_bool = True
        elif word in FALSE:
            rec.correct_bool = False
        else:
            bad("answer", _("the answer must be true or false (对/错)"))
    elif rec.type == "numeric":
        number = parse_number(answer)
        if number is None:
            bad("answer", _('expected a number, got "%(value)s"') % {"value": answer})
        rec.numeric_answer = number
    elif rec.type == "short":
        rec.accepted = [a.strip() for a in answer.split("|") if a.strip()]
        if not rec.accepted:
            bad("answer", _("list the accepted answers separated by |"))
    elif rec.type == "essay" and answer:
        bad("answer", _("an essay question has no answer to fill in"))


def rows_for(records: list[QuestionRecord]):
    """Rows (in HEADERS order) that ``records_from_table`` reads back to the same records."""
    for rec in records:
        options = [o["text"] for o in rec.options] + [""] * (8 - len(rec.options))
        answer, fractions = "", ""
        if rec.type in ("single", "multiple"):
            right = {i for i, o in enumerate(rec.options) if Decimal(o["fraction"]) > 0}
            answer = ",".join(LETTERS.upper()[i] for i in sorted(right))
            derived = even_fractions(
                len(right), len(rec.options), rec.multiple_grading == "partial", right
            )
            actual = [Decimal(o["fraction"]) for o in rec.options]
            if derived != actual:
                fractions = ";".join(number_text(f * 100) for f in actual)
        elif rec.type == "true_false":
            answer = "true" if rec.correct_bool else "false"
        elif rec.type == "numeric":
            answer = number_text(rec.numeric_answer)
        elif rec.type == "short":
            answer = "|".join(rec.accepted)
        yield [
            rec.code,
            rec.category,
            rec.type,
            rec.text,
            *options[:8],
            answer,
            number_text(rec.tolerance) if rec.type == "numeric" else "",
            rec.explanation,
            ";".join(rec.indicators or []),
            ";".join(rec.business_lines or []),
            number_text(rec.points or 1),
            str(rec.difficulty or 2),
            rec.option_order or "random",
            rec.multiple_grading or "all_or_nothing",
            fractions,
            "|".join(o.get("feedback", "") for o in rec.options)
            if any(o.get("feedback") for o in rec.options)
            else "",
        ]
