"""Services: import indicator values, compute and store analysis snapshots, and start a
campaign for a gap.

The analysis itself is in ``insights.analytics`` (pure pandas); this module turns the
records of ``insights.selectors`` into its input frames and its output into the plain
JSON a snapshot stores.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import DecimalValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.batch import run_isolated
from config.sql import bulk_update, insert_rows
from config.tasks import send_on_commit
from organisation.columns import CLEAR, CellError, CellType, Column, Number, Ref, Schema
from organisation.models import Indicator, Unit
from organisation.tabular import (
    ImportSummary,
    RowError,
    Table,
    parse_decimal,
)

from . import analytics, selectors, sql
from .cells import CELL_FIELDS, CELL_LISTS, CELL_MEASURES, PRIORITY_BASIS
from .models import AnalysisRun, GapCell, GapSnapshot, IndicatorValue
from .periods import period_parse

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.contrib.auth.models import User

    from learning.campaigns.models import Campaign


class InsightsError(Exception):
    """A request the insights app cannot carry out; the message is translated."""


# Importing indicator values --------------------------------------------------------

RATIO_RE = re.compile(r"^\s*([0-9.]+)\s*[:：]\s*([0-9.]+)\s*$")


def parse_indicator_value(text: str) -> Decimal:
    """``1:1.31`` → 1.31 (a:b → b/a); ``35%`` → 0.35; otherwise a plain number."""
    text = text.strip()
    ratio = RATIO_RE.match(text)
    if ratio:
        left, right = parse_decimal(ratio[1]), parse_decimal(ratio[2])
        if left <= 0:
            raise ValueError(
                _('a ratio must start with a positive number, got "%(value)s"')
                % {"value": text}
            )
        return _storable(right / left)
    if text.endswith(("%", "％")):
        return _storable(parse_decimal(text[:-1]) / 100)
    if ":" in text or "：" in text:
        raise ValueError(
            _('expected a ratio such as 1:1.31, got "%(value)s"') % {"value": text}
        )
    return _storable(parse_decimal(text))


def _storable(value: Decimal, *, digits: int = 16, places: int = 6) -> Decimal:
    """``value`` rounded to ``places``; ValueError when a column of ``digits`` digits,
    ``places`` of them after the point, cannot hold it (the database would refuse it
    in the middle of the import)."""
    whole = digits - places
    if value.adjusted() < whole:
        value = value.quantize(Decimal(1).scaleb(-places))
        if abs(value) < Decimal(10) ** whole:
            return value
    raise ValueError(DecimalValidator.messages["max_whole_digits"] % {"max": whole})


class _Procuratorate(Ref):
    """A unit code that names a procuratorate, not a department."""

    def clean(self, text, lookups):
        unit = super().clean(text, lookups)
        if unit.level == Unit.Level.DEPARTMENT:
            raise CellError(
                _(
                    '"%(code)s" is a department; indicator values belong to a '
                    "procuratorate"
                )
                % {"code": text}
            )
        return unit


class _Period(CellType):
    description = "2025, 2025H1, 2025Q3, 2025-07"
    sample = "2025"

    def clean(self, text, lookups):
        try:
            return period_parse(text)
        except ValueError:
            raise CellError(
                _(
                    "expected a period such as 2025, 2025H1, 2025Q3 or 2025-07, "
                    'got "%(value)s"'
                )
                % {"value": text}
            ) from None


class _Value(CellType):
    description = "0.35, 35%, 1:1.31"
    sample = "0.35"

    def clean(self, text, lookups):
        try:
            return parse_indicator_value(text)
        except ValueError as exc:
            raise CellError(str(exc)) from None


class _Part(Number):
    def clean(self, text, lookups):
        try:
            return _storable(super().clean(text, lookups), places=4)
        except ValueError as exc:
            raise CellError(str(exc)) from None


VALUE_SCHEMA = Schema(
    Column(
        "unit_code",
        _Procuratorate("units", gettext_lazy('unknown unit "%(code)s"')),
        "单位代码",
        ("单位",),
        required=True,
    ),
    Column(
        "indicator_code",
        Ref("indicators", gettext_lazy('unknown indicator "%(code)s"')),
        "指标代码",
        ("指标",),
        required=True,
    ),
    Column("period", _Period(), "统计期间", ("期间", "时间段"), required=True),
    Column("value", _Value(), "指标值", ("数值", "值"), required=True),
    Column("numerator", _Part(), "分子", on_empty=CLEAR),
    Column("denominator", _Part(), "分母", on_empty=CLEAR),
    key=["unit_code", "indicator_code", "period"],
    duplicate=gettext_lazy("%(key)s appears twice (also on row %(row)s)"),
    kind="indicator_values",
)


NEW_VALUE_FIELDS = [
    "unit_id",
    "indicator_id",
    "period",
    "kind",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
]


def indicator_values_import(
    *,
    table: Table,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
    **options: Any,
) -> ImportSummary:
    """Upsert indicator values by (unit, indicator, period); all-or-nothing.

    Refuses unknown unit or indicator codes, departments (values describe
    procuratorates), malformed periods and values, and a (unit, indicator, period)
    written twice. A numerator or denominator column absent from the file leaves
    the stored one as it is. After a real import the snapshots of the touched
    periods are recomputed (queued once the transaction commits).
    """
    lookups = {
        "units": {u.code: u for u in Unit.objects.all()},
        "indicators": {i.code: i for i in Indicator.objects.all()},
    }
    parsed = VALUE_SCHEMA.parse(table, lookups)  # type: ignore[arg-type]
    for row in parsed.rows:
        if row.get("denominator") is not None and row["denominator"] == 0:
            parsed.errors.append(
                RowError(row.number, "denominator", _("the denominator cannot be zero"))
            )
    parsed.raise_errors()
    parsed = [  # type: ignore[assignment]
        {
            "unit": row["unit_code"],
            "indicator": row["indicator_code"],
            "period": row["period"],
            "row": row.number,
        }
        | {k: row[k] for k in ("value", "numerator", "denominator") if k in row}
        for row in parsed.rows
    ]

    existing = {
        (v.unit_id, v.indicator_id, v.period): v
        for v in IndicatorValue.objects.filter(
            period__in={p["period"].text for p in parsed}  # type: ignore[attr-defined]
        )
    }
    summary = ImportSummary()
    to_create, to_update = [], []
    for item in parsed:  # type: ignore[attr-defined]
        period = item["period"]
        current = existing.get((item["unit"].id, item["indicator"].id, period.text))
        fields = [f for f in ("value", "numerator", "denominator") if f in item]
        if current is None:
            to_create.append(
                (
                    item["unit"].id,
                    item["indicator"].id,
                    period.text,
                    period.kind,
                    period.start,
                    period.end,
                    item["value"],
                    item.get("numerator"),
                    item.get("denominator"),
                )
            )
            continue
        changes = {
            f: [_text(getattr(current, f)), _text(item[f])]
            for f in fields
            if _differs(getattr(current, f), item[f])
        }
        if not changes:
            summary.unchanged += 1
            continue
        for f in fields:
            setattr(current, f, item[f])
        to_update.append(current)
        summary.record(
            "updated",
            row=item["row"],
            key=f"{item['unit'].code} / {item['indicator'].code} / {period.text}",
            fields=changes,
        )
    total = len(to_create) + len(to_update)
    for done in range(0, len(to_create), 10000):
        insert_rows(IndicatorValue, NEW_VALUE_FIELDS, to_create[done : done + 10000])
        if progress:
            progress(min(done + 10000, len(to_create)), total)
    bulk_update(to_update, ["value", "numerator", "denominator", "updated_at"])
    summary.created, summary.updated = len(to_create), len(to_update)
    touched = sorted({p["period"].text for p in parsed})  # type: ignore[attr-defined]
    summary.extra["periods"] = touched
    if not dry_run and (to_create or to_update):
        snapshots_schedule(periods=touched)
    return summary


def _text(value) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")


def _differs(old, new) -> bool:
    if old is None or new is None:
        return old is not new
    return Decimal(old) != Decimal(new)


# Computing snapshots ---------------------------------------------------------------


def tier_rule() -> analytics.TierRule:
    config = getattr(settings, "INSIGHTS_TIER_RULE", {}) or {}
    return analytics.TierRule(
        rate_band=float(config.get("rate_band", 0.05)),
        ratio_band=float(config.get("ratio_band", 0.1)),
    )


def _clean(value):
    """JSON-safe: NaN/NA → None, numpy scalars → Python numbers."""
    if value is None:
        return None
    try:
        if value != value:  # NaN
            return None
    except (TypeError, ValueError):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        if math.isinf(value):
            return None
        return round(value, 6)
    return value


def _analyse(period_text: str, timings: dict | None = None):
    """Gather the records and run the analysis for one period.

    Returns ``(result, rows, meta)``: the :class:`analytics.GapAnalysis`, its
    :func:`analytics.cell_rows` and the province-wide part of a snapshot (period,
    correlations, difference-in-differences, indicator and course names, method).
    ``timings`` (if given) receives the seconds spent extracting and analysing.
    Raises InsightsError when the period is malformed or has no indicator values.
    """
    try:
        period = period_parse(period_text)
    except ValueError:
        raise InsightsError(
            _('"%(value)s" is not a period such as 2025, 2025H1, 2025Q3 or 2025-07')
            % {"value": period_text}
        )
    if not IndicatorValue.objects.filter(period=period.text).exists():
        raise InsightsError(
            _("There are no indicator values for %(period)s.") % {"period": period.text}
        )
    A = analytics
    clock = time.perf_counter()
    same_kind = [p for p in selectors.value_periods() if p.kind == period.kind]
    same_kind = [p for p in same_kind if p.end <= period.end]
    min_group = getattr(settings, "MIN_GROUP_SIZE", 5)
    # The answers stream in as plain arrays and are summed per person and indicator:
    # ten million answers never become Python objects.
    unit_sums = selectors.score_sum_records(until=period.end)
    frames = {
        "values": A.frame(
            selectors.value_records(kind=period.kind, until=period.end),
            A.VALUE_COLUMNS,
        ),
        "indicators": A.frame(
            selectors.indicator_records(period.start.year), A.INDICATOR_COLUMNS
        ),
        "staff": A.frame(selectors.staff_records(), A.STAFF_COLUMNS),
        "completions": A.frame(
            selectors.completion_records(until=period.end), A.COMPLETION_COLUMNS
        ),
        "course_indicators": A.frame(
            selectors.course_indicator_records(), A.COURSE_INDICATOR_COLUMNS
        ),
        "unit_scores": A.frame(unit_sums, A.UNIT_SCORE_COLUMNS),
        "exposure": A.frame(selectors.exposure_records(same_kind), A.EXPOSURE_COLUMNS),
    }
    extracted = time.perf_counter()
    need = analytics.NeedRule()
    result = A.analyse(
        period=period.text,
        rule=tier_rule(),
        need_rule=need,
        min_group=min_group,
        **frames,
    )
    del frames
    rows = A.cell_rows(result)
    indicator_codes = set(rows["indicator_code"])
    rule = tier_rule()
    meta = {
        "period": period.text,
        "correlations": A.payload_part(result.correlations),
        "did": A.payload_part(result.did),
        "indicators": {
            i.code: {
                "name": i.name,
                "name_en": i.name_en,
                "direction": i.direction,
                "ratio": selectors.is_ratio_indicator(i.code),
                "gaming_caution": i.gaming_caution,
            }
            for i in Indicator.objects.filter(code__in=indicator_codes)
        },
        "courses": selectors.course_titles(set(result.courses["course_code"])),
        "method": {
            "rate_band": rule.rate_band,
            "ratio_band": rule.ratio_band,
            "min_group": min_group,
            "full_people": need.full_people,
            "full_width": need.full_width,
            "shortfall_span": need.shortfall_span,
            "trained_share": need.trained_share,
            "priority_formula": A.PRIORITY_FORMULA,
        },
    }
    if timings is not None:
        timings["extract_s"] = extracted - clock
        timings["analyse_s"] = time.perf_counter() - extracted
    return result, rows, meta


def analysis_compute(period_text: str) -> dict:
    """Run the analysis for one period and return it as one JSON-ready payload.

    ``cells`` (highest priority first), ``history``, ``units`` and the province-wide
    parts of :func:`_analyse`. Raises InsightsError (see there).
    """
    result, rows, meta = _analyse(period_text)
    payload = analytics.payload(result, rows) | meta
    unit_codes = {c["unit_code"] for c in payload["cells"]}
    payload["units"] = {
        u.code: {"name": u.name, "level": u.level, "path": u.path}
        for u in Unit.objects.filter(code__in=unit_codes)
    }
    return payload


CELL_COLUMNS = ["rank", "in_period", *CELL_MEASURES]


def _rows_from_payload(payload: dict):
    """A payload's cells and history (the former JSON-only snapshot) as cell rows."""
    import pandas as pd

    cells = list(payload.get("cells", []))
    history = payload.get("history", {})
    seen = set()
    records = []
    for cell in cells:
        key = (cell["unit_code"], cell["indicator_code"])
        seen.add(key)
        records.append(
            {
                **cell,
                "in_period": True,
                "history": history.get(key[0], {}).get(key[1], []),
            }
        )
    for unit_code, indicators in history.items():
        for indicator_code, points in indicators.items():
            if (unit_code, indicator_code) not in seen:
                records.append(
                    {
                        "unit_code": unit_code,
                        "indicator_code": indicator_code,
                        "level": payload.get("units", {})
                        .get(unit_code, {})
                        .get("level"),
                        "people": 0,
                        "in_period": False,
                        "history": points,
                    }
                )
    columns = CELL_FIELDS + CELL_LISTS + ["in_period"]
    rows = pd.DataFrame.from_records(records, columns=columns).astype(object)
    rows = rows.where(rows.notna(), None)
    for column in CELL_LISTS:
        rows[column] = [v if isinstance(v, list) else [] for v in rows[column]]
    rows["rank"] = range(len(rows))
    return rows


