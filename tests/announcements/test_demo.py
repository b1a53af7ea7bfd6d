"""The demo announcements (data/demo.json): built through the services and the flow, idempotent."""

from __future__ import annotations

import io

import pytest

from kejiju.announcements.demo import seed_demo_announcements
from kejiju.announcements.models import Announcement
from kejiju.announcements.selectors import announcements_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_demo_announcements(world, make_user):
    make_user("bureau", username="bureau")
    out = io.StringIO()
    seed_demo_announcements(stdout=out)
    seed_demo_announcements(stdout=out)
    states = sorted(Announcement.objects.values_list("state", flat=True))
    assert states == ["draft", "published", "published", "published", "withdrawn"]
    pinned = Announcement.objects.get(pinned=True)
    assert pinned.attachments.count() == 1
    # 忻府区 (county A) is among the counties of the filing reminder; the unit note reaches unit A.
    county = {a.title for a in announcements_for(user=world.users["county"])}
    assert len(county) == 2 and pinned.title in county
    assert len(announcements_for(user=world.users["applicant"])) == 2
    assert "本次新增 0 条" in out.getvalue()
