"""The certificate PDF shows course titles and people's names as written, whatever
characters they hold."""

import pytest

from learning.certificates import certificate_pdf
from learning.models import CourseCompletion
from tests.config.test_pdf import HOSTILE, assert_shows_literally
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", list(HOSTILE))
def test_the_certificate_shows_hostile_titles_and_names_as_written(
    reference_data, learner, text
):
    course = make_course(catalogue(reference_data), code="CRT-1", title=text, lessons=1)
    learner.profile.name = text
    learner.profile.save(update_fields=["name"])
    for lesson in lessons_of(course):
        read_and_mark_done(user=learner, lesson=lesson)
    completion = CourseCompletion.objects.get(user=learner, course=course)
    data = certificate_pdf(
        certificate=completion.certificate, verify_url="https://example.test/v/"
    )
    assert_shows_literally(data, [HOSTILE[text], f"CRT-1  {HOSTILE[text]}"])
