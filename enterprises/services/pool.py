"""The 高企 cultivation pool (培育库): 县区推荐, an enterprise's own application, the 企业创新能力评价 and
the steps of the entry's flow."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q

from kejiju.core.dates import require_date_order
from kejiju.core.invariants import Unique, declare_invariants, require_unique
from kejiju.core.models import AuditEvent
from kejiju.core.services import audit_event_record
from kejiju.core.workflow.services import apply_transition, record_created

from .. import dates, rules
from ..models import Enterprise, GaoqiCertificate, InnovationAssessment, PoolEntry
from .enterprises import _check_enterprise, _check_region, _today

POOL_CERTIFIED_UNIQUE = Unique(
    key="enterprises.pool_not_certified",
    model="enterprises.PoolEntry",
    fields=("enterprise",),
    label="高企培育库：同一企业",
    when="该企业已认定为高新技术企业且证书在有效期内，无需再推荐入库",
)
declare_invariants(POOL_CERTIFIED_UNIQUE)


@transaction.atomic
def pool_recommend(
    *, enterprise: Enterprise, actor, recommendation: str = "", on: date | None = None, request=None
) -> PoolEntry:
    """县区推荐: the county office puts an enterprise forward for the bureau's 入库."""
    _check_region(actor, enterprise.region_id)
    if actor is not None and not actor.has_perm("enterprises.recommend_poolentry"):
        raise PermissionDenied("无权推荐企业入库。")
    return _pool_entry_open(
        enterprise=enterprise,
        actor=actor,
        state=PoolEntry.State.RECOMMENDED,
        text=recommendation,
        on=on,
        request=request,
    )


@transaction.atomic
def pool_request(*, enterprise: Enterprise, actor, reason: str, request=None) -> PoolEntry:
    """企业申请: the enterprise's administrator applies online; its county office then recommends it (or
    not) and the bureau's 入库 follows as for any recommended enterprise."""
    _check_enterprise(actor, enterprise)
    if not actor.has_perm("enterprises.request_poolentry"):
        raise PermissionDenied("无权申请进入高企培育库。")
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请理由。"})
    return _pool_entry_open(
        enterprise=enterprise,
        actor=actor,
        state=PoolEntry.State.REQUESTED,
        text=reason,
        on=None,
        request=request,
        step=("request", "企业申请"),
    )


def _pool_entry_open(
    *,
    enterprise: Enterprise,
    actor,
    state: str,
    text: str,
    on: date | None,
    request,
    step: tuple[str, str] | None = None,
) -> PoolEntry:
    """One way into the 培育库: an active enterprise without an open entry or a valid 高企 certificate."""
    if not enterprise.is_active:
        raise ValidationError({"enterprise": "该企业已停用。"})
    if PoolEntry.objects.filter(enterprise=enterprise, state__in=PoolEntry.OPEN_STATES).exists():
        raise ValidationError({"enterprise": "该企业已在高企培育库中（或申请、推荐待审）。"})
    require_date_order(dates.POOL_CREATE_DATES["recommend"], date=on)
    day = on or _today()
    require_unique(
        POOL_CERTIFIED_UNIQUE,
        existing=GaoqiCertificate.objects.filter(
            Q(revoked_on__isnull=True) | Q(revoked_on__gt=day),
            enterprise=enterprise,
            issued_on__lte=day,
            expires_on__gte=day,
        ).order_by("-expires_on"),
    )
    entry = PoolEntry(enterprise=enterprise, state=state, recommended_on=day, recommendation=text.strip())
    entry.full_clean()
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ValidationError({"enterprise": "该企业已在高企培育库中（或申请、推荐待审）。"}) from None
    record_created(
        record=entry, actor=actor, effective_on=entry.recommended_on, comment=text.strip(), step=step
    )
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        request=request,
        object_repr=str(entry)[:255],
        detail=f"{(step or ('', '县区推荐'))[1]}：{entry.get_state_display()}",
    )
    return entry


def pool_innovation_assess(
    *,
    entry: PoolEntry,
    actor,
    assessed_on: date | None = None,
    scores: dict[str, int | None],
    note: str = "",
    request=None,
) -> InnovationAssessment:
    """Record the bureau's 企业创新能力评价 of an enterprise in the 培育库: the four parts' scores (the
    total is their sum), the day it was made (not before the recommendation, not in the future)."""
    _check_region(actor, entry.enterprise.region_id)
    if actor is not None and not actor.has_perm("enterprises.admit_poolentry"):
        raise PermissionDenied("无权录入企业创新能力评价。")
    if entry.state not in PoolEntry.OPEN_STATES:
        raise ValidationError(
            {"assessed_on": f"该企业在培育库中为“{entry.get_state_display()}”，不能再录入创新能力评价。"}
        )
    problems = rules.innovation_problems(scores)
    if problems:
        raise ValidationError(problems)
    assessed_on = assessed_on or _today()
    require_date_order(dates.ASSESSMENT_DATES["assess"], date=assessed_on, record=entry)
    assessment = InnovationAssessment(
        entry=entry,
        assessed_on=assessed_on,
        note=note.strip(),
        recorded_by=actor,
        **{part.key: scores[part.key] for part in rules.INNOVATION_PARTS},
    )
    assessment.full_clean()
    assessment.save()
    audit_event_record(
        event_type=AuditEvent.Type.TRANSITION,
        user=actor,
        request=request,
        object_repr=str(entry)[:255],
        detail=f"企业创新能力评价：{assessment.total}分（{assessed_on:%Y-%m-%d}）",
    )
    return assessment


def pool_transition(
    *,
    entry: PoolEntry,
    action: str,
    actor,
    comment: str = "",
    year: int | None = None,
    on: date | None = None,
    request=None,
) -> PoolEntry:
    """Move a pool entry along its flow (workflow.POOL_WORKFLOW); `year` is the 入库/申报 year."""
    if action == "admit" and year is None:
        raise ValidationError({"year": "请填写入库年度。"})
    data = {"year": year} if year is not None else {}
    apply_transition(
        record=entry,
        action=action,
        actor=actor,
        effective_on=on or _today(),
        comment=comment.strip(),
        data=data,
    )
    return entry
