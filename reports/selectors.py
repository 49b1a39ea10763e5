"""The completion report ("一个都不能少"): counts per unit rolled up the tree, and people.

Every figure comes from ``learning.campaigns.selectors.people_sql`` (the one definition
of a person's status). A large scope is aggregated in the database with one GROUP BY
over the audience; a small unit (``SMALL_SCOPE`` people) is read person by person in
one query through the unit path prefix and counted in Python. The other Python work is
adding unit counts up the tree (a few thousand units at most).
The scope always starts from organisation.selectors: a unit obtained through
``unit_get_visible`` or the units and staff visible to a user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from learning.campaigns.models import Campaign
from learning.campaigns.selectors import (
    STATUSES,
    Cycle,
    campaign_audience,
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

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from learning.models import CoursePage
    from reports.models import ReportExport

# completed_late counts people who completed after their due date; they are also in
# "completed" (the rate counts them as done) and are shown separately.
COUNT_KEYS = ("headcount",) + STATUSES + ("completed_late",)
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


def report_scope(*, user: User | None = None, unit: Unit | None = None) -> Scope:
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
    # Counts (in COUNT_KEYS order) of the people attached to a unit itself, not to its
    # sub-units, by unit code.
    own_counts: dict[str, list[int]] = field(default_factory=dict)
    # Every person of a small scope, read in the report's one query (None otherwise).
    people_rows: list[dict] | None = None
    # Unit names as shown wherever units of several parents are listed: a department
    # carries its unit (东江市城关区院·第一检察部), by unit code.
    display_names: dict[str, str] = field(default_factory=dict)

    def own(self, code: str) -> dict | None:
        """Counts of the people attached to the unit itself (None when there are none)."""
        counts = self.own_counts.get(code)
        if counts is None:
            return None
        return _with_rate(dict(zip(COUNT_KEYS, counts, strict=True)))

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


def qualified_name(name: str, level: str, parent_name: str | None) -> str:
    """A department's name with its unit's (东江市城关区院·第一检察部): "第一检察部" alone
    names a department in every procuratorate."""
    if level == Unit.Level.DEPARTMENT and parent_name:
        return f"{parent_name}·{name}"
    return name


def is_late(row: dict, cycle: Cycle, as_of: dt.date) -> bool:
    """Completed, but after the person's due date (逾期完成): the campaign counts it as
    completed, and the report shows it separately."""
    if row["status"] != "completed" or not row["last_done"]:
        return False
    due = cycle.due_for(_to_date(row["joined_on"]), as_of)
    return _to_date(row["last_done"]) > due  # type: ignore[operator]


def _late_threshold(cycle: Cycle) -> dt.date:
    """The earliest due date anyone in the cycle can have: only completions after it
    can be late."""
    if cycle.due_on is not None:
        return cycle.due_on
    return cycle.starts_on + dt.timedelta(days=cycle.due_days or 0)


def _late_counts(sql: str, params: list, cycle: Cycle, as_of: dt.date) -> Counter:
    """People who completed late per (unit_id, is_leader), over the rows of people_sql.

    The database narrows to completions after the earliest possible due date; whether
    each is late (a due date may follow the day a person joined) is decided by
    ``is_late``, the rule the people list uses."""
    threshold = connection.ops.adapt_datefield_value(_late_threshold(cycle))
    found = rows(
        "SELECT p.unit_id, p.is_leader, p.joined_on, p.last_done, p.status,"
        f" COUNT(*) AS n FROM ({sql}) p"
        " WHERE p.status = 'completed' AND p.last_done > %s"
        " GROUP BY p.unit_id, p.is_leader, p.joined_on, p.last_done, p.status",
        [*params, threshold],
    )
    late: Counter = Counter()
    for row in found:
        if is_late(row, cycle, as_of):
            late[(row["unit_id"], bool(row["is_leader"]))] += int(row["n"])
    return late


# A unit whose subtree holds at most this many active people is read person by person
# (index lookups from the unit's path prefix) in one query, and every figure of its
# page comes from those rows; a larger scope is aggregated in the database.
SMALL_SCOPE = 3000


def _person_base(campaign, scope, as_of, *, narrow: bool = True):
    staff = scope.staff.annotate(unit_path=F("unit__path"), unit_code=F("unit__code"))
    return people_sql(
        campaign, staff, as_of, extra=("unit_path", "unit_code"), narrow=narrow
    )


def _is_small(scope: Scope) -> bool:
    """One capped count: it stops after SMALL_SCOPE + 1 people, whatever the scope."""
    if scope.root is None:
        return False
    capped = scope.staff.filter(active=True).order_by().values("pk")
    return capped[: SMALL_SCOPE + 1].count() <= SMALL_SCOPE


def _group_people(people: list[dict], cycle: Cycle, as_of: dt.date) -> list[tuple]:
    """The rows of the aggregate query (unit_id, is_leader, then COUNT_KEYS), computed
    from people rows."""
    index = {status: i for i, status in enumerate(COUNT_KEYS)}
    late = 2 + index["completed_late"]
    groups: dict[tuple, list] = {}
    for person in people:
        key = (person["unit_id"], bool(person["is_leader"]))
        group = groups.get(key)
        if group is None:
            group = groups[key] = [*key, *([0] * len(COUNT_KEYS))]
        group[2] += 1
        group[2 + index[person["status"]]] += 1
        if is_late(person, cycle, as_of):
            group[late] += 1
    return [tuple(g) for g in groups.values()]


# On PostgreSQL the five status counts of a group travel as one sum: each person adds
# 1 << (16 × status_code) for the first four statuses and nothing for the fifth, which
# is the headcount less the other four. Sixteen bits hold a group of up to 65,535
# people; a larger group (none in a real roster) is counted status by status instead.
PACKED_BITS = 16
# People per status (STATUSES order) over the rows ``p`` of people_sql, status by status.
_STATUS_SUMS = ", ".join(
    f"SUM(CASE WHEN p.status_code = {k} THEN 1 ELSE 0 END)"
    for k in range(len(STATUSES))
)
PACKED_LIMIT = (1 << PACKED_BITS) - 1


def _grouped_counts(campaign, scope, as_of, cycle: Cycle) -> list[tuple]:
    """Per (unit, leader or not): headcount, people per status and late completions
    (COUNT_KEYS), from one aggregate query over the whole scope (the aggregates read
    only the campaign's courses).

    With a fixed due date, "late" is one more sum of that query; when the due date
    counts from each person's joining, a second query reads the late completions."""
    sql, params = people_sql(campaign, scope.staff, as_of, narrow=False)
    if cycle.due_on is not None:
        due = connection.ops.adapt_datefield_value(cycle.due_on)
        late_sum = _fixed_due_late_sum()
        return [
            (*group[:-1], int(group[-1] or 0))
            for group in _status_counts(sql, params, late_sum, [due])
        ]
    late = _late_counts(sql, params, cycle, as_of)
    return [
        (*group, late.get((group[0], bool(group[1])), 0))
        for group in _status_counts(sql, params)
    ]


def _fixed_due_late_sum() -> str:
    """One more column over the rows ``p``: people completed after the fixed due date
    (its one parameter)."""
    completed = STATUSES.index("completed")
    return (
        f", SUM(CASE WHEN p.status_code = {completed}"
        " AND p.last_done > %s THEN 1 ELSE 0 END)"
    )


def _status_counts(
    sql: str, params: list, extra: str = "", extra_params: list | None = None
) -> list[tuple]:
    """Per (unit, leader or not): headcount and people per status, then the columns
    of ``extra`` (``", SUM(…)"`` over the rows ``p``).

    The status is computed once per person (``status_code``); five separate sums
    would each evaluate the status rules again."""
    extra_params = extra_params or []
    n_extra = extra.count("SUM(")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            weights = [1 << (PACKED_BITS * k) for k in range(len(STATUSES) - 1)]
            weights = ",".join(map(str, [*weights, 0]))  # type: ignore[assignment]
            cursor.execute(
                "SELECT p.unit_id, p.is_leader, COUNT(*),"
                f" SUM(('{{{weights}}}'::int8[])[p.status_code + 1]){extra}"
                f" FROM ({sql}) p GROUP BY p.unit_id, p.is_leader",
                [*extra_params, *params],
            )
            packed = cursor.fetchall()
            if all(row[2] <= PACKED_LIMIT for row in packed):
                return [
                    (
                        unit_id,
                        leader,
                        count,
                        *_unpack(count, int(total or 0)),
                        *rest[:n_extra],
                    )
                    for unit_id, leader, count, total, *rest in packed
                ]
        cursor.execute(
            f"SELECT p.unit_id, p.is_leader, COUNT(*), {_STATUS_SUMS}{extra}"
            f" FROM ({sql}) p GROUP BY p.unit_id, p.is_leader",
            [*extra_params, *params],
        )
        return cursor.fetchall()


def _unpack(count: int, total: int) -> list[int]:
    """The per-status counts (STATUSES order) of one packed sum."""
    mask = PACKED_LIMIT
    counts = [(total >> (PACKED_BITS * k)) & mask for k in range(len(STATUSES) - 1)]
    return [*counts, count - sum(counts)]


def _roll_up(grouped: list[tuple], units: list[tuple]):
    """Counts rolled up the tree from the aggregate rows (unit_id, is_leader, then
    COUNT_KEYS) and the scope's units (id, code, name, level, parent_id, depth).

    Returns ``(summary, leaders, own, totals)``: the sums over every row and over
    the leaders' rows, each unit's own counts (people attached to the unit itself,
    by unit id) and, in the order of ``units``, each unit's total with its subtree:
    one addition per unit into its parent, deepest units first.
    """
    width = len(COUNT_KEYS)
    own: dict[int, list[int]] = {}
    leaders = [0] * width
    for unit_id, is_leader, *counts in grouped:
        mine = own.get(unit_id)
        own[unit_id] = (
            counts
            if mine is None
            else [a + b for a, b in zip(mine, counts, strict=True)]
        )
        if is_leader:
            leaders = [a + b for a, b in zip(leaders, counts, strict=True)]
    summary = [sum(column) for column in zip(*own.values(), strict=True)] or [0] * width
    totals = {u[0]: list(own.get(u[0]) or [0] * width) for u in units}
    for unit in sorted(units, key=lambda u: -u[5]):
        parent = totals.get(unit[4])
        if parent is not None:
            child = totals[unit[0]]
            for k in range(width):
                parent[k] += child[k]
    return summary, leaders, own, [totals[u[0]] for u in units]


def campaign_report(
    campaign: Campaign,
    *,
    user: User | None = None,
    unit: Unit | None = None,
    as_of: dt.date | None = None,
) -> Report:
    """Counts for every unit in scope (their subtrees included), the leaders' row and
    the summary, in a fixed number of queries whatever the number of people.

    A unit with a small subtree (``SMALL_SCOPE``) is read person by person in one
    query whose rows the report keeps (``people_rows``): its people list, counts and
    timeline need no further query. Larger scopes run one aggregate query."""
    as_of = as_of or timezone.localdate()
    scope = report_scope(user=user, unit=unit)
    cycle = campaign_cycle(campaign, as_of)
    people_rows = None
    if _is_small(scope):
        sql, params = _person_base(campaign, scope, as_of)
        people_rows = rows(f"{sql} ORDER BY a.unit_path, a.staff_no", params)
        grouped = _group_people(people_rows, cycle, as_of)
    else:
        grouped = _grouped_counts(campaign, scope, as_of, cycle)
    found = list(
        scope.units.order_by("path").values_list(
            "id", "code", "name", "level", "parent_id", "depth", "parent__name"
        )
    )
    units = [u[:6] for u in found]
    summary, leaders, own, totals = _roll_up(grouped, units)
    code_of = {u[0]: u[1] for u in units}
    unit_rows = []
    for (_id, code, name, level, parent_id, depth), counts in zip(
        units, totals, strict=True
    ):
        row = dict(zip(COUNT_KEYS, counts, strict=True))
        row["completion_rate"] = completion_rate(row)
        row["unit_code"], row["unit_name"], row["level"] = code, name, level
        row["parent_code"], row["depth"] = code_of.get(parent_id), depth
        unit_rows.append(row)
    display_names = {
        code: qualified_name(name, level, parent_name)
        for _id, code, name, level, _p, _d, parent_name in found
    }
    summary = dict(zip(COUNT_KEYS, summary, strict=True))
    if unit is not None and unit_rows:
        summary = {k: unit_rows[0][k] for k in COUNT_KEYS}
    report = Report(
        campaign=campaign,
        as_of=as_of,
        cycle=cycle,
        scope=scope,
        summary=_with_rate(summary),
        leaders=_with_rate(dict(zip(COUNT_KEYS, leaders, strict=True))),
        units=unit_rows,
    )
    report.by_code = {u["unit_code"]: u for u in unit_rows}
    report.people_rows = people_rows
    report.display_names = display_names
    report.own_counts = {
        code_of[u]: counts for u, counts in own.items() if u in code_of
    }
    return report


def campaign_summary(
    campaign: Campaign, *, user: User, as_of: dt.date | None = None
) -> dict:
    """The summary counts of a campaign over everything the user may see (one query
    after the rules; two when the due date counts from each person's joining)."""
    as_of = as_of or timezone.localdate()
    cycle = campaign_cycle(campaign, as_of)
    sql, params = people_sql(campaign, staff_visible_to(user), as_of)
    late_sum, late_params = "", []
    if cycle.due_on is not None:
        late_sum = _fixed_due_late_sum()
        late_params = [connection.ops.adapt_datefield_value(cycle.due_on)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), {_STATUS_SUMS}{late_sum} FROM ({sql}) p",
            [*late_params, *params],
        )
        found = [int(v or 0) for v in cursor.fetchone()]
    if cycle.due_on is None:
        found.append(sum(_late_counts(sql, params, cycle, as_of).values()))
    return _with_rate(dict(zip(COUNT_KEYS, found, strict=True)))


