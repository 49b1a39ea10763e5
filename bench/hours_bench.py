"""The 学时 report at national scale, beside a plain SQL aggregate of the ledger.

Builds (or completes) generated data in PostgreSQL with COPY through the data ladder's
helpers: ~3,600 units, ``--staff`` people (one in ten ``leading``) and about five
ledger rows a person over the five years that a leading cadre's window spans; then
measures, turn about so all see the same machine load,

- the province-wide report (``hours.selectors.hours_report``: every person judged
  against the rules in force, every unit rolled up, the summary),
- the report's page (the report and its first 50 people not met, as the page
  shows them),
- every person row of the report (what the CSV file writes), and
- the baseline: one SQL statement summing each person's ledger rows by kind over
  the same years (the aggregate the report cannot do without).

One in 200 people has an exemption this year and one in 500 a promotion judged
this year. ``--check`` also judges everyone in Python (the reference path) and
compares the summary and the units.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_hours_bench \\
        .venv/bin/python -m bench.hours_bench --staff 300000

The database must be its own: it is migrated and filled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from decimal import Decimal

YEAR = 2026
PER_PERSON = 5


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("hours_bench needs PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)
    from organisation.migrations._reference import load_groups_and_lines
    from organisation.models import Unit

    load_groups_and_lines()
    if not Unit.objects.filter(level="province").exists():
        Unit.objects.create(
            code="BP", name="省人民检察院", level="province", path="BP/", depth=1
        )


def build(staff: int) -> None:
    from bench import ladder
    from hours.models import LedgerEntry
    from organisation.models import StaffProfile

    size = ladder.Size("HOURS", 40, 10, 8, staff, 0, 0, 0)
    rng = random.Random(11)
    started = time.perf_counter()
    unit_ids = ladder.build_units(size, rng)
    ladder.build_staff(size, unit_ids, rng)
    people = StaffProfile.objects.filter(staff_no__startswith=ladder.STAFF_PREFIX)
    people.filter(is_leader=True, rank_category="").update(rank_category="leading")
    people.filter(rank_category="").update(rank_category="general")
    have = set(
        LedgerEntry.objects.values_list("staff_id", flat=True).distinct().iterator()
    )
    todo = [pk for pk in people.values_list("id", flat=True) if pk not in have]
    first = dt.date(YEAR - 4, 1, 1)
    span = (dt.date(YEAR, 12, 31) - first).days
    next_id = ladder._next_id(LedgerEntry)

    def rows():
        n = 0
        for staff_id in todo:
            for k in range(PER_PERSON):
                yield {
                    "id": next_id + n,
                    "staff_id": staff_id,
                    "on": first + dt.timedelta(days=rng.randint(0, span)),
                    "hours": Decimal(rng.choice([4, 8, 16, 24, 30, 45])),
                    "kind": "online" if k % 2 else "centralised",
                    "source": "manual",
                    "title": "培训",
                    "reason": "基准数据",
                }
                n += 1

    written = ladder.bulk_write(LedgerEntry, rows())
    _exemptions_and_events(people, rng)
    ladder._analyse(__import__("django.db").db.connection)
    print(
        f"  built {staff:,} staff, {written:,} new ledger rows in "
        f"{time.perf_counter() - started:.1f} s"
    )


def _exemptions_and_events(people, rng: random.Random) -> None:
    """A few exemptions and promotions, as a real roster has (once)."""
    from hours.models import HoursExemption, PostChange

    if HoursExemption.objects.exists() or PostChange.objects.exists():
        return
    ids = list(people.values_list("id", flat=True))
    HoursExemption.objects.bulk_create(
        HoursExemption(
            staff_id=pk,
            kind=rng.choice(["", "online", "centralised"]),
            starts_on=dt.date(YEAR, rng.randint(1, 6), 1),
            ends_on=dt.date(YEAR, rng.randint(7, 12), 1),
            reason="基准数据",
        )
        for pk in ids[::200]
    )
    PostChange.objects.bulk_create(
        PostChange(
            staff_id=pk,
            trigger=rng.choice(["senior_prosecutor", "chief"]),
            on=dt.date(YEAR - 1, rng.randint(1, 12), rng.randint(1, 28)),
        )
        for pk in ids[7::500]
    )


def baseline_sql(as_of: dt.date):
    """Each person's hours by kind over the report's years: the plain aggregate."""
    from django.db import connection

    sql = (
        "SELECT staff_id,"
        " SUM(CASE WHEN kind = 'online' AND \"on\" >= %s THEN hours END),"
        " SUM(CASE WHEN kind = 'centralised' AND \"on\" >= %s THEN hours END),"
        " SUM(CASE WHEN kind = 'centralised' THEN hours END)"
        ' FROM hours_ledgerentry WHERE "on" >= %s AND "on" <= %s'
        " GROUP BY staff_id"
    )
    year_start = dt.date(YEAR, 1, 1)
    with connection.cursor() as cursor:
        cursor.execute(sql, [year_start, year_start, dt.date(YEAR - 4, 1, 1), as_of])
        return cursor.fetchall()


def report(as_of: dt.date, **kw):
    from hours.selectors import hours_report
    from organisation.models import StaffProfile, Unit

    return hours_report(
        year=YEAR,
        as_of=as_of,
        staff=StaffProfile.objects.all(),
        units=Unit.objects.all(),
        whole_province=True,
        **kw,
    )


def page(as_of: dt.date) -> list[dict]:
    """As the page reads it: the first page with the counts, in one statement."""
    shown = ("not_met",)
    return report(as_of, page=(shown, 0, 50)).people_with(shown)[0:50]


def every_row(as_of: dt.date) -> int:
    return sum(1 for _ in report(as_of).people)


def _timed(fn, *args):
    started = time.perf_counter()
    found = fn(*args)
    return found, time.perf_counter() - started


def measure(runs: int) -> dict:
    as_of = dt.date(YEAR, 12, 31)
    times: dict[str, list[float]] = {
        "baseline": [],
        "report": [],
        "page": [],
        "rows": [],
    }
    result = base = None
    for _ in range(runs):
        base, took = _timed(baseline_sql, as_of)
        times["baseline"].append(took)
        result, took = _timed(report, as_of)
        times["report"].append(took)
        _, took = _timed(page, as_of)
        times["page"].append(took)
        _, took = _timed(every_row, as_of)
        times["rows"].append(took)
    t = {k: statistics.median(v) for k, v in times.items()}
    b = t["baseline"]
    return {
        "people": result.summary["headcount"],
        "ledger_people": len(base),
        "baseline_s": round(b, 2),
        "report_s": round(t["report"], 2),
        "ratio": round(t["report"] / b, 2),
        "page_s": round(t["page"], 2),
        "page_ratio": round(t["page"] / b, 2),
        "rows_s": round(t["rows"], 2),
        "rows_ratio": round(t["rows"] / b, 2),
        "met_rate": result.summary["met_rate"],
    }


def check(as_of: dt.date) -> None:
    """The statement's report against the Python judgement, on the whole data."""
    in_sql, took_sql = _timed(report, as_of)
    in_python, took_python = _timed(lambda: report(as_of, in_sql=False))
    same = in_sql.summary == in_python.summary and in_sql.units == in_python.units
    print(
        f"  check: summary and units {'identical' if same else 'DIFFER'}"
        f" ({took_sql:.1f} s judged by the statement, {took_python:.1f} s in Python)"
    )
    if not same:
        sys.exit(1)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, action="append")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    _setup()
    for staff in args.staff or [300_000]:
        if not args.measure_only:
            build(staff)
        if args.check:
            check(dt.date(YEAR, 12, 31))
        figures = measure(args.runs)
        print(f"{staff:,} staff: {figures}")
        verdict = "within" if figures["ratio"] <= 2 else "NOT within"
        print(f"  the report is {verdict} 2× the plain aggregate")


if __name__ == "__main__":
    main()
