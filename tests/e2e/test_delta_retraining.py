"""An author marks one changed section in the course editor; a person who had
completed the course redoes only that section and reads what changed."""

from datetime import timedelta

import pytest
from django.db.models import F
from playwright.sync_api import expect

from learning.models import CourseCompletion, CoursePage, LessonPage, LessonProgress
from learning.services import course_completion_check
from tests.e2e.conftest import screenshot, sign_in
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db(transaction=True)

NOTE = "依据新修订的规定，更新了羁押必要性审查的程序。"


def admin_sign_in(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    expect(page.locator("#main")).to_be_visible()


def test_an_author_marks_a_changed_section_and_a_learner_redoes_only_it(
    page, reference_data, admin_user, learner
):
    course = make_course(catalogue(reference_data), code="DLT-101", lessons=3)
    first, second, third = lessons_of(course)
    for lesson in (first, second, third):
        read_and_mark_done(user=learner, lesson=lesson)
    course_completion_check(user=learner, course=course)
    # What the learner did lies in the past; the change is made now.
    LessonProgress.objects.update(
        shown_at=F("shown_at") - timedelta(hours=1),
        completed_at=F("completed_at") - timedelta(hours=1),
        marked_done_at=F("marked_done_at") - timedelta(hours=1),
    )

    admin_sign_in(page, "AD001", "pass12345")
    page.goto(page.base_url + f"/admin/pages/{course.pk}/edit/")
    panel = page.locator("[data-panel]", has_text="实质性修改").last
    page.get_by_label("本版本为实质性修改").check()
    page.get_by_label(second.title, exact=True).check()
    page.get_by_label("修改说明").fill(NOTE)
    screenshot(page, "admin-material-change-panel")
    expect(panel).to_be_visible()
    page.locator("[data-w-dropdown-target=toggle]").last.click()
    page.locator("button[name=action-publish]").click()
    expect(page.locator(".messages")).to_be_visible()

    course = CoursePage.objects.get(pk=course.pk)
    assert course.content_version == 2 and not course.material_change
    assert LessonPage.objects.get(pk=second.pk).change_note == NOTE
    assert CourseCompletion.objects.get(user=learner, version=1).superseded

    page.context.clear_cookies()
    learner.set_password("demo12345")
    learner.save()
    sign_in(page, learner.username, "demo12345")
    page.goto(page.base_url + course.url)
    expect(page.locator(".message-warning")).to_contain_text("已更新")
    expect(page.locator(".lesson-item.status-done")).to_have_count(2)
    screenshot(page, "course-after-material-change")
    page.get_by_role("link", name="继续学习").click()
    expect(page.locator("h1")).to_have_text(second.title)
    expect(page.locator("[data-testid=change-note]")).to_contain_text(
        f"本节内容已更新：{NOTE}"
    )
    screenshot(page, "lesson-change-note")
    page.click("[data-testid=mark-done]")
    page.wait_for_load_state()

    assert CourseCompletion.objects.get(user=learner, version=2).superseded is False
    page.goto(page.base_url + course.url)
    expect(page.locator(".progress-card")).to_contain_text("您已于")
    page.goto("about:blank")
