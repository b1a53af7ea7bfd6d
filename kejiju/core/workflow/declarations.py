"""Workflows declared as data: which actions move a record from which states to which, who may take them,
what each needs (a comment, a date and its order, extra fields), what else happens (a service function).

An app declares one `Workflow` per model in its `workflow.py` and registers it; the one engine
(`kejiju.core.workflow.services.apply_transition`) applies any of them, the one view serves every transition
form, the one event table keeps every step, and the diagrams and the test sweep are generated from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models

from kejiju.core.dates import DateStep, declare_date_steps

# A rule says why the transition may not be taken (Chinese, shown as is), or None: rule(record, data).
Rule = Callable[[Any, Mapping[str, Any]], str | None]


def all_of(*rules: Rule) -> Rule:
    """One rule from several, asked in order: the first refusal is the step's (`parts` keeps them, so a sweep
    can find what a step checks)."""

    def rule(record, data):
        for part in rules:
            problem = part(record, data)
            if problem:
                return problem
        return None

    rule.parts = rules
    return rule


# An actor rule says why this actor, though holding the permission and seeing the record, may not take the
# step on it (the county office of another county …), or None: actor_rule(record, actor).
ActorRule = Callable[[Any, Any], str | None]
# An effect changes the record (before it is saved) or other rows, inside the transaction; it may return
# extra data to keep on the event: effect(record, context) -> dict | None.
Effect = Callable[[Any, "TransitionContext"], Mapping[str, Any] | None]


class TransitionRefused(ValidationError):
    """A transition that may not be taken: the state, the permission, the scope, a missing comment, a date
    out of order or a rule. The message is Chinese and names the field it concerns (a ValidationError, so
    forms show it on that field through the one service-error mechanism)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__({field: message} if field else message)
        self.reason = message
        self.field = field


@dataclass(frozen=True)
class Transition:
    """One edge, or one action with several sources leading to the same target.

    `permission` is the Django permission ("app.codename") the actor must hold; the record must also be in
    the actor's scope. `date` is the step's date rule (kejiju.core.dates): its label names the date field of
    the form; its `earlier` the record's dates it may not precede; "previous_step" is the record's latest
    event. `sets_date` names the record's field that takes the step's date (admitted_on …). `fields` is a
    form class with the extra inputs the action takes; their cleaned values reach the rule, the effect and
    the event. `danger` asks the page for a confirmation styled as destructive."""

    action: str
    label: str
    sources: frozenset[str]
    target: str
    permission: str
    comment_required: bool = False
    date: DateStep | None = None
    sets_date: str | None = None
    rule: Rule | None = None
    actor_rule: ActorRule | None = None
    effect: Effect | None = None
    fields: type[forms.Form] | None = None
    danger: bool = False
    # Taken through the app's own page (a batch decision, an import) rather than the transition form.
    form: bool = True
    # What the step does besides the state (shown on its form): "认定为拟认定申报编发证书编号，不可撤销".
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(str(s) for s in self.sources))
        object.__setattr__(self, "target", str(self.target))
        object.__setattr__(self, "action", str(self.action))


@dataclass
class TransitionContext:
    """What an effect sees: the actor, the step's date, the comment, the extra fields, the previous state."""

    actor: Any
    effective_on: Any
    comment: str
    data: dict[str, Any]
    from_state: str
    transition: Transition


@dataclass(frozen=True)
class Workflow:
    """The transitions of one model. `model` is "app_label.ModelName"; `state_field` holds the state;
    `states` is the state enumeration (labels, order of the diagram); `created` is the (action, label) of
    the step that creates a record, in state `initial`."""

    key: str
    model: str
    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]
    state_field: str = "state"
    title: str = ""
    created: tuple[str, str] | None = None
    # The state a new record starts in (the diagram's entry).
    initial: str = ""
    # Steps recorded without a state change (年报, 拨付, 催报 …): action -> label.
    steps: Mapping[str, str] = field(default_factory=dict)
    # Labels of the keys an event's `data` may hold (level → 级别), for the timeline.
    data_labels: Mapping[str, str] = field(default_factory=dict)
    # Tell those who may take the next step (holding its permission, the record in their scope, the actor
    # rule passed) when a record reaches a state: flows where the next level waits on the previous one.
    tell_next: bool = False
    # Labels of coded values in an event's `data`, by key (to_level → {"city": "市级"}), for the timeline.
    data_values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def actions(self) -> list[str]:
        seen: list[str] = []
        for transition in self.transitions:
            if transition.action not in seen:
                seen.append(transition.action)
        return seen

    def transitions_for(self, action: str) -> list[Transition]:
        return [t for t in self.transitions if t.action == action]

    def transition(self, *, action: str, state: str) -> Transition | None:
        """The declared transition for `action` from `state`, or None."""
        for candidate in self.transitions_for(action):
            if str(state) in candidate.sources:
                return candidate
        return None

    def action_label(self, action: str) -> str:
        for transition in self.transitions_for(action):
            return transition.label
        if action in self.steps:
            return self.steps[action]
        if self.created and action == "create":
            return self.created[1]
        return action

    def state_label(self, state: str) -> str:
        try:
            return str(self.states(state).label)
        except ValueError:
            return state

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if str(state) in t.sources]

    def permissions(self) -> set[str]:
        return {t.permission for t in self.transitions}


_workflows: dict[str, Workflow] = {}
_by_model: dict[str, Workflow] = {}


def register_workflow(workflow: Workflow) -> Workflow:
    """Register a model's workflow (once per model). Date rules, if any, join the date-order sweep's
    registry."""
    label = workflow.model.lower()
    if label in _by_model and _by_model[label].key != workflow.key:
        raise ImproperlyConfigured(f"{workflow.model} already has the workflow {_by_model[label].key}")
    for transition in workflow.transitions:
        if transition.sources and not transition.permission:
            raise ImproperlyConfigured(f"{workflow.key}.{transition.action} names no permission")
    _workflows[workflow.key] = workflow
    _by_model[label] = workflow
    dated = {t.action: t.date for t in workflow.transitions if t.date is not None}
    if dated:  # a workflow without dated steps has nothing for the date-order sweep to walk
        declare_date_steps(f"workflow.{workflow.key}", dated)
    return workflow


def workflows() -> dict[str, Workflow]:
    return dict(_workflows)


def workflow(key: str) -> Workflow:
    try:
        return _workflows[key]
    except KeyError as error:
        raise LookupError(f"no workflow {key!r}") from error


def workflow_for(model_or_record: type[models.Model] | models.Model) -> Workflow:
    meta = model_or_record._meta
    label = f"{meta.app_label}.{meta.object_name}".lower()
    try:
        return _by_model[label]
    except KeyError as error:
        raise LookupError(f"{meta.label} declares no workflow") from error


def state_label(key: str, state: str) -> str:
    if not state:
        return ""
    found = _workflows.get(key)
    return found.state_label(state) if found else state


def sources(*states: Iterable[str] | str) -> frozenset[str]:
    """frozenset of states from enum members or iterables of them (a readable `sources=`)."""
    result: set[str] = set()
    for item in states:
        if isinstance(item, str):
            result.add(str(item))
        else:
            result.update(str(s) for s in item)
    return frozenset(result)
