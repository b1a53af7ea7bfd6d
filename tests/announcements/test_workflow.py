"""The 通知公告 flow through the workflow sweep: every edge, every actor, wrong states, the reason."""

from __future__ import annotations

import pytest

from tests.announcements.factories import make_announcement
from tests.workflowcase import FlowCase, WorkflowSweep


def _announcement(world, state: str):
    return make_announcement(
        author=world.users["bureau"], audience="counties", regions=[world.county_a], state=state
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


class TestAnnouncementFlow(WorkflowSweep):
    case = FlowCase(
        workflow="announcements.announcement",
        url_name="announcements:announcement_transition",
        make=_announcement,
    )
