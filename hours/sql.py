"""The hours report's PostgreSQL statements, each behind a named function.

Why: the province-wide report at 300,000 people must stay within 2× a plain SQL sum
of the ledger (docs/performance.md). Judging each person in Python after the sum
cost six times the sum; here one statement sums the ledger per person over the
rules' windows, joins the roster, the exemptions and the events of the year, and
decides each person's status with CASE expressions, so the report reads counts per
unit and only the page of people it shows.

The Python judgement (``hours.compliance``, used by ``hours.selectors`` on other
databases) is the reference: tests run both on the same roster and compare. The
figures that depend on arithmetic (the share owed by a joiner, per joining month)
come from ``compliance.required_for`` and reach the statement as array parameters,
so both paths round alike. Values are always parameters; only column names made
here from indexes are written into the text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from . import compliance
from .compliance import KINDS, Rule
from .models import HoursExemption, LedgerEntry, PostChange

# Status codes of the statement, in the order of selectors.STATUSES.
MET, NOT_MET, EXEMPT = 0, 1, 2
RANKS = ("general", "leading")


@dataclass(frozen=True)
class Line:
    """A periodic rule as it applies to one rank: its ledger column, the first year
    of its window and what a person owes by joining month (index 0: joined before
    the window or never dated; k: joined k months into it; the last: after it)."""

    kind: str
    column: int
    first_year: int
    owed: list[Decimal]


@dataclass(frozen=True)
class Plan:
    year: int
    # (kind, window years) of every ledger column, in column order.
    columns: list[tuple[str, int]]
    # Per rank, per kind (KINDS order): the line, or None when no rule applies.
    lines: dict[str, list[Line | None]]
    # The event rules: (trigger, kind, required hours, within months).
    events: list[tuple[str, str, Decimal, int]]


def plan_for(rules: list[Rule], year: int, columns: list[tuple[str, int]]) -> Plan:
    """The rules of a report year in the shape the statement takes."""
    index = {key: k for k, key in enumerate(columns)}
    lines: dict[str, list[Line | None]] = {}
    for rank in RANKS:
        chosen = {r.kind: r for r in compliance.periodic_rules(rules, rank)}
        found: list[Line | None] = []
        for kind in KINDS:
            rule = chosen.get(kind)
            if rule is None:
                found.append(None)
                continue
            first = year - rule.window_years + 1
            months = 12 * rule.window_years
            owed = [
                compliance.required_for(
                    rule, year, dt.date(first + m // 12, m % 12 + 1, 1)
                )
                for m in range(months)
            ] + [compliance.required_for(rule, year, dt.date(year + 1, 1, 1))]
            found.append(
                Line(str(kind), index[(str(kind), rule.window_years)], first, owed)
            )
        lines[rank] = found
    events = [
        (r.trigger, str(r.kind), r.required, r.within_months)
        for r in rules
        if r.trigger
    ]
    return Plan(year=year, columns=columns, lines=lines, events=events)


def _ledger_sql(plan: Plan, first: dt.date, last: dt.date, ids: tuple | None):
    """Per person: the hours of each (kind, window years) column."""
    sums, params = [], []
    for k, (kind, years) in enumerate(plan.columns):
        sums.append(f'SUM(CASE WHEN kind = %s AND "on" >= %s THEN hours END) AS s{k}')
        params += [kind, dt.date(plan.year - years + 1, 1, 1)]
    sql = (
        f"SELECT staff_id, {', '.join(sums)} FROM {LedgerEntry._meta.db_table}"
        ' WHERE "on" >= %s AND "on" <= %s'
    )
    params += [first, last]
    if ids is not None:
        sql += f" AND staff_id IN ({ids[0]})"
        params += ids[1]
    return sql + " GROUP BY staff_id", params


def _exemptions_sql(year: int):
    """Per person exempted in the year: whether each kind is excused."""
    flags = ", ".join(
        f"BOOL_OR(kind = '' OR kind = %s) AS x{k}" for k in range(len(KINDS))
    )
    return (
        f"SELECT staff_id, {flags} FROM {HoursExemption._meta.db_table}"
        " WHERE starts_on <= %s AND ends_on >= %s GROUP BY staff_id",
        [*KINDS, dt.date(year, 12, 31), dt.date(year, 1, 1)],
    )


def _events_sql(plan: Plan, as_of: dt.date):
    """Per person with an event judged this year: per kind, the event lines and
    those short of their hours (the rule of compliance.events_due_in), and the
    lines themselves as the report shows them."""
    values = ", ".join(["(%s::int, %s, %s, %s::numeric, %s::int)"] * len(plan.events))
    params: list = [
        v for number, event in enumerate(plan.events) for v in (number, *event)
    ]
    due = '((pc."on" + make_interval(months => r.months))::date - 1)'
    counts = []
    for k in range(len(KINDS)):
        counts.append(f"COUNT(*) FILTER (WHERE ev.kind = %s) AS n{k}")
        counts.append(
            f"COUNT(*) FILTER (WHERE ev.kind = %s AND ev.hours < ev.required) AS m{k}"
        )
    # Ordered as selectors._events lists them: latest change first, then the rules.
    lines = (
        "JSON_AGG(JSON_BUILD_OBJECT('trigger', ev.trigger, 'on', ev.on,"
        " 'due_on', ev.due_on, 'hours', ev.hours, 'required', ev.required)"
        " ORDER BY ev.on DESC, ev.change_id, ev.number) AS event_lines"
    )
    sql = (
        f"SELECT ev.staff_id, COUNT(*) AS n_events, {', '.join(counts)}, {lines}"
        ' FROM (SELECT pc.staff_id, pc.id AS change_id, pc."on", r.number,'
        f" r.trigger, r.kind, r.required, {due} AS due_on,"
        f" COALESCE((SELECT SUM(l.hours) FROM {LedgerEntry._meta.db_table} l"
        ' WHERE l.staff_id = pc.staff_id AND l.kind = r.kind AND l."on" >= pc."on"'
        f' AND l."on" <= LEAST({due}, %s::date)), 0) AS hours'
        f" FROM {PostChange._meta.db_table} pc"
        f" JOIN (VALUES {values}) AS r(number, trigger, kind, required, months)"
        " ON r.trigger = pc.trigger"
        f' WHERE pc."on" >= %s AND pc."on" <= %s AND EXTRACT(YEAR FROM {due}) = %s'
        ") ev GROUP BY ev.staff_id"
    )
    # In the order of the text: the select list's kinds, the report date, the
    # rules' values, then the period of the changes and the year.
    kinds = [kind for kind in KINDS for _ in range(2)]
    params = [*kinds, as_of, *params]
    params += [dt.date(plan.year - 10, 1, 1), dt.date(plan.year, 12, 31), plan.year]
    return sql, params


def _per_rank(plan: Plan, k: int, pick, params: list) -> str:
    """``CASE WHEN leading THEN … ELSE … END`` of one kind's line, ``pick`` giving
    the expression of a line (appending its parameters) or NULL without a rule."""
    params.append("leading")
    chosen = []
    for rank in ("leading", "general"):
        line = plan.lines[rank][k]
        chosen.append("NULL" if line is None else pick(line, params))
    return f"CASE WHEN a.rank_category = %s THEN {chosen[0]} ELSE {chosen[1]} END"


# The joining month of a person as a number of months since year 0 (NULL if undated).
_JOINED = "(EXTRACT(YEAR FROM a.hired_on)::int * 12 + EXTRACT(MONTH FROM a.hired_on)::int - 1)"


def _owed(line: Line, params: list) -> str:
    """The hours a person owes on ``line``, by the month they joined."""
    params += [line.owed, 12 * line.first_year, len(line.owed)]
    return f"(%s::numeric[])[LEAST(GREATEST(0, COALESCE({_JOINED} - %s, 0)) + 1, %s)]"


def person_sql(
    plan: Plan,
    *,
    roster: tuple[str, list],
    first: dt.date,
    last: dt.date,
    as_of: dt.date,
    whole_province: bool,
) -> tuple[str, list]:
    """One row per person of ``roster`` (a query of id, staff_no, name, unit_id,
    unit_code, unit_path, rank_category, hired_on) with each kind's hours, owed
    hours and window, the year's centralised hours and ``status_code``."""
    cols, params = [], []

    def hours_of(line: Line, _params: list) -> str:
        return f"COALESCE(l.s{line.column}, 0)"

    def owed_of(line: Line, p: list) -> str:
        return _owed(line, p)

    def first_of(line: Line, p: list) -> str:
        p.append(line.first_year)
        return "%s::int"

    for k in range(len(KINDS)):
        cols.append(_per_rank(plan, k, hours_of, params) + f" AS h{k}")
        cols.append(_per_rank(plan, k, owed_of, params) + f" AS r{k}")
        cols.append(_per_rank(plan, k, first_of, params) + f" AS f{k}")
    year_column = plan.columns.index(("centralised", 1))
    cols.append(f"COALESCE(l.s{year_column}, 0) AS centralised_year_hours")
    cols.append("e.event_lines" if plan.events else "NULL::json AS event_lines")
    params.append("leading")
    cols.append(
        f"CASE WHEN a.rank_category = %s THEN {_status(plan, 'leading', params)}"
        f" ELSE {_status(plan, 'general', params)} END AS status_code"
    )
    ids = None if whole_province else (f"SELECT r.id FROM ({roster[0]}) r", roster[1])
    ledger, ledger_params = _ledger_sql(plan, first, last, ids)
    exempt, exempt_params = _exemptions_sql(plan.year)
    joins = (
        f" LEFT JOIN ({ledger}) l ON l.staff_id = a.id"
        f" LEFT JOIN ({exempt}) x ON x.staff_id = a.id"
    )
    join_params = [*ledger_params, *exempt_params]
    if plan.events:
        events, events_params = _events_sql(plan, as_of)
        joins += f" LEFT JOIN ({events}) e ON e.staff_id = a.id"
        join_params += events_params
    sql = (
        "SELECT a.id AS staff_id, a.staff_no, a.name, a.unit_id, a.unit_code,"
        " a.unit_path, COALESCE(NULLIF(a.rank_category, ''), 'general')"
        f" AS rank_category, {', '.join(cols)} FROM ({roster[0]}) a{joins}"
    )
    return sql, [*params, *roster[1], *join_params]


