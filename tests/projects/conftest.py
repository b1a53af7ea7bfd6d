import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects import services
from projects.rules import Action, State

# The service actions that lead from 申报 to each state (staff take them).
PATH = {
    State.SUBMITTED: [],
    State.ACCEPTED: [Action.ACCEPT],
    State.REVIEW: [Action.ACCEPT, Action.START_REVIEW],
    State.APPROVED: [Action.ACCEPT, Action.START_REVIEW, "score", Action.APPROVE],
    State.EXECUTING: [Action.ACCEPT, Action.START_REVIEW, "score", Action.APPROVE, Action.SIGN_CONTRACT],
}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded attachments of these tests go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


def close_panel(project, score: Decimal):
    """A closed expert panel with `score` for the project (the experts app's own tests cover the draw)."""
    from experts.services import review_panel_recorded
    from projects.models import REVIEW_CRITERIA

    return review_panel_recorded(
        subject=project,
        title=project.title,
        applicant=project.applicant,
        criteria=REVIEW_CRITERIA,
        size=5,
        result=score,
    )


@pytest.fixture
def call(db):
    from tests.projects.factories import CallFactory

    return CallFactory()


@pytest.fixture
def applicant_a(county_a):
    from tests.projects.factories import OrganizationFactory

    return OrganizationFactory(region=county_a)


@pytest.fixture
def apply(world, call, applicant_a):
    """Enter an application through the service (defaults: county A, bureau staff)."""

    def make(*, user=None, pi_mobile="13912345678", **overrides):
        data = {
            "call": call,
            "title": "高粱秸秆综合利用技术研究",
            "applicant": applicant_a,
            "region": world.county_a,
            "pi_name": "张研究",
            "pi_mobile": pi_mobile,
            "start_date": dt.date(2025, 1, 1),
            "end_date": dt.date(2026, 12, 31),
            "requested_grant": Decimal("300000.00"),
            "self_raised": Decimal("200000.00"),
        }
        data.update(overrides)
        return services.project_create(user=user or world.users["bureau"], **data)

    return make


@pytest.fixture
def advance(world):
    """Take a project along the life cycle to `state` through the services."""

    def go(project, state, *, granted=None):
        bureau = world.users["bureau"]
        for step in PATH[state]:
            if step == "score":
                close_panel(project, Decimal("86.50"))
                continue
            if step == Action.SIGN_CONTRACT:
                services.attachment_create(
                    project=project,
                    user=bureau,
                    kind="contract",
                    upload=SimpleUploadedFile("任务书.pdf", b"%PDF-1.7"),
                )
            project = services.project_transition(project=project, action=step, user=bureau, granted=granted)
        return project

    return go
