"""Security events from Django's and django-axes' signals into the audit log; the working-day calendar
reloaded in every process when a 节假日安排 row changes."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import AuditEvent
from .services import audit_event_record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    import time

    from .middleware import LOGIN_AT_SESSION_KEY

    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = int(time.time())
    audit_event_record(event_type=AuditEvent.Type.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event_record(
            event_type=AuditEvent.Type.LOGOUT,
            request=request,
            user=user,
            detail=getattr(request, "kejiju_logout_reason", ""),
        )


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    audit_event_record(
        event_type=AuditEvent.Type.LOGIN_FAILED,
        request=request,
        user=None,
        username=str(credentials.get("username", ""))[:150],
        outcome=AuditEvent.Outcome.FAILURE,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_event_record(
        event_type=AuditEvent.Type.LOCKOUT,
        request=request,
        user=None,
        username=username or "",
        outcome=AuditEvent.Outcome.FAILURE,
        detail="同一网络地址连续登录失败次数过多，该账户在此地址锁定 30 分钟",
    )


def _holidays_changed(sender, **kwargs):
    from .workdays import arrangements_changed

    arrangements_changed()


def _connect_holiday_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from .models import HolidayArrangement

    post_save.connect(_holidays_changed, sender=HolidayArrangement, dispatch_uid="kejiju.holidays.save")
    post_delete.connect(_holidays_changed, sender=HolidayArrangement, dispatch_uid="kejiju.holidays.delete")


_connect_holiday_signals()
