"""Roster import rate: `import_staff` on N generated rows beside a bare bulk insert.

Run against the configured database (PostgreSQL for figures worth quoting):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.roster_bench --rows 10000

It creates the units it needs, imports N new people (created) and the same file again
(all unchanged) inside a transaction that is rolled back, and as a baseline inserts N
rows of the same width into a scratch table with one executemany. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time


def measure_roster_import(rows: int = 10000) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection, transaction

    from organisation.importers import staff_import
    from organisation.importing import run_import
    from organisation.models import Unit
    from organisation.services import _recompute_paths
    from organisation.tabular import Table

    root, _ = Unit.objects.get_or_create(
        code="BENCH", defaults={"name": "基准测试院", "level": "province", "path": ""}
    )
    for i in range(20):
        Unit.objects.get_or_create(
            code=f"BENCH-{i:02d}",
            defaults={
                "name": f"基准{i}",
                "level": "grassroots",
                "parent": root,
                "path": "",
            },
        )
    _recompute_paths()
    headers = [
        "staff_no",
        "name",
        "unit_code",
        "position",
        "business_lines",
        "is_leader",
    ]
    table = Table(
        headers=headers,
        rows=[
            (
                n + 2,
                {
                    "staff_no": f"BENCH-{n:07d}",
                    "name": f"测试人员{n}",
                    "unit_code": f"BENCH-{n % 20:02d}",
                    "position": "检察官助理",
                    "business_lines": "civil" if n % 3 else "ordinary_crime;civil",
                    "is_leader": "1" if n % 50 == 0 else "0",
                },
            )
            for n in range(rows)
        ],
    )
    # Both imports run in one transaction that is rolled back, so every run starts from
    # the same database and leaves nothing behind (nothing to clean up by hand).
    with transaction.atomic():
        started = time.perf_counter()
        first = run_import(staff_import, table=table)
        created_s = time.perf_counter() - started
        started = time.perf_counter()
        second = run_import(staff_import, table=table)
        unchanged_s = time.perf_counter() - started
        transaction.set_rollback(True)

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_scratch")
        cursor.execute(
            "CREATE TABLE bench_scratch (staff_no varchar(40), name varchar(60), "
            "unit varchar(40), position varchar(60), lines varchar(100), leader boolean)"
        )
        values = [
            (
                f"B{n}",
                f"测试人员{n}",
                f"BENCH-{n % 20:02d}",
                "检察官助理",
                "civil",
                False,
            )
            for n in range(rows)
        ]
        started = time.perf_counter()
        cursor.executemany(
            "INSERT INTO bench_scratch VALUES (%s, %s, %s, %s, %s, %s)", values
        )
        baseline_s = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_scratch")
    return {
        "rows": rows,
        "database": connection.vendor,
        "import_created_s": round(created_s, 3),
        "import_unchanged_s": round(unchanged_s, 3),
        "roster_import_rows_per_s": round(rows / created_s),
        "baseline_insert_s": round(baseline_s, 3),
        "baseline_rows_per_s": round(rows / baseline_s),
        "ratio_to_baseline": round(created_s / baseline_s, 2),
        "created": first.created,
        "unchanged_on_reimport": second.unchanged,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10000)
    print(
        json.dumps(measure_roster_import(parser.parse_args().rows), ensure_ascii=False)
    )
