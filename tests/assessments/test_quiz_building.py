"""Quizzes built from the bank: many questions added at once from the list, and a
trainer's preview of a published quiz that never counts."""

import pytest

from assessments.models import Attempt, QuizSlot
from tests.assessments.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db

BULK = "/admin/bulk/assessments/question/add_to_quiz/"


def bulk_url(questions, next_url="/admin/snippets/assessments/question/"):
    ids = "&".join(f"id={q.pk}" for q in questions)
    return f"{BULK}?{ids}&next={next_url}"


@pytest.fixture
def bank(reference_data):
    questions = [make_question(f"Q-B-{n}", text=f"第{n}题") for n in range(1, 5)]
    quiz = make_quiz("b-exam", questions[:1], title="案-件比测验")
    return {"questions": questions, "quiz": quiz}


def slot_codes(quiz):
    return [
        s.question.code
        for s in QuizSlot.objects.filter(quiz=quiz).order_by("sort_order")
    ]


def test_the_list_offers_add_to_quiz_for_selected_questions(client, trainer, bank):
    client.force_login(trainer)
    html = client.get("/admin/snippets/assessments/question/").content.decode()
    assert "加入测验…" in html
    page = client.get(bulk_url(bank["questions"][1:3])).content.decode()
    assert "Q-B-2" in page and "Q-B-3" in page and "案-件比测验" in page


def test_selected_questions_join_the_quiz_once_each(client, trainer, bank):
    client.force_login(trainer)
    quiz = bank["quiz"]
    response = client.post(bulk_url(bank["questions"]), {"quiz": quiz.pk})
    assert response.status_code == 302
    assert response["Location"] == "/admin/snippets/assessments/question/"
    assert slot_codes(quiz) == ["Q-B-1", "Q-B-2", "Q-B-3", "Q-B-4"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("3" in m and "1" in m for m in messages), messages


def test_select_all_takes_the_filtered_list_not_the_whole_bank(client, trainer, bank):
    make_question("Q-B-9", text="认罪认罚第9题", category="课程/认罪认罚")
    make_question("Q-B-10", text="认罪认罚第10题", category="课程/认罪认罚")
    client.force_login(trainer)
    quiz = bank["quiz"]
    # What the bank's "select all in listing" sends: the list's own query, id=all.
    url = f"{BULK}?q=认罪认罚&id=all&next=/admin/snippets/assessments/question/"
    assert "Q-B-9" in client.get(url).content.decode()
    response = client.post(url, {"quiz": quiz.pk})
    assert response.status_code == 302
    assert slot_codes(quiz) == ["Q-B-1", "Q-B-10", "Q-B-9"]  # in the list's order


def test_questions_of_an_exam_never_reach_a_practice_quiz(client, trainer, bank):
    practice = make_quiz("b-practice", [], title="课堂练习", exam_paper=False)
    client.force_login(trainer)
    response = client.post(bulk_url(bank["questions"][:2]), {"quiz": practice.pk})
    assert response.status_code == 200
    assert "案-件比测验" in response.content.decode()
    assert slot_codes(practice) == []


def test_anonymous_visitors_cannot_add_questions(client, bank):
    response = client.post(bulk_url(bank["questions"]), {"quiz": bank["quiz"].pk})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert slot_codes(bank["quiz"]) == ["Q-B-1"]


def test_learners_cannot_add_questions(client, learner, bank):
    client.force_login(learner)
    client.post(bulk_url(bank["questions"]), {"quiz": bank["quiz"].pk})
    assert slot_codes(bank["quiz"]) == ["Q-B-1"]


def test_the_quiz_editor_links_to_a_learners_preview(client, trainer, bank):
    client.force_login(trainer)
    html = client.get(
        f"/admin/snippets/assessments/quiz/edit/{bank['quiz'].pk}/"
    ).content.decode()
    assert f"/quizzes/{bank['quiz'].slug}/?preview=1" in html
    assert "以学员身份预览" in html


def test_a_trainers_preview_of_a_published_quiz_is_not_counted(client, trainer, bank):
    client.force_login(trainer)
    url = f"/quizzes/{bank['quiz'].slug}/"
    assert "不计入成绩" in client.get(url + "?preview=1").content.decode()
    client.post(url, {"preview": "1"})
    attempt = Attempt.objects.get(user=trainer)
    assert attempt.preview and not attempt.counted


def test_a_learner_asking_for_a_preview_sits_the_real_quiz(client, learner, bank):
    client.force_login(learner)
    url = f"/quizzes/{bank['quiz'].slug}/"
    assert "不计入成绩" not in client.get(url + "?preview=1").content.decode()
    client.post(url, {"preview": "1"})
    attempt = Attempt.objects.get(user=learner)
    assert not attempt.preview and attempt.counted
