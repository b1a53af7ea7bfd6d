"""The one engine: apply a declared transition, record a step, record a creation.

`apply_transition` locks the row in the actor's scope, checks the state, the permission, the comment, the
step's date and the declared rule, sets the state (and the date field the step fills), runs the effect,
saves, writes one `WorkflowEvent`, writes the security log and sends `transition_applied` once the
transaction commits (notifications go there, never before the data is saved).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from kejiju.core.clientip import current_client_ip
from kejiju.core.dates import date_order_problem
from kejiju.core.models import AuditEvent, WorkflowEvent
from kejiju.core.scoping import scoped_queryset

from .declarations import Transition, TransitionContext, TransitionRefused, Workflow, workflow_for

# Sent on commit with sender=the model, record=, event=, workflow=.
transition_applied = Signal()


def _plain(value: Any) -> Any:
    """A form value as kept on the event (JSON): a model instance as its text, a queryset as a list."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, models.QuerySet | list | tuple | set):
        return [_plain(item) for item in value]
    if hasattr(value, "name") and hasattr(value, "read"):  # an uploaded file
        return getattr(value, "name", "")
    return value


def previous_step(record: models.Model) -> dict[str, tuple[str, dt.date | None]]:
    """The record's latest step (by effective date), the date its next step may not precede."""
    event = (
        WorkflowEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )
        .order_by("-effective_on", "-recorded_at", "-pk")
        .only("label", "effective_on")
        .first()
    )
    if event is None:
        return {"previous_step": ("上一步的生效日期", None)}
    return {"previous_step": (f"上一步“{event.label}”的生效日期", event.effective_on)}


def refusal_for_state(flow: Workflow, *, action: str, state: str) -> str:
    if action not in flow.actions():
        return f"未知的操作“{action}”。"
    allowed = [flow.state_label(s) for s in flow.states.values if flow.transition(action=action, state=s)]
    return (
        f"当前状态为“{flow.state_label(state)}”，不能执行“{flow.action_label(action)}”"
        f"（仅限{'、'.join(allowed)}状态）。"
    )


def check_transition(
    flow: Workflow,
    *,
    record: models.Model,
    action: str,
    actor,
    effective_on: dt.date | None,
    comment: str,
    data: Mapping[str, Any],
    today: dt.date,
) -> Transition:
    """The transition `actor` may take now, or TransitionRefused with the reason on its field."""
    state = str(getattr(record, flow.state_field))
    transition = flow.transition(action=action, state=state)
    if transition is None:
        raise TransitionRefused(refusal_for_state(flow, action=action, state=state), field="action")
    if not actor.has_perm(transition.permission):
        raise TransitionRefused(f"您没有办理“{transition.label}”的权限。", field="action")
    if transition.actor_rule is not None:
        refusal = transition.actor_rule(record, actor)
        if refusal:
            raise TransitionRefused(refusal, field="action")
    if transition.comment_required and not (comment or "").strip():
        raise TransitionRefused(f"办理“{transition.label}”须填写说明（意见或原因）。", field="comment")
    if transition.date is not None:
        if effective_on is None:
            raise TransitionRefused(f"请填写{transition.date.label}。", field="effective_on")
        problem = date_order_problem(
            transition.date, date=effective_on, record=record, extra=previous_step(record), today=today
        )
        if problem:
            raise TransitionRefused(problem, field="effective_on")
    if transition.rule is not None:
        refusal = transition.rule(record, data)
        if refusal:
            raise TransitionRefused(refusal, field="action")
    return transition


