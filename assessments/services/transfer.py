"""Importing and exporting the question bank (all formats) and external results."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.sql import bulk_update, insert_rows
from organisation.columns import CellError, CellType, Column, Date, Ref, Schema, chunks
from organisation.models import BusinessLine, Indicator, StaffProfile
from organisation.tabular import (
    ImportRejected,
    ImportSummary,
    RowError,
    Table,
)

from ..formats import (
    QuestionRecord,
    graded_answers,
    record_fingerprint,
    record_from_question,
)
from ..formats.tabular import records_from_table
from ..models import Category, ExternalResult, Option, Question
from .question_bulk import QuestionWrite, questions_write
from .questions import category_ensure

if TYPE_CHECKING:
    from collections.abc import Callable


def questions_import(
    *,
    table: Table | list[QuestionRecord],
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    category: str | None = None,
    **options: Any,
) -> ImportSummary:
    """Upsert questions by code from a table (CSV/XLSX) or parsed GIFT/Aiken records.

    Refuses the whole file (ImportRejected, every error with its row or line and
    column) when anything is wrong; writes nothing then.
    """
    from_table = isinstance(table, Table)
    if from_table:
        records, errors = records_from_table(table, default_category=category or "")  # type: ignore[arg-type]
    else:
        records, errors = list(table), []  # type: ignore[arg-type]
        errors.extend(_match_identities(records))
    indicators = {i.code: i for i in Indicator.objects.all()}
    lines = {b.code: b for b in BusinessLine.objects.all()}
    seen: dict[str, int] = {}
    for rec in records:
        if rec.code in seen:
            errors.append(
                RowError(
                    rec.line,
                    "code",
                    _('code "%(code)s" appears twice') % {"code": rec.code},
                )
            )
        seen[rec.code] = rec.line
        errors += _record_errors(rec, indicators, lines)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    summary = ImportSummary()
    categories = _categories({rec.category for rec in records}, create=not dry_run)
    items = [
        QuestionWrite(
            code=rec.code,
            row=rec.line,
            fields=_record_fields(rec, categories, from_table=from_table),
            options=rec.options if rec.type in ("single", "multiple") else [],
            indicators=rec.indicators,
            business_lines=rec.business_lines,
        )
        for rec in records
    ]
    questions_write(
        items=items,
        links={
            "indicators": {code: i.pk for code, i in indicators.items()},
            "business_lines": {code: b.pk for code, b in lines.items()},
        },
        summary=summary,
        dry_run=dry_run,
        progress=progress,
    )
    warnings = [
        {"line": rec.line, "code": rec.code, "message": message}
        for rec in records
        for message in rec.warnings
    ]
    if warnings:
        summary.extra["warnings"] = warnings
    return summary


def _category_path(path: str) -> str:
    """The stored path of a category named ``path`` (as ``category_ensure`` makes it)."""
    return "/".join(p.strip() for p in path.replace("／", "/").split("/") if p.strip())


def _categories(paths: set[str], *, create: bool) -> dict[str, Category]:
    """The category of each path, in one query for those that exist. Missing ones
    are created, or on a dry run stand in unsaved (no question is in them yet)."""
    wanted = {path: _category_path(path) for path in paths}
    found = {c.path: c for c in Category.objects.filter(path__in=set(wanted.values()))}
    result = {}
    for path, stored in wanted.items():
        category = found.get(stored)
        if category is None:
            category = category_ensure(path=path) if create else Category(path=stored)
            found[stored] = category
        result[path] = category
    return result


def _record_fields(
    rec: QuestionRecord, categories: dict[str, Category], *, from_table: bool
) -> dict:
    fields = {
        "category": categories[rec.category],
        "type": rec.type,
        "text": rec.text,
        "explanation": rec.explanation,
        "correct_bool": rec.correct_bool if rec.type == "true_false" else None,
        "numeric_answer": rec.numeric_answer if rec.type == "numeric" else None,
        "tolerance": rec.tolerance if rec.type == "numeric" else Decimal(0),
        "accepted_answers": "\n".join(rec.accepted) if rec.type == "short" else "",
    }
    for name in ("points", "difficulty", "option_order", "multiple_grading"):
        if getattr(rec, name) is not None:
            fields[name] = getattr(rec, name)
    if not from_table:
        # What only GIFT and Aiken say; a table's absent columns leave it alone.
        fields["text_format"] = rec.text_format
        fields["answers"] = _stored_answers(rec)
        for name in ("idnumber", "tags"):
            if getattr(rec, name) is not None:
                fields[name] = getattr(rec, name)
    return fields


def _plain_number(value) -> str:
    return format(Decimal(str(value)).normalize(), "f")


def _stored_answers(rec: QuestionRecord) -> list[dict]:
    """``Question.answers`` for a record: empty when the plain fields say it all."""
    if rec.type == "true_false":
        if any(a.get("feedback") for a in rec.answers):
            return [
                {"value": bool(a["value"]), "feedback": a.get("feedback", "")}
                for a in rec.answers
            ]
        return []
    answers = graded_answers(rec)
    if rec.type == "short":
        simple = all(
            Decimal(str(a["fraction"])) == 1
            and not a.get("feedback")
            and "*" not in a["text"]
            for a in answers
        )
        if simple:
            return []
        return [
            {
                "text": a["text"],
                "fraction": _plain_number(a["fraction"]),
                "feedback": a.get("feedback", ""),
            }
            for a in answers
        ]
    if rec.type == "numeric":
        simple = len(answers) == 1 and (
            Decimal(str(answers[0]["fraction"])) == 1
            and not answers[0].get("feedback")
            and answers[0]["value"] != "*"
        )
        if simple:
            return []
        return [
            {
                "value": a["value"],
                "tolerance": _plain_number(a.get("tolerance") or 0),
                "fraction": _plain_number(a["fraction"]),
                "feedback": a.get("feedback", ""),
            }
            for a in answers
        ]
    return []


def _answer_key(rec: QuestionRecord) -> tuple:
    """What a question asks for: its type and how each answer is marked."""
    return (
        rec.type,
        tuple((o["text"], _plain_number(o["fraction"])) for o in rec.options),
        rec.correct_bool if rec.type == "true_false" else None,
        tuple(
            (
                str(a.get("text", a.get("value"))),
                _plain_number(a.get("fraction", 1)),
                _plain_number(a.get("tolerance") or 0),
            )
            for a in graded_answers(rec)
        ),
    )


def _match_identities(records: list[QuestionRecord]) -> list[RowError]:
    """Give untitled records the code of the same question already in the bank, and
    list every record that would change an existing question's type or answers
    (a conflict: the file is refused rather than a question silently changed)."""
    questions = Question.objects.select_related("category").prefetch_related(
        "options", "indicators", "business_lines"
    )
    paths = {rec.category for rec in records if rec.derived_code}
    by_fingerprint: dict[str, str] = {}
    if paths:
        for question in questions.filter(category__path__in=paths):
            existing = record_from_question(question)
            by_fingerprint.setdefault(record_fingerprint(existing), question.code)
    for rec in records:
        if rec.derived_code:
            rec.code = by_fingerprint.get(record_fingerprint(rec), rec.code)
    existing_by_code = {
        q.code: record_from_question(q)
        for q in questions.filter(code__in=[r.code for r in records])
    }
    errors = []
    for rec in records:
        existing = existing_by_code.get(rec.code)  # type: ignore[assignment]
        if existing is None or _answer_key(existing) == _answer_key(rec):
            continue
        if existing.type != rec.type:
            message = _(
                'conflict: question "%(code)s" is already in the bank as a '
                "%(old)s question and this file would make it %(new)s; give it a "
                "new code or change it in the bank"
            ) % {
                "code": rec.code,
                "old": Question.Type(existing.type).label,
                "new": Question.Type(rec.type).label,
            }
        else:
            message = _(
                'conflict: question "%(code)s" is already in the bank with other '
                "answers or marks; give it a new code or change it in the bank"
            ) % {"code": rec.code}
        errors.append(RowError(rec.line, "code", message))
    return errors


def _record_errors(rec: QuestionRecord, indicators: dict, lines: dict) -> list:
    errors = [
        RowError(
            rec.line, "indicators", _('unknown indicator "%(code)s"') % {"code": code}
        )
        for code in rec.indicators or []
        if code not in indicators
    ]
    errors += [
        RowError(
            rec.line,
            "business_lines",
            _('unknown business line "%(code)s"') % {"code": code},
        )
        for code in rec.business_lines or []
        if code not in lines
    ]
    if len(rec.code) > 64:
        errors.append(
            RowError(rec.line, "code", _("the code is longer than 64 characters"))
        )
    if len(rec.options) > 8:
        errors.append(RowError(rec.line, "options", _("at most 8 options")))
    # What the columns cannot hold is refused here, not by the database mid-import.
    for model, column, values in (
        (Category, "path", [rec.category]),
        (Category, "name", rec.category.split("/")),
        (Option, "text", [o["text"] for o in rec.options]),
        (Option, "feedback", [o.get("feedback", "") for o in rec.options]),
    ):
        for value in values:
            try:
                model._meta.get_field(column).run_validators(value)  # type: ignore[union-attr]
            except ValidationError as error:
                errors.append(RowError(rec.line, column, " ".join(error.messages)))
                break
    return errors


def questions_import_file(
    *,
    table: Table | None = None,
    data: bytes | None = None,
    filename: str = "",
    format: str | None = None,
    category: str | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> ImportSummary:
    """Import a GIFT, Aiken, CSV or XLSX file's bytes (the admin's import job).

    The format comes from ``format`` or the file name; everything else is
    ``questions_import``: all or nothing, errors with their line or row.
    """
    from ..formats.reading import guess_format, load_questions

    if table is None:
        fmt = format or guess_format(filename)
        if data is None or not fmt:
            raise ImportRejected(
                [RowError(0, "format", _("unknown format: %s") % (fmt or filename))]
            )
        table = load_questions(
            data, format=fmt, filename=filename, category=category or ""
        )
    return questions_import(
        table=table, dry_run=dry_run, progress=progress, category=category or None
    )


def question_records(*, category: str | None = None) -> list[QuestionRecord]:
    """The bank (or one category and its sub-categories) as records, ordered for export."""
    questions = Question.objects.select_related("category").prefetch_related(
        "options", "indicators", "business_lines"
    )
    if category:
        path = "/".join(p.strip() for p in category.split("/") if p.strip())
        questions = questions.filter(
            Q(category__path=path) | Q(category__path__startswith=path + "/")
        )
    return [
        record_from_question(q) for q in questions.order_by("category__path", "code")
    ]


class Fraction(CellType):
    """A share of the question's points, 0–1."""

    sample = "0.8"

    @property
    def description(self) -> str:  # type: ignore[override]
        return _("a fraction between 0 and 1")

    def clean(self, text, lookups):
        try:
            score = Decimal(text)
            if not score.is_finite() or not 0 <= score <= 1:
                raise ValueError
        except (ValueError, ArithmeticError):
            raise CellError(_("the score must be a fraction between 0 and 1")) from None
        return score


