"""A small province with every kind of object a route can name, for the security suite.

Own unit is G1 (the unit leader's subtree, the learner in G1-D1); the other unit is
G3 (another city). People, units and files of the other unit carry PLANTED names that
must never reach anyone whose scope does not include G3.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from tests.factories import StaffFactory

PASSWORD = "pw-security-1"
# Distinctive strings planted in the other unit; none may leak to scoped users.
PLANTED_PERSON = "泄漏检查员乙"
PLANTED_STAFF_NO = "ZZLEAK01"
PLANTED_UNIT = "泄漏测试县院"

ROLES = (
    "anonymous",
    "learner",
    "trainer",
    "unit_leader",
    "leadership",
    "administrator",
)


@pytest.fixture
def world(
    tree, learner, unit_leader, leadership, trainer, admin_user, reference_data
) -> dict:
    from assessments.services import attempt_start
    from learning.models import CourseCompletion
    from learning.services import certificate_issue
    from reports.services import export_request
    from tests.assessments.factories import make_question, make_quiz
    from tests.campaigns.factories import make_campaign
    from tests.learning.helpers import catalogue, lessons_of, make_course

    g3 = tree["G3"]
    g3.name = PLANTED_UNIT
    g3.save()
    other = StaffFactory(unit=g3, staff_no=PLANTED_STAFF_NO, name=PLANTED_PERSON).user
    peer = StaffFactory(unit=tree["G1-D1"], staff_no="PEER01", name="同院同事").user
    for user in (learner, unit_leader, leadership, trainer, admin_user, other, peer):
        user.set_password(PASSWORD)
        user.save()

    course = make_course(catalogue(reference_data), code="SEC-101", lessons=2)
    lesson = lessons_of(course)[0]
    question = make_question("SEC-Q1", type="true_false", correct_bool=True)
    quiz = make_quiz("sec-quiz", [question])
    attempt = attempt_start(user=learner, quiz=quiz)
    other_attempt = attempt_start(user=other, quiz=quiz)
    today = timezone.localdate()
    mine = CourseCompletion.objects.create(
        user=learner, course=course, completed_on=today, version=1
    )
    theirs = CourseCompletion.objects.create(
        user=other, course=course, completed_on=today, version=1
    )
    certificate = certificate_issue(completion=mine)
    other_certificate = certificate_issue(completion=theirs)
    campaign = make_campaign(
        [course],
        code="SEC-2026",
        starts_on=today - dt.timedelta(days=30),
        due_on=today + dt.timedelta(days=30),
    )
    province_export = export_request(
        user=leadership,
        campaign=campaign,
        unit=tree["P"],
        as_of=today,
        fmt="csv",
        show="all",
    )
    own_export = export_request(
        user=unit_leader,
        campaign=campaign,
        unit=tree["G1"],
        as_of=today,
        fmt="csv",
        show="all",
    )
    return {
        "tree": tree,
        "users": {
            "learner": learner,
            "trainer": trainer,
            "unit_leader": unit_leader,
            "leadership": leadership,
            "administrator": admin_user,
        },
        "other": other,
        "peer": peer,
        "course": course,
        "lesson": lesson,
        "quiz": quiz,
        "attempt": attempt,
        "other_attempt": other_attempt,
        "certificate": certificate,
        "other_certificate": other_certificate,
        "campaign": campaign,
        "province_export": province_export,
        "own_export": own_export,
    }


def client_for(world: dict, role: str, **kwargs) -> Client:
    client = Client(**kwargs)
    if role != "anonymous":
        # The last backend is the one that loads users (the first is the throttle).
        client.force_login(
            world["users"][role], backend=settings.AUTHENTICATION_BACKENDS[-1]
        )
    return client
