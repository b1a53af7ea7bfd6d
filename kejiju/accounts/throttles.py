"""What an outsider can do against the login page, and what holds them back (issue 23). County usernames
are predictable (`county_140902` …), so nothing here may let a stranger lock a county office out:

- django-axes locks the pair (username, client address) after 5 failures for 30 minutes
  (AXES_LOCKOUT_PARAMETERS): failures from one address never lock the same account used from another.
- Failed logins are counted per client address (kejiju.core.throttle): after LOGIN_CAPTCHA_AFTER failures
  in the window the address answers a captcha, after LOGIN_FAILURES.limit it waits (请稍后再试). A bureau's
  offices share an address behind one gateway, so only failures count, and generously.
- A username that failed (from any address) within axes' cool-off answers a captcha too (FAILED_USERNAMES),
  until it logs in. The captcha is the session picture of kejiju.core.captcha, checked before the
  password: a wrong or missing answer never reaches `authenticate`."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from kejiju.core.throttle import Throttle

CAPTCHA_SCOPE = "accounts.login"
LOGIN_CAPTCHA_AFTER = 5
LOGIN_FAILURES = Throttle(
    scope="accounts.login",
    limit=40,
    window=15 * 60,
    message="本网络地址登录失败次数过多，请稍后再试（15 分钟后）。",
)
# One failure of a username is enough: the captcha then stands between any address and that account.
FAILED_USERNAMES = Throttle(
    scope="accounts.login.username",
    limit=1,
    window=int(settings.AXES_COOLOFF_TIME.total_seconds()),
    message="该账户近期登录失败，请输入验证码。",
    sliding=True,
)


def username_subject(username: str | None) -> str:
    """A username as the login form cleans it (NFKC, stripped), case-folded: one count per account name."""
    return unicodedata.normalize("NFKC", (username or "").strip()).casefold()


def login_needs_captcha(request, username: str | None = None) -> bool:
    """Whether a login from `request` (for `username`, when known) must answer the captcha."""
    if LOGIN_FAILURES.count(request) >= LOGIN_CAPTCHA_AFTER:
        return True
    subject = username_subject(username)
    return bool(subject) and FAILED_USERNAMES.count(subject=subject) > 0


@receiver(user_login_failed, dispatch_uid="kejiju.accounts.count_login_failures")
def _count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    if request is not None:
        LOGIN_FAILURES.hit(request)
    subject = username_subject(str((credentials or {}).get("username") or ""))
    if subject:
        FAILED_USERNAMES.hit(subject=subject)


@receiver(user_logged_in, dispatch_uid="kejiju.accounts.clear_username_failures")
def _clear_on_login(sender, request=None, user=None, **kwargs) -> None:
    if user is not None:
        FAILED_USERNAMES.clear(subject=username_subject(user.get_username()))
