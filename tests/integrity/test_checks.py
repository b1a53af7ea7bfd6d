"""A unit under 科研诚信 惩戒 is refused at every step that checks that scope — swept over the workflow
declarations (every rule built with `integrity_rule`), each edge taken through the one transition view by
an actor who may take it; the same step goes through once the record is repaired. A disbursement (拨付)
is its own service and is checked there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kejiju.core.workflow import workflows
from kejiju.integrity.checks import person_bar
from kejiju.integrity.models import SCOPES, IntegrityRecord
from tests.applications import test_workflow as application_sweep
from tests.enterprises import test_workflow as enterprise_sweep
from tests.integrity.factories import ID_NUMBER, USCC, make_person_record, make_unit_record
from tests.projects import test_workflow as project_sweep
from tests.workflowcase import _base_data, _may, _post, _refusal_text, _snapshot

pytestmark = pytest.mark.django_db

# The flows whose steps check 科研诚信, with the FlowCase that builds their records.
CASES = {
    case.workflow: case
    for case in (
        application_sweep.TestApplicationFlow.case,
        project_sweep.TestProjectFlow.case,
        enterprise_sweep.TestSmesEvaluationFlow.case,
        enterprise_sweep.TestPoolEntryFlow.case,
    )
}


def _unit_of(rule, record):
    """The unit the step's integrity rule checks for this record (the rule says how to find it)."""
    if hasattr(rule, "integrity_scope"):
        return rule.unit_of(record)
    return next(unit for part in getattr(rule, "parts", ()) if (unit := _unit_of(part, record)) is not None)


def _scopes(rule) -> set[str]:
    if rule is None:
        return set()
    found = {rule.integrity_scope} if hasattr(rule, "integrity_scope") else set()
    for part in getattr(rule, "parts", ()):
        found |= _scopes(part)
    return found


def _persons(rule) -> set[tuple[str, object]]:
    if rule is None:
        return set()
    found = (
        {(rule.integrity_scope, rule.integrity_persons)}
        if getattr(rule, "integrity_persons", None)
        else set()
    )
    for part in getattr(rule, "parts", ()):
        found |= _persons(part)
    return found


EDGES = sorted(
    (flow.key, transition.action, sorted(transition.sources)[0], scope)
    for flow in workflows().values()
    for transition in flow.transitions
    for scope in _scopes(transition.rule)
)


def test_the_sweep_has_the_steps_the_issue_names():
    assert {(key, action, scope) for key, action, _source, scope in EDGES} >= {
        ("applications.application", "submit", "apply"),
        ("applications.application", "unit_approve", "apply"),
        ("applications.application", "recommend", "apply"),
        ("projects.project", "accept", "apply"),
        ("projects.project", "approve", "approval"),
        ("enterprises.smesevaluation", "review_pass", "apply"),
        ("enterprises.smesevaluation", "admit", "apply"),
        ("enterprises.poolentry", "county_recommend", "apply"),
        ("enterprises.poolentry", "admit", "apply"),
    }
    assert {scope for *_rest, scope in EDGES} <= set(SCOPES)


@pytest.mark.parametrize(("key", "action", "source", "scope"), EDGES, ids=lambda value: str(value))
def test_a_barred_unit_is_refused_with_the_record_named(client, world, key, action, source, scope):
    case = CASES.get(key)
    assert case is not None, f"{key} checks 科研诚信: give its FlowCase to this sweep"
    flow = workflows()[key]
    transition = flow.transition(action=action, state=source)
    record = case.make(world, source)
    case.prepare(world, transition, record)
    unit = _unit_of(transition.rule, record)
    unit.uscc = USCC
    unit.save(update_fields=["uscc"])
    actor = next(world.users[a] for a in case.actors if _may(world.users[a], transition, record))
    entry = make_unit_record(
        user=world.users["bureau"],
        name=unit.name,
        **{"bars_apply": False, SCOPES[scope][0]: True},
    )
    client.force_login(actor)
    before = _snapshot(record)
    response = _post(client, case, record, action, _base_data(world, case, transition, record), actor)
    assert _snapshot(record) == before
    refusal = _refusal_text(response)
    assert "科研诚信失信惩戒期内" in refusal and entry.source in refusal
    assert entry.get_absolute_url() in refusal
    # Repaired, the unit takes the step.
    entry.repaired_on = timezone.localdate()
    entry.save(update_fields=["repaired_on"])
    response = _post(client, case, record, action, _base_data(world, case, transition, record), actor)
    assert response.status_code == 302, _refusal_text(response)


# How a flow's record is given its person's 身份证号 (the one the rule's persons_of must then report).
SEAL_PERSON = {
    "applications.application": lambda record, number: record.set_leader_id_number(number),
    "projects.project": lambda record, number: record.set_pi_id_number(number),
}

PERSON_EDGES = sorted(
    (flow.key, transition.action, sorted(transition.sources)[0], scope)
    for flow in workflows().values()
    for transition in flow.transitions
    for scope, persons in _persons(transition.rule)
)