def sample_codes() -> dict[str, str]:
    """An existing question code, for the data-import page's sample files."""
    code = Question.objects.values_list("code", flat=True).first()
    return {"questions": code} if code else {}


RESULT_SCHEMA = Schema(
    Column(
        "staff_no",
        Ref("staff", gettext_lazy('unknown staff number "%(code)s"')),
        "工号",
        ("人员编号",),
        required=True,
    ),
    Column(
        "question_code",
        Ref("questions", gettext_lazy('unknown question "%(code)s"')),
        "试题代码",
        ("题目代码", "试题编号"),
        required=True,
    ),
    Column("score", Fraction(), "得分率", ("得分",), required=True),
    Column("answered_on", Date(), "作答日期", ("考试日期",), required=True),
    key=["staff_no", "question_code", "answered_on"],
    duplicate=gettext_lazy("the same result appears twice"),
    kind="results",
)


def results_import(
    *,
    table: Table,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> ImportSummary:
    """External results: ``staff_no, question_code, score, answered_on`` (score 0–1).

    Lookups and writes go in batches: 100,000 rows take seconds, not minutes.
    """
    lookups = {
        "staff": dict(StaffProfile.objects.values_list("staff_no", "user_id")),
        "questions": dict(Question.objects.values_list("code", "pk")),
    }
    parsed = RESULT_SCHEMA.parse(table, lookups)
    parsed.raise_errors()
    existing = {}
    users = list({row["staff_no"] for row in parsed.rows})
    for part in chunks(users):
        for pk, user_id, question_id, day, score in ExternalResult.objects.filter(
            user_id__in=part
        ).values_list("pk", "user_id", "question_id", "answered_on", "score"):
            existing[(user_id, question_id, day)] = (pk, score)
    summary = ImportSummary()
    new, changed = [], []
    for row in parsed.rows:
        values = row.values
        key = (values["staff_no"], values["question_code"], values["answered_on"])
        stored = existing.get(key)
        if stored is None:
            new.append((*key, values["score"]))
        elif stored[1] != values["score"]:
            changed.append(ExternalResult(pk=stored[0], score=values["score"]))
            summary.record(
                "updated",
                row=row.number,
                key=str(row.number),
                fields={"score": [str(stored[1]), str(values["score"])]},
            )
        else:
            summary.unchanged += 1
    summary.created = len(new)
    total, done = len(new) + len(changed), 0
    fields = ["user_id", "question_id", "answered_on", "score"]
    for part in chunks(new, 10000):
        insert_rows(ExternalResult, fields, part)
        done += len(part)
        if progress:
            progress(done, total)
    for part in chunks(changed, 2000):
        bulk_update(part, ["score"])
        done += len(part)
        if progress:
            progress(done, total)
    return summary
