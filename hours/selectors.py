"""Reads of the 学时 ledger: a person's record, and the report over a scope.

Every scope comes from organisation.selectors (``staff_visible_to``, ``staff_in_unit``,
``unit_get_visible``): a unit leader's report, files and records never reach outside
their subtree. The report takes a fixed number of queries whatever the number of
people or units. On PostgreSQL one statement (:mod:`hours.sql`) sums the ledger,
judges every person and counts them per unit; the report keeps the counts and reads
its people a page or a chunk at a time. Elsewhere the roster is read once, the
ledger summed once and each person judged by :mod:`hours.compliance`, the reference
the statement is tested against.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum

from organisation.models import StaffProfile, Unit

from . import compliance
from . import sql as hours_sql
from .compliance import Event, Rule, Standing
from .models import (
    CentralisedClass,
    ClassSession,
    Enrolment,
    HoursExemption,
    Kind,
    LedgerEntry,
    PostChange,
    Requirement,
)

STATUSES = ("met", "not_met", "exempt")
COUNT_KEYS = ("headcount", *STATUSES)


def rules_for(year: int, as_of: dt.date) -> list[Rule]:
    """The rules in force for a report year (on its last day, or on ``as_of``)."""
    on = min(as_of, dt.date(year, 12, 31))
    return compliance.rules_in_force(list(Requirement.objects.all()), on)


def _period(year: int, as_of: dt.date, rules: list[Rule]) -> tuple[dt.date, dt.date]:
    longest = max([r.window_years for r in rules if not r.trigger] or [1])
    return dt.date(year - longest + 1, 1, 1), min(as_of, dt.date(year, 12, 31))


def _window_sums(rules: list[Rule], year: int, last: dt.date) -> dict[str, Sum]:
    sums = {}
    pairs = {(str(r.kind), r.window_years) for r in rules if not r.trigger}
    # The year's own hours of each kind, for the upward report whatever the rules.
    pairs |= {(str(kind), 1) for kind in Kind.values}
    for kind, years in pairs:
        first = dt.date(year - years + 1, 1, 1)
        sums[f"{kind}_{years}"] = Sum(
            "hours", filter=Q(kind=kind, on__gte=first, on__lte=last)
        )
    return sums


def ledger_sums(
    staff: QuerySet[StaffProfile] | None,
    *,
    year: int,
    as_of: dt.date,
    rules: list[Rule],
) -> dict[int, dict[tuple[str, int], Decimal]]:
    """Per person id, the hours of every (kind, window years) the rules use; for
    every person in the ledger when ``staff`` is None (the whole province)."""
    first, last = _period(year, as_of, rules)
    sums = _window_sums(rules, year, last)
    if not sums:
        return {}
    names = list(sums)
    keys = [(n.rsplit("_", 1)[0], int(n.rsplit("_", 1)[1])) for n in names]
    # Plain strings: hashing the Kind enum is slow and this runs per person.
    rows = LedgerEntry.objects.filter(on__gte=first, on__lte=last)
    if staff is not None:
        rows = rows.filter(staff__in=staff.values("id"))
    summed = (
        rows.values("staff_id")
        .annotate(**sums)
        .values_list("staff_id", *names)
        .order_by()
    )
    zero = Decimal(0)
    return {
        row[0]: {key: value or zero for key, value in zip(keys, row[1:], strict=True)}
        for row in summed
    }


def exemptions_of(staff_ids, year: int) -> dict[int, list]:
    found = defaultdict(list)
    rows = HoursExemption.objects.filter(
        starts_on__lte=dt.date(year, 12, 31), ends_on__gte=dt.date(year, 1, 1)
    )
    if staff_ids is not None:
        rows = rows.filter(staff_id__in=staff_ids)
    for staff_id, kind, starts_on, ends_on in rows.values_list(
        "staff_id", "kind", "starts_on", "ends_on"
    ):
        found[staff_id].append((kind, starts_on, ends_on))
    return found


def _events(staff_ids, rules: list[Rule], year: int, as_of: dt.date) -> dict[int, list]:
    """Per person, the events judged this year with their rule and hours."""
    triggers = {r.trigger for r in rules if r.trigger}
    if not triggers:
        return {}
    # Deadlines fall in the year for events up to 10 years back (within_months ≤ 120).
    changes = PostChange.objects.filter(
        trigger__in=triggers,
        on__gte=dt.date(year - 10, 1, 1),
        on__lte=dt.date(year, 12, 31),
    )
    if staff_ids is not None:
        changes = changes.filter(staff_id__in=staff_ids)
    found = defaultdict(list)
    for staff_id, trigger, on in changes.values_list("staff_id", "trigger", "on"):
        for event, rule, due in compliance.events_due_in(
            rules, [Event(trigger, on)], year
        ):
            hours = LedgerEntry.objects.filter(
                staff_id=staff_id, kind=rule.kind, on__gte=on, on__lte=min(due, as_of)
            ).aggregate(h=Sum("hours"))["h"] or Decimal(0)
            found[staff_id].append((event, rule, hours))
    return found


def roster_for_year(staff: QuerySet[StaffProfile], year: int) -> QuerySet:
    """Active people who had joined by the end of the year (leavers leave the report)."""
    return staff.filter(active=True).filter(
        Q(hired_on__isnull=True) | Q(hired_on__lte=dt.date(year, 12, 31))
    )


def standing_of(staff: StaffProfile, *, year: int, as_of: dt.date) -> Standing:
    rules = rules_for(year, as_of)
    sums = ledger_sums(
        StaffProfile.objects.filter(pk=staff.pk), year=year, as_of=as_of, rules=rules
    )
    return compliance.judge(
        year=year,
        rules=rules,
        rank_category=staff.rank_category,
        hired_on=staff.hired_on,
        window_hours=sums.get(staff.pk, {}),
        exempt=compliance.exempt_kinds(exemptions_of([staff.pk], year)[staff.pk], year),
        events=_events([staff.pk], rules, year, as_of).get(staff.pk, []),
    )


UNIT_KEYS = ("unit_code", "unit_name", "level", *COUNT_KEYS, "met_rate")
PEOPLE_KEYS = (
    "staff_no",
    "name",
    "unit_code",
    "rank_category",
    "online_hours",
    "online_required",
    "centralised_hours",
    "centralised_required",
    "centralised_window",
    "status",
)
# Per unit, besides COUNT_KEYS: the hours of its people (the upward report's totals).
TOTAL_KEYS = ("online_hours", "centralised_year_hours")


def _codes(statuses: tuple[str, ...] | None) -> list[int] | None:
    return None if statuses is None else [STATUSES.index(s) for s in statuses]


class PeopleRows:
    """The people of a report with a status in ``statuses`` (everyone for None), in
    unit path and staff number order, shaped as ``person_row``.

    A sequence for ``Paginator``: ``count()`` and slicing read only what is asked
    for. Iterating reads every row in chunks. Rows judged in Python are a list;
    rows judged by PostgreSQL are read from the report's statement, a page at a
    time, and the count comes from the report's counts (no further query)."""

    def __init__(self, report: HoursReport, statuses: tuple[str, ...] | None):
        self.report = report
        self.statuses = statuses

    def _codes(self) -> list[int] | None:
        return _codes(self.statuses)

    def _loaded(self) -> list[dict] | None:
        loaded = self.report._people
        if loaded is None or self.statuses is None:
            return loaded
        return [p for p in loaded if p["status"] in self.statuses]

    def count(self) -> int:
        loaded = self._loaded()
        if loaded is not None:
            return len(loaded)
        return sum(self.report.summary[s] for s in self.statuses or STATUSES)

    def __len__(self) -> int:
        return self.count()

    def __bool__(self) -> bool:
        return self.count() > 0

    def __getitem__(self, key):
        loaded = self._loaded()
        if loaded is not None:
            return loaded[key]
        if isinstance(key, int):
            found = self[key : key + 1]
            if not found:
                raise IndexError(key)
            return found[0]
        start, stop = key.start or 0, key.stop
        if key.step not in (None, 1) or start < 0 or stop is None or stop < 0:
            return list(self)[key]
        read = self.report._page
        if read is not None and read[:2] == (self._codes(), start):
            if stop - start <= read[2]:
                return self.report._shape(read[3][: stop - start])
        sql, params = self.report._sql
        rows = hours_sql.people_page(
            sql, params, self._codes(), offset=start, limit=max(0, stop - start)
        )
        return self.report._shape(rows)

    def __iter__(self) -> Iterator[dict]:
        loaded = self._loaded()
        if loaded is not None:
            yield from loaded
            return
        sql, params = self.report._sql
        for chunk in hours_sql.people_chunks(sql, params, self._codes()):
            yield from self.report._shape(chunk)


