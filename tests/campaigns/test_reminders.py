"""Reminders: the right people on the right day, never twice, retried, logged, and in
the recipient's language."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from learning.campaigns import reminders
from learning.campaigns.models import Notification, Reminder
from learning.campaigns.services import exemption_grant
from organisation.models import LanguagePreference, StaffProfile
from tests.factories import StaffFactory

from .factories import complete, make_campaign, make_course

pytestmark = pytest.mark.django_db
START = dt.date(2026, 3, 1)
DUE = dt.date(2026, 6, 30)


@pytest.fixture
def setup(reference_data, tree):
    course = make_course(reference_data, "LAW-1")
    people = [
        StaffFactory(unit=tree["G1-D1"], staff_no=f"R{n}", email=f"r{n}@jcy.example")
        for n in range(3)
    ]
    for p in people:
        p.user.email = p.email
        p.user.save()
    campaign = make_campaign([course], starts_on=START, due_on=DUE)
    complete(people[0].user, course, dt.date(2026, 4, 1))
    exemption_grant(campaign=campaign, staff=people[1], reason="病假", approver="x")
    return campaign, people


def deliver_all(today):
    for reminder_id in reminders.pending_reminder_ids():
        reminders.reminder_deliver(reminder_id=reminder_id, today=today)


def test_due_in_seven_days_reaches_only_those_not_done_nor_exempt(setup):
    campaign, people = setup
    planned = reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=7))
    deliver_all(DUE - dt.timedelta(days=7))

    assert planned == 1
    reminder = Reminder.objects.get()
    assert (reminder.user, reminder.kind) == (people[2].user, "due_7")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["r2@jcy.example"]
    assert "7" in mail.outbox[0].subject
    assert Notification.objects.filter(user=people[2].user).count() == 1


def test_a_schedule_that_fires_twice_sends_nothing_twice(setup):
    day = DUE - dt.timedelta(days=1)
    reminders.plan_learner_reminders(today=day)
    deliver_all(day)
    reminders.plan_learner_reminders(today=day)
    deliver_all(day)
    for reminder_id in Reminder.objects.values_list("id", flat=True):
        reminders.reminder_deliver(reminder_id=reminder_id)

    assert Reminder.objects.filter(kind="due_1").count() == 1
    assert len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_overdue_reminders_go_out_once_a_week(setup):
    reminders.plan_learner_reminders(today=dt.date(2026, 7, 6))  # Monday
    reminders.plan_learner_reminders(today=dt.date(2026, 7, 8))  # same week
    reminders.plan_learner_reminders(today=dt.date(2026, 7, 13))  # next week
    assert sorted(Reminder.objects.values_list("period", flat=True)) == [
        "2026-W28",
        "2026-W29",
    ]


def test_a_failed_send_is_recorded_and_retried(setup):
    reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=7))
    reminder = Reminder.objects.get()
    with mock.patch(
        "learning.campaigns.reminders.send_mail", side_effect=OSError("smtp down")
    ):
        with pytest.raises(OSError):
            reminders.reminder_deliver(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == "pending" and reminder.attempts == 1
    assert "smtp down" in reminder.last_error
    assert reminder.pk in reminders.pending_reminder_ids()

    reminders.reminder_deliver(reminder_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == "sent" and len(mail.outbox) == 1
    assert Notification.objects.count() == 1


def test_the_email_is_in_the_recipients_language(setup):
    campaign, people = setup
    LanguagePreference.objects.create(user=people[2].user, language="en")
    reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=1))
    deliver_all(DUE - dt.timedelta(days=1))
    assert mail.outbox[0].subject.startswith("Mandatory training due tomorrow")

    LanguagePreference.objects.filter(user=people[2].user).update(language="zh-hans")
    Reminder.objects.all().delete()
    reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=1))
    deliver_all(DUE - dt.timedelta(days=1))
    assert mail.outbox[1].subject.startswith("必修培训明天截止")


def test_unit_leaders_get_a_weekly_digest_of_their_subtree(setup, unit_leader, tree):
    StaffFactory(unit=tree["G3"], staff_no="FAR")  # outside the leader's unit
    reminders.plan_leader_digests(today=dt.date(2026, 7, 6))
    reminders.plan_leader_digests(today=dt.date(2026, 7, 7))
    deliver_all(dt.date(2026, 7, 7))

    digest = Reminder.objects.get(kind="digest")
    assert digest.user == unit_leader
    # R2 is overdue; the leader is in G1 too (overdue); FAR is in G3.
    assert digest.params["overdue"] == 2
    assert digest.params["not_started"] == 0


def test_the_bell_shows_the_unread_count_and_the_page_marks_them_read(client, setup):
    campaign, people = setup
    reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=7))
    deliver_all(DUE - dt.timedelta(days=7))
    client.force_login(people[2].user)

    html = client.get(reverse("campaigns:notifications")).content.decode()
    assert 'class="bell-count"' in html
    assert "7天后截止" in html
    client.post(reverse("campaigns:notifications_read"))
    html = client.get(reverse("campaigns:notifications")).content.decode()
    assert 'class="bell-count"' not in html


def test_the_bell_costs_one_query_and_none_for_visitors(client, setup):
    from django.template import Context, Template

    template = Template("{% include 'includes/notifications_bell.html' %}")
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert template.render(Context({"user": AnonymousUser()})).strip() == ""
    assert len(queries) == 0
    user = StaffProfile.objects.get(staff_no="R2").user
    with CaptureQueriesContext(connection) as queries:
        template.render(Context({"user": user}))
    assert len(queries) == 1


def test_the_notifications_page_needs_a_sign_in(client):
    response = client.get(reverse("campaigns:notifications"))
    assert response.status_code == 302


def test_switching_the_language_stores_it_for_reminder_emails(client, setup):
    campaign, people = setup
    client.force_login(people[2].user)

    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=people[2].user).language == "en"
    # Reading notifications in another browser (no cookie) keeps the stored choice.
    client.cookies.clear()
    client.force_login(people[2].user)
    client.get(reverse("campaigns:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert LanguagePreference.objects.get(user=people[2].user).language == "en"

    reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=1))
    deliver_all(DUE - dt.timedelta(days=1))
    assert mail.outbox[-1].subject.startswith("Mandatory training due tomorrow")

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert LanguagePreference.objects.get(user=people[2].user).language == "zh-hans"


def test_a_reminder_states_the_days_left_on_the_day_it_is_sent(client, setup):
    campaign, people = setup
    reminders.plan_learner_reminders(today=DUE - dt.timedelta(days=7))
    # The due date moved three weeks out before the reminder went: the mail and
    # the bell say what is true on the sending day, not what was planned.
    reminder = Reminder.objects.get()
    reminder.params = {**reminder.params, "due_on": "2026-07-14"}
    reminder.save()
    deliver_all(DUE - dt.timedelta(days=7))

    assert mail.outbox[0].subject.startswith("必修培训21天后截止")
    assert "距截止还有21天" in mail.outbox[0].body
    client.force_login(people[2].user)
    html = client.get(reverse("campaigns:notifications")).content.decode()
    assert "21天后截止" in html and "7天" not in html
