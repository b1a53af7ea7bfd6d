"""Writes of the experts app.

Review panels for other apps (platform recognition, project review, 验收) — the stable contract:
  panel = review_panel_create(subject=obj, title="…", applicant=org_or_None, fields=[ExpertField, …],
      size=5, reserves=2, criteria=[{"key": "c1", "label": "创新性", "max_score": 30, "weight": 1}, …],
      drop_extremes=True, excluded_experts=[], lookback_years=3, user=request.user)
      # draws at once; raises ValidationError (Chinese: how many eligible, why others skipped) if short
  review_panel_create(subjects=[obj, …], title="批次名称", …)  # one panel, one draw for a batch or call
  experts.selectors.review_subject_for(subject=obj) -> the record in its latest non-cancelled panel
      (a ReviewSubject, .panel) or None; its .result -> Decimal once the panel is closed (else None);
      panel_result(panel, reviewed) -> frozen or provisional result
  panel.get_absolute_url() -> the staff page (confirm / refuse + reserve / scores / close / draw audit)
  Start one from a page: experts.selectors.panel_add_url(obj), or in a template
  {% load experts_tags %}{% review_panel_card object %} (state, result, links; the start button for staff).
  The subject may define review_title(), review_applicant() -> Organization and review_criteria() ->
  criteria list, used as the form's defaults. `fields` takes ExpertField rows, names or ids.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Model
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from kejiju.core.dates import require_date_order, require_record_dates
from kejiju.core.identifiers import IdentifierError, id_number_gender, validate_id_number, validate_mobile
from kejiju.core.invariants import Unique, declare_invariants, require_unique
from kejiju.core.models import Organization
from kejiju.core.pii import digest
from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition, record_created, record_step
from kejiju.integrity.checks import person_bar
from kejiju.integrity.selectors import active_for_digests

from . import rules
from .models import (
    Commissioner,
    CommissionerTeam,
    CompositionRule,
    Expert,
    ExpertField,
    ReviewDraw,
    ReviewMember,
    ReviewPanel,
    ReviewScore,
    ReviewSheet,
    ReviewSubject,
    VicePresidentPlacement,
)
from .seats import invite_pending
from .selectors import composition_for, panel_result, review_subject_for
from .subjects import call_optional
from .workflow import ADMISSION_ACTIONS

__all__ = [
    "commissioner_save",
    "commissioner_team_save",
    "composition_rule_save",
    "expert_create",
    "expert_field_delete",
    "expert_set_state",
    "expert_update",
    "panel_result",
    "review_draw_replay",
    "review_member_confirm",
    "review_member_refuse",
    "review_member_set_leader",
    "review_panel_cancel",
    "review_panel_close",
    "review_panel_create",
    "review_panel_supplement",
    "review_scores_enter",
    "review_scores_enter_all",
    "review_subject_for",
    "vice_president_save",
]


# ============================================================================================== experts


@sensitive_variables("value", "number")
def _clean_id_number(value: str, *, exclude_pk: int | None = None) -> str:
    try:
        number = validate_id_number(value)
    except IdentifierError as error:
        raise ValidationError({"id_number": str(error)}) from None
    duplicates = Expert.objects.filter(id_number_digest=digest(number))
    if exclude_pk is not None:
        duplicates = duplicates.exclude(pk=exclude_pk)
    if duplicates.exists():
        # The other record's name is fine to show; the number itself never appears in a message.
        raise ValidationError({"id_number": f"身份证号码与库内专家“{duplicates.first().name}”重复。"})
    return number


@sensitive_variables("number")
def _check_gender(gender: str, number: str) -> None:
    expected = id_number_gender(number)
    if gender != expected:
        raise ValidationError({"gender": f"性别与身份证号码不符：按身份证号码应为“{expected}”。"})


@sensitive_variables("value")
def _clean_mobile(value: str) -> str:
    if not value:
        return ""
    try:
        return validate_mobile(value)
    except IdentifierError as error:
        raise ValidationError({"mobile": str(error)}) from None


def _check_state_dates(expert: Expert) -> None:
    require_date_order(rules.EXPERT_STATE_DATES["register"], date=expert.admitted_on)


def _save_expert(expert: Expert, *, fields: Iterable[ExpertField], avoided_units: Iterable) -> Expert:
    fields = list(fields)
    if not fields:
        raise ValidationError({"fields": "请至少选择一个专业领域。"})
    _check_state_dates(expert)
    expert.full_clean(exclude=["fields", "avoided_units"])
    try:
        with transaction.atomic():
            expert.save()
    except IntegrityError:
        raise ValidationError({"id_number": "身份证号码与库内专家重复。"}) from None
    expert.fields.set(fields)
    expert.avoided_units.set(list(avoided_units))
    return expert


@sensitive_variables()  # every local and argument: the atomic wrapper holds them all in kwds
@transaction.atomic
def expert_create(
    *,
    name: str,
    gender: str,
    id_number: str,
    mobile: str = "",
    employer,
    title: str,
    fields: Iterable[ExpertField],
    admitted_on: date,
    county=None,
    position: str = "",
    specialty: str = "",
    category: str = Expert.Category.TECHNICAL,
    admission_reason: str = "",
    avoided_units: Iterable = (),
    notes: str = "",
    user=None,
) -> Expert:
    """Admit an expert to the library: the record, and its 入库 event effective on ``admitted_on`` (the
    flow experts.expert; leaving and returning go through :func:`expert_set_state`)."""
    number = _clean_id_number(id_number)
    _check_gender(gender, number)
    expert = Expert(
        name=name.strip(),
        gender=gender,
        employer=employer,
        title=title,
        position=position,
        specialty=specialty,
        category=category,
        county=county,
        state=Expert.State.ACTIVE,
        admitted_on=admitted_on,
        admission_reason=admission_reason,
        notes=notes,
    )
    expert.set_id_number(number)
    expert.set_mobile(_clean_mobile(mobile))
    expert = _save_expert(expert, fields=fields, avoided_units=avoided_units)
    record_created(record=expert, actor=user, effective_on=admitted_on, comment=admission_reason)
    return expert


@sensitive_variables()  # every local and argument: the atomic wrapper holds them all in kwds
@transaction.atomic
def expert_update(
    *,
    expert: Expert,
    name: str,
    gender: str,
    employer,
    title: str,
    fields: Iterable[ExpertField],
    admitted_on: date,
    id_number: str = "",
    mobile: str | None = None,
    county=None,
    position: str = "",
    specialty: str = "",
    category: str | None = None,
    admission_reason: str = "",
    avoided_units: Iterable = (),
    notes: str = "",
    user=None,
) -> Expert:
    """Update the record. An empty ``id_number`` keeps the stored one; ``mobile=None`` keeps the stored one
    and ``mobile=""`` clears it; ``category=None`` keeps the stored one. State changes go through
    :func:`expert_set_state`."""
    expert.name = name.strip()
    expert.gender = gender
    expert.employer = employer
    expert.title = title
    expert.position = position
    expert.specialty = specialty
    if category is not None:
        expert.category = category
    expert.county = county
    if admitted_on != expert.admitted_on:
        _correct_admission(expert, admitted_on)
    expert.admitted_on = admitted_on
    expert.admission_reason = admission_reason
    expert.notes = notes
    if id_number:
        number = _clean_id_number(id_number, exclude_pk=expert.pk)
        _check_gender(gender, number)
        expert.set_id_number(number)
    if mobile is not None:
        expert.set_mobile(_clean_mobile(mobile))
    return _save_expert(expert, fields=fields, avoided_units=avoided_units)


def _correct_admission(expert: Expert, admitted_on: date) -> None:
    """An edited 入库日期 corrects the date of the current tenure's admission event (入库 or 重新入库); it
    may not leave the steps before and after it out of order."""
    from kejiju.core.workflow.selectors import STEP_ORDER, events_for

    events = list(events_for(expert).order_by(*STEP_ORDER))
    admissions = [i for i, e in enumerate(events) if e.action in ADMISSION_ACTIONS]
    if not admissions:
        return
    index = admissions[-1]
    event = events[index]
    if index > 0 and admitted_on < events[index - 1].effective_on:
        raise ValidationError(
            {"admitted_on": f"入库日期不能早于上一步“{events[index - 1].label}”的生效日期。"}
        )
    if index + 1 < len(events) and admitted_on > events[index + 1].effective_on:
        raise ValidationError(
            {"admitted_on": f"入库日期不能晚于下一步“{events[index + 1].label}”的生效日期。"}
        )
    event.effective_on = admitted_on
    event.save(update_fields=["effective_on"])


def _state_action(current: str, target: str) -> str:
    """The step of the flow experts.expert that leads from ``current`` to ``target``."""
    if target == Expert.State.SUSPENDED:
        return "suspend"
    if target == Expert.State.EXITED:
        return "exit"
    return "readmit" if current == Expert.State.EXITED else "resume"


@transaction.atomic
def expert_set_state(*, expert: Expert, state: str, on: date, reason: str, user) -> Expert:
    """在库 ↔ 暂停 → 出库 → 在库, as the steps of the flow experts.expert (暂停, 恢复在库, 出库, 重新入库),
    each an event effective on ``on``. Suspending or removing needs a reason (the event's comment);
    re-admission starts a new tenure (admitted_on becomes ``on``, the reason its 入库依据)."""
    if state not in Expert.State.values:
        raise ValidationError({"state": "专家状态无效。"})
    if state == expert.state:
        raise ValidationError({"state": f"专家已是“{expert.get_state_display()}”状态。"})
    if expert.state == Expert.State.EXITED and state == Expert.State.SUSPENDED:
        raise ValidationError({"state": "已出库的专家不能改为暂停，请先重新入库。"})
    if state != Expert.State.ACTIVE and not (reason or "").strip():
        raise ValidationError({"exit_reason": "暂停或出库必须填写原因。"})
    try:
        apply_transition(
            record=expert,
            action=_state_action(expert.state, state),
            actor=user,
            effective_on=on,
            comment=(reason or "").strip(),
        )
    except TransitionRefused as refusal:
        field = "on" if refusal.field == "effective_on" else "state"
        raise ValidationError({field: refusal.reason}) from None
    return expert


# ============================================================================================== reviews


def _require(step: str, panel: ReviewPanel) -> None:
    """A member-level step may be taken only in the states experts.rules.STEP_STATES names."""
    if not rules.step_allowed(step, panel.state):
        raise TransitionRefused(
            f"评审组当前状态为“{panel.get_state_display()}”，不能{rules.STEP_LABELS[step]}。"
        )


def _lookback_cutoff(years: int) -> date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _integrity_bars(digests: Iterable[str], on: date) -> dict[str, rules.IntegrityBar]:
    """The 科研诚信 record barring each of these people from reviewing (评审专家) on `on`, by digest: the
    latest when several bind (one query for the whole pool)."""
    bars: dict[str, rules.IntegrityBar] = {}
    records = active_for_digests(digests, "expert", on).order_by("-starts_on", "-pk")
    for key, pk, source, starts_on, ends_on in records.values_list(
        "id_number_digest", "pk", "source", "starts_on", "ends_on"
    ):
        bars.setdefault(key, rules.IntegrityBar(pk, source, starts_on, ends_on))
    return bars


def _year_seats(ids: list[int], panel: ReviewPanel, on: date) -> dict[int, int]:
    """Regular seats per expert in the calendar year of `on` (one query for the whole pool): members
    drawn that year as regular (or promoted from reserve), not refused, on panels not cancelled, other than
    ``panel``."""
    return dict(
        ReviewMember.objects.filter(
            expert_id__in=ids, role=ReviewMember.Role.REGULAR, draw__created_at__year=on.year
        )
        .exclude(status=ReviewMember.Status.REFUSED)
        .exclude(panel__state=ReviewPanel.State.CANCELLED)
        .exclude(panel=panel)
        .order_by()
        .values("expert_id")
        .annotate(seats=Count("pk"))
        .values_list("expert_id", "seats")
    )


def _applicant_ids(panel: ReviewPanel) -> list[int]:
    return sorted({pk for pk in panel.subjects.values_list("applicant_id", flat=True) if pk is not None})


def _candidates(
    panel: ReviewPanel,
    field_ids: list[int],
    *,
    on: date,
    applicant_ids: list[int],
    yearly_cap: int | None = None,
) -> list[rules.Candidate]:
    """Every expert of the chosen fields, with the facts the screening needs on `on` (five queries, and
    one more for the seats of the year when the rule caps them)."""
    experts = list(
        Expert.objects.filter(fields__in=field_ids)
        .distinct()
        .order_by("pk")
        .values_list("pk", "name", "state", "employer_id", "id_number_digest", "category")
    )
    ids = [row[0] for row in experts]
    year_seats = _year_seats(ids, panel, on) if yearly_cap is not None else {}
    barred = _integrity_bars((row[4] for row in experts), on)
    avoided: dict[int, set[int]] = {}
    for expert_id, org_id in Expert.avoided_units.through.objects.filter(expert_id__in=ids).values_list(
        "expert_id", "organization_id"
    ):
        avoided.setdefault(expert_id, set()).add(org_id)
    recent: dict[int, set[int]] = {}
    placed: dict[int, set[int]] = {}
    if applicant_ids:
        if panel.lookback_years:
            for expert_id, org_id in (
                ReviewSubject.objects.filter(
                    applicant_id__in=applicant_ids,
                    panel__created_at__date__gte=_lookback_cutoff(panel.lookback_years),
                    panel__members__status=ReviewMember.Status.CONFIRMED,
                    panel__members__expert_id__in=ids,
                )
                .exclude(panel=panel)
                .exclude(panel__state=ReviewPanel.State.CANCELLED)
                .values_list("panel__members__expert_id", "applicant_id")
                .distinct()
            ):
                recent.setdefault(expert_id, set()).add(org_id)
        for expert_id, org_id in VicePresidentPlacement.objects.filter(
            enterprise_id__in=applicant_ids,
            expert_id__in=ids,
            state__in=[VicePresidentPlacement.State.PROPOSED, VicePresidentPlacement.State.SERVING],
        ).values_list("expert_id", "enterprise_id"):
            placed.setdefault(expert_id, set()).add(org_id)
    return [
        rules.Candidate(
            expert_id=pk,
            name=name,
            state=state,
            employer_id=employer_id,
            avoided_unit_ids=frozenset(avoided.get(pk, ())),
            recent_applicant_ids=frozenset(recent.get(pk, ())),
            placed_at_ids=frozenset(placed.get(pk, ())),
            integrity=barred.get(digest),
            category=category,
            year_seats=year_seats.get(pk, 0),
        )
        for pk, name, state, employer_id, digest, category in experts
    ]


def _run_draw(
    *,
    panel: ReviewPanel,
    reserves: int,
    seated: Mapping[str, int],
    composition: rules.Composition | None,
    kind: str,
    user,
    seed: str | None,
    needed_label: str,
) -> tuple[ReviewDraw, list[int]]:
    """Draw the regular seats the panel lacks (its size less the ``seated`` members, by category) and
    ``reserves``, meeting ``composition`` when given (rules.draw_panel)."""
    count = panel.size - sum(seated.values()) + reserves
    fields = list(panel.fields.order_by("pk"))
    field_ids = [f.pk for f in fields]
    excluded = sorted(panel.excluded_experts.values_list("pk", flat=True))
    on_panel = sorted(panel.members.values_list("expert_id", flat=True))
    yearly_cap = composition.yearly_cap if composition is not None else None
    applicant_ids = _applicant_ids(panel)
    context = rules.DrawContext(
        applicant_ids=frozenset(applicant_ids),
        excluded_expert_ids=frozenset(excluded),
        already_on_panel_ids=frozenset(on_panel),
        lookback_years=panel.lookback_years,
        yearly_cap=yearly_cap,
    )
    # 科研诚信 惩戒 binds on the draw's date; what it found is kept on the draw (skipped[…]["integrity"]),
    # so the record and its replay stay those of that day whatever becomes of the 失信 record afterwards.
    on = timezone.localdate()
    candidates = _candidates(panel, field_ids, on=on, applicant_ids=applicant_ids, yearly_cap=yearly_cap)
    screening = rules.screen(candidates, context)
    if len(screening.pool) < count:
        raise ValidationError(
            f"{needed_label}失败。" + rules.describe_shortfall(needed=count, screening=screening)
        )
    seed = seed if seed is not None else secrets.token_hex(8)
    if not str(seed).isprintable():
        raise ValidationError({"seed": "随机种子只能包含可打印字符。"})
    in_pool = set(screening.pool)
    categories = {c.expert_id: c.category for c in candidates if c.expert_id in in_pool}
    try:
        drawn = rules.draw_panel(
            screening.pool,
            seed,
            size=panel.size,
            reserves=reserves,
            categories=categories,
            composition=composition,
            seated=seated,
        )
    except rules.CompositionShortfall as shortfall:
        raise ValidationError(
            f"{needed_label}失败。" + rules.describe_composition_shortfall(composition, shortfall, screening)
        ) from None
    except rules.CompositionOverflow as overflow:
        raise ValidationError(f"{needed_label}失败。{overflow}") from None
    composed = (
        {
            "review_kind": composition.kind,
            "composition": composition.as_dict(),
            "composition_text": composition.describe(),
            "seats": {"size": panel.size, "reserves": reserves, "seated": dict(seated)},
            "categories": {str(pk): category for pk, category in categories.items()},
            "year": on.year,
            "algorithm": rules.COMPOSED_ALGORITHM,
        }
        if composition is not None
        else {}
    )
    record = ReviewDraw.objects.create(
        panel=panel,
        kind=kind,
        seed=str(seed),
        requested=count,
        parameters={
            "fields": [{"id": f.pk, "name": f.name} for f in fields],
            "applicants": [
                {"id": org.pk, "name": org.name}
                for org in Organization.objects.filter(pk__in=applicant_ids).order_by("pk")
            ],
            "excluded_experts": excluded,
            "already_on_panel": on_panel,
            "lookback_years": panel.lookback_years,
            "lookback_from": _lookback_cutoff(panel.lookback_years).isoformat()
            if panel.lookback_years
            else None,
            "integrity_on": on.isoformat(),
            "algorithm": "按 SHA-256(种子:专家编号) 升序排列候选池，取前 N 位",
            # The composition rule applied, as it stood (a later edit changes neither record nor replay).
            **composed,
        },
        pool=list(screening.pool),
        skipped=list(screening.skipped),
        drawn=drawn,
        created_by=user,
    )
    return record, drawn


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
    record, drawn = _run_draw(
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
    from .workflow import seating_complete

    if panel.state == ReviewPanel.State.DRAWING and seating_complete(panel):
        apply_transition(
            record=panel,
            action=_online("seat", user),
            actor=user,
            comment=f"正式专家 {panel.size} 人均已确认参加。",
        )


def _locked_panel(panel: ReviewPanel) -> ReviewPanel:
    return ReviewPanel.objects.select_for_update().get(pk=panel.pk)


@transaction.atomic
def review_member_confirm(*, member: ReviewMember, user) -> ReviewMember:
    panel = _locked_panel(member.panel)
    _require("confirm", panel)
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
    panel = _locked_panel(member.panel)
    _require("refuse", panel)
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
        apply_transition(record=panel, action=_online("refuse", user), actor=user, comment=note)
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


def _online(action: str, user) -> str:
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
    panel = _locked_panel(member.panel)
    _require("leader", panel)
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
    panel = _locked_panel(panel)
    _require("supplement", panel)
    seated = _seated_categories(panel)
    missing = panel.size - sum(seated.values())
    if missing <= 0:
        raise ValidationError("评审组正式专家人数已满，无需补充抽取。")
    composition = _panel_composition(panel)  # the rule the panel was formed under
    record, drawn = _run_draw(
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


def review_draw_replay(draw: ReviewDraw) -> list[int]:
    """Recompute a recorded draw from its seed and pool (and, under a composition rule, the rule, seats
    and categories it recorded): equal to ``draw.drawn`` unless tampered with."""
    parameters = draw.parameters or {}
    if not parameters.get("composition"):
        return rules.draw(draw.pool, draw.seed, draw.requested)
    seats = parameters["seats"]
    return rules.draw_panel(
        draw.pool,
        draw.seed,
        size=seats["size"],
        reserves=seats["reserves"],
        categories={int(pk): category for pk, category in parameters["categories"].items()},
        composition=rules.Composition.from_dict(parameters["composition"]),
        seated=seats["seated"],
    )


def _scorer_problem(member: ReviewMember) -> str | None:
    """Only a confirmed regular member (a scorer) has scores entered."""
    if not member.is_seated or member.status != ReviewMember.Status.CONFIRMED:
        return f"专家“{member.expert}”不是已确认的正式评审专家，不能录入评分。"
    return None


def _read_scores(
    criteria: list[rules.Criterion], scores: Mapping[str, object]
) -> tuple[dict[str, Decimal], list[tuple[str | None, str]]]:
    """One member's typed cells: (the values by criterion key, the problems as (criterion key or None for
    the row, message)). Nothing is written."""
    problems: list[tuple[str | None, str]] = []
    unknown = sorted(set(scores) - {c.key for c in criteria})
    if unknown:
        problems.append((None, f"评分指标“{'、'.join(unknown)}”不属于本评审组。"))
    values: dict[str, Decimal] = {}
    for criterion in criteria:
        try:
            values[criterion.key] = rules.score_value(criterion, scores.get(criterion.key))
        except ValueError as error:
            problems.append((criterion.key, str(error)))
    return values, problems


def _performance_problem(performance: str) -> str | None:
    if performance and performance not in ReviewMember.Performance.values:
        return "履职评价：请选择优秀、良好、一般或差。"
    return None


def _subject_of(panel: ReviewPanel, subject: ReviewSubject | None) -> ReviewSubject:
    """``subject`` checked to be the panel's, or the panel's only subject when none is named."""
    if subject is None:
        subjects = list(panel.subjects.all()[:2])
        if len(subjects) != 1:
            raise ValidationError("评审对象：请选择要评分的评审对象。")
        return subjects[0]
    if subject.panel_id != panel.pk:
        raise ValidationError("评审对象不属于本评审组。")
    return subject


def _sheet_for(member: ReviewMember, subject: ReviewSubject) -> ReviewSheet:
    sheet, _ = ReviewSheet.objects.get_or_create(member=member, subject=subject)
    return sheet


def _save_sheet(
    *,
    panel: ReviewPanel,
    sheet: ReviewSheet,
    criteria: list[rules.Criterion],
    values: Mapping[str, Decimal],
    comment: str,
    user,
    several: bool,
) -> list[ReviewScore]:
    """Write one member's checked scores of one subject and record the step: the first entry of a
    confirmed panel takes the "score" transition (评分中), any later one is a step on the timeline
    (naming the subject when the panel has `several`)."""
    saved = []
    for criterion in criteria:
        score, _ = ReviewScore.objects.update_or_create(
            sheet=sheet, criterion=criterion.key, defaults={"score": values[criterion.key]}
        )
        score.full_clean()
        saved.append(score)
    sheet.comment = comment
    sheet.save(update_fields=["comment", "updated_at"])
    total = rules.member_total(criteria, {s.criterion: s.score for s in saved})
    note = f"{sheet.member.expert}{f' · {sheet.subject}' if several else ''}：合计 {total}"
    if panel.state == ReviewPanel.State.CONFIRMED:  # the first score entry opens the scoring
        apply_transition(record=panel, action=_online("score", user), actor=user, comment=note)
    else:
        record_step(record=panel, action="score", actor=user, comment=note)
    return saved


def _set_performance(member: ReviewMember, performance: str) -> None:
    if performance != member.performance:
        member.performance = performance
        member.save(update_fields=["performance", "updated_at"])


@transaction.atomic
def review_scores_enter(
    *,
    member: ReviewMember,
    scores: Mapping[str, Decimal | str | int | float],
    subject: ReviewSubject | None = None,
    comment: str = "",
    performance: str = "",
    user,
) -> list[ReviewScore]:
    """Enter (or correct) one expert's scores on every criterion of the panel for one ``subject`` (the
    panel's only one when not named); ``performance`` is the member's 履职评价 on the panel."""
    panel = _locked_panel(member.panel)
    _require("score", panel)
    member = ReviewMember.objects.select_related("expert").get(pk=member.pk)
    subject = _subject_of(panel, subject)
    problem = _scorer_problem(member)
    if problem:
        raise ValidationError(problem)
    sheet = _sheet_for(member, subject)
    if sheet.recused:
        raise ValidationError(f"专家“{member.expert}”已对“{subject}”申明回避，不能评分。")
    criteria = rules.parse_criteria(panel.criteria)
    values, problems = _read_scores(criteria, scores)
    if problems:
        raise ValidationError(problems[0][1])
    problem = _performance_problem(performance)
    if problem:
        raise ValidationError(problem)
    _set_performance(member, performance)
    several = panel.subjects.count() > 1
    return _save_sheet(
        panel=panel,
        sheet=sheet,
        criteria=criteria,
        values=values,
        comment=comment,
        user=user,
        several=several,
    )


Cells = Mapping[str, Decimal | str | int | float | None]


@transaction.atomic
def review_scores_enter_all(
    *,
    panel: ReviewPanel,
    scores: Mapping[int, Mapping[int, Cells]],
    user,
    comments: Mapping[tuple[int, int], str] | None = None,
    performances: Mapping[int, str] | None = None,
) -> dict[tuple[int, int], list[ReviewScore]]:
    """会评: enter the scores of several members for several subjects of the panel at once (the grid
    page, the score-sheet upload), by member id → subject id → criterion key → score; sheets left out keep
    what they have. Every cell is read by the per-sheet rules first and every problem is reported, each
    named by its expert, subject (when the panel has several) and criterion (``专家张三 · “技术创新性”的得分
    应在 0–30 之间…``, with ``params`` member_id / subject_id / criterion for the page to mark the cell);
    only when all are right is anything written, in this one transaction, in seat and subject order, with
    the step the per-sheet entry records (the first one opening the scoring); a sheet whose scores and
    评审意见 are unchanged is not written again. ``comments`` (by (member id, subject id)) replace a sheet's
    评审意见 and ``performances`` (by member id) a member's 履职评价 when given; both are kept otherwise."""
    panel = _locked_panel(panel)
    _require("score", panel)
    criteria = rules.parse_criteria(panel.criteria)
    seats = panel.members.select_related("expert").order_by("position")
    members = {member.pk: member for member in seats}
    subjects = {subject.pk: subject for subject in panel.subjects.all()}
    several = len(subjects) > 1
    sheets = {
        (sheet.member_id, sheet.subject_id): sheet
        for sheet in ReviewSheet.objects.filter(member__panel=panel).prefetch_related("scores")
    }
    comments = comments or {}
    performances = performances or {}
    errors: list[ValidationError] = []
    checked: dict[tuple[int, int], dict[str, Decimal]] = {}

    def fail(message: str, member_id, criterion: str | None = None, subject_id=None) -> None:
        errors.append(
            ValidationError(
                message,
                code="score",
                params={"member_id": member_id, "subject_id": subject_id, "criterion": criterion},
            )
        )

    for member_id, by_subject in scores.items():
        member = members.get(member_id)
        if member is None:
            fail(f"成员编号 {member_id} 不是本评审组的评审专家。", member_id)
            continue
        problem = _scorer_problem(member)
        if problem:
            fail(problem, member_id)
            continue
        problem = _performance_problem(performances.get(member_id, member.performance))
        if problem:
            fail(f"专家{member.expert} · {problem}", member_id, "performance")
        for subject_id, cells in by_subject.items():
            subject = subjects.get(subject_id)
            if subject is None:
                fail(f"评审对象编号 {subject_id} 不属于本评审组。", member_id, subject_id=subject_id)
                continue
            named = f"专家{member.expert}" + (f" · {subject}" if several else "")
            sheet = sheets.get((member_id, subject_id))
            if sheet is not None and sheet.recused:
                fail(f"{named}：已申明回避，不能评分。", member_id, subject_id=subject_id)
                continue
            values, problems = _read_scores(criteria, cells)
            for key, message in problems:
                fail(f"{named} · {message}", member_id, key, subject_id)
            if not problems:
                checked[(member_id, subject_id)] = values
    if not scores:
        fail("没有填写任何专家的评分。", None)
    if errors:
        raise ValidationError(errors)
    for member_id, performance in performances.items():
        if member_id in members and member_id in scores:
            _set_performance(members[member_id], performance)
    saved = {}
    for key in sorted(checked, key=lambda k: (members[k[0]].position, subjects[k[1]].position)):
        member_id, subject_id = key
        sheet = sheets.get(key)
        before = {score.criterion: score.score for score in sheet.scores.all()} if sheet else {}
        comment = comments.get(key, sheet.comment if sheet else "")
        if sheet is not None and (before, comment) == (checked[key], sheet.comment):
            continue  # unchanged: nothing written, no step on the timeline
        if sheet is None:
            sheet = ReviewSheet.objects.create(member=members[member_id], subject=subjects[subject_id])
        sheet.member = members[member_id]
        sheet.subject = subjects[subject_id]
        saved[key] = _save_sheet(
            panel=panel,
            sheet=sheet,
            criteria=criteria,
            values=checked[key],
            comment=comment,
            user=user,
            several=several,
        )
    return saved


