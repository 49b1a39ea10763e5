"""One benchmark command: ``make bench`` (``python -m bench.run --size S M``).

Builds the data ladder on PostgreSQL, serves the platform with gunicorn and a real
Celery worker, and measures each figure beside a baseline taken in the same run:

- lesson page and quiz page throughput against a bare Django view reading one row;
- answer-save throughput against a bare view writing one row;
- the quiz storm: N learners start, answer and submit at the same moment
  (p50/p95/max, errors, acknowledged answers missing from the database);
- the province-wide and the unit leader's completion report against the plain SQL
  GROUP BY over the same tables, and a whole-province CSV export through the worker;
- the gap analysis (time and peak memory of a separate process);
- the roster import rate (bench.roster_bench).

Load goes only to 127.0.0.1, with bounded concurrency, counts and durations; the
command stops what it started. Prints the figures and writes bench/results/<size>.json
for each size; with several sizes (``--size S M``, the default of ``make bench``) each
size gets its own database (the name with ``_s``, ``_m`` appended) and a last table
sets the page ratios of every size beside their targets.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/h_proof_bench),
BENCH_BROKER_URL (default redis://127.0.0.1:6379/7; the worker is skipped when Redis
does not answer). ``--reuse`` keeps a database already built by an earlier run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

from bench.harness import (
    PY,
    ROOT,
    _database_ensure,
    _env,
    _manage,
    _port_free,
    _redis_answers,
    _session,
    log,
    session_for,
    start_gunicorn,
    start_worker,
    throughput,
    wait_quiet,
)

RESULTS = ROOT / "bench" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/h_proof_bench"
DEFAULT_BROKER = "redis://127.0.0.1:6379/7"

# Per size: seconds per throughput figure, concurrent clients, storm learners,
# roster rows.
PLANS = {
    "S": {"seconds": 9, "clients": 4, "storm": 100, "roster": 2_000},
    "M": {"seconds": 12, "clients": 4, "storm": 500, "roster": 10_000},
    "L": {"seconds": 8, "clients": 6, "storm": 500, "roster": 10_000},
    "XL": {"seconds": 8, "clients": 6, "storm": 500, "roster": 10_000},
    "NATIONAL": {"seconds": 8, "clients": 6, "storm": 500, "roster": 10_000},
}


# The quiz storm's fixtures and checks live in bench.quiz_storm (one storm, not two).
from bench.quiz_storm import answer_for, lost_answers, storm_quiz  # noqa: E402

STORM_WARMUP = 24  # uncounted learners before the storm, as bench.quiz_storm has them


def prepare(size: str, clients: int, storm: int) -> dict:
    from django.contrib.auth.models import User
    from django.db import connection

    from assessments.models import Attempt, AttemptItem
    from assessments.services import attempt_start
    from bench.ladder import STAFF_PREFIX
    from learning.campaigns.models import Campaign
    from learning.models import LessonPage
    from organisation.models import StaffProfile

    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_write (slot integer PRIMARY KEY, "
            "value text NOT NULL)"
        )
    people = list(
        User.objects.filter(username__startswith=STAFF_PREFIX, is_active=True)
        .filter(profile__active=True)
        .order_by("pk")[: clients + storm + STORM_WARMUP]
    )
    if len(people) < clients + storm + STORM_WARMUP:
        raise SystemExit("The ladder has too few people for this plan.")
    quiz = storm_quiz()
    readers = people[:clients]
    storm_people = people[clients : clients + storm]
    warm_people = people[clients + storm :]
    Attempt.objects.filter(quiz=quiz).delete()
    attempts = [attempt_start(user=u, quiz=quiz).pk for u in readers]
    kinds = {
        (item.attempt_id, item.position): item.version.data["type"]
        for item in AttemptItem.objects.filter(attempt__quiz=quiz).select_related(
            "version"
        )
    }
    lesson = LessonPage.objects.live().order_by("pk").first()
    leader = User.objects.get(username="leader")
    unitlead = User.objects.get(username="unitlead")
    campaign = (
        Campaign.objects.filter(code="LAW-2026").first()
        or Campaign.objects.order_by("pk").first()
    )
    return {
        "reader_sessions": [session_for(u) for u in readers],
        "reader_attempts": attempts,
        "reader_positions": {
            str(a): [(p, kinds[(a, p)]) for (aid, p) in sorted(kinds) if aid == a]
            for a in attempts
        },
        "storm_sessions": [session_for(u) for u in storm_people],
        "warm_sessions": [session_for(u) for u in warm_people],
        "storm_positions": [
            (p, q.version.data["type"])
            for p, q in enumerate(
                sorted(
                    AttemptItem.objects.filter(attempt_id=attempts[0]).select_related(
                        "version"
                    ),
                    key=lambda item: item.position,
                ),
                start=1,
            )
        ],
        "quiz_slug": quiz.slug,
        "quiz_id": quiz.pk,
        "lesson_url": lesson.get_url() if lesson else None,
        "baseline_pk": StaffProfile.objects.order_by("pk").values_list("pk", flat=True)[
            0
        ],
        "leader_session": session_for(leader),
        "unitlead_session": session_for(unitlead),
        "campaign": campaign.code if campaign else None,
        "campaign_id": campaign.pk if campaign else None,
    }


# The figures --------------------------------------------------------------------------


# Page figures are taken in rounds, each page right after its baseline, after an
# uncounted warm-up of every figure: a page and its baseline see the same moments of
# a noisy machine, and neither meets cold workers. The ratios are the median of the
# rounds' ratios (the pooled ratio over all rounds is kept beside it). Nine rounds:
# single rounds within one run moved by up to ±15% on a shared 2-vCPU machine.
PAGE_ROUNDS = 9


def measure_pages(base: str, fx: dict, seconds: float) -> dict:
    from assessments.models import Attempt

    readers = fx["reader_sessions"]
    baseline_pk = fx["baseline_pk"]
    attempts = fx["reader_attempts"]

    def get(path):
        def request(http, base, i, state):
            return http.get(base + path(i), allow_redirects=False, timeout=30).ok

        return request

    def write(http, base, i, state):
        n = state["n"] = state.get("n", 0) + 1
        return http.post(
            f"{base}/bench/baseline/write/{i + 1}/", data=str(n), timeout=30
        ).ok

    # Each client saves into its own attempt, from the attempt's sequence number.
    seqs = dict(Attempt.objects.filter(pk__in=attempts).values_list("pk", "seq"))

    def save(http, base, i, state):
        attempt = attempts[i]
        positions = fx["reader_positions"][str(attempt)]
        n = state["n"] = state.get("n", 0) + 1
        position, kind = positions[n % len(positions)]
        reply = http.post(
            f"{base}/quizzes/attempts/{attempt}/save/",
            data=json.dumps(
                {"seq": seqs[attempt], "answers": {str(position): answer_for(kind, n)}}
            ),
            headers={"Content-Type": "application/json"},
            timeout=30,
        )
        if reply.ok:
            seqs[attempt] = reply.json()["seq"]
        return reply.ok

    figures = {"lesson_baseline": get(lambda i: f"/bench/baseline/read/{baseline_pk}/")}
    if fx["lesson_url"]:
        figures["lesson_page"] = get(lambda i: fx["lesson_url"])
    figures["quiz_page"] = get(lambda i: f"/quizzes/attempts/{attempts[i]}/")
    figures["answer_baseline"] = write
    figures["answer_save"] = save
    for request in figures.values():
        throughput(base, readers, request, min(1.0, seconds / 4))
    runs: dict[str, list[dict]] = {name: [] for name in figures}
    for _round in range(PAGE_ROUNDS):
        for name, request in figures.items():
            runs[name].append(throughput(base, readers, request, seconds / PAGE_ROUNDS))
    return {name: _pooled(figure) for name, figure in runs.items()}


def _pooled(runs: list[dict]) -> dict:
    """One figure from its rounds: every answered request over the time of all."""
    requests = sum(run["requests"] for run in runs)
    elapsed = sum(run["seconds"] for run in runs)
    return {
        "rps": round(requests / elapsed, 1) if elapsed else 0.0,
        "requests": requests,
        "errors": sum(run["errors"] for run in runs),
        "p50_ms": statistics.median(run["p50_ms"] for run in runs),
        "rounds_rps": [run["rps"] for run in runs],
    }


def measure_storm(base: str, fx: dict) -> dict:
    """bench.quiz_storm's storm: every learner released at once starts the quiz,
    saves all answers in one autosave and submits. As there, a small storm of other
    learners goes first, uncounted, so that every worker has started and submitted
    an attempt before the measured one."""
    from bench.quiz_storm import attempts_finished, storm

    if fx["warm_sessions"]:
        storm(base, fx["warm_sessions"], fx["storm_positions"], fx["quiz_slug"])
    figures = storm(base, fx["storm_sessions"], fx["storm_positions"], fx["quiz_slug"])
    acknowledged = figures.pop("acknowledged")
    attempts = figures.pop("attempts")
    overall = figures["overall"]
    return {
        "learners": len(fx["storm_sessions"]),
        "requests": figures["requests"],
        "all_acked_s": figures["all_acked_s"],
        "p50_ms": overall["p50_ms"],
        "p95_ms": overall["p95_ms"],
        "max_ms": overall["max_ms"],
        "by_kind": figures["by_kind"],
        "errors": figures["errors"],
        "error_kinds": figures["error_kinds"],
        "acknowledged_answers": len(acknowledged),
        "lost_answers": lost_answers(acknowledged),
        "attempts_finished": attempts_finished(attempts),
    }


def measure_reports(base: str, fx: dict, repeats: int = 3) -> dict:
    import requests

    from learning.campaigns.models import Campaign
    from learning.campaigns.selectors import campaign_rules

    out: dict = {}
    if not fx["campaign"]:
        return out

    def timed_get(session: str) -> tuple[float, int]:
        http = _session(session)
        url = f"{base}/reports/campaigns/{fx['campaign']}/"
        http.get(url, timeout=120)  # warm the worker
        times, status = [], 0
        for _ in range(repeats):
            started = time.perf_counter()
            reply = http.get(url, timeout=120)
            times.append(time.perf_counter() - started)
            status = reply.status_code
        return statistics.median(times), status

    out["report_org_s"], out["report_org_status"] = timed_get(fx["leader_session"])
    unit_s, out["report_unit_status"] = timed_get(fx["unitlead_session"])
    out["report_org_s"] = round(out["report_org_s"], 3)
    out["report_unit_ms"] = round(unit_s * 1000, 1)

    campaign = Campaign.objects.get(pk=fx["campaign_id"])
    rules = campaign_rules(campaign)
    course_ids = list(rules.course_ids) or [0]
    from django.db import connection

    # The plain SQL over the same tables: everyone active, grouped by unit, with the
    # number who completed every course of the campaign since it started.
    sql = (
        "SELECT s.unit_id, COUNT(*) AS headcount, COUNT(c.user_id) AS completed "
        "FROM organisation_staffprofile s LEFT JOIN ("
        "  SELECT user_id FROM learning_coursecompletion"
        "  WHERE course_id = ANY(%s) AND completed_on >= %s AND NOT superseded"
        "  GROUP BY user_id HAVING COUNT(DISTINCT course_id) = %s"
        ") c ON c.user_id = s.user_id WHERE s.active GROUP BY s.unit_id"
    )
    times = []
    for _ in range(repeats + 1):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, [course_ids, campaign.starts_on, len(course_ids)])
            cursor.fetchall()
        times.append(time.perf_counter() - started)
    out["report_sql_baseline_s"] = round(statistics.median(times[1:]), 4)
    out["report_org_ratio"] = round(
        out["report_org_s"] / max(out["report_sql_baseline_s"], 1e-6), 1
    )
    del requests
    return out


def measure_export(fx: dict, timeout: float = 120) -> dict:
    """A whole-province CSV export built by the Celery worker, end to end."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from learning.campaigns.models import Campaign
    from organisation.models import Unit
    from reports.services import export_request

    province = Unit.objects.filter(level="province").order_by("depth").first()
    started = time.perf_counter()
    export = export_request(
        user=User.objects.get(username="leader"),
        campaign=Campaign.objects.get(pk=fx["campaign_id"]),
        unit=province,
        as_of=timezone.localdate(),
        fmt="csv",
        show="all",
    )
    while time.perf_counter() - started < timeout:
        export.refresh_from_db()
        if export.status in ("done", "failed", "ready", "error"):
            break
        time.sleep(0.2)
    return {
        "report_export_s": round(time.perf_counter() - started, 2),
        "report_export_status": export.status,
        "report_export_rows": export.rows,
    }


