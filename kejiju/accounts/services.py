"""Writes on users and regions (keyword-only, atomic, validated)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from kejiju.core import parameters
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record

from .models import Region, User, UserSession
from .roles import group_name


def _apply_role(user: User) -> None:
    groups = [Group.objects.get(name=group_name(user.role))] if user.role else []
    user.groups.set(groups)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str = "",
    role: str,
    region: Region | None = None,
    organization=None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    password_hash: str = "",
    actor: User | None = None,
    request=None,
) -> User:
    """A new account. `password` is an initial password someone else set (changed at the first login);
    `password_hash` one the account's holder chose and that was validated when typed (a unit's
    registration keeps only its hash until the unit is verified)."""
    user = User(
        username=username,
        role=role,
        region=region,
        organization=organization,
        display_name=display_name,
        email=email,
        phone=phone,
    )
    if password_hash:
        user.password = password_hash
        user._password_history_pending = True
    else:
        validate_password(password, user)
        user.set_password(password)
        user.must_change_password = True  # the first login changes the initial password
    user.full_clean()
    user.save()
    _apply_role(user)
    audit_event_record(
        event_type=AuditEvent.Type.ACCOUNT,
        request=request,
        user=actor,
        object_repr=username,
        detail=f"创建账户，角色：{user.role_label}",
    )
    return user


@transaction.atomic
def user_update(
    *,
    user: User,
    role: str,
    region: Region | None,
    display_name: str,
    email: str = "",
    phone: str = "",
    actor: User | None = None,
    request=None,
) -> User:
    if actor is not None and actor.pk == user.pk and role != user.role:
        raise ValidationError({"role": "不能修改自己的角色。"})
    user.role, user.region, user.display_name, user.email, user.phone = (
        role,
        region,
        display_name,
        email,
        phone,
    )
    user.full_clean()
    user.save()
    _apply_role(user)
    return user


@transaction.atomic
def user_set_password(*, user: User, password: str, actor: User | None = None, request=None) -> User:
    validate_password(password, user)
    user.set_password(password)
    user.must_change_password = True  # the user chooses a new one at the next login
    user.save(update_fields=["password"])
    audit_event_record(
        event_type=AuditEvent.Type.ACCOUNT,
        request=request,
        user=actor,
        object_repr=user.username,
        detail="重置密码",
    )
    # The old password's sessions end now (Django would refuse them at their next request, but their rows
    # would stay in 在线用户 until idle); an admin resetting their own keeps the session they are using.
    user_sessions_end(
        user=user,
        actor=actor,
        request=request,
        reason=UserSession.EndReason.PASSWORD_RESET,
        keep_current=actor == user,
    )
    return user


@transaction.atomic
def user_set_active(*, user: User, active: bool, actor: User | None = None, request=None) -> User:
    if actor is not None and actor.pk == user.pk and not active:
        raise ValidationError("不能停用自己的账户。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_event_record(
        event_type=AuditEvent.Type.ACCOUNT,
        request=request,
        user=actor,
        object_repr=user.username,
        detail="启用账户" if active else "停用账户",
    )
    if not active:
        user_sessions_end(user=user, actor=actor, request=request, reason=UserSession.EndReason.DEACTIVATED)
    return user


# --------------------------------------------------------------------------------------- lockout, 2FA


def user_is_locked(user: User, *, ip_address: str | None = None) -> bool:
    """django-axes holds the failures by (username, client address): locked while the failures of one
    pair within the cool-off reach the limit. With `ip_address`, whether the account is locked for that
    address; without, whether it is locked for any address (the user page)."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Sum
    from django.utils import timezone

    attempts = AccessAttempt.objects.filter(
        username=user.username, attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME
    )
    if ip_address is not None:
        attempts = attempts.filter(ip_address=ip_address)
    return (
        attempts.values("ip_address")
        .annotate(failures=Sum("failures_since_start"))
        .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
        .exists()
    )


