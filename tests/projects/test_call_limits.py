"""限项 as data of the call: how many applications one 项目负责人 and one unit may have in it, how many
running projects a 项目负责人 may hold, whether an overdue project blocks them — checked when an
application is entered (staff) or submitted (online), and again at 立项."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kejiju.core.workflow import TransitionRefused
from kejiju.core.workflow.services import apply_transition
from projects.rules import State
from tests.applications.factories import make_application, open_guide
from tests.projects.conftest import close_panel
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _running(county, mobile="13912345678", **kwargs):
    return ProjectFactory(
        region=county,
        pi_mobile=mobile,
        state=State.EXECUTING,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2030, 12, 31),
        **kwargs,
    )


def test_two_applications_per_leader_when_the_call_allows_two(apply, call):
    call.max_per_leader = 2
    call.save()
    apply()
    apply(title="第二项")
    with pytest.raises(ValidationError, match="每人每批次限报 2 项"):
        apply(title="第三项")


def test_a_unit_cap_counts_the_units_applications_in_the_call(apply, call, world):
    call.max_per_unit = 1
    call.save()
    apply()
    with pytest.raises(ValidationError, match="每个单位限报 1 项"):
        apply(user=world.users["county"], pi_mobile="13800000009")


def test_an_overdue_project_blocks_only_where_the_call_says_so(apply, call, county_a):
    ProjectFactory(
        region=county_a,
        pi_mobile="13912345678",
        state=State.EXECUTING,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2022, 12, 31),
    )
    with pytest.raises(ValidationError, match="超期未结题"):
        apply()
    call.block_overdue_leader = False
    call.save()
    assert apply().pk


def test_running_projects_are_checked_again_at_approval(apply, call, world, county_a):
    call.max_open_per_leader = 1
    call.save()
    project = apply()
    project.state = State.REVIEW
    project.save(update_fields=["state"])
    close_panel(project, Decimal("88"))
    _running(county_a)  # approved meanwhile: the PI now holds one running project
    with pytest.raises(TransitionRefused, match="1 个在研项目"):
        apply_transition(record=project, action="approve", actor=world.users["bureau"], data={"granted": 1})


def test_an_online_application_meets_the_calls_unit_cap(world, make_user):
    guide = open_guide()
    guide.call.max_per_unit = 1
    guide.call.save()
    make_application(leader=world.users["applicant"], call=guide.call, state="submitted")
    colleague = make_user("applicant", organization=world.unit_a, phone="13900000001")
    second = make_application(leader=colleague, call=guide.call, title="同单位第二项")
    with pytest.raises(TransitionRefused, match="每个单位限报 1 项"):
        apply_transition(record=second, action="submit", actor=colleague)