def measure_gap() -> dict:
    """The whole gap analysis of the latest period (extraction, analysis, snapshot
    rows written), in its own process."""
    code = (
        "import json, os, resource, time\n"
        "import django\n"
        "django.setup()\n"
        "from insights import selectors, services\n"
        "periods = selectors.value_periods()\n"
        "if not periods:\n"
        "    print(json.dumps({}))\n"
        "    raise SystemExit\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t = time.perf_counter()\n"
        "parts = {}\n"
        "services.snapshot_refresh(periods[-1].text, parts)\n"
        "took = time.perf_counter() - t\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'gap_analysis_s': round(took, 2),"
        " 'gap_analysis_peak_mb': round(peak / 1024, 1),"
        " 'gap_process_base_mb': round(before / 1024, 1),"
        " 'gap_extract_s': round(parts['extract_s'], 2),"
        " 'gap_analyse_s': round(parts['analyse_s'], 2),"
        " 'gap_write_s': round(parts['write_s'], 2),"
        " 'gap_period': periods[-1].text, 'gap_cells': parts['cells']}))\n"
    )
    reply = subprocess.run(
        [PY, "-c", code], cwd=ROOT, env=_env(), capture_output=True, text=True
    )
    if reply.returncode:
        return {"gap_analysis_error": reply.stderr.strip().splitlines()[-1:]}
    return json.loads(reply.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = int(line.split()[1]) // 1024
    except OSError:
        pass
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        database = cursor.fetchone()[0].split(",")[0]
    return {
        "host": platform.node(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": memory,
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "database": database,
    }


# Main -----------------------------------------------------------------------------


def main(argv=None) -> dict:
    """Every size asked for, in order (``--size S M``: the page ratios at S and at
    M in the same run), each on its own database when there are several."""
    from bench.ladder import SIZES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), nargs="+", default=["S"])
    parser.add_argument("--port", type=int, default=8020)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers")
    parser.add_argument("--reuse", action="store_true", help="keep the database")
    parser.add_argument("--storm", type=int, help="learners in the quiz storm")
    parser.add_argument("--seconds", type=float, help="seconds per throughput figure")
    parser.add_argument("--output", help="JSON file (default bench/results/SIZE.json)")
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 when answers are lost or a figure could not be measured (CI)",
    )
    args = parser.parse_args(argv)
    sizes = sorted(dict.fromkeys(args.size), key=list(SIZES).index)
    if args.output and len(sizes) > 1:
        parser.error("--output names one file: give one size")
    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    if not url.startswith("postgres"):
        raise SystemExit("bench.run needs PostgreSQL (DATABASE_URL=postgres://…)")
    if not _port_free(args.port):
        raise SystemExit(f"port {args.port} is in use")
    results, problems = {}, []
    for size in sizes:
        # Each size on its own database (the ladder builds one size from scratch).
        where = _database_for(url, size) if len(sizes) > 1 else url
        result = run_size(size, args, where, fresh=not args.reuse)
        results[size] = result
        problems += [f"{size}: {p}" for p in failures(result)]
    print(pages_table(results))
    for problem in problems:
        log(f"FAILED: {problem}")
    if problems and args.strict:
        raise SystemExit(1)
    return results[sizes[-1]]


