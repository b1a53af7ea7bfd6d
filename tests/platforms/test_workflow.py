"""The platform workflow swept: every edge × every role through the one transition view, every wrong
state, the comment of 撤销, the date order of every step (platforms.workflow)."""

import datetime as dt
import itertools

from django.utils import timezone

from kejiju.core.workflow.services import record_created
from platforms.rules import Level, PlatformAction, PlatformState
from tests.workflowcase import FlowCase, WorkflowSweep

from .factories import PlatformFactory

_serial = itertools.count(1)


def _platform(world, state):
    registered = timezone.localdate() - dt.timedelta(days=60)
    recognised = state == PlatformState.RECOGNISED
    platform = PlatformFactory(
        region=world.county_a,
        state=state,
        level=Level.CITY,
        recognised_on=registered if recognised else None,
        certificate_no=f"SWEEP-{next(_serial):05d}" if recognised else "",
    )
    record_created(record=platform, actor=None, effective_on=registered, data={"to_level": platform.level})
    return platform


def _data(world, transition, record):
    if transition.action in (PlatformAction.RECOGNISE, PlatformAction.UPGRADE):
        level = Level.PROVINCE if transition.action == PlatformAction.UPGRADE else Level.CITY
        return {"level": level, "certificate_no": f"SWEEP-N-{next(_serial):05d}"}
    return {}


class TestPlatformWorkflow(WorkflowSweep):
    case = FlowCase(
        workflow="platforms.platform",
        url_name="platforms:platform_transition",
        make=_platform,
        data=_data,
    )
