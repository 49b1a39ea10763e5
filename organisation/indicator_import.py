"""Importer of the indicator catalogue.

Declared like the roster's (see :mod:`organisation.columns`): the whole file is
validated and planned before anything is written, an absent column is never
written, and every planned change is kept in the summary.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from config.sql import bulk_update, insert_rows

from .columns import (
    CLEAR,
    Choice,
    Code,
    Column,
    Number,
    Ref,
    Row,
    Schema,
    Text,
    chunks,
    diff_fields,
)
from .importers import Progress, _tick
from .models import BusinessLine, Indicator
from .tabular import ImportSummary, RowError, Table

# Cross-line groups written in the catalogue instead of a line.
BRANCH_CODES = {"criminal"}
DIRECTION_WORDS = {d.value: d.value for d in Indicator.Direction} | {
    "越高越好": "higher_better",
    "越低越好": "lower_better",
    "区间": "range",
}

INDICATOR_SCHEMA = Schema(
    Column("code", Code(60), "指标代码", ("代码",), required=True),
    Column("name_zh", Text(120), "指标名称", ("名称",), required=True),
    Column("name_en", Text(200), "英文名称", required=True, on_empty=CLEAR, cleared=""),
    Column(
        "business_line",
        Ref("lines", _('unknown business line "%(code)s"')),
        "业务条线",
        ("条线",),
        required=True,
        on_empty=CLEAR,
    ),
    Column("direction", Choice(DIRECTION_WORDS), "方向", required=True),
    Column("target_low", Number(), "目标下限", required=True, on_empty=CLEAR),
    Column("target_high", Number(), "目标上限", required=True, on_empty=CLEAR),
    Column("business_line_zh", Text(60), "条线分组", on_empty=CLEAR, cleared=""),
    Column("business_line_en", Text(100), "条线分组英文", on_empty=CLEAR, cleared=""),
    Column("formula_zh", Text(4000), "计算公式", ("公式",), on_empty=CLEAR, cleared=""),
    Column("provenance", Text(4000), "来源", on_empty=CLEAR, cleared=""),
    Column(
        "gaming_caution_zh",
        Text(4000),
        "误用提示",
        ("使用提示",),
        on_empty=CLEAR,
        cleared="",
    ),
    key=["code"],
    duplicate=_('duplicate code "%(key)s" (also on row %(row)s)'),
    kind="indicators",
)
INDICATOR_FIELDS = {
    "name_zh": "name",
    "name_en": "name_en",
    "business_line": "business_line",
    "business_line_zh": "business_line_group",
    "formula_zh": "formula",
    "direction": "direction",
    "provenance": "provenance",
    "target_low": "target_low",
    "target_high": "target_high",
    "gaming_caution_zh": "gaming_caution",
}


def indicators_import(
    *, table: Table, dry_run: bool = False, progress: Progress = None, **options
) -> ImportSummary:
    """Upsert the indicator catalogue by code (the columns of the shipped indicators.csv)."""
    lines = {b.code: b for b in BusinessLine.objects.all()}
    lines.update({code: _Branch(code) for code in BRANCH_CODES})
    parsed = INDICATOR_SCHEMA.parse(table, {"lines": lines})
    for row in parsed.rows:
        if row.get("direction") == "range" and (
            row.get("target_low") is None or row.get("target_high") is None
        ):
            parsed.errors.append(
                RowError(
                    row.number,
                    "target_low",
                    _("a range indicator needs target_low and target_high"),
                )
            )
    parsed.raise_errors()
    existing = {i.code: i for i in Indicator.objects.select_related("business_line")}
    summary = ImportSummary()
    fields = sorted(
        INDICATOR_FIELDS[n] for n in parsed.present if n in INDICATOR_FIELDS
    )
    defaults = {f.name: f.get_default() for f in Indicator._meta.concrete_fields}
    new, changed = [], []
    for row in parsed.rows:
        current = existing.get(row["code"])
        wanted = _indicator_plan(row, current, summary)
        if wanted is None:
            continue
        if current is not None:
            changed.append(current)
            continue
        new.append(
            (
                row["code"],
                *(_stored(wanted.get(name, defaults[name])) for name in fields),
            )
        )
    columns = ["code", *(f + "_id" if f == "business_line" else f for f in fields)]
    total, done = len(new) + len(changed), 0
    for part in chunks(new, 10000):
        insert_rows(Indicator, columns, part)
        done += len(part)
        _tick(progress, done, total)
    for part in chunks(changed, 500):
        bulk_update(part, fields)
        done += len(part)
        _tick(progress, done, total)
    return summary


def _indicator_plan(
    row: Row, current: Indicator | None, summary: ImportSummary
) -> dict | None:
    """The fields the row wants (set on ``current`` when stored), or None when
    nothing changes."""
    wanted = {
        INDICATOR_FIELDS[k]: (None if isinstance(v, _Branch) else v)
        for k, v in row.values.items()
        if k in INDICATOR_FIELDS
    }
    view = {k: getattr(current, k) for k in wanted} if current else {}
    changes = diff_fields(view, wanted)
    if current is not None and not changes:
        summary.unchanged += 1
        return None
    if current is not None:
        for key, value in wanted.items():
            setattr(current, key, value)
    action = "updated" if current else "created"
    summary.record(action, row=row.number, key=row["code"], fields=changes)
    return wanted


def _stored(value):
    """A value as its column stores it (a business line by its key)."""
    return value.pk if isinstance(value, BusinessLine) else value


class _Branch(str):
    """A cross-line group code: accepted in ``business_line`` but stored as no line."""
