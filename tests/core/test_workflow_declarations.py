"""The declared workflows as a whole: one shape, well-formed, documented in step with the code."""

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.management import call_command

from kejiju.accounts.roles import declared_role_permissions
from kejiju.core.workflow import TransitionRefused, workflows
from kejiju.core.workflow.diagram import flow_states, mermaid

FLOWS = sorted(workflows().items())


def test_every_app_flow_is_declared():
    assert len(FLOWS) >= 8, [key for key, _ in FLOWS]


@pytest.mark.parametrize(("key", "flow"), FLOWS, ids=[key for key, _ in FLOWS])
def test_flow_is_well_formed(key, flow):
    states = set(flow.states.values)
    granted = set().union(*declared_role_permissions().values())
    for transition in flow.transitions:
        assert transition.sources <= states, (key, transition.action, transition.sources - states)
        assert transition.target in states, (key, transition.action)
        assert transition.permission in granted, f"{transition.permission} is granted to no role"
    model = flow.model_class
    assert model._meta.get_field(flow.state_field)
    for transition in flow.transitions:
        if transition.sets_date:
            assert model._meta.get_field(transition.sets_date)
    assert flow.initial == "" or flow.initial in states
    # Every state is reachable or initial or a state records are created in (the diagram has no island).
    targets = (
        {t.target for t in flow.transitions}
        | {flow.initial}
        | {s for t in flow.transitions for s in t.sources}
    )
    assert states <= targets | {""}, (key, states - targets)
    assert mermaid(flow).startswith("stateDiagram-v2")
    assert [row.state for row in flow_states(flow)] == list(flow.states.values)


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "flow"), FLOWS, ids=[key for key, _ in FLOWS])
def test_flow_permissions_exist(key, flow):
    for permission in flow.permissions():
        app_label, codename = permission.split(".", 1)
        assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
            permission
        )


@pytest.mark.django_db
def test_docs_diagrams_are_in_step_with_the_declarations():
    call_command("workflow_diagrams", "--check")


def test_refusal_is_a_validation_error_on_its_field():
    error = TransitionRefused("须填写说明。", field="comment")
    assert isinstance(error, ValidationError)
    assert error.message_dict == {"comment": ["须填写说明。"]}
    assert TransitionRefused("不能执行。").messages == ["不能执行。"]
