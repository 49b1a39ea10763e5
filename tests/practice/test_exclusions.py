"""Practice answers are the person's own: never counted in completion reports, item
statistics or the gap analysis, while they do count toward the person's own mastery."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments import selectors as assessment_selectors
from assessments.models import Question, StatisticsSnapshot
from assessments.services.statistics import statistics_compute, statistics_compute_bank
from insights import selectors as insight_selectors
from practice.models import PracticeAnswer, PracticeSource
from practice.selectors import own_mastery
from practice.services import practice_answer_submit, practice_day_start
from tests.assessments.factories import make_question, make_quiz
from tests.factories import StaffFactory
from tests.insights.helpers import RATIO, planted_province
from tests.practice.test_book import sit

pytestmark = pytest.mark.django_db


def practise_everything(user, *, now, right: bool) -> int:
    """Answer the person's whole practice day; returns how many were answered."""
    rows = practice_day_start(user=user, now=now)
    for row in rows:
        options = row.version.data["options"]
        keys = [o["key"] for o in options if (float(o["fraction"]) > 0) == right][:1]
        practice_answer_submit(user=user, answer_id=row.pk, raw=keys, now=now)
    return len(rows)


def test_gap_analysis_never_counts_practice_answers(reference_data, tmp_path):
    planted = planted_province(reference_data)
    question = Question.objects.get(code=f"Q-{RATIO}")
    question.options.create(text="对", fraction=1)
    question.options.create(text="错", fraction=0)
    question.save()
    from assessments.services import question_publish_version

    question_publish_version(question=question)
    PracticeSource.objects.create(question=question)

    def report() -> dict:
        out = tmp_path / "gaps.json"
        call_command(
            "gap_analysis",
            "--period",
            "2026Q3",
            "--format",
            "json",
            "--output",
            str(out),
        )
        return json.loads(out.read_text(encoding="utf-8"))

    until = dt.date(2026, 9, 30)
    before = report()
    sums = insight_selectors.score_sum_records(until=until)
    records = insight_selectors.response_records(until=until)
    # The weakest unit's people practise the indicator's question, all right.
    when = timezone.make_aware(dt.datetime(2026, 8, 2, 9))
    answered = sum(
        practise_everything(p.user, now=when, right=True)
        for p in planted["staff"]["G08"]
    )
    assert answered == len(planted["staff"]["G08"])
    assert PracticeAnswer.objects.filter(fraction=1).count() == answered
    assert report() == before
    assert insight_selectors.score_sum_records(until=until) == sums
    assert insight_selectors.response_records(until=until) == records


def test_item_statistics_never_count_practice_answers(reference_data, tree, learner):
    questions = [make_question(f"IS-{n}", category="课堂练习/统计") for n in range(5)]
    quiz = make_quiz(
        "is-lesson", questions, exam_paper=False, right_answers_after="each_attempt"
    )
    people = [learner] + [
        StaffFactory(unit=tree["G2"], staff_no=f"IS{n}").user for n in range(3)
    ]
    for n, person in enumerate(people):
        sit(person, quiz, right=bool(n % 2))
    statistics_compute(quiz_id=quiz.pk)
    statistics_compute_bank()
    before = {
        s.quiz_id: (s.test, s.questions) for s in StatisticsSnapshot.objects.all()
    }
    for person in people:
        practise_everything(person, now=timezone.now(), right=False)
    assert PracticeAnswer.objects.filter(answered_at__isnull=False).count() == 20
    statistics_compute(quiz_id=quiz.pk)
    statistics_compute_bank()
    after = {s.quiz_id: (s.test, s.questions) for s in StatisticsSnapshot.objects.all()}
    assert after == before
    rows = assessment_selectors.item_mark_records(
        attempt_ids=assessment_selectors.attempts_for_statistics(quiz=quiz),
        draw_positions=set(),
    )
    assert len(rows) == len(people) * len(questions)


def test_quiz_grades_and_lesson_passes_never_count_practice_answers(
    reference_data, tree, learner
):
    questions = [make_question(f"CR-{n}", category="课堂练习/结业") for n in range(5)]
    quiz = make_quiz(
        "cr-lesson", questions, exam_paper=False, right_answers_after="each_attempt"
    )

    def state():
        return (
            assessment_selectors.quiz_grade(user=learner, quiz=quiz),
            assessment_selectors.quiz_passed(user=learner, quiz=quiz),
            assessment_selectors.category_progress(user=learner),
            list(assessment_selectors.scored_response_records()),
        )

    before = state()
    assert practise_everything(learner, now=timezone.now(), right=True) == 5
    assert state() == before
    assert before[1] is False


def test_completion_report_is_the_same_with_practice(
    reference_data, tree, learner, tmp_path
):
    from tests.campaigns.factories import make_campaign, make_course

    course = make_course(reference_data, "PR-101")
    make_campaign(
        [course],
        code="PR-T",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    for n in range(5):
        make_question(f"CP-{n}", category="课堂练习/法治")
    make_quiz(
        "cp-lesson",
        list(Question.objects.filter(code__startswith="CP-")),
        exam_paper=False,
    )

    def report() -> dict:
        out = tmp_path / "report.json"
        call_command(
            "completion_report",
            "--campaign",
            "PR-T",
            "--format",
            "json",
            "--output",
            str(out),
        )
        return json.loads(out.read_text(encoding="utf-8"))

    before = report()
    assert practise_everything(learner, now=timezone.now(), right=True) == 5
    assert report() == before
    person = next(p for p in before["people"] if p["staff_no"] == "L0001")
    assert person["status"] == "not_started"


def test_practice_answers_do_count_toward_the_persons_own_mastery(learner, bank):
    assert own_mastery(user=learner).overall is None
    practise_everything(learner, now=timezone.now(), right=False)
    assert own_mastery(user=learner).overall == pytest.approx(0, abs=1e-5)
