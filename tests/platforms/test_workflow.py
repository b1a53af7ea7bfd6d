"""The platforms app's workflows swept (platform, recognition batch, application): every edge × every
role through the one transition view or the engine, every wrong state, every required comment, the date
order of every step (platforms.workflow)."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kejiju.core.workflow import workflow
from kejiju.core.workflow.selectors import events_for
from kejiju.core.workflow.services import apply_transition, record_created
from platforms import services
from platforms.rules import (
    ApplicationAction,
    ApplicationState,
    BatchState,
    Level,
    PlatformAction,
    PlatformState,
)
from tests.workflowcase import FlowCase, WorkflowSweep

from .factories import ApplicationFactory, BatchFactory, PlatformFactory

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


# ------------------------------------------------------------------------------------------------ batches

_APPLICATION_IN_BATCH = {
    BatchState.OPEN: ApplicationState.SUBMITTED,
    BatchState.FORMAL: ApplicationState.ACCEPTED,
    BatchState.REVIEW: ApplicationState.ACCEPTED,
    BatchState.PUBLICITY: ApplicationState.PROPOSED,
    BatchState.DONE: ApplicationState.RECOGNISED,
}


def _batch(world, state):
    """A batch of this year whose one application (county A's) lets it take its next step: submitted,
    accepted, scored, proposed after a 公示 that has ended."""
    today = timezone.localdate()
    publicised = state in (BatchState.PUBLICITY, BatchState.DONE)
    batch = BatchFactory(
        state=state,
        year=today.year,
        deadline=today - dt.timedelta(days=60),
        publicity_start=today - dt.timedelta(days=40) if publicised else None,
        publicity_end=today - dt.timedelta(days=26) if publicised else None,
        recognised_on=today - dt.timedelta(days=20) if state == BatchState.DONE else None,
    )
    record_created(record=batch, actor=None, effective_on=today - dt.timedelta(days=90))
    ApplicationFactory(
        batch=batch,
        region=world.county_a,
        state=_APPLICATION_IN_BATCH[BatchState(state)],
        review_score=Decimal("85") if state != BatchState.OPEN else None,
        rank=1 if publicised else None,
    )
    return batch


class TestRecognitionBatchWorkflow(WorkflowSweep):
    case = FlowCase(
        workflow="platforms.recognitionbatch",
        url_name="platforms:recognitionbatch_transition",
        make=_batch,
    )


def test_a_batch_step_moves_its_applications_through_their_own_flow(world):
    """排名并公示 proposes the application through its workflow (one event each); 认定 recognises it."""
    batch = _batch(world, BatchState.REVIEW)
    app = batch.applications.get()
    today = timezone.localdate()
    bureau = world.users["bureau"]
    services.batch_advance(batch=batch, user=bureau, on_date=today - dt.timedelta(days=30))
    assert list(events_for(app).values_list("action", "to_state")) == [
        (ApplicationAction.PROPOSE, ApplicationState.PROPOSED)
    ]
    batch.refresh_from_db()  # the 公示 of 10 working days has to end first
    # No city-wide count on the batch's event: a county reads this timeline.
    assert events_for(batch).order_by("-pk").first().data == {
        "publicity_end": batch.publicity_end.isoformat()
    }
    day = batch.publicity_end + dt.timedelta(days=1)
    if day <= today:
        services.batch_advance(batch=batch, user=bureau, on_date=day)
        app.refresh_from_db()
        assert app.state == ApplicationState.RECOGNISED and app.platform.certificate_no == app.certificate_no
        assert events_for(app).order_by("-pk").first().action == ApplicationAction.RECOGNISE


# ------------------------------------------------------------------------------------------- applications

_BATCH_FOR = {
    ApplicationAction.ACCEPT: BatchState.FORMAL,
    ApplicationAction.REJECT: BatchState.FORMAL,
    ApplicationAction.PROPOSE: BatchState.REVIEW,
    ApplicationAction.NOT_PROPOSE: BatchState.REVIEW,
    ApplicationAction.OBJECT: BatchState.PUBLICITY,
    ApplicationAction.RECOGNISE: BatchState.PUBLICITY,
}


def _application(world, state):
    return ApplicationFactory(
        batch=BatchFactory(state=BatchState.FORMAL, year=timezone.localdate().year),
        region=world.county_a,
        state=state,
        review_score=Decimal("85"),
    )


def _batch_in_step(world, transition, application):
    type(application.batch).objects.filter(pk=application.batch_id).update(
        state=_BATCH_FOR[ApplicationAction(transition.action)]
    )


def _application_data(world, transition, record):
    if transition.action in (ApplicationAction.PROPOSE, ApplicationAction.NOT_PROPOSE):
        return {"rank": 1}
    return {}


class TestPlatformApplicationWorkflow(WorkflowSweep):
    case = FlowCase(
        workflow="platforms.platformapplication",
        url_name="platforms:platformapplication_transition",
        make=_application,
        data=_application_data,
        prepare=_batch_in_step,
    )


@pytest.mark.parametrize("action", list(_BATCH_FOR))
def test_an_application_step_waits_for_its_batch(world, action):
    """Each review step is refused, with the batch's progress, while the batch is at another step."""
    flow = workflow("platforms.platformapplication")
    transition = flow.transitions_for(action)[0]
    record = _application(world, sorted(transition.sources)[0])
    wrong = BatchState.OPEN
    type(record.batch).objects.filter(pk=record.batch_id).update(state=wrong)
    with pytest.raises(ValidationError, match="批次当前进度为“单位申报”"):
        apply_transition(
            record=record,
            action=action,
            actor=world.users["bureau"],
            comment="按规定办理。",
            data={"rank": 1},
        )
    assert events_for(record).count() == 0
