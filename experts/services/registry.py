"""The expert library's writes: admitting and editing experts (身份证号 and mobile checked and encrypted),
their state (暂停/恢复/出库/重新入库, dated on the timeline) and the fields they are filed under."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from kejiju.core.dates import require_date_order
from kejiju.core.identifiers import IdentifierError, id_number_gender, validate_id_number, validate_mobile
from kejiju.core.pii import digest
from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition, record_created

from .. import rules
from ..models import (
    Expert,
    ExpertField,
)
from ..rules import ADMISSION_ACTIONS


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