_JSON_SPECIAL = re.compile(r'["\\\x00-\x1f]')
_json_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_text(value) -> str:
    """``value`` as compact JSON. A list of plain strings (staff numbers, course
    codes: millions of them in a national snapshot) is joined directly; the text is
    the same as the encoder's, which escapes only quotes, backslashes and control
    characters when it leaves other characters as they are."""
    if isinstance(value, list) and all(type(item) is str for item in value):
        joined = '","'.join(value)
        if not _JSON_SPECIAL.search(joined):
            return f'["{joined}"]' if value else "[]"
    return _json_dumps(value)


def _cells_write(snapshot: GapSnapshot, rows) -> int:
    """Replace the snapshot's rows: COPY on PostgreSQL, batched inserts elsewhere."""
    GapCell.objects.filter(snapshot=snapshot).delete()
    unit_ids = dict(
        Unit.objects.filter(code__in=set(rows["unit_code"])).values_list("code", "pk")
    )
    known = rows["unit_code"].isin(unit_ids.keys()).to_numpy()
    if not known.all():  # a unit deleted since the values were imported
        rows = rows[known]
    columns = {c: rows[c].tolist() for c in CELL_COLUMNS + CELL_LISTS}
    for column in ("rank", "people", "headcount"):  # a float column when some is NaN
        columns[column] = [None if v is None else int(v) for v in columns[column]]
    for column in ("level", "tier", "band", "remedy"):  # text columns are not null
        columns[column] = ["" if v is None else v for v in columns[column]]
    units = [unit_ids[c] for c in rows["unit_code"].tolist()]
    count = len(units)
    if connection.vendor == "postgresql":
        names = ["snapshot_id", "unit_id"] + CELL_COLUMNS + CELL_LISTS
        scalars = [columns[c] for c in CELL_COLUMNS]
        lists = [columns[c] for c in CELL_LISTS]
        sql.cells_copy(
            GapCell._meta.db_table,
            names,
            (
                (snapshot.pk, unit, *values[: len(scalars)])
                + tuple(_json_text(v) for v in values[len(scalars) :])
                for unit, *values in zip(units, *scalars, *lists, strict=True)
            ),
        )
        return count
    GapCell.objects.bulk_create(
        (
            GapCell(
                snapshot=snapshot,
                unit_id=unit,
                **dict(zip(CELL_COLUMNS + CELL_LISTS, values, strict=True)),
            )
            for unit, *values in zip(
                units, *(columns[c] for c in CELL_COLUMNS + CELL_LISTS), strict=True
            )
        ),
        batch_size=1000,
    )
    return count


