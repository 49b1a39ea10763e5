"""Data ladder: generated provinces of growing size on top of the demo province.

Sizes (units are new units added under the demo province; the demo's own ~600 staff,
courses, quizzes, campaigns and indicator values stay and are counted too):

    S         ~130 units,   3,000 staff,   6 courses,  6 campaigns,    60,000 responses
    M         ~560 units,  20,000 staff,  12 courses, 12 campaigns,   500,000 responses
    L        ~1,100 units, 100,000 staff,  30 courses, 20 campaigns, 3,000,000 responses
    XL       ~3,600 units, 300,000 staff,  50 courses, 20 campaigns, 5,000,000 responses
    NATIONAL ~3,600 units, 300,000 staff,  50 courses, 20 campaigns, 10,000,000 responses

Usage (PostgreSQL for figures worth quoting; SQLite works for S, slowly):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_proof_bench \\
        .venv/bin/python -m bench.ladder --size S

The database must be migrated and seeded (``seed_demo``) first; ``bench.run`` does
both. Rows go in with PostgreSQL COPY (bulk_create elsewhere) against the real
tables, with explicit primary keys from a reserved range, and the sequences are moved
past them afterwards. Courses are real Wagtail pages created through the page API
(the demo's own builder), because pages carry tree paths and revisions that are not
safe to bulk-insert. One function per domain, each tolerant of what already exists:
running the same size twice adds nothing (the ladder records what it built).

Generated people use the staff numbers ``LD0000001…`` and the password
``bench12345``; generated units use codes beginning with ``LX``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal

PASSWORD = "bench12345"
STAFF_PREFIX = "LD"
UNIT_PREFIX = "LX"


@dataclass(frozen=True)
class Size:
    name: str
    cities: int  # new city units under the province
    grassroots: int  # per new city
    departments: int  # per new grassroots unit
    staff: int
    courses: int  # total courses wanted (the demo has six)
    campaigns: int  # total campaigns wanted
    responses: int
    questions_per_attempt: int = 10


SIZES = {
    "S": Size("S", 5, 8, 2, 3_000, 6, 6, 60_000),
    "M": Size("M", 20, 9, 2, 20_000, 12, 12, 500_000),
    "L": Size("L", 30, 11, 2, 100_000, 30, 20, 3_000_000),
    "XL": Size("XL", 40, 10, 8, 300_000, 50, 20, 5_000_000),
    "NATIONAL": Size("NATIONAL", 40, 10, 8, 300_000, 50, 20, 10_000_000),
}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红志鹏辉建国晨阳宇浩然思雨欣怡子涵博文俊杰梓轩"
POSITIONS = [
    "检察官",
    "检察官助理",
    "书记员",
    "司法警察",
    "检察技术人员",
    "综合行政人员",
]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


# Bulk writing -------------------------------------------------------------------------


def _is_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _next_id(model) -> int:
    from django.db.models import Max

    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _reset_sequence(model) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    sql = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


def _column_value(field, value):
    from django.db import models

    if isinstance(field, models.JSONField):
        return json.dumps(value, ensure_ascii=False)
    return value


def bulk_write(model, rows, *, batch: int = 50_000) -> int:
    """Insert ``rows`` (dicts of attname → value, including ``id``) into ``model``'s
    table; missing fields take their defaults, auto_now fields the current time.
    COPY on PostgreSQL, bulk_create elsewhere. Returns the number of rows written."""
    from django.db import connection, models, transaction
    from django.utils import timezone

    now = timezone.now()
    fields = model._meta.concrete_fields

    def full(row: dict) -> list:
        values = []
        for f in fields:
            if f.attname in row:
                values.append(_column_value(f, row[f.attname]))
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                values.append(now)
            elif f.has_default():
                values.append(_column_value(f, f.get_default()))
            elif f.null:
                values.append(None)
            elif isinstance(f, (models.CharField, models.TextField)):
                values.append("")
            else:
                raise ValueError(f"{model.__name__}.{f.attname} needs a value")
        return values

    written = 0
    if _is_postgres():
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with transaction.atomic(), connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(full(row))
                    written += 1
    else:
        chunk = []
        with transaction.atomic():
            for row in rows:
                chunk.append(
                    model(
                        **dict(zip([f.attname for f in fields], full(row), strict=True))
                    )
                )
                if len(chunk) >= batch:
                    model.objects.bulk_create(chunk)
                    written += len(chunk)
                    chunk = []
            if chunk:
                model.objects.bulk_create(chunk)
                written += len(chunk)
    _reset_sequence(model)
    return written


# One function per domain ------------------------------------------------------------


def build_units(size: Size, rng: random.Random) -> list[int]:
    """New cities → grassroots → departments under the province; returns the ids of
    the units people are attached to (departments, or grassroots without any)."""
    from organisation.models import BusinessLine, Unit

    province = Unit.objects.filter(level="province").order_by("depth").first()
    if province is None:
        raise SystemExit("The database has no province: run seed_demo first.")
    lines = list(BusinessLine.objects.values_list("id", flat=True)) or [None]
    existing = {
        u["code"]: u
        for u in Unit.objects.filter(code__startswith=UNIT_PREFIX).values(
            "id", "code", "path", "depth"
        )
    }
    next_id = _next_id(Unit)
    rows = []

    def add(code, name, parent_id, parent_path, depth, level, line=None):
        nonlocal next_id
        if code in existing:
            return existing[code]
        path = f"{parent_path}{code}/"
        row = {
            "id": next_id,
            "code": code,
            "name": name,
            "parent_id": parent_id,
            "level": level,
            "business_line_id": line,
            "path": path,
            "depth": depth,
        }
        next_id += 1
        rows.append(row)
        return row

    leaves = []
    for c in range(1, size.cities + 1):
        city = add(
            f"{UNIT_PREFIX}{c:03d}",
            f"第{c}市人民检察院（基准）",
            province.pk,
            province.path,
            province.depth + 1,
            "city",
        )
        for g in range(1, size.grassroots + 1):
            ground = add(
                f"{UNIT_PREFIX}{c:03d}{g:02d}",
                f"第{c}市第{g}区人民检察院",
                city["id"],
                city["path"],
                city["depth"] + 1,
                "grassroots",
            )
            if not size.departments:
                leaves.append(ground["code"])
            for d in range(1, size.departments + 1):
                dept = add(
                    f"{ground['code']}-D{d}",
                    f"第{d}检察部",
                    ground["id"],
                    ground["path"],
                    ground["depth"] + 1,
                    "department",
                    lines[(d - 1) % len(lines)],
                )
                leaves.append(dept["code"])
    if rows:
        bulk_write(Unit, rows)
    return list(Unit.objects.filter(code__in=leaves).values_list("id", flat=True))


def build_staff(size: Size, unit_ids: list[int], rng: random.Random) -> list[int]:
    """Users and staff profiles spread evenly over the units; returns the user ids."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User
    from django.utils import timezone

    from organisation.models import BusinessLine, StaffProfile

    done = StaffProfile.objects.filter(staff_no__startswith=STAFF_PREFIX).count()
    wanted = size.staff
    if done < wanted:
        password = make_password(PASSWORD)
        now = timezone.now()
        user_id, staff_id = _next_id(User), _next_id(StaffProfile)
        numbers = range(done + 1, wanted + 1)
        bulk_write(
            User,
            (
                {
                    "id": user_id + i,
                    "password": password,
                    "username": f"{STAFF_PREFIX}{n:07d}",
                    "is_active": True,
                    "date_joined": now,
                }
                for i, n in enumerate(numbers)
            ),
        )
        bulk_write(
            StaffProfile,
            (
                {
                    "id": staff_id + i,
                    "user_id": user_id + i,
                    "staff_no": f"{STAFF_PREFIX}{n:07d}",
                    "name": rng.choice(SURNAMES)
                    + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
                    "unit_id": unit_ids[n % len(unit_ids)],
                    "position": POSITIONS[n % len(POSITIONS)],
                    "is_leader": n % 40 == 0,
                    "email": "",
                    "hired_on": dt.date(2005, 1, 1) + dt.timedelta(days=n % 7000),
                    "active": n % 97 != 0,
                }
                for i, n in enumerate(numbers)
            ),
        )
        lines = list(BusinessLine.objects.values_list("id", flat=True))
        if lines:
            through = StaffProfile.business_lines.through
            next_link = _next_id(through)
            bulk_write(
                through,
                (
                    {
                        "id": next_link + i,
                        "staffprofile_id": staff_id + i,
                        "businessline_id": lines[n % len(lines)],
                    }
                    for i, n in enumerate(numbers)
                ),
            )
    return list(
        StaffProfile.objects.filter(staff_no__startswith=STAFF_PREFIX)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )


