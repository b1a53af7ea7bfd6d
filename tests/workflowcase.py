"""The workflow sweep (after NetBox's utilities/testing/views.py): given a model's declared workflow, walk
every edge for every role and the other county, through the one transition view.

An app's test module declares a `FlowCase` (how to build a record of county A in a given state, the extra
form data a transition needs) and subclasses `WorkflowSweep`; the generated tests then check that

- an allowed actor moves the record to the target state and writes exactly one event (action, from, to,
  actor, effective date, comment);
- a refused actor changes nothing and writes nothing: 403 without any of the flow's permissions, 404 for a
  record outside the scope (the other county), the reason on the form otherwise;
- an action from a state it does not leave is refused with the reason, by a user who holds its permission;
- a required comment is required; a step's date may not be in the future nor precede the dates its
  declaration names (the record's own dates and its previous step).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from kejiju.core.scoping import scoped_queryset
from kejiju.core.workflow import Transition, workflow
from kejiju.core.workflow.selectors import events_for
from kejiju.core.workflow.services import previous_step

ACTORS = ("bureau", "leader", "county", "other_county", "sysadmin", "auditor")
# A flow that unit accounts take part in walks them too (unit A's administrator and 项目负责人, unit B's).
UNIT_ACTORS = ("unit_admin", "applicant", "other_unit")


@dataclass
class FlowCase:
    """`make(world, state)` returns a saved record of county A in `state` (with the dates a record in that
    state has); `data(world, transition, record)` the extra form data of the transition; `url_name` the
    transition URL (kwargs pk)."""

    workflow: str
    url_name: str
    make: Callable[[Any, str], Any]
    data: Callable[[Any, Transition, Any], dict[str, Any]] = lambda world, transition, record: {}
    # Actions not walked here, with the test that walks them instead (action -> reason).
    skip: dict[str, str] = field(default_factory=dict)
    # `prepare(world, transition, record)` puts what the record's rule reads in the state the transition
    # needs (an application's batch in 形式审查 for 形式审查通过, in 公示 for 公示异议 …).
    prepare: Callable[[Any, Transition, Any], None] = lambda world, transition, record: None
    actors: tuple[str, ...] = ACTORS


def _edges(key: str) -> list[tuple[str, str]]:
    flow = workflow(key)
    edges = []
    for transition in flow.transitions:
        for source in sorted(transition.sources):
            edges.append((transition.action, source))
    return edges


class EngineResponse:
    """What the engine said for a transition taken on the app's own page (Transition.form=False): 302 when
    applied, 403/404/200 as the view would answer, with the refusal as the form's error."""

    def __init__(self, status_code: int, refusal: str = "") -> None:
        self.status_code = status_code
        self.context = {"form": _Errors(refusal)} if refusal else None


class _Errors:
    def __init__(self, text: str) -> None:
        self.errors = {"action": [text]}


def _post(client, case: FlowCase, record, action: str, data: dict[str, Any], user=None):
    flow = workflow(case.workflow)
    transitions = flow.transitions_for(action)
    if transitions and not transitions[0].form:
        return _take_by_engine(flow, record, action, data, user)
    return client.post(reverse(case.url_name, kwargs={"pk": record.pk}), {"action": action, **data})


def _take_by_engine(flow, record, action, data, user):
    """The engine answers for itself: every check (permission, scope, state, rule) is its own; the
    response's code only says which refusal it was, as the transition view would have."""
    from django.core.exceptions import ValidationError

    from kejiju.core.workflow.services import apply_transition

    extra = {k: v for k, v in data.items() if k not in ("comment", "effective_on")}
    on = data.get("effective_on")
    try:
        apply_transition(
            record=type(record)._default_manager.get(pk=record.pk),
            action=action,
            actor=user,
            effective_on=dt.date.fromisoformat(on) if on else None,
            comment=data.get("comment", ""),
            data=extra,
        )
    except ValidationError as error:
        text = " ".join(error.messages)
        if not any(user.has_perm(p) for p in flow.permissions()):
            return EngineResponse(403, text)
        if not _in_scope(user, record):
            return EngineResponse(404, text)
        return EngineResponse(200, text)
    return EngineResponse(302)


