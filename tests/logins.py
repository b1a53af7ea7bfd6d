"""Logging in through the login page as a person does: when the page asks for the captcha (a username
that failed, an address that failed often), the person reads the picture. A test that does not test the
captcha itself logs in with `login_post`, which always answers one (a form that asks for none ignores it)."""

from __future__ import annotations

from django.urls import reverse

from tests.factories import TEST_PASSWORD

LOGIN = reverse("accounts:login")
CAPTCHA = reverse("core:captcha", kwargs={"scope": "accounts.login"})


def captcha_code(client, **extra) -> str:
    """Draw a new login captcha for `client`'s session (as the page's picture does) and read its code."""
    client.get(CAPTCHA, **extra)
    return client.session["captcha:accounts.login"]["code"]


def login_post(client, username, password=TEST_PASSWORD, **extra):
    data = {"username": username, "password": password, "captcha": captcha_code(client, **extra)}
    return client.post(LOGIN, data, **extra)
