"""The storm's plain-SQL reads return what the querysets they replace return."""

import pytest
from django.db.models import Count, Max, Q
from django.forms.models import model_to_dict

from assessments import services
from assessments import sql as hot_reads
from assessments.models import Attempt, AttemptItem, Category, Quiz, QuizSlot
from assessments.services.questions import question_current_versions, question_upsert
from tests.assessments.factories import make_question, make_quiz
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _fields(instance, exclude=()):
    """Every concrete field's value, by attribute name."""
    return {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if f.name not in exclude
    }


@pytest.fixture
def quiz(reference_data):
    questions = [
        make_question("H1"),
        make_question("H2", type="true_false", correct_bool=True),
        make_question("H3", type="short", accepted_answers="甲"),
    ]
    quiz = make_quiz("hot-reads", questions, time_limit_minutes=30)
    # A second version of H1: the newest is the current one.
    question_upsert(
        code="H1",
        fields={"text": "题目 H1（修订）"},
        options=[{"text": "正确", "fraction": 1}, {"text": "错误", "fraction": 0}],
    )
    make_question("H4", category="程序/审查逮捕")
    QuizSlot.objects.create(
        quiz=quiz,
        draw_count=1,
        draw_category=Category.objects.get(path="程序"),
        sort_order=9,
    )
    return quiz


def test_the_quiz_by_slug_is_the_orms(quiz):
    assert _fields(hot_reads.quiz_by_slug("hot-reads")) == _fields(
        Quiz.objects.get(slug="hot-reads")
    )
    assert hot_reads.quiz_by_slug("no-such-quiz") is None


def test_slots_come_with_their_questions_categories_and_current_versions(
    quiz, django_assert_num_queries
):
    with django_assert_num_queries(1):
        slots, versions = hot_reads.slots_with_versions(quiz)
    expected = list(quiz.slots.select_related("question", "draw_category"))
    assert [_fields(s) for s in slots] == [_fields(s) for s in expected]
    with django_assert_num_queries(0):
        got = [
            (
                s.question and _fields(s.question, exclude=["search_vector"]),
                s.draw_category and model_to_dict(s.draw_category),
            )
            for s in slots
        ]
    assert got == [
        (
            s.question and _fields(s.question, exclude=["search_vector"]),
            s.draw_category and model_to_dict(s.draw_category),
        )
        for s in expected
    ]
    fixed = [s.question for s in expected if s.question_id]
    current = question_current_versions(questions=fixed)
    assert {k: _fields(v) for k, v in versions.items()} == {
        k: _fields(v) for k, v in current.items()
    }
    assert versions[fixed[0].pk].data["text"] == "题目 H1（修订）"


def test_the_attempt_reads_are_the_orms(quiz, learner, tree):
    other = StaffFactory(unit=tree["G3"], staff_no="HR001").user
    services.attempt_start(user=learner, quiz=quiz, preview=True)
    first = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=first.pk, user=learner, seq=0, answers={3: {"text": "甲"}}
    )
    assert hot_reads.attempts_seen(
        user_id=learner.pk, quiz_id=quiz.pk, open_status=Attempt.Status.IN_PROGRESS
    ) == Attempt.objects.filter(user=learner, quiz=quiz).aggregate(
        open_id=Max("pk", filter=Q(status=Attempt.Status.IN_PROGRESS)),
        used=Count("pk", filter=Q(preview=False)),
        number=Max("number"),
    )

    found = hot_reads.attempt_with_quiz(attempt_id=first.pk, user_id=learner.pk)
    expected = Attempt.objects.select_related("quiz").get(pk=first.pk)
    assert _fields(found) == _fields(expected)
    assert _fields(found.quiz) == _fields(expected.quiz)
    assert hot_reads.attempt_with_quiz(attempt_id=first.pk, user_id=other.pk) is None
    assert hot_reads.attempt_with_quiz(attempt_id=first.pk, user_id=None).pk == first.pk

    items = AttemptItem.objects.filter(attempt=first)
    assert hot_reads.items_for_marking(first.pk) == [
        list(row)
        for row in items.values_list(
            "checked_at",
            "points",
            "version__data",
            "response__id",
            "response__answer",
            "response__score",
            "response__fraction",
            "response__needs_marking",
        )
    ]
    saving = [
        "position",
        "id",
        "checked_at",
        "flagged",
        "option_keys",
        "version__data",
        "response__id",
    ]
    assert hot_reads.items_for_saving(
        attempt_id=first.pk, user_id=learner.pk, positions={1, 3}
    ) == [list(row) for row in items.filter(position__in=[1, 3]).values_list(*saving)]
    assert (
        hot_reads.items_for_saving(attempt_id=first.pk, user_id=other.pk, positions={1})
        == []
    )


def test_the_items_with_versions_and_responses_are_the_orms(
    quiz, learner, django_assert_num_queries
):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={3: {"text": "乙"}}
    )
    expected = list(
        AttemptItem.objects.filter(attempt=attempt)
        .select_related("version", "response")
        .order_by("position")
    )
    with django_assert_num_queries(1):
        found = hot_reads.items_with_versions(attempt.pk)
        got = [
            (
                _fields(i),
                _fields(i.version),
                i.response and _fields(i.response),
            )
            for i in found
        ]
    assert got == [
        (
            _fields(i),
            _fields(i.version),
            getattr(i, "response", None) and _fields(i.response),
        )
        for i in expected
    ]
    assert [i.position for i in found] == sorted(i.position for i in found)
    assert [i.response.answer for i in found if i.position == 3] == [{"text": "乙"}]
    assert hot_reads.items_with_versions(0) == []


def test_only_the_question_shown_is_decoded(quiz, learner, django_assert_num_queries):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    versions = dict(attempt.items.values_list("position", "version_id"))
    with django_assert_num_queries(1):
        found = hot_reads.items_with_versions(attempt.pk, version_at=2)
        assert [i.position for i in found] == sorted(versions)
        assert found[1].version.pk == versions[2]
        assert all(i.response.item_id == i.pk for i in found)
    loaded = [i for i in found if "version" in i._state.fields_cache]
    assert [i.position for i in loaded] == [2]
    with django_assert_num_queries(1):
        assert found[0].version.pk == versions[1]


def test_the_question_pages_one_read_is_the_two_reads_it_replaces(
    quiz, learner, django_assert_num_queries
):
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={3: {"text": "乙"}}
    )
    with django_assert_num_queries(1):
        found, items = hot_reads.attempt_page_read(
            attempt_id=attempt.pk, user_id=learner.pk, version_at=2
        )
        got = [
            (_fields(i), i.response and _fields(i.response), i.version_id)
            for i in items
        ]
    expected_attempt = hot_reads.attempt_with_quiz(
        attempt_id=attempt.pk, user_id=learner.pk
    )
    expected = hot_reads.items_with_versions(attempt.pk, version_at=2)
    assert _fields(found) == _fields(expected_attempt)
    assert _fields(found.quiz) == _fields(expected_attempt.quiz)
    assert got == [
        (_fields(i), i.response and _fields(i.response), i.version_id) for i in expected
    ]
    loaded = [i.position for i in items if "version" in i._state.fields_cache]
    assert loaded == [2]
    assert _fields(items[1].version) == _fields(expected[1].version)
    assert [i.response.answer for i in items if i.position == 3] == [{"text": "乙"}]
    other = StaffFactory().user
    assert hot_reads.attempt_page_read(
        attempt_id=attempt.pk, user_id=other.pk, version_at=1
    ) == (None, [])