def _base_data(world, case: FlowCase, transition: Transition, record, *, on: dt.date | None = None) -> dict:
    data = {"comment": "按规定办理。"}
    if transition.date is not None:
        data["effective_on"] = (on or timezone.localdate()).isoformat()
    data.update(case.data(world, transition, record))
    return data


def _snapshot(record) -> tuple[str, int]:
    flow_state = str(
        type(record)._default_manager.filter(pk=record.pk).values_list(_state_field(record), flat=True).get()
    )
    return flow_state, events_for(record).count()


def _state_field(record) -> str:
    from kejiju.core.workflow import workflow_for

    return workflow_for(record).state_field


def _in_scope(user, record) -> bool:
    return scoped_queryset(type(record), user).filter(pk=record.pk).exists()


def _may(user, transition: Transition, record) -> bool:
    """Holds the permission, sees the record, and the step's actor rule lets them take it."""
    if not (user.has_perm(transition.permission) and _in_scope(user, record)):
        return False
    return transition.actor_rule is None or not transition.actor_rule(record, user)


def _refusal_text(response) -> str:
    form = response.context.get("form") if response.context else None
    if form is None:
        return ""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


class WorkflowSweep:
    """Subclass in an app's tests with `case = FlowCase(...)`; pytest generates one test per edge and
    actor (`pytest_generate_tests` below reads `case`)."""

    case: FlowCase
    pytestmark = pytest.mark.django_db

    def test_edge(self, client, world, action, source, actor):
        flow = workflow(self.case.workflow)
        transition = flow.transition(action=action, state=source)
        record = self.case.make(world, source)
        self.case.prepare(world, transition, record)
        user = world.users[actor]
        client.force_login(user)
        before_state, before_events = _snapshot(record)
        assert before_state == source, f"make() built a record in {before_state}, not {source}"
        data = _base_data(world, self.case, transition, record)
        response = _post(client, self.case, record, action, data, user)
        may = _may(user, transition, record)
        after_state, after_events = _snapshot(record)
        if may:
            assert response.status_code == 302, (actor, action, source, _refusal_text(response))
            assert after_state == transition.target
            assert after_events == before_events + 1
            event = events_for(record).order_by("-pk").first()
            assert (event.action, event.from_state, event.to_state) == (action, source, transition.target)
            assert event.actor_id == user.pk
            assert event.effective_on == (
                dt.date.fromisoformat(data["effective_on"])
                if "effective_on" in data
                else timezone.localdate()
            )
            assert event.comment == data["comment"]
        else:
            assert (after_state, after_events) == (before_state, before_events), (actor, action, source)
            if not any(user.has_perm(p) for p in flow.permissions()):
                assert response.status_code == 403
            elif not _in_scope(user, record):
                assert response.status_code == 404
            else:
                assert response.status_code == 200
                assert _refusal_text(response), "a refusal must say why"

    def test_wrong_state(self, client, world, action, state):
        """An action from a state it does not leave: refused with the reason, nothing changes."""
        flow = workflow(self.case.workflow)
        transition = flow.transitions_for(action)[0]
        record = self.case.make(world, state)
        user = next(
            (world.users[a] for a in self.case.actors if _may(world.users[a], transition, record)), None
        )
        assert user is not None, f"no actor may take {action} on a record of county A"
        client.force_login(user)
        before = _snapshot(record)
        response = _post(
            client, self.case, record, action, _base_data(world, self.case, transition, record), user
        )
        assert _snapshot(record) == before
        assert response.status_code == 200
        assert "不能执行" in _refusal_text(response)

    def test_date_rules(self, client, world, action, source):
        flow = workflow(self.case.workflow)
        transition = flow.transition(action=action, state=source)
        record = self.case.make(world, source)
        self.case.prepare(world, transition, record)
        user = next(world.users[a] for a in self.case.actors if _may(world.users[a], transition, record))
        client.force_login(user)
        before = _snapshot(record)
        if transition.comment_required:
            data = _base_data(world, self.case, transition, record)
            data["comment"] = " "
            response = _post(client, self.case, record, action, data, user)
            assert _snapshot(record) == before
            assert "说明" in _refusal_text(response)
        if transition.date is None:
            return
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        response = _post(
            client,
            self.case,
            record,
            action,
            _base_data(world, self.case, transition, record, on=tomorrow),
            user,
        )
        assert _snapshot(record) == before
        assert "不能晚于今天" in _refusal_text(response)
        earlier = []
        for name in transition.date.earlier:
            if name == "previous_step":
                earlier.append(previous_step(record)["previous_step"][1])
            else:
                value = getattr(record, name, None)
                earlier.append(value.date() if isinstance(value, dt.datetime) else value)
        dated = [value for value in earlier if value is not None]
        if dated:
            too_early = max(dated) - dt.timedelta(days=1)
            response = _post(
                client,
                self.case,
                record,
                action,
                _base_data(world, self.case, transition, record, on=too_early),
                user,
            )
            assert _snapshot(record) == before
            assert "不能早于" in _refusal_text(response)

    def test_page_refuses_what_only_the_app_takes(self, client, world, action, source):
        """An action taken on the app's own page (Transition.form=False) cannot be posted to the one
        transition view, even by a user who holds its permission: refused with the reason, nothing changes."""
        if action is None:
            flow = workflow(self.case.workflow)
            assert all(t.form for t in flow.transitions), "the flow has actions only its app takes"
            return
        flow = workflow(self.case.workflow)
        transition = flow.transition(action=action, state=source)
        record = self.case.make(world, source)
        try:
            url = reverse(self.case.url_name, kwargs={"pk": record.pk})
        except NoReverseMatch:  # no per-record transition view: the app's page takes every action
            assert not any(t.form for t in flow.transitions)
            return
        self.case.prepare(world, transition, record)
        user = next(world.users[a] for a in self.case.actors if _may(world.users[a], transition, record))
        client.force_login(user)
        before = _snapshot(record)
        data = {"action": action, **_base_data(world, self.case, transition, record)}
        response = client.post(url, data)
        assert _snapshot(record) == before
        assert response.status_code == 200
        assert "不能在此直接办理" in _refusal_text(response)


