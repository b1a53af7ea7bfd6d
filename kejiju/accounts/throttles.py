"""The login page faces the internet once units log in: failed logins are counted per client address
(kejiju.core.throttle), beside django-axes' lockout of a username. A bureau's offices share an address
behind one gateway, so only failures count, and generously: after LOGIN_CAPTCHA_AFTER failures the address
answers a captcha, after LOGIN_FAILURES.limit it waits."""

from __future__ import annotations

from django.contrib.auth.signals import user_login_failed
from django.dispatch import receiver

from kejiju.core.throttle import Throttle

LOGIN_CAPTCHA_AFTER = 10
LOGIN_FAILURES = Throttle(
    scope="accounts.login",
    limit=40,
    window=15 * 60,
    message="本网络地址登录失败次数过多，请 15 分钟后再试。",
)


@receiver(user_login_failed, dispatch_uid="kejiju.accounts.count_login_failures")
def _count_failure(sender, credentials=None, request=None, **kwargs) -> None:
    if request is not None:
        LOGIN_FAILURES.hit(request)
