"""Completion report at national scale, beside the plain SQL GROUP BY of the same run.

Builds (or completes) generated data in PostgreSQL with COPY through the data ladder's
helpers: ~3,600 units, ``--staff`` people (100,000 then 300,000), 20 campaigns and
about two completions per person; then measures

- the province-wide report (``insights.reports.selectors.campaign_report``: every
  unit rolled up, the leaders' row, the summary) against a plain SQL GROUP BY over
  the same tables counting completed people per unit (the baseline);
- a unit leader's report page (the real view through Django's test client);
- the CSV export of the whole province, streamed: time and peak Python memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_campaigns_bench \\
        .venv/bin/python -m bench.report_bench --staff 100000 --staff 300000

The database must be its own: it is migrated, seeded with the demo and filled.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
import tracemalloc


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("report_bench needs PostgreSQL (DATABASE_URL=postgres://…)")
    call_command("migrate", verbosity=0)
    from learning.campaigns.models import Campaign

    if not Campaign.objects.filter(code="LAW-2026").exists():
        call_command("seed_demo", "--force", verbosity=0)


def build(staff: int) -> None:
    from bench import ladder
    from learning.campaigns.models import Campaign

    size = ladder.Size("REPORT", 40, 10, 8, staff, 30, 20, 0)
    rng = random.Random(5)
    started = time.perf_counter()
    unit_ids = ladder.build_units(size, rng)
    user_ids = ladder.build_staff(size, unit_ids, rng)
    course_ids = ladder.build_courses(size)
    ladder.build_campaigns(size, course_ids, rng)
    # Completions for people not yet given any (the ladder's own rule).
    from learning.models import CourseCompletion

    missing = user_ids
    done = set(
        CourseCompletion.objects.filter(user_id__in=user_ids[-1:]).values_list(
            "user_id", flat=True
        )
    )
    if not done:
        first_new = CourseCompletion.objects.filter(user_id__in=user_ids).values_list(
            "user_id", flat=True
        )
        have = set(first_new)
        missing = [u for u in user_ids if u not in have]
        ladder.build_learning(size, missing, course_ids, rng)
    # The bench's campaigns cover the ladder's courses, most people in scope.
    for campaign in Campaign.objects.filter(code__startswith="BEN-"):
        if not campaign.courses.exists():
            campaign.courses.set(rng.sample(course_ids, 1))
    ladder._analyse(__import__("django.db").db.connection)
    print(f"  built {staff:,} staff in {time.perf_counter() - started:.1f} s")


def _median(fn, runs: int = 5) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def baseline_sql(campaign, as_of: dt.date):
    """The plain SQL: completed people per unit over the same tables."""
    from django.db import connection

    course_ids = list(campaign.courses.values_list("id", flat=True))
    sql = (
        "SELECT s.unit_id, COUNT(*) AS headcount,"
        " SUM(CASE WHEN c.n >= %s THEN 1 ELSE 0 END) AS completed"
        " FROM organisation_staffprofile s"
        " LEFT JOIN (SELECT user_id, COUNT(DISTINCT course_id) AS n"
        "   FROM learning_coursecompletion"
        "   WHERE course_id = ANY(%s) AND completed_on >= %s AND completed_on <= %s"
        "   AND NOT superseded GROUP BY user_id) c ON c.user_id = s.user_id"
        " WHERE s.active GROUP BY s.unit_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [len(course_ids), course_ids, campaign.starts_on, as_of])
        return cursor.fetchall()


def measure() -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from insights.reports.exports import csv_stream
    from insights.reports.selectors import campaign_people, campaign_report
    from learning.campaigns.models import Campaign
    from organisation.models import RoleAssignment, StaffProfile, Unit
    from organisation.services import role_assign

    as_of = dt.date.today()
    staff = StaffProfile.objects.filter(active=True).count()
    units = Unit.objects.count()
    campaign = Campaign.objects.get(code="LAW-2026")
    results = {"staff_active": staff, "units": units}

    base_t, base_rows = _median(lambda: baseline_sql(campaign, as_of))
    report_t, report = _median(lambda: campaign_report(campaign, as_of=as_of))
    results["province_report_s"] = round(report_t, 3)
    results["sql_baseline_s"] = round(base_t, 3)
    results["ratio"] = round(report_t / base_t, 2)
    assert sum(r[1] for r in base_rows) == report.summary["headcount"]
    assert sum(r[2] for r in base_rows) == report.summary["completed"]

    # A unit leader's page: a grassroots unit of the generated province.
    unit = Unit.objects.filter(level="grassroots", code__startswith="LX").first()
    User = get_user_model()
    leader, _created = User.objects.get_or_create(username="bench-unit-leader")
    role_assign(user=leader, role=RoleAssignment.Role.UNIT_LEADER, unit=unit)
    client = Client()
    client.force_login(leader)
    url = reverse("reports:campaign_unit", args=[campaign.code, unit.code])
    assert client.get(url).status_code == 200
    page_t, _response = _median(lambda: client.get(url), runs=7)
    results["unit_leader_page_s"] = round(page_t, 3)
    results["unit_leader_unit"] = unit.code
    results["unit_leader_headcount"] = campaign_report(
        campaign, unit=unit, as_of=as_of
    ).summary["headcount"]

    # The CSV of the whole province, streamed.
    tracemalloc.start()
    started = time.perf_counter()
    lines = 0
    for _line in csv_stream(report, campaign_people(report)):
        lines += 1
    results["csv_s"] = round(time.perf_counter() - started, 2)
    results["csv_rows"] = lines - 1
    results["csv_peak_python_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, action="append")
    parser.add_argument("--measure-only", action="store_true")
    args = parser.parse_args(argv)
    _setup()
    for staff in args.staff or [100_000]:
        if not args.measure_only:
            build(staff)
        figures = measure()
        print(f"report_bench at {staff:,} generated staff:")
        for key, value in figures.items():
            print(f"  {key}: {value}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