def _status(plan: Plan, rank: str, params: list) -> str:
    """``judge``'s status for one rank: exempt when every line (periodic and event)
    is excused, met when every line not excused is met. The rank's periodic rules
    are known here, so only their lines are written out."""
    lines = [(k, line) for k, line in enumerate(plan.lines[rank]) if line]
    excused = [f"COALESCE(x.x{k}, FALSE)" for k, _line in lines]
    met = [
        f"(COALESCE(x.x{k}, FALSE) OR COALESCE(l.s{line.column}, 0) >= "
        f"{_owed(line, params)})"
        for k, line in lines
    ]
    if plan.events:
        counted = " + ".join(
            f"CASE WHEN COALESCE(x.x{k}, FALSE) THEN 0 ELSE COALESCE(e.n{k}, 0) END"
            for k in range(len(KINDS))
        )
        short = " + ".join(
            f"CASE WHEN COALESCE(x.x{k}, FALSE) THEN 0 ELSE COALESCE(e.m{k}, 0) END"
            for k in range(len(KINDS))
        )
        if not lines:
            excused.append("COALESCE(e.n_events, 0) > 0")
        excused.append(f"({counted}) = 0")
        met.append(f"({short}) = 0")
    elif not lines:
        excused.append("FALSE")
    return (
        f"CASE WHEN {' AND '.join(excused)} THEN {EXEMPT}"
        f" WHEN {' AND '.join(met) or 'TRUE'} THEN {MET} ELSE {NOT_MET} END"
    )


