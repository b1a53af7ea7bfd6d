"""Writes of the applicant-facing side: a unit registers itself, the county office (or the bureau) verifies
or returns it, and the unit's administrator keeps the unit's applicant accounts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.accounts import services as accounts
from kejiju.accounts.models import Region, User
from kejiju.accounts.roles import Role
from kejiju.core import parameters, uploads
from kejiju.core.identifiers import IdentifierError, validate_uscc
from kejiju.core.mail import mail_send
from kejiju.core.models import Organization
from kejiju.core.services import normalise_organization_name, organization_save
from kejiju.core.workflow.services import record_created

from .models import RegistrationState, UnitRegistration

ALREADY_REGISTERED = "该统一社会信用代码已注册。如需开通或找回账户，请联系所在县区科技局。"


def licence_max_bytes() -> int:
    return parameters.value("licence_max_bytes")


def is_registered(uscc: str) -> bool:
    """Registered already: a registration waiting or verified, or a unit account of that unit exists."""
    pending = UnitRegistration.objects.filter(
        uscc=uscc, state__in=[RegistrationState.SUBMITTED, RegistrationState.VERIFIED]
    )
    return pending.exists() or User.objects.filter(organization__uscc=uscc, role=Role.UNIT_ADMIN).exists()


@uploads.atomic()
def registration_submit(
    *,
    uscc: Any,
    name: str,
    kind: str,
    region: Region | None,
    address: str,
    contact_person: str,
    contact_phone: str,
    email: str,
    licence,
    admin_username: str,
    admin_display_name: str,
    admin_password: str,
) -> UnitRegistration:
    """A unit files its registration (no account yet). The reply reveals no more than "already registered"
    about another unit; the code is checked against GB 32100, the password as a staff password."""
    try:
        code = validate_uscc(uscc)
    except IdentifierError as error:
        raise ValidationError({"uscc": str(error)}) from error
    if is_registered(code):
        raise ValidationError({"uscc": ALREADY_REGISTERED})
    name = normalise_organization_name(name)
    claimed = Organization.objects.filter(uscc=code).first()
    namesake = Organization.objects.filter(name=name).exclude(uscc=code).exclude(uscc="").first()
    if namesake is not None:
        raise ValidationError({"name": "单位库中已有同名单位，但统一社会信用代码不同，请核对单位名称。"})
    username = admin_username.strip()
    if (
        User.objects.filter(username__iexact=username).exists()
        or UnitRegistration.objects.filter(
            admin_username__iexact=username, state=RegistrationState.SUBMITTED
        ).exists()
    ):
        raise ValidationError({"admin_username": "该用户名已被使用，请换一个。"})
    probe = User(username=username, display_name=admin_display_name, email=email)
    try:
        validate_password(admin_password, probe)
    except ValidationError as error:
        raise ValidationError({"admin_password": error.messages}) from error
    original = uploads.display_name(uploads.upload_original_name(licence), default="证照")
    problem = uploads.upload_problem(
        filename=original,
        head=uploads.upload_head(licence),
        size=licence.size or 0,
        max_bytes=licence_max_bytes(),
        allowed=("pdf", "png", "jpg", "jpeg"),
        upload=licence,
    )
    if problem:
        raise ValidationError({"licence": problem})
    registration = UnitRegistration(
        uscc=code,
        name=name,
        kind=kind,
        region=region,
        address=address.strip(),
        contact_person=contact_person.strip(),
        contact_phone=contact_phone.strip(),
        email=email.strip(),
        licence_name=original,
        admin_username=username,
        admin_display_name=admin_display_name.strip(),
        admin_password=make_password(admin_password),
        organization=claimed,
    )
    uploads.store(registration.licence, licence)
    registration.full_clean()
    registration.save()
    record_created(record=registration, actor=None, data={"claimed": claimed is not None})
    return registration


def registration_verify_effect(*, registration: UnitRegistration, actor) -> dict[str, Any]:
    """核实通过 (inside the engine's transaction): the unit enters the 单位库 — claimed when its code is
    there already, its name, county and kind then taken from the registration — and its administrator's
    account opens with the password the unit chose."""
    organization = registration.organization or Organization.objects.filter(uscc=registration.uscc).first()
    claimed = organization is not None
    if organization is None:
        organization = Organization(uscc=registration.uscc)
    organization.name = registration.name
    organization.kind = registration.kind
    organization.region = registration.region
    organization.is_active = True
    try:
        organization_save(organization=organization, user=actor)
    except ValidationError as error:
        raise ValidationError(f"单位库：{'；'.join(error.messages)}") from error
    if User.objects.filter(username__iexact=registration.admin_username).exists():
        raise ValidationError(
            f"用户名“{registration.admin_username}”已被其他账户使用，请退回并请单位更换用户名。"
        )
    admin = accounts.user_create(
        username=registration.admin_username,
        role=Role.UNIT_ADMIN,
        organization=organization,
        display_name=registration.admin_display_name,
        email=registration.email,
        phone=registration.contact_phone,
        password_hash=registration.admin_password,
        actor=actor,
    )
    registration.organization = organization
    registration.admin = admin
    # The administrator hears of it by the one rule for decisions about a unit's record (a notice and an
    # e-mail on commit: kejiju.reporting.services.notify_transition).
    return {"organization": organization.pk, "claimed": claimed, "admin": admin.username}


def registration_return_effect(*, registration: UnitRegistration, reason: str) -> dict[str, Any]:
    registration.return_reason = reason.strip()[:500]
    mail_send(
        subject="单位注册被退回",
        body=f"{registration.name}：贵单位的注册被退回。原因：{registration.return_reason}\n请修改后重新注册。",
        recipients=[registration.email],
    )
    return {}


# ---------------------------------------------------------------------------------- the unit's accounts


def _require_unit_admin(actor: User) -> int:
    if (
        actor.role != Role.UNIT_ADMIN
        or actor.unit_id is None
        or not actor.has_perm("units.manage_unit_accounts")
    ):
        raise ValidationError("只有本单位的单位管理员可以管理本单位账户。")
    return actor.unit_id


@transaction.atomic
def applicant_create(
    *, actor: User, username: str, display_name: str, password: str, email: str = "", phone: str = ""
) -> User:
    """The unit's administrator opens a 项目负责人 account of the unit (initial password, changed at the
    first login)."""
    unit = _require_unit_admin(actor)
    if not display_name.strip():
        raise ValidationError({"display_name": "请填写项目负责人姓名。"})
    return accounts.user_create(
        username=username.strip(),
        password=password,
        role=Role.APPLICANT,
        organization=Organization.objects.get(pk=unit),
        display_name=display_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        actor=actor,
    )


@transaction.atomic
def unit_account_set_active(*, actor: User, account: User, active: bool) -> User:
    """停用 or 启用 an applicant of the actor's own unit (the administrator's own account stays)."""
    unit = _require_unit_admin(actor)
    if account.organization_id != unit or account.role != Role.APPLICANT:
        raise ValidationError("只能停用或启用本单位的项目负责人账户。")
    return accounts.user_set_active(user=account, active=active, actor=actor)
