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
    password: str,
    role: str,
    region: Region | None = None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    actor: User | None = None,
    request=None,
) -> User:
    user = User(
        username=username, role=role, region=region, display_name=display_name, email=email, phone=phone
    )
    validate_password(password, user)
    user.set_password(password)
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