# Status counts per unit in one sum: each person adds 1 for met, 1 << 32 for not met
# and nothing for exempt (the headcount less the other two). One sum evaluates the
# status once per person, where a sum per status would evaluate it once per status,
# and grouping by unit alone keeps the aggregate to a few thousand groups.
_WEIGHTS = [0, 0, 0]
_WEIGHTS[MET], _WEIGHTS[NOT_MET] = 1, 1 << 32
_LOW = (1 << 32) - 1


def _counts_sql(sql: str) -> str:
    return (
        "SELECT p.unit_id, COUNT(*), SUM((%s::int8[])[p.status_code + 1]),"
        f" SUM(p.h{KINDS.index('online')}), SUM(p.centralised_year_hours)"
        f" FROM ({sql}) p GROUP BY p.unit_id"
    )


def _unpacked(found: list[tuple]) -> list[tuple]:
    counts = []
    for unit_id, n, packed, online, central in found:
        met, not_met = int(packed) & _LOW, int(packed) >> 32
        by_code = [0, 0, 0]
        by_code[MET], by_code[NOT_MET] = met, not_met
        by_code[EXEMPT] = n - met - not_met
        counts.append((unit_id, by_code, online, central))
    return counts


def unit_counts(sql: str, params: list) -> list[tuple]:
    """Per unit over the person rows ``sql``: the people with each status (MET,
    NOT_MET, EXEMPT order), their online hours and their centralised hours of the
    year."""
    with connection.cursor() as cursor:
        cursor.execute(_counts_sql(sql), [_WEIGHTS, *params])
        return _unpacked(cursor.fetchall())


