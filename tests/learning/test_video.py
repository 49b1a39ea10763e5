"""A lesson with a video is done only when the server has seen 90% of it played."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from learning.models import CourseCompletion, LessonProgress, VideoWatch
from learning.video import video_heartbeat, watched_share
from tests.learning.helpers import catalogue, lessons_of, make_course

pytestmark = pytest.mark.django_db
VIDEO = "/media/videos/law.mp4"


@pytest.fixture
def course(reference_data):
    body = [{"type": "video", "value": {"url": VIDEO, "caption": "案例"}}]
    return make_course(catalogue(reference_data), code="VID-1", lessons=1, body=body)


def play(user, lesson, seconds: int, *, duration=100.0, start=None):
    """Heartbeats every 5 s of wall-clock time over the first ``seconds`` of the video."""
    start = start or timezone.now()
    for n, position in enumerate(range(0, seconds, 5)):
        video_heartbeat(
            user=user,
            lesson=lesson,
            source=VIDEO,
            position=position + 1,
            duration=duration,
            now=start + dt.timedelta(seconds=5 * n),
        )


def shown_long_ago(user, lesson):
    LessonProgress.objects.filter(user=user, lesson=lesson).update(
        shown_at=timezone.now() - dt.timedelta(minutes=10)
    )


@override_settings(LESSON_MIN_SECONDS_SHOWN=0)
def test_a_video_played_to_80_percent_does_not_complete_the_lesson(
    client, course, learner
):
    lesson = lessons_of(course)[0]
    client.force_login(learner)
    client.get(lesson.url)
    shown_long_ago(learner, lesson)
    play(learner, lesson, 80)
    client.post(reverse("learning:lesson_done", args=[lesson.pk]))
    assert not CourseCompletion.objects.filter(user=learner).exists()


@override_settings(LESSON_MIN_SECONDS_SHOWN=0)
def test_a_video_played_to_90_percent_completes_the_lesson(client, course, learner):
    lesson = lessons_of(course)[0]
    client.force_login(learner)
    client.get(lesson.url)
    shown_long_ago(learner, lesson)
    play(learner, lesson, 90)
    client.post(reverse("learning:lesson_done", args=[lesson.pk]))
    assert CourseCompletion.objects.filter(user=learner, course=course).exists()


def test_a_burst_of_heartbeats_counts_one_segment(course, learner):
    lesson = lessons_of(course)[0]
    now = timezone.now()
    for position in range(0, 100, 5):
        video_heartbeat(
            user=learner,
            lesson=lesson,
            source=VIDEO,
            position=position,
            duration=100,
            now=now,
        )
    assert watched_share(VideoWatch.objects.get()) == pytest.approx(0.05)


def test_the_endpoint_records_beats_and_refuses_other_videos(client, course, learner):
    lesson = lessons_of(course)[0]
    url = reverse("learning:video_heartbeat", args=[lesson.pk])
    assert client.post(url, {"source": VIDEO}).status_code == 302  # anonymous
    client.force_login(learner)
    ok = client.post(url, {"source": VIDEO, "position": "3", "duration": "100"})
    assert ok.json() == {"ok": True, "share": 0.05}
    other = client.post(url, {"source": "/x.mp4", "position": "3", "duration": "9"})
    assert other.status_code == 400
    bad = client.post(url, {"source": VIDEO, "position": "nan", "duration": "100"})
    assert bad.status_code == 400


def test_the_lesson_page_carries_the_heartbeat_address(client, course, learner):
    lesson = lessons_of(course)[0]
    client.force_login(learner)
    page = client.get(lesson.url).content.decode()
    assert reverse("learning:video_heartbeat", args=[lesson.pk]) in page
    assert "learning/video.js" in page
