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
        from .models import HolidayArrangement, Organization
        from .registry import MenuItem, MenuSection, register_menu

        freeze_shared_defaults()
        auditlog.register(Organization)
        auditlog.register(HolidayArrangement)
        register_menu(
            MenuSection(
                label="基础数据",
                order=80,
                items=(MenuItem("单位库", "core:organization_list", "core.view_organization"),),
            )
        )
