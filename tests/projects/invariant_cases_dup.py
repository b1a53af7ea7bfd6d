"""Scenarios for the 省校合作 duplicate rule (tests/test_invariant_sweep.py): one title once per task year
and kind."""

from __future__ import annotations

from datetime import date

from kejiju.core.models import Organization
from projects import services
from projects.models import CooperationProject
from tests.test_invariant_sweep import InvariantCase

TITLE = "山西农业大学杂粮成果转化基地"


def _project(world, university, *, title: str = TITLE) -> CooperationProject:
    return CooperationProject(
        title=title,
        region=world.county_a,
        university=university,
        kind=CooperationProject.Kind.TRANSFER_BASE,
        state=CooperationProject.State.SIGNED,
        task_year=2025,
        signed_on=date(2025, 3, 1),
    )


def _cooperation_title(world) -> InvariantCase:
    actor = world.users["bureau"]
    university = Organization.objects.create(name="山西农业大学", kind=Organization.Kind.UNIVERSITY)
    return InvariantCase(
        setup=lambda: services.cooperation_project_save(project=_project(world, university), user=actor),
        # the same title typed with stray spaces is the same project
        violate=lambda: services.cooperation_project_save(
            project=_project(world, university, title=f" {TITLE} "), user=actor
        ),
        snapshot=lambda: sorted(CooperationProject.objects.values_list("title", flat=True)),
        mentions=("省校合作", TITLE),
        allowed=lambda: services.cooperation_project_save(
            project=_project(world, university, title="山西农业大学中药材成果转化基地"), user=actor
        ),
    )


CASES = {"projects.cooperation_title": _cooperation_title}
