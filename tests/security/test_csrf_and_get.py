"""State changes need a CSRF token, and no GET changes anything."""

from __future__ import annotations

import pytest
from django.test import Client

from .conftest import client_for
from .routes import MATRIX, OPTIONAL

# Who may use each route, so that the refusal seen is the CSRF check and not a
# permission check.
ROLE_FOR = {
    "reports/": "leadership",
    "insights/": "leadership",
    "quizzes/": "learner",
    "learning/": "learner",
    "notifications/": "learner",
}


def _role(route: str) -> str:
    for prefix, role in ROLE_FOR.items():
        if route.startswith(prefix):
            return role
    return "administrator"


def _cases():
    for route, cases in MATRIX.items():
        for label, _method, build, _letters in cases:
            yield route, label, build


@pytest.mark.django_db
def test_every_route_refuses_a_post_without_csrf_token(world):
    accepted = []
    for route, label, build in _cases():
        role = _role(route)
        client = Client(enforce_csrf_checks=True)
        if role != "anonymous":
            client.force_login(world["users"][role])
        response = client.post(build(world), data={"format": "csv"})
        if route in OPTIONAL and response.status_code == 404:
            continue  # not routed in these settings
        if response.status_code != 403:
            accepted.append(f"{route} [{label}] as {role}: {response.status_code}")
    assert not accepted, "\n".join(accepted)


@pytest.mark.django_db
def test_anonymous_sign_in_without_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "L0001", "password": "pw-security-1"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def _state(world) -> dict:
    from assessments.models import Attempt, Response
    from learning.campaigns.models import Campaign, Notification
    from learning.models import LessonProgress
    from reports.models import ReportExport

    return {
        # Opening a lesson records when it was shown (the clock for marking it
        # done), which is no progress: only what the learner did counts here.
        "progress": LessonProgress.objects.exclude(
            marked_done_at=None, completed_at=None
        ).count(),
        "attempts": list(
            Attempt.objects.order_by("pk").values_list("pk", "status", "seq")
        ),
        "responses": list(
            Response.objects.order_by("pk").values_list("pk", "answer", "seq")
        ),
        "exports": ReportExport.objects.count(),
        "campaigns": Campaign.objects.count(),
        "unread": Notification.objects.filter(read_at__isnull=True).count(),
    }


@pytest.mark.django_db
def test_no_get_changes_anything(world):
    before = _state(world)
    for route, label, build in _cases():
        for role in ("learner", "unit_leader", "leadership", "administrator"):
            client = client_for(world, role)
            client.get(build(world))
            if route != "accounts/logout/":
                # A GET never signs anyone out either.
                assert client.session.get("_auth_user_id"), (route, label, role)
    assert _state(world) == before


@pytest.mark.django_db
def test_sign_out_needs_a_post(world):
    client = client_for(world, "learner")
    assert client.get("/accounts/logout/").status_code == 405
    assert client.session.get("_auth_user_id")