def _connect_to(url: str) -> None:
    """Point this process's connection at ``url``'s database: settings are read once,
    so the second size of a run would otherwise still use the first one's."""
    from django.conf import settings
    from django.db import connections

    name = urlparse(url).path.lstrip("/")
    if connections["default"].settings_dict["NAME"] != name:
        connections.close_all()
        connections["default"].settings_dict["NAME"] = name
        settings.DATABASES["default"]["NAME"] = name


def _database_for(url: str, size: str) -> str:
    """``url`` with the size appended to the database's name (…/bench → …/bench_m)."""
    parsed = urlparse(url)
    return parsed._replace(path=f"{parsed.path}_{size.lower()}").geturl()


# What issue-level targets the page figures are read against (docs/performance.md).
PAGE_TARGETS = {"lesson_ratio": 0.5, "quiz_ratio": 0.5, "answer_ratio": 0.7}


def pages_table(results: dict) -> str:
    """The page ratios of every size measured, beside their targets."""
    lines = ["", "size  lesson/bare read  quiz/bare read  answer save/bare write"]
    for size, result in results.items():
        cells = []
        for key, target in PAGE_TARGETS.items():
            value = result.get(key)
            mark = "" if value is None else (" ok" if value >= target else " LOW")
            cells.append(f"{value if value is not None else '—'}{mark}")
        lines.append(f"{size:<5} {cells[0]:<17} {cells[1]:<15} {cells[2]}")
    return "\n".join(lines)


