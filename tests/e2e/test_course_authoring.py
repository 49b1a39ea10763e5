"""A trainer's day in the admin, typed in the browser: a course with two sections and
a final quiz built from the bank, submitted once; a reviewer approves it once; the
learner then sees the course with both sections and the quiz."""

import json
import re

import pytest
from django.contrib.auth.models import Group, Permission
from playwright.sync_api import expect

from assessments.models import Quiz, QuizSlot
from learning.models import CoursePage, LessonPage
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.assessments.factories import make_question
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_admin_chinese import admin_sign_in
from tests.e2e.test_course_review import open_actions
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue

pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = [
    ("什么是案-件比", "案-件比反映办案质量与效率，“件”越少越好。"),
    ("案-件比的计算", "案-件比等于案件数与件数之比，1:1 为最佳。"),
]


@pytest.fixture
def head(tree):
    user = StaffFactory(unit=tree["P"], staff_no="TH001", name="培训处长").user
    role_assign(user=user, role=RoleAssignment.Role.TRAINING_HEAD)
    return user


@pytest.fixture
def bank(reference_data, trainer):
    """The course catalogue, three questions in the bank and an empty draft quiz."""
    Group.objects.get(name="Trainers").permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            content_type__model__in=["question", "category", "quiz"],
        )
    )
    for n in range(1, 4):
        make_question(f"Q-CA-{n}", text=f"案-件比第{n}题", category="课程/案-件比")
    quiz = Quiz.objects.create(title="案-件比结业测验", slug="ca-final", draft=True)
    return {"index": catalogue(reference_data), "quiz": quiz}


def fill_quiz_from_bank(page) -> None:
    page.goto(page.base_url + "/admin/snippets/assessments/question/?q=Q-CA")
    for checkbox in page.locator(
        "#listing-results input[type=checkbox][data-object-id]"
    ).all():
        checkbox.check()
    page.get_by_text("加入测验…", exact=True).click()
    page.select_option("select[name=quiz]", label="案-件比结业测验")
    screenshot(page, "typed-course-01-add-to-quiz")
    page.get_by_role("button", name="加入测验").click()
    expect(page.locator(".messages")).to_contain_text("已把 3 道试题加入")


def save_draft(page, title: str) -> None:
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text(f"'{title}'已创建")


def type_section(page, title: str, text: str, shot: str) -> None:
    """On the new-lesson form: a title and one paragraph typed into the body."""
    page.get_by_placeholder("页面标题*").fill(title)
    page.get_by_role("button", name="插入内容块").first.click()
    page.get_by_role("option", name="正文段落").click()
    editor = page.locator("[data-contentpath=body] [contenteditable=true]").first
    editor.click()
    page.keyboard.type(text)
    # Draftail stores what was typed a moment later: save only once it has.
    expect(page.locator("[data-contentpath=body] input[name$='-value']")).to_have_value(
        re.compile(re.escape(text))
    )
    screenshot(page, shot)
    save_draft(page, title)


