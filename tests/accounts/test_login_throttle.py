"""Failed logins per client address (beside axes' lockout of a username): after LOGIN_CAPTCHA_AFTER
failures the login form asks for a captcha, after LOGIN_FAILURES.limit the address waits; another address
is not held back."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from kejiju.accounts.throttles import LOGIN_CAPTCHA_AFTER, LOGIN_FAILURES
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def _fail(client, times: int) -> None:
    for n in range(times):  # a different username each time: axes' lockout of one name is not the point
        client.post(LOGIN, {"username": f"nobody{n}", "password": "wrong"})


def test_an_address_that_failed_often_answers_a_captcha(client, bureau_user):
    assert "captcha" not in client.get(LOGIN).context["form"].fields
    _fail(client, LOGIN_CAPTCHA_AFTER)
    assert "captcha" in client.get(LOGIN).context["form"].fields
    refused = client.post(LOGIN, {"username": bureau_user.username, "password": TEST_PASSWORD})
    assert refused.status_code == 200 and "请输入验证码" in refused.content.decode()
    client.get(reverse("core:captcha", kwargs={"scope": "accounts.login"}))
    code = client.session["captcha:accounts.login"]["code"]
    response = client.post(
        LOGIN, {"username": bureau_user.username, "password": TEST_PASSWORD, "captcha": code}
    )
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(bureau_user.pk)


def test_an_address_that_failed_too_often_waits_and_another_does_not(client, bureau_user):
    _fail(client, LOGIN_FAILURES.limit)
    response = client.post(LOGIN, {"username": bureau_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 429 and LOGIN_FAILURES.message in response.content.decode()
    other = Client(REMOTE_ADDR="10.9.9.9")
    response = other.post(LOGIN, {"username": bureau_user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
