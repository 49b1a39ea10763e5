"""Quizzes by category, with the learner's progress, on a phone."""

import pytest

from assessments import services
from assessments.services.questions import category_ensure
from tests.assessments.factories import make_question, make_quiz, right_keys
from tests.e2e.conftest import screenshot, sign_in
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_learner_browses_quizzes_by_category_on_a_phone(phone_page, tree):
    user = StaffFactory(unit=tree["G1-D1"], staff_no="K0001", name="分类").user
    user.set_password("demo12345")
    user.save()
    category_ensure(path="法律法规/刑事诉讼法")
    quiz = make_quiz(
        "cat-e2e",
        [make_question("KAT-1", category="指标解读/案-件比")],
        title="案-件比小测",
    )
    quiz.category = category_ensure(path="指标解读/案-件比")
    quiz.save()
    attempt = services.attempt_start(user=user, quiz=quiz)
    item = attempt.items.get()
    services.attempt_save(
        attempt_id=attempt.pk, user=user, seq=0, answers={1: {"keys": right_keys(item)}}
    )
    services.attempt_submit(attempt_id=attempt.pk, user=user)

    page = phone_page
    sign_in(page, "K0001", "demo12345")
    page.goto(page.base_url + "/quizzes/categories/")
    table = page.locator("main table").inner_text()
    assert "案-件比" in table and "刑事诉讼法" in table
    assert "100.0%" in table and "0.0%" in table
    screenshot(page, "quiz-categories-phone")
    page.click("main a:text('指标解读')")
    page.wait_for_selector("main h1")
    assert "案-件比小测" in page.locator("main").inner_text()
    screenshot(page, "quiz-category-phone")
