import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import UserFactory

SCREENS = (
    "wagtailsnippets_hours_requirement:list",
    "wagtailsnippets_hours_requirement:add",
    "wagtailsnippets_hours_centralisedclass:list",
    "wagtailsnippets_hours_centralisedclass:add",
    "wagtailsnippets_hours_ledgerentry:list",
    "wagtailsnippets_hours_ledgerentry:add",
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCREENS)
def test_an_administrator_opens_the_hours_screens(client, name):
    user = UserFactory(is_superuser=False, is_staff=False)
    user.groups.add(Group.objects.get(name="Administrators"))
    client.force_login(user)
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCREENS)
def test_a_learner_cannot_open_the_hours_screens(client, name):
    client.force_login(UserFactory(is_superuser=False, is_staff=False))
    assert client.get(reverse(name)).status_code != 200


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse(SCREENS[0]))
    assert response.status_code == 302