def review_panel_close(*, panel: ReviewPanel, user, comment: str = "") -> ReviewPanel:
    """Compute the panel result from the complete scores and freeze it (the "close" transition)."""
    apply_transition(record=panel, action="close", actor=user, comment=comment)
    return panel


def review_panel_cancel(*, panel: ReviewPanel, reason: str, user) -> ReviewPanel:
    """Cancel the panel (the "cancel" transition; the reason is its comment)."""
    apply_transition(record=panel, action="cancel", actor=user, comment=(reason or "").strip())
    return panel


@transaction.atomic
def composition_rule_save(*, rule: CompositionRule, user=None) -> CompositionRule:
    """Validate and save a composition rule (one per kind of review; the rule must be satisfiable at its
    own least size). Draws already made keep the rule as it was (their snapshot)."""
    from .subjects import REVIEW_KINDS

    if rule.kind not in REVIEW_KINDS:
        raise ValidationError({"kind": "请选择评审类别。"})
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def expert_field_delete(*, field: ExpertField, user=None) -> None:
    """A field still used by experts or panels is kept (it can be disabled instead)."""
    experts = field.experts.count()
    panels = field.review_panels.count()
    if experts or panels:
        raise ValidationError(
            f"专业领域“{field.name}”仍有 {experts} 位专家、{panels} 个评审组使用，不能删除；可改为停用。"
        )
    field.delete()