def build_courses(size: Size) -> list[int]:
    """Courses up to ``size.courses``, created as real pages with two lessons each."""
    from learning.demo import build_course
    from learning.models import CourseIndexPage, CoursePage

    index = CourseIndexPage.objects.first()
    have = CoursePage.objects.count()
    if index is not None:
        for n in range(have + 1, size.courses + 1):
            code = f"BEN-{n:03d}"
            if CoursePage.objects.filter(code=code).exists():
                continue
            lesson = {
                "type": "paragraph",
                "value": f"<p>基准课程 {n} 的课文。</p>",
            }
            build_course(
                index=index,
                spec={
                    "title": f"基准课程 {n}",
                    "code": code,
                    "summary": "生成的课程（基准测试）。",
                    "class_hours": "2",
                    "mandatory": False,
                    "audience": "",
                    "keywords": "",
                    "lines": [],
                    "indicators": [],
                    "lessons": [
                        {"title": "第一课", "body": [lesson]},
                        {"title": "第二课", "body": [lesson]},
                    ],
                },
            )
    return list(CoursePage.objects.order_by("pk").values_list("pk", flat=True))


def build_campaigns(size: Size, course_ids: list[int], rng: random.Random) -> list:
    """Campaigns up to ``size.campaigns``: everyone, one course or three."""
    from learning.campaigns.models import Campaign

    year = dt.date.today().year
    have = Campaign.objects.count()
    for n in range(have + 1, size.campaigns + 1):
        code = f"BEN-{year}-{n:02d}"
        campaign, created = Campaign.objects.get_or_create(
            code=code,
            defaults={
                "title": f"基准培训计划 {n}",
                "starts_on": dt.date(year, 1, 1),
                "due_on": dt.date(year, 12, 31) if n % 2 else dt.date(year, 6, 30),
            },
        )
        if created:
            picks = rng.sample(course_ids, min(len(course_ids), 1 + (n % 3)))
            campaign.courses.set(picks)
    return list(Campaign.objects.order_by("pk"))


