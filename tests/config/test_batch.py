"""Periodic and batch tasks: one bad item is logged and counted, the others still run."""

import datetime as dt
from unittest import mock

import pytest

from config.batch import run_isolated
from learning.campaigns import reminders, services
from learning.campaigns.models import Campaign, Reminder
from organisation.models import Unit
from tests.campaigns.factories import make_campaign, make_course
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_a_failing_step_is_rolled_back_and_the_batch_carries_on(caplog):
    def step(code):
        Unit.objects.create(code=code, name=code, level="province", path=f"{code}/")
        if code == "BAD":
            raise ValueError("boom")

    outcome = run_isolated(["A", "BAD", "B"], step, what="creating units")
    assert (outcome.done, outcome.failed, outcome.failures) == (2, 1, ["'BAD'"])
    assert sorted(Unit.objects.values_list("code", flat=True)) == ["A", "B"]
    assert "creating units failed for 'BAD'" in caplog.text
    # The surrounding transaction is still usable (PostgreSQL aborts it otherwise).
    assert Unit.objects.count() == 2


@pytest.fixture
def two_campaigns(reference_data, tree):
    course = make_course(reference_data, "LAW-1")
    StaffFactory(unit=tree["G1"], staff_no="T1")
    start, due = dt.date(2026, 3, 1), dt.date(2026, 6, 30)
    first = make_campaign([course], code="A-1", starts_on=start, due_on=due)
    second = make_campaign([course], code="B-1", starts_on=start, due_on=due)
    return first, second, due


def _failing_for(code, real):
    def wrapped(campaign, *args, **kwargs):
        if campaign.code == code:
            raise RuntimeError("a campaign nobody foresaw")
        return real(campaign, *args, **kwargs)

    return wrapped


def test_reminders_of_other_campaigns_are_planned_when_one_fails(two_campaigns):
    first, second, due = two_campaigns
    real = reminders.campaign_cycle
    with mock.patch.object(reminders, "campaign_cycle", _failing_for("A-1", real)):
        planned = reminders.plan_learner_reminders(today=due - dt.timedelta(days=7))
    assert planned >= 1
    assert set(Reminder.objects.values_list("campaign__code", flat=True)) == {"B-1"}


def test_audience_sync_carries_on_past_a_failing_campaign(two_campaigns):
    real = services.campaign_sync_audience

    def sync(*, campaign, today=None):
        if campaign.code == "A-1":
            raise RuntimeError("boom")
        return real(campaign=campaign, today=today)

    with mock.patch.object(services, "campaign_sync_audience", sync):
        changes = services.campaigns_sync_all()
    assert set(changes) == {"B-1"}
    assert Campaign.objects.count() == 2


def test_item_statistics_of_other_quizzes_are_computed_when_one_fails(learner):
    from assessments import services as assessment_services
    from assessments.services import statistics
    from assessments.tasks import compute_all_statistics
    from tests.assessments.factories import make_question, make_quiz

    quizzes = [make_quiz(f"s{n}", [make_question(f"S{n}")]) for n in range(2)]
    for quiz in quizzes:
        attempt = assessment_services.attempt_start(user=learner, quiz=quiz)
        assessment_services.attempt_submit(attempt_id=attempt.pk)
    computed = []
    real = statistics.statistics_compute

    def compute(*, quiz_id):
        if quiz_id == quizzes[0].pk:
            raise ArithmeticError("boom")
        computed.append(quiz_id)
        return real(quiz_id=quiz_id)

    with mock.patch.object(statistics, "statistics_compute", compute):
        assert compute_all_statistics() == {"quizzes": 1, "failed": 1}
    assert computed == [quizzes[1].pk]