def campaign_summary_cached(
    campaign: Campaign,
    *,
    user: User,
    as_of: dt.date,
    seconds: int = 300,
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


def top_units(user: User) -> list[Unit]:
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
    "late",
)


def _narrow(report: Report) -> bool:
    """Whether the report's people queries narrow their aggregates to the audience:
    not for a unit too large for the small path (see people_sql)."""
    return report.scope.root is None


def _people_query(report: Report, statuses: tuple[str, ...] | None) -> tuple[str, list]:
    sql, params = _person_base(
        report.campaign, report.scope, report.as_of, narrow=_narrow(report)
    )
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
        self.unit_names = report.display_names

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
                _to_date(row["last_done"]).isoformat() if completed else None  # type: ignore[union-attr]
            ),
            "late": is_late(row, self.report.cycle, self.report.as_of),
        }

    def _loaded(self) -> list[dict] | None:
        """The small path's rows (already in memory), filtered; None otherwise."""
        loaded = self.report.people_rows
        if loaded is None or not self.statuses:
            return loaded
        return [r for r in loaded if r["status"] in self.statuses]

    def count(self) -> int:
        loaded = self._loaded()
        if loaded is not None:
            return len(loaded)
        sql, params = _people_query(self.report, self.statuses)
        return rows(f"SELECT COUNT(*) AS n FROM ({sql}) q", params)[0]["n"]

    def page(self, *, offset: int, limit: int) -> list[dict]:
        loaded = self._loaded()
        if loaded is not None:
            return [self.shape(r) for r in loaded[offset : offset + limit]]
        sql, params = _people_query(self.report, self.statuses)
        found = rows(f"{sql} LIMIT {int(limit)} OFFSET {int(offset)}", params)
        return [self.shape(r) for r in found]

    def __iter__(self) -> Iterator[dict]:
        """Every row, read in chunks through a server-side cursor (constant memory)."""
        loaded = self._loaded()
        if loaded is not None:
            yield from (self.shape(r) for r in loaded)
            return
        sql, params = _people_query(self.report, self.statuses)
        with connection.chunked_cursor() as cursor:
            _plan_for_every_row(cursor, sql, params)
            names = [c[0] for c in cursor.description]
            while True:
                chunk = cursor.fetchmany(2000)
                if not chunk:
                    break
                for values in chunk:
                    yield self.shape(dict(zip(names, values, strict=True)))


