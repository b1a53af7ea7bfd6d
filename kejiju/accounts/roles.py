"""The roles. Each is a Django group whose permissions are declared here and by the domain apps
(an AppConfig attribute `role_permissions = {Role.BUREAU: ["app.codename", …]}`); `sync_role_groups`
writes them after every migrate, so adding a permission to a role is a code change with a test."""

from __future__ import annotations

from django.apps import apps
from django.db import models


class Role(models.TextChoices):
    BUREAU = "bureau", "局业务人员"
    LEADER = "leader", "局领导"
    COUNTY = "county", "县区科技局"
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "安全审计员"
    # Applicant-facing roles, each bound to one 单位 (core.Organization): they see their unit's records only.
    UNIT_ADMIN = "unit_admin", "申报单位管理员"
    APPLICANT = "applicant", "项目负责人"
    # An expert of the library reviewing online: the account is opened by the bureau from the library
    # entry (experts.Expert.user) and sees only the reviews assigned to that expert.
    EXPERT = "expert", "评审专家"


# Roles whose accounts must be bound to a region (and see only it).
REGION_BOUND_ROLES = frozenset({Role.COUNTY})
# Roles whose accounts are bound to one unit (and see only its records); never a staff role (三员分立: an
# account has one role, and a unit account is made by the unit's registration, never by the system admin).
UNIT_BOUND_ROLES = frozenset({Role.UNIT_ADMIN, Role.APPLICANT})
# Roles whose accounts belong to an entry of the expert library (opened by the bureau, never by the
# system admin, never self-registered).
EXPERT_ROLES = frozenset({Role.EXPERT})
STAFF_ROLES = frozenset(set(Role) - UNIT_BOUND_ROLES - EXPERT_ROLES)
# Business roles: they may read or change business records. The system admin and the auditor are not.
BUSINESS_ROLES = frozenset({Role.BUREAU, Role.LEADER, Role.COUNTY})

_ORGANIZATION_EDIT = ["core.view_organization", "core.add_organization", "core.change_organization"]

CORE_ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.BUREAU: [
        "accounts.view_all_regions",
        "core.view_reportjob",
        *_ORGANIZATION_EDIT,
        "core.delete_organization",
        # Their 公示 periods are counted in working days: warned on the home page when a year is missing.
        "core.be_warned_holidayarrangement",
    ],
    Role.LEADER: ["accounts.view_all_regions", "core.view_reportjob", "core.view_organization"],
    # County offices keep the units of their own county (applicants, host units …).
    Role.COUNTY: ["core.view_reportjob", *_ORGANIZATION_EDIT],
    Role.SYSADMIN: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_region",
        "accounts.add_region",
        "accounts.change_region",
        # 在线用户: every live session, and 强制下线.
        "accounts.view_usersession",
        "accounts.end_usersession",
        # The yearly 节假日安排 (working days are computed from it).
        "core.view_holidayarrangement",
        "core.add_holidayarrangement",
        "core.change_holidayarrangement",
        # 系统参数: deadlines, reminders, upload limits, the times of the periodic tasks.
        "core.change_parametervalue",
    ],
    Role.AUDITOR: ["core.view_auditevent", "auditlog.view_logentry", "core.view_reportjob"],
    # The unit's administrator sees the records of every 项目负责人 of the unit; a 项目负责人 only their own
    # (models naming an `owner_field`, kejiju.core.scoping).
    Role.UNIT_ADMIN: ["accounts.see_whole_unit"],
}


def declared_role_permissions() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {role.value: set() for role in Role}
    for role, perms in CORE_ROLE_PERMISSIONS.items():
        declared[role].update(perms)
    for config in apps.get_app_configs():
        for role, perms in getattr(config, "role_permissions", {}).items():
            declared[str(role)].update(perms)
    return declared


def group_name(role: str) -> str:
    return Role(role).label


def sync_role_groups(*, strict: bool = False) -> None:
    from django.contrib.auth.models import Group, Permission

    # One query for every permission: this runs after each app's migrations (and after every flush of a
    # transactional test), so a query per declared permission cost a second each time.
    existing = {
        (perm.content_type.app_label, perm.codename): perm
        for perm in Permission.objects.select_related("content_type")
    }
    for role, perm_names in declared_role_permissions().items():
        group, _ = Group.objects.get_or_create(name=group_name(role))
        wanted = []
        for name in sorted(perm_names):
            app_label, codename = name.split(".", 1)
            perm = existing.get((app_label, codename))
            if perm is None:
                if strict:
                    raise LookupError(f"role {role} names a permission that does not exist: {name}")
                continue
            wanted.append(perm)
        group.permissions.set(wanted)