# ============================================================================== 科技副总, 科技特派团/员


PLACEMENT_UNIQUE = Unique(
    key="experts.placement_once",
    model="experts.VicePresidentPlacement",
    fields=("name", "university", "enterprise", "year"),
    label="科技副总派驻：同一人（姓名、派出高校）、同一服务企业、同一选聘年度",
)
declare_invariants(PLACEMENT_UNIQUE)


@transaction.atomic
def vice_president_save(*, placement: VicePresidentPlacement, user=None) -> VicePresidentPlacement:
    """Validate and save a placement (form-built instance): an enterprise and a term for 在任/期满; the
    term's dates keep their order (rules.PLACEMENT_DATES) and a term that ended before today is not 在任."""
    if placement.state != VicePresidentPlacement.State.PROPOSED:
        if placement.enterprise_id is None:
            raise ValidationError({"enterprise": "在任或期满的科技副总必须填写服务企业。"})
        if placement.term_start is None:
            raise ValidationError({"term_start": "在任或期满的科技副总必须填写任期开始日期。"})
    require_record_dates(
        rules.PLACEMENT_DATES, record=placement, reached=rules.PLACEMENT_REACHED, state=placement.state
    )
    problem = rules.placement_term_problem(
        state=placement.state, term_end=placement.term_end, today=timezone.localdate()
    )
    if problem:
        raise ValidationError({"state": problem})
    if placement.enterprise_id and placement.county_id is None:
        placement.county_id = placement.enterprise.region_id
    placement.name = placement.name.strip()
    if placement.enterprise_id:
        require_unique(
            PLACEMENT_UNIQUE,
            existing=VicePresidentPlacement.objects.filter(
                name=placement.name,
                university_id=placement.university_id,
                enterprise_id=placement.enterprise_id,
                year=placement.year,
            ).exclude(pk=placement.pk),
        )
    placement.full_clean()
    State = VicePresidentPlacement.State
    before = None
    if placement.pk:
        before = (
            VicePresidentPlacement.objects.filter(pk=placement.pk).values_list("state", flat=True).first()
        )
    placement.save()
    if before == State.PROPOSED and placement.state == State.SERVING:
        _placement_approved_notice(placement=placement, user=user)
    return placement