@transaction.atomic
def _snapshot_write(*, period_text: str, meta: dict, rows) -> GapSnapshot:
    period = period_parse(period_text)
    snapshot, _created = GapSnapshot.objects.update_or_create(
        period=period.text,
        defaults={
            "period_end": period.end,
            "computed_at": timezone.now(),
            "payload": meta,
        },
    )
    _cells_write(snapshot, rows)
    return snapshot


def snapshot_store(*, period_text: str, payload: dict) -> GapSnapshot:
    """Create or replace the snapshot of one period from a whole payload
    (:func:`analysis_compute`): cells and history become rows, the rest is kept."""
    meta = {k: v for k, v in payload.items() if k not in ("cells", "history", "units")}
    return _snapshot_write(
        period_text=period_text, meta=meta, rows=_rows_from_payload(payload)
    )


def snapshot_refresh(period_text: str, timings: dict | None = None) -> GapSnapshot:
    """Recompute and store one period's snapshot. ``timings`` (if given) receives
    the seconds spent extracting, analysing and writing."""
    result, rows, meta = _analyse(period_text, timings)
    del result
    started = time.perf_counter()
    snapshot = _snapshot_write(period_text=period_text, meta=meta, rows=rows)
    if timings is not None:
        timings["write_s"] = time.perf_counter() - started
        timings["cells"] = len(rows)
    return snapshot


