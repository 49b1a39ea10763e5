"""Sign-in cannot be turned into a weapon: lockouts end on time, they are per client
behind a proxy, and the staff number is no second budget for the same account."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.cache import cache
from django.test import override_settings

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def person(tree):
    profile = StaffFactory(unit=tree["G1"], staff_no="J777", name="王七")
    profile.user.username = "wangqi"
    profile.user.email = "wangqi@example.org"
    profile.user.set_password("pass12345")
    profile.user.save()
    return profile


def sign_in(client, username, password, **headers):
    return client.post(
        LOGIN, {"username": username, "password": password}, headers=headers
    )


def age_attempts(minutes):
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= dt.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


@override_settings(AXES_FAILURE_LIMIT=3)
def test_tries_during_a_lockout_do_not_extend_it(client, person):
    for _ in range(3):
        sign_in(client, "J777", "wrong")
    age_attempts(20)
    # Someone keeps trying during the lockout: refused, and not counted.
    assert sign_in(client, "J777", "wrong").status_code == 429
    assert sign_in(client, "wangqi", "wrong").status_code == 429
    age_attempts(11)  # 31 minutes after the lockout began, 11 after the last try
    response = sign_in(client, "J777", "pass12345")
    assert response.status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3)
def test_the_staff_number_and_the_account_name_share_one_budget(client, person):
    sign_in(client, "wangqi", "wrong")
    sign_in(client, "wangqi", "wrong")
    sign_in(client, "J777", "wrong")
    # Three failures of one account: locked, whichever name is typed.
    assert sign_in(client, "J777", "pass12345").status_code == 429
    assert sign_in(client, "wangqi", "pass12345").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"wangqi"}


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_an_attacker_cannot_lock_out_someone_else(client, person):
    attacker = {"X-Forwarded-For": "10.0.0.66"}
    for _ in range(5):
        sign_in(client, "J777", "wrong", **attacker)
    assert sign_in(client, "J777", "pass12345", **attacker).status_code == 429
    # The owner, at their own desk behind the same proxy, still signs in.
    owner = {"X-Forwarded-For": "10.0.0.7"}
    assert sign_in(client, "J777", "pass12345", **owner).status_code == 302


@override_settings(AXES_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_a_forged_forwarded_address_does_not_escape_the_lockout(client, person):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        sign_in(client, "J777", "wrong", **{"X-Forwarded-For": f"{forged}, 10.0.0.66"})
    response = sign_in(
        client, "J777", "pass12345", **{"X-Forwarded-For": "4.4.4.4, 10.0.0.66"}
    )
    assert response.status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_without_a_configured_proxy_the_forwarded_header_is_ignored(client, person):
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        sign_in(client, "J777", "wrong", **{"X-Forwarded-For": forged})
    response = sign_in(client, "J777", "pass12345", **{"X-Forwarded-For": "4.4.4.4"})
    assert response.status_code == 429


@override_settings(RATE_LIMITS={"sign_in": (4, 300), "password_reset": (2, 3600)})
def test_sign_in_posts_are_limited_per_address_with_a_clear_message(client, person):
    for number in range(4):
        # Different accounts: the account lockout never comes into play.
        sign_in(client, f"nobody{number}", "wrong")
    response = sign_in(client, "J777", "pass12345")
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录尝试过于频繁" in page and "分钟后再试" in page
    assert response["Retry-After"] == "300"
    assert not response.wsgi_request.user.is_authenticated
    # The admin's sign-in counts against the same limit.
    admin = client.post("/admin/login/", {"username": "J777", "password": "pass12345"})
    assert admin.status_code == 429


@override_settings(
    RATE_LIMITS={"sign_in": (4, 300), "password_reset": (2, 3600)},
    TRUSTED_PROXY_COUNT=1,
)
def test_the_sign_in_limit_counts_each_client_behind_the_proxy(client, person):
    for number in range(5):
        sign_in(client, f"nobody{number}", "wrong", **{"X-Forwarded-For": "10.0.0.66"})
    response = sign_in(client, "J777", "pass12345", **{"X-Forwarded-For": "10.0.0.7"})
    assert response.status_code == 302


@override_settings(RATE_LIMITS={"sign_in": (4, 300), "password_reset": (2, 3600)})
def test_password_reset_mails_are_limited_per_address(client, person):
    person.user.is_staff = True
    person.user.save()
    answers = [
        client.post("/admin/password_reset/", {"email": "wangqi@example.org"})
        for _ in range(10)
    ]
    assert [a.status_code for a in answers[:2]] == [302, 302]
    assert {a.status_code for a in answers[2:]} == {429}
    assert "找回密码的请求过于频繁" in answers[-1].content.decode()
    assert len(mail.outbox) <= 2


@override_settings(RATE_LIMITS={"sign_in": (1, 300), "password_reset": (1, 3600)})
def test_the_limit_lets_people_in_when_its_counter_cannot_be_kept(
    client, person, monkeypatch
):
    from config import throttle

    def unreachable(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(throttle.cache, "add", unreachable)
    sign_in(client, "nobody", "wrong")
    assert sign_in(client, "J777", "pass12345").status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1", "10.0.0.1"),  # no proxy: the header is ignored
        (1, "9.9.9.9, 1.1.1.1", "10.0.0.1", "1.1.1.1"),  # the proxy's entry
        (2, "9.9.9.9, 1.1.1.1, 172.16.0.2", "10.0.0.1", "1.1.1.1"),
        (2, "1.1.1.1", "10.0.0.1", "10.0.0.1"),  # fewer entries than proxies
        (1, "not-an-address", "10.0.0.1", "10.0.0.1"),
        (1, "", "", None),  # a request built in code has no address
    ],
)
def test_the_client_address_is_read_as_far_as_the_proxies_vouch(
    rf, settings, proxies, forwarded, remote, expected
):
    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR=remote)
    assert client_ip(request) == expected
