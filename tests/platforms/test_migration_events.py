"""platforms 0008 gives batches, applications and evaluations made before their flows were declared the
timelines their states and dates imply."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from kejiju.core.models import WorkflowEvent
from kejiju.core.workflow.selectors import events_for, state_on
from platforms.rules import ApplicationState, BatchState

from .factories import ApplicationFactory, BatchFactory, EvaluationFactory, PlatformFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("platforms.migrations.0008_batch_application_events")


def test_old_records_get_the_timeline_their_state_implies(world):
    batch = BatchFactory(
        state=BatchState.DONE,
        deadline=dt.date(2023, 9, 30),
        publicity_start=dt.date(2023, 11, 6),
        publicity_end=dt.date(2023, 11, 17),
        recognised_on=dt.date(2023, 11, 27),
    )
    recognised = ApplicationFactory(
        batch=batch, region=world.county_a, state=ApplicationState.RECOGNISED, rank=1, certificate_no="X-1"
    )
    objected = ApplicationFactory(
        batch=batch, region=world.county_a, state=ApplicationState.OBJECTED, objection="人员数不实"
    )
    evaluation = EvaluationFactory(
        platform=PlatformFactory(region=world.county_a),
        score=Decimal("55"),
        grade="fail",
        revocation_proposed=True,
    )
    WorkflowEvent.objects.all().delete()

    migration.forwards(apps, None)

    assert list(events_for(batch).values_list("action", "to_state", "effective_on")) == [
        ("create", "open", dt.date(2023, 9, 30)),
        ("close_applications", "formal", dt.date(2023, 9, 30)),
        ("start_review", "review", dt.date(2023, 9, 30)),
        ("publicise", "publicity", dt.date(2023, 11, 6)),
        ("recognise", "done", dt.date(2023, 11, 27)),
    ]
    assert state_on(batch, dt.date(2023, 11, 10)) == BatchState.PUBLICITY
    assert [e.action for e in events_for(recognised)] == ["submit", "accept", "propose", "recognise"]
    assert events_for(recognised).last().data == {"certificate_no": "X-1"}
    assert state_on(recognised, dt.date(2023, 12, 31)) == ApplicationState.RECOGNISED
    last = events_for(objected).last()
    assert (last.action, last.comment) == ("object", "人员数不实")
    step = events_for(evaluation.platform).get(action="evaluate")
    assert step.data["revocation_proposed"] is True and step.data["grade"] == "fail"
    assert ("拟撤销", "是") in step.data_display

    migration.backwards(apps, None)
    assert not events_for(batch).exists() and not events_for(evaluation.platform).exists()
