"""The workflow sweep over the two flows of county reporting: every edge × every role through the one
transition view (tests/workflowcase.py). The deadline rules the sweep cannot express (a first 报送 after
the deadline needs a 解锁, a resent filing does not) are tested in test_services.py."""

from __future__ import annotations

from django.utils import timezone

from kejiju.reporting import rules
from kejiju.reporting.models import CountyTask, MonthlyFiling
from kejiju.reporting.workflow import FILING_FLOW, TASK_FLOW
from tests.reporting.factories import CountyTaskFactory, MonthlyFilingFactory
from tests.workflowcase import FlowCase, WorkflowSweep


def _filing(world, state: str) -> MonthlyFiling:
    """A filing of county A for the month due now (open for filing), in `state`."""
    year, month = rules.due_month(timezone.now())
    MonthlyFiling.objects.filter(region=world.county_a, year=year, month=month).delete()
    submitted = timezone.now() if state != rules.FilingState.DRAFT else None
    return MonthlyFilingFactory(
        region=world.county_a,
        year=year,
        month=month,
        state=state,
        first_submitted_at=submitted,
        submitted_at=submitted,
    )


def _task(world, state: str) -> CountyTask:
    return CountyTaskFactory(region=world.county_a, year=timezone.localdate().year, status=state)


class TestMonthlyFilingFlow(WorkflowSweep):
    case = FlowCase(workflow=FILING_FLOW, url_name="reporting:monthlyfiling_transition", make=_filing)


class TestCountyTaskFlow(WorkflowSweep):
    case = FlowCase(workflow=TASK_FLOW, url_name="reporting:countytask_transition", make=_task)
