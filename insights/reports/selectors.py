"""The completion report ("一个都不能少"): counts per unit rolled up the tree, and people.

Every figure comes from ``learning.campaigns.selectors.people_sql`` (the one definition
of a person's status), aggregated in the database with GROUP BY over the audience; the
only Python work is adding unit counts up the tree (a few thousand units at most).
The scope always starts from organisation.selectors: a unit obtained through
``unit_get_visible`` or the units and staff visible to a user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from learning.campaigns.models import Campaign
from learning.campaigns.selectors import (
    STATUSES,
    Cycle,
    campaign_cycle,
    campaign_lesson_count,
    campaign_rules,
    people_sql,
    progress_percent,
    rows,
)
from organisation.models import StaffProfile, Unit
from organisation.selectors import (
    staff_in_unit,
    staff_visible_to,
    unit_subtree,
    units_visible_to,
)

COUNT_KEYS = ("headcount",) + STATUSES
NOT_DONE = ("overdue", "not_started", "in_progress")


def _empty() -> dict:
    return dict.fromkeys(COUNT_KEYS, 0)


def completion_rate(counts: dict) -> float | None:
    """completed / (headcount − exempt); None when nobody is expected to complete."""
    base = counts["headcount"] - counts["exempt"]
    return round(counts["completed"] / base, 4) if base else None


def _with_rate(counts: dict) -> dict:
    return {**counts, "completion_rate": completion_rate(counts)}


@dataclass
class Scope:
    """Whose data a report covers: staff and units, both from organisation.selectors."""

    staff: QuerySet[StaffProfile]
    units: QuerySet[Unit]
    root: Unit | None = None


def report_scope(*, user=None, unit: Unit | None = None) -> Scope:
    """``unit`` must come from ``unit_get_visible`` (or be None for the user's scope).

    Without a user (the command line) and without a unit, the scope is the province.
    """
    if unit is not None:
        return Scope(staff=staff_in_unit(unit), units=unit_subtree(unit), root=unit)
    if user is not None:
        return Scope(staff=staff_visible_to(user), units=units_visible_to(user))
    return Scope(staff=StaffProfile.objects.all(), units=Unit.objects.all())


@dataclass
class Report:
    campaign: Campaign
    as_of: dt.date
    cycle: Cycle
    scope: Scope
    summary: dict
    leaders: dict
    units: list[dict]
    by_code: dict[str, dict] = field(default_factory=dict)
    # Counts of the people attached to a unit itself (not to its sub-units).
    own: dict[str, dict] = field(default_factory=dict)

    def children_of(self, unit: Unit | None) -> list[dict]:
        """Rows of the direct sub-units of ``unit`` (the scope's top units for None)."""
        if unit is None:
            codes = {u["unit_code"] for u in self.units}
            return [u for u in self.units if u["parent_code"] not in codes]
        return [u for u in self.units if u["parent_code"] == unit.code]

    def as_json(self, people: list[dict] | None = None) -> dict:
        data = {
            "campaign": self.campaign.code,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary,
            "units": [{k: u[k] for k in UNIT_KEYS} for u in self.units],
        }
        if people is not None:
            data["people"] = [{k: p[k] for k in PEOPLE_KEYS} for p in people]
        return data


UNIT_KEYS = ("unit_code", "unit_name", "level") + COUNT_KEYS + ("completion_rate",)


def _person_base(campaign, scope, as_of):
    staff = scope.staff.annotate(unit_path=F("unit__path"), unit_code=F("unit__code"))
    return people_sql(campaign, staff, as_of, extra=("unit_path", "unit_code"))


def campaign_report(
    campaign: Campaign,
    *,
    user=None,
    unit: Unit | None = None,
    as_of: dt.date | None = None,
) -> Report:
    """Counts for every unit in scope (their subtrees included), the leaders' row and
    the summary, in two queries whatever the number of people."""
    as_of = as_of or timezone.localdate()
    scope = report_scope(user=user, unit=unit)
    sql, params = people_sql(campaign, scope.staff, as_of)
    status_sums = ", ".join(
        f"SUM(CASE WHEN p.status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in STATUSES
    )
    grouped = rows(
        f"SELECT p.unit_id, p.is_leader, COUNT(*) AS headcount, {status_sums}"
        f" FROM ({sql}) p GROUP BY p.unit_id, p.is_leader",
        params,
    )
    units = list(
        scope.units.order_by("path").values(
            "id", "code", "name", "level", "path", "parent__code", "depth"
        )
    )
    by_path = {u["path"]: _empty() for u in units}
    by_id = {u["id"]: u["path"] for u in units}
    code_of = {u["id"]: u["code"] for u in units}
    own: dict[str, dict] = {}
    summary, leaders = _empty(), _empty()
    for group in grouped:
        counts = {k: int(group[k] or 0) for k in COUNT_KEYS}
        for k in COUNT_KEYS:
            summary[k] += counts[k]
            if group["is_leader"]:
                leaders[k] += counts[k]
        path = by_id.get(group["unit_id"])
        if path is None:
            continue
        mine = own.setdefault(code_of[group["unit_id"]], _empty())
        for k in COUNT_KEYS:
            mine[k] += counts[k]
        # Add the unit's counts to itself and every ancestor in scope.
        end = len(path)
        while end > 0:
            prefix = path[:end]
            if prefix in by_path:
                target = by_path[prefix]
                for k in COUNT_KEYS:
                    target[k] += counts[k]
            end = path.rfind("/", 0, end - 1) + 1
    unit_rows = [
        {
            "unit_code": u["code"],
            "unit_name": u["name"],
            "level": u["level"],
            "parent_code": u["parent__code"],
            "depth": u["depth"],
            **_with_rate(by_path[u["path"]]),
        }
        for u in units
    ]
    if unit is not None and unit_rows:
        summary = {k: unit_rows[0][k] for k in COUNT_KEYS}
    report = Report(
        campaign=campaign,
        as_of=as_of,
        cycle=campaign_cycle(campaign, as_of),
        scope=scope,
        summary=_with_rate(summary),
        leaders=_with_rate(leaders),
        units=unit_rows,
    )
    report.by_code = {u["unit_code"]: u for u in unit_rows}
    report.own = {code: _with_rate(counts) for code, counts in own.items()}
    return report


def campaign_summary(campaign: Campaign, *, user, as_of: dt.date | None = None) -> dict:
    """The summary counts of a campaign over everything the user may see (one query
    after the rules)."""
    as_of = as_of or timezone.localdate()
    sql, params = people_sql(campaign, staff_visible_to(user), as_of)
    status_sums = ", ".join(
        f"SUM(CASE WHEN p.status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in STATUSES
    )
    found = rows(f"SELECT COUNT(*) AS headcount, {status_sums} FROM ({sql}) p", params)[
        0
    ]
    return _with_rate({k: int(found[k] or 0) for k in COUNT_KEYS})


def campaign_summary_cached(
    campaign: Campaign, *, user, as_of: dt.date, seconds: int = 300
) -> dict:
    """campaign_summary, kept for a few minutes per (campaign, scope, day): the index
    page lists every campaign, and each summary is a pass over the audience."""
    from django.core.cache import cache

    from organisation.permissions import ALL, user_scope_paths

    paths = user_scope_paths(user)
    scope = "ALL" if paths is ALL else "|".join(paths)
    key = f"reports:summary:{campaign.pk}:{campaign.updated_at.timestamp()}:{as_of}:"
    key += hashlib.sha1(scope.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = campaign_summary(campaign, user=user, as_of=as_of)
        cache.set(key, found, seconds)
    return found


def top_units(user) -> list[Unit]:
    """The highest units a user may see (the province for leadership; the units a
    unit leader leads)."""
    units = list(units_visible_to(user).order_by("depth", "path")[:200])
    paths = [u.path for u in units]
    return [
        u for u in units if not any(u.path != p and u.path.startswith(p) for p in paths)
    ]


def child_units(unit: Unit) -> list[Unit]:
    return list(Unit.objects.filter(parent=unit).order_by("path"))


PEOPLE_KEYS = (
    "staff_no",
    "name",
    "unit_code",
    "position",
    "is_leader",
    "status",
    "progress",
    "due_on",
    "completed_on",
)


def _people_query(report: Report, statuses: tuple[str, ...] | None) -> tuple[str, list]:
    sql, params = _person_base(report.campaign, report.scope, report.as_of)
    where = ""
    if statuses:
        where = " WHERE p.status IN (" + ", ".join(f"'{s}'" for s in statuses) + ")"
    return (
        f"SELECT * FROM ({sql}) p{where} ORDER BY p.unit_path, p.staff_no",
        params,
    )


def _to_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


class PeopleReader:
    """People rows of a report, shaped as in the JSON (``PEOPLE_KEYS``)."""

    def __init__(self, report: Report, statuses: tuple[str, ...] | None = None):
        self.report = report
        self.statuses = statuses
        self.n_courses = len(campaign_rules(report.campaign).course_ids)
        self.n_lessons = campaign_lesson_count(report.campaign)
        self.unit_names = {u["unit_code"]: u["unit_name"] for u in report.units}

    def shape(self, row: dict) -> dict:
        joined = _to_date(row["joined_on"])
        completed = row["status"] == "completed"
        return {
            "staff_no": row["staff_no"],
            "name": row["name"],
            "unit_code": row["unit_code"],
            "unit_name": self.unit_names.get(row["unit_code"], ""),
            "position": row["position"],
            "is_leader": bool(row["is_leader"]),
            "status": row["status"],
            "progress": progress_percent(row, self.n_courses, self.n_lessons),
            "due_on": self.report.cycle.due_for(joined, self.report.as_of).isoformat(),
            "completed_on": (
                _to_date(row["last_done"]).isoformat() if completed else None
            ),
        }

    def count(self) -> int:
        sql, params = _people_query(self.report, self.statuses)
        return rows(f"SELECT COUNT(*) AS n FROM ({sql}) q", params)[0]["n"]

    def page(self, *, offset: int, limit: int) -> list[dict]:
        sql, params = _people_query(self.report, self.statuses)
        found = rows(f"{sql} LIMIT {int(limit)} OFFSET {int(offset)}", params)
        return [self.shape(r) for r in found]

    def __iter__(self) -> Iterator[dict]:
        """Every row, read in chunks through a server-side cursor (constant memory)."""
        sql, params = _people_query(self.report, self.statuses)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            names = [c[0] for c in cursor.description]
            while True:
                chunk = cursor.fetchmany(2000)
                if not chunk:
                    break
                for values in chunk:
                    yield self.shape(dict(zip(names, values, strict=True)))


def campaign_people(
    report: Report, *, statuses: tuple[str, ...] | None = None
) -> PeopleReader:
    return PeopleReader(report, statuses)


def completions_timeline(report: Report) -> list[tuple[str, int]]:
    """(day, people who completed the campaign that day), in date order."""
    sql, params = people_sql(report.campaign, report.scope.staff, report.as_of)
    found = rows(
        f"SELECT p.last_done AS day, COUNT(*) AS n FROM ({sql}) p"
        " WHERE p.status = 'completed' GROUP BY p.last_done ORDER BY p.last_done",
        params,
    )
    return [(str(_to_date(r["day"])), int(r["n"])) for r in found if r["day"]]


def campaigns_for_reports(user) -> QuerySet[Campaign]:
    return Campaign.objects.order_by("-active", "-starts_on", "code")


def export_get(*, user, pk: int):
    """A generated file of this user's, whose unit they may still see; 404 otherwise."""
    from django.http import Http404

    from .models import ReportExport

    export = (
        ReportExport.objects.select_related("campaign", "unit")
        .filter(pk=pk, requested_by=user)
        .first()
    )
    if export is None or not units_visible_to(user).filter(pk=export.unit_id).exists():
        raise Http404
    return export


# The training matrix ------------------------------------------------------------------


def matrix_staff(unit: Unit) -> QuerySet[StaffProfile]:
    """People of a unit's subtree, for the matrix (``unit`` from unit_get_visible)."""
    return staff_in_unit(unit).order_by("unit__path", "staff_no")


def matrix_courses():
    from learning.models import CoursePage

    return list(
        CoursePage.objects.live()
        .filter(Q(mandatory=True) | Q(campaigns__active=True))
        .distinct()
        .order_by("code")[:30]
    )


def training_matrix(people: list[StaffProfile], *, year: int) -> dict:
    """People × courses: the latest valid completion date per cell, and each person's
    class hours in ``year`` against the annual requirement. Three queries."""
    from django.conf import settings
    from django.db.models import Sum

    from learning.models import CourseCompletion

    courses = matrix_courses()
    user_ids = [p.user_id for p in people]
    cells: dict[tuple[int, int], dt.date] = {}
    for user_id, course_id, day in (
        CourseCompletion.objects.filter(
            user_id__in=user_ids,
            course_id__in=[c.id for c in courses],
            superseded=False,
        )
        .order_by("completed_on")
        .values_list("user_id", "course_id", "completed_on")
    ):
        cells[(user_id, course_id)] = day
    hours = dict(
        CourseCompletion.objects.filter(user_id__in=user_ids, completed_on__year=year)
        .values("user_id")
        .annotate(h=Sum("course__class_hours"))
        .values_list("user_id", "h")
    )
    required = settings.ANNUAL_ONLINE_HOURS
    grid = [
        {
            "person": p,
            "cells": [cells.get((p.user_id, c.id)) for c in courses],
            "hours": hours.get(p.user_id) or 0,
            "enough": (hours.get(p.user_id) or 0) >= required,
        }
        for p in people
    ]
    return {"courses": courses, "grid": grid, "required_hours": required}
