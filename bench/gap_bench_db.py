"""Database part of the gap benchmark: load generated rows fast, then time the reads.

``load`` writes units, staff, indicator values, courses with completions, questions
and imported exam results (``assessments.ExternalResult``, which the assessment
selectors return with the platform's own answers). The few structural rows (units,
courses as Wagtail pages, questions) go through the ORM; the large tables (users and
staff, indicator values, completions, ten million results) are generated inside
PostgreSQL with ``INSERT … SELECT generate_series``, so a national-size database is
filled in minutes rather than hours. Use a database of its own: it is filled, not
cleaned.

The data carry a planted relationship: every unit has a capability c ~ N(0, 1);
its indicator values are better (in the indicator's direction) with c, its staff
complete more courses and score higher. The analysis should find positive rhos.

``extract`` times the reads ``insights.services.analysis_compute`` makes, and
``baseline`` times a plain SQL aggregate over the same responses for comparison.
"""

from __future__ import annotations

import random
import time

BATCH = 5000


def load(*, units: int, staff: int, responses: int, indicators: int = 40) -> float:
    from django.db import connection, transaction

    from assessments.models import Question
    from assessments.services.questions import category_ensure
    from cms.services import site_ensure_home
    from learning.models import CourseIndexPage, CoursePage
    from organisation.migrations._reference import load_groups_and_lines
    from organisation.models import Indicator, Unit
    from organisation.services import indicators_load_shipped

    if connection.vendor != "postgresql":
        raise SystemExit("the national loader needs PostgreSQL (DATABASE_URL)")
    started = time.perf_counter()
    rng = random.Random(11)
    load_groups_and_lines()
    indicators_load_shipped()
    catalogue = list(Indicator.objects.order_by("code")[:indicators])
    with transaction.atomic():
        province = Unit.objects.create(
            code="BP", name="省", level="province", path="BP/", depth=1
        )
        cities = max(1, units // 10)
        city_rows = Unit.objects.bulk_create(
            Unit(
                code=f"BC{i:04d}",
                name=f"市{i}",
                level="city",
                parent=province,
                path=f"BP/BC{i:04d}/",
                depth=2,
            )
            for i in range(cities)
        )
        Unit.objects.bulk_create(
            (
                Unit(
                    code=f"BG{i:05d}",
                    name=f"基层{i}",
                    level="grassroots",
                    parent=city_rows[i % cities],
                    path=f"BP/{city_rows[i % cities].code}/BG{i:05d}/",
                    depth=3,
                )
                for i in range(units - cities)
            ),
            batch_size=BATCH,
        )
        home = site_ensure_home()
        index = home.add_child(instance=CourseIndexPage(title="课程", slug="bench"))
        for c in range(50):
            course = index.add_child(
                instance=CoursePage(title=f"课程{c}", slug=f"c{c}", code=f"BC-{c:03d}")
            )
            course.indicators.set(rng.sample(catalogue, 2))
        category = category_ensure(path="基准")
        questions = Question.objects.bulk_create(
            Question(code=f"BQ{q:05d}", category=category, text="?", points=1)
            for q in range(2000)
        )
        Question.indicators.through.objects.bulk_create(
            Question.indicators.through(
                question_id=q.pk, indicator_id=catalogue[n % len(catalogue)].pk
            )
            for n, q in enumerate(questions)
        )
    with connection.cursor() as cursor:
        # A bench database of its own: skip the per-row foreign-key triggers while
        # the generated (consistent by construction) rows go in.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SELECT setseed(0.11)")
        for statement in _bulk_sql(staff=staff, responses=responses):
            cursor.execute(statement)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("ANALYZE")
    return time.perf_counter() - started


def _bulk_sql(*, staff: int, responses: int) -> list[str]:
    per_person = max(1, responses // staff + (responses % staff > 0))
    return [
        # Unit capability, in a temporary table numbered 0 … n−1.
        """CREATE TEMP TABLE bench_unit AS
           SELECT row_number() OVER (ORDER BY id) - 1 AS n, id,
                  sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS c
           FROM organisation_unit WHERE level <> 'province'""",
        "CREATE UNIQUE INDEX ON bench_unit (n)",
        f"""INSERT INTO auth_user (password, is_superuser, username, first_name,
               last_name, email, is_staff, is_active, date_joined)
           SELECT '!', false, 'B' || lpad(g::text, 7, '0'), '', '', '', false, true,
                  now()
           FROM generate_series(0, {staff - 1}) g""",
        """INSERT INTO organisation_staffprofile (user_id, staff_no, name, unit_id,
               position, is_leader, email, active, rank_category, updated_at)
           SELECT u.id, u.username, '干警', bu.id, '检察官', false, '', true,
                  'general', now()
           FROM auth_user u
           JOIN bench_unit bu
             ON bu.n = substr(u.username, 2)::int
                       % (SELECT count(*) FROM bench_unit)
           WHERE u.username ~ '^B[0-9]{7}$'""",
        """CREATE TEMP TABLE bench_staff AS
           SELECT row_number() OVER (ORDER BY p.user_id) - 1 AS n, p.user_id, bu.c
           FROM organisation_staffprofile p JOIN bench_unit bu ON bu.id = p.unit_id""",
        "CREATE UNIQUE INDEX ON bench_staff (n)",
        # Four quarters of every indicator for every unit: better with capability.
        """INSERT INTO insights_indicatorvalue (unit_id, indicator_id, period, kind,
               period_start, period_end, value, updated_at)
           SELECT bu.id, i.id, '2025Q' || q, 'quarter',
                  make_date(2025, 3 * q - 2, 1),
                  (make_date(2025, 3 * q - 2, 1) + interval '3 months'
                   - interval '1 day')::date,
                  round((CASE WHEN i.code LIKE 'case_ratio%' THEN 1.4 ELSE 0.4 END
                   + CASE WHEN i.direction = 'lower_better' THEN -0.05 ELSE 0.05 END
                     * bu.c
                   + 0.03 * (random() + random() + random() - 1.5))::numeric, 6),
                  now()
           FROM bench_unit bu
           CROSS JOIN (SELECT id, code, direction FROM organisation_indicator
                       WHERE id IN (SELECT indicator_id
                                    FROM assessments_question_indicators)) i
           CROSS JOIN generate_series(1, 4) q""",
        # Up to three completions a person, more likely in capable units.
        """INSERT INTO learning_coursecompletion (user_id, course_id, completed_on,
               version, source, source_text, superseded, created_at)
           SELECT s.user_id, c.id, date '2025-06-01', 1, 'online', '', false, now()
           FROM bench_staff s
           CROSS JOIN generate_series(0, 2) k
           JOIN (SELECT row_number() OVER (ORDER BY page_ptr_id) - 1 AS n,
                        page_ptr_id AS id
                 FROM learning_coursepage WHERE code LIKE 'BC-%') c
             ON c.n = (s.n * 7 + k * 17) % 50
           WHERE random() < 1 / (1 + exp(-s.c))""",
        # Exactly ``responses`` results: person n answers questions
        # (k·61 + n·17) mod 2000 for k = 0, 1, … (distinct for each person), on a
        # day of 2025; right more often in capable units.
        f"""INSERT INTO assessments_externalresult (user_id, question_id, score,
               answered_on)
           SELECT s.user_id, q.id,
                  CASE WHEN random() < 1 / (1 + exp(-(0.5 + 0.6 * s.c)))
                       THEN 1 ELSE round(random()::numeric * 0.5, 5) END,
                  date '2025-01-01' + (g % 365)::int
           FROM generate_series(0, {responses - 1}) g
           JOIN bench_staff s ON s.n = g % {staff}
           JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id
                 FROM assessments_question WHERE code LIKE 'BQ%') q
             ON q.n = ((g / {staff}) * 61 + s.n * 17) % 2000
           WHERE g / {staff} < {per_person}""",
    ]


def extract() -> dict[str, float]:
    """Seconds spent in each read the analysis task makes, for the last quarter."""
    from insights import selectors
    from insights.periods import period_parse

    period = period_parse("2025Q4")
    steps = {
        "values": lambda: selectors.value_records(kind="quarter", until=period.end),
        "indicators": lambda: selectors.indicator_records(2025),
        "staff": selectors.staff_records,
        "completions": lambda: selectors.completion_records(until=period.end),
        "course_indicators": selectors.course_indicator_records,
        "score_sums": lambda: selectors.score_sum_records(until=period.end),
        "exposure": lambda: selectors.exposure_records(selectors.value_periods()),
    }
    timings = {}
    for name, step in steps.items():
        started = time.perf_counter()
        rows = step()
        timings[name] = time.perf_counter() - started
        timings[name + "_rows"] = len(rows)
    return timings


BASELINE_SQL = """
    SELECT count(*), sum(score) FROM (
        SELECT user_id, sum(score) AS score
        FROM assessments_externalresult GROUP BY user_id
    ) per_person
"""


def counts() -> dict[str, int]:
    """Rows of the tables the analysis reads."""
    from django.db import connection

    tables = {
        "units": "organisation_unit",
        "staff": "organisation_staffprofile",
        "indicator_values": "insights_indicatorvalue",
        "completions": "learning_coursecompletion",
        "responses": "assessments_externalresult",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, table in tables.items():
            cursor.execute(f"SELECT count(*) FROM {table}")
            out[name] = cursor.fetchone()[0]
    return out


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (from /proc:
    the database's share of the work, which the Python process's CPU time misses)."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:  # the server runs elsewhere
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vacuum_snapshots() -> None:
    """Vacuum the snapshot rows that an earlier run replaced, as autovacuum would
    between two nightly runs on a server; on a PostgreSQL run without autovacuum each
    run would otherwise write among all the earlier runs' dead rows."""
    from django.db import connection

    from insights.models import GapCell, GapSnapshot

    tables = ", ".join(m._meta.db_table for m in (GapSnapshot, GapCell))
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")


def baseline() -> dict[str, float]:
    """A plain SQL aggregate over every response (one sum per person), for scale."""
    from django.db import connection

    cpu = backend_cpu()
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(BASELINE_SQL)
        (rows, _total) = cursor.fetchone()
    return {
        "baseline_sql_s": round(time.perf_counter() - started, 2),
        "baseline_db_cpu_s": round(backend_cpu() - cpu, 2),
        "baseline_people": rows,
    }
