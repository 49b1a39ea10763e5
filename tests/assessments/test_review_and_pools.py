"""Exam-safe review defaults and the practice/exam pool rule (security finding 11)."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.admin_forms import QuizAdminForm
from assessments.models import Attempt, Category, Quiz, QuizSlot
from assessments.pools import SlotSpec, pool_conflicts
from tests.assessments.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db
SECRET = "只在最后公布的解析"


@pytest.fixture
def exam(reference_data):
    question = make_question("RV-1", category="考试/结业", explanation=SECRET)
    return make_quiz("rv-exam", [question], attempts_allowed=3)


def _sit(client, quiz) -> str:
    client.post(reverse("assessments:quiz", args=[quiz.slug]))
    attempt = Attempt.objects.filter(quiz=quiz).order_by("-pk").first()
    client.post(reverse("assessments:submit", args=[attempt.pk]))
    return client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()


def test_a_new_quiz_is_an_exam_that_shows_answers_after_the_last_attempt():
    quiz = Quiz(title="新测验", slug="new")
    assert quiz.exam_paper is True
    assert quiz.right_answers_after == Quiz.ReviewTiming.LAST_ATTEMPT


def test_an_exam_withholds_answers_until_the_last_of_three_attempts(
    client, learner, exam
):
    client.force_login(learner)
    first = _sit(client, exam)
    assert SECRET not in first
    assert "用完全部作答次数后" in first
    assert SECRET not in _sit(client, exam)
    assert SECRET in _sit(client, exam)


def test_an_exam_with_unlimited_attempts_shows_answers_once_it_closes(
    client, learner, exam
):
    exam.attempts_allowed = 0
    exam.save()
    client.force_login(learner)
    assert SECRET not in _sit(client, exam)
    attempt = Attempt.objects.get(quiz=exam)
    Quiz.objects.filter(pk=exam.pk).update(
        close_at=timezone.now() - dt.timedelta(minutes=1)
    )
    result = client.get(reverse("assessments:result", args=[attempt.pk]))
    assert SECRET in result.content.decode()


def test_a_practice_quiz_may_show_answers_at_once(client, learner, exam):
    Quiz.objects.filter(pk=exam.pk).update(
        exam_paper=False, right_answers_after=Quiz.ReviewTiming.EACH_ATTEMPT
    )
    client.force_login(learner)
    assert SECRET in _sit(client, exam)


def test_immediate_feedback_cannot_hide_answers_of_a_quiz_sat_several_times():
    quiz = Quiz(
        title="即时",
        slug="im",
        feedback_mode=Quiz.FeedbackMode.IMMEDIATE,
        attempts_allowed=3,
    )
    with pytest.raises(ValidationError) as refused:
        quiz.full_clean()
    assert "right_answers_after" in refused.value.message_dict
    quiz.right_answers_after = Quiz.ReviewTiming.EACH_ATTEMPT
    quiz.full_clean()


def test_existing_practice_and_immediate_quizzes_keep_showing_answers(exam):
    make_quiz("old-practice", [], exam_paper=False)
    make_quiz("old-immediate", [], feedback_mode="immediate")
    migration = importlib.import_module(
        "assessments.migrations.0006_quiz_right_answers_after"
    )
    migration.existing_quizzes(apps, None)
    timing = dict(Quiz.objects.values_list("slug", "right_answers_after"))
    assert timing == {
        "rv-exam": "last_attempt",
        "old-practice": "each_attempt",
        "old-immediate": "each_attempt",
    }


# The pool rule -----------------------------------------------------------------


@pytest.fixture
def bank(reference_data):
    exam_fixed = make_question("EX-FIX", category="考试/固定")
    drawn = make_question("EX-DRAW", category="考试/抽题/子类")
    own = make_question("PR-OWN", category="课堂练习/甲")
    exam = make_quiz("pool-exam", [exam_fixed], title="结业考试")
    QuizSlot.objects.create(
        quiz=exam,
        draw_count=1,
        draw_category=Category.objects.get(path="考试/抽题"),
        sort_order=9,
    )
    return {"exam_fixed": exam_fixed, "drawn": drawn, "own": own, "exam": exam}


def test_a_practice_quiz_may_not_fix_or_draw_an_exams_questions(bank):
    fixed = [SlotSpec(question_id=bank["exam_fixed"].pk)]
    assert pool_conflicts(exam=False, specs=fixed) == ["结业考试"]
    parent = [SlotSpec(category=Category.objects.get(path="考试"))]
    assert pool_conflicts(exam=False, specs=parent) == ["结业考试"]
    sub = [SlotSpec(category=Category.objects.get(path="考试/抽题/子类"))]
    assert pool_conflicts(exam=False, specs=sub) == ["结业考试"]
    own = [SlotSpec(category=Category.objects.get(path="课堂练习"))]
    assert pool_conflicts(exam=False, specs=own) == []


def test_an_exam_may_not_take_a_practice_quizs_questions(bank):
    make_quiz("pool-practice", [bank["own"]], exam_paper=False, title="课堂练习一")
    specs = [SlotSpec(question_id=bank["own"].pk)]
    assert pool_conflicts(exam=True, specs=specs) == ["课堂练习一"]


def _form_data(**fields):
    data = {
        "title": "练习",
        "slug": "pool-form",
        "pass_mark": 60,
        "feedback_mode": "end",
        "grading_method": "highest",
        "overdue_policy": "autosubmit",
        "grace_minutes": 0,
        "attempts_allowed": 0,
        "right_answers_after": "each_attempt",
        "slots-TOTAL_FORMS": 1,
        "slots-INITIAL_FORMS": 0,
        "slots-MIN_NUM_FORMS": 0,
        "slots-MAX_NUM_FORMS": 1000,
        "slots-0-draw_count": 0,
        "slots-0-ORDER": 1,
        "extra_times-TOTAL_FORMS": 0,
        "extra_times-INITIAL_FORMS": 0,
        "extra_times-MIN_NUM_FORMS": 0,
        "extra_times-MAX_NUM_FORMS": 1000,
    }
    data.update(fields)
    return data


def _admin_form(data):
    form_class = Quiz.snippet_viewset.get_edit_handler().get_form_class()
    assert issubclass(form_class, QuizAdminForm)
    return form_class(data, instance=Quiz())


def test_the_admin_refuses_a_practice_quiz_on_an_exams_question(bank):
    form = _admin_form(_form_data(**{"slots-0-question": bank["exam_fixed"].pk}))
    assert not form.is_valid()
    assert "结业考试" in str(form.non_field_errors())
    ok = _admin_form(_form_data(**{"slots-0-question": bank["own"].pk}))
    assert ok.is_valid(), ok.errors


def test_attempts_at_a_practice_quiz_leave_out_exam_questions(learner, bank):
    practice = make_quiz("pool-old", [bank["own"]], exam_paper=False)
    QuizSlot.objects.create(
        quiz=practice,
        draw_count=5,
        draw_category=Category.objects.get(path="考试"),
        sort_order=9,
    )
    attempt = services.attempt_start(user=learner, quiz=practice)
    codes = {item.version.question.code for item in attempt.items.all()}
    assert codes == {"PR-OWN"}
