"""Scale data of `manage.py seed_scale`: `scale.experts` experts (身份证号 and mobile encrypted through the
model's own set_id_number/set_mobile, in batches), their fields, and closed review panels whose members
left `scale.review_scores` scores in all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from kejiju.accounts.models import Region
from kejiju.core import demodata
from kejiju.core.identifiers import id_number_check_char
from kejiju.core.models import Organization, WorkflowEvent
from kejiju.core.scale import chunks, copy_objects, next_id, person_name

from .models import (
    Expert,
    ExpertField,
    ReviewDraw,
    ReviewMember,
    ReviewPanel,
    ReviewScore,
    ReviewSheet,
    ReviewSubject,
)

_DATA = demodata.read("experts", "scale")  # data/scale.json: field, specialty and criterion names
FIELDS: list[str] = _DATA["fields"]
SPECIALTIES: list[str] = _DATA["specialties"]
CRITERIA: list[str] = _DATA["criteria"]
PANEL_SIZE = 5


def _id_number(index: int, male: bool) -> str:
    birth = dt.date(1955, 1, 1) + dt.timedelta(days=(index // 500) * 23)
    seq = (index % 500) * 2 + (1 if male else 0)
    first17 = f"140902{birth:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_char(first17)


def seed_scale(*, scale, rng, stdout) -> None:
    fields = [
        ExpertField.objects.get_or_create(name=name, defaults={"sort_order": 10 * i})[0]
        for i, name in enumerate(FIELDS)
    ]
    counties = list(Region.objects.county_level().values_list("pk", flat=True))
    # Experts' employers: universities and institutes of their own (experts come before the enterprises).
    org_first = next_id(Organization)
    copy_objects(
        Organization,
        (
            Organization(
                pk=org_first + u,
                name=f"基准{'大学' if u % 3 == 0 else '研究院'}{u:04d}",
                kind=Organization.Kind.UNIVERSITY if u % 3 == 0 else Organization.Kind.INSTITUTE,
                region_id=rng.choice(counties),
            )
            for u in range(max(scale.experts // 100, 10))
        ),
    )
    employers = list(range(org_first, org_first + max(scale.experts // 100, 10)))
    this_year = timezone.localdate().year
    now = timezone.now()
    first = next_id(Expert)
    experts = []
    for i in range(scale.experts):
        male = rng.random() < 0.7
        expert = Expert(
            pk=first + i,
            name=person_name(rng),
            gender=Expert.Gender.MALE if male else Expert.Gender.FEMALE,
            employer_id=rng.choice(employers),
            title=rng.choices([t for t, _ in Expert.Title.choices], weights=[30, 40, 20, 5, 5])[0],
            specialty=rng.choice(SPECIALTIES),
            county_id=rng.choice(counties),
            state=rng.choices([s for s, _ in Expert.State.choices], weights=[90, 5, 5])[0],
            admitted_on=dt.date(
                rng.randint(this_year - 8, this_year), rng.randint(1, 12), rng.randint(1, 28)
            ),
            created_at=now,
            updated_at=now,
        )
        expert.set_id_number(_id_number(i, male))
        expert.set_mobile(f"139{i:08d}")
        experts.append(expert)
    for batch in chunks(experts):
        copy_objects(Expert, batch)
    # Their 入库 events (flow experts.expert): the yearly figures read these, not admitted_on.
    expert_type = ContentType.objects.get_for_model(Expert)
    admissions = (
        WorkflowEvent(
            content_type=expert_type,
            object_id=e.pk,
            workflow="experts.expert",
            action="admit",
            label="入库",
            from_state="",
            to_state=Expert.State.ACTIVE,
            effective_on=e.admitted_on,
            recorded_at=now,
        )
        for e in experts
    )
    for batch in chunks(admissions):
        copy_objects(WorkflowEvent, batch)
    through = Expert.fields.through
    copy_objects(
        through,
        (
            through(expert_id=e.pk, expertfield_id=f.pk)
            for e in experts
            for f in rng.sample(fields, rng.randint(1, 2))
        ),
    )

    # Closed review panels: PANEL_SIZE members each scoring len(CRITERIA) criteria.
    panels_needed = -(-scale.review_scores // (PANEL_SIZE * len(CRITERIA)))
    subject_type = ContentType.objects.get_for_model(ExpertField)
    base_subject = 10_000_000 + next_id(ReviewPanel)
    panel_first, draw_first, member_first = next_id(ReviewPanel), next_id(ReviewDraw), next_id(ReviewMember)
    subject_first, sheet_first = next_id(ReviewSubject), next_id(ReviewSheet)
    panels, subjects, draws, members, sheets, scores = [], [], [], [], [], []
    active = [e.pk for e in experts if e.state == Expert.State.ACTIVE]
    for p in range(panels_needed):
        pk = panel_first + p
        chosen = rng.sample(active, PANEL_SIZE)
        panels.append(
            ReviewPanel(
                pk=pk,
                title=f"基准评审事项{p:05d}",
                criteria=[{"name": c, "max": 20} for c in CRITERIA],
                size=PANEL_SIZE,
                state=ReviewPanel.State.CLOSED,
                created_at=now,
                closed_at=now,
            )
        )
        subjects.append(
            ReviewSubject(
                pk=subject_first + p,
                panel_id=pk,
                position=1,
                subject_type=subject_type,
                subject_id=base_subject + p,
                title=f"基准评审事项{p:05d}",
                is_open=False,
            )
        )
        draws.append(
            ReviewDraw(
                pk=draw_first + p,
                panel_id=pk,
                seed=f"bench{p}",
                requested=PANEL_SIZE,
                drawn=chosen,
                created_at=now,
            )
        )
        for position, expert_id in enumerate(chosen, start=1):
            member_pk = member_first + len(members)
            members.append(
                ReviewMember(
                    pk=member_pk,
                    panel_id=pk,
                    expert_id=expert_id,
                    draw_id=draw_first + p,
                    position=position,
                    role=ReviewMember.Role.REGULAR,
                    status=ReviewMember.Status.CONFIRMED,
                    is_leader=position == 1,
                    updated_at=now,
                )
            )
            sheet_pk = sheet_first + len(sheets)
            sheets.append(
                ReviewSheet(pk=sheet_pk, member_id=member_pk, subject_id=subject_first + p, updated_at=now)
            )
            for criterion in CRITERIA:
                if len(scores) < scale.review_scores:
                    scores.append(
                        ReviewScore(
                            sheet_id=sheet_pk,
                            criterion=criterion,
                            score=Decimal(rng.randint(8, 20)),
                            updated_at=now,
                        )
                    )
    copy_objects(ReviewPanel, panels)
    copy_objects(ReviewSubject, subjects)
    copy_objects(ReviewDraw, draws)
    copy_objects(ReviewMember, members)
    copy_objects(ReviewSheet, sheets)
    copy_objects(ReviewScore, scores)
    stdout.write(f"  experts: {len(experts)}, {len(panels)} review panels, {len(scores)} scores")
