"""A material change asks people to redo only what changed (delta retraining)."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from learning.models import CourseCompletion, CoursePage, LessonPage
from learning.selectors import course_outline
from learning.services import LearningError, lesson_mark_done
from tests.campaigns.factories import make_campaign
from tests.factories import StaffFactory
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    make_quiz,
    pass_quiz,
    publish_material_change,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db

NOTE = "依据新修订的规定更新了羁押必要性审查的程序。"


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


def complete_everything(user, course, quiz=None):
    for lesson in lessons_of(course):
        read_and_mark_done(user=user, lesson=lesson)
    if quiz is not None:
        pass_quiz(user, quiz)
        from learning.services import course_completion_check

        course_completion_check(user=user, course=course)
    return CourseCompletion.objects.get(user=user, course=course, version=1)


def statuses(course, user) -> list[str]:
    return [row.status for row in course_outline(course=course, user=user).rows]


def report(code: str) -> dict:
    out = StringIO()
    call_command(
        "completion_report", "--campaign", code, "--format", "json", stdout=out
    )
    return json.loads(out.getvalue())


def person(data: dict, staff_no: str) -> dict:
    return next(p for p in data["people"] if p["staff_no"] == staff_no)


def test_a_person_who_completed_v1_redoes_only_the_changed_lesson(index, learner):
    course = make_course(index, lessons=3)
    first, second, third = lessons_of(course)
    v1 = complete_everything(learner, course)

    course = publish_material_change(course, lessons=[second], note=NOTE)

    v1.refresh_from_db()
    assert course.content_version == 2 and v1.superseded
    assert statuses(course, learner) == ["done", "not_started", "done"]
    outline = course_outline(course=course, user=learner)
    assert [row.redo for row in outline.rows] == [False, True, False]
    assert outline.completion is None and outline.superseded == v1
    assert outline.resume.pk == second.pk

    read_and_mark_done(user=learner, lesson=lessons_of(course)[1])

    v2 = CourseCompletion.objects.get(user=learner, course=course, version=2)
    assert not v2.superseded
    assert statuses(course, learner) == ["done", "done", "done"]
    # The unchanged lessons were not touched again.
    assert course_outline(course=course, user=learner).completion == v2


def test_unchanged_lessons_stay_done_and_cannot_be_redone_to_finish(index, learner):
    course = make_course(index, lessons=2)
    first, second = lessons_of(course)
    complete_everything(learner, course)
    course = publish_material_change(course, lessons=[second])

    # Marking the unchanged lesson again changes nothing: the course still waits
    # for the changed one.
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    assert not CourseCompletion.objects.filter(version=2).exists()
    assert statuses(course, learner) == ["done", "not_started"]


def test_a_new_person_does_every_lesson_of_the_changed_course(index, learner, tree):
    course = make_course(index, lessons=3)
    complete_everything(learner, course)
    _first, second, _third = lessons_of(course)
    course = publish_material_change(course, lessons=[second], note=NOTE)
    newcomer = StaffFactory(unit=tree["G1-D1"], staff_no="N0001").user

    outline = course_outline(course=course, user=newcomer)
    assert statuses(course, newcomer) == ["not_started"] * 3
    assert not any(row.redo for row in outline.rows)

    lessons = lessons_of(course)
    for lesson in lessons[:2]:
        read_and_mark_done(user=newcomer, lesson=lesson)
    assert not CourseCompletion.objects.filter(user=newcomer).exists()
    read_and_mark_done(user=newcomer, lesson=lessons[2])
    completion = CourseCompletion.objects.get(user=newcomer, course=course)
    assert completion.version == 2


def test_a_changed_final_quiz_must_be_passed_again_and_lessons_stay_done(
    index, learner
):
    quiz = make_quiz("final-delta")
    course = make_course(index, lessons=2, final_quiz=quiz)
    complete_everything(learner, course, quiz)

    course = publish_material_change(course, final_quiz=True, note=NOTE)

    outline = course_outline(course=course, user=learner)
    assert statuses(course, learner) == ["done", "done"]
    assert outline.final_quiz_passed is False and outline.final_quiz_redo
    assert outline.final_quiz_next

    attempt = pass_quiz(learner, quiz)
    from learning.services import attempt_finished_handle

    attempt_finished_handle(attempt=attempt)
    assert CourseCompletion.objects.get(user=learner, version=2).score == 90


def test_an_unchanged_final_quiz_keeps_its_earlier_pass(index, learner):
    quiz = make_quiz("final-kept")
    course = make_course(index, lessons=2, final_quiz=quiz)
    complete_everything(learner, course, quiz)
    second = lessons_of(course)[1]

    course = publish_material_change(course, lessons=[second])
    assert course_outline(course=course, user=learner).final_quiz_passed is True

    read_and_mark_done(user=learner, lesson=lessons_of(course)[1])
    assert CourseCompletion.objects.filter(user=learner, version=2).exists()


def test_naming_nothing_changes_the_whole_course(index, learner):
    quiz = make_quiz("final-all")
    course = make_course(index, lessons=2, final_quiz=quiz)
    complete_everything(learner, course, quiz)

    course = publish_material_change(course)

    outline = course_outline(course=course, user=learner)
    assert statuses(course, learner) == ["not_started", "not_started"]
    assert outline.final_quiz_passed is False


def test_the_changed_lesson_quiz_must_be_passed_again(index, learner):
    gate = make_quiz("gate-delta")
    course = make_course(index, lessons=1, gate_quiz=gate)
    lesson = lessons_of(course)[0]
    read_and_mark_done(user=learner, lesson=lesson)
    pass_quiz(learner, gate)
    read_and_mark_done(user=learner, lesson=lesson)
    assert CourseCompletion.objects.filter(user=learner, version=1).exists()

    course = publish_material_change(course, lessons=[lesson])
    progress = read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    assert progress.completed_at < progress.marked_done_at  # still the old one
    assert statuses(course, learner) == ["awaiting_quiz"]

    attempt = pass_quiz(learner, gate)
    from learning.services import attempt_finished_handle

    attempt_finished_handle(attempt=attempt)
    assert statuses(course, learner) == ["done"]
    assert CourseCompletion.objects.filter(user=learner, version=2).exists()


def test_the_clock_starts_again_on_a_changed_lesson(index, learner):
    course = make_course(index, lessons=1)
    complete_everything(learner, course)
    course = publish_material_change(course, lessons=lessons_of(course))
    lesson = lessons_of(course)[0]

    # Seen before the change only: the new material has not been shown yet.
    with pytest.raises(LearningError):
        lesson_mark_done(user=learner, lesson=lesson)


def test_the_material_change_fields_clear_after_publishing(index, learner):
    quiz = make_quiz("final-clear")
    course = make_course(index, lessons=2, final_quiz=quiz)
    second = lessons_of(course)[1]

    course = publish_material_change(
        course, lessons=[second], final_quiz=True, note=NOTE
    )

    assert not course.material_change and not course.final_quiz_changed
    assert course.change_note == "" and not course.changed_lessons.exists()
    content = course.latest_revision.content
    assert content["changed_lessons"] == [] and content["change_note"] == ""
    changed = LessonPage.objects.get(pk=second.pk)
    assert changed.change_note == NOTE and changed.material_change_at is not None
    assert (
        LessonPage.objects.get(pk=lessons_of(course)[0].pk).material_change_at is None
    )
    # Publishing the changed lesson again from its own revision keeps the change.
    changed.save_revision().publish()
    assert LessonPage.objects.get(pk=second.pk).material_change_at is not None


def test_the_report_counts_a_redoing_person_in_progress_then_completed(index, learner):
    course = make_course(index, lessons=2, code="DELTA-1")
    today = timezone.localdate()
    make_campaign(
        [course],
        code="DELTA-C",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=30),
    )
    complete_everything(learner, course)
    staff_no = learner.profile.staff_no
    assert person(report("DELTA-C"), staff_no)["status"] == "completed"

    second = lessons_of(course)[1]
    course = publish_material_change(course, lessons=[second], note=NOTE)

    data = report("DELTA-C")
    assert person(data, staff_no)["status"] == "in_progress"
    assert data["summary"]["completed"] == 0
    assert data["summary"]["in_progress"] == 1

    read_and_mark_done(user=learner, lesson=lessons_of(course)[1])

    data = report("DELTA-C")
    assert person(data, staff_no)["status"] == "completed"
    assert data["summary"]["completed"] == 1
    assert set(data["summary"]) >= {
        "headcount",
        "completed",
        "in_progress",
        "not_started",
        "overdue",
        "exempt",
        "completion_rate",
    }


# What the learner sees ---------------------------------------------------------------


def test_the_changed_lesson_shows_its_note_to_the_person_redoing_it(
    client, index, learner, tree
):
    course = make_course(index, lessons=2)
    complete_everything(learner, course)
    first, second = lessons_of(course)
    publish_material_change(course, lessons=[second], note="<b>新规</b>已施行")

    client.force_login(learner)
    html = client.get(second.url).content.decode()
    assert "本节内容已更新：&lt;b&gt;新规&lt;/b&gt;已施行" in html
    assert "<b>新规</b>" not in html
    assert "本节内容已更新" not in client.get(first.url).content.decode()
    course_html = client.get(course.url).content.decode()
    assert "请重新学习标有“已更新”的部分" in course_html

    newcomer = StaffFactory(unit=tree["G3"], staff_no="N0002").user
    client.force_login(newcomer)
    assert "本节内容已更新" not in client.get(second.url).content.decode()


def test_a_changed_lesson_page_asks_anonymous_visitors_to_sign_in(client, index):
    course = make_course(index, lessons=1)
    lesson = lessons_of(course)[0]
    publish_material_change(course, lessons=[lesson], note=NOTE)
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# The editor ---------------------------------------------------------------------------


def bound_course_form(course, user, **changes):
    """The editor's form for the course, submitted with its current values and
    ``changes`` (as a browser posts it)."""
    form_class = CoursePage.get_edit_handler().get_form_class()
    blank = form_class(instance=course, for_user=user, parent_page=course.get_parent())
    data = {}
    for name in blank.fields:
        value = blank[name].value()
        if value in (None, False):
            continue
        if isinstance(value, list | tuple):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = value
    for prefix, formset in blank.formsets.items():
        for key, value in formset.management_form.initial.items():
            data[f"{prefix}-{key}"] = value
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = value
    return form_class(
        data, instance=course, for_user=user, parent_page=course.get_parent()
    )


def test_the_editor_offers_only_the_courses_own_lessons(index, admin_user):
    course = make_course(index, lessons=2)
    other = make_course(index, lessons=1)
    form = bound_course_form(course, admin_user)
    offered = set(form.fields["changed_lessons"].queryset.values_list("pk", flat=True))
    assert offered == {lesson.pk for lesson in lessons_of(course)}

    foreign = lessons_of(other)[0].pk
    form = bound_course_form(
        course, admin_user, material_change="on", changed_lessons=[foreign]
    )
    assert not form.is_valid()
    assert "changed_lessons" in form.errors


def test_the_editor_accepts_a_material_change_naming_a_lesson(index, admin_user):
    course = make_course(index, lessons=2)
    form = bound_course_form(
        course,
        admin_user,
        material_change="on",
        changed_lessons=[lessons_of(course)[1].pk],
        change_note=NOTE,
    )
    assert form.is_valid(), form.errors


def test_the_editor_refuses_marked_parts_without_the_material_change_box(
    index, admin_user
):
    course = make_course(index, lessons=2)
    form = bound_course_form(
        course,
        admin_user,
        material_change=False,
        changed_lessons=[lessons_of(course)[0].pk],
    )
    assert not form.is_valid()
    assert "material_change" in form.errors

    form = bound_course_form(
        course, admin_user, material_change="on", final_quiz_changed="on"
    )
    assert not form.is_valid()
    assert "final_quiz_changed" in form.errors