def snapshots_schedule(*, periods: list[str] | None = None) -> AnalysisRun:
    """Record a run and queue the recomputation once the current transaction commits."""
    from .tasks import snapshots_recompute

    run = AnalysisRun.objects.create(periods=periods or [])
    send_on_commit(snapshots_recompute, run.pk)
    return run


def snapshots_run(run: AnalysisRun) -> AnalysisRun:
    """Recompute the run's periods (all periods with values when it names none).

    Each period is stored in its own transaction, so progress is visible and a rerun
    after a crash simply recomputes.
    """
    periods = run.periods or [p.text for p in selectors.value_periods()]
    run.status, run.progress = AnalysisRun.Status.RUNNING, 0
    run.save(update_fields=["status", "progress"])
    done = 0

    def refresh(text: str) -> None:
        nonlocal done
        if IndicatorValue.objects.filter(period=text).exists():
            snapshot_refresh(text)
        done += 1
        run.progress = round(100 * done / max(len(periods), 1))
        run.save(update_fields=["progress"])

    # One period that cannot be computed must not leave the other periods stale.
    outcome = run_isolated(periods, refresh, what="refreshing a gap snapshot")
    if outcome.failed:
        run.status = AnalysisRun.Status.FAILED
        run.message = ", ".join(outcome.failures)[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "message", "finished_at"])
        return run
    run.status, run.finished_at, run.progress = (
        AnalysisRun.Status.DONE,
        timezone.now(),
        100,
    )
    run.save(update_fields=["status", "finished_at", "progress"])
    return run