def _plan_for_every_row(cursor, sql: str, params: list) -> None:
    """Open the server-side cursor planned for reading every row.

    PostgreSQL plans a cursor for its first tenth (cursor_tuple_fraction), and for
    this statement that picks nested loops that re-run the per-person aggregate for
    each person: a city of 7,440 people took 22 s instead of 1 s. The plan is fixed
    when the cursor is declared, so the setting is restored straight after."""
    if connection.vendor != "postgresql":
        cursor.execute(sql, params)
        return
    with connection.cursor() as setting:
        setting.execute("SET cursor_tuple_fraction = 1")
        try:
            cursor.execute(sql, params)
        finally:
            setting.execute("RESET cursor_tuple_fraction")


def campaign_people(
    report: Report, *, statuses: tuple[str, ...] | None = None
) -> PeopleReader:
    return PeopleReader(report, statuses)


def completions_timeline(report: Report) -> list[tuple[str, int]]:
    """(day, people who completed the campaign that day), in date order."""
    if report.people_rows is not None:
        days = Counter(
            str(_to_date(r["last_done"]))
            for r in report.people_rows
            if r["status"] == "completed" and r["last_done"]
        )
        return sorted(days.items())
    sql, params = people_sql(
        report.campaign, report.scope.staff, report.as_of, narrow=_narrow(report)
    )
    found = rows(
        f"SELECT p.last_done AS day, COUNT(*) AS n FROM ({sql}) p"
        " WHERE p.status = 'completed' GROUP BY p.last_done ORDER BY p.last_done",
        params,
    )
    return [(str(_to_date(r["day"])), int(r["n"])) for r in found if r["day"]]


