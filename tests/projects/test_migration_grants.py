"""projects 0011 puts the city grant on the timeline of projects entered before the steps carried it: the
amount of each approved budget change on its change_decision step, the grant approved at 立项 on the
approve event, so that the commitment on a day is read from dated events."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from kejiju.core.models import WorkflowEvent
from projects import selectors, services
from projects.models import ChangeRequest
from projects.rules import State

pytestmark = pytest.mark.django_db

migration = importlib.import_module("projects.migrations.0011_change_decision_city_grant")


def _budget_change(project, user, amount):
    request = services.change_request_create(
        project=project, user=user, kind="budget", reason="调整", new_city_grant=Decimal(amount)
    )
    return services.change_request_decide(change_request=request, user=user, approve=True)


def test_an_approved_budget_change_states_its_amount_on_the_project_step(apply, advance, world):
    project = advance(apply(), State.APPROVED, granted=Decimal("250000"))
    _budget_change(project, world.users["bureau"], "280000")
    step = WorkflowEvent.objects.get(object_id=project.pk, action="change_decision")
    assert Decimal(step.data["city_grant"]) == Decimal("280000")
    assert ("变更后市级资金（元）", "280000.00") in step.data_display


def test_old_timelines_get_the_grants_back(apply, advance, world):
    bureau = world.users["bureau"]
    changed = advance(apply(), State.APPROVED, granted=Decimal("250000"))
    _budget_change(changed, bureau, "280000")
    unchanged = advance(apply(pi_mobile="13912345679"), State.APPROVED, granted=Decimal("120000"))
    lost = advance(apply(pi_mobile="13912345670"), State.APPROVED)
    _budget_change(lost, bureau, "150000")
    project_events = WorkflowEvent.objects.filter(workflow="projects.project")
    # As events copied from the old table were: no data on 立项 or 变更审批, one 变更审批 step missing.
    for event in project_events.filter(action__in=["approve", "change_decision"]):
        event.data = {}
        event.save()
    project_events.filter(object_id=lost.pk, action="change_decision").delete()

    migration.forwards(apps, None)

    step = project_events.get(object_id=changed.pk, action="change_decision")
    assert step.data == {"city_grant": "280000.00"}
    # The grant approved at 立项 is lost once a change was approved: the requested grant stands in.
    assert project_events.get(object_id=changed.pk, action="approve").data["granted"] == "300000.00"
    assert project_events.get(object_id=unchanged.pk, action="approve").data["granted"] == "120000.00"
    written = project_events.get(object_id=lost.pk, action="change_decision")
    decided = ChangeRequest.objects.get(project=lost).decided_at
    assert written.data["city_grant"] == "150000.00" and written.recorded_at == decided
    today = timezone.localdate()
    figures = selectors.project_year_figures(year=today.year)
    assert figures["committed"] == Decimal("280000") + Decimal("120000") + Decimal("150000")

    migration.backwards(apps, None)
    assert not project_events.filter(object_id=lost.pk, action="change_decision").exists()
    assert "city_grant" not in project_events.get(object_id=changed.pk, action="change_decision").data
