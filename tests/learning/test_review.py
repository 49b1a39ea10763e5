"""One review per course: the course, its changed lessons and its draft quizzes are
submitted once, approved once and published together; rejection publishes nothing."""

import json

import pytest

from learning.models import CoursePage, LessonPage
from learning.review import course_bundle
from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.factories import StaffFactory
from tests.learning.helpers import catalogue, make_course, make_quiz, paragraph

pytestmark = pytest.mark.django_db


@pytest.fixture
def index(reference_data):
    return catalogue(reference_data)


@pytest.fixture
def head(tree):
    user = StaffFactory(unit=tree["P"], staff_no="TH001", name="培训处长").user
    role_assign(user=user, role=RoleAssignment.Role.TRAINING_HEAD)
    return user


def draft_course(index, trainer, *, code="RV-1", final_quiz=None) -> CoursePage:
    course = index.add_child(
        instance=CoursePage(
            title="送审课程",
            slug=code.lower(),
            code=code,
            live=False,
            final_quiz=final_quiz,
        )
    )
    course.save_revision(user=trainer)
    return course


def draft_lesson(course, trainer, *, slug, quiz=None) -> LessonPage:
    body = [paragraph(f"{slug} 的正文。")]
    if quiz is not None:
        body.append(
            {"type": "quiz", "value": {"quiz": quiz.pk, "required_to_pass": True}}
        )
    lesson = course.add_child(
        instance=LessonPage(
            title=f"课程内容 {slug}",
            slug=slug,
            live=False,
            body=json.dumps(body, ensure_ascii=False),
        )
    )
    lesson.save_revision(user=trainer)
    return lesson


def submit(course, trainer):
    course = CoursePage.objects.get(pk=course.pk)
    course.save_revision(user=trainer)
    return course.get_workflow().start(course, trainer)


def act(state, user, action):
    task_state = state.current_task_state
    task_state.task.specific.on_action(task_state, user, action)


def live(page) -> bool:
    return type(page).objects.get(pk=page.pk).live


def test_one_approval_publishes_the_course_its_lessons_and_its_quizzes(
    index, trainer, head
):
    final = make_quiz("rv-final")
    final.draft = True
    final.save()
    gate = make_quiz("rv-gate")
    gate.draft = True
    gate.save()
    course = draft_course(index, trainer, final_quiz=final)
    first = draft_lesson(course, trainer, slug="one", quiz=gate)
    second = draft_lesson(course, trainer, slug="two")

    state = submit(course, trainer)
    assert not live(course) and not live(first) and not live(second)
    act(state, head, "approve")

    assert live(course) and live(first) and live(second)
    final.refresh_from_db()
    gate.refresh_from_db()
    assert not final.draft and not gate.draft
    assert LessonPage.objects.get(pk=first.pk).gate_quiz_id == gate.pk


def test_a_rejection_publishes_nothing_and_keeps_every_draft(index, trainer, head):
    quiz = make_quiz("rv-rejected")
    quiz.draft = True
    quiz.save()
    course = draft_course(index, trainer, final_quiz=quiz)
    lesson = draft_lesson(course, trainer, slug="one")
    state = submit(course, trainer)
    act(state, head, "reject")
    assert not live(course) and not live(lesson)
    quiz.refresh_from_db()
    assert quiz.draft
    assert [c.lesson.pk for c in course_bundle(course=course).lessons] == [lesson.pk]


def test_a_course_without_lessons_is_sent_back_not_published(index, trainer, head):
    course = draft_course(index, trainer)
    state = submit(course, trainer)
    act(state, head, "approve")
    assert not live(course)
    state.refresh_from_db()
    assert state.status == state.STATUS_NEEDS_CHANGES


def test_changes_to_a_published_lesson_go_live_with_the_course(index, trainer, head):
    course = make_course(index, code="RV-LIVE", lessons=2)
    lesson = LessonPage.objects.child_of(course).order_by("path").first()
    lesson.title = "改过的课程内容"
    lesson.save_revision(user=trainer)
    bundle = course_bundle(course=course)
    assert [(c.lesson.pk, c.kind) for c in bundle.lessons] == [(lesson.pk, "changed")]

    act(submit(course, trainer), head, "approve")
    assert LessonPage.objects.get(pk=lesson.pk).title == "改过的课程内容"
    assert course_bundle(course=course).is_empty


def test_lessons_have_no_review_of_their_own(index, trainer):
    course = draft_course(index, trainer)
    lesson = draft_lesson(course, trainer, slug="one")
    assert course.get_workflow() is not None
    assert lesson.get_workflow() is None and not lesson.has_workflow
    assert not lesson.permissions_for_user(trainer).can_publish()


def test_a_course_without_lessons_cannot_be_submitted(client, index, trainer):
    course = draft_course(index, trainer)
    client.force_login(trainer)
    response = client.post(
        f"/admin/pages/{course.pk}/edit/",
        {
            "title": "送审课程",
            "slug": "rv-1",
            "code": "RV-1",
            "class_hours": "1",
            "completion_rule": "required_lessons",
            "action-submit": "提交审核",
        },
    )
    assert response.status_code == 200
    assert "课程还没有小节" in response.content.decode()
    assert not CoursePage.objects.get(pk=course.pk).workflow_in_progress


def test_the_course_editor_lists_drafts_to_continue(client, index, trainer):
    course = draft_course(index, trainer)
    lesson = draft_lesson(course, trainer, slug="autosaved")
    client.force_login(trainer)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "随课程一并审核的草稿和修改" in html
    assert lesson.title in html
    assert f"/admin/pages/{lesson.pk}/edit/" in html
    assert "继续编辑" in html


