"""Selectors: reads for the gap analysis and for the pages.

Two kinds of reads live here. The analysis gathers plain records (tuples, no pandas)
province-wide, because standing compares every unit of a level; the task that calls
them is not a user. The pages read stored snapshots, and every such read is cut to
the reader's scope (``organisation.selectors.units_visible_to``) before anything is
shown or exported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from organisation.models import Indicator, StaffProfile, Unit
from organisation.permissions import ALL, user_scope_paths
from organisation.selectors import units_visible_to

from .models import GapCell, GapSnapshot, IndicatorEdition, IndicatorValue

PERIOD_RE = re.compile(
    r"^(?P<year>\d{4})(?:(?P<half>[Hh][12])|(?P<quarter>[Qq][1-4])|-(?P<month>\d{1,2}))?$"
)


@dataclass(frozen=True)
class Period:
    text: str
    kind: str
    start: dt.date
    end: dt.date

    @property
    def order(self) -> int:
        return self.start.toordinal()


def period_parse(text: str) -> Period:
    """``2025``, ``2025H1``, ``2025Q3`` or ``2025-07`` → a Period; ValueError otherwise."""
    match = PERIOD_RE.match(text.strip())
    if not match:
        raise ValueError(text)
    year = int(match["year"])
    if not 1990 <= year <= 2100:
        raise ValueError(text)
    if match["half"]:
        half = int(match["half"][1])
        start, months = dt.date(year, 1 + 6 * (half - 1), 1), 6
        kind, label = "half", f"{year}H{half}"
    elif match["quarter"]:
        quarter = int(match["quarter"][1])
        start, months = dt.date(year, 1 + 3 * (quarter - 1), 1), 3
        kind, label = "quarter", f"{year}Q{quarter}"
    elif match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise ValueError(text)
        start, months = dt.date(year, month, 1), 1
        kind, label = "month", f"{year}-{month:02d}"
    else:
        start, months = dt.date(year, 1, 1), 12
        kind, label = "year", str(year)
    end_month = start.month + months
    end_year = year + (end_month - 1) // 12
    end = dt.date(end_year, (end_month - 1) % 12 + 1, 1) - dt.timedelta(days=1)
    return Period(text=label, kind=kind, start=start, end=end)


def is_ratio_indicator(code: str) -> bool:
    """The 案-件比 family (written 1:x) takes the ratio band; every other one is a rate."""
    return code.startswith("case_ratio")


# Records for the analysis ----------------------------------------------------------


def indicators_for(year: int) -> QuerySet[Indicator]:
    """Active indicators of the edition in force in ``year`` (all active ones if none)."""
    indicators = Indicator.objects.filter(active=True)
    editions = [e for e in IndicatorEdition.objects.all() if e.covers(year)]
    if editions:
        indicators = indicators.filter(editions__in=editions).distinct()
    return indicators.order_by("code")


def indicator_records(year: int) -> list[tuple]:
    """(indicator_code, direction, target_low, target_high, is_ratio)."""
    return [
        (
            i.code,
            i.direction,
            float(i.target_low) if i.target_low is not None else float("nan"),
            float(i.target_high) if i.target_high is not None else float("nan"),
            is_ratio_indicator(i.code),
        )
        for i in indicators_for(year)
    ]


def value_records(*, kind: str, until: dt.date) -> list[tuple]:
    """(unit_code, level, indicator_code, period, period_order, value) of one period kind."""
    rows = IndicatorValue.objects.filter(kind=kind, period_end__lte=until).values_list(
        "unit__code",
        "unit__level",
        "indicator__code",
        "period",
        "period_start",
        "value",
    )
    return [
        (u, lv, i, p, start.toordinal(), float(v)) for u, lv, i, p, start, v in rows
    ]


def procuratorate_of() -> dict[int, str]:
    """unit id → code of the procuratorate it belongs to (departments → their parent)."""
    units = list(Unit.objects.values_list("id", "code", "level", "path"))
    level_of = {code: level for _id, code, level, _path in units}
    out = {}
    for unit_id, code, _level, path in units:
        chain = [c for c in path.split("/") if c] or [code]
        owner = next(
            (c for c in reversed(chain) if level_of.get(c) != Unit.Level.DEPARTMENT),
            code,
        )
        out[unit_id] = owner
    return out


def staff_records() -> list[tuple]:
    """(user_id, staff_no, procuratorate code) of every active person on the roster."""
    owner = procuratorate_of()
    return [
        (user_id, staff_no, owner[unit_id])
        for user_id, staff_no, unit_id in StaffProfile.objects.filter(
            active=True
        ).values_list("user_id", "staff_no", "unit_id")
    ]


def completion_records(*, until: dt.date) -> list[tuple]:
    """(user_id, course_code) of current completions up to a date."""
    try:
        from learning.models import CourseCompletion
    except ImportError:  # pragma: no cover - learning is part of the platform
        return []
    return list(
        CourseCompletion.objects.filter(
            superseded=False, completed_on__lte=until
        ).values_list("user_id", "course__code")
    )


def course_indicator_records() -> list[tuple]:
    """(course_code, indicator_code) for live courses."""
    from learning.models import CoursePage

    through = CoursePage.indicators.through
    return list(
        through.objects.filter(coursepage__live=True).values_list(
            "coursepage__code", "indicator__code"
        )
    )


def course_titles(codes) -> dict[str, str]:
    from learning.models import CoursePage

    return dict(
        CoursePage.objects.filter(code__in=list(codes)).values_list("code", "title")
    )


def response_records(*, until: dt.date) -> list[tuple]:
    """(user_id, question_id, score, points) from the assessment engine, up to a date."""
    try:
        from assessments.selectors import scored_response_records
    except ImportError:
        return []
    out = []
    for r in scored_response_records():
        answered = r.get("answered_on")
        if isinstance(answered, dt.datetime):
            answered = answered.date()
        if answered is not None and answered > until:
            continue
        out.append(
            (
                int(r["user_id"]),
                int(r["question_id"]),
                float(r["score"]),
                float(r.get("points") or 1),
            )
        )
    return out


def _score_sum_querysets(until: dt.date):
    """Per person and indicator tag, the sums of points earned (score clipped to 0–1
    × points) and possible, for the platform's finished attempts and for imported
    results up to ``until``: two grouped querysets, as ``response_records`` and
    ``question_indicator_records`` would give them row by row."""
    from django.db.models import Case, F, FloatField, Q, Sum, Value, When
    from django.db.models.functions import Cast, Greatest, Least

    from assessments.models import Attempt, ExternalResult, Response

    def sums(score, points):
        # A question worth 0 points counts as 1, as response_records has it.
        # Floating point per answer, as the analysis has always used them.
        number = FloatField()
        points = Case(
            When(**{points: 0}, then=Value(1.0)),
            default=Cast(points, number),
            output_field=number,
        )
        clipped = Least(
            Greatest(Cast(score, number), Value(0.0), output_field=number),
            Value(1.0),
            output_field=number,
        )
        return {"earned": Sum(clipped * points), "possible": Sum(points)}

    platform = (
        Response.objects.filter(
            item__attempt__status=Attempt.Status.FINISHED,
            item__attempt__preview=False,
            fraction__isnull=False,
            item__question__indicators__isnull=False,
        )
        .filter(
            Q(item__attempt__finished_at__isnull=True)
            | Q(item__attempt__finished_at__date__lte=until)
        )
        .values(
            uid=F("item__attempt__user_id"),
            iid=F("item__question__indicators"),
        )
        .annotate(**sums("fraction", "item__points"))
        .order_by()
    )
    imported = (
        ExternalResult.objects.filter(
            answered_on__lte=until, question__indicators__isnull=False
        )
        .values(uid=F("user_id"), iid=F("question__indicators"))
        .annotate(**sums("score", "question__points"))
        .order_by()
    )
    return platform, imported


def score_sum_records(*, until: dt.date, low_score: float = 0.6):
    """The answers summed in the database, in the two shapes the analysis needs.

    Returns ``(unit_sums, low)``: ``unit_sums`` are (procuratorate code,
    indicator_code, people, earned, possible) over active staff (one person counts
    once per indicator they answered), and ``low`` is a frame ``user_id,
    indicator_code`` of the people on the roster whose share of points on an
    indicator's questions is below ``low_score``. Ten million answers reach Python
    as a few hundred thousand numbers: PostgreSQL sums them per person and indicator
    into a temporary table, then per unit, and the low pairs come back packed.
    """
    import numpy as np
    import pandas as pd
    from django.db import connection, transaction

    from organisation.models import Indicator

    platform, imported = _score_sum_querysets(until)
    parts = []
    params: list = []
    for queryset in (platform, imported):
        sql, qparams = queryset.query.sql_with_params()
        parts.append(sql)
        params.extend(qparams)
    staff_table = StaffProfile._meta.db_table
    codes = dict(Indicator.objects.values_list("pk", "code"))
    owner = procuratorate_of()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Enough memory to hash millions of (person, indicator) groups, so that
            # the planner reads the answers once in table order rather than in
            # person order through an index.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DROP TABLE IF EXISTS insights_score_sums")
        cursor.execute(
            "CREATE TEMPORARY TABLE insights_score_sums AS "
            "SELECT per.uid, per.iid, sum(per.earned) AS earned, "
            "sum(per.possible) AS possible "
            f"FROM ({parts[0]} UNION ALL {parts[1]}) per "
            "GROUP BY per.uid, per.iid",
            params,
        )
        cursor.execute(
            "SELECT sp.unit_id, s.iid, count(*), sum(s.earned), sum(s.possible) "
            f"FROM insights_score_sums s JOIN {staff_table} sp "
            "ON sp.user_id = s.uid AND sp.active GROUP BY sp.unit_id, s.iid"
        )
        unit_rows = cursor.fetchall()
        low_sql = (
            f"FROM insights_score_sums s JOIN {staff_table} sp "
            "ON sp.user_id = s.uid AND sp.active "
            "WHERE s.possible > 0 AND s.earned / s.possible < %s"
        )
        if connection.vendor == "postgresql":
            # Packed as 10-byte big-endian records in a few hundred values: one
            # Python object per thousands of pairs instead of one per pair.
            cursor.execute(
                "SELECT string_agg(int8send(s.uid::int8) || int2send(s.iid::int2), "
                f"''::bytea) {low_sql} GROUP BY s.uid %% 256",
                [low_score],
            )
            record = np.dtype([("uid", ">i8"), ("iid", ">i2")])
            chunks = [np.frombuffer(bytes(b), dtype=record) for (b,) in cursor]
            packed = np.concatenate(chunks) if chunks else np.empty(0, record)
            uid = packed["uid"].astype("int64")
            iid = packed["iid"].astype("int64")
        else:
            cursor.execute(f"SELECT s.uid, s.iid {low_sql}", [low_score])
            pairs = np.array(cursor.fetchall(), dtype="int64").reshape(-1, 2)
            uid, iid = pairs[:, 0], pairs[:, 1]
        cursor.execute("DROP TABLE insights_score_sums")
    # Departments' staff count for their procuratorate.
    totals: dict[tuple[str, str], list] = {}
    for unit_id, indicator_id, people, earned, possible in unit_rows:
        key = (owner[unit_id], codes[indicator_id])
        entry = totals.setdefault(key, [0, 0.0, 0.0])
        entry[0] += people
        entry[1] += float(earned)
        entry[2] += float(possible)
    unit_sums = [(u, i, n, e, p) for (u, i), (n, e, p) in totals.items()]
    ids = np.array(sorted(codes), dtype="int64")
    low = pd.DataFrame(
        {
            "user_id": uid,
            "indicator_code": pd.Categorical.from_codes(
                np.searchsorted(ids, iid), categories=[codes[i] for i in ids]
            ),
        }
    )
    return unit_sums, low


def question_indicator_records() -> list[tuple]:
    """(question_id, indicator_code)."""
    try:
        from assessments.selectors import question_indicator_pairs
    except ImportError:
        return []
    return [
        (int(r["question_id"]), r["indicator_code"]) for r in question_indicator_pairs()
    ]


def exposure_records(periods: list[Period]) -> list[tuple]:
    """(unit_code, indicator_code, first_period_order) for campaigns reaching units.

    A campaign reaches the procuratorates of the units in its audience (their whole
    subtrees, or every unit when it names none); it counts for the indicators its
    courses target, from the first period that began on or after its start.
    """
    try:
        from learning.campaigns.models import Campaign
    except ImportError:
        return []
    if not periods:
        return []
    ordered = sorted(periods, key=lambda p: p.start)
    units = list(
        Unit.objects.exclude(level=Unit.Level.DEPARTMENT).values_list("code", "path")
    )
    out = set()
    try:
        campaigns = Campaign.objects.prefetch_related("courses__indicators", "units")
        for campaign in campaigns:
            first = next((p for p in ordered if p.start >= campaign.starts_on), None)
            if first is None:
                continue
            codes = {i.code for c in campaign.courses.all() for i in c.indicators.all()}
            paths = [u.path for u in campaign.units.all()]
            reached = [
                c
                for c, path in units
                if not paths or any(path.startswith(p) for p in paths)
            ]
            for unit_code in reached:
                for code in codes:
                    out.add((unit_code, code, first.order))
    except (AttributeError, ValueError, TypeError):
        # The campaign schema is not the one this reader expects: no exposure data.
        return []
    # Keep the earliest exposure per unit and indicator.
    earliest: dict[tuple[str, str], int] = {}
    for unit_code, code, order in out:
        key = (unit_code, code)
        earliest[key] = min(order, earliest.get(key, order))
    return [(u, i, o) for (u, i), o in sorted(earliest.items())]


def value_periods() -> list[Period]:
    """Every period that has indicator values, oldest first."""
    texts = IndicatorValue.objects.values_list("period", flat=True).distinct()
    return sorted((period_parse(t) for t in texts), key=lambda p: (p.start, p.end))


# Snapshots for the pages -----------------------------------------------------------


def snapshot_periods() -> list[str]:
    return list(GapSnapshot.objects.values_list("period", flat=True))


def snapshot_get(period: str | None = None) -> GapSnapshot | None:
    """The snapshot of a period, or the latest one."""
    snapshots = GapSnapshot.objects.all()
    if period:
        return snapshots.filter(period=period).first()
    return snapshots.first()


@dataclass
class ScopedSnapshot:
    """A snapshot cut to what one reader may see."""

    snapshot: GapSnapshot
    units: dict  # code → {name, level, path}
    cells: list[dict]  # highest priority first
    indicators: dict

    @property
    def period(self) -> str:
        return self.snapshot.period


# The stored measures of a GapCell, and what a page reads of one.
CELL_MEASURES = [
    "level",
    "indicator_code",
    "value",
    "province_avg",
    "gap",
    "standing",
    "tier",
    "mastery",
    "people",
    "completion_rate",
    "headcount",
    "priority",
]
CELL_FIELDS = CELL_MEASURES + ["recommended_courses", "staff_to_remediate"]


def _cells_visible_to(user, snapshot: GapSnapshot) -> QuerySet:
    """The snapshot's rows of the units the user may see (their subtree for a unit
    leader), through ``units_visible_to``."""
    cells = GapCell.objects.filter(snapshot=snapshot)
    if user_scope_paths(user) is ALL:
        return cells
    return cells.filter(unit__in=units_visible_to(user))


def snapshot_for(user, period: str | None = None) -> ScopedSnapshot | None:
    """The snapshot with only the units (and their rows) the user may see."""
    snapshot = snapshot_get(period)
    if snapshot is None:
        if period:
            raise Http404
        return None
    rows = (
        _cells_visible_to(user, snapshot)
        .filter(in_period=True)
        .order_by("rank")
        .values_list(
            "unit__code", "unit__name", "unit__level", "unit__path", *CELL_FIELDS
        )
    )
    units: dict[str, dict] = {}
    cells = []
    for code, name, level, path, *values in rows:
        if code not in units:
            units[code] = {"name": name, "level": level, "path": path}
        cells.append({"unit_code": code, **dict(zip(CELL_FIELDS, values, strict=True))})
    return ScopedSnapshot(
        snapshot=snapshot,
        units=units,
        cells=cells,
        indicators=snapshot.payload.get("indicators", {}),
    )


def unit_history_for(user, *, code: str, snapshot: GapSnapshot) -> dict:
    """indicator code → [[period, value, standing, tier], …] for a unit the user may see.

    Read through the reader's scope: a unit outside it has no history (the unit page
    has already answered 404 for it)."""
    rows = (
        _cells_visible_to(user, snapshot)
        .filter(unit__code=code)
        .order_by("indicator_code")
        .values_list("indicator_code", "history")
    )
    return {indicator: points for indicator, points in rows if points}


def latest_run():
    """The most recent recomputation (to show work in progress), or None."""
    from .models import AnalysisRun

    return AnalysisRun.objects.first()
