"""A lesson is marked done only after the platform has shown it to the learner."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse

from learning.models import Certificate, CourseCompletion, LessonProgress
from learning.selectors import course_outline
from tests.learning.helpers import catalogue, lessons_of, make_course

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(reference_data):
    return make_course(catalogue(reference_data), code="SHOWN-1", lessons=2)


def done(client, lesson):
    return client.post(reverse("learning:lesson_done", args=[lesson.pk]))


def test_two_posts_do_not_complete_a_course_nobody_opened(client, course, learner):
    client.force_login(learner)
    for lesson in lessons_of(course):
        response = done(client, lesson)
        assert response.status_code == 302 and response["Location"] == lesson.url
    assert not CourseCompletion.objects.filter(user=learner).exists()
    assert not Certificate.objects.exists()
    assert not LessonProgress.objects.filter(completed_at__isnull=False).exists()
    page = client.get(lessons_of(course)[0].url).content.decode()
    assert "请先打开并学习本小节，再标记为已学完" in page


@override_settings(LESSON_MIN_SECONDS_SHOWN=30)
def test_a_lesson_shown_a_moment_ago_is_not_done_yet(client, course, learner):
    first = lessons_of(course)[0]
    client.force_login(learner)
    client.get(first.url)
    done(client, first)
    progress = LessonProgress.objects.get(user=learner, lesson=first)
    assert progress.shown_at is not None and progress.completed_at is None
    assert "您刚刚打开本小节" in client.get(first.url).content.decode()

    LessonProgress.objects.filter(pk=progress.pk).update(
        shown_at=progress.shown_at - dt.timedelta(seconds=31)
    )
    done(client, first)
    progress.refresh_from_db()
    assert progress.completed_at is not None


@override_settings(LESSON_MIN_SECONDS_SHOWN=30)
def test_reopening_a_lesson_does_not_restart_its_clock(client, course, learner):
    first = lessons_of(course)[0]
    client.force_login(learner)
    client.get(first.url)
    progress = LessonProgress.objects.get(user=learner, lesson=first)
    earlier = progress.shown_at - dt.timedelta(minutes=5)
    LessonProgress.objects.filter(pk=progress.pk).update(shown_at=earlier)
    client.get(first.url)
    done(client, first)
    progress.refresh_from_db()
    assert progress.shown_at == earlier and progress.completed_at is not None


def test_opening_a_lesson_is_not_yet_progress(client, course, learner):
    client.force_login(learner)
    client.get(lessons_of(course)[0].url)
    outline = course_outline(course=course, user=learner)
    assert outline.done == 0 and not outline.started


def test_another_persons_viewing_does_not_count(client, course, learner, tree):
    from tests.factories import StaffFactory

    other = StaffFactory(unit=tree["G2"], staff_no="L0999").user
    first = lessons_of(course)[0]
    client.force_login(other)
    client.get(first.url)
    client.force_login(learner)
    done(client, first)
    assert not LessonProgress.objects.filter(
        user=learner, completed_at__isnull=False
    ).exists()
