"""Writes on users and regions (keyword-only, atomic, validated)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record

from .models import Region, User
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
