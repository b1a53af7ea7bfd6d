"""Review panels' writes: create and draw, register confirmations and refusals (a reserve steps in),
the group leader, supplementary draws, the invitations sent to experts with an account, close and cancel."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition, record_created, record_step
from kejiju.integrity.checks import person_bar
from kejiju.reporting.services import notice_send

from .. import rules
from ..models import (
    Expert,
    ExpertField,
    ReviewDraw,
    ReviewMember,
    ReviewPanel,
    ReviewSubject,
)
from ..selectors import composition_for
from ..subjects import call_optional
from .draws import run_draw


def require_step(step: str, panel: ReviewPanel) -> None:
    """A member-level step may be taken only in the states experts.rules.STEP_STATES names."""
    if not rules.step_allowed(step, panel.state):
        raise TransitionRefused(
            f"评审组当前状态为“{panel.get_state_display()}”，不能{rules.STEP_LABELS[step]}。"
        )


def _resolve_fields(items: Iterable[ExpertField | str | int]) -> list[ExpertField]:
    """Fields given as ExpertField rows, names or primary keys."""
    resolved = []
    for item in items:
        if isinstance(item, ExpertField):
            resolved.append(item)
            continue
        lookup = {"name": item} if isinstance(item, str) else {"pk": item}
        field = ExpertField.objects.filter(**lookup).first()
        if field is None:
            raise ValidationError(f"抽取领域：专业领域“{item}”不存在。")
        resolved.append(field)
    return resolved


def _subject_rows(
    subject: Model | None, subjects: Iterable[Model] | None, title: str, applicant
) -> list[ReviewSubject]:
    """The panel's subjects, unsaved: one ``subject`` under ``title``/``applicant`` (as given), or each
    of ``subjects`` under its own review_title() and review_applicant()."""
    if subject is not None:
        records, named = [subject], True
    else:
        records, named = list(subjects or ()), False
    if not records or any(record is None or record.pk is None for record in records):
        raise ValidationError("评审对象不存在或尚未保存。")
    if len({(type(record), record.pk) for record in records}) != len(records):
        raise ValidationError("评审对象：同一事项不能重复列入评审组。")
    if len({type(record) for record in records}) > 1:
        raise ValidationError("评审对象：一个评审组只能评审同一类事项。")
    subject_type = ContentType.objects.get_for_model(records[0])
    return [
        ReviewSubject(
            position=index,
            subject_type=subject_type,
            subject_id=record.pk,
            title=((title or "").strip() if named else call_optional(record, "review_subject_title"))
            or call_optional(record, "review_title")
            or str(record),
            applicant=applicant if named else call_optional(record, "review_applicant"),
        )
        for index, record in enumerate(records, start=1)
    ]


def _refuse_open_subjects(rows: list[ReviewSubject]) -> None:
    busy = set(
        ReviewSubject.objects.filter(
            is_open=True, subject_type=rows[0].subject_type, subject_id__in=[row.subject_id for row in rows]
        ).values_list("subject_id", flat=True)
    )
    if busy:
        titles = "、".join(row.title for row in rows if row.subject_id in busy)
        raise ValidationError(f"以下评审对象已有进行中的评审组，请先完成或撤销：{titles}。")


@transaction.atomic
def review_panel_create(
    *,
    subject: Model | None = None,
    subjects: Iterable[Model] | None = None,
    title: str,
    applicant=None,
    fields: Iterable[ExpertField | str | int],
    size: int,
    reserves: int,
    criteria: list[dict],
    drop_extremes: bool = False,
    excluded_experts: Iterable[Expert | int] = (),
    lookback_years: int = 3,
    user,
    seed: str | None = None,
    review_kind: str | None = None,
    online_deadline=None,
) -> ReviewPanel:
    """Create a panel and draw ``size`` regular and ``reserves`` reserve experts at once, for one
    ``subject`` (reviewed under ``title``, ``applicant`` its unit) or for all ``subjects`` of a batch or
    call (one draw for all of them; each under its own review_subject_title() — its name within the
    batch — or review_title(), and review_applicant(); the panel is named ``title``). An expert in
    conflict with any subject's applicant is kept off the panel.

    The kind of review (``review_kind``, else experts.subjects.review_kind_for of the subjects) names the
    bureau's composition rule (CompositionRule) the panel must meet: a size below the rule's least is
    refused on ``size``, and the draw fills the rule's quotas (rules.draw_panel) or is refused naming the
    rule and why. A kind without a rule draws as before."""
    subjects = list(subjects) if subjects is not None else None
    rows = _subject_rows(subject, subjects, title, applicant)
    first = subject if subject is not None else subjects[0]
    fields = _resolve_fields(fields)
    excluded_experts = list(excluded_experts)
    excluded_ids = [item for item in excluded_experts if not isinstance(item, Expert)]
    if excluded_ids:
        found = {e.pk: e for e in Expert.objects.filter(pk__in=excluded_ids)}
        if len(found) != len(set(excluded_ids)):
            raise ValidationError("申请回避的专家：有专家编号不存在。")
        excluded_experts = [item if isinstance(item, Expert) else found[item] for item in excluded_experts]
    if not fields:
        raise ValidationError("抽取领域：请至少选择一个专业领域。")
    if size is None or size < 1:
        raise ValidationError("正式专家人数：至少为 1 人。")
    if reserves is None or reserves < 0:
        raise ValidationError("备选专家人数：不能为负数。")
    if lookback_years is None or lookback_years < 0:
        raise ValidationError("近年评审回避年限：不能为负数。")
    try:
        parsed = rules.parse_criteria(criteria)
    except ValueError as error:
        raise ValidationError(f"评分指标：{error}") from None
    if drop_extremes and size < 3:
        raise ValidationError("去掉最高分和最低分：正式专家至少需要 3 人。")
    composition = composition_for(subject=first, kind=review_kind)
    if composition is not None:
        problem = composition.problem(size)
        if problem:
            raise ValidationError({"size": problem})
    _refuse_open_subjects(rows)
    panel = ReviewPanel(
        title=(title or "").strip() or rows[0].title,
        lookback_years=lookback_years,
        criteria=[
            {"key": c.key, "label": c.label, "max_score": float(c.max_score), "weight": float(c.weight)}
            for c in parsed
        ],
        drop_extremes=drop_extremes,
        size=size,
        reserves=reserves,
        online_deadline=online_deadline,
        created_by=user,
    )
    panel.full_clean(validate_constraints=False)
    panel.save()
    for row in rows:
        row.panel = panel
    try:
        with transaction.atomic():
            ReviewSubject.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent panel took one of the subjects
        raise ValidationError("评审对象已有进行中的评审组，请先完成或撤销。") from None
    panel.fields.set(fields)
    panel.excluded_experts.set(list(excluded_experts))
    record, drawn = run_draw(
        panel=panel,
        reserves=reserves,
        seated={},
        composition=composition,
        kind=ReviewDraw.Kind.INITIAL,
        user=user,
        seed=seed,
        needed_label="抽取专家",
    )
    ReviewMember.objects.bulk_create(
        [
            ReviewMember(
                panel=panel,
                expert_id=expert_id,
                draw=record,
                position=index,
                role=ReviewMember.Role.REGULAR if index <= size else ReviewMember.Role.RESERVE,
                status=ReviewMember.Status.PENDING if index <= size else ReviewMember.Status.STANDBY,
            )
            for index, expert_id in enumerate(drawn, start=1)
        ]
    )
    reviewed = f"评审对象 {len(rows)} 项；" if len(rows) > 1 else ""
    record_created(
        record=panel,
        actor=user,
        comment=f"{reviewed}随机种子 {record.seed}；候选池 {len(record.pool)} 人，"
        f"跳过 {len(record.skipped)} 人；抽中正式专家 {size} 人、备选 {reserves} 人。",
    )
    invite_pending(panel)
    return panel


@transaction.atomic
def review_panel_recorded(
    *, subject: Model, title: str, applicant, criteria: list[dict], size: int, result: Decimal, user=None
) -> ReviewPanel:
    """A panel held before the portal (or off it), recorded as closed with ``subject``'s result: no draw,
    no members (the seeded history, reference data of tests)."""
    panel = ReviewPanel.objects.create(
        title=title,
        criteria=criteria,
        size=size,
        state=ReviewPanel.State.CLOSED,
        created_by=user,
        closed_at=timezone.now(),
    )
    ReviewSubject.objects.create(
        panel=panel,
        position=1,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        title=title,
        applicant=applicant,
        result=result,
        is_open=False,
    )
    return panel


def _seat_if_complete(panel: ReviewPanel, user) -> None:
    """抽取中 → 已确认 once every regular seat is taken by a member who confirmed (the "seat" transition)."""
    from ..workflow import seating_complete

    if panel.state == ReviewPanel.State.DRAWING and seating_complete(panel):
        apply_transition(
            record=panel,
            action=edge_for("seat", user),
            actor=user,
            comment=f"正式专家 {panel.size} 人均已确认参加。",
        )


def locked_panel(panel: ReviewPanel) -> ReviewPanel:
    return ReviewPanel.objects.select_for_update().get(pk=panel.pk)


@transaction.atomic
def review_member_confirm(*, member: ReviewMember, user) -> ReviewMember:
    panel = locked_panel(member.panel)
    require_step("confirm", panel)
    member = ReviewMember.objects.select_related("expert").get(pk=member.pk)
    if member.role != ReviewMember.Role.REGULAR or member.status != ReviewMember.Status.PENDING:
        raise ValidationError(f"专家“{member.expert}”当前为{member.role}/{member.status}，不能确认。")
    barred = _expert_bar(member.expert)
    if barred:
        raise ValidationError(f"{barred}请登记该专家不能参加，由备选专家递补。")
    member.status = ReviewMember.Status.CONFIRMED
    member.full_clean()
    member.save()
    record_step(record=panel, action="confirm", actor=user, comment=f"{member.expert} 确认参加评审。")
    _seat_if_complete(panel, user)
    return member


@transaction.atomic
def review_member_refuse(*, member: ReviewMember, reason: str, user) -> ReviewMember | None:
    """Record a refusal; a refusing regular member is replaced by the next reserve (returned), if any."""
    panel = locked_panel(member.panel)
    require_step("refuse", panel)
    member = ReviewMember.objects.select_related("expert").get(pk=member.pk)
    if not reason or not reason.strip():
        raise ValidationError("拒绝原因：请填写专家不能参加的原因。")
    if member.status == ReviewMember.Status.REFUSED:
        raise ValidationError(f"专家“{member.expert}”已登记为拒绝。")
    was_regular = member.role == ReviewMember.Role.REGULAR
    member.status = ReviewMember.Status.REFUSED
    member.is_leader = False
    member.refusal_reason = reason.strip()[:200]
    member.full_clean()
    member.save()
    note = f"{member.expert}（{member.role}）不能参加：{member.refusal_reason}"
    if panel.state == ReviewPanel.State.CONFIRMED and was_regular:
        # A seat of a confirmed panel is vacant again: the panel is back to 抽取中.
        apply_transition(record=panel, action=edge_for("refuse", user), actor=user, comment=note)
    else:
        record_step(record=panel, action="refuse", actor=user, comment=note)
    replacement = None
    if was_regular:
        replacement = _next_reserve(panel, user)
        if replacement is not None:
            replacement.role = ReviewMember.Role.REGULAR
            replacement.status = ReviewMember.Status.PENDING
            replacement.replaces = member
            replacement.save()
            record_step(
                record=panel,
                action="promote",
                actor=user,
                comment=f"备选专家 {replacement.expert} 递补 {member.expert}。",
            )
            invite_pending(panel)
        else:
            left = panel.members.filter(
                role=ReviewMember.Role.RESERVE, status=ReviewMember.Status.STANDBY
            ).exists()
            note = "备选专家均不符合评审组组成规则，请补充抽取。" if left else "备选专家已用完，请补充抽取。"
            record_step(record=panel, action="reserves_exhausted", actor=user, comment=note)
    return replacement


def edge_for(action: str, user) -> str:
    """The panel edge an expert's own answer or scores take (网评: their permission), else staff's."""
    return f"{action}_online" if user.has_perm("experts.review_as_expert") else action


def _expert_bar(expert: Expert) -> str | None:
    """Why the expert may not sit on a panel today (科研诚信 惩戒 of scope 评审专家), or None."""
    return person_bar([(f"专家{expert.name}", expert.id_number_digest)], "expert")


def _panel_composition(panel: ReviewPanel) -> rules.Composition | None:
    """The composition rule the panel was formed under (its first draw's snapshot), not today's edit."""
    first = panel.draws.order_by("created_at", "pk").values_list("parameters", flat=True).first() or {}
    return rules.Composition.from_dict(first["composition"]) if first.get("composition") else None


def _seated_categories(panel: ReviewPanel) -> dict[str, int]:
    seated: dict[str, int] = {}
    for member in panel.members.select_related("expert"):
        if member.is_seated:
            seated[member.expert.category] = seated.get(member.expert.category, 0) + 1
    return seated


def _next_reserve(panel: ReviewPanel, user) -> ReviewMember | None:
    """The first reserve on standby who may step in: a reserve now under 科研诚信 惩戒 is passed over,
    recorded as unable to take part with the record named, and the next is asked. Under a composition
    rule, a reserve whose category would leave the rule unmet (a 技术 reserve for the one 财务 seat) stays
    on standby and the next is asked."""
    reserves = (
        panel.members.select_related("expert")
        .filter(role=ReviewMember.Role.RESERVE, status=ReviewMember.Status.STANDBY)
        .order_by("position")
    )
    composition = _panel_composition(panel)
    seated = _seated_categories(panel) if composition is not None else {}
    for reserve in reserves:
        if composition is not None and not rules.seat_keeps_composition(
            composition, size=panel.size, seated=seated, category=reserve.expert.category
        ):
            continue
        barred = _expert_bar(reserve.expert)
        if not barred:
            return reserve
        reserve.status = ReviewMember.Status.REFUSED
        reserve.refusal_reason = barred[:200]
        reserve.save(update_fields=["status", "refusal_reason", "updated_at"])
        note = f"{reserve.expert}：{barred}"
        record_step(record=panel, action="refuse", actor=user, label="备选不予递补", comment=note)
    return None


@transaction.atomic
def review_member_set_leader(*, member: ReviewMember, user) -> ReviewMember:
    """Make a confirmed regular member the panel's 组长 (one per panel)."""
    panel = locked_panel(member.panel)
    require_step("leader", panel)
    member = ReviewMember.objects.select_related("expert").get(pk=member.pk)
    if not member.is_seated or member.status != ReviewMember.Status.CONFIRMED:
        raise ValidationError(f"组长须为已确认参加的正式专家，“{member.expert}”不符合。")
    panel.members.filter(is_leader=True).exclude(pk=member.pk).update(is_leader=False)
    member.is_leader = True
    member.save(update_fields=["is_leader", "updated_at"])
    record_step(record=panel, action="leader", actor=user, comment=f"{member.expert} 任评审组组长。")
    return member


@transaction.atomic
def review_panel_supplement(*, panel: ReviewPanel, user, seed: str | None = None) -> ReviewDraw:
    """Draw as many new regular experts as the panel lacks (a new recorded draw, same conflicts)."""
    panel = locked_panel(panel)
    require_step("supplement", panel)
    seated = _seated_categories(panel)
    missing = panel.size - sum(seated.values())
    if missing <= 0:
        raise ValidationError("评审组正式专家人数已满，无需补充抽取。")
    composition = _panel_composition(panel)  # the rule the panel was formed under
    record, drawn = run_draw(
        panel=panel,
        reserves=0,
        seated=seated,
        composition=composition,
        kind=ReviewDraw.Kind.SUPPLEMENT,
        user=user,
        seed=seed,
        needed_label="补充抽取",
    )
    last = max(panel.members.values_list("position", flat=True), default=0)
    ReviewMember.objects.bulk_create(
        [
            ReviewMember(
                panel=panel,
                expert_id=expert_id,
                draw=record,
                position=last + index,
                role=ReviewMember.Role.REGULAR,
                status=ReviewMember.Status.PENDING,
            )
            for index, expert_id in enumerate(drawn, start=1)
        ]
    )
    record_step(
        record=panel,
        action="supplement",
        actor=user,
        comment=f"随机种子 {record.seed}；候选池 {len(record.pool)} 人，"
        f"跳过 {len(record.skipped)} 人；补充 {missing} 人。",
    )
    invite_pending(panel)
    return record


def invite_pending(panel: ReviewPanel) -> int:
    """Invite, once, every regular member awaiting confirmation whose expert has an active account: an
    in-app notice and an e-mail on commit. Returns how many were invited."""
    members = list(
        panel.members.select_related("expert__user").filter(
            role=ReviewMember.Role.REGULAR,
            status=ReviewMember.Status.PENDING,
            invited_at__isnull=True,
            expert__user__is_active=True,
        )
    )
    now = timezone.now()
    url = reverse("experts:my_seats")
    for member in members:
        notice_send(
            recipients=[member.expert.user],
            title=f"评审邀请：{panel.title}",
            body="您被抽取为该事项的评审专家，请登录系统接受或说明不能参加的原因。",
            url=url,
        )
        member.invited_at = now
    ReviewMember.objects.bulk_update(members, ["invited_at"])
    return len(members)


def review_panel_close(*, panel: ReviewPanel, user, comment: str = "") -> ReviewPanel:
    """Compute the panel result from the complete scores and freeze it (the "close" transition)."""
    apply_transition(record=panel, action="close", actor=user, comment=comment)
    return panel


def review_panel_cancel(*, panel: ReviewPanel, reason: str, user) -> ReviewPanel:
    """Cancel the panel (the "cancel" transition; the reason is its comment)."""
    apply_transition(record=panel, action="cancel", actor=user, comment=(reason or "").strip())
    return panel
