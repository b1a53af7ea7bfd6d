from auditlog.middleware import AuditlogMiddleware as _AuditlogMiddleware
from django.http import HttpResponseNotAllowed
from django.utils.cache import add_never_cache_headers

# The only HTTP methods the portal serves. Django's generic views would also answer PUT (form views treat
# it as POST) and DELETE (DeleteView deletes without the confirmation form); nothing here needs them.
ALLOWED_METHODS = ("GET", "HEAD", "OPTIONS", "POST")


class AllowedMethodsMiddleware:
    """Answers 405 to every method outside ALLOWED_METHODS before any view runs, for every URL (views
    added later included), and keeps the other methods out of the Allow header of OPTIONS answers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ALLOWED_METHODS:
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        response = self.get_response(request)
        if request.method == "OPTIONS" and response.has_header("Allow"):
            allowed = [m.strip() for m in response["Allow"].split(",")]
            response["Allow"] = ", ".join(m for m in allowed if m in ALLOWED_METHODS)
        return response


class NoStoreForAuthenticatedMiddleware:
    """Pages shown to a logged-in user may hold personal or internal data: browsers and proxies must not
    keep them (Cache-Control: no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


LOGIN_AT_SESSION_KEY = "kejiju_login_at"
REFRESHED_AT_SESSION_KEY = "kejiju_refreshed_at"


class SlidingSessionMiddleware:
    """Slides a logged-in session's idle expiry (SESSION_COOKIE_AGE from its last save) forward by saving
    it when it was last saved SESSION_REFRESH_SECONDS ago or more. Saving on every request
    (SESSION_SAVE_EVERY_REQUEST) wrote the session row on every page view; this way the idle limit holds
    to within SESSION_REFRESH_SECONDS and a page view within that minute reads the session only."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings

        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated or session.is_empty():
            return response
        now = int(time.time())
        if now - session.get(REFRESHED_AT_SESSION_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[REFRESHED_AT_SESSION_KEY] = now
        return response


class AbsoluteSessionTimeoutMiddleware:
    """A session ends SESSION_ABSOLUTE_SECONDS (12 hours) after the login, active or not. The login time is
    written into the session by the user_logged_in signal (kejiju.core.signals)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect

        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_SESSION_KEY)
            if login_at is None:
                request.session[LOGIN_AT_SESSION_KEY] = int(time.time())
            elif time.time() - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                request.kejiju_logout_reason = "会话超过 12 小时，自动结束"
                logout(request)
                messages.info(request, "登录已超过 12 小时，请重新登录。")
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class ClientIPMiddleware:
    """Resolves the client's address once (kejiju.core.clientip: X-Forwarded-For only from a trusted
    proxy) and keeps it for everything that runs during the request, request object at hand or not."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .clientip import client_ip, client_ip_context

        with client_ip_context(client_ip(request)):
            return self.get_response(request)


class AuditlogMiddleware(_AuditlogMiddleware):
    """django-auditlog's middleware with the portal's client address (its own takes the first entry of
    X-Forwarded-For, which the client writes) and no client-supplied port."""

    @staticmethod
    def _get_remote_addr(request):
        from .clientip import client_ip

        return client_ip(request)

    @staticmethod
    def _get_remote_port(request):
        return None


class CalendarGapMiddleware:
    """The backstop for working days: a view that lets a calendar gap through (it does not show service
    ValidationErrors as messages) answers 409 with the Chinese message that names the missing year and who
    adds it, never a 500. The services' own handling (a form error or a message) comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.shortcuts import render

        from .workdays import CalendarNotCoveredError

        if not isinstance(exception, CalendarNotCoveredError):
            return None
        return render(request, "errors/calendar.html", {"message": exception.message}, status=409)


class StorageErrorMiddleware:
    """The backstop for the file storage: an object store that is down (or refuses the portal's key) while
    a view reads or writes a file answers 503 with a Chinese message, never a 500. The transaction of the
    write has rolled back by then (the exception left it), so nothing is saved half-way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        import logging

        from django.shortcuts import render

        from .uploads import StorageUnavailable, storage_errors

        if isinstance(exception, StorageUnavailable):
            message = str(exception)
        elif isinstance(exception, storage_errors()) and not isinstance(exception, OSError):
            # botocore's own errors, from a save or a listing outside `open_stored`.
            logging.getLogger(__name__).exception("file storage unavailable")
            message = "文件存储暂时无法访问，本次操作未保存。请稍后重试；如持续出现，请联系系统管理员。"
        else:
            return None
        return render(request, "errors/storage.html", {"message": message}, status=503)