@transaction.atomic
def user_unlock(*, user: User, actor: User, request=None) -> int:
    """The system admin lifts a lockout before its 30 minutes are over."""
    from axes.utils import reset

    removed = reset(username=user.username)
    audit_event_record(
        event_type=AuditEvent.Type.UNLOCK,
        request=request,
        user=actor,
        object_repr=user.username,
        detail=f"解除账户锁定（清除 {removed} 条失败记录）",
    )
    return removed


def otp_required_for(user: User) -> bool:
    from django.conf import settings

    # The emergency superuser counts as a privileged account too.
    return bool(settings.OTP_REQUIRED) and (user.role in settings.OTP_REQUIRED_ROLES or user.is_superuser)


def otp_has_device(user: User) -> bool:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def otp_pending_device(*, user: User):
    """The unconfirmed TOTP device of an enrolment in progress (created on first call)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


RECOVERY_CODE_COUNT = 10


@transaction.atomic
def otp_confirm(*, user: User, token: str, request=None) -> tuple[object, list[str]] | None:
    """Confirm the pending TOTP device with a code from the app. Returns the device and the new recovery
    codes (shown once), or None when the code is wrong."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    device = otp_pending_device(user=user)
    if not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    type(device).objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    audit_event_record(
        event_type=AuditEvent.Type.ACCOUNT,
        request=request,
        user=user,
        object_repr=user.username,
        detail="启用双因素认证（生成 10 个恢复码）",
    )
    return device, codes


@transaction.atomic
def otp_reset(*, user: User, actor: User, request=None) -> None:
    """The system admin removes a user's devices (a lost phone); the user enrols again."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_event_record(
        event_type=AuditEvent.Type.ACCOUNT,
        request=request,
        user=actor,
        object_repr=user.username,
        detail="重置双因素认证",
    )


# ------------------------------------------------------------------------------- separation of duties


def role_group_names() -> dict[str, str]:
    from .roles import Role

    return {group_name(role): role.value for role in Role}


def check_role_groups(*, user: User, group_names: set[str]) -> None:
    """三员分立: an account holds exactly the group of its one role, never a second role's group."""
    names = role_group_names()
    roles = {names[name] for name in group_names if name in names}
    if len(roles) > 1:
        raise ValidationError({"role": "一个账户只能担任一种角色（三员分立）。"})
    if roles and roles != {user.role}:
        raise ValidationError({"role": "账户所在角色组须与其角色一致。"})


# ------------------------------------------------------------------------------------------- sessions
# 在线用户: one UserSession row per logged-in Django session (kejiju.accounts.models.UserSession). The
# session holds the row's id; the row holds the session key only as a keyed digest and encrypted.

USER_SESSION_KEY = "kejiju_user_session"
# Rows of ended or expired sessions are kept this long (the reason shown at the login page needs them only
# until the holder comes back), then removed at the account's next login.
SESSION_ROWS_KEPT_DAYS = 30
# Messages shown at the login page to the holder of a session that was ended for them.
END_MESSAGES = {
    UserSession.EndReason.ADMIN: "您的会话已被系统管理员强制下线，请重新登录。",
    UserSession.EndReason.LIMIT: "您已在其他地方登录，本会话已结束（每个账户同时在线的会话数有上限）。",
    UserSession.EndReason.DEACTIVATED: "您的账户已被停用，会话已结束。如有疑问，请联系系统管理员。",
    UserSession.EndReason.PASSWORD_RESET: "您的密码已被管理员重置，会话已结束。请使用新密码重新登录。",
    UserSession.EndReason.PASSWORD_CHANGED: "您已在其他会话中修改了密码，本会话已结束。请用新密码重新登录。",
}


def session_key_digest(session_key: str) -> str:
    from kejiju.core import pii

    return pii.digest(session_key)


def _session_store(session_key: str | None = None):
    """A SessionStore of settings.SESSION_ENGINE (db, cache or cached_db alike)."""
    from importlib import import_module

    from django.conf import settings

    return import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)


