"""Online review, the expert's side: the bureau opens a 评审专家 account from a library entry; an expert
with an account, invited to each panel seat they are drawn for (services.panels.invite_pending: a notice
and an e-mail, once), accepts, or declines with a reason — the reserve then steps in as when staff
register a refusal."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from kejiju.accounts import services as accounts
from kejiju.accounts.models import User
from kejiju.accounts.roles import Role
from kejiju.core import uploads

from .models import Expert, ReviewMember, ReviewPanel, ReviewScore, ReviewSheet, ReviewSubject
from .services.panels import review_member_confirm, review_member_refuse
from .services.scores import review_scores_enter


@transaction.atomic
def expert_account_open(
    *, actor: User, expert: Expert, username: str, password: str, email: str = ""
) -> User:
    """A 评审专家 account for a library entry in 在库 (initial password, changed at the first login)."""
    if not actor.has_perm("experts.open_expert_account"):
        raise PermissionDenied("无权为专家开通评审账户。")
    expert = Expert.objects.select_for_update(of=("self",)).select_related("user").get(pk=expert.pk)
    if expert.user_id is not None:
        raise ValidationError({"username": f"专家{expert.name}已有评审账户“{expert.user.username}”。"})
    if not expert.is_available:
        raise ValidationError(
            {"username": f"专家{expert.name}当前为“{expert.state}”，只能为在库专家开通评审账户。"}
        )
    user = accounts.user_create(
        username=username.strip(),
        password=password,
        role=Role.EXPERT,
        display_name=expert.name,
        email=email.strip(),
        actor=actor,
    )
    expert.user = user
    expert.save(update_fields=["user", "updated_at"])
    return user


def _own_seat(*, user: User, member: ReviewMember, status: str = ReviewMember.Status.PENDING) -> ReviewMember:
    """The expert's own regular seat in `status` (an invitation to answer, or a seat to review), while
    they are in the library."""
    member = ReviewMember.objects.select_related("expert", "panel").get(pk=member.pk)
    if not user.has_perm("experts.review_as_expert") or member.expert.user_id != user.pk:
        raise PermissionDenied("这不是您的评审任务。")
    if not member.expert.is_available:
        raise ValidationError(f"您在专家库中的状态为“{member.expert.state}”，不能参加评审。")
    if member.role != ReviewMember.Role.REGULAR or member.status != status:
        if status == ReviewMember.Status.PENDING:
            raise ValidationError(f"该邀请当前为“{member.status}”，无需再答复。")
        raise ValidationError(f"您在该评审组中为“{member.role}/{member.status}”，不能办理。")
    return member


def seat_accept(*, user: User, member: ReviewMember) -> ReviewMember:
    """The expert accepts the invitation (the same confirmation staff register, 科研诚信 checked)."""
    return review_member_confirm(member=_own_seat(user=user, member=member), user=user)


def seat_decline(*, user: User, member: ReviewMember, reason: str) -> ReviewMember | None:
    """The expert declines with a reason; the next reserve steps in (and is invited)."""
    return review_member_refuse(member=_own_seat(user=user, member=member), reason=reason, user=user)


# --------------------------------------------------------------------------------------------- 网评


def _seat_subject(member: ReviewMember, subject: ReviewSubject) -> ReviewSubject:
    if subject.panel_id != member.panel_id:
        raise PermissionDenied("这不是您的评审任务。")
    return subject


@transaction.atomic
def seat_declare(
    *, user: User, member: ReviewMember, subject: ReviewSubject, conflict: bool, reason: str = ""
) -> ReviewSheet:
    """The 回避及保密声明 for one subject of the seat, before its material is shown: signed (no conflict,
    the material kept confidential), or a conflict declared with its reason — the expert is taken off
    that subject (no scores for it; its result is the other members'); an expert in conflict with every
    subject of the panel leaves it, and the next reserve steps in."""
    from kejiju.core.workflow.services import record_step

    member = _own_seat(user=user, member=member, status=ReviewMember.Status.CONFIRMED)
    subject = _seat_subject(member, subject)
    sheet, _ = ReviewSheet.objects.select_for_update().get_or_create(member=member, subject=subject)
    if sheet.recused:
        raise ValidationError(f"您已对“{subject}”申明回避。")
    if sheet.declared_at is not None:
        raise ValidationError(f"您已签署“{subject}”的回避及保密声明。")
    reason = reason.strip()
    if conflict and not reason:
        raise ValidationError({"reason": "申明回避时请填写回避原因（如与申报单位存在利害关系）。"})
    sheet.declared_at = timezone.now()
    sheet.conflict_reason = reason[:200] if conflict else ""
    sheet.save(update_fields=["declared_at", "conflict_reason", "updated_at"])
    several = member.panel.subjects.count() > 1
    named = f"对“{subject}”" if several else ""
    if not conflict:
        record_step(
            record=member.panel,
            action="declare",
            actor=user,
            comment=f"{member.expert} {named}签署回避及保密声明。",
        )
        return sheet
    if ReviewScore.objects.filter(sheet=sheet).exists():  # entered by staff before the declaration
        ReviewScore.objects.filter(sheet=sheet).delete()
    recused = ReviewSheet.objects.filter(member=member).exclude(conflict_reason="").values("subject_id")
    open_subjects = member.panel.subjects.exclude(pk__in=recused)
    if open_subjects.exists():
        record_step(
            record=member.panel,
            action="recuse",
            actor=user,
            comment=f"{member.expert} {named}申明回避：{reason}",
        )
    else:  # in conflict with everything the panel reviews: off the panel, the reserve steps in
        review_member_refuse(member=member, reason=f"申明回避：{reason}", user=user)
    return sheet


def review_problem(member: ReviewMember, *, now=None) -> str | None:
    """Why the expert may not (any longer) change their scores online, or None."""
    if member.scores_submitted_at is not None:
        return "评分已提交，不能再修改。"
    if member.panel.state not in (ReviewPanel.State.CONFIRMED, ReviewPanel.State.SCORING):
        return f"评审组当前为“{member.panel.get_state_display()}”：全部正式专家确认参加后方可评分。"
    deadline = member.panel.online_deadline
    if deadline is not None and (now or timezone.now()) > deadline:
        return f"网评已于 {timezone.localtime(deadline):%Y-%m-%d %H:%M} 截止。"
    return None


def sheet_problem(sheet: ReviewSheet | None) -> str | None:
    """Why the expert may not see the material of, or score, this subject yet, or None."""
    if sheet is None or sheet.declared_at is None:
        return "请先签署该评审对象的回避及保密声明。"
    if sheet.recused:
        return f"您已申明回避：{sheet.conflict_reason}"
    return None


@transaction.atomic
def seat_scores_save(
    *, user: User, member: ReviewMember, subject: ReviewSubject, scores, comment: str = ""
) -> ReviewSheet:
    """网评: the expert saves their scores of one subject (and may change them until submitting). The
    scores go through the staff entry's checks (every criterion, its range)."""
    member = _own_seat(user=user, member=member, status=ReviewMember.Status.CONFIRMED)
    subject = _seat_subject(member, subject)
    sheet = ReviewSheet.objects.filter(member=member, subject=subject).first()
    problem = sheet_problem(sheet) or review_problem(member)
    if problem:
        raise ValidationError(problem)
    review_scores_enter(
        member=member,
        subject=subject,
        scores=scores,
        comment=comment,
        performance=member.performance,
        user=user,
    )
    sheet.refresh_from_db()
    return sheet


@transaction.atomic
def seat_submit(*, user: User, member: ReviewMember) -> ReviewMember:
    """网评: the expert submits their scores of every subject they did not declare a conflict for —
    once, before the deadline, when each is signed and complete."""
    from kejiju.core.workflow.services import record_step

    from .selectors import seat_row

    member = _own_seat(user=user, member=member, status=ReviewMember.Status.CONFIRMED)
    problem = review_problem(member)
    if problem:
        raise ValidationError(problem)
    row = seat_row(member)
    missing = [
        str(cell.subject)
        for cell in row.cells
        if not cell.recused and (not cell.declared or cell.total is None)
    ]
    if missing:
        raise ValidationError(f"以下评审对象尚未签署声明或评分不完整：{'、'.join(missing)}。")
    member.scores_submitted_at = timezone.now()
    member.save(update_fields=["scores_submitted_at", "updated_at"])
    record_step(
        record=member.panel, action="submit_scores", actor=user, comment=f"{member.expert} 提交网评评分。"
    )
    return member


# ------------------------------------------------------------------------------------------ 网评材料


def material_problem(member: ReviewMember) -> str | None:
    """Why the expert may not read the material of this seat (now), or None: a regular seat they
    confirmed, a 回避及保密声明 signed without a conflict (which record's material: material.
    seat_subject_records), in the library, on a panel still at work."""
    if member.role != ReviewMember.Role.REGULAR or member.status != ReviewMember.Status.CONFIRMED:
        return f"您在该评审组中为“{member.role}/{member.status}”，不能查阅评审材料。"
    if not member.expert.is_available:
        return f"您在专家库中的状态为“{member.expert.state}”，不能查阅评审材料。"
    if not member.sheets.filter(declared_at__isnull=False, conflict_reason="").exists():
        return "请先签署回避及保密声明，再查阅评审材料。"
    if member.panel.state in (ReviewPanel.State.CLOSED, ReviewPanel.State.CANCELLED):
        return f"评审组{member.panel.get_state_display()}，评审材料不再提供查阅。"
    return None


@dataclass(frozen=True)
class MaterialDownload:
    data: bytes
    content_type: str
    filename: str


def _download_audited(*, user: User, member: ReviewMember, name: str, outcome: str, detail: str) -> None:
    from kejiju.core.models import AuditEvent
    from kejiju.core.services import audit_event_record

    audit_event_record(
        event_type=AuditEvent.Type.DOWNLOAD,
        user=user,
        outcome=outcome,
        object_repr=f"评审材料 {member.panel.title} {name}"[:255],
        detail=detail,
    )


def seat_material_download(*, user: User, member: ReviewMember, key: str) -> MaterialDownload:
    """The expert's copy of the file `key` of the seat's records, every page marked with their name and
    the time (kejiju.core.watermark). Recorded on the panel's timeline (staff see who read what, when)
    and as a download in the audit log; a refusal is in the audit log too. Raises Http404 for a key
    that is not among the seat's files, PermissionDenied (with the reason) when the expert may not read
    the material now, ValidationError when the file cannot be marked — never an unmarked copy."""
    from kejiju.core.models import AuditEvent
    from kejiju.core.watermark import WatermarkError, stamp_file, stamp_text
    from kejiju.core.workflow.services import record_step

    from .material import seat_file

    member = ReviewMember.objects.select_related("expert", "panel").get(pk=member.pk)
    if not user.has_perm("experts.review_as_expert") or member.expert.user_id != user.pk:
        raise PermissionDenied("这不是您的评审任务。")
    problem = material_problem(member)
    if problem:
        _download_audited(
            user=user, member=member, name=key, outcome=AuditEvent.Outcome.FAILURE, detail=problem
        )
        raise PermissionDenied(problem)
    item = seat_file(member, key)
    text = stamp_text(member.expert.name)
    try:
        if not item.readable:
            raise WatermarkError(item.refusal)
        try:
            with item.file.open("rb") as handle:
                data = handle.read()
        except (*uploads.storage_errors(), ValueError) as error:  # none stored, gone, or the store is down
            raise WatermarkError("文件不存在或无法读取，请联系经办人。") from error
        stamped = stamp_file(data, filename=item.name, text=text)
    except WatermarkError as error:
        _download_audited(
            user=user, member=member, name=item.name, outcome=AuditEvent.Outcome.FAILURE, detail=str(error)
        )
        raise ValidationError(str(error)) from error
    with transaction.atomic():
        record_step(
            record=member.panel,
            action="material",
            actor=user,
            comment=f"{member.expert} 下载“{item.name}”（每页加注“{text}”）。",
        )
        _download_audited(
            user=user,
            member=member,
            name=item.name,
            outcome=AuditEvent.Outcome.SUCCESS,
            detail=f"每页加注水印“{text}”",
        )
    return MaterialDownload(data=stamped.data, content_type=stamped.content_type, filename=item.name)