@dataclass
class HoursReport:
    year: int
    as_of: dt.date
    summary: dict
    units: list[dict]
    # Unit code → path, for placing people in subtrees.
    unit_paths: dict[str, str] = field(default_factory=dict)
    # Every person row when judged in Python; otherwise the person statement and
    # what shaping its rows needs.
    _people: list[dict] | None = None
    _sql: tuple[str, list] = ("", [])
    # The page read with the counts: (status codes, offset, limit, rows).
    _page: tuple | None = None

    @property
    def people(self) -> PeopleRows:
        return PeopleRows(self, None)

    def people_with(self, statuses: tuple[str, ...]) -> PeopleRows:
        return PeopleRows(self, statuses)

    def as_json(self) -> dict:
        return {
            "year": self.year,
            "as_of": self.as_of.isoformat(),
            "summary": self.summary,
            "units": [{k: u[k] for k in UNIT_KEYS} for u in self.units],
            "people": [{k: p[k] for k in PEOPLE_KEYS} for p in self.people],
        }

    def _shape(self, rows: list[tuple]) -> list[dict]:
        year = self.year
        return [_statement_row(row, year) for row in rows]


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _event_lines(lines) -> list[dict]:
    return [
        {
            "trigger": x.trigger,
            "on": x.event_on.isoformat(),
            "due_on": x.due_on.isoformat(),
            "hours": _number(x.hours),
            "required": _number(x.required),
        }
        for x in lines
        if x.trigger
    ]


