from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_roles(sender, **kwargs):
    from .roles import sync_role_groups

    sync_role_groups()


class AccountsConfig(AppConfig):
    name = "kejiju.accounts"
    label = "accounts"
    verbose_name = "账户与区划"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.jobs import register_job_kind
        from kejiju.core.registry import MenuItem, MenuSection, register_menu

        from . import (
            scope,  # noqa: F401 - the models every view-permission holder may see
            signals,  # noqa: F401 - one role per account
            throttles,  # noqa: F401 - failed logins counted per address
        )
        from .jobs import JOB_KINDS
        from .models import Region, User

        for kind in JOB_KINDS:
            register_job_kind(kind)

        auditlog.register(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
        auditlog.register(Region)

        # Runs after each app's migrations; the last run sees every permission.
        post_migrate.connect(_sync_roles, dispatch_uid="kejiju.accounts.sync_roles")
        register_menu(
            MenuSection(
                label="系统管理",
                order=90,
                items=(
                    MenuItem("用户管理", "accounts:user_list", "accounts.view_user"),
                    MenuItem("在线用户", "accounts:usersession_list", "accounts.view_usersession"),
                    MenuItem("行政区划", "accounts:region_list", "accounts.view_region"),
                    MenuItem("节假日安排", "core:holidayarrangement_list", "core.view_holidayarrangement"),
                    MenuItem("系统参数", "core:parameter_list", "core.change_parametervalue"),
                    MenuItem("数据变更日志", "accounts:changelog_list", "auditlog.view_logentry"),
                    MenuItem("安全事件日志", "accounts:event_list", "core.view_auditevent"),
                ),
            )
        )

    def seed_scale(self, *, scale, rng, stdout) -> None:
        from .scale import seed_scale

        seed_scale(scale=scale, rng=rng, stdout=stdout)

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_accounts

        seed_demo_accounts(stdout=stdout)