def user_session_start(*, user: User, request) -> UserSession | None:
    """At login (the user_logged_in signal): a row for the request's new session, noted in the session;
    then the account's oldest live sessions beyond the 系统参数 session_limit_per_user end (0: no limit)."""
    import time

    from django.utils import timezone

    from kejiju.core.clientip import client_ip
    from kejiju.core.middleware import REFRESHED_AT_SESSION_KEY

    session = getattr(request, "session", None)
    if session is None:
        return None
    if session.session_key is None:
        session.save()  # a key to record (login() has cycled one in already)
    key = session.session_key
    digest = session_key_digest(key)
    with transaction.atomic():
        same = UserSession.objects.select_for_update().filter(key_digest=digest).first()
        if same is not None and same.user_id == user.pk and same.ended_at is None:
            # A second login signal for the same session (django-otp's verification): one row.
            session[USER_SESSION_KEY] = same.pk
            return same
        if same is not None:
            same.delete()  # a stale row under a key the session store has handed out again
        previous = session.get(USER_SESSION_KEY)
        if previous is not None:  # the same account logging in again in this browser: its old row ends
            UserSession.objects.filter(pk=previous, ended_at__isnull=True).update(
                ended_at=timezone.now(), ended_reason=UserSession.EndReason.LOGOUT
            )
        # The account's rows of sessions long over go (the 强制下线 events stay in the audit log).
        UserSession.objects.filter(
            user=user, last_seen_at__lt=timezone.now() - timedelta(days=SESSION_ROWS_KEPT_DAYS)
        ).delete()
        try:
            with transaction.atomic():
                row = UserSession(
                    user=user,
                    key_digest=digest,
                    ip_address=client_ip(request),
                    user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
                )
                row.set_key(key)
                row.save(force_insert=True)
        except IntegrityError:
            # Concurrent first requests of one session recorded after its login (UserSessionMiddleware):
            # the first one wrote the row and applied the limit.
            row = UserSession.objects.get(key_digest=digest)
            session[USER_SESSION_KEY] = row.pk
            return row
        session[USER_SESSION_KEY] = row.pk
        # The login has just saved the session: its idle expiry and the row's last activity start now, so
        # the first page after the login writes neither again (SlidingSessionMiddleware, the middleware).
        session[REFRESHED_AT_SESSION_KEY] = int(time.time())
        limit = parameters.value("session_limit_per_user")
        if limit > 0:
            # Newest first: the new session and the limit - 1 before it stay.
            live = UserSession.objects.live().filter(user=user).select_for_update()
            for older in live.order_by("-created_at", "-pk")[limit:]:
                _user_session_close(older, reason=UserSession.EndReason.LIMIT)
                audit_event_record(
                    event_type=AuditEvent.Type.SESSION_END,
                    request=request,
                    user=user,
                    object_repr=user.username,
                    detail=f"同时在线会话超过 {limit} 个，结束最早的会话 #{older.pk}"
                    f"（登录于 {_local(older.created_at)}，地址 {older.ip_address or '未知'}）",
                )
    return row


def _local(moment) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


def _user_session_close(row: UserSession, *, reason: str, actor: User | None = None) -> None:
    """Deletes the Django session (whatever the engine) and marks the row ended."""
    from django.utils import timezone

    from kejiju.core import pii

    try:
        key = row.reveal_key()
    except pii.PIIError:
        key = None  # a rotated key: the session cannot be found any more; the middleware ends it
    if key:
        _session_store(key).delete(key)
    row.ended_at = timezone.now()
    row.ended_reason = reason
    row.ended_by = actor
    row.save(update_fields=["ended_at", "ended_reason", "ended_by"])


def user_session_end(*, user_session: UserSession, actor: User, request=None) -> UserSession:
    """强制下线: the system admin ends one live session (not the one making the request), audited."""
    with transaction.atomic():
        row = UserSession.objects.select_for_update().select_related("user").get(pk=user_session.pk)
        if row.ended_at is not None:
            raise ValidationError("该会话已结束。")
        own = getattr(getattr(request, "session", None), "session_key", None)
        if own and session_key_digest(own) == row.key_digest:
            raise ValidationError("不能强制下线您当前使用的会话；如需结束，请点击“退出”。")
        _user_session_close(row, reason=UserSession.EndReason.ADMIN, actor=actor)
        audit_event_record(
            event_type=AuditEvent.Type.SESSION_END,
            request=request,
            user=actor,
            object_repr=row.user.username,
            detail=f"强制下线“{row.user.username}”的会话 #{row.pk}"
            f"（登录于 {_local(row.created_at)}，地址 {row.ip_address or '未知'}）",
        )
    return row


