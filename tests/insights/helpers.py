"""Planted test data: a province where two units are weak on 案-件比 for a clear reason.

Eight grassroots units G01…G08 (six people each) and G09 (three people) under city C1.
Each unit has a capability c. On case_ratio_criminal (lower is better) the value
worsens as c falls, mastery of its questions equals c and the share of staff who
completed the course targeting it rises with c: G07 and G08 are the planted gaps. On
plea_appeal_rate the planted relation is reversed (better units show worse values),
so its correlations must come out negative.
"""

from __future__ import annotations

import datetime as dt

from organisation.importing import run_import
from organisation.models import Indicator
from organisation.services import indicators_load_shipped
from organisation.tabular import Table
from tests.factories import StaffFactory, UnitFactory

CAPABILITY = {
    "G01": 0.95,
    "G02": 0.9,
    "G03": 0.8,
    "G04": 0.7,
    "G05": 0.6,
    "G06": 0.5,
    "G07": 0.15,
    "G08": 0.1,
    "G09": 0.55,
}
WEAK = ["G08", "G07"]
RATIO = "case_ratio_criminal"
APPEAL = "plea_appeal_rate"


def table(rows: list[dict]) -> Table:
    return Table(headers=list(rows[0]), rows=[(i, r) for i, r in enumerate(rows, 2)])


def build_courses(home):
    from learning.models import CourseIndexPage, CoursePage

    index = home.add_child(instance=CourseIndexPage(title="课程", slug="courses-t"))
    ratio_course = index.add_child(
        instance=CoursePage(title="案件比的计算", slug="ind-102", code="IND-102")
    )
    ratio_course.indicators.set([Indicator.objects.get(code=RATIO)])
    ratio_course.save()
    appeal_course = index.add_child(
        instance=CoursePage(title="认罪认罚", slug="crm-201", code="CRM-201")
    )
    appeal_course.indicators.set([Indicator.objects.get(code=APPEAL)])
    appeal_course.save()
    return ratio_course, appeal_course


def build_questions():
    from assessments.models import Question
    from assessments.services.questions import category_ensure

    category = category_ensure(path="指标/案件质量")
    questions = {}
    for code in (RATIO, APPEAL):
        q = Question.objects.create(
            code=f"Q-{code}", category=category, text=f"{code}?", points=2
        )
        q.indicators.set([Indicator.objects.get(code=code)])
        q.save()
        questions[code] = q
    return questions


def planted_province(home) -> dict:
    """Build the planted province; returns units, staff and courses by code."""
    from assessments.models import ExternalResult
    from learning.models import CourseCompletion

    indicators_load_shipped()
    province = UnitFactory(code="P", name="省院", level="province")
    city = UnitFactory(code="C1", name="一市院", level="city", parent=province)
    units, staff = {}, {}
    for n, code in enumerate(CAPABILITY):
        unit = UnitFactory(
            code=code, name=f"第{n + 1}基层院", level="grassroots", parent=city
        )
        dept = UnitFactory(
            code=f"{code}-D1", name="第一检察部", level="department", parent=unit
        )
        units[code] = unit
        size = 3 if code == "G09" else 6
        staff[code] = [
            StaffFactory(unit=dept, staff_no=f"{code}S{i}", name=f"干警{code}{i}")
            for i in range(size)
        ]
    ratio_course, appeal_course = build_courses(home)
    questions = build_questions()
    answered = dt.date(2026, 8, 1)
    for code, people in staff.items():
        c = CAPABILITY[code]
        completed = round(len(people) * c)
        for i, person in enumerate(people):
            if i < completed:
                for course in (ratio_course, appeal_course):
                    CourseCompletion.objects.create(
                        user=person.user, course=course, completed_on=answered
                    )
            for q in questions.values():
                # Everyone's score sits near the unit's capability.
                score = min(1.0, max(0.0, c + (0.04 if i % 2 else -0.04)))
                ExternalResult.objects.create(
                    user=person.user, question=q, score=score, answered_on=answered
                )
    rows = []
    for period, shift in (("2026Q2", 0.02), ("2026Q3", 0.0)):
        for code, c in CAPABILITY.items():
            rows.append(
                {
                    "unit_code": code,
                    "indicator_code": RATIO,
                    "period": period,
                    "value": f"1:{1.2 + 0.6 * (1 - c) + shift:.3f}",
                }
            )
            rows.append(
                {
                    "unit_code": code,
                    "indicator_code": APPEAL,
                    "period": period,
                    "value": f"{0.02 + 0.03 * c:.4f}",
                }
            )
        rows.append(
            {
                "unit_code": "C1",
                "indicator_code": RATIO,
                "period": period,
                "value": "1:1.5",
            }
        )
    from insights.services import indicator_values_import

    run_import(indicator_values_import, table=table(rows))
    return {"province": province, "city": city, "units": units, "staff": staff}


def reference_scores(until):
    """Each person's points per indicator, from every answer fetched one by one: the
    reference the database sums are checked against."""
    from insights import analytics as A
    from insights import selectors

    return A.person_scores(
        A.frame(selectors.staff_records(), A.STAFF_COLUMNS),
        A.frame(selectors.response_records(until=until), A.RESPONSE_COLUMNS),
        A.frame(selectors.question_indicator_records(), A.QUESTION_INDICATOR_COLUMNS),
    )


def assert_unit_sums_match(unit_sums, scores) -> None:
    """``score_sum_records``' unit sums equal those of the reference scores."""
    import pandas as pd

    from insights import analytics as A

    expected = A.unit_score_sums(scores).astype(A.UNIT_SCORE_COLUMNS)
    got = A.frame(unit_sums, A.UNIT_SCORE_COLUMNS)
    key = ["unit_code", "indicator_code"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
        check_exact=False,
        rtol=1e-9,
    )
