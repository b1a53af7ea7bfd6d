"""Separation of duties (三员分立): the system admin manages accounts but no business record, the auditor
reads the audit log only, no business role grants roles, one account holds one role, and the superuser
is not needed day to day."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction

from kejiju.accounts.models import User
from kejiju.accounts.roles import BUSINESS_ROLES, Role, group_name

pytestmark = pytest.mark.django_db


def _perms(role):
    group = Group.objects.get(name=group_name(role))
    return {
        f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")
    }


# The system admin's settings outside accounts: the yearly 节假日安排 that working days are computed from,
# and the 系统参数.
SYSADMIN_SETTINGS = {
    "core.view_holidayarrangement",
    "core.add_holidayarrangement",
    "core.change_holidayarrangement",
    "core.change_parametervalue",
}


def test_system_admin_holds_account_permissions_only(world):
    perms = _perms(Role.SYSADMIN)
    accounts = perms - SYSADMIN_SETTINGS
    assert accounts and all(perm.startswith("accounts.") for perm in accounts), perms
    assert not any(perm.startswith(("core.", "auditlog.")) for perm in accounts)
    user = world.users["sysadmin"]
    assert not user.has_perm("core.view_auditevent") and not user.has_perm("auditlog.view_logentry")


def test_auditor_reads_the_audit_log_only(world):
    assert _perms(Role.AUDITOR) == {"core.view_auditevent", "auditlog.view_logentry", "core.view_reportjob"}
    auditor = world.users["auditor"]
    assert not auditor.has_perm("accounts.view_user") and not auditor.has_perm("accounts.change_user")


@pytest.mark.parametrize("role", sorted(BUSINESS_ROLES))
def test_no_business_role_can_grant_roles_or_read_the_audit_log(world, role):
    perms = _perms(role)
    forbidden = {
        "accounts.add_user",
        "accounts.change_user",
        "auth.add_group",
        "auth.change_group",
        "auth.add_permission",
        "auth.change_permission",
        "core.view_auditevent",
        "auditlog.view_logentry",
    }
    assert not perms & forbidden


def test_no_portal_role_is_staff_or_superuser(world):
    assert not User.objects.filter(pk__in=[u.pk for u in world.users.values()], is_staff=True).exists()
    assert not User.objects.filter(is_superuser=True).exists()


@pytest.mark.parametrize("second", [Role.SYSADMIN, Role.AUDITOR, Role.LEADER])
def test_a_user_cannot_be_put_into_a_second_role_group(world, second):
    bureau = world.users["bureau"]
    with pytest.raises(ValidationError, match="一种角色"), transaction.atomic():
        bureau.groups.add(Group.objects.get(name=group_name(second)))
    assert list(bureau.groups.values_list("name", flat=True)) == [group_name(Role.BUREAU)]


def test_a_group_cannot_be_given_a_user_of_another_role(world):
    auditors = Group.objects.get(name=group_name(Role.AUDITOR))
    with pytest.raises(ValidationError), transaction.atomic():
        auditors.user_set.add(world.users["sysadmin"])
    with pytest.raises(ValidationError), transaction.atomic():
        Group.objects.get(name=group_name(Role.SYSADMIN)).user_set.add(world.users["bureau"])


def test_an_account_without_a_role_cannot_join_a_role_group(db, regions):
    user = User.objects.create(username="norole")
    with pytest.raises(ValidationError), transaction.atomic():
        user.groups.add(Group.objects.get(name=group_name(Role.SYSADMIN)))


def test_changing_a_role_swaps_the_group(world, sysadmin_user):
    from kejiju.accounts.services import user_update

    user = world.users["leader"]
    user_update(user=user, role=Role.BUREAU, region=None, display_name="x", actor=sysadmin_user)
    assert list(user.groups.values_list("name", flat=True)) == [group_name(Role.BUREAU)]


def test_create_sysadmin_makes_a_plain_system_admin_not_a_superuser(db, regions):
    call_command("create_sysadmin", "admin1", password="Admin#2026x")
    user = User.objects.get(username="admin1")
    assert user.role == Role.SYSADMIN
    assert not user.is_superuser and not user.is_staff
    assert user.must_change_password
    assert list(user.groups.values_list("name", flat=True)) == [group_name(Role.SYSADMIN)]


def test_system_admin_cannot_open_business_pages(client, sysadmin_user):
    client.force_login(sysadmin_user)
    assert client.get("/organizations/").status_code == 403
    assert client.get("/accounts/audit/events/").status_code == 403
