"""Scale data: extra regions so the county-level units number `scale.county_units` under `scale.cities` cities
(the deployment's 忻州市 and its 16 units included), and one bureau account to log in with."""

from __future__ import annotations

from django.contrib.auth.models import Group

from kejiju.core.scale import bulk

from .models import Region, User
from .roles import Role, group_name

BENCH_USERNAME = "bench"
BENCH_PASSWORD = "Bench@2026-scale"  # noqa: S105 - synthetic data only, in *_scale databases


def seed_scale(*, scale, rng, stdout) -> None:
    existing = Region.objects.county_level().count()
    extra = max(scale.county_units - existing, 0)
    new_cities = max(scale.cities - Region.objects.filter(kind=Region.Kind.CITY).count(), 0)
    if extra and new_cities:
        bulk(
            Region,
            [
                Region(code=f"S{c:02d}00", name=f"基准{c:02d}市", kind=Region.Kind.CITY, sort_order=100 + c)
                for c in range(1, new_cities + 1)
            ],
        )
        cities = list(Region.objects.filter(code__regex=r"^S[0-9]{2}00$").order_by("code"))
        kinds = [Region.Kind.DISTRICT, Region.Kind.COUNTY, Region.Kind.COUNTY, Region.Kind.COUNTY_CITY]
        units = [
            Region(
                code=f"S{(i % len(cities)) + 1:02d}{i:03d}",
                name=f"{cities[i % len(cities)].name[:4]}{i:03d}县",
                kind=rng.choice(kinds),
                parent=cities[i % len(cities)],
                sort_order=200 + i,
            )
            for i in range(extra)
        ]
        bulk(Region, units)
    user, _ = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"display_name": "基准测试", "role": Role.BUREAU, "is_active": True}
    )
    user.set_password(BENCH_PASSWORD)
    user.save()
    user.groups.set([Group.objects.get(name=group_name(Role.BUREAU))])
    stdout.write(f"  regions: {Region.objects.county_level().count()} county-level units")