def person_row(values: dict, standing: Standing, sums: dict) -> dict:
    online = standing.periodic(Kind.ONLINE)
    central = standing.periodic(Kind.CENTRALISED)
    return {
        "staff_id": values["id"],
        "staff_no": values["staff_no"],
        "name": values["name"],
        "unit_id": values["unit_id"],
        "unit_code": values["unit__code"],
        "rank_category": values["rank_category"] or "general",
        "online_hours": _number(online.hours if online else None),
        "online_required": _number(online.required if online else None),
        "centralised_hours": _number(central.hours if central else None),
        "centralised_required": _number(central.required if central else None),
        "centralised_window": list(central.window)
        if central and central.window
        else None,
        "status": standing.status,
        "centralised_year_hours": _number(sums.get((Kind.CENTRALISED, 1), Decimal(0))),
        "events": _event_lines(standing.lines),
    }


def _statement_row(row: tuple, year: int) -> dict:
    """``person_row`` from a row of ``hours.sql.people_page`` (PERSON_COLUMNS)."""
    (
        staff_id,
        staff_no,
        name,
        unit_id,
        unit_code,
        rank,
        online,
        online_required,
        central,
        central_required,
        first,
        status_code,
        central_year,
        event_lines,
    ) = row
    return {
        "staff_id": staff_id,
        "staff_no": staff_no,
        "name": name,
        "unit_id": unit_id,
        "unit_code": unit_code,
        "rank_category": rank,
        "online_hours": None if online is None else float(online),
        "online_required": None if online_required is None else float(online_required),
        "centralised_hours": None if central is None else float(central),
        "centralised_required": None
        if central_required is None
        else float(central_required),
        "centralised_window": None if first is None else [first, year],
        "status": STATUSES[status_code],
        "centralised_year_hours": float(central_year),
        "events": [
            {
                "trigger": x["trigger"],
                "on": x["on"],
                "due_on": x["due_on"],
                "hours": float(x["hours"]),
                "required": float(x["required"]),
            }
            for x in event_lines or ()
        ],
    }


def _fast_row(values: tuple, fast: compliance.YearJudge, hours: dict) -> dict:
    """``person_row`` for someone with no event and no exemption this year."""
    pk, staff_no, name, unit_id, unit_code, rank, hired_on = values
    status, lines = fast.lines(rank, hired_on, hours)
    online = lines.get("online")
    central = lines.get("centralised")
    return {
        "staff_id": pk,
        "staff_no": staff_no,
        "name": name,
        "unit_id": unit_id,
        "unit_code": unit_code,
        "rank_category": rank or "general",
        "online_hours": float(online[0]) if online else None,
        "online_required": float(online[1]) if online else None,
        "centralised_hours": float(central[0]) if central else None,
        "centralised_required": float(central[1]) if central else None,
        "centralised_window": central[2] if central else None,
        "status": status,
        "centralised_year_hours": float(hours.get(("centralised", 1), 0)),
        "events": [],
    }


