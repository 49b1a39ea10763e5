import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from assessments import services as quiz_services
from insights.models import GapCell, GapSnapshot
from organisation.models import Indicator, RoleAssignment
from organisation.services import role_assign
from tests.assessments.factories import make_question, make_quiz, right_keys, wrong_key
from tests.campaigns.factories import complete, lesson_done, make_campaign, make_course
from tests.factories import StaffFactory


class TokenClient:
    """A test client that sends ``Authorization: Bearer`` on every request."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path, data=None, **extra):
        return self.client.get(path, data, headers=self.headers, **extra)

    def post(self, path, payload, **extra):
        return self.client.post(
            path, payload, content_type="application/json", headers=self.headers
        )

    def put(self, path, payload, **extra):
        return self.client.put(
            path, payload, content_type="application/json", headers=self.headers
        )


def token_for(user, name="sync") -> str:
    _instance, plaintext = APIToken.create_token(user=user, name=name)
    return plaintext


@pytest.fixture
def administrator(tree):
    user = StaffFactory(unit=tree["P"], staff_no="AM001", name="平台管理员").user
    role_assign(user=user, role=RoleAssignment.Role.ADMINISTRATOR)
    return user


@pytest.fixture
def api_as(db):
    def make(user):
        return TokenClient(token_for(user) if user is not None else None)

    return make


@pytest.fixture
def revoked_client(learner):
    instance, plaintext = APIToken.create_token(user=learner, name="old")
    instance.revoke()
    return TokenClient(plaintext)


@pytest.fixture
def people(tree):
    """One person in each grassroots unit and department."""
    return {
        code: StaffFactory(unit=tree[code], staff_no=f"S-{code}", name=f"{code}人")
        for code in ("G1", "G1-D1", "G2", "G3")
    }


@pytest.fixture
def campaign(reference_data, tree, people):
    course = make_course(reference_data, "LAW-1")
    today = timezone.localdate()
    campaign = make_campaign(
        [course],
        code="LAW-T",
        starts_on=today - dt.timedelta(days=60),
        due_on=today + dt.timedelta(days=10),
    )
    complete(people["G1-D1"].user, course, today - dt.timedelta(days=2))
    complete(people["G3"].user, course, today - dt.timedelta(days=1))
    campaign.course = course
    return campaign


def sit(user, quiz, *, right: bool):
    attempt = quiz_services.attempt_start(user=user, quiz=quiz)
    answers = {}
    for item in attempt.items.select_related("version"):
        keys = right_keys(item) if right else [wrong_key(item)]
        answers[item.position] = {"keys": keys}
    quiz_services.attempt_save(attempt_id=attempt.pk, user=user, seq=0, answers=answers)
    return quiz_services.attempt_submit(attempt_id=attempt.pk, user=user)


@pytest.fixture
def learning(reference_data, tree, people, learner):
    course = make_course(reference_data, "LAW-1")
    now = timezone.now()
    lesson_done(people["G3"].user, course, now - dt.timedelta(hours=3))
    complete(people["G3"].user, course, timezone.localdate())
    complete(
        people["G1-D1"].user,
        course,
        dt.date(2026, 3, 1),
        source="offline",
    )
    quiz = make_quiz("xq", [make_question(f"XQ{i}") for i in range(1, 3)])
    sit(learner, quiz, right=True)
    sit(people["G3"].user, quiz, right=False)
    return {"course": course, "quiz": quiz}


def fetch_all(client, **params):
    page = client.get("/api/v1/xapi/statements/", params).json()
    statements = list(page["statements"])
    while page["more"]:
        page = client.get(page["more"]).json()
        statements += page["statements"]
    return statements


@pytest.fixture
def attendance(tree, people, learner):
    """A centralised class: the learner signs in by code to its first session; the
    person in G3 is entered from the paper sheet of the second."""
    from hours.models import Attendance, CentralisedClass, ClassSession
    from hours.services import attendance_record, sign_in, sign_in_code_issue

    klass = CentralisedClass.objects.create(
        code="BJ-T",
        title="检察业务培训班",
        organiser=tree["P"],
        starts_on=dt.date(2026, 5, 1),
        ends_on=dt.date(2026, 5, 2),
    )
    klass.rule_units.add(tree["P"])
    opening = ClassSession.objects.create(
        klass=klass, on=dt.date(2026, 5, 1), title="开班", hours=Decimal("3.5")
    )
    second = ClassSession.objects.create(
        klass=klass, on=dt.date(2026, 5, 2), hours=Decimal("7.5")
    )
    code = sign_in_code_issue(session=opening, user=None)
    by_code = sign_in(user=learner, code=code.code)
    by_sheet = attendance_record(
        session=second, staff=people["G3"], hours=Decimal(6), via=Attendance.Via.SHEET
    )
    return {
        "class": klass,
        "sessions": (opening, second),
        "by_code": by_code,
        "by_sheet": by_sheet,
    }


@pytest.fixture
def indicator(tree):
    return Indicator.objects.create(
        code="case_ratio", name="案件比", direction="lower_better"
    )


@pytest.fixture
def snapshot(tree, indicator):
    snapshot = GapSnapshot.objects.create(
        period="2026Q3",
        period_end=dt.date(2026, 9, 30),
        computed_at=timezone.now(),
        payload={
            "correlations": [
                {"indicator_code": "case_ratio", "metric": "mastery", "rho": 0.4}
            ]
        },
    )
    for rank, code in enumerate(["G3", "G1", "G2"]):
        GapCell.objects.create(
            snapshot=snapshot,
            rank=rank,
            unit=tree[code],
            indicator_code="case_ratio",
            level="grassroots",
            value=1.2 + rank,
            priority=1.0 - rank / 10,
            staff_to_remediate=[f"S-{code}"],
        )
    return snapshot
