"""A broker that cannot be reached never turns a stored submission into an error."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from kombu.exceptions import OperationalError

from assessments import services, tasks
from assessments.models import Attempt
from tests.assessments.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to a broker (not in-process), and the broker refuses every send."""
    sent = []

    def refused(*args, **kwargs):
        sent.append(args)
        raise OperationalError("Error 111 connecting to broker. Connection refused.")

    monkeypatch.setattr(tasks.compute_quiz_statistics, "apply_async", refused)
    conf = tasks.compute_quiz_statistics.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    yield sent
    conf.task_always_eager = eager


def test_a_submission_stands_when_the_broker_is_down(
    client, learner, reference_data, broker_down, django_capture_on_commit_callbacks
):
    quiz = make_quiz("broker-down", [make_question("BD-1")])
    cache.delete(f"assessments:statistics-due:{quiz.pk}")
    client.force_login(learner)
    attempt = services.attempt_start(user=learner, quiz=quiz)
    with django_capture_on_commit_callbacks(execute=True):
        reply = client.post(reverse("assessments:submit", args=[attempt.pk]))
    assert broker_down, "the statistics recompute was sent (and refused)"
    assert reply.status_code == 302
    attempt.refresh_from_db()
    assert attempt.status == Attempt.Status.FINISHED
    assert client.get(reply["Location"]).status_code == 200
    cache.delete(f"assessments:statistics-due:{quiz.pk}")


def test_the_periodic_recompute_covers_a_refused_send():
    """What the refused send would have done runs on the beat schedule anyway."""
    from config.celery import app

    schedule = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "assessments.tasks.compute_all_statistics" in schedule


def test_sending_reports_a_refused_send_instead_of_raising(broker_down):
    from config.tasks import send

    assert send(tasks.compute_quiz_statistics, 1, countdown=5) is False
    assert len(broker_down) == 1
