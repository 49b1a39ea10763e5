"""Lessons served with their stored body: what the cache must never change."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from learning.models import LessonPage
from tests.factories import StaffFactory
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    make_quiz,
    paragraph,
    pass_quiz,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


@pytest.fixture
def other_learner(tree):
    return StaffFactory(unit=tree["G3"], staff_no="L0901", name="丙学员").user


def _quiz_section(response) -> str:
    html = response.content.decode()
    found = re.search(r'<section class="embedded-quiz">.*?</section>', html, re.S)
    assert found, "the lesson shows its embedded quiz"
    return found.group(0)


def _as(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def test_each_learner_sees_their_own_quiz_state_on_a_stored_body(
    client, index, learner, other_learner
):
    quiz = make_quiz("gate-serve")
    course = make_course(index, code="SV-1", lessons=1, gate_quiz=quiz)
    url = lessons_of(course)[0].url
    pass_quiz(learner, quiz)

    # The one who passed fills the store; the other must not see the pass.
    assert "badge-ok" in _quiz_section(_as(client, learner, url))
    assert "badge-ok" not in _quiz_section(_as(client, other_learner, url))
    assert "badge-ok" in _quiz_section(_as(client, learner, url))

    # And the other way round: a body stored by someone who has not passed.
    pass_quiz(other_learner, quiz)
    assert "badge-ok" in _quiz_section(_as(client, other_learner, url))


def test_a_learners_progress_is_theirs_alone(client, index, learner, other_learner):
    course = make_course(index, code="SV-2", lessons=2)
    lesson = lessons_of(course)[0]
    _as(client, learner, lesson.url)
    client.force_login(learner)
    from tests.learning.helpers import read_and_mark_done

    read_and_mark_done(user=learner, lesson=lesson)
    mine = _as(client, learner, lesson.url).content.decode()
    theirs = _as(client, other_learner, lesson.url).content.decode()
    assert 'data-testid="mark-done"' not in mine
    assert 'data-testid="mark-done"' in theirs
    assert "李学员" in mine and "李学员" not in theirs


def test_a_restricted_lesson_is_refused_to_outsiders_after_a_members_visit(
    client, index, learner, other_learner
):
    course = make_course(index, code="SV-3", lessons=1)
    lesson = lessons_of(course)[0]
    members = Group.objects.create(name="专项培训学员")
    learner.groups.add(members)
    restriction = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members)

    assert "第1节的正文" in _as(client, learner, lesson.url).content.decode()
    client.force_login(other_learner)
    refused = client.get(lesson.url)
    assert refused.status_code != 200
    assert "第1节的正文".encode() not in refused.content


def test_a_restriction_added_later_takes_effect_at_once(
    client, index, learner, other_learner
):
    course = make_course(index, code="SV-4", lessons=1)
    lesson = lessons_of(course)[0]
    _as(client, other_learner, lesson.url)
    _as(client, other_learner, course.url)
    members = Group.objects.create(name="专项培训学员")
    restriction = PageViewRestriction.objects.create(
        page=lesson, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.add(members)

    client.force_login(other_learner)
    assert client.get(lesson.url).status_code != 200
    restriction.delete()
    assert client.get(lesson.url).status_code == 200


def test_a_new_revision_is_shown_at_once(client, index, learner):
    course = make_course(index, code="SV-5", lessons=1)
    lesson = lessons_of(course)[0]
    assert "第1节的正文" in _as(client, learner, lesson.url).content.decode()

    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.body = json.dumps([paragraph("修订后的正文。")], ensure_ascii=False)
    lesson.save_revision().publish()

    html = _as(client, learner, lesson.url).content.decode()
    assert "修订后的正文" in html
    assert "第1节的正文" not in html


def test_an_unpublished_lesson_is_gone_at_once(client, index, learner):
    course = make_course(index, code="SV-6", lessons=2)
    lesson = lessons_of(course)[1]
    _as(client, learner, lesson.url)
    LessonPage.objects.get(pk=lesson.pk).unpublish()

    assert client.get(lesson.url).status_code == 404


def test_a_moved_lesson_answers_at_its_new_address_only(client, index, learner):
    first = make_course(index, code="SV-7", lessons=1)
    second = make_course(index, code="SV-8", lessons=1)
    lesson = lessons_of(first)[0]
    old_url = lesson.url
    _as(client, learner, old_url)
    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.slug = "moved-lesson"
    lesson.save()
    lesson.move(second, pos="last-child")
    lesson = LessonPage.objects.get(pk=lesson.pk)

    assert client.get(old_url).status_code == 404
    assert "第1节的正文" in _as(client, learner, lesson.url).content.decode()


def test_other_pages_are_still_served_by_wagtail(client, index, learner):
    client.force_login(learner)
    assert client.get(index.url).status_code == 200
    assert client.get("/no-such-page/at-all/").status_code == 404


def _count(client, url) -> int:
    client.get(url)  # fill the stored body and the site caches
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# One read for the site, the route, the course, its lessons, the learner's progress
# and quiz passes and the stored body (learning.sql), beside the page shell: the
# session (from the database without Redis) and the signed-in user with their roles
# and unread notifications.
LESSON_BUDGET = 3


def test_the_lesson_page_reads_the_same_whatever_the_lessons_learners_and_courses(
    client, index, learner, tree
):
    from tests.learning.helpers import read_and_mark_done

    quiz = make_quiz("gate-budget")
    course = make_course(index, code="SB-1", lessons=2, gate_quiz=quiz)
    client.force_login(learner)
    small = _count(client, lessons_of(course)[0].url)
    assert small <= LESSON_BUDGET

    big = make_course(index, code="SB-2", lessons=12, gate_quiz=quiz)
    for n in range(2, 7):
        make_course(index, code=f"SB-X{n}", lessons=2)
    for n in range(8):
        person = StaffFactory(unit=tree["G2"], staff_no=f"SB{n:03d}").user
        for lesson in lessons_of(big)[:3]:
            read_and_mark_done(user=person, lesson=lesson)
        pass_quiz(person, quiz)
    for lesson in lessons_of(big)[:4]:
        read_and_mark_done(user=learner, lesson=lesson)
    pass_quiz(learner, quiz)

    client.force_login(learner)
    assert _count(client, lessons_of(big)[0].url) == small
    assert _count(client, lessons_of(big)[7].url) == small
    assert _count(client, lessons_of(course)[1].url) == small


def test_the_body_is_stored_once_and_dropped_when_what_it_shows_changes(
    client, index, learner
):
    from learning.models import LessonBody

    quiz = make_quiz("gate-stored")
    course = make_course(index, code="SV-9", lessons=1, gate_quiz=quiz)
    lesson = lessons_of(course)[0]
    assert "测验 gate-stored" in _as(client, learner, lesson.url).content.decode()
    stored = LessonBody.objects.get(page=lesson)
    assert stored.stamp.startswith(f"{lesson.live_revision_id}|")
    assert stored.language == "zh-hans"

    # Served again from the stored copy: rendering it again would rewrite the row.
    LessonBody.objects.filter(pk=stored.pk).update(
        parts=[
            p.replace("第1节的正文", "（存储的正文）")
            for p in stored.parts
            if isinstance(p, str)
        ]
    )
    assert "（存储的正文）" in _as(client, learner, lesson.url).content.decode()

    # A change of the embedded quiz drops every stored body; the page shows it.
    quiz.title = "改名后的测验"
    quiz.save()
    assert not LessonBody.objects.exists()
    html = _as(client, learner, lesson.url).content.decode()
    assert "改名后的测验" in html and "第1节的正文" in html