def build_learning(size: Size, user_ids: list[int], course_ids: list[int], rng):
    """Completions (about three courses per person) and lesson progress."""
    from django.utils import timezone

    from learning.models import CourseCompletion, LessonPage, LessonProgress

    if CourseCompletion.objects.filter(user_id__in=user_ids[:1]).exists():
        return
    year = dt.date.today().year
    today = dt.date.today()
    first_day = dt.date(year, 1, 1)
    span = max(1, (today - first_day).days)
    lessons: dict[int, list[int]] = {}
    for lesson in LessonPage.objects.all().specific():
        course = lesson.get_parent()
        lessons.setdefault(course.pk, []).append(lesson.pk)
    next_completion = _next_id(CourseCompletion)
    next_progress = _next_id(LessonProgress)
    completions, progress = [], []
    for user_id in user_ids:
        picks = rng.sample(course_ids, min(len(course_ids), 3))
        for n, course_id in enumerate(picks):
            day = first_day + dt.timedelta(days=rng.randrange(span))
            if n < 2 and rng.random() < 0.75:
                completions.append(
                    {
                        "id": next_completion + len(completions),
                        "user_id": user_id,
                        "course_id": course_id,
                        "completed_on": day,
                        "version": 1,
                        "source": "online",
                        "superseded": False,
                    }
                )
            elif lessons.get(course_id):
                moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
                progress.append(
                    {
                        "id": next_progress + len(progress),
                        "user_id": user_id,
                        "lesson_id": lessons[course_id][0],
                        "course_id": course_id,
                        "started_at": moment,
                        "marked_done_at": moment,
                        "completed_at": moment,
                    }
                )
    bulk_write(CourseCompletion, completions)
    bulk_write(LessonProgress, progress)


