"""Completion report at national scale, beside the plain SQL GROUP BY of the same run.

Builds (or completes) generated data in PostgreSQL with COPY through the data ladder's
helpers: ~3,600 units, ``--staff`` people (100,000 then 300,000), 20 campaigns and
about two completions per person; then measures

- the province-wide report (``reports.selectors.campaign_report``: every
  unit rolled up, the leaders' row, the summary) against a plain SQL GROUP BY over
  the same tables counting completed people per unit (the baseline);
- a unit leader's report page (the real view through Django's test client) beside
  the bench's bare read view, turn about;
- the leadership's page for the whole province;
- streamed CSV exports of a grassroots unit, a city and the whole province, each in
  a fresh process: rows, time and peak resident memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_campaigns_bench \\
        .venv/bin/python -m bench.report_bench --staff 100000 --staff 300000
    # measure a database built before
    DATABASE_URL=... .venv/bin/python -m bench.report_bench --staff 300000 --measure-only

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
    from organisation.models import StaffProfile

    before = StaffProfile.objects.filter(
        staff_no__startswith=ladder.STAFF_PREFIX
    ).count()
    user_ids = ladder.build_staff(size, unit_ids, rng)
    course_ids = ladder.build_courses(size)
    ladder.build_campaigns(size, course_ids, rng)
    # Completions and lesson progress for the people this step added (the ladder's
    # own rule); people of a smaller size built before keep theirs.
    if user_ids[before:]:
        ladder.build_learning(size, user_ids[before:], course_ids, rng)
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


def _paired(fn, baseline, runs: int = 5) -> tuple[float, float, object, object]:
    """Medians of ``fn`` and ``baseline`` run turn about, so that both see the same
    machine load (the machine is shared)."""
    times, base_times, result, base = [], [], None, None
    for _ in range(runs):
        started = time.perf_counter()
        base = baseline()
        base_times.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), statistics.median(base_times), result, base


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


CSV_CHILD = """
import json, sys, time
import django
django.setup()
from reports.exports import csv_stream
from reports.selectors import campaign_people, campaign_report
from learning.campaigns.models import Campaign
from organisation.models import Unit

def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024

campaign = Campaign.objects.get(code=sys.argv[1])
unit = Unit.objects.get(code=sys.argv[2])
before = peak = rss_mb()
started = time.perf_counter()
report = campaign_report(campaign, unit=unit)
rows, size = 0, 0
for line in csv_stream(report, campaign_people(report)):
    rows += 1
    size += len(line)
    if rows % 500 == 0:
        peak = max(peak, rss_mb())
peak = max(peak, rss_mb())
print(json.dumps({
    "rows": rows - 1, "mb": round(size / 2**20, 1),
    "s": round(time.perf_counter() - started, 2),
    "rss_before_mb": round(before, 1), "rss_peak_mb": round(peak, 1),
    "rss_growth_mb": round(peak - before, 1),
}))
"""


def csv_in_child(campaign_code: str, unit_code: str) -> dict:
    """Stream one unit's CSV in a fresh process: rows, time, and the process's resident
    memory (database driver included) before the export and at its peak, sampled
    every 500 rows."""
    import json
    import subprocess

    out = subprocess.run(
        [sys.executable, "-c", CSV_CHILD, campaign_code, unit_code],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(*, csv: bool = True) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from learning.campaigns.models import Campaign
    from organisation.models import RoleAssignment, StaffProfile, Unit
    from organisation.services import role_assign
    from reports.selectors import campaign_report

    as_of = dt.date.today()
    staff = StaffProfile.objects.filter(active=True).count()
    units = Unit.objects.count()
    campaign = Campaign.objects.get(code="LAW-2026")
    results = {"staff_active": staff, "units": units}

    report_t, base_t, report, base_rows = _paired(
        lambda: campaign_report(campaign, as_of=as_of),
        lambda: baseline_sql(campaign, as_of),
    )
    results["province_report_s"] = round(report_t, 3)
    results["sql_baseline_s"] = round(base_t, 3)
    results["ratio"] = round(report_t / base_t, 2)
    assert sum(r[1] for r in base_rows) == report.summary["headcount"]
    assert sum(r[2] for r in base_rows) == report.summary["completed"]

    User = get_user_model()
    province = Unit.objects.filter(level="province").order_by("depth").first()
    chief, _created = User.objects.get_or_create(username="bench-province-leader")
    role_assign(user=chief, role=RoleAssignment.Role.LEADERSHIP)
    # A unit leader's page: a grassroots unit of the generated province.
    unit = Unit.objects.filter(level="grassroots", code__startswith="LX").first()
    leader, _created = User.objects.get_or_create(username="bench-unit-leader")
    role_assign(user=leader, role=RoleAssignment.Role.UNIT_LEADER, unit=unit)
    client = Client()
    client.force_login(leader)
    url = reverse("reports:campaign_unit", args=[campaign.code, unit.code])
    bare = f"/bench/baseline/read/{StaffProfile.objects.values('pk').first()['pk']}/"
    assert client.get(url).status_code == 200
    assert client.get(bare).status_code == 200
    page_t, bare_t, _page, _bare = _paired(
        lambda: client.get(url), lambda: client.get(bare), runs=9
    )
    results["unit_leader_page_ms"] = round(page_t * 1000, 1)
    results["bare_read_view_ms"] = round(bare_t * 1000, 1)
    results["unit_leader_unit"] = unit.code
    results["unit_leader_headcount"] = campaign_report(
        campaign, unit=unit, as_of=as_of
    ).summary["headcount"]

    # The leadership's page for the whole province (report, chart and timeline).
    client.force_login(chief)
    url = reverse("reports:campaign_unit", args=[campaign.code, province.code])
    assert client.get(url).status_code == 200
    page_t, _page = _median(lambda: client.get(url), runs=3)
    results["province_page_s"] = round(page_t, 3)

    if csv:
        # Streamed CSVs of a grassroots unit, a city and the whole province, each in
        # its own process: peak memory must not grow with the number of rows.
        city = Unit.objects.filter(level="city", code__startswith="LX").first()
        for name, code in (("unit", unit.code), ("city", city.code)):
            results[f"csv_{name}"] = csv_in_child(campaign.code, code)
        results["csv_province"] = csv_in_child(campaign.code, province.code)
    return results


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, action="append")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--no-csv", action="store_true", help="skip the CSV exports")
    args = parser.parse_args(argv)
    _setup()
    for staff in args.staff or [100_000]:
        if not args.measure_only:
            build(staff)
        figures = measure(csv=not args.no_csv)
        print(f"report_bench at {staff:,} generated staff:")
        for key, value in figures.items():
            print(f"  {key}: {value}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