def met_rate(counts: dict) -> float | None:
    base = counts["headcount"] - counts["exempt"]
    return round(counts["met"] / base, 4) if base else None


def own_row(units: list[dict], unit_code: str, children: list[dict]) -> dict | None:
    """The people attached to the unit itself (本级), not to any sub-unit: its
    subtree's counts less its sub-units', so that the rows of a unit's table add
    up to its total. None when there are none."""
    whole = next((u for u in units if u["unit_code"] == unit_code), None)
    if whole is None:
        return None
    own: dict = {k: whole[k] - sum(c[k] for c in children) for k in COUNT_KEYS}
    if not own["headcount"]:
        return None
    own["met_rate"] = met_rate(own)
    return own


def hours_report(
    *,
    year: int,
    as_of: dt.date,
    staff: QuerySet[StaffProfile],
    units: QuerySet[Unit],
    whole_province: bool = False,
    in_sql: bool | None = None,
    page: tuple[tuple[str, ...] | None, int, int] | None = None,
) -> HoursReport:
    """The report over ``staff`` and ``units`` (both from a scoped selector), in a
    fixed number of queries whatever the number of people.

    On PostgreSQL every person is judged by one statement (``hours.sql``) and the
    report holds counts; its people are read a page at a time. Elsewhere (or with
    ``in_sql=False``) people are judged in Python (``hours.compliance``), the
    reference the statement is tested against.

    ``page`` (statuses, offset, limit) names the people the caller will show
    first: the statement reads them with the counts, in the same pass."""
    if in_sql is None:
        in_sql = connection.vendor == "postgresql"
    rules = rules_for(year, as_of)
    roster = roster_for_year(staff, year)
    unit_list = list(
        units.order_by("path").values_list(
            "id", "code", "name", "level", "path", "parent_id"
        )
    )
    if in_sql:
        sql, params = _statement(roster, rules, year, as_of, whole_province)
        people = read = None
        if page is None:
            grouped = hours_sql.unit_counts(sql, params)
        else:
            statuses, offset, limit = page
            codes = _codes(statuses)
            grouped, rows = hours_sql.unit_counts_and_page(
                sql, params, codes, offset=offset, limit=limit
            )
            read = (codes, offset, limit, rows)
        own = _own_from_counts(grouped)
    else:
        sql, params, read = "", [], None
        people = _judged_in_python(roster, rules, year, as_of, whole_province)
        own = _own_from_people(people)
    return HoursReport(
        year=year,
        as_of=as_of,
        summary=_summary(own),
        units=roll_up(own, unit_list),
        unit_paths={u[1]: u[4] for u in unit_list},
        _people=people,
        _sql=(sql, params),
        _page=read,
    )


def _statement(roster, rules, year, as_of, whole_province) -> tuple[str, list]:
    first, last = _period(year, as_of, rules)
    columns = sorted(_window_sums(rules, year, last))
    keys = [(n.rsplit("_", 1)[0], int(n.rsplit("_", 1)[1])) for n in columns]
    found = roster.order_by().values(
        "id",
        "staff_no",
        "name",
        "unit_id",
        "rank_category",
        "hired_on",
        unit_code=F("unit__code"),
        unit_path=F("unit__path"),
    )
    roster_sql, roster_params = found.query.sql_with_params()
    return hours_sql.person_sql(
        hours_sql.plan_for(rules, year, keys),
        roster=(roster_sql, list(roster_params)),
        first=first,
        last=last,
        as_of=as_of,
        whole_province=whole_province,
    )