def _is_current(row: UserSession, request) -> bool:
    own = getattr(getattr(request, "session", None), "session_key", None)
    return bool(own) and session_key_digest(own) == row.key_digest


def user_sessions_end(
    *, user: User, actor: User | None, request=None, reason: str, keep_current: bool = False
) -> list[UserSession]:
    """Every session of `user` not ended yet ends the way 强制下线 ends one (the session store's entry
    deleted, the row ended, one audit event each), after the account was deactivated or its password
    reset by an administrator (`reason`). With keep_current, the session making the request stays.
    Their holders are told why at the login page (user_session_end_message)."""
    ended = []
    with transaction.atomic():
        rows = UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True).order_by("pk")
        for row in rows:
            if keep_current and _is_current(row, request):
                continue
            _user_session_close(row, reason=reason, actor=actor)
            audit_event_record(
                event_type=AuditEvent.Type.SESSION_END,
                request=request,
                user=actor,
                object_repr=user.username,
                detail=f"{UserSession.EndReason(reason).label}：结束“{user.username}”的会话 #{row.pk}"
                f"（登录于 {_local(row.created_at)}，地址 {row.ip_address or '未知'}）",
            )
            ended.append(row)
    return ended


def user_password_changed(*, request) -> list[UserSession]:
    """A user changed their own password (update_session_auth_hash kept their session under a new key): the
    row follows the session to its new key, and their other sessions end (the store's entries deleted,
    audited; their holders are told at the login page)."""
    user = request.user
    session = request.session
    pk = session.get(USER_SESSION_KEY)
    ended = []
    with transaction.atomic():
        current = (
            UserSession.objects.select_for_update().filter(pk=pk, user=user, ended_at__isnull=True).first()
        )
        if current is not None and session.session_key:
            current.key_digest = session_key_digest(session.session_key)
            current.set_key(session.session_key)
            current.save(update_fields=["key_digest", "key_cipher"])
        rows = UserSession.objects.select_for_update().filter(user=user, ended_at__isnull=True).exclude(pk=pk)
        for row in rows.order_by("pk"):
            _user_session_close(row, reason=UserSession.EndReason.PASSWORD_CHANGED, actor=user)
            audit_event_record(
                event_type=AuditEvent.Type.SESSION_END,
                request=request,
                user=user,
                object_repr=user.username,
                detail=f"修改本人密码：结束其他会话 #{row.pk}"
                f"（登录于 {_local(row.created_at)}，地址 {row.ip_address or '未知'}）",
            )
            ended.append(row)
    return ended


def user_session_logout(*, request) -> None:
    """At logout (the user_logged_out signal, before the session is flushed): the row ends."""
    from django.utils import timezone

    session = getattr(request, "session", None)
    pk = session.get(USER_SESSION_KEY) if session is not None else None
    if pk is None:
        return
    UserSession.objects.filter(pk=pk, ended_at__isnull=True).update(
        ended_at=timezone.now(), ended_reason=UserSession.EndReason.LOGOUT
    )


def user_session_touch(*, pk: int) -> bool:
    """The last activity of a live session's row, now; False when the row has ended (or is gone)."""
    from django.utils import timezone

    return bool(UserSession.objects.filter(pk=pk, ended_at__isnull=True).update(last_seen_at=timezone.now()))


def user_session_end_message(session_key: str) -> str | None:
    """Why the session of this (stale) key was ended, for its holder; None when not ended for them."""
    row = (
        UserSession.objects.filter(key_digest=session_key_digest(session_key), ended_at__isnull=False)
        .select_related("user")
        .first()
    )
    return None if row is None else end_message(row)


def end_message(row: UserSession) -> str | None:
    """Why an ended session ended, for its holder (a plain logout says nothing)."""
    return END_MESSAGES.get(row.ended_reason)
