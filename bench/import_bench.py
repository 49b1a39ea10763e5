"""Import rates: rows per second of the importers on N generated rows each.

Run against PostgreSQL for figures worth quoting:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python -m bench.import_bench --rows 100000

Measures import_staff (new people, then the same file again), import_results,
import_completions and import_indicator_values, each from an in-memory table through
the same column layer the commands use (validation, planning, batched writes).
Everything runs in one transaction that is rolled back, so the database is left as
it was. Prints JSON; the target is at least 5,000 rows/s for each.
"""

from __future__ import annotations

import argparse
import json
import os
import time

TARGET_ROWS_PER_S = 5000


def _table(headers: list[str], rows):
    from organisation.tabular import Table

    return Table(
        headers=headers,
        rows=[
            (n + 2, dict(zip(headers, row, strict=True))) for n, row in enumerate(rows)
        ],
    )


def _timed(fn, table) -> tuple[float, object]:
    from organisation.importing import run_import

    started = time.perf_counter()
    summary = run_import(fn, table=table)
    return time.perf_counter() - started, summary


def _setup_units(count: int = 20):
    from organisation.models import Unit
    from organisation.services import _recompute_paths

    root, _ = Unit.objects.get_or_create(
        code="BENCH", defaults={"name": "基准测试院", "level": "province", "path": ""}
    )
    for i in range(count):
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


def _bench_staff(rows: int) -> dict:
    from organisation.importers import staff_import

    table = _table(
        ["staff_no", "name", "unit_code", "position", "business_lines", "is_leader"],
        (
            (
                f"BENCH-{n:07d}",
                f"测试人员{n}",
                f"BENCH-{n % 20:02d}",
                "检察官助理",
                "civil" if n % 3 else "ordinary_crime;civil",
                "1" if n % 50 == 0 else "0",
            )
            for n in range(rows)
        ),
    )
    created_s, first = _timed(staff_import, table)
    unchanged_s, second = _timed(staff_import, table)
    assert first.created == rows and second.unchanged == rows
    return {
        "staff_created_rows_per_s": round(rows / created_s),
        "staff_unchanged_rows_per_s": round(rows / unchanged_s),
    }


def _questions(count: int) -> list[str]:
    from assessments.services.questions import category_ensure, question_upsert

    category = category_ensure(path="基准测试")
    codes = [f"BENCH-Q{i:03d}" for i in range(count)]
    for code in codes:
        question_upsert(
            code=code,
            fields={"category": category, "type": "essay", "text": "论述"},
            options=[],
        )
    return codes


def _bench_results(rows: int) -> dict:
    from assessments.services.transfer import results_import

    codes = _questions(50)
    people = max(rows // 50, 1)
    table = _table(
        ["staff_no", "question_code", "score", "answered_on"],
        (
            (f"BENCH-{n % people:07d}", codes[n // people % 50], "0.5", "2026-03-01")
            for n in range(rows)
        ),
    )
    seconds, summary = _timed(results_import, table)
    assert summary.created == rows
    return {"results_rows_per_s": round(rows / seconds)}


def _bench_completions(rows: int) -> dict:
    from learning.campaigns.importers import completions_import
    from learning.models import CoursePage

    courses = list(CoursePage.objects.values_list("code", flat=True)[:20])
    if not courses:
        return {"completions_rows_per_s": None, "completions_note": "no courses"}
    people = max(rows // len(courses), 1)
    table = _table(
        ["staff_no", "course_code", "completed_on", "source"],
        (
            (
                f"BENCH-{n % people:07d}",
                courses[n // people % len(courses)],
                "2026-03-01",
                "线下集中培训",
            )
            for n in range(min(rows, people * len(courses)))
        ),
    )
    seconds, summary = _timed(completions_import, table)
    return {
        "completions_rows": summary.created,
        "completions_rows_per_s": round(summary.created / seconds),
    }


def _bench_values(rows: int) -> dict:
    from insights.services import indicator_values_import
    from organisation.models import Indicator
    from organisation.services import indicators_load_shipped

    if not Indicator.objects.exists():
        indicators_load_shipped()
    indicators = list(Indicator.objects.values_list("code", flat=True)[:50])
    if not indicators:
        return {"values_rows_per_s": None, "values_note": "no indicator catalogue"}
    periods = [f"{2000 + y}-{m:02d}" for y in range(30) for m in range(1, 13)]
    combos = (
        (f"BENCH-{u:02d}", code, period)
        for period in periods
        for u in range(20)
        for code in indicators
    )
    table = _table(
        ["unit_code", "indicator_code", "period", "value"],
        ((*combo, "0.35") for _n, combo in zip(range(rows), combos, strict=False)),
    )
    from unittest import mock

    # Snapshots are recomputed after commit by a task; the bench measures the import.
    with mock.patch("insights.services.snapshots_schedule"):
        seconds, summary = _timed(indicator_values_import, table)
    return {
        "values_rows": summary.created,
        "values_rows_per_s": round(summary.created / seconds),
    }


def measure(rows: int) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection, transaction

    result = {"rows": rows, "database": connection.vendor}
    with transaction.atomic():
        _setup_units()
        result |= _bench_staff(rows)
        result |= _bench_results(rows)
        result |= _bench_completions(rows)
        result |= _bench_values(rows)
        transaction.set_rollback(True)
    rates = [v for k, v in result.items() if k.endswith("_per_s") and v]
    result["all_at_least_target"] = all(r >= TARGET_ROWS_PER_S for r in rates)
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    print(json.dumps(measure(parser.parse_args().rows), ensure_ascii=False))
