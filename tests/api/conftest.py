import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from organisation.models import RoleAssignment
from organisation.services import role_assign
from tests.campaigns.factories import complete, make_campaign, make_course
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
