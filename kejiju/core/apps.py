from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kejiju.core"
    label = "core"
    verbose_name = "公共"

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from . import (  # noqa: F401 (checks, clientip: system checks)
            checks,
            clientip,
            scope,
            signals,
        )
        from .guards import freeze_shared_defaults
        from .jobs import register_job_runner
        from .models import HolidayArrangement, Organization
        from .registry import MenuItem, MenuSection, register_menu
        from .tasks import run_report_job

        freeze_shared_defaults()
        register_job_runner(run_report_job)
        auditlog.register(Organization)
        auditlog.register(HolidayArrangement)
        register_menu(
            MenuSection(
                label="基础数据",
                order=80,
                items=(MenuItem("单位库", "core:organization_list", "core.view_organization"),),
            )
        )