def _placement_approved_notice(*, placement: VicePresidentPlacement, user) -> None:
    """拟任 → 在任 is the bureau's approval of the placement: the county hears of it."""
    from kejiju.reporting.services import notify_region

    term = f"，任期自 {placement.term_start:%Y-%m-%d}" if placement.term_start else ""
    notify_region(
        region_id=placement.county_id,
        actor=user,
        title=f"科技副总“{placement}”已批准在任",
        body=f"科技副总“{placement}”派驻“{placement.enterprise}”由“拟任”改为“在任”{term}。",
        url=reverse("experts:vicepresidentplacement_detail", kwargs={"pk": placement.pk}),
    )


@transaction.atomic
def commissioner_team_save(*, team: CommissionerTeam, counties: Iterable, user=None) -> CommissionerTeam:
    counties = list(counties)
    if not counties:
        raise ValidationError({"counties": "请至少选择一个服务县区。"})
    team.full_clean()
    team.save()
    team.counties.set(counties)
    return team


@transaction.atomic
def commissioner_save(*, commissioner: Commissioner, user=None) -> Commissioner:
    if commissioner.is_leader:
        others = Commissioner.objects.filter(team_id=commissioner.team_id, is_leader=True)
        if commissioner.pk:
            others = others.exclude(pk=commissioner.pk)
        if others.exists():
            raise ValidationError({"is_leader": f"“{commissioner.team}”已有团长“{others.first().name}”。"})
    team_counties = set(commissioner.team.counties.values_list("pk", flat=True))
    if team_counties and commissioner.county_id not in team_counties:
        raise ValidationError({"county": f"服务县区不在“{commissioner.team}”的服务范围内。"})
    commissioner.full_clean()
    commissioner.save()
    return commissioner
