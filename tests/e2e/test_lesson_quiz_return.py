"""On a phone, a learner passes a section's quiz, returns to the section, continues
through the course and ends with the final quiz.

Waits use locator assertions: the Content-Security-Policy refuses string predicates.
"""

import pytest
from playwright.sync_api import expect

from learning.models import CourseCompletion
from tests.assessments.factories import make_question, make_quiz
from tests.e2e.conftest import screenshot, sign_in, wait_for_quiz_script
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue, lessons_of, make_course

pytestmark = pytest.mark.django_db(transaction=True)


def answer_and_submit(page, right: str) -> None:
    page.click("main form button[type=submit]")  # 开始测验
    wait_for_quiz_script(page)
    page.locator("label.option", has_text=right).click()
    expect(page.locator("#save-status")).to_contain_text("已保存")
    page.click("button[name=go][value=summary]")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-button")
    page.wait_for_load_state()


def test_a_learner_returns_from_the_section_quiz_and_finishes_with_the_final_quiz(
    phone_page, reference_data, tree
):
    page = phone_page
    user = StaffFactory(unit=tree["G1-D1"], staff_no="R0001", name="回课人").user
    user.set_password("demo12345")
    user.save()
    gate_question = make_question(
        "RET-1",
        text="案件质量主要评价指标以哪一指标为核心？",
        options=[("案-件比", 1), ("不捕率", 0), ("诉前羁押率", 0)],
    )
    final_question = make_question(
        "RET-2",
        text="案=800，件=1050，案-件比约为多少？",
        options=[("1:1.31", 1), ("1:1.05", 0)],
    )
    gate = make_quiz("ret-gate", [gate_question], title="第一节随堂测验")
    final = make_quiz("ret-final", [final_question], title="案-件比结业测验")
    course = make_course(
        catalogue(reference_data),
        code="RET-101",
        title="案-件比入门",
        lessons=2,
        final_quiz=final,
        gate_quiz=gate,
    )
    first, second = lessons_of(course)

    sign_in(page, "R0001", "demo12345")
    page.goto(page.base_url + course.url)
    page.get_by_role("link", name="开始学习").click()
    expect(page.locator("h1")).to_have_text(first.title)

    # Marked done, the section waits for its quiz.
    page.click("[data-testid=mark-done]")
    expect(page.locator("main")).to_contain_text("通过本小节的测验后即可完成本小节")
    page.locator(".embedded-quiz").get_by_role("link", name="参加测验").click()
    answer_and_submit(page, "案-件比")
    expect(page.locator("main")).to_contain_text("100")
    screenshot(page, "lesson-quiz-result-phone")

    # The result leads back to the section, now complete.
    page.get_by_role("link", name="返回小节").click()
    expect(page.locator("h1")).to_have_text(first.title)
    expect(page.locator(".lesson-done")).to_contain_text("您已完成本小节")
    expect(page.locator(".embedded-quiz .badge-ok")).to_have_text("已通过")
    screenshot(page, "lesson-after-quiz-phone")

    # Leaving and coming back: 继续学习 opens the next section.
    page.goto(page.base_url + course.url)
    page.get_by_role("link", name="继续学习").click()
    expect(page.locator("h1")).to_have_text(second.title)
    expect(page.get_by_role("link", name="‹ 上一节")).to_be_visible()
    page.click("[data-testid=mark-done]")

    # Every section done: the course page offers the final quiz, not section 1.
    expect(page.locator(".progress-card")).to_contain_text("已完成 2 / 2 个小节")
    expect(page.get_by_role("link", name="继续学习")).to_have_count(0)
    screenshot(page, "course-final-quiz-next-phone")
    page.locator(".progress-card").get_by_role("link", name="参加结业测验").click()
    expect(page.locator("h1")).to_have_text("案-件比结业测验")
    answer_and_submit(page, "1:1.31")

    assert CourseCompletion.objects.filter(user=user, course=course).exists()
    page.goto(page.base_url + course.url)
    expect(page.locator(".progress-card")).to_contain_text("您已于")
    screenshot(page, "course-completed-phone")
    page.goto("about:blank")
