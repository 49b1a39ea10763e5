"""Immediate feedback ("check answer") and figure images on the quiz page."""

import io
import json
import re

import pytest
from django.core.files.images import ImageFile
from django.core.files.storage import default_storage
from django.urls import reverse

from assessments import services
from assessments.errors import AssessmentError
from assessments.models import Quiz
from assessments.services.questions import question_publish_version
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate(reference_data):
    questions = [
        make_question(
            f"FB-{n}",
            options=[(f"对的选项{n}", 1), (f"错的选项{n}", 0)],
            explanation=f"第{n}题的解析",
        )
        for n in (1, 2)
    ]
    return make_quiz("feedback", questions, feedback_mode=Quiz.FeedbackMode.IMMEDIATE)


def _page(client, attempt, q):
    url = reverse("assessments:attempt", args=[attempt.pk]) + f"?q={q}"
    return client.get(url).content.decode()


def _post(client, attempt, position, seq, **data):
    url = reverse("assessments:attempt", args=[attempt.pk])
    return client.post(
        url,
        {"position": position, "seq": seq, "answer_present": "1", **data},
        follow=True,
    )


def _revealed(html: str, n: int) -> bool:
    """Whether the page shows any feedback, or question n's explanation."""
    return (
        f"第{n}题的解析" in html
        or 'class="feedback"' in html
        or "option-right" in html
        or "badge-ok" in html
        or "badge-bad" in html
    )


def test_check_reveals_only_the_answered_question(client, learner, immediate):
    attempt = services.attempt_start(user=learner, quiz=immediate)
    client.force_login(learner)
    first = _page(client, attempt, 1)
    assert 'name="check"' in first
    assert not _revealed(first, 1) and "第2题的解析" not in first

    item = attempt.items.get(position=1)
    page = _post(client, attempt, 1, 0, answer=wrong_key(item), check="1")
    html = page.content.decode()
    item.refresh_from_db()
    assert item.checked_at is not None and item.response.fraction == 0
    # Question 1 now shows its correctness, right answer and explanation, locked.
    assert "第1题的解析" in html and 'class="feedback"' in html and "badge-bad" in html
    assert 'name="check"' not in html and "disabled" in html
    # Question 2 shows nothing of its own answer.
    second = _page(client, attempt, 2)
    assert not _revealed(second, 2) and 'name="check"' in second
    assert attempt.items.get(position=2).checked_at is None


def test_no_check_before_the_learner_answered(client, learner, immediate):
    attempt = services.attempt_start(user=learner, quiz=immediate)
    with pytest.raises(AssessmentError) as refused:
        services.attempt_check_item(
            attempt_id=attempt.pk, user=learner, position=1, seq=0
        )
    assert refused.value.code == "unanswered"
    item = attempt.items.get(position=1)
    assert item.checked_at is None and item.response.fraction is None
    attempt.refresh_from_db()
    assert attempt.seq == 0  # the refused check changed nothing

    client.force_login(learner)
    html = _post(client, attempt, 1, 0, check="1").content.decode()
    assert "请先作答" in html
    assert not _revealed(html, 1)
    assert attempt.items.get(position=1).checked_at is None


def test_a_checked_question_is_locked_against_later_saves(client, learner, immediate):
    attempt = services.attempt_start(user=learner, quiz=immediate)
    item = attempt.items.get(position=1)
    seq = services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"keys": []}}
    )
    seq = services.attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=seq,
        answers={1: {"keys": right_keys(item)}},
    )
    seq = services.attempt_check_item(
        attempt_id=attempt.pk, user=learner, position=1, seq=seq
    )
    client.force_login(learner)
    reply = client.post(
        reverse("assessments:save", args=[attempt.pk]),
        data=json.dumps({"seq": seq, "answers": {"1": {"keys": [wrong_key(item)]}}}),
        content_type="application/json",
    )
    assert reply.status_code == 409
    item.refresh_from_db()
    assert item.response.answer == {"keys": right_keys(item)}
    assert item.response.fraction == 1
    # The JSON reply of a normal save never carries marks.
    ok = client.post(
        reverse("assessments:save", args=[attempt.pk]),
        data=json.dumps({"seq": seq, "flags": {"2": True}}),
        content_type="application/json",
    ).json()
    assert set(ok) == {"ok", "seq"}


def test_a_quiz_with_feedback_at_the_end_refuses_checks(
    client, learner, reference_data
):
    question = make_question("END-1", explanation="结尾解析")
    quiz = make_quiz("at-end", [question])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    item = attempt.items.get(position=1)
    client.force_login(learner)
    assert 'name="check"' not in _page(client, attempt, 1)
    html = _post(client, attempt, 1, 0, answer=wrong_key(item), check="1")
    html = html.content.decode()
    assert "结尾解析" not in html
    assert attempt.items.get(position=1).checked_at is None


def _png() -> ImageFile:
    from PIL import Image as Pil

    buffer = io.BytesIO()
    Pil.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return ImageFile(buffer, name="ratio-figure.png")


def test_a_figure_is_served_by_the_platform_with_alt_text_and_no_answer(
    client, learner, reference_data
):
    from wagtail.images import get_image_model

    image = get_image_model().objects.create(
        title="示意图", description="案-件比计算示意图", file=_png()
    )
    question = make_question(
        "FIG-1",
        options=[("一比一点三一", 1), ("一比二", 0)],
        explanation="图示解析",
    )
    question.figure = image
    question.save()
    question_publish_version(question=question)
    quiz = make_quiz("figure", [question])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    client.force_login(learner)
    html = _page(client, attempt, 1)
    figure = re.search(r'<figure class="question-figure">(.*?)</figure>', html, re.S)
    assert figure, "the figure is not on the quiz page"
    img = figure.group(1)
    assert 'alt="案-件比计算示意图"' in img
    src = re.search(r'src="([^"]+)"', img).group(1)
    assert src.startswith("/media/images/")  # a rendition in the platform's storage
    assert default_storage.exists(src.removeprefix("/media/"))
    # Nothing on the page says which option is right.
    assert "图示解析" not in html and "option-right" not in html
    assert "fraction" not in html and "badge-ok" not in html


def test_submissions_queue_one_statistics_recompute_per_quiz(
    learner, tree, reference_data, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from assessments import tasks
    from tests.factories import StaffFactory

    quiz = make_quiz("stats-soon", [make_question("ST-1")])
    other = StaffFactory(unit=tree["G2"], staff_no="L0002").user
    queued = []
    monkeypatch.setattr(
        tasks.compute_quiz_statistics,
        "apply_async",
        lambda args, kwargs, countdown, **options: queued.append(
            (list(args), countdown)
        ),
    )
    conf = tasks.compute_quiz_statistics.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    cache.delete(f"assessments:statistics-due:{quiz.pk}")
    try:
        for user in (learner, other):
            attempt = services.attempt_start(user=user, quiz=quiz)
            with django_capture_on_commit_callbacks(execute=True):
                services.attempt_submit(attempt_id=attempt.pk, user=user)
    finally:
        conf.task_always_eager = eager
    assert queued == [([quiz.pk], tasks.STATISTICS_DEBOUNCE)]
    cache.delete(f"assessments:statistics-due:{quiz.pk}")
