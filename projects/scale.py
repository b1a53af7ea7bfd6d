"""Scale data of `manage.py seed_scale`: programmes and yearly calls, `scale.projects` projects of units
of the scale data with their histories (core.WorkflowEvent rows for every transition they went through).
The programmes and title topics are in data/scale.json."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kejiju.core import demodata
from kejiju.core.models import Organization, WorkflowEvent
from kejiju.core.scale import bulk, copy_objects, next_id, person_name

from .models import Call, Programme, Project
from .rules import PROJECT_WORKFLOW, AcceptanceResult, State

# Paths through the state machine (each step: action, label, to_state); a project stops at a random depth.
PATH = [
    ("accept", "受理", State.ACCEPTED),
    ("start_review", "提交评审", State.REVIEW),
    ("approve", "立项", State.APPROVED),
    ("sign_contract", "签订任务书", State.EXECUTING),
    ("start_evaluation", "进入绩效评估", State.EVALUATION),
    ("start_acceptance", "进入结题验收", State.ACCEPTANCE),
    ("pass", "验收通过", State.CONCLUDED),
]


def seed_scale(*, scale, rng, stdout) -> None:
    this_year = timezone.localdate().year
    years = list(range(this_year - 5, this_year + 1))
    data = demodata.read("projects", "scale")
    topics = data["topics"]
    programmes = []
    for order, spec in enumerate(data["programmes"]):
        programme, _ = Programme.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "sort_order": 100 + order}
        )
        programmes.append(programme)
    calls = bulk(
        Call,
        [
            Call(
                programme=p,
                year=y,
                title=f"{y}年度{p.name}",
                opens_on=dt.date(y, 3, 1),
                closes_on=dt.date(y, 4, 30),
            )
            for p in programmes
            for y in years
        ],
    )
    calls = list(Call.objects.filter(programme__in=programmes).select_related("programme"))
    units = list(
        Organization.objects.exclude(region=None).values_list("pk", "region_id", "name")[: scale.enterprises]
    )
    now = timezone.now()
    today = timezone.localdate()
    project_type = ContentType.objects.get_for_model(Project)

    def event(pk, action, label, from_state, to_state):
        return WorkflowEvent(
            content_type=project_type,
            object_id=pk,
            workflow=PROJECT_WORKFLOW,
            action=action,
            label=label,
            from_state=from_state,
            to_state=to_state,
            effective_on=today,
            recorded_at=now,
        )

    first = next_id(Project)
    projects, events = [], []
    serial: dict[int, int] = {}
    for i in range(scale.projects):
        call = rng.choice(calls)
        unit, region, unit_name = rng.choice(units)
        serial[call.pk] = serial.get(call.pk, 0) + 1
        depth = rng.randint(0, len(PATH))
        state = PATH[depth - 1][2] if depth else State.SUBMITTED
        grant = Decimal(rng.randrange(5, 300) * 10_000)
        pk = first + i
        projects.append(
            Project(
                pk=pk,
                number=f"{call.programme.code}{call.year}{serial[call.pk]:05d}",
                call=call,
                year=call.year,
                title=f"{unit_name[:6]}{rng.choice(topics)}关键技术研究与示范{i:05d}",
                applicant_id=unit,
                region_id=region,
                pi_name=person_name(rng),
                pi_mobile=f"13{rng.randrange(10**9):09d}",
                start_date=dt.date(call.year, 7, 1),
                end_date=dt.date(call.year + 2, 6, 30),
                requested_grant=grant,
                city_grant=grant * Decimal("0.8") if depth >= 3 else None,
                self_raised=grant * 2,
                state=state,
                acceptance_result=AcceptanceResult.PASSED if state == State.CONCLUDED else "",
                created_at=now,
                updated_at=now,
            )
        )
        events.append(event(pk, "create", "录入申报", "", State.SUBMITTED))
        previous = State.SUBMITTED
        for action, label, to_state in PATH[:depth]:
            events.append(event(pk, action, label, previous, to_state))
            previous = to_state
    copy_objects(Project, projects)
    copy_objects(WorkflowEvent, events)
    stdout.write(f"  projects: {len(projects)} with {len(events)} timeline events")
