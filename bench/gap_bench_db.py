"""Database part of the gap benchmark: load generated rows fast, then time the reads.

``load`` writes units, staff, indicator values, courses with completions, questions
and imported exam results (``assessments.ExternalResult``, which the assessment
selectors return with the platform's own answers) with bulk inserts. ``extract``
times every selector that ``insights.services.analysis_compute`` calls. Use a
database of its own: it is filled, not cleaned.
"""

from __future__ import annotations

import datetime as dt
import random
import time

BATCH = 5000


def load(*, units: int, staff: int, responses: int, indicators: int = 40) -> float:
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from assessments.models import ExternalResult, Question
    from assessments.services.questions import category_ensure
    from cms.services import site_ensure_home
    from insights.models import IndicatorValue
    from learning.models import CourseCompletion, CourseIndexPage, CoursePage
    from organisation.migrations._reference import load_groups_and_lines
    from organisation.models import Indicator, StaffProfile, Unit
    from organisation.services import indicators_load_shipped

    started = time.perf_counter()
    rng = random.Random(11)
    load_groups_and_lines()
    indicators_load_shipped()
    catalogue = list(Indicator.objects.order_by("code")[:indicators])
    User = get_user_model()
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
        grass = Unit.objects.bulk_create(
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
        all_units = city_rows + grass
        users = User.objects.bulk_create(
            (User(username=f"B{i:07d}", password="!") for i in range(staff)),
            batch_size=BATCH,
        )
        StaffProfile.objects.bulk_create(
            (
                StaffProfile(
                    user=u,
                    staff_no=u.username,
                    name="干警",
                    unit=all_units[i % len(all_units)],
                    position="检察官",
                )
                for i, u in enumerate(users)
            ),
            batch_size=BATCH,
        )
        for quarter in range(1, 5):
            start = dt.date(2025, 3 * quarter - 2, 1)
            end = dt.date(
                2025 + (quarter == 4), (3 * quarter) % 12 + 1, 1
            ) - dt.timedelta(days=1)
            IndicatorValue.objects.bulk_create(
                (
                    IndicatorValue(
                        unit=unit,
                        indicator=ind,
                        period=f"2025Q{quarter}",
                        kind="quarter",
                        period_start=start,
                        period_end=end,
                        value=round(rng.random(), 4),
                    )
                    for unit in all_units
                    for ind in catalogue
                ),
                batch_size=BATCH,
            )
        home = site_ensure_home()
        index = home.add_child(instance=CourseIndexPage(title="课程", slug="bench"))
        courses = []
        for c in range(50):
            course = index.add_child(
                instance=CoursePage(title=f"课程{c}", slug=f"c{c}", code=f"BC-{c:03d}")
            )
            course.indicators.set(rng.sample(catalogue, 2))
            course.save()
            courses.append(course)
        CourseCompletion.objects.bulk_create(
            (
                CourseCompletion(
                    user=u,
                    course=course,
                    completed_on=dt.date(2025, 6, 1),
                )
                for u in users
                for course in rng.sample(courses, 3)
            ),
            batch_size=BATCH,
        )
        category = category_ensure(path="基准")
        questions = []
        for q in range(2000):
            question = Question.objects.create(
                code=f"BQ{q:05d}", category=category, text="?", points=1
            )
            question.indicators.set([catalogue[q % len(catalogue)]])
            question.save()
            questions.append(question)
        seen = set()
        rows = []
        inserted = 0
        while inserted + len(rows) < responses:
            u = users[rng.randrange(staff)]
            q = questions[rng.randrange(len(questions))]
            day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(365))
            if (u.pk, q.pk, day) in seen:
                continue
            seen.add((u.pk, q.pk, day))
            rows.append(
                ExternalResult(user=u, question=q, score=rng.random(), answered_on=day)
            )
            if len(rows) >= BATCH:
                ExternalResult.objects.bulk_create(rows)
                inserted += len(rows)
                rows = []
        ExternalResult.objects.bulk_create(rows)
    return time.perf_counter() - started


def extract() -> dict[str, float]:
    """Seconds spent in each selector the analysis task calls, for the last quarter."""
    from insights import selectors

    period = selectors.period_parse("2025Q4")
    steps = {
        "values": lambda: selectors.value_records(kind="quarter", until=period.end),
        "indicators": lambda: selectors.indicator_records(2025),
        "staff": selectors.staff_records,
        "completions": lambda: selectors.completion_records(until=period.end),
        "course_indicators": selectors.course_indicator_records,
        "responses": lambda: selectors.response_records(until=period.end),
        "question_indicators": selectors.question_indicator_records,
        "exposure": lambda: selectors.exposure_records(selectors.value_periods()),
    }
    timings = {}
    for name, step in steps.items():
        started = time.perf_counter()
        rows = step()
        timings[name] = time.perf_counter() - started
        timings[name + "_rows"] = len(rows)
    return timings
