"""Gap analysis at national scale: time and peak memory.

Two parts:

1. **Analysis only** (``insights.analytics.analyse`` + ``payload``) on generated frames of
   national size: 3,600 units, 300,000 staff, 10 million scored responses, 40
   indicators, 4 quarters, 50 courses with about 1.5 million completions. Generated
   directly into frames (no database), with a fixed seed.
2. **The whole path** (``--db``): what the Celery task runs, ``snapshot_refresh`` —
   extraction from the database (answers streamed as binary COPY, summed with
   numpy), analysis, snapshot rows written with COPY — in a separate process, with a
   breakdown, beside a plain SQL aggregate over the same answers. ``--load`` first
   fills an empty database of its own at the given sizes (``bench.gap_bench_db``,
   generated inside PostgreSQL).

    python -m bench.gap_bench                 # analysis only (no database needed)
    DATABASE_URL=postgres://…/gap_nat python -m bench.gap_bench --db --load --skip-analysis
    DATABASE_URL=postgres://…/gap_nat python -m bench.gap_bench --db --skip-analysis

Peak memory is the process's maximum resident set size (Linux ``ru_maxrss``),
including the generated data. Targets (issue 6): under 60 s and under 2 GiB on two
cores, extraction included.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DIRECTIONS = ["lower_better"] * 18 + ["higher_better"] * 18 + ["range"] * 4


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def generate(
    *,
    units: int = 3600,
    staff: int = 300_000,
    responses: int = 10_000_000,
    indicators: int = 40,
    periods: int = 4,
    courses: int = 50,
    questions: int = 2000,
    seed: int = 7,
):
    """Frames with the declared input columns of insights.analytics."""
    import pandas as pd

    from insights import analytics as A

    rng = np.random.default_rng(seed)
    cities = max(1, units // 10)
    unit_codes = np.array([f"U{i:05d}" for i in range(units)])
    levels = np.where(np.arange(units) < cities, "city", "grassroots")
    indicator_codes = np.array(
        [("case_ratio_" if i < 6 else "ind_") + f"{i:02d}" for i in range(indicators)]
    )
    direction = np.array([DIRECTIONS[i % len(DIRECTIONS)] for i in range(indicators)])
    catalogue = pd.DataFrame(
        {
            "indicator_code": indicator_codes,
            "direction": direction,
            "target_low": np.where(direction == "range", 0.3, np.nan),
            "target_high": np.where(direction == "range", 0.45, np.nan),
            "is_ratio": [c.startswith("case_ratio") for c in indicator_codes],
        }
    ).astype(A.INDICATOR_COLUMNS)

    capability = rng.normal(0, 1, units)
    period_names = [f"2025Q{q + 1}" for q in range(periods)]
    u_idx = np.repeat(np.arange(units), indicators * periods)
    i_idx = np.tile(np.repeat(np.arange(indicators), periods), units)
    p_idx = np.tile(np.arange(periods), units * indicators)
    base = np.where(np.char.startswith(indicator_codes[i_idx], "case_ratio"), 1.4, 0.4)
    sign = np.where(direction[i_idx] == "lower_better", -1, 1)
    value = base + sign * 0.05 * capability[u_idx] + rng.normal(0, 0.03, len(u_idx))
    values = pd.DataFrame(
        {
            "unit_code": unit_codes[u_idx],
            "level": levels[u_idx],
            "indicator_code": indicator_codes[i_idx],
            "period": np.array(period_names)[p_idx],
            "period_order": p_idx.astype("int64") + 1,
            "value": value,
        }
    ).astype(A.VALUE_COLUMNS)

    staff_unit = rng.integers(0, units, staff)
    staff_frame = pd.DataFrame(
        {
            "user_id": np.arange(1, staff + 1, dtype="int64"),
            "staff_no": np.char.add("J", np.arange(staff).astype(str)),
            "unit_code": unit_codes[staff_unit],
        }
    ).astype(A.STAFF_COLUMNS)

    course_codes = np.array([f"C-{c:03d}" for c in range(courses)])
    ci_course = np.repeat(np.arange(courses), 2)
    ci_indicator = rng.integers(0, indicators, len(ci_course))
    course_indicators = (
        pd.DataFrame(
            {
                "course_code": course_codes[ci_course],
                "indicator_code": indicator_codes[ci_indicator],
            }
        )
        .drop_duplicates()
        .astype(A.COURSE_INDICATOR_COLUMNS)
    )
    per_person = 5
    c_user = np.repeat(np.arange(1, staff + 1), per_person)
    c_course = rng.integers(0, courses, len(c_user))
    keep = rng.random(len(c_user)) < 1 / (
        1 + np.exp(-capability[staff_unit[c_user - 1]])
    )
    completions = (
        pd.DataFrame(
            {"user_id": c_user[keep], "course_code": course_codes[c_course[keep]]}
        )
        .drop_duplicates()
        .astype(A.COMPLETION_COLUMNS)
    )

    q_indicator = rng.integers(0, indicators, questions)
    question_indicators = pd.DataFrame(
        {
            "question_id": np.arange(questions, dtype="int64"),
            "indicator_code": indicator_codes[q_indicator],
        }
    ).astype(A.QUESTION_INDICATOR_COLUMNS)
    r_user = rng.integers(1, staff + 1, responses)
    r_question = rng.integers(0, questions, responses)
    p_correct = 1 / (1 + np.exp(-(0.5 + 0.6 * capability[staff_unit[r_user - 1]])))
    responses_frame = pd.DataFrame(
        {
            "user_id": r_user.astype("int64"),
            "question_id": r_question.astype("int64"),
            "score": (rng.random(responses) < p_correct).astype("float64"),
            "points": np.ones(responses),
        }
    )
    del r_user, r_question, p_correct
    treated = rng.choice(units, units // 5, replace=False)
    exposure = pd.DataFrame(
        {
            "unit_code": unit_codes[treated],
            "indicator_code": indicator_codes[
                rng.integers(0, indicators, len(treated))
            ],
            "first_period_order": np.full(len(treated), 3, dtype="int64"),
        }
    ).astype(A.EXPOSURE_COLUMNS)
    return {
        "period": period_names[-1],
        "values": values,
        "indicators": catalogue,
        "staff": staff_frame,
        "completions": completions,
        "course_indicators": course_indicators,
        "responses": responses_frame,
        "question_indicators": question_indicators,
        "exposure": exposure,
    }


def run_analysis(args) -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from insights import analytics as A

    started, cpu = time.perf_counter(), time.process_time()
    frames = generate(
        units=args.units,
        staff=args.staff,
        responses=args.responses,
        indicators=args.indicators,
    )
    generated, generated_cpu = time.perf_counter() - started, time.process_time() - cpu
    memory_after_generation = peak_mb()
    started, cpu = time.perf_counter(), time.process_time()
    result = A.analyse(**frames)
    analysed, analysed_cpu = time.perf_counter() - started, time.process_time() - cpu
    del frames
    started, cpu = time.perf_counter(), time.process_time()
    payload = A.payload(result)
    text = json.dumps(payload, ensure_ascii=False)
    serialised, serialised_cpu = (
        time.perf_counter() - started,
        time.process_time() - cpu,
    )
    top = result.cells.iloc[0]
    return {
        "units": args.units,
        "staff": args.staff,
        "responses": args.responses,
        "indicators": args.indicators,
        "periods": 4,
        "generate_s": round(generated, 2),
        "analysis_s": round(analysed, 2),
        "payload_s": round(serialised, 2),
        # CPU seconds of this process: comparable when other work shares the cores.
        "generate_cpu_s": round(generated_cpu, 2),
        "analysis_cpu_s": round(analysed_cpu, 2),
        "payload_cpu_s": round(serialised_cpu, 2),
        "payload_mb": round(len(text) / 1e6, 1),
        "peak_mb_after_generation": round(memory_after_generation),
        "peak_mb": round(peak_mb()),
        "gaps": len(result.cells),
        "top_gap": [str(top.unit_code), str(top.indicator_code), float(top.priority)],
    }


WHOLE_PATH = """
import json, resource, sys, time
import django
django.setup()
from bench.gap_bench_db import backend_cpu
from insights import services
period = sys.argv[1]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
db_cpu = backend_cpu()
started, cpu = time.perf_counter(), time.process_time()
timings = {}
services.snapshot_refresh(period, timings)
print(json.dumps({
    "whole_s": time.perf_counter() - started,
    "whole_cpu_s": time.process_time() - cpu,
    "whole_db_cpu_s": backend_cpu() - db_cpu,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "base_mb": base,
    **timings,
}))
"""


def run_database(args) -> dict:
    """The whole path the Celery task runs (extraction from the database, analysis,
    snapshot rows written), in a separate process, beside a plain SQL aggregate over
    the same answers. ``--load`` first fills an empty database at the given sizes."""
    import subprocess

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.core.management import call_command

    from bench import gap_bench_db
    from insights.models import IndicatorValue

    report: dict = {"db_vendor": django.db.connection.vendor}
    if args.load:
        call_command("migrate", verbosity=0)
        if IndicatorValue.objects.exists():
            raise SystemExit("--load needs an empty database")
        report["db_load_s"] = round(
            gap_bench_db.load(
                units=args.units,
                staff=args.staff,
                responses=args.responses,
                indicators=args.indicators,
            ),
            1,
        )
    counts = gap_bench_db.counts()
    report["db_rows"] = counts
    gap_bench_db.vacuum_snapshots()
    report |= gap_bench_db.baseline()
    reply = subprocess.run(
        [sys.executable, "-c", WHOLE_PATH, args.period],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if reply.returncode:
        raise SystemExit(reply.stderr)
    whole = json.loads(reply.stdout.strip().splitlines()[-1])
    report |= {
        f"whole_{k}" if not k.startswith("whole") else k: (
            round(v, 2) if isinstance(v, float) else v
        )
        for k, v in whole.items()
    }
    report["whole_over_baseline"] = round(
        whole["whole_s"] / max(report["baseline_sql_s"], 1e-9), 2
    )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3600)
    parser.add_argument("--staff", type=int, default=300_000)
    parser.add_argument("--responses", type=int, default=10_000_000)
    parser.add_argument("--indicators", type=int, default=40)
    parser.add_argument(
        "--db",
        action="store_true",
        help="also time the whole path against DATABASE_URL (extraction included)",
    )
    parser.add_argument(
        "--load", action="store_true", help="with --db: fill an empty database first"
    )
    parser.add_argument("--period", default="2025Q4")
    parser.add_argument("--skip-analysis", action="store_true")
    parser.add_argument("--output", help="write the figures as JSON to this file")
    args = parser.parse_args()
    report: dict = {"cpus": os.cpu_count(), "load_average": os.getloadavg()[0]}
    if not args.skip_analysis:
        report |= run_analysis(args)
    if args.db:
        report |= run_database(args)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
