"""Who an announcement is addressed to: the rule over every role × audience, and the query that serves the
pages in step with it (the world's accounts, the other county and the other unit included)."""

from __future__ import annotations

import pytest

from kejiju.accounts.roles import Role
from kejiju.announcements.models import Announcement, Audience
from kejiju.announcements.rules import audience_includes
from kejiju.announcements.selectors import announcements_for
from tests.announcements.factories import make_announcement

A, B = 1, 2
# The account of each role as the rule sees it: (county_id, is_unit_account, unit_region_id, oversees, reads).
ACCOUNT = {
    Role.BUREAU: (None, False, None, True, True),
    Role.LEADER: (None, False, None, True, True),
    Role.COUNTY: (A, False, None, False, True),
    Role.SYSADMIN: (None, False, None, False, False),
    Role.AUDITOR: (None, False, None, False, False),
    Role.UNIT_ADMIN: (None, True, A, False, True),
    Role.APPLICANT: (None, True, A, False, True),
    Role.EXPERT: (None, False, None, False, True),
}
# (audience, the counties it names) -> the roles (accounts of county A / of a unit in county A) it reaches.
OVERSEERS = {Role.BUREAU, Role.LEADER}
EXPECTED = {
    (Audience.ALL, ()): set(Role) - {Role.SYSADMIN, Role.AUDITOR},
    (Audience.COUNTIES, (A,)): OVERSEERS | {Role.COUNTY},
    (Audience.COUNTIES, (B,)): OVERSEERS,
    (Audience.COUNTIES, (A, B)): OVERSEERS | {Role.COUNTY},
    (Audience.UNITS, ()): OVERSEERS | {Role.UNIT_ADMIN, Role.APPLICANT},
    (Audience.UNITS, (A,)): OVERSEERS | {Role.UNIT_ADMIN, Role.APPLICANT},
    (Audience.UNITS, (B,)): OVERSEERS,
}


def test_every_role_is_covered():
    assert set(ACCOUNT) == set(Role)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("audience", "regions"), list(EXPECTED), ids=lambda v: str(v))
def test_audience_rule(role, audience, regions):
    county_id, is_unit, unit_region, oversees, reads = ACCOUNT[role]
    included = audience_includes(
        audience=audience,
        region_ids=set(regions),
        county_id=county_id,
        unit_region_id=unit_region,
        is_unit_account=is_unit,
        oversees=oversees,
        reads=reads,
    )
    assert included == (role in EXPECTED[(audience, regions)])


def test_an_unknown_audience_reaches_nobody_but_overseers():
    kwargs = {"region_ids": {A}, "county_id": A, "unit_region_id": A, "is_unit_account": True}
    assert not audience_includes(audience="somebody", **kwargs)
    assert audience_includes(audience="somebody", oversees=True, **kwargs)


@pytest.fixture
def published(world):
    bureau = world.users["bureau"]
    a, b = world.county_a, world.county_b
    specs = {
        "all": (Audience.ALL, []),
        "counties_a": (Audience.COUNTIES, [a]),
        "counties_b": (Audience.COUNTIES, [b]),
        "units_all": (Audience.UNITS, []),
        "units_a": (Audience.UNITS, [a]),
        "units_b": (Audience.UNITS, [b]),
    }
    return {
        key: make_announcement(author=bureau, title=key, audience=audience, regions=regions)
        for key, (audience, regions) in specs.items()
    }


def _rule_says(announcement: Announcement, user) -> bool:
    unit = user.unit_id
    return audience_includes(
        audience=announcement.audience,
        region_ids={r.pk for r in announcement.regions.all()},
        county_id=user.region_id,
        unit_region_id=user.organization.region_id if unit else None,
        is_unit_account=unit is not None,
        oversees=user.has_perm("announcements.view_all_announcement"),
        reads=user.has_perm("announcements.view_announcement"),
    )


EVERYTHING = {"all", "counties_a", "counties_b", "units_all", "units_a", "units_b"}
SEES = {
    "bureau": EVERYTHING,
    "leader": EVERYTHING,
    "county": {"all", "counties_a"},
    "other_county": {"all", "counties_b"},
    "sysadmin": set(),
    "auditor": set(),
    "expert": {"all"},
    "unit_admin": {"all", "units_all", "units_a"},
    "applicant": {"all", "units_all", "units_a"},
    "other_unit": {"all", "units_all", "units_b"},
}


@pytest.mark.parametrize("who", sorted(SEES))
def test_the_query_serves_what_the_rule_says(world, published, who):
    user = world.users[who]
    listed = {a.title for a in announcements_for(user=user)}
    scoped = {a.title for a in Announcement.objects.visible_to(user)}
    by_rule = {key for key, announcement in published.items() if _rule_says(announcement, user)}
    assert listed == scoped == by_rule == SEES[who]


def test_drafts_future_expired_and_withdrawn_reach_no_reader(world):
    import datetime as dt

    from django.utils import timezone

    bureau = world.users["bureau"]
    now = timezone.now()
    make_announcement(author=bureau, title="draft", state="draft")
    make_announcement(author=bureau, title="withdrawn", state="withdrawn")
    future = make_announcement(author=bureau, title="future", publish_at=now + dt.timedelta(days=1))
    make_announcement(
        author=bureau,
        title="expired",
        publish_at=now - dt.timedelta(days=3),
        expires_at=now - dt.timedelta(days=2) + dt.timedelta(days=3),
    )
    Announcement.objects.filter(title="expired").update(expires_at=now - dt.timedelta(days=1))
    live = make_announcement(author=bureau, title="live")
    for who in ("county", "unit_admin", "expert"):
        assert {a.title for a in Announcement.objects.visible_to(world.users[who])} == {"live"}, who
    # The bureau reads only live ones in its own list, and oversees them all.
    assert [a.pk for a in announcements_for(user=bureau)] == [live.pk]
    assert Announcement.objects.visible_to(bureau).count() == 5
    # The future one appears once its time has come.
    Announcement.objects.filter(pk=future.pk).update(publish_at=now - dt.timedelta(minutes=1))
    assert Announcement.objects.visible_to(world.users["county"]).filter(pk=future.pk).exists()
