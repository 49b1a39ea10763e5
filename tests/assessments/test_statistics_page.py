"""The item statistics page: filled as soon as attempts exist, options by letter with
their text, questions by code and text, exports in their old shape plus letters."""

import csv
import io

import pytest

from assessments import services
from tests.assessments.factories import make_question, make_quiz, right_keys
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(reference_data, tree, learner):
    question = make_question(
        "ST-1",
        text="“案-件比”中的“件”指的是什么？",
        options=[("诉讼环节", 1), ("受理案件", 0), ("结案数量", 0)],
    )
    quiz = make_quiz("stats-quiz", [question], title="统计测验")
    people = [learner] + [
        StaffFactory(unit=tree["G2"], staff_no=f"S{n:04d}").user for n in range(3)
    ]
    for number, person in enumerate(people):
        attempt = services.attempt_start(user=person, quiz=quiz)
        item = attempt.items.select_related("version").get()
        keys = right_keys(item)
        if number % 2:
            keys = [
                o["key"] for o in item.version.data["options"] if o["key"] not in keys
            ][:1]
        services.attempt_save(
            attempt_id=attempt.pk, user=person, seq=0, answers={1: {"keys": keys}}
        )
        services.attempt_submit(attempt_id=attempt.pk, user=person)
    return quiz


def test_the_page_shows_statistics_once_attempts_exist_without_a_recalculation(
    client, trainer, answered
):
    client.force_login(trainer)
    page = client.get("/admin/assessments/statistics/").content.decode()
    assert "统计测验" in page
    assert "ST-1" in page
    assert "暂无统计" not in page


def test_options_read_as_letters_with_their_text_and_questions_with_their_text(
    client, trainer, answered
):
    client.force_login(trainer)
    page = client.get(f"/admin/assessments/statistics/?quiz={answered.pk}")
    text = page.content.decode()
    assert "“案-件比”中的“件”指的是什么？" in text
    assert "<strong>A</strong> 2" in text
    assert "诉讼环节" in text
    option_keys = [
        o["key"] for o in answered.slots.get().question.versions.get().data["options"]
    ]
    assert not any(key in text for key in option_keys)


def test_the_export_keeps_its_columns_and_adds_the_letters(client, trainer, answered):
    client.force_login(trainer)
    response = client.get(
        f"/admin/assessments/statistics/export/?quiz={answered.pk}&format=csv"
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["题位", "试题编号", "作答次数"]
    assert len(rows[0]) == 13
    assert rows[1][1] == "ST-1"
    assert "A=2" in rows[1][-1]


def test_learners_cannot_open_the_statistics(client, learner):
    client.force_login(learner)
    response = client.get("/admin/assessments/statistics/")
    assert response.status_code in (302, 403)


def test_with_a_broker_a_quiz_without_figures_is_queued_at_once(
    client, trainer, answered, monkeypatch
):
    from assessments import tasks

    queued = []
    monkeypatch.setitem(
        tasks.compute_quiz_statistics.app.conf, "task_always_eager", False
    )
    monkeypatch.setattr(tasks.compute_quiz_statistics, "delay", queued.append)
    client.force_login(trainer)
    client.get("/admin/assessments/statistics/")
    client.get("/admin/assessments/statistics/")
    assert queued == [answered.pk]