def run_size(size: str, args, url: str, *, fresh: bool) -> dict:
    plan = dict(PLANS[size])
    if args.storm:
        plan["storm"] = args.storm
    if args.seconds:
        plan["seconds"] = args.seconds
    load_at_start = os.getloadavg()
    begun = time.perf_counter()

    broker = os.environ.get("BENCH_BROKER_URL", DEFAULT_BROKER)
    with_worker = _redis_answers(broker)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "ERROR",
        }
    )
    if with_worker:
        os.environ["CELERY_BROKER_URL"] = broker
    else:
        os.environ.pop("CELERY_BROKER_URL", None)
        log(f"no Redis at {broker}: tasks run in-process, export figure skipped")

    fresh = _database_ensure(url, fresh=fresh)
    log(f"database {urlparse(url).path.lstrip('/')} ({'new' if fresh else 'reused'})")
    started = time.perf_counter()
    _manage("migrate", "--noinput", "-v0")
    _manage("compile_catalogues")
    import django

    django.setup()
    _connect_to(url)
    from organisation.models import Unit

    if not Unit.objects.filter(level="province").exists():
        _manage("seed_demo", "--force")
    setup_s = time.perf_counter() - started
    log(f"migrated and seeded in {setup_s:.1f} s; building ladder {size}")

    from bench import ladder

    started = time.perf_counter()
    built = ladder.build(size)
    ladder_s = time.perf_counter() - started
    log(f"ladder {size} in {ladder_s:.1f} s: {built['counts']}")

    fx = prepare(size, plan["clients"], plan["storm"])
    from django.db import connections

    connections.close_all()
    services = []
    result: dict = {
        "size": size,
        "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "plan": plan,
        "ladder": built,
        "setup_s": round(setup_s, 1),
        "ladder_s": round(ladder_s, 1),
    }
    try:
        if with_worker:
            services.append(start_worker())
        services.append(start_gunicorn(args.port, args.workers))
        base = f"http://127.0.0.1:{args.port}"
        result["quiet_wait_s"] = wait_quiet(services, url)
        log(
            f"gunicorn up; quiet after {result['quiet_wait_s']} s; "
            "measuring page and save throughput"
        )
        pages = measure_pages(base, fx, plan["seconds"])
        result["throughput"] = pages
        log(f"throughput: { {k: v['rps'] for k, v in pages.items()} }")
        log(f"quiz storm: {plan['storm']} learners")
        storm = measure_storm(base, fx)
        result["storm"] = storm
        log(f"storm: {storm}")
        log("reports")
        result.update(measure_reports(base, fx))
        if with_worker:
            result.update(measure_export(fx))
    finally:
        for service in reversed(services):
            service.stop()
    log("gap analysis")
    result.update(measure_gap())
    log("roster import")
    from bench.roster_bench import measure_roster_import

    try:
        roster = measure_roster_import(plan["roster"])
    except Exception as error:  # keep the other figures when this one fails
        roster = {"error": repr(error), "roster_import_rows_per_s": None}
    result["roster"] = roster

    def rps(key):
        return pages.get(key, {}).get("rps")

    result.update(
        {
            "lesson_page_rps": rps("lesson_page"),
            "lesson_baseline_rps": rps("lesson_baseline"),
            "lesson_ratio": _paired(pages, "lesson_page", "lesson_baseline"),
            "lesson_ratio_pooled": _ratio(rps("lesson_page"), rps("lesson_baseline")),
            "quiz_page_rps": rps("quiz_page"),
            "quiz_ratio": _paired(pages, "quiz_page", "lesson_baseline"),
            "quiz_ratio_pooled": _ratio(rps("quiz_page"), rps("lesson_baseline")),
            "answer_save_rps": rps("answer_save"),
            "answer_baseline_rps": rps("answer_baseline"),
            "answer_ratio": _paired(pages, "answer_save", "answer_baseline"),
            "answer_ratio_pooled": _ratio(rps("answer_save"), rps("answer_baseline")),
            "storm_p50_ms": storm["p50_ms"],
            "storm_p95_ms": storm["p95_ms"],
            "storm_max_ms": storm["max_ms"],
            "storm_errors": storm["errors"],
            "lost_answers": storm["lost_answers"],
            "roster_import_rows_per_s": roster["roster_import_rows_per_s"],
            "machine": {**machine(), "load_average_at_start": load_at_start},
            "gunicorn_workers": args.workers,
            "celery_worker": with_worker,
            "total_s": round(time.perf_counter() - begun, 1),
        }
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = Path(args.output) if args.output else RESULTS / f"{size}.json"
    target.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    summary = {
        k: result.get(k)
        for k in (
            "lesson_page_rps",
            "lesson_baseline_rps",
            "quiz_page_rps",
            "answer_save_rps",
            "answer_baseline_rps",
            "storm_p50_ms",
            "storm_p95_ms",
            "storm_max_ms",
            "storm_errors",
            "lost_answers",
            "report_org_s",
            "report_unit_ms",
            "report_sql_baseline_s",
            "gap_analysis_s",
            "gap_analysis_peak_mb",
            "roster_import_rows_per_s",
            "total_s",
        )
    }
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    log(f"written {target}")
    return result


def failures(result: dict) -> list[str]:
    """What makes a run wrong rather than slow: lost answers, a figure that could not
    be measured, a page or file that failed. Slow figures are never failures here."""
    problems = []
    if result.get("lost_answers"):
        problems.append(f"{result['lost_answers']} acknowledged answers lost")
    for key in (
        "lesson_page_rps",
        "lesson_baseline_rps",
        "quiz_page_rps",
        "answer_save_rps",
        "answer_baseline_rps",
        "roster_import_rows_per_s",
    ):
        if not result.get(key):
            problems.append(f"no figure for {key}")
    for key in ("report_org_status", "report_unit_status"):
        if key in result and result[key] != 200:
            problems.append(f"{key} is {result[key]}")
    if result.get("celery_worker") and result.get("report_export_status") != "done":
        problems.append(f"the export ended {result.get('report_export_status')!r}")
    if "gap_analysis_error" in result:
        problems.append(f"gap analysis failed: {result['gap_analysis_error']}")
    throughput = result.get("throughput", {})
    for name, figure in throughput.items():
        if figure.get("requests") and figure.get("errors", 0) > figure["requests"]:
            problems.append(f"{name}: more errors than answered requests")
    return problems


def _paired(pages: dict, page: str, baseline: str):
    """The median over the rounds of the page's throughput over its baseline's in
    the same round: a moment when the machine slowed both cancels out, and one
    disturbed round cannot move the figure."""
    rounds = zip(
        pages.get(page, {}).get("rounds_rps", []),
        pages.get(baseline, {}).get("rounds_rps", []),
        strict=False,
    )
    ratios = [a / b for a, b in rounds if a and b]
    return round(statistics.median(ratios), 3) if ratios else None


def _ratio(a, b):
    if not a or not b:
        return None
    return round(a / b, 3)


if __name__ == "__main__":
    resource.setrlimit(
        resource.RLIMIT_NOFILE,
        (min(4096, resource.getrlimit(resource.RLIMIT_NOFILE)[1]),) * 2,
    )
    main()
