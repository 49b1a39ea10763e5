"""django-quiz-app parity: pass mark bounds, single attempt keeps the paper,
category pages with progress, and slugs from Chinese titles."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from assessments import services
from assessments.models import Quiz
from assessments.services.questions import category_ensure
from tests.assessments.factories import make_question, make_quiz, right_keys

pytestmark = pytest.mark.django_db


def test_a_pass_mark_over_100_is_rejected(reference_data):
    quiz = Quiz(title="测验", slug="pm", pass_mark=101)
    with pytest.raises(ValidationError) as caught:
        quiz.full_clean()
    assert "pass_mark" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        Quiz.objects.create(title="测验", slug="pm", pass_mark=101)
    quiz.pass_mark = 100
    quiz.full_clean()


def test_a_single_attempt_quiz_keeps_the_exam_paper(client, learner, reference_data):
    quiz = make_quiz(
        "once", [make_question("ONCE-1")], single_attempt=True, exam_paper=False
    )
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    client.force_login(learner)
    index = client.get(reverse("assessments:index")).content.decode()
    assert reverse("assessments:result", args=[attempt.pk]) in index
    detail = client.get(reverse("assessments:quiz", args=["once"]))
    assert list(detail.context["attempts"]) == [attempt]
    form_quiz = Quiz(title="单次", slug="once-2", single_attempt=True, exam_paper=False)
    form_quiz.full_clean()
    assert form_quiz.exam_paper is True


@pytest.mark.parametrize(
    "title", ["案件比专项测验", "案-件比 2026", "检察官考试（第一期）", "？！"]
)
def test_slugs_are_made_from_chinese_titles_and_never_refused(reference_data, title):
    first = Quiz(title=title, slug="")
    first.full_clean()
    first.save()
    second = Quiz(title=title, slug="")
    second.full_clean()
    second.save()
    assert first.slug and second.slug and first.slug != second.slug
    assert first.slug.isascii() and second.slug.isascii()
    assert len(first.slug) >= 3


def test_a_slug_typed_in_chinese_becomes_ascii(reference_data):
    quiz = Quiz(title="测验", slug="案件比")
    quiz.full_clean()
    assert quiz.slug.isascii() and quiz.slug.startswith("quiz-")
    plain = Quiz(title="测验", slug="ind-101")
    plain.full_clean()
    assert plain.slug == "ind-101"


@pytest.fixture
def bank(reference_data):
    category_ensure(path="指标解读/案-件比")
    category_ensure(path="指标解读/体系沿革")
    category_ensure(path="法律法规")
    question = make_question("CAT-1", category="指标解读/案-件比")
    quiz = make_quiz("cat-quiz", [question], title="案-件比小测")
    quiz.category = category_ensure(path="指标解读/案-件比")
    quiz.save()
    make_quiz("other-quiz", [make_question("CAT-2", category="法律法规")])
    return quiz


def test_the_category_page_lists_every_category_with_zero_progress(
    client, learner, bank
):
    client.force_login(learner)
    page = client.get(reverse("assessments:categories"))
    rows = {r["path"]: r for r in page.context["rows"]}
    assert set(rows) == {
        "指标解读",
        "指标解读/案-件比",
        "指标解读/体系沿革",
        "法律法规",
    }
    assert all(r["percent"] == 0 for r in rows.values())
    assert (
        rows["指标解读"]["quizzes"] == 1 and rows["指标解读/体系沿革"]["quizzes"] == 0
    )
    assert "0.0%" in page.content.decode()


def test_progress_per_category_follows_the_learners_answers(client, learner, bank):
    attempt = services.attempt_start(user=learner, quiz=bank)
    item = attempt.items.get()
    services.attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=0,
        answers={1: {"keys": right_keys(item)}},
    )
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    client.force_login(learner)
    rows = {
        r["path"]: r
        for r in client.get(reverse("assessments:categories")).context["rows"]
    }
    assert rows["指标解读/案-件比"]["percent"] == 100
    assert rows["指标解读"]["percent"] == 100
    assert rows["法律法规"]["percent"] == 0
    category = category_ensure(path="指标解读")
    page = client.get(reverse("assessments:category", args=[category.pk]))
    assert [q.slug for q in page.context["quizzes"]] == ["cat-quiz"]
    assert page.context["progress"]["percent"] == 100


def test_category_pages_need_sign_in_and_unknown_ones_are_not_found(
    client, learner, bank
):
    url = reverse("assessments:categories")
    assert "/accounts/login/" in client.get(url)["Location"]
    client.force_login(learner)
    assert client.get(reverse("assessments:category", args=[99999])).status_code == 404


@pytest.mark.parametrize("extra", [2, 30])
def test_the_category_page_has_a_fixed_query_budget(
    client, learner, bank, extra, django_assert_max_num_queries
):
    for index in range(extra):
        category_ensure(path=f"扩展/第{index}类")
    client.force_login(learner)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("assessments:categories")).status_code == 200
