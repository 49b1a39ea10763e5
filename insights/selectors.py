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

from .models import GapSnapshot, IndicatorEdition, IndicatorValue

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


def _visible_codes(user) -> set[str] | object:
    if user_scope_paths(user) is ALL:
        return ALL
    return set(units_visible_to(user).values_list("code", flat=True))


def snapshot_for(user, period: str | None = None) -> ScopedSnapshot | None:
    """The snapshot with only the units (and their rows) the user may see."""
    snapshot = snapshot_get(period)
    if snapshot is None:
        if period:
            raise Http404
        return None
    visible = _visible_codes(user)
    payload = snapshot.payload
    units = {
        code: meta
        for code, meta in payload.get("units", {}).items()
        if visible is ALL or code in visible
    }
    cells = [c for c in payload.get("cells", []) if c["unit_code"] in units]
    return ScopedSnapshot(
        snapshot=snapshot,
        units=units,
        cells=cells,
        indicators=payload.get("indicators", {}),
    )


def unit_history_for(user, *, code: str, snapshot: GapSnapshot) -> dict:
    """indicator code → [[period, value, standing, tier], …] for a unit the user may see."""
    from organisation.selectors import unit_get_visible

    unit_get_visible(user, code=code)  # 404 outside the reader's scope
    return snapshot.payload.get("history", {}).get(code, {})


def latest_run():
    """The most recent recomputation (to show work in progress), or None."""
    from .models import AnalysisRun

    return AnalysisRun.objects.first()
