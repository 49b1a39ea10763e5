"""The language switch stores a signed-in person's choice for their reminder emails."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from organisation.models import LanguagePreference
from tests.factories import StaffFactory

SWITCH = "set_language"


@pytest.mark.django_db
def test_a_visitor_switches_the_page_language_but_stores_nothing(client):
    response = client.post(reverse(SWITCH), {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
    assert not LanguagePreference.objects.exists()


@pytest.mark.django_db
def test_it_stores_and_then_changes_the_signed_in_persons_choice(client, tree):
    person = StaffFactory(unit=tree["G1-D1"])
    client.force_login(person.user)

    client.post(reverse(SWITCH), {"language": "en", "next": "/"})
    assert LanguagePreference.objects.get(user=person.user).language == "en"
    client.post(reverse(SWITCH), {"language": "zh-hans", "next": "/"})
    assert LanguagePreference.objects.get(user=person.user).language == "zh-hans"
    assert LanguagePreference.objects.count() == 1


@pytest.mark.django_db
def test_it_never_touches_another_units_persons_choice(client, tree):
    mine = StaffFactory(unit=tree["G1-D1"])
    other = StaffFactory(unit=tree["G2"])
    LanguagePreference.objects.create(user=other.user, language="zh-hans")
    client.force_login(mine.user)

    client.post(reverse(SWITCH), {"language": "en", "next": "/"})

    assert LanguagePreference.objects.get(user=other.user).language == "zh-hans"
    assert LanguagePreference.objects.get(user=mine.user).language == "en"


@pytest.mark.django_db
def test_an_unknown_language_or_a_get_stores_nothing(client, tree):
    client.force_login(StaffFactory(unit=tree["G1-D1"]).user)

    client.post(reverse(SWITCH), {"language": "xx", "next": "/"})
    client.get(reverse(SWITCH), {"language": "en"})

    assert not LanguagePreference.objects.exists()


@pytest.mark.django_db
def test_the_notifications_page_keeps_a_stored_choice(client, tree):
    person = StaffFactory(unit=tree["G1-D1"])
    LanguagePreference.objects.create(user=person.user, language="en")
    client.force_login(person.user)

    client.get(reverse("campaigns:notifications"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert LanguagePreference.objects.get(user=person.user).language == "en"


@pytest.mark.django_db(transaction=True)
def test_the_migration_carries_every_stored_choice_over(tree):
    before = [
        ("organisation", "0007_import_audit"),
        ("campaigns", "0003_repair_campaign_codes"),
    ]
    people = [StaffFactory(unit=tree["G1-D1"]).user for _n in range(3)]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old = old_apps.get_model("campaigns", "LanguagePreference")
    old.objects.create(user_id=people[0].pk, language="en")
    old.objects.create(user_id=people[1].pk, language="zh-hans")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    stored = dict(LanguagePreference.objects.values_list("user_id", "language"))
    assert stored == {people[0].pk: "en", people[1].pk: "zh-hans"}
