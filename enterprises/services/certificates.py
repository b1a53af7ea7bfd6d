"""高企 certificates: issue, correct, revoke (取消资格) and delete, with the 证书编号 check."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from kejiju.core.dates import date_order_problem, require_date_order
from kejiju.core.identifiers import IdentifierError, validate_gaoqi_certificate

from .. import dates
from ..models import Enterprise, GaoqiCertificate, PoolEntry, Reward
from .enterprises import _check_region, _today
from .pool import pool_transition

SHANXI = "14"

# ------------------------------------------------------------------------------------- 高企 certificates


def _certificate_clean(number: Any, issued_on: date | None) -> str:
    try:
        code = validate_gaoqi_certificate(number, province_code=SHANXI, today=_today())
    except IdentifierError as error:
        raise ValidationError({"number": str(error)}) from None
    if issued_on is None:
        raise ValidationError({"issued_on": "请填写发证日期。"})
    if int(code[2:6]) != issued_on.year:
        raise ValidationError({"issued_on": f"发证日期的年份应与证书编号中的年份 {code[2:6]} 一致。"})
    return code


@transaction.atomic
def certificate_create(
    *, enterprise: Enterprise, number: Any, issued_on: date, actor, note: str = "", request=None
) -> GaoqiCertificate:
    _check_region(actor, enterprise.region_id)
    require_date_order(dates.CERTIFICATE_DATES["issue"], date=issued_on)
    code = _certificate_clean(number, issued_on)
    if GaoqiCertificate.objects.filter(number=code).exists():
        raise ValidationError({"number": "该证书编号已登记。"})
    certificate = GaoqiCertificate(
        enterprise=enterprise,
        number=code,
        issued_on=issued_on,
        expires_on=dates.certificate_expiry(issued_on),
        note=note,
    )
    certificate.full_clean()
    certificate.save()
    entry = PoolEntry.objects.filter(enterprise=enterprise, state__in=["admitted", "applied"]).first()
    # A certificate issued before the entry was admitted is history (an earlier certification), not the
    # outcome of this cultivation: the entry stays open.
    if (
        entry is not None
        and actor is not None
        and actor.has_perm("enterprises.admit_poolentry")
        and not date_order_problem(dates.POOL_DATES["certify"], date=issued_on, record=entry)
    ):
        pool_transition(
            entry=entry,
            action="certify",
            actor=actor,
            comment=f"取得高企证书 {code}",
            on=issued_on,
            request=request,
        )
    return certificate


def _require_revocation_date(revoked_on: date | None, issued_on: date) -> None:
    """取消资格日期: not before the issue date, not in the future (a revocation is an act done)."""
    require_date_order(
        dates.CERTIFICATE_DATES["revoke"],
        date=revoked_on,
        extra={"issued_on": ("发证日期", issued_on)},
    )


@transaction.atomic
def certificate_update(
    *,
    certificate: GaoqiCertificate,
    number: Any,
    issued_on: date,
    actor,
    revoked_on: date | None = None,
    note: str = "",
) -> GaoqiCertificate:
    """Correct a certificate; `revoked_on` is its 取消资格日期 (None: not revoked; clearing it undoes a
    revocation recorded by mistake). Every change is in the enterprise's history (the audit log)."""
    certificate = GaoqiCertificate.objects.select_for_update().get(pk=certificate.pk)
    _check_region(actor, certificate.enterprise.region_id)
    require_date_order(dates.CERTIFICATE_DATES["issue"], date=issued_on)
    _require_revocation_date(revoked_on, issued_on)
    code = _certificate_clean(number, issued_on)
    if GaoqiCertificate.objects.filter(number=code).exclude(pk=certificate.pk).exists():
        raise ValidationError({"number": "该证书编号已登记。"})
    certificate.number, certificate.issued_on = code, issued_on
    certificate.expires_on = dates.certificate_expiry(issued_on)
    certificate.revoked_on, certificate.note = revoked_on, note
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certificate_revoke(
    *, certificate: GaoqiCertificate, revoked_on: date, user, reason: str = ""
) -> GaoqiCertificate:
    """取消高企资格 on `revoked_on`: from that day the certificate no longer counts as valid (figures of
    earlier days keep it). The reason is kept in the certificate's note; the change is in the enterprise's
    history (the audit log)."""
    certificate = GaoqiCertificate.objects.select_for_update().get(pk=certificate.pk)
    _check_region(user, certificate.enterprise.region_id)
    if certificate.revoked_on is not None:
        raise ValidationError({"revoked_on": f"该证书已于{certificate.revoked_on:%Y年%m月%d日}取消资格。"})
    if revoked_on is None:
        raise ValidationError({"revoked_on": "请填写取消资格日期。"})
    _require_revocation_date(revoked_on, certificate.issued_on)
    certificate.revoked_on = revoked_on
    reason = reason.strip()
    if reason:
        certificate.note = (f"{certificate.note}；" if certificate.note else "") + f"取消资格：{reason}"
        certificate.note = certificate.note[:200]
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certificate_delete(*, certificate: GaoqiCertificate, actor) -> None:
    _check_region(actor, certificate.enterprise.region_id)
    if Reward.objects.filter(certificate=certificate).exists():
        raise ValidationError("该证书已用于计算奖励，不能删除；如资格被取消请编辑证书并填写取消资格日期。")
    certificate.delete()