def test_a_slug_held_by_an_abandoned_draft_is_explained_in_chinese(
    client, index, trainer
):
    course = draft_course(index, trainer)
    draft_lesson(course, trainer, slug="intro")
    client.force_login(trainer)
    response = client.post(
        f"/admin/pages/add/learning/lessonpage/{course.pk}/",
        {
            "title": "导论",
            "slug": "intro",
            "body-count": "0",
            "estimated_minutes": "15",
            "required": "on",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "未发布的草稿小节“课程内容 intro”" in html
    assert "already in use" not in html
    assert LessonPage.objects.child_of(course).count() == 1


def test_anonymous_visitors_cannot_open_the_course_editor(client, index, trainer):
    course = draft_course(index, trainer)
    response = client.get(f"/admin/pages/{course.pk}/edit/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_learners_cannot_open_the_course_editor(client, index, trainer, learner):
    course = draft_course(index, trainer)
    client.force_login(learner)
    response = client.get(f"/admin/pages/{course.pk}/edit/")
    assert response.status_code in (302, 403)


def revise_lesson(lesson, user, *, title):
    """A draft saved outside the editor (the editor refuses while in review)."""
    lesson = LessonPage.objects.get(pk=lesson.pk)
    lesson.title = title
    return lesson.save_revision(user=user)


def test_approval_publishes_the_submitted_lessons_not_later_drafts(
    index, trainer, head
):
    later_quiz = make_quiz("rv-later")
    later_quiz.draft = True
    later_quiz.save()
    course = draft_course(index, trainer)
    lesson = draft_lesson(course, trainer, slug="one")
    submitted = lesson.get_latest_revision()
    state = submit(course, trainer)

    newer = LessonPage.objects.get(pk=lesson.pk)
    newer.title = "提交后改的标题"
    newer.body = json.dumps(
        [{"type": "quiz", "value": {"quiz": later_quiz.pk, "required_to_pass": True}}]
    )
    newer_revision = newer.save_revision(user=trainer)
    added = draft_lesson(course, trainer, slug="added-later")
    act(state, head, "approve")

    published = LessonPage.objects.get(pk=lesson.pk)
    assert published.live and published.title == "课程内容 one"
    assert published.live_revision_id == submitted.pk
    assert published.has_unpublished_changes
    assert published.get_latest_revision().pk == newer_revision.pk
    assert not live(added)
    later_quiz.refresh_from_db()
    assert later_quiz.draft
    # What was left out waits for the next review, the newer draft included.
    bundle = course_bundle(course=CoursePage.objects.get(pk=course.pk))
    assert {(c.lesson.pk, c.revision.pk) for c in bundle.lessons} == {
        (lesson.pk, newer_revision.pk),
        (added.pk, added.get_latest_revision().pk),
    }


def test_the_reviewer_is_shown_drafts_saved_after_submission(
    client, index, trainer, head
):
    course = draft_course(index, trainer)
    lesson = draft_lesson(course, trainer, slug="one")
    submitted = lesson.get_latest_revision()
    submit(course, trainer)
    bundle = course_bundle(course=course)
    assert bundle.in_review and not bundle.newer_drafts

    newer = revise_lesson(lesson, trainer, title="提交后改的标题")
    bundle = course_bundle(course=course)
    [change] = bundle.lessons
    assert (change.revision.pk, change.newer_draft.pk) == (submitted.pk, newer.pk)

    client.force_login(head)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "课程正在审核" in html
    assert "提交后有修改：本次审核只发布提交时的版本。" in html
    assert (
        f"/admin/pages/{lesson.pk}/revisions/compare/{submitted.pk}...{newer.pk}/"
        in html
    )


def test_a_resubmission_covers_the_drafts_saved_after_a_rejection(index, trainer, head):
    course = draft_course(index, trainer)
    lesson = draft_lesson(course, trainer, slug="one")
    state = submit(course, trainer)
    act(state, head, "reject")
    revise_lesson(lesson, trainer, title="按意见修改")
    state.refresh_from_db()
    state.resume(user=trainer)
    state.refresh_from_db()
    act(state, head, "approve")
    assert LessonPage.objects.get(pk=lesson.pk).title == "按意见修改"
    assert live(course) and live(lesson)


def test_lessons_are_locked_while_their_course_is_in_review(
    client, index, trainer, head
):
    course = draft_course(index, trainer)
    lesson = draft_lesson(course, trainer, slug="one")
    assert LessonPage.objects.get(pk=lesson.pk).get_lock() is None
    state = submit(course, trainer)

    for user in (trainer, head):
        lock = LessonPage.objects.get(pk=lesson.pk).get_lock()
        assert lock is not None and lock.for_user(user)
    client.force_login(trainer)
    url = f"/admin/pages/{lesson.pk}/edit/"
    html = client.get(url).content.decode()
    assert "课程“送审课程”正在审核，审核结束前其小节不能修改" in html
    before = LessonPage.objects.get(pk=lesson.pk).get_latest_revision().pk
    client.post(
        url,
        {
            "title": "审核中偷偷改",
            "slug": "one",
            "body-count": "0",
            "estimated_minutes": "15",
            "required": "on",
        },
    )
    assert LessonPage.objects.get(pk=lesson.pk).get_latest_revision().pk == before

    act(state, head, "reject")
    assert LessonPage.objects.get(pk=lesson.pk).get_lock() is None


def test_the_course_editor_offers_to_add_lessons_until_submitted(
    client, index, trainer
):
    course = draft_course(index, trainer)
    client.force_login(trainer)
    add = "data-add-lesson"
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "本课程还没有小节" in html and add in html
    draft_lesson(course, trainer, slug="one")
    submit(course, trainer)
    html = client.get(f"/admin/pages/{course.pk}/edit/").content.decode()
    assert "课程正在审核" in html and add not in html
