"""Courses, completions and campaigns for the campaign and report tests."""

import datetime as dt

from learning.campaigns.services import campaign_create
from learning.models import (
    CourseCompletion,
    CourseIndexPage,
    CoursePage,
    LessonPage,
    LessonProgress,
)


def course_index(home):
    existing = CourseIndexPage.objects.first()
    if existing is not None:
        return existing
    return home.add_child(instance=CourseIndexPage(title="课程", slug="courses-c"))


def make_course(home, code: str, *, lessons: int = 2, hours=2) -> CoursePage:
    index = course_index(home)
    course = index.add_child(
        instance=CoursePage(
            title=f"课程 {code}", slug=code.lower(), code=code, class_hours=hours
        )
    )
    for n in range(lessons):
        course.add_child(instance=LessonPage(title=f"{code} 第{n + 1}课", slug=f"l{n}"))
    return course


def complete(
    user, course, day: dt.date, *, superseded=False, version=1, source="online"
):
    return CourseCompletion.objects.create(
        user=user,
        course=course,
        completed_on=day,
        version=version,
        superseded=superseded,
        source=source,
    )


def lesson_done(user, course, when: dt.datetime):
    lesson = LessonPage.objects.child_of(course).first()
    progress = LessonProgress.objects.create(user=user, lesson=lesson, course=course)
    LessonProgress.objects.filter(pk=progress.pk).update(completed_at=when)
    return progress


def make_campaign(courses, *, code="LAW-T", starts_on, due_on=None, **kwargs):
    return campaign_create(
        code=code,
        title="法治教育",
        courses=courses,
        starts_on=starts_on,
        due_on=due_on,
        **kwargs,
    )