def pytest_generate_tests_for(metafunc) -> None:
    """Call from a module's `pytest_generate_tests` (or conftest) to expand the WorkflowSweep tests."""
    cls = metafunc.cls
    if cls is None or not issubclass(cls, WorkflowSweep):
        return
    case = cls.case
    flow = workflow(case.workflow)
    edges = [(a, s) for a, s in _edges(case.workflow) if a not in case.skip]
    if metafunc.function.__name__ == "test_edge":
        metafunc.parametrize(
            ("action", "source", "actor"),
            [(a, s, actor) for a, s in edges for actor in case.actors],
            ids=[f"{a}-{s}-{actor}" for a, s in edges for actor in case.actors],
        )
    elif metafunc.function.__name__ == "test_date_rules":
        metafunc.parametrize(("action", "source"), edges, ids=[f"{a}-{s}" for a, s in edges])
    elif metafunc.function.__name__ == "test_page_refuses_what_only_the_app_takes":
        # Every edge, skipped ones too: the view refuses before any rule is read.
        every = _edges(case.workflow)
        engine_only = [(a, s) for a, s in every if not any(t.form for t in flow.transitions_for(a))]
        engine_only = engine_only or [(None, None)]
        metafunc.parametrize(("action", "source"), engine_only, ids=[f"{a}-{s}" for a, s in engine_only])
    elif metafunc.function.__name__ == "test_wrong_state":
        pairs = [
            (a, s)
            for a in flow.actions()
            if a not in case.skip
            for s in flow.states.values
            if flow.transition(action=a, state=s) is None
        ]
        metafunc.parametrize(("action", "state"), pairs, ids=[f"{a}-{s}" for a, s in pairs])
