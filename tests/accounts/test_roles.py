import pytest
from django.contrib.auth.models import Group

from kejiju.accounts.roles import (
    BUSINESS_ROLES,
    Role,
    declared_role_permissions,
    group_name,
    sync_role_groups,
)

pytestmark = pytest.mark.django_db


def test_every_declared_permission_exists():
    sync_role_groups(strict=True)


def test_groups_carry_the_declared_permissions():
    declared = declared_role_permissions()
    for role in Role:
        group = Group.objects.get(name=group_name(role))
        names = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in group.permissions.select_related("content_type")
        }
        assert names == declared[role]


def test_sysadmin_and_auditor_hold_no_business_permission():
    declared = declared_role_permissions()
    business = set().union(*(declared[role] for role in BUSINESS_ROLES))
    shared_harmless = {"core.view_reportjob"}
    for role in (Role.SYSADMIN, Role.AUDITOR):
        leaked = (declared[role] & business) - shared_harmless
        assert not leaked, (role, leaked)
    assert declared[Role.AUDITOR] <= {"core.view_auditevent", "auditlog.view_logentry", "core.view_reportjob"}


def test_no_business_role_can_manage_users():
    declared = declared_role_permissions()
    for role in BUSINESS_ROLES:
        assert not {"accounts.add_user", "accounts.change_user"} & declared[role]


def test_leadership_changes_nothing():
    assert all(
        ".view_" in perm or perm.endswith("view_all_regions")
        for perm in declared_role_permissions()[Role.LEADER]
    )