def _judged_in_python(roster, rules, year, as_of, whole_province) -> list[dict]:
    # The whole province sums the ledger without a join to the roster; people not
    # on it are simply never looked up.
    sums = ledger_sums(
        None if whole_province else roster, year=year, as_of=as_of, rules=rules
    )
    ids = None if whole_province else roster.values("id")
    exemptions = exemptions_of(ids, year)
    events = _events(ids, rules, year, as_of)
    fast = compliance.YearJudge(rules, year)
    people = []
    fields = ("id", "staff_no", "name", "unit_id", "unit__code")
    for values in roster.order_by("unit__path", "staff_no").values_list(
        *fields, "rank_category", "hired_on"
    ):
        pk = values[0]
        hours = sums.get(pk, {})
        if pk in exemptions or pk in events:
            standing = compliance.judge(
                year=year,
                rules=rules,
                rank_category=values[5],
                hired_on=values[6],
                window_hours=hours,
                exempt=compliance.exempt_kinds(exemptions.get(pk, []), year),
                events=events.get(pk, []),
            )
            named = dict(zip(fields, values, strict=False))
            people.append(
                person_row(named | {"rank_category": values[5]}, standing, hours)
            )
        else:
            people.append(_fast_row(values, fast, hours))
    return people


# Per unit id: COUNT_KEYS then TOTAL_KEYS.
OwnCounts = dict[int, list]


def _own_from_people(people: list[dict]) -> OwnCounts:
    own: OwnCounts = {}
    for p in people:
        counts = own.setdefault(p["unit_id"], [0] * (len(COUNT_KEYS) + 2))
        counts[0] += 1
        counts[1 + STATUSES.index(p["status"])] += 1
        counts[-2] += Decimal(str(p["online_hours"] or 0))
        counts[-1] += Decimal(str(p["centralised_year_hours"] or 0))
    return own


def _own_from_counts(grouped: list[tuple]) -> OwnCounts:
    return {
        unit_id: [sum(by_code), *by_code, online or 0, central or 0]
        for unit_id, by_code, online, central in grouped
    }


def _summary(own: OwnCounts) -> dict:
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for found in own.values():
        for k, key in enumerate(COUNT_KEYS):
            counts[key] += found[k]
    return {**counts, "met_rate": met_rate(counts)}


def roll_up(own: OwnCounts, units: list[tuple]) -> list[dict]:
    """One row per unit (id, code, name, level, path, parent id), counting its
    whole subtree: each unit's own counts added to every unit on its path."""
    width = len(COUNT_KEYS) + len(TOTAL_KEYS)
    totals: dict[str, list] = {u[1]: [0] * width for u in units}
    for unit_id, _code, _name, _level, path, _parent in units:
        found = own.get(unit_id)
        if not found:
            continue
        for ancestor in path.split("/"):
            row = totals.get(ancestor)
            if row is not None:
                for k in range(width):
                    row[k] += found[k]
    rows = []
    for _id, code, name, level, path, parent_id in units:
        counts: dict = dict(zip(COUNT_KEYS, totals[code], strict=False))
        for k, key in enumerate(TOTAL_KEYS, start=len(COUNT_KEYS)):
            counts[key] = float(totals[code][k])
        rows.append(
            {
                "unit_code": code,
                "unit_name": name,
                "level": level,
                "path": path,
                "parent_id": parent_id,
                **counts,
                "met_rate": met_rate(counts),
            }
        )
    return rows


def ledger_of(staff: StaffProfile, *, first: dt.date, last: dt.date) -> QuerySet:
    return LedgerEntry.objects.filter(staff=staff, on__gte=first, on__lte=last)


def classes_organised_by(user) -> QuerySet[CentralisedClass]:
    """The classes a user may run sign-in for: every class for the training office,
    else the classes organised by a unit they can see."""
    from organisation.permissions import ALL, is_trainer, trainer_scope_paths
    from organisation.selectors import units_visible_to

    classes = CentralisedClass.objects.select_related("organiser")
    paths = trainer_scope_paths(user) if is_trainer(user) else []
    if paths is ALL:
        return classes
    mine = Q(organiser__in=units_visible_to(user))
    for path in paths:
        mine |= Q(organiser__path__startswith=path)
    return classes.filter(mine)


def session_get_for_organiser(user, *, pk: int) -> ClassSession:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(
        ClassSession.objects.select_related("klass"),
        pk=pk,
        klass__in=classes_organised_by(user),
    )


def is_enrolled(klass: CentralisedClass, staff: StaffProfile) -> bool:
    """On the class's list, or matched by its rule (units' subtrees, rank category)."""
    if Enrolment.objects.filter(klass=klass, staff=staff).exists():
        return True
    paths = [u.path for u in klass.rule_units.all()]
    if not paths or not any(staff.unit.path.startswith(p) for p in paths):
        return False
    wanted = klass.rule_rank_category
    return not wanted or (staff.rank_category or "general") == wanted
