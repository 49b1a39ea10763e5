"""The wrong-answer book: what enters it, when it leaves, and when it may show the
right answer and the explanation."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.models import ExternalResult, Quiz
from practice.selectors import book_for
from practice.services import practice_answer_submit, practice_day_start
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key
from tests.practice.conftest import at
from tests.practice.conftest import right_keys as row_right
from tests.practice.conftest import wrong_keys as row_wrong

pytestmark = pytest.mark.django_db
SECRET = "只在考试公布后可见的解析"


def sit(user, quiz, *, right: bool):
    attempt = assessment_services.attempt_start(user=user, quiz=quiz)
    answers = {}
    for item in attempt.items.select_related("version"):
        keys = right_keys(item) if right else [wrong_key(item)]
        answers[item.position] = {"keys": keys}
    assessment_services.attempt_save(
        attempt_id=attempt.pk, user=user, seq=attempt.seq, answers=answers
    )
    return assessment_services.attempt_submit(attempt_id=attempt.pk, user=user)


def _book(user):
    return {row.question.code: row for row in book_for(user=user)}


@pytest.fixture
def exam(reference_data):
    question = make_question("BK-EXAM", category="考试/结业", explanation=SECRET)
    return make_quiz("bk-exam", [question], title="结业考试", attempts_allowed=3)


def test_wrong_answers_from_quizzes_imports_and_practice_enter_the_book(
    learner, bank, exam
):
    sit(learner, exam, right=False)
    imported = make_question("BK-IMPORT", category="考试/外部")
    ExternalResult.objects.create(
        user=learner, question=imported, score=0, answered_on=dt.date(2026, 11, 30)
    )
    right_import = make_question("BK-IMPORT-OK", category="考试/外部")
    ExternalResult.objects.create(
        user=learner, question=right_import, score=1, answered_on=dt.date(2026, 11, 30)
    )
    row = practice_day_start(user=learner, now=at(1))[0]
    practice_answer_submit(
        user=learner, answer_id=row.pk, raw=row_wrong(row), now=at(1)
    )
    book = _book(learner)
    assert set(book) == {"BK-EXAM", "BK-IMPORT", row.question.code}
    assert book["BK-EXAM"].source_title == "结业考试"
    assert book["BK-IMPORT"].entry.wrong.source == "external"
    assert book[row.question.code].entry.wrong.source == "practice"


def test_a_question_leaves_the_book_after_two_later_right_answers(learner, bank):
    row = practice_day_start(user=learner, now=at(1))[0]
    question = row.question
    practice_answer_submit(
        user=learner, answer_id=row.pk, raw=row_wrong(row), now=at(1)
    )
    assert _book(learner)[question.code].entry.correct_needed == 2
    for day in (2, 4):
        rows = practice_day_start(user=learner, now=at(day))
        again = next(r for r in rows if r.question_id == question.pk)
        practice_answer_submit(
            user=learner, answer_id=again.pk, raw=row_right(again), now=at(day)
        )
        if day == 2:
            assert _book(learner)[question.code].entry.correct_needed == 1
    assert question.code not in _book(learner)


def test_a_new_mistake_starts_the_count_again(learner, bank):
    question = bank["weak"][0]
    for day, score in ((1, 0), (2, 1), (3, 0), (4, 1)):
        ExternalResult.objects.create(
            user=learner,
            question=question,
            score=score,
            answered_on=dt.date(2026, 11, day),
        )
    assert _book(learner)[question.code].entry.correct_needed == 1
    assert _book(learner)[question.code].entry.wrong_count == 2


def test_an_essay_never_enters_the_book(learner, reference_data):
    essay = make_question("BK-ESSAY", type="essay", category="考试/论述")
    ExternalResult.objects.create(
        user=learner, question=essay, score="0.4", answered_on=dt.date(2026, 11, 1)
    )
    assert _book(learner) == {}


def test_the_book_withholds_an_exams_answer_until_its_last_attempt(
    client, learner, exam
):
    client.force_login(learner)
    sit(learner, exam, right=False)
    row = _book(learner)["BK-EXAM"]
    assert (row.show_answer, row.show_explanation) == (False, False)
    page = client.get(reverse("practice:book")).content.decode()
    assert "BK-EXAM" in page and SECRET not in page
    assert "option-right" not in page
    sit(learner, exam, right=False)
    assert SECRET not in client.get(reverse("practice:book")).content.decode()
    sit(learner, exam, right=False)
    row = _book(learner)["BK-EXAM"]
    assert (row.show_answer, row.show_explanation) == (True, True)
    page = client.get(reverse("practice:book")).content.decode()
    assert SECRET in page and "option-right" in page


def test_an_exam_that_never_shows_answers_keeps_them_out_of_the_book(learner, exam):
    Quiz.objects.filter(pk=exam.pk).update(
        attempts_allowed=1, review_right_answer=False, review_explanation=False
    )
    sit(learner, exam, right=False)
    row = _book(learner)["BK-EXAM"]
    assert (row.show_answer, row.show_explanation) == (False, False)


def test_an_imported_mistake_on_an_exam_not_yet_sat_shows_its_answer_once_it_closes(
    client, learner, exam
):
    ExternalResult.objects.create(
        user=learner,
        question=exam.slots.get().question,
        score=0,
        answered_on=dt.date(2026, 11, 1),
    )
    assert _book(learner)["BK-EXAM"].show_answer is False
    client.force_login(learner)
    assert SECRET not in client.get(reverse("practice:book")).content.decode()
    Quiz.objects.filter(pk=exam.pk).update(
        close_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert _book(learner)["BK-EXAM"].show_answer is True
    assert SECRET in client.get(reverse("practice:book")).content.decode()


def test_a_practice_quiz_that_reviews_each_attempt_shows_answers_at_once(
    learner, reference_data
):
    question = make_question("BK-LESSON", category="课堂练习/第一课")
    quiz = make_quiz(
        "bk-lesson", [question], exam_paper=False, right_answers_after="each_attempt"
    )
    sit(learner, quiz, right=False)
    row = _book(learner)["BK-LESSON"]
    assert (row.show_answer, row.show_explanation) == (True, True)


def test_the_book_groups_by_indicator_and_by_business_line(client, learner, bank):
    for n, question in enumerate((bank["weak"][0], bank["strong"][0])):
        ExternalResult.objects.create(
            user=learner,
            question=question,
            score=0,
            answered_on=dt.date(2026, 11, 1 + n),
        )
    client.force_login(learner)
    by_indicator = client.get(reverse("practice:book")).content.decode()
    assert "弱项指标" in by_indicator and "强项指标" in by_indicator
    line = bank["weak"][0].business_lines.get()
    by_line = client.get(reverse("practice:book") + "?by=line").content.decode()
    assert line.name in by_line and "未关联业务条线" in by_line
