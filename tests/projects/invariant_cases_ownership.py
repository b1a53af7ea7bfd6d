"""Invariant scenarios of the 职务科技成果赋权 pilot (tests/test_invariant_sweep.py): the 所有权 shares
granted on one achievement add up to at most 100%, and a grant's ownership passes to an enterprise (转让 or
作价入股) once. Each setup goes through the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from tests.test_invariant_sweep import InvariantCase

GRANTED_ON = dt.date(2023, 8, 1)


def _grant(achievement, *, share: str, team: str, number: int):
    from projects.models import OwnershipGrant

    return OwnershipGrant(
        achievement=achievement,
        team=team,
        mode="ownership",
        share_percent=Decimal(share),
        granted_on=GRANTED_ON,
        approval_no=f"扫测〔2023〕{number}号",
    )


def ownership_share(world) -> InvariantCase:
    from projects import services
    from projects.models import OwnershipGrant
    from tests.projects.factories import AchievementFactory, OwnershipPilotFactory

    user = world.users["bureau"]
    achievement = AchievementFactory(pilot=OwnershipPilotFactory(joined_on=dt.date(2023, 6, 1)))
    held: dict = {}

    def setup():
        held["first"] = services.ownership_grant_save(
            grant=_grant(achievement, share="70", team="王建平团队", number=1), user=user
        )

    def violate():
        return services.ownership_grant_save(
            grant=_grant(achievement, share="70", team="李晓燕团队", number=2), user=user
        )

    def allowed():
        # The remaining 30% may be granted, and the first grant edited in place (it excludes itself).
        services.ownership_grant_save(
            grant=_grant(achievement, share="30", team="李晓燕团队", number=3), user=user
        )
        first = OwnershipGrant.objects.get(pk=held["first"].pk)
        first.share_percent = Decimal("70")
        first.team = "王建平课题组"
        services.ownership_grant_save(grant=first, user=user)

    return InvariantCase(
        setup=setup,
        violate=violate,
        snapshot=lambda: sorted(
            OwnershipGrant.objects.filter(achievement=achievement).values_list("team", "share_percent")
        ),
        mentions=("所有权比例", "100%", "王建平团队", achievement.title, "最多30%"),
        allowed=allowed,
    )


def ownership_passed_once(world) -> InvariantCase:
    from projects import services
    from projects.models import AchievementTransfer
    from tests.projects.factories import OrganizationFactory, OwnershipGrantFactory

    user = world.users["bureau"]
    grant = OwnershipGrantFactory(granted_on=GRANTED_ON)
    first = OrganizationFactory(name="繁峙县杂粮产业发展有限公司", region=world.county_a)
    second = OrganizationFactory(name="静乐县藜麦科技开发有限公司", region=world.county_a)

    def transfer(mode, enterprise):
        return services.achievement_transfer_save(
            transfer=AchievementTransfer(
                grant=grant,
                mode=mode,
                enterprise=enterprise,
                amount=Decimal("35"),
                transferred_on=dt.date(2023, 10, 18),
            ),
            user=user,
        )

    def allowed():
        # A licence of the same grant is not a second passing of its ownership.
        transfer("licence", second)

    return InvariantCase(
        setup=lambda: transfer("assignment", first),
        violate=lambda: transfer("assignment", second),
        snapshot=lambda: sorted(
            AchievementTransfer.objects.filter(grant=grant).values_list("mode", "enterprise__name")
        ),
        mentions=("转让或作价入股", "只能转出一次", "繁峙县杂粮产业发展有限公司", grant.achievement.title),
        allowed=allowed,
    )


CASES = {
    "projects.ownership_share": ownership_share,
    "projects.ownership_passed_once": ownership_passed_once,
}