def test_a_course_typed_in_the_admin_is_submitted_once_and_approved_once(
    page, browser, live_server, trainer, head, learner, bank
):
    admin_sign_in(page, "TR001", "pass12345")
    fill_quiz_from_bank(page)
    assert QuizSlot.objects.filter(quiz=bank["quiz"]).count() == 3

    # The course, typed under the catalogue and saved as a draft.
    page.goto(page.base_url + f"/admin/pages/{bank['index'].pk}/")
    screenshot(page, "typed-course-02-catalogue")
    page.get_by_role("link", name="添加子页面").first.click()
    page.get_by_placeholder("页面标题*").fill("案-件比入门")
    page.get_by_label("课程编码").fill("CA-101")
    page.get_by_label("简介", exact=True).fill(
        "从“案”与“件”讲起，理解案-件比的含义和计算。"
    )
    page.get_by_label("学时").fill("2")
    screenshot(page, "typed-course-03-course-form")
    page.locator("#id_final_quiz-chooser").get_by_role("button", name="选择").click()
    page.locator(".modal").get_by_role("link", name="案-件比结业测验").click()
    expect(page.locator("#id_final_quiz-title")).to_contain_text("案-件比结业测验")
    expect(page.locator(".modal")).to_be_hidden()
    expect(page.locator(".modal-backdrop")).to_have_count(0)
    lines = page.locator(
        "[data-filterable-checkboxes]", has=page.locator("input[name=business_lines]")
    )
    lines.get_by_placeholder("输入文字筛选列表").fill("普通")
    lines.get_by_label("普通犯罪检察").check()
    screenshot(page, "typed-course-03-course-form-lines")
    save_draft(page, "案-件比入门")
    course = CoursePage.objects.get(code="CA-101")
    assert not course.live and course.final_quiz_id == bank["quiz"].pk
    latest = course.get_latest_revision().as_object()
    assert [line.name for line in latest.business_lines.all()] == ["普通犯罪检察"]
    screenshot(page, "typed-course-04-course-saved")

    # Two sections, each a title and a paragraph typed into the body: the first
    # added from the page tree, the second from the course's own panel.
    expect(page.locator("[data-course-review]")).to_contain_text("本课程还没有小节")
    page.goto(page.base_url + f"/admin/pages/{course.pk}/")
    page.get_by_role("link", name="添加子页面").first.click()
    type_section(page, *SECTIONS[0], "typed-course-05-section-1")
    page.goto(page.base_url + f"/admin/pages/{course.pk}/edit/")
    page.locator("[data-course-review]").get_by_role("link", name="添加小节").click()
    type_section(page, *SECTIONS[1], "typed-course-05-section-2")
    lessons = list(LessonPage.objects.child_of(course).order_by("path"))
    assert [lesson.title for lesson in lessons] == [t for t, _ in SECTIONS]
    assert not any(lesson.live for lesson in lessons)
    for lesson, (_title, text) in zip(lessons, SECTIONS, strict=True):
        body = json.loads(lesson.get_latest_revision().content["body"])
        assert text in body[0]["value"]

    # The course lists what goes with it and is submitted once.
    page.goto(page.base_url + f"/admin/pages/{course.pk}/edit/")
    review = page.locator("[data-course-review]")
    for title, _text in SECTIONS:
        expect(review).to_contain_text(title)
    expect(review).to_contain_text("案-件比结业测验")
    screenshot(page, "typed-course-06-before-submit")
    open_actions(page)
    page.locator("footer button[name=action-submit]").click()
    page.wait_for_load_state()
    screenshot(page, "typed-course-07-submitted")
    assert CoursePage.objects.get(pk=course.pk).workflow_in_progress

    # Sections are locked while the course is in review.
    page.goto(page.base_url + f"/admin/pages/{lessons[0].pk}/edit/")
    expect(page.locator(".messages")).to_contain_text(
        "正在审核，审核结束前其小节不能修改"
    )
    screenshot(page, "typed-course-08-section-locked")
    page.goto("about:blank")

    # The reviewer reads the whole change on the course and approves it once.
    reviewer = browser.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 900}
    )
    reviewer_page = reviewer.new_page()
    reviewer_page.base_url = live_server.url
    try:
        admin_sign_in(reviewer_page, "TH001", "pass12345")
        reviewer_page.goto(reviewer_page.base_url + f"/admin/pages/{course.pk}/edit/")
        panel = reviewer_page.locator("[data-course-review]")
        expect(panel).to_contain_text("课程正在审核")
        expect(panel.get_by_role("link", name="添加小节")).to_have_count(0)
        screenshot(reviewer_page, "typed-course-09-review")
        open_actions(reviewer_page)
        reviewer_page.locator(
            "footer button[data-workflow-action-name=approve]"
            ":not([data-workflow-action-modal])"
        ).first.click()
        reviewer_page.wait_for_load_state()
        screenshot(reviewer_page, "typed-course-10-approved")
        reviewer_page.goto("about:blank")
    finally:
        reviewer.close()

    course = CoursePage.objects.get(pk=course.pk)
    assert course.live
    assert LessonPage.objects.child_of(course).live().count() == 2
    assert not Quiz.objects.get(pk=bank["quiz"].pk).draft

    # The learner sees both sections, their text and the final quiz.
    learner.set_password("pass12345")
    learner.save()
    page.context.clear_cookies()
    sign_in(page, "L0001", "pass12345")
    page.goto(page.base_url + course.url)
    main = page.locator("main")
    for title, _text in SECTIONS:
        expect(main).to_contain_text(title)
    expect(main).to_contain_text("案-件比结业测验")
    screenshot(page, "typed-course-11-learner-course")
    main.get_by_role("link", name=SECTIONS[1][0]).first.click()
    screenshot(page, "typed-course-12-learner-section")
    expect(page.locator("main")).to_contain_text(SECTIONS[1][1])
    screenshot(page, "typed-course-12-learner-section")
    page.goto("about:blank")