def build_responses(size: Size, user_ids: list[int], rng: random.Random) -> int:
    """Finished attempts of the demo quizzes, with items and marked responses, until
    the database holds ``size.responses`` generated responses."""
    from django.utils import timezone

    from assessments.models import (
        Attempt,
        AttemptItem,
        Question,
        QuestionVersion,
        Quiz,
        Response,
    )

    k = size.questions_per_attempt
    versions = {}
    for version in QuestionVersion.objects.order_by("question_id", "number"):
        versions[version.question_id] = version  # the newest wins
    questions = list(
        Question.objects.filter(pk__in=versions, active=True)
        .exclude(type="essay")
        .values_list("pk", "points")
    )
    quizzes = list(Quiz.objects.filter(draft=False).values_list("pk", flat=True))
    if len(questions) < k or not quizzes:
        return 0
    have = AttemptItem.objects.filter(
        attempt__user_id__in=user_ids[:1000]
    ).count() * max(1, len(user_ids) // 1000)
    wanted_attempts = max(0, (size.responses - have) // k)
    if not wanted_attempts:
        return 0
    year = dt.date.today().year
    first = timezone.make_aware(dt.datetime(year, 1, 1, 9, 0))
    span = max(1, int((timezone.now() - first).total_seconds()))
    attempt_id = _next_id(Attempt)
    item_id = _next_id(AttemptItem)
    response_id = _next_id(Response)
    # Each person's skill sets the odds of a right answer, so units differ.
    skill = {u: rng.betavariate(5, 2) for u in user_ids}
    attempts, items, responses = [], [], []
    pairs = ((u, q) for q in quizzes for u in user_ids)
    used = set(Attempt.objects.values_list("user_id", "quiz_id"))

    def flush():
        bulk_write(Attempt, attempts)
        bulk_write(AttemptItem, items)
        bulk_write(Response, responses)
        attempts.clear()
        items.clear()
        responses.clear()

    made = 0
    for user_id, quiz_id in pairs:
        if made >= wanted_attempts:
            break
        if (user_id, quiz_id) in used:
            continue
        made += 1
        start = first + dt.timedelta(seconds=rng.randrange(span))
        chosen = rng.sample(questions, k)
        total, got = Decimal(0), Decimal(0)
        for position, (question_id, points) in enumerate(chosen, start=1):
            right = rng.random() < skill[user_id]
            score = Decimal(points) if right else Decimal(0)
            total += Decimal(points)
            got += score
            items.append(
                {
                    "id": item_id,
                    "attempt_id": attempt_id,
                    "position": position,
                    "question_id": question_id,
                    "version_id": versions[question_id].pk,
                    "slot_position": position,
                    "points": points,
                    "option_keys": [],
                    "flagged": False,
                }
            )
            responses.append(
                {
                    "id": response_id,
                    "item_id": item_id,
                    "answer": {},
                    "saved_at": start,
                    "seq": position,
                    "score": score,
                    "fraction": Decimal(1) if right else Decimal(0),
                    "needs_marking": False,
                    "comment": "",
                }
            )
            item_id += 1
            response_id += 1
        percent = (got / total * 100) if total else Decimal(0)
        attempts.append(
            {
                "id": attempt_id,
                "user_id": user_id,
                "quiz_id": quiz_id,
                "status": "finished",
                "started_at": start,
                "finished_at": start + dt.timedelta(minutes=12),
                "score_percent": round(percent, 2),
                "passed": percent >= 60,
                "number": 1,
                "seq": k + 1,
                "score": got,
                "max_score": total,
                "ending": "submitted",
                "counted": True,
                "preview": False,
            }
        )
        attempt_id += 1
        if len(responses) >= 200_000:
            flush()
    flush()
    return made * k


def build_indicator_values(size: Size, rng: random.Random) -> int:
    """Values for the new cities and grassroots units in every period the demo has,
    drawn around the demo's mean and spread per indicator and period."""
    import statistics

    from insights.models import IndicatorValue
    from organisation.models import Unit

    units = list(
        Unit.objects.filter(
            code__startswith=UNIT_PREFIX, level__in=("city", "grassroots")
        ).values_list("pk", flat=True)
    )
    have = set(
        IndicatorValue.objects.filter(unit_id__in=units).values_list(
            "unit_id", flat=True
        )
    )
    units = [u for u in units if u not in have]
    template: dict[tuple, dict] = {}
    for value in IndicatorValue.objects.exclude(unit__code__startswith=UNIT_PREFIX):
        key = (value.indicator_id, value.period)
        entry = template.setdefault(
            key,
            {
                "kind": value.kind,
                "start": value.period_start,
                "end": value.period_end,
                "values": [],
            },
        )
        entry["values"].append(float(value.value))
    next_id = _next_id(IndicatorValue)
    rows = []
    for unit_id in units:
        for (indicator_id, period), entry in template.items():
            mean = statistics.fmean(entry["values"])
            spread = statistics.pstdev(entry["values"]) or abs(mean) * 0.1 or 0.01
            value = max(0.0, rng.gauss(mean, spread))
            rows.append(
                {
                    "id": next_id + len(rows),
                    "unit_id": unit_id,
                    "indicator_id": indicator_id,
                    "period": period,
                    "kind": entry["kind"],
                    "period_start": entry["start"],
                    "period_end": entry["end"],
                    "value": Decimal(f"{value:.6f}"),
                }
            )
    return bulk_write(IndicatorValue, rows)


def _analyse(connection) -> None:
    """After a bulk load, as a database administrator would: fresh statistics, the
    visibility map that lets the reports' covering indexes answer alone, and the
    load's pages written out now rather than by a checkpoint during the figures."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def build(size_name: str, *, seed: int = 7, out=sys.stdout) -> dict:
    """Build (or complete) the ladder of one size; returns counts and seconds."""
    from django.db import connection

    size = SIZES[size_name]
    rng = random.Random(seed)
    timings = {}

    def step(name, fn, *args):
        started = time.perf_counter()
        result = fn(*args)
        timings[name] = round(time.perf_counter() - started, 2)
        print(f"  ladder {size.name}: {name} {timings[name]} s", file=out, flush=True)
        return result

    unit_ids = step("units", build_units, size, rng)
    user_ids = step("staff", build_staff, size, unit_ids, rng)
    course_ids = step("courses", build_courses, size)
    step("campaigns", build_campaigns, size, course_ids, rng)
    step("learning", build_learning, size, user_ids, course_ids, rng)
    step("responses", build_responses, size, user_ids, rng)
    step("indicator_values", build_indicator_values, size, rng)
    step("analyze", _analyse, connection)
    return {"size": size.name, "seconds": timings, "counts": counts()}


def counts() -> dict:
    from assessments.models import Response
    from learning.campaigns.models import Campaign
    from learning.models import CourseCompletion, CoursePage
    from organisation.models import StaffProfile, Unit

    return {
        "units": Unit.objects.count(),
        "staff": StaffProfile.objects.count(),
        "courses": CoursePage.objects.count(),
        "campaigns": Campaign.objects.count(),
        "completions": CourseCompletion.objects.count(),
        "responses": Response.objects.count(),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="S")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    setup()
    result = build(args.size, seed=args.seed)
    buffer = io.StringIO()
    json.dump(result, buffer, ensure_ascii=False)
    print(buffer.getvalue())


if __name__ == "__main__":
    main()