# Acting on a gap -------------------------------------------------------------------


def gap_campaign_create(
    *, user: User, period: str, unit_code: str, indicator_code: str
) -> Campaign:
    """Create a campaign for one training need: that unit's subtree and the
    recommended courses.

    The caller has checked that the user may manage campaigns; the need is looked up
    in the user's scoped snapshot, so a unit outside it is refused. A campaign on an
    indicator with a gaming caution is titled as learning what the indicator means,
    never as raising it. Raises InsightsError.
    """
    from learning.campaigns.services import CampaignError, campaign_create
    from learning.models import CoursePage

    scoped = selectors.snapshot_for(user, period)
    cell = None
    if scoped is not None:
        cell = next(
            (
                c
                for c in scoped.cells
                if c["unit_code"] == unit_code and c["indicator_code"] == indicator_code
            ),
            None,
        )
    if cell is None:
        raise InsightsError(_("This training need is not in the analysis you can see."))
    if not cell["recommended_courses"]:
        raise InsightsError(
            _("No course targets this indicator that the unit has not completed.")
        )
    unit = Unit.objects.get(code=unit_code)
    indicator = Indicator.objects.get(code=indicator_code)
    today = timezone.localdate()
    code = f"GAP-{unit_code}-{indicator_code}"[:33] + f"-{today:%y%m%d}"
    courses = list(CoursePage.objects.filter(code__in=cell["recommended_courses"]))
    names = {"indicator": indicator.name, "unit": unit.name}
    if indicator.gaming_caution:
        title = (
            _("Understanding what %(indicator)s measures: training for %(unit)s")
            % names
        )
    elif cell["remedy"] == "refresher":
        title = _("%(indicator)s: refresher and practice for %(unit)s") % names
    else:
        title = _("%(indicator)s: targeted training for %(unit)s") % names
    try:
        with transaction.atomic():
            return campaign_create(
                code=code,
                title=title[:200],
                courses=courses,
                units=[unit],
                starts_on=today,
                due_on=today + dt.timedelta(days=60),
                created_by=user,
            )
    except CampaignError as exc:
        raise InsightsError(str(exc))


