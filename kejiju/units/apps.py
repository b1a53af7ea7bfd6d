from django.apps import AppConfig

from kejiju.accounts.roles import Role

_VERIFY = ["units.view_unitregistration", "units.verify_unitregistration"]


def _registration_todos(user):
    from django.urls import reverse

    from kejiju.core.registry import TodoItem

    from .selectors import registrations_waiting

    if not user.is_authenticated or not user.has_perm("units.verify_unitregistration"):
        return []
    waiting = registrations_waiting(user=user)
    if not waiting:
        return []
    url = reverse("units:unitregistration_list") + "?state=submitted"
    return [TodoItem(title="待审核的单位注册", url=url, count=waiting, level="warning")]


class UnitsConfig(AppConfig):
    name = "kejiju.units"
    label = "units"
    verbose_name = "申报单位"

    role_permissions = {
        # The county office verifies its county's units; the bureau those without a county (and sees all).
        Role.BUREAU: _VERIFY,
        Role.COUNTY: _VERIFY,
        Role.LEADER: ["units.view_unitregistration"],
        Role.UNIT_ADMIN: ["units.view_unitregistration", "units.manage_unit_accounts"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider

        from . import models, workflow  # noqa: F401 (registers the workflow)

        auditlog.register(models.UnitRegistration, exclude_fields=["admin_password"])
        register_todo_provider(_registration_todos)
        # The county office verifies registrations beside the 单位库 it keeps (a section of its own would
        # widen the county's navigation past a small laptop's screen).
        register_menu(
            MenuSection(
                label="基础数据",
                order=80,
                items=(
                    MenuItem("单位注册审核", "units:unitregistration_list", "units.verify_unitregistration"),
                ),
            )
        )
        # A unit account's whole navigation: its own records (each list scoped to the unit by visible_to)
        # and its accounts. Staff never see this section, a unit account no other.
        register_menu(
            MenuSection(
                label="本单位",
                order=70,
                audience="unit",
                items=(
                    MenuItem("企业信息", "enterprises:enterprise_list", "enterprises.view_enterprise"),
                    MenuItem("科技项目", "projects:project_list", "projects.view_project"),
                    MenuItem("创新平台", "platforms:platform_list", "platforms.view_platform"),
                    MenuItem(
                        "平台认定申报", "platforms:recognitionbatch_list", "platforms.view_recognitionbatch"
                    ),
                    MenuItem("本单位账户", "units:account_list", "units.manage_unit_accounts"),
                ),
            )
        )

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_units

        seed_demo_units(stdout=stdout)
