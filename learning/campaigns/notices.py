"""In-app notices that are not reminders: a learner hears when an essay is marked."""

from __future__ import annotations

from django.urls import reverse

from assessments.models import Attempt

from .models import Notification

MARKED = "marked"


def notification_marked(*, attempt_id: int) -> bool:
    """Tell the learner a marker has finished their attempt, once per attempt.

    Called for attempts a marker finished (``attempt_marked``); an attempt graded on
    submit needs no notice. A later re-mark sends nothing new: the link shows the
    current marks. Returns True when a notice is new.
    """
    attempt = (
        Attempt.objects.select_related("quiz")
        .filter(pk=attempt_id, status=Attempt.Status.FINISHED, preview=False)
        .first()
    )
    if attempt is None:
        return False
    if Notification.objects.filter(
        user_id=attempt.user_id, kind=MARKED, params__attempt_id=attempt.pk
    ).exists():
        return False
    Notification.objects.create(
        user_id=attempt.user_id,
        kind=MARKED,
        params={
            "attempt_id": attempt.pk,
            "quiz_title": attempt.quiz.title,
            "score_percent": format(attempt.score_percent.normalize(), "f"),
            "passed": bool(attempt.passed),
        },
        link=reverse("assessments:result", args=[attempt.pk]),
    )
    return True
