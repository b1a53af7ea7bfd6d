"""Demo accounts of `manage.py seed_demo` (the staff accounts in data/demo.json, one per county; all share
one password, printed by `make run`)."""

from __future__ import annotations

from django.utils import timezone

from kejiju.core import demodata

from .models import Region, User
from .roles import Role, group_name

DEMO_PASSWORD = "Kejiju@2026"  # noqa: S105 - the published demo password (README)


def seed_demo_accounts(*, stdout=None) -> list[tuple[str, str]]:
    from django.contrib.auth.models import Group

    created: list[tuple[str, str]] = []
    accounts = [
        (spec["username"], spec["name"], Role(spec["role"]), None)
        for spec in demodata.read("accounts")["staff_accounts"]
    ]
    for region in Region.objects.county_level():
        code = region.code.replace("-", "_").lower()
        accounts.append((f"county_{code}", f"{region.name}科技局", Role.COUNTY, region))
    for username, name, role, region in accounts:
        user, was_created = User.objects.get_or_create(
            username=username, defaults={"display_name": name, "role": role, "region": region}
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
        # The demo's published password is neither expired nor "initial": no forced change in `make run`.
        user.password_changed_at = timezone.now()
        user.must_change_password = False
        user.save()
        user.groups.set([Group.objects.get(name=group_name(role))])
        created.append((username, f"{Role(role).label}{' · ' + region.name if region else ''}"))
    if stdout is not None:
        stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for username, label in created:
            stdout.write(f"  {username:<22} {label}")
    return created
