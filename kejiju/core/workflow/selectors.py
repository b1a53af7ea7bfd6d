"""Reads of the one event table: a record's history, and the state any record was in on a given day."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, OuterRef, Subquery

from kejiju.core.models import WorkflowEvent

from .declarations import Transition, workflow_for

# The order in which steps happened: by the date they took effect, then by when they were recorded.
STEP_ORDER = ("effective_on", "recorded_at", "pk")


def events_for(record: models.Model) -> models.QuerySet[WorkflowEvent]:
    """The record's timeline, oldest first, with the actors."""
    return (
        WorkflowEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(type(record)), object_id=record.pk
        )
        .select_related("actor")
        .order_by(*STEP_ORDER)
    )


def _events_until(model: type[models.Model], day: dt.date) -> models.QuerySet[WorkflowEvent]:
    """The events up to `day` that set a state: creations and transitions. A step that keeps the state (a
    拨付, a 年报) records the state the record was in when it was entered, which is not its state on the
    step's own, possibly earlier, effective date: it is left out."""
    return (
        WorkflowEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model), effective_on__lte=day
        )
        .exclude(to_state="")
        .exclude(from_state=F("to_state"))
    )


def state_on(record: models.Model, day: dt.date) -> str | None:
    """The state `record` was in at the end of `day` (None: it did not exist yet in its history)."""
    event = (
        _events_until(type(record), day)
        .filter(object_id=record.pk)
        .order_by(*(f"-{name}" for name in STEP_ORDER))
        .values_list("to_state", flat=True)
        .first()
    )
    return event


def with_state_on(queryset: models.QuerySet, day: dt.date, *, name: str = "state_on") -> models.QuerySet:
    """Annotate every row with its state at the end of `day` (NULL: not yet in the records)."""
    latest = (
        _events_until(queryset.model, day)
        .filter(object_id=OuterRef("pk"))
        .order_by(*(f"-{field}" for field in STEP_ORDER))
        .values("to_state")[:1]
    )
    return queryset.annotate(**{name: Subquery(latest, output_field=models.CharField())})


def in_states_on(queryset: models.QuerySet, states, day: dt.date) -> models.QuerySet:
    """The rows of `queryset` that were in one of `states` at the end of `day`."""
    return with_state_on(queryset, day, name="_state_on").filter(_state_on__in=[str(s) for s in states])


def first_reached(queryset: models.QuerySet, *, action: str, name: str = "reached_on") -> models.QuerySet:
    """Annotate each row with the first date `action` took effect on it (NULL: never)."""
    first = (
        WorkflowEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(queryset.model),
            object_id=OuterRef("pk"),
            action=action,
        )
        .order_by(*STEP_ORDER)
        .values("effective_on")[:1]
    )
    return queryset.annotate(**{name: Subquery(first, output_field=models.DateField())})


def available_transitions(record: models.Model, user) -> list[Transition]:
    """The transitions `user` may start from the record's state, one per action (rules, comments and dates
    are checked when it is taken)."""
    flow = workflow_for(record)
    state = str(getattr(record, flow.state_field))
    seen: set[str] = set()
    result = []
    for transition in flow.from_state(state):
        if transition.action in seen or not transition.form or not user.has_perm(transition.permission):
            continue
        if transition.actor_rule is not None and transition.actor_rule(record, user):
            continue
        seen.add(transition.action)
        result.append(transition)
    return result


def workflow_context(record: models.Model, user, *, transition_url: str) -> dict:
    """What a detail page shows of a record's workflow: the actions the user may take (with the URL name
    of the record's transition view, for the `workflow/_actions.html` card), the flow diagram and the
    timeline."""
    from .diagram import flow_states

    flow = workflow_for(record)
    return {
        "actions": available_transitions(record, user),
        "transition_url": transition_url,
        "flow_states": flow_states(flow, str(getattr(record, flow.state_field))),
        "events": events_for(record),
    }
