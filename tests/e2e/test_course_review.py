"""A trainer builds a course's quiz from the bank and submits the course once; a
reviewer approves it once; the learner then sees both sections and the quiz."""

import json

import pytest
from playwright.sync_api import expect

from assessments.models import Quiz, QuizSlot
from learning.models import CoursePage, LessonPage
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.assessments.factories import make_question
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_admin_chinese import admin_sign_in
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue, paragraph

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def head(tree):
    user = StaffFactory(unit=tree["P"], staff_no="TH001", name="培训处长").user
    role_assign(user=user, role=RoleAssignment.Role.TRAINING_HEAD)
    return user


@pytest.fixture
def drafts(reference_data, trainer):
    """What the trainer wrote earlier in the day: a course and two sections, saved as
    drafts, and an empty final quiz in draft."""
    from django.contrib.auth.models import Group, Permission

    Group.objects.get(name="Trainers").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            content_type__model__in=["question", "category", "quiz"],
        )
    )
    for n in range(1, 4):
        make_question(f"Q-CR-{n}", text=f"案-件比第{n}题", category="课程/案-件比")
    quiz = Quiz.objects.create(title="案-件比结业测验", slug="cr-final", draft=True)
    index = catalogue(reference_data)
    course = index.add_child(
        instance=CoursePage(
            title="案-件比入门",
            slug="cr-101",
            code="CR-101",
            live=False,
            final_quiz=quiz,
        )
    )
    course.save_revision(user=trainer)
    for n, title in enumerate(["什么是案-件比", "案-件比的计算"], start=1):
        lesson = course.add_child(
            instance=LessonPage(
                title=title,
                slug=f"part-{n}",
                live=False,
                body=json.dumps([paragraph(f"{title}的正文。")], ensure_ascii=False),
            )
        )
        lesson.save_revision(user=trainer)
    return {"course": course, "quiz": quiz}


def open_actions(page):
    page.locator("footer [data-w-dropdown-target='toggle']").first.click()


def test_one_submission_and_one_approval_publish_the_whole_course(
    page, browser, live_server, trainer, head, learner, drafts
):
    course, quiz = drafts["course"], drafts["quiz"]
    admin_sign_in(page, "TR001", "pass12345")

    # The quiz is filled from the bank: filter, select all three, add them at once.
    page.goto(page.base_url + "/admin/snippets/assessments/question/?q=Q-CR")
    for checkbox in page.locator(
        "#listing-results input[type=checkbox][data-object-id]"
    ).all():
        checkbox.check()
    screenshot(page, "authoring-bank-selected")
    page.get_by_text("加入测验…", exact=True).click()
    page.select_option("select[name=quiz]", label="案-件比结业测验")
    screenshot(page, "authoring-add-to-quiz")
    page.get_by_role("button", name="加入测验").click()
    expect(page.locator(".messages")).to_contain_text("已把 3 道试题加入")
    assert QuizSlot.objects.filter(quiz=quiz).count() == 3

    # The course page shows what goes for review with it, and is submitted once.
    page.goto(page.base_url + f"/admin/pages/{course.pk}/edit/")
    review = page.locator("[data-course-review]")
    expect(review).to_contain_text("什么是案-件比")
    expect(review).to_contain_text("案-件比的计算")
    expect(review).to_contain_text("案-件比结业测验")
    screenshot(page, "authoring-course-before-submit")
    open_actions(page)
    page.locator("footer button[name=action-submit]").click()
    page.wait_for_load_state()
    screenshot(page, "authoring-course-submitted")
    assert CoursePage.objects.get(pk=course.pk).workflow_in_progress
    assert not CoursePage.objects.get(pk=course.pk).live
    page.goto("about:blank")

    # The reviewer sees the whole change on the course and approves it once.
    reviewer = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    reviewer_page = reviewer.new_page()
    reviewer_page.base_url = live_server.url
    try:
        admin_sign_in(reviewer_page, "TH001", "pass12345")
        reviewer_page.goto(reviewer_page.base_url + f"/admin/pages/{course.pk}/edit/")
        expect(reviewer_page.locator("[data-course-review]")).to_contain_text(
            "案-件比的计算"
        )
        screenshot(reviewer_page, "review-course-whole-change")
        open_actions(reviewer_page)
        reviewer_page.locator(
            "footer button[data-workflow-action-name=approve]:not([data-workflow-action-modal])"
        ).first.click()
        reviewer_page.wait_for_load_state()
        screenshot(reviewer_page, "review-course-approved")
        reviewer_page.goto("about:blank")
    finally:
        reviewer.close()

    assert CoursePage.objects.get(pk=course.pk).live
    assert LessonPage.objects.child_of(course).live().count() == 2
    assert not Quiz.objects.get(pk=quiz.pk).draft

    # The learner sees both sections and the final quiz.
    learner.set_password("pass12345")
    learner.save()
    page.context.clear_cookies()
    sign_in(page, "L0001", "pass12345")
    page.goto(page.base_url + CoursePage.objects.get(pk=course.pk).url)
    expect(page.locator("main")).to_contain_text("什么是案-件比")
    expect(page.locator("main")).to_contain_text("案-件比的计算")
    expect(page.locator("main")).to_contain_text("案-件比结业测验")
    screenshot(page, "learner-sees-reviewed-course")
    page.goto("about:blank")