# The keys of each gap in the JSON of ``gap_analysis``: the fixed interface first
# (``tier`` and ``standing`` stay for compatibility; pages and exports never show
# them), then the need's comparison band, remedy and the basis of its priority.
GAP_FIELDS = [
    "unit_code",
    "indicator_code",
    "tier",
    "standing",
    "mastery",
    "completion_rate",
    "priority",
    "recommended_courses",
    "staff_to_remediate",
    "band",
    "remedy",
]
# Plain-language notes that head every page and export of the analysis.
NOTES = [
    "internal self-diagnosis aid; units are not ranked or reported (since October "
    "2024 indicators are not used to rank or report units)",
    "associations across units, not causes",
]


def _gap(cell: dict) -> dict:
    gap = {k: cell.get(k) for k in GAP_FIELDS}
    gap["course_review"] = cell.get("remedy") == "refresher"
    gap["priority_basis"] = {k: cell.get(f) for k, f in PRIORITY_BASIS.items()}
    return gap


def gap_report(payload: dict) -> dict:
    """The fixed JSON shape of ``gap_analysis`` (DESIGN.md) from a snapshot payload,
    with the method (the priority formula and its parameters) and the notes."""
    return {
        "period": payload["period"],
        "notes": NOTES,
        "method": payload.get("method", {}),
        "correlations": [
            {
                "indicator_code": c["indicator_code"],
                "metric": c["metric"],
                "rho": c["rho"],
                "p_value": c["p_value"],
                "n_units": c["n_units"],
                "ci_low": c["ci_low"],
                "ci_high": c["ci_high"],
            }
            for c in payload["correlations"]
        ],
        "gaps": [_gap(c) for c in payload["cells"]],
        "difference_in_differences": payload.get("did", []),
    }
