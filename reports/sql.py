"""The reports' PostgreSQL-only statements, each behind a named function.

The portable path beside each caller in ``reports/selectors.py`` is the reference:
tests run both and compare. Values are always parameters.
"""

from __future__ import annotations

from django.db import connection

# Why the packed sum: the province-wide report at 300,000 staff must stay within 2x of
# a plain SQL GROUP BY (docs/performance.md, issue 5). Five SUM(CASE ...) evaluated the
# status rules five times per person (2.03x); one packed sum brought it to 1.6-1.7x.
# Each person adds 1 << (16 x status_code) for the first four statuses and nothing
# for the fifth, which is the headcount less the other four. Sixteen bits hold a
# group of up to 65,535 people; a larger group (none in a real roster) is counted
# status by status instead.
PACKED_BITS = 16
PACKED_LIMIT = (1 << PACKED_BITS) - 1


def status_counts_packed(
    sql: str,
    params: list,
    n_statuses: int,
    extra: str = "",
    extra_params: list | None = None,
    limit: int | None = None,
) -> list[tuple] | None:
    """Per (unit, leader or not) over the person rows ``sql``: headcount, people per
    status and the ``extra`` sums, in one packed aggregate; None when a group is too
    large to pack (more than ``limit`` people, PACKED_LIMIT by default)."""
    limit = PACKED_LIMIT if limit is None else limit
    weights = [1 << (PACKED_BITS * k) for k in range(n_statuses - 1)] + [0]
    n_extra = extra.count("SUM(")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.unit_id, p.is_leader, COUNT(*),"
            f" SUM((%s::int8[])[p.status_code + 1]){extra}"
            f" FROM ({sql}) p GROUP BY p.unit_id, p.is_leader",
            [weights, *(extra_params or []), *params],
        )
        packed = cursor.fetchall()
    if any(row[2] > limit for row in packed):
        return None
    return [
        (
            unit_id,
            leader,
            count,
            *unpack(count, int(total or 0), n_statuses),
            *rest[:n_extra],
        )
        for unit_id, leader, count, total, *rest in packed
    ]


def unpack(count: int, total: int, n_statuses: int) -> list[int]:
    """The per-status counts (STATUSES order) of one packed sum."""
    counts = [
        (total >> (PACKED_BITS * k)) & PACKED_LIMIT for k in range(n_statuses - 1)
    ]
    return [*counts, count - sum(counts)]


def execute_for_every_row(cursor, sql: str, params: list) -> None:
    """Open the server-side cursor planned for reading every row.

    Why: PostgreSQL plans a cursor for its first tenth (cursor_tuple_fraction), and
    for the people query that picks nested loops that re-run the per-person
    aggregate for each person: a city of 7,440 people took 22 s instead of 1 s. The
    plan is fixed when the cursor is declared, so the setting is restored straight
    after."""
    with connection.cursor() as setting:
        setting.execute("SET cursor_tuple_fraction = 1")
        try:
            cursor.execute(sql, params)
        finally:
            setting.execute("RESET cursor_tuple_fraction")
