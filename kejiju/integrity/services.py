"""Writes of 失信 records (and of 查重, below): keyword-only, atomic, full_clean() before saving; auditlog
keeps the changes (with the masked ID number only). The 身份证号 is validated, encrypted and hashed here
(kejiju.core.pii)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.accounts.models import User
from kejiju.core import uploads
from kejiju.core.identifiers import IdentifierError, mask_id_number, validate_id_number, validate_uscc
from kejiju.core.models import AuditEvent, Organization
from kejiju.core.services import audit_event_record
from kejiju.core.workflow.services import record_step

from . import selectors
from .models import SCOPES, DuplicateCheckSetting, DuplicateDecision, DuplicateMatch, IntegrityRecord

SCAN_MAX_BYTES = 20 * 1024 * 1024
SCAN_TYPES = ("pdf", "png", "jpg", "jpeg")
# Fields a caller may set directly (the subject's identifiers and the scan go through their own checks).
PLAIN_FIELDS = (
    "name",
    "employer",
    "source",
    "misconduct",
    "starts_on",
    "ends_on",
    *(field for field, _label in SCOPES.values()),
    "objection",
    "objection_outcome",
    "objection_on",
    "repaired_on",
    "repair_note",
)


def _require(user: User, action: str) -> None:
    if not user.has_perm(f"integrity.{action}_integrityrecord"):
        raise ValidationError("没有维护科研诚信失信记录的权限。")


def clean_uscc(value: str) -> str:
    try:
        return validate_uscc((value or "").strip())
    except IdentifierError as error:
        raise ValidationError({"uscc": str(error)}) from None


@sensitive_variables("value")
def clean_id_number(value: str) -> str:
    try:
        return validate_id_number((value or "").strip())
    except IdentifierError as error:
        # The identifier message may echo the number: show it masked.
        text = (value or "").strip()
        message = str(error)
        if len(text) >= 6:
            for raw in (text, text.upper()):
                message = message.replace(raw, mask_id_number(raw))
        raise ValidationError({"id_number": message}) from None


@sensitive_variables("id_number")
def _set_subject(record: IntegrityRecord, *, uscc: str, id_number: str | None) -> None:
    """The subject's identifier by kind: a unit's code (linked to the 单位库 when it is there), a person's
    sealed ID number. `id_number=None` keeps the stored number (an edit that leaves it blank)."""
    if record.kind == IntegrityRecord.Kind.UNIT:
        if not (uscc or "").strip():
            raise ValidationError({"uscc": "失信主体为单位时，统一社会信用代码不能为空。"})
        record.uscc = clean_uscc(uscc)
        record.organization = Organization.objects.filter(uscc=record.uscc).first() if record.uscc else None
        record.clear_id_number()
        record.employer = ""
        return
    record.uscc = ""
    record.organization = None
    if id_number is not None and id_number.strip():
        record.set_id_number(clean_id_number(id_number))
    elif id_number is not None or not record.id_number_digest:
        raise ValidationError({"id_number": "失信主体为个人时，身份证号不能为空。"})


def _check_scan(scan) -> str:
    original = uploads.display_name(uploads.upload_original_name(scan), default="扫描件")
    problem = uploads.upload_problem(
        filename=original,
        head=uploads.upload_head(scan),
        size=scan.size or 0,
        max_bytes=SCAN_MAX_BYTES,
        allowed=SCAN_TYPES,
        upload=scan,
    )
    if problem:
        raise ValidationError({"scan": f"文件扫描件：{problem}"})
    return original


def _save(record: IntegrityRecord, *, scan=None) -> IntegrityRecord:
    if scan is not None:
        original = _check_scan(scan)
        if record.scan:
            uploads.delete_on_commit(record.scan)
        record.scan_name = original
        uploads.store(record.scan, scan)
    record.full_clean()
    record.save()
    return record


@uploads.atomic()
@sensitive_variables("id_number")
def record_create(
    *,
    user: User,
    kind: str,
    name: str,
    source: str,
    starts_on: date,
    uscc: str = "",
    id_number: str = "",
    scan=None,
    **fields,
) -> IntegrityRecord:
    _require(user, "add")
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise TypeError(f"record_create: unknown fields {sorted(unknown)}")
    record = IntegrityRecord(kind=kind, name=name.strip(), source=source.strip(), starts_on=starts_on)
    for key, value in fields.items():
        setattr(record, key, value.strip() if isinstance(value, str) else value)
    record.created_by = user
    _set_subject(record, uscc=uscc, id_number=id_number or "")
    return _save(record, scan=scan)


@uploads.atomic()
@sensitive_variables("id_number")
def record_update(
    *,
    user: User,
    record: IntegrityRecord,
    kind: str,
    uscc: str = "",
    id_number: str | None = None,
    scan=None,
    **fields,
) -> IntegrityRecord:
    """`id_number=None` (or blank) keeps the stored number of a person."""
    _require(user, "change")
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise TypeError(f"record_update: unknown fields {sorted(unknown)}")
    record = IntegrityRecord.objects.select_for_update().get(pk=record.pk)
    was_person = record.kind == IntegrityRecord.Kind.PERSON
    record.kind = kind
    for key, value in fields.items():
        setattr(record, key, value.strip() if isinstance(value, str) else value)
    keep = id_number is None or (not id_number.strip() and was_person)
    _set_subject(record, uscc=uscc, id_number=None if keep else id_number)
    return _save(record, scan=scan)


@transaction.atomic
def record_delete(*, user: User, record: IntegrityRecord) -> None:
    _require(user, "delete")
    if record.scan:
        uploads.delete_on_commit(record.scan)
    record.delete()


@sensitive_variables("number")
def reveal_id_number(*, user: User, record: IntegrityRecord, request=None) -> str:
    """The clear 身份证号 of a person's record, for holders of integrity.view_integrity_pii; each reveal is
    an UNMASK audit event."""
    if not user.has_perm("integrity.view_integrity_pii"):
        raise ValidationError("没有查看完整身份证号的权限。")
    if record.kind != IntegrityRecord.Kind.PERSON or not record.id_number_cipher:
        raise ValidationError("该记录没有身份证号。")
    number = record.reveal_id_number()
    audit_event_record(
        event_type=AuditEvent.Type.UNMASK,
        request=request,
        user=user,
        object_repr=f"失信记录 {record.name}（#{record.pk}）",
        detail="查看完整身份证号",
    )
    return number


# --------------------------------------------------------------------------------------------- 查重


@transaction.atomic
def duplicate_setting_save(
    *, user: User, threshold: Decimal, years: int, flag_same_unit: bool, flag_same_leader: bool
) -> DuplicateCheckSetting:
    """The bureau sets the 查重 threshold and window (auditlog keeps each change). Applies to the
    applications submitted from now on; the matches kept for earlier ones stay as found."""
    if not user.has_perm("integrity.change_duplicatechecksetting"):
        raise ValidationError("没有修改查重设置的权限。")
    setting = DuplicateCheckSetting.objects.select_for_update().filter(
        pk=DuplicateCheckSetting.SINGLETON_PK
    ).first() or DuplicateCheckSetting(pk=DuplicateCheckSetting.SINGLETON_PK)
    setting.threshold = threshold
    setting.years = years
    setting.flag_same_unit = flag_same_unit
    setting.flag_same_leader = flag_same_leader
    setting.updated_by = user
    setting.full_clean()
    setting.save()
    return setting


@transaction.atomic
def duplicate_check_record(*, application) -> list[DuplicateMatch]:
    """At 提交: keep the likely duplicates of the application as found now (selectors.duplicate_candidates),
    replacing those kept at an earlier 提交. Called by the application's submit effect, inside its
    transaction."""
    DuplicateMatch.objects.filter(application=application).delete()
    rows = []
    for found in selectors.duplicate_candidates(application):
        row = DuplicateMatch(
            application=application,
            other_application_id=found.pk if found.kind == selectors.APPLICATION else None,
            other_project_id=found.pk if found.kind == selectors.PROJECT else None,
            year=found.year,
            same_unit=found.same_unit,
            same_leader=found.same_leader,
            title_similarity=round(found.title_similarity, 4),
            summary_similarity=round(found.summary_similarity, 4),
        )
        rows.append(row)
    return DuplicateMatch.objects.bulk_create(rows)


@transaction.atomic
def duplicate_decide(*, user: User, project, decision: str, note: str = "") -> DuplicateDecision:
    """The bureau's 查重 conclusion on the online application of a project in 申报: 非重复 (kept, and on the
    project's timeline; 受理 may then go on), or 重复 — the project is refused (不予受理) through its
    workflow in the same transaction, the note as the reason. Refused: nothing is saved."""
    from projects.models import Project
    from projects.rules import Action, State
    from projects.services import project_transition

    if not (user.has_perm("integrity.decide_duplicate") and user.has_perm("projects.manage_project")):
        raise ValidationError("没有作出查重结论的权限。")
    project = Project.objects.visible_to(user).select_for_update(of=("self",)).filter(pk=project.pk).first()
    if project is None:
        raise ValidationError("该项目不存在或不在您的管辖范围内。")
    if project.state != State.SUBMITTED:
        raise ValidationError(f"项目当前状态为“{project.get_state_display()}”，只能在受理前作出查重结论。")
    application = selectors.application_of_project(project)
    if application is None:
        raise ValidationError("该项目不是网上申报转入的项目，没有查重结果。")
    if not DuplicateMatch.objects.filter(application=application).exists():
        raise ValidationError("该申报提交时未发现可能重复的申报或项目，无需作出查重结论。")
    if decision not in DuplicateDecision.Decision.values:
        raise ValidationError({"decision": "请选择查重结论（非重复或重复）。"})
    note = (note or "").strip()
    record = DuplicateDecision.objects.filter(application=application).first() or DuplicateDecision(
        application=application
    )
    record.decision = decision
    record.note = note
    record.decided_by = user
    record.decided_at = timezone.now()
    record.full_clean()
    record.save()
    label = record.get_decision_display()
    if decision == DuplicateDecision.Decision.DUPLICATE:
        project_transition(project=project, action=Action.REJECT, user=user, comment=f"查重认定重复：{note}")
    else:
        record_step(
            record=project,
            action="duplicate_check",
            actor=user,
            comment=note,
            data={"decision": label},
        )
    return record