def test_every_step_that_checks_a_unit_also_checks_its_persons():
    """Where a flow's records have persons (a leader, a team), each step checking the unit checks them
    too; an enterprise's flows are the unit's own."""
    assert {edge[:2] for edge in PERSON_EDGES} == {edge[:2] for edge in EDGES if edge[0] in SEAL_PERSON}


@pytest.mark.parametrize(("key", "action", "source", "scope"), PERSON_EDGES, ids=lambda value: str(value))
def test_a_barred_person_is_refused_with_the_record_named(client, world, key, action, source, scope):
    case = CASES[key]
    assert key in SEAL_PERSON, f"{key} checks persons: say here how its record takes an ID number"
    flow = workflows()[key]
    transition = flow.transition(action=action, state=source)
    record = case.make(world, source)
    case.prepare(world, transition, record)
    SEAL_PERSON[key](record, ID_NUMBER)
    record.save()
    actor = next(world.users[a] for a in case.actors if _may(world.users[a], transition, record))
    entry = make_person_record(
        user=world.users["bureau"],
        name="张某",
        **{"bars_apply": False, "bars_expert": False, SCOPES[scope][0]: True},
    )
    client.force_login(actor)
    before = _snapshot(record)
    response = _post(client, case, record, action, _base_data(world, case, transition, record), actor)
    assert _snapshot(record) == before
    refusal = _refusal_text(response)
    assert "科研诚信失信惩戒期内" in refusal and entry.source in refusal
    assert entry.get_absolute_url() in refusal
    if b'data-testid="refusal"' in getattr(response, "content", b""):  # shown on a page: as a link
        assert f'<a href="{entry.get_absolute_url()}">查看失信记录</a>' in response.content.decode()
    entry.repaired_on = timezone.localdate()
    entry.save(update_fields=["repaired_on"])
    response = _post(client, case, record, action, _base_data(world, case, transition, record), actor)
    assert response.status_code == 302, _refusal_text(response)


def test_a_team_member_under_a_ban_stops_the_application(client, world):
    from kejiju.applications.workflow import _persons as application_persons
    from tests.applications.factories import ID_NUMBERS, make_application

    application = make_application(leader=world.users["applicant"])
    make_person_record(user=world.users["bureau"], id_number=ID_NUMBERS[0], name="王成员")
    refusal = person_bar(application_persons(application), "apply")
    assert refusal and refusal.startswith("王成员在科研诚信失信惩戒期内")
    # A record of another scope, or of somebody else, does not.
    assert person_bar(application_persons(application), "payment") is None
    assert person_bar([("某人", "")], "apply") is None


def test_no_disbursement_to_a_leader_barred_from_payment(world):
    from projects import services
    from projects.rules import State
    from tests.projects.factories import ProjectFactory

    project = ProjectFactory(
        region=world.county_a, applicant=world.unit_a, state=State.EXECUTING, city_grant=Decimal("200000")
    )
    project.set_pi_id_number(ID_NUMBER)
    project.save()
    make_person_record(user=world.users["bureau"], bars_apply=False, bars_expert=False, bars_payment=True)
    with pytest.raises(ValidationError) as refused:
        services.disbursement_create(
            project=project,
            user=world.users["bureau"],
            paid_on=timezone.localdate(),
            amount=1000,
            voucher="付1",
        )
    assert "限制拨付" in str(refused.value) and project.pi_name in str(refused.value)


def test_no_disbursement_to_a_unit_barred_from_payment(world):
    from projects import services
    from projects.rules import State
    from tests.projects.factories import ProjectFactory

    world.unit_a.uscc = USCC
    world.unit_a.save(update_fields=["uscc"])
    project = ProjectFactory(
        region=world.county_a, applicant=world.unit_a, state=State.EXECUTING, city_grant=Decimal("200000")
    )
    make_unit_record(user=world.users["bureau"], bars_apply=False, bars_payment=True)
    with pytest.raises(ValidationError) as refused:
        services.disbursement_create(
            project=project,
            user=world.users["bureau"],
            paid_on=timezone.localdate(),
            amount=1000,
            voucher="付1",
        )
    assert "限制拨付" in str(refused.value)
    # A record of another scope does not bar payment.
    IntegrityRecord.objects.update(bars_payment=False, bars_apply=True)
    assert services.disbursement_create(
        project=project, user=world.users["bureau"], paid_on=timezone.localdate(), amount=1000, voucher="付2"
    ).pk


def test_a_record_path_in_a_refusal_becomes_a_link_and_nothing_else_does():
    from kejiju.core.templatetags.kejiju_tags import link_record_paths

    html = link_record_paths("张某<b>在惩戒期内。失信记录：/integrity/12/")
    assert html == '张某&lt;b&gt;在惩戒期内。失信记录：<a href="/integrity/12/">查看失信记录</a>'
    assert link_record_paths("见 javascript:alert(1)/x/") == "见 javascript:alert(1)/x/"