def unit_counts_and_page(
    sql: str, params: list, codes: list[int] | None, *, offset: int, limit: int
) -> tuple[list[tuple], list[tuple]]:
    """``unit_counts`` and ``people_page`` in one statement.

    Why: the page of a large scope needs every person judged twice otherwise (once
    for the counts, once to sort the page), and the ledger sum is most of the cost
    of each. The person rows are kept once (a materialised CTE) and read by both;
    the page's rows come back as JSON arrays beside the counts."""
    page, page_params = _filtered("p", [], codes, keys=True)
    columns = ", ".join(f"p.{c}" for c in PERSON_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH p AS MATERIALIZED ({sql})"
            f" SELECT c.*, NULL::json, NULL::int8"
            f" FROM ({_counts_sql('SELECT * FROM p')}) c"
            " UNION ALL"
            f" SELECT NULL, NULL, NULL, NULL, NULL, JSON_BUILD_ARRAY({columns}),"
            # A UNION does not promise to keep a branch's order: each page row
            # carries its place, numbered in the database's own collation.
            " ROW_NUMBER() OVER (ORDER BY p.sort_path, p.sort_no)"
            f" FROM ({page} LIMIT %s OFFSET %s) p",
            [*params, _WEIGHTS, *page_params, limit, offset],
        )
        found = cursor.fetchall()
    counts = [row[:5] for row in found if row[5] is None]
    placed = sorted((row[6], row[5]) for row in found if row[5] is not None)
    rows = [tuple(values) for _place, values in placed]
    return _unpacked(counts), rows


# The columns of a person row that the report shows, in this order.
PERSON_COLUMNS = (
    "staff_id",
    "staff_no",
    "name",
    "unit_id",
    "unit_code",
    "rank_category",
    f"h{KINDS.index('online')}",
    f"r{KINDS.index('online')}",
    f"h{KINDS.index('centralised')}",
    f"r{KINDS.index('centralised')}",
    f"f{KINDS.index('centralised')}",
    "status_code",
    "centralised_year_hours",
    "event_lines",
)


def _filtered(
    sql: str, params: list, codes: list[int] | None, *, keys: bool = False
) -> tuple[str, list]:
    """The person rows of ``sql`` (a statement, or the name of a table) with a
    status in ``codes``, in the page's order; with ``keys``, followed by the two
    sort keys (sort_path, sort_no)."""
    where, extra = "", []
    if codes is not None:
        where, extra = " WHERE p.status_code = ANY(%s)", [codes]
    source = sql if sql == "p" else f"({sql}) p"
    columns = ", ".join(f"p.{c}" for c in PERSON_COLUMNS)
    if keys:
        columns += ", p.unit_path AS sort_path, p.staff_no AS sort_no"
    return (
        f"SELECT {columns} FROM {source}{where} ORDER BY p.unit_path, p.staff_no",
        [*params, *extra],
    )


def people_page(
    sql: str, params: list, codes: list[int] | None, *, offset: int, limit: int
) -> list[tuple]:
    """One page of person rows (PERSON_COLUMNS) with a status in ``codes`` (all
    when None), in unit path and staff number order: sorted and cut in the
    database."""
    query, query_params = _filtered(sql, params, codes)
    with connection.cursor() as cursor:
        cursor.execute(f"{query} LIMIT %s OFFSET %s", [*query_params, limit, offset])
        return cursor.fetchall()


def people_chunks(
    sql: str, params: list, codes: list[int] | None, *, size: int = 2000
) -> Iterator[list[tuple]]:
    """Every person row (PERSON_COLUMNS), in chunks read through a server-side
    cursor (constant memory whatever the scope)."""
    from reports.sql import execute_for_every_row

    query, query_params = _filtered(sql, params, codes)
    with connection.chunked_cursor() as cursor:
        execute_for_every_row(cursor, query, query_params)
        while True:
            chunk = cursor.fetchmany(size)
            if not chunk:
                return
            yield chunk
