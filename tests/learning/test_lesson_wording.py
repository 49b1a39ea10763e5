"""Sections of a course are 小节 (课程小节), never 课时: 课时 reads as class hours,
and 学时 is the word for training hours. No page a learner or a trainer reaches
uses 课时 for a section."""

import pytest

from assessments import services
from tests.assessments.factories import make_question, make_quiz, right_keys
from tests.learning.helpers import (
    catalogue,
    lessons_of,
    make_course,
    publish_material_change,
    read_and_mark_done,
)

pytestmark = pytest.mark.django_db


def sit(user, quiz):
    """The learner sits the quiz and answers every question right."""
    attempt = services.attempt_start(user=user, quiz=quiz)
    answers = {
        item.position: {"keys": right_keys(item)}
        for item in attempt.items.select_related("version")
    }
    services.attempt_save(attempt_id=attempt.pk, user=user, seq=0, answers=answers)
    services.attempt_submit(attempt_id=attempt.pk, user=user)
    return attempt


@pytest.fixture
def course(reference_data, learner):
    question = make_question(
        "Q-WORD-1",
        text="“案-件比”中的“件”指什么？",
        options=[("案件经过的诉讼环节", 1), ("受理的案件数", 0)],
    )
    gate = make_quiz("word-gate", [question], title="小节测验")
    final = make_quiz("word-final", [question], title="结业测验")
    course = make_course(
        catalogue(reference_data),
        code="WORD-1",
        lessons=3,
        final_quiz=final,
        gate_quiz=gate,
    )
    first, second, _third = lessons_of(course)
    read_and_mark_done(user=learner, lesson=second)
    publish_material_change(course, lessons=[second], note="更新了审查程序。")
    read_and_mark_done(user=learner, lesson=lessons_of(course)[0])
    return {"course": course, "gate": gate, "final": final}


def learner_paths(course, attempt) -> list[str]:
    page = course["course"]
    back = f"?next={lessons_of(page)[0].url}"
    return [
        "/learning/",
        page.get_parent().url,
        page.url,
        *[lesson.url for lesson in lessons_of(page)],
        "/search/?q=案件",
        "/quizzes/",
        f"/quizzes/{course['gate'].slug}/{back}",
        f"/quizzes/attempts/{attempt.pk}/result/{back}",
        "/certificates/verify/",
    ]


def test_no_learner_page_calls_a_section_keshi(client, learner, course):
    attempt = sit(learner, course["gate"])
    client.force_login(learner)
    found = []
    for path in learner_paths(course, attempt):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        if "课时" in response.content.decode():
            found.append(path)
    assert not found, found

    lesson_html = client.get(lessons_of(course["course"])[1].url).content.decode()
    assert "上一节" in lesson_html and "下一节" in lesson_html
    assert "第 2 节，共 3 节" in lesson_html
    back = f"?next={lessons_of(course['course'])[0].url}"
    result = client.get(f"/quizzes/attempts/{attempt.pk}/result/{back}")
    assert "返回小节" in result.content.decode()


def trainer_paths(course) -> list[str]:
    page = course["course"]
    lesson = lessons_of(page)[0]
    index = page.get_parent()
    return [
        "/admin/",
        f"/admin/pages/{index.pk}/",
        f"/admin/pages/{page.pk}/",
        f"/admin/pages/{page.pk}/edit/",
        f"/admin/pages/{lesson.pk}/edit/",
        f"/admin/pages/{page.pk}/add_subpage/",
        f"/admin/pages/add/learning/lessonpage/{page.pk}/",
        f"/admin/pages/{page.pk}/history/",
        "/admin/pages/search/?q=案件",
        "/admin/reports/page-types-usage/",
        "/admin/snippets/assessments/quiz/",
    ]


def test_no_admin_page_a_trainer_reaches_calls_a_section_keshi(client, trainer, course):
    client.force_login(trainer)
    found = []
    for path in trainer_paths(course):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "/admin/login/" not in response.request["PATH_INFO"], path
        if "课时" in html:
            found.append(path)
    assert not found, found

    add = client.get(f"/admin/pages/add/learning/lessonpage/{course['course'].pk}/")
    assert "课程小节" in add.content.decode()
    edit = client.get(f"/admin/pages/{course['course'].pk}/edit/").content.decode()
    assert "有实质性修改的小节" in edit


def test_an_anonymous_visitor_is_sent_to_sign_in_from_a_section(client, course):
    response = client.get(lessons_of(course["course"])[0].url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