def apply_transition(
    *,
    record: models.Model,
    action: str,
    actor,
    effective_on: dt.date | None = None,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    today: dt.date | None = None,
) -> WorkflowEvent:
    """Take `action` on `record` as `actor`; returns the event. Refused: TransitionRefused, nothing saved.

    A record outside the actor's scope is refused as if it did not exist. `record` is updated in place."""
    flow = workflow_for(record)
    model = type(record)
    data = dict(data or {})
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = scoped_queryset(model, actor).select_for_update(of=("self",)).filter(pk=record.pk).first()
        if locked is None:
            raise TransitionRefused("该记录不存在或不在您的管辖范围内。", field="action")
        transition = check_transition(
            flow,
            record=locked,
            action=action,
            actor=actor,
            effective_on=effective_on,
            comment=comment,
            data=data,
            today=today,
        )
        effective_on = effective_on or today
        from_state = str(getattr(locked, flow.state_field))
        setattr(locked, flow.state_field, transition.target)
        if transition.sets_date:
            setattr(locked, transition.sets_date, effective_on)
        kept = {name: _plain(value) for name, value in data.items()}
        if transition.effect is not None:
            context = TransitionContext(
                actor=actor,
                effective_on=effective_on,
                comment=comment,
                data=data,
                from_state=from_state,
                transition=transition,
            )
            extra = transition.effect(locked, context)
            if extra:
                kept.update({name: _plain(value) for name, value in extra.items()})
        locked.save()
        event = _write_event(
            flow,
            record=locked,
            action=transition.action,
            label=transition.label,
            from_state=from_state,
            to_state=transition.target,
            effective_on=effective_on,
            actor=actor,
            comment=comment,
            data=kept,
        )
        AuditEvent.objects.create(
            actor=actor if getattr(actor, "pk", None) else None,
            username=getattr(actor, "username", "") or "",
            ip_address=event.client_ip,
            event_type=AuditEvent.Type.TRANSITION,
            object_repr=str(locked)[:255],
            detail=f"{transition.label}：{event.from_label} → {event.to_label}"
            + (f"（{comment}）" if comment else ""),
        )
        transaction.on_commit(
            lambda: transition_applied.send(sender=model, record=locked, event=event, workflow=flow)
        )
    for field in model._meta.concrete_fields:
        setattr(record, field.attname, getattr(locked, field.attname))
    return event


def _write_event(
    flow: Workflow,
    *,
    record: models.Model,
    action: str,
    label: str,
    from_state: str,
    to_state: str,
    effective_on: dt.date,
    actor,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    recorded_at: dt.datetime | None = None,
) -> WorkflowEvent:
    return WorkflowEvent.objects.create(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=record.pk,
        workflow=flow.key,
        action=action,
        label=label,
        from_state=from_state,
        to_state=to_state,
        effective_on=effective_on,
        recorded_at=recorded_at or timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        client_ip=current_client_ip(),
        comment=comment or "",
        data=dict(data or {}),
    )


def record_created(
    *,
    record: models.Model,
    actor,
    effective_on: dt.date | None = None,
    comment: str = "",
    data=None,
    step: tuple[str, str] | None = None,
) -> WorkflowEvent:
    """The first event of a record created in its workflow's initial state (申报, 推荐, 登记 …), or, named
    by `step` (action, label), in another state a record may start in (an enterprise's own 培育库 申请)."""
    flow = workflow_for(record)
    action, label = step or flow.created or ("create", "创建")
    state = str(getattr(record, flow.state_field))
    return _write_event(
        flow,
        record=record,
        action=action,
        label=label,
        from_state="",
        to_state=state,
        effective_on=effective_on or timezone.localdate(),
        actor=actor,
        comment=comment,
        data={k: _plain(v) for k, v in (data or {}).items()},
    )


def record_step(
    *,
    record: models.Model,
    action: str,
    actor,
    effective_on: dt.date | None = None,
    comment: str = "",
    data: Mapping[str, Any] | None = None,
    label: str | None = None,
) -> WorkflowEvent:
    """A step that keeps the state (a 年报, a 拨付, a reminder, a draw) on the record's timeline. The
    calling service has checked who may take it; `action` must be one of the workflow's declared steps."""
    flow = workflow_for(record)
    if action not in flow.steps:
        raise LookupError(f"{flow.key} declares no step {action!r}")
    state = str(getattr(record, flow.state_field))
    return _write_event(
        flow,
        record=record,
        action=action,
        label=label or flow.steps[action],
        from_state=state,
        to_state=state,
        effective_on=effective_on or timezone.localdate(),
        actor=actor,
        comment=comment,
        data={k: _plain(v) for k, v in (data or {}).items()},
    )
