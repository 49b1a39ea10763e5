"""50 concurrent "finish" posts for one attempt: one state change, one grade, one
announcement."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.django_db(transaction=True)


def test_fifty_concurrent_submits_finish_the_attempt_once(
    postgres_only, reference_data, learner
):
    from assessments.models import Attempt
    from assessments.services import attempt_save, attempt_start
    from assessments.signals import attempt_finished
    from tests.assessments.factories import make_question, make_quiz

    questions = [
        make_question(f"F-{n}", type="true_false", correct_bool=True) for n in range(3)
    ]
    quiz = make_quiz("fault-finish", questions)
    attempt = attempt_start(user=learner, quiz=quiz)
    attempt_save(
        attempt_id=attempt.pk,
        user=learner,
        seq=0,
        answers={1: {"value": True}, 2: {"value": False}, 3: {"value": True}},
    )
    announced = []
    lock = threading.Lock()

    def receiver(sender, attempt, **kwargs):
        with lock:
            announced.append(attempt.pk)

    attempt_finished.connect(receiver, weak=False)
    barrier = threading.Barrier(50)
    statuses = []

    def post():
        client = Client()
        client.force_login(learner, backend=settings.AUTHENTICATION_BACKENDS[-1])
        barrier.wait()
        try:
            response = client.post(f"/quizzes/attempts/{attempt.pk}/submit/")
            with lock:
                statuses.append(response.status_code)
        finally:
            connection.close()

    try:
        threads = [threading.Thread(target=post) for _ in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    finally:
        attempt_finished.disconnect(receiver)
    attempt.refresh_from_db()
    assert statuses and all(s in (200, 302) for s in statuses), statuses
    assert attempt.status == Attempt.Status.FINISHED
    # seq: 1 after the save, +1 for the single state change of the submit.
    assert attempt.seq == 2
    assert attempt.score is not None
    assert float(attempt.score_percent) == pytest.approx(66.67, abs=0.01)
    assert announced == [attempt.pk]
    assert Attempt.objects.filter(user=learner, quiz=quiz).count() == 1
