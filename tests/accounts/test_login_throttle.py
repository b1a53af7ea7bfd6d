"""The login page against an outsider (issue 23): axes locks the pair (username, client address), never the
username alone; a username that failed, or an address that failed LOGIN_CAPTCHA_AFTER times, answers the
captcha, checked before the password; an address that failed LOGIN_FAILURES.limit times waits. County
usernames are predictable: a stranger spraying them from one address must not lock a county office out.

Addresses come through the real resolution (kejiju.core.clientip): a trusted proxy's X-Forwarded-For, or
REMOTE_ADDR when no proxy is trusted."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client

from kejiju.accounts import services
from kejiju.accounts.throttles import (
    FAILED_USERNAMES,
    LOGIN_CAPTCHA_AFTER,
    LOGIN_FAILURES,
    username_subject,
)
from tests.factories import TEST_PASSWORD
from tests.logins import LOGIN, captcha_code, login_post

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"
COUNTY_CODES = [
    "140902",
    "140921",
    "140922",
    "140923",
    "140924",
    "140925",
    "140926",
    "140927",
    "140928",
    "140929",
    "140930",
    "140931",
    "140932",
    "140981",
    "140971",
    "140900",
]


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]


def _browser(address: str) -> Client:
    """A browser at `address`, reaching the site through the trusted proxy (which appends the address)."""
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.99, {address}")


def _failures(username: str) -> int:
    return AccessAttempt.objects.filter(username=username).aggregate(n=Sum("failures_since_start"))["n"] or 0


def _logged_in(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


def _asks_captcha(client) -> bool:
    return "captcha" in client.get(LOGIN).context["form"].fields


# ------------------------------------------------------------------------------ lockout by the pair


def test_fifty_failures_from_one_address_do_not_lock_the_account_out_elsewhere(behind_proxy, county_user):
    county_user.username = "county_140902"
    county_user.save(update_fields=["username"])
    attacker = _browser(ATTACKER)
    for _ in range(50):  # the captcha answered every time: the worst case, a solver
        login_post(attacker, "county_140902", "wrong-password")
    assert services.user_is_locked(county_user, ip_address=ATTACKER)
    assert not services.user_is_locked(county_user, ip_address=OFFICE)
    refused = login_post(attacker, "county_140902", TEST_PASSWORD)
    assert refused.status_code == 429 and not _logged_in(attacker, county_user)

    office = _browser(OFFICE)
    response = login_post(office, "county_140902", TEST_PASSWORD)
    assert response.status_code == 302 and _logged_in(office, county_user)
    # The office's login does not lift the stranger's lockout.
    assert services.user_is_locked(county_user, ip_address=ATTACKER)


def test_a_locked_pair_is_told_so_in_chinese_and_another_address_is_not(county_user):
    for _ in range(5):
        login_post(Client(), county_user.username, "wrong-password")  # every one from 127.0.0.1
    client = Client()
    response = login_post(client, county_user.username, TEST_PASSWORD)
    page = response.content.decode()
    assert response.status_code == 429 and "账户已锁定" in page and "本网络地址" in page
    assert not _logged_in(client, county_user)
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert login_post(other, county_user.username, TEST_PASSWORD).status_code == 302


# ------------------------------------------------------------------------------ the captcha


def test_the_captcha_appears_after_a_failure_of_the_username_not_before(county_user, bureau_user):
    client = Client()
    assert not _asks_captcha(client)
    # Before any failure, the right password alone logs in (from anywhere).
    first = Client(REMOTE_ADDR="10.9.9.9")
    assert first.post(LOGIN, {"username": bureau_user.username, "password": TEST_PASSWORD}).status_code == 302

    response = client.post(LOGIN, {"username": county_user.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "captcha" in response.context["form"].fields  # shown with the failure already
    assert 'data-testid="captcha-image"' in response.content.decode()

    # From another address, that username now answers the captcha; another username does not.
    other = Client(REMOTE_ADDR="10.9.9.8")
    assert not _asks_captcha(other)  # the page does not know the name yet
    refused = other.post(LOGIN, {"username": county_user.username, "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "请输入验证码" in refused.content.decode()
    assert not _logged_in(other, county_user)
    ok = other.post(LOGIN, {"username": bureau_user.username, "password": TEST_PASSWORD})
    assert ok.status_code == 302


def test_the_captcha_appears_after_five_failures_of_one_address_across_usernames(behind_proxy):
    client = _browser(ATTACKER)
    for n in range(LOGIN_CAPTCHA_AFTER - 1):
        client.post(LOGIN, {"username": f"nobody{n}", "password": "wrong"})
    assert not _asks_captcha(client)  # one colleague's typo (or four) puts no captcha on the office
    client.post(LOGIN, {"username": "nobody-last", "password": "wrong"})
    assert LOGIN_FAILURES.count(client.get(LOGIN).wsgi_request) == LOGIN_CAPTCHA_AFTER
    assert _asks_captcha(client)
    assert not _asks_captcha(_browser(OFFICE))


def test_a_wrong_or_missing_captcha_never_reaches_authenticate(monkeypatch, county_user):
    import django.contrib.auth.forms as auth_forms

    client = Client()
    client.post(LOGIN, {"username": county_user.username, "password": "wrong-password"})
    assert _failures(county_user.username) == 1
    calls = []
    real = auth_forms.authenticate

    def counting(*args, **kwargs):
        calls.append(kwargs.get("username"))
        return real(*args, **kwargs)

    monkeypatch.setattr(auth_forms, "authenticate", counting)

    missing = client.post(LOGIN, {"username": county_user.username, "password": TEST_PASSWORD})
    assert missing.status_code == 200 and "请输入验证码" in missing.content.decode()
    captcha_code(client)
    wrong = client.post(
        LOGIN, {"username": county_user.username, "password": TEST_PASSWORD, "captcha": "0000"}
    )
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert calls == [] and _failures(county_user.username) == 1
    assert not _logged_in(client, county_user)
    # The picture's code is checked once: an answer read before a wrong try does not work after it.
    code = captcha_code(client)
    client.post(LOGIN, {"username": county_user.username, "password": TEST_PASSWORD, "captcha": "0000"})
    stale = client.post(LOGIN, {"username": county_user.username, "password": TEST_PASSWORD, "captcha": code})
    assert stale.status_code == 200 and calls == [] and not _logged_in(client, county_user)


def test_the_right_captcha_and_password_log_in_and_clear_the_username(county_user):
    client = Client()
    client.post(LOGIN, {"username": county_user.username, "password": "wrong-password"})
    subject = username_subject(county_user.username)
    assert FAILED_USERNAMES.count(subject=subject) == 1 and _failures(county_user.username) == 1
    response = login_post(client, county_user.username, TEST_PASSWORD)
    assert response.status_code == 302 and _logged_in(client, county_user)
    assert FAILED_USERNAMES.count(subject=subject) == 0
    assert _failures(county_user.username) == 0  # axes forgets this address's failures of the account
    other = Client(REMOTE_ADDR="10.9.9.9")
    response = other.post(LOGIN, {"username": county_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302 and _logged_in(other, county_user)


# ------------------------------------------------------------------------------ per-address throttle


def test_an_address_spraying_usernames_waits_and_another_address_does_not(behind_proxy, county_user):
    county_user.username = "county_140902"
    county_user.save(update_fields=["username"])
    attacker = _browser(ATTACKER)
    answered = 0
    for _ in range(3):
        for code in COUNTY_CODES:
            response = login_post(attacker, f"county_{code}", "wrong-password")
            answered += response.status_code != 429
    assert answered == LOGIN_FAILURES.limit  # each try reached the password check until the wait began
    refused = login_post(attacker, "county_140902", TEST_PASSWORD)
    page = refused.content.decode()
    assert refused.status_code == 429 and "请稍后再试" in page and not _logged_in(attacker, county_user)
    # No account is locked for anyone else: the office logs in (answering the captcha its name now asks).
    assert not services.user_is_locked(county_user, ip_address=OFFICE)
    office = _browser(OFFICE)
    response = login_post(office, "county_140902", TEST_PASSWORD)
    assert response.status_code == 302 and _logged_in(office, county_user)