def campaigns_for_reports(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.order_by("-active", "-starts_on", "code")


def export_get(*, user: User, pk: int) -> ReportExport:
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
    return (
        staff_in_unit(unit)
        .select_related("unit__parent")
        .order_by("unit__path", "staff_no")
    )


def matrix_courses() -> list[CoursePage]:
    from learning.models import CoursePage

    return list(
        CoursePage.objects.live()
        .filter(Q(mandatory=True) | Q(campaigns__active=True))
        .distinct()
        .order_by("code")[:30]
    )


def uncounted_reason(
    *, completed_on: dt.date, superseded: bool, cycle: Cycle, as_of: dt.date
) -> str | None:
    """Why a campaign does not count a completion toward being done, or None when it
    does: the rule of ``people_sql`` (a current version, completed on or after the
    cycle's start and not after the report date)."""
    if superseded:
        return "superseded"
    if completed_on < cycle.starts_on:
        return "before_start"
    if completed_on > as_of:
        return "after_as_of"
    return None


@dataclass(frozen=True)
class MatrixCell:
    day: dt.date | None = None
    # Why a campaign does not count this completion (see uncounted_reason), and which.
    reason: str | None = None
    campaign: Campaign | None = None
    starts_on: dt.date | None = None

    @property
    def counted(self) -> bool:
        return self.day is not None and self.reason is None


def _matrix_campaigns(courses, people, as_of: dt.date) -> list[tuple]:
    """(campaign, cycle, course ids, ids of the people in its audience) for the active
    campaigns that include a course of the matrix."""
    found = []
    campaigns = Campaign.objects.filter(
        active=True, courses__in=[c.id for c in courses]
    ).distinct()
    staff = StaffProfile.objects.filter(pk__in=[p.pk for p in people])
    for campaign in campaigns.order_by("code"):
        members = set(campaign_audience(campaign, staff).values_list("pk", flat=True))
        course_ids = set(campaign_rules(campaign).course_ids)
        found.append((campaign, campaign_cycle(campaign, as_of), course_ids, members))
    return found


def training_matrix(
    people: list[StaffProfile], *, year: int, as_of: dt.date | None = None
) -> dict:
    """People × courses: the latest completion per cell, and each person's class hours
    in ``year`` against the annual requirement.

    A cell that an active campaign of the person's does not count (completed before
    the campaign's round started, or only an earlier version of the course) says so,
    by the rule the completion report uses (``uncounted_reason``)."""
    from django.conf import settings
    from django.db.models import Sum

    from learning.models import CourseCompletion

    as_of = as_of or timezone.localdate()
    courses = matrix_courses()
    user_ids = [p.user_id for p in people]
    current: dict[tuple[int, int], dt.date] = {}
    superseded: dict[tuple[int, int], dt.date] = {}
    for user_id, course_id, day, old in (
        CourseCompletion.objects.filter(
            user_id__in=user_ids,
            course_id__in=[c.id for c in courses],
            completed_on__lte=as_of,
        )
        .order_by("completed_on")
        .values_list("user_id", "course_id", "completed_on", "superseded")
    ):
        (superseded if old else current)[(user_id, course_id)] = day
    campaigns = _matrix_campaigns(courses, people, as_of)

    def cell(person: StaffProfile, course) -> MatrixCell:
        key = (person.user_id, course.id)
        day, old = current.get(key), False
        if day is None:
            day, old = superseded.get(key), True
        if day is None:
            return MatrixCell()
        for campaign, cycle, course_ids, members in campaigns:
            if course.id not in course_ids or person.pk not in members:
                continue
            reason = uncounted_reason(
                completed_on=day, superseded=old, cycle=cycle, as_of=as_of
            )
            if reason:
                return MatrixCell(day, reason, campaign, cycle.starts_on)
        return MatrixCell(day, "superseded" if old else None)

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
            "cells": [cell(p, c) for c in courses],
            "unit_name": qualified_name(
                p.unit.name, p.unit.level, p.unit.parent.name if p.unit.parent else None
            ),
            "hours": hours.get(p.user_id) or 0,
            "enough": (hours.get(p.user_id) or 0) >= required,
        }
        for p in people
    ]
    return {
        "courses": courses,
        "grid": grid,
        "required_hours": required,
        "as_of": as_of,
    }
