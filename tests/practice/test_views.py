"""The practice pages: sign-in required, only the person's own rows, the day's flow
with immediate feedback, the learner's home card and a constant query budget."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import ExternalResult
from practice import views
from practice.models import PracticeAnswer
from tests.factories import StaffFactory
from tests.practice.conftest import right_keys, wrong_keys

pytestmark = pytest.mark.django_db
PAGES = ["practice:today", "practice:book", "practice:week"]


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_anonymous_answer_is_refused(client, learner, bank):
    from practice.services import practice_day_start

    row = practice_day_start(user=learner)[0]
    response = client.post(reverse("practice:answer", args=[row.pk]), {"answer": "x"})
    assert response.status_code == 302
    assert PracticeAnswer.objects.get(pk=row.pk).answered_at is None


def test_someone_elses_practice_question_is_not_found(client, learner, tree, bank):
    from practice.services import practice_day_start

    row = practice_day_start(user=learner)[0]
    other = StaffFactory(unit=tree["G3"], staff_no="OTHER1").user
    client.force_login(other)
    response = client.post(
        reverse("practice:answer", args=[row.pk]), {"answer": right_keys(row)}
    )
    assert response.status_code == 404
    assert PracticeAnswer.objects.get(pk=row.pk).answered_at is None
    page = client.get(reverse("practice:today") + f"?checked={row.pk}")
    assert row.version.data["explanation"] not in page.content.decode()


def test_a_leader_sees_only_their_own_book(client, learner, unit_leader, bank):
    ExternalResult.objects.create(
        user=learner,
        question=bank["weak"][0],
        score=0,
        answered_on=dt.date(2026, 11, 1),
    )
    client.force_login(unit_leader)
    page = client.get(reverse("practice:book")).content.decode()
    assert "PW00" not in page
    assert "错题本是空的" in page


def test_the_day_answers_one_question_at_a_time_with_immediate_feedback(
    client, learner, bank
):
    client.force_login(learner)
    page = client.get(reverse("practice:today"))
    assert page.status_code == 200
    rows = list(PracticeAnswer.objects.filter(user=learner).order_by("position"))
    assert len(rows) == 5
    html = page.content.decode()
    assert "第 1 题（共 5 题）" in html
    # No right answer reaches the page before the answer is given.
    assert "option-right" not in html
    assert rows[0].version.data["explanation"] not in html
    first = rows[0]
    response = client.post(
        reverse("practice:answer", args=[first.pk]), {"answer": wrong_keys(first)}
    )
    assert response.status_code == 302
    html = client.get(response["Location"]).content.decode()
    assert "答错" in html or "错误" in html
    assert first.version.data["explanation"] in html
    assert "option-right" in html
    assert "第 2 题（共 5 题）" in html
    for row in rows[1:]:
        client.post(
            reverse("practice:answer", args=[row.pk]), {"answer": right_keys(row)}
        )
    html = client.get(reverse("practice:today")).content.decode()
    assert "今日练习已完成" in html
    assert "答对 4 题，共 5 题" in html


def test_an_empty_answer_is_asked_for_again(client, learner, bank):
    client.force_login(learner)
    client.get(reverse("practice:today"))
    row = PracticeAnswer.objects.filter(user=learner).first()
    response = client.post(reverse("practice:answer", args=[row.pk]), {}, follow=True)
    assert "请先选择或填写答案" in response.content.decode()
    assert PracticeAnswer.objects.get(pk=row.pk).answered_at is None


def test_an_option_not_shown_is_refused(client, learner, bank):
    client.force_login(learner)
    client.get(reverse("practice:today"))
    row = PracticeAnswer.objects.filter(user=learner).first()
    client.post(reverse("practice:answer", args=[row.pk]), {"answer": "forged"})
    assert PracticeAnswer.objects.get(pk=row.pk).answered_at is None


def test_the_learners_home_shows_the_days_practice_and_the_books_count(
    client, learner, bank
):
    ExternalResult.objects.create(
        user=learner,
        question=bank["weak"][0],
        score=0,
        answered_on=dt.date(2026, 11, 1),
    )
    client.force_login(learner)
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert "每日一练" in html and "错题本（1）" in html
    client.get(reverse("practice:today"))
    html = client.get(reverse("learning:dashboard")).content.decode()
    assert "今天已答 0 题，共 5 题" in html


def test_the_week_compares_the_person_only_with_themselves(client, learner, bank):
    now = timezone.now()
    for n, question in enumerate(bank["weak"][:4]):
        ExternalResult.objects.create(
            user=learner,
            question=question,
            score=n % 2,
            answered_on=timezone.localdate(now) - dt.timedelta(days=1),
        )
    client.force_login(learner)
    html = client.get(reverse("practice:week")).content.decode()
    assert "弱项指标" in html
    assert "不与任何人比较" in html


def test_the_days_page_has_a_constant_query_budget(
    client, learner, bank, django_assert_max_num_queries
):
    ExternalResult.objects.create(
        user=learner,
        question=bank["strong"][0],
        score=0,
        answered_on=dt.date(2026, 9, 1),
    )
    client.force_login(learner)
    client.get(reverse("practice:today"))
    row = PracticeAnswer.objects.filter(user=learner).first()
    client.post(reverse("practice:answer", args=[row.pk]), {"answer": right_keys(row)})
    url = reverse("practice:today") + f"?checked={row.pk}"
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    for n in range(30):
        ExternalResult.objects.create(
            user=learner,
            question=bank["strong"][n % 10],
            score=0,
            answered_on=dt.date(2026, 10, 1) + dt.timedelta(days=n),
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_the_clock_of_the_pages_can_move_to_a_later_day(
    client, learner, bank, monkeypatch
):
    client.force_login(learner)
    client.get(reverse("practice:today"))
    later = timezone.now() + dt.timedelta(days=1)
    monkeypatch.setattr(views, "practice_now", lambda: later)
    client.get(reverse("practice:today"))
    assert PracticeAnswer.objects.filter(
        user=learner, day=timezone.localdate(later)
    ).exists()
