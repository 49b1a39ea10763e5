"""Reminders sent by a real Celery worker (CI's PostgreSQL/Redis pass only)."""

import datetime as dt
import time

import pytest
from django.utils import timezone

from learning.campaigns.models import Notification, Reminder
from learning.campaigns.tasks import send_learner_reminders
from tests.factories import StaffFactory

from .factories import make_campaign, make_course

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def test_a_real_worker_plans_and_delivers_reminders_once(
    reference_data, tree, celery_worker
):
    today = timezone.localdate()
    course = make_course(reference_data, "LAW-1")
    person = StaffFactory(unit=tree["G1"], staff_no="W1")
    make_campaign(
        [course],
        starts_on=today - dt.timedelta(days=10),
        due_on=today + dt.timedelta(days=7),
    )

    send_learner_reminders.delay()
    send_learner_reminders.delay()  # the schedule fires twice

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Reminder.objects.filter(status="sent").exists():
            break
        time.sleep(0.5)
    time.sleep(2)
    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.kind, reminder.status) == (
        person.user,
        "due_7",
        "sent",
    )
    assert Notification.objects.filter(user=person.user).count() == 1
