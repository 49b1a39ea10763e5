"""A learner hears when a marker has marked their essay, once, with a link to it."""

import pytest
from django.urls import reverse

from assessments import services
from assessments.services.marking import response_mark
from learning.campaigns.models import Notification
from tests.assessments.factories import make_question, make_quiz

pytestmark = pytest.mark.django_db


def _submitted_essay(learner):
    quiz = make_quiz("essay-n", [make_question("ES-N", type="essay", points="10")])
    attempt = services.attempt_start(user=learner, quiz=quiz)
    services.attempt_save(
        attempt_id=attempt.pk, user=learner, seq=0, answers={1: {"text": "答"}}
    )
    services.attempt_submit(attempt_id=attempt.pk, user=learner)
    return attempt


def test_the_learner_is_told_once_when_the_essay_is_marked(
    client, reference_data, learner, trainer, django_capture_on_commit_callbacks
):
    attempt = _submitted_essay(learner)
    assert not Notification.objects.filter(user=learner).exists()
    response = attempt.items.get().response

    with django_capture_on_commit_callbacks(execute=True):
        response_mark(response=response, marker=trainer, score="8", comment="好")
    with django_capture_on_commit_callbacks(execute=True):
        response_mark(response=response, marker=trainer, score="9", comment="更正")

    notice = Notification.objects.get(user=learner, kind="marked")
    assert notice.link == reverse("assessments:result", args=[attempt.pk])
    client.force_login(learner)
    html = client.get(reverse("campaigns:notifications")).content.decode()
    assert "已评阅" in html and "80%" in html


def test_a_quiz_graded_on_submit_sends_no_notice(
    reference_data, learner, django_capture_on_commit_callbacks
):
    quiz = make_quiz("auto-n", [make_question("AU-N")])
    with django_capture_on_commit_callbacks(execute=True):
        attempt = services.attempt_start(user=learner, quiz=quiz)
        services.attempt_submit(attempt_id=attempt.pk, user=learner)
    assert not Notification.objects.filter(user=learner).exists()
