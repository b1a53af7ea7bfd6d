"""SecurityGateMiddleware: before anything else, a logged-in user whose password is new (set by the system
admin), expired (90 days) or whose role needs two-factor authentication without a device can only reach
the page that fixes it (and log out)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class SecurityGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response = self._gate(request, user)
            if response is not None:
                return response
        return self.get_response(request)

    def _exempt(self, request, *names: str) -> bool:
        if request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL)):
            return True
        return request.path in {reverse(name) for name in ("accounts:logout", *names)}

    def _gate(self, request, user):
        from .services import otp_has_device, otp_required_for

        if user.must_change_password or user.password_expired:
            if self._exempt(request, "accounts:password_change"):
                return None
            if user.must_change_password:
                messages.warning(request, "首次登录或密码被重置后，须先修改密码。")
            else:
                messages.warning(request, f"密码已使用超过 {settings.PASSWORD_MAX_AGE_DAYS} 天，请修改密码。")
            return redirect("accounts:password_change")
        if otp_required_for(user) and not user.is_verified():
            if self._exempt(request, "accounts:otp_setup"):
                return None
            if otp_has_device(user):
                # A session that never gave a code (it cannot come from the login page): start again.
                from django.contrib.auth import logout

                logout(request)
                return redirect(settings.LOGIN_URL)
            messages.warning(request, "您的角色须启用双因素认证：请用手机身份验证器扫码绑定。")
            return redirect("accounts:otp_setup")
        return None


class UserSessionMiddleware:
    """在线用户: notes a logged-in session's last activity on its UserSession row, only when
    SlidingSessionMiddleware saves the session (once every SESSION_REFRESH_SECONDS), never on every
    request. A session whose row has ended meanwhile is logged out. A request bearing the cookie of a
    session that no longer exists, ended by the system admin or by the limit of concurrent sessions, is
    told why (a message the login page shows)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from kejiju.core.middleware import REFRESHED_AT_SESSION_KEY

        from . import services

        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or session is None:
            return self.get_response(request)
        if user.is_authenticated:
            pk = session.get(services.USER_SESSION_KEY)
            if pk is None:  # a session opened before sessions were recorded
                services.user_session_start(user=user, request=request)
            else:
                # Written when SlidingSessionMiddleware saves the session, not on every request.
                due = (
                    time.time() - session.get(REFRESHED_AT_SESSION_KEY, 0) >= settings.SESSION_REFRESH_SECONDS
                )
                if due and not services.user_session_touch(pk=pk):
                    return self._ended(request, pk)
        else:
            cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if cookie and session.session_key is None:  # the cookie names a session that is gone
                message = services.user_session_end_message(cookie)
                if message:
                    messages.warning(request, message)
        return self.get_response(request)

    def _ended(self, request, pk):
        from django.contrib.auth import logout

        from .models import UserSession
        from .services import end_message

        row = UserSession.objects.filter(pk=pk).select_related("user").first()
        request.kejiju_logout_reason = "会话已被结束"
        logout(request)
        messages.warning(request, (row and end_message(row)) or "您的会话已结束，请重新登录。")
        return redirect(settings.LOGIN_URL)
