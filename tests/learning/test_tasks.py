import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from learning.models import CoursePage
from learning.tasks import publish_scheduled_pages
from tests.learning.helpers import catalogue, make_course

pytestmark = pytest.mark.django_db


def test_scheduled_courses_go_live_when_their_time_comes(reference_data):
    index = catalogue(reference_data)
    course = make_course(index, code="SCH-1", lessons=0)
    course.unpublish()
    course = CoursePage.objects.get(pk=course.pk)
    course.go_live_at = timezone.now() + dt.timedelta(minutes=5)
    course.save_revision().publish()
    assert not CoursePage.objects.get(pk=course.pk).live

    publish_scheduled_pages()
    assert not CoursePage.objects.get(pk=course.pk).live

    later = timezone.now() + dt.timedelta(minutes=10)
    with mock.patch("django.utils.timezone.now", return_value=later):
        publish_scheduled_pages()
        publish_scheduled_pages()
    assert CoursePage.objects.get(pk=course.pk).live
