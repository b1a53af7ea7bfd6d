from django.apps import AppConfig

from kejiju.accounts.roles import Role

_READ = ["integrity.view_integrityrecord"]


class IntegrityConfig(AppConfig):
    name = "kejiju.integrity"
    label = "integrity"
    verbose_name = "科研诚信"

    # Unit accounts, the system admin and the auditor hold nothing here.
    role_permissions = {
        Role.BUREAU: [
            *_READ,
            "integrity.add_integrityrecord",
            "integrity.change_integrityrecord",
            "integrity.delete_integrityrecord",
            "integrity.view_integrity_pii",
            # 查重: the threshold and window, and the conclusion at 受理.
            "integrity.view_duplicatechecksetting",
            "integrity.change_duplicatechecksetting",
            "integrity.decide_duplicate",
        ],
        Role.LEADER: _READ,
        Role.COUNTY: _READ,
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog
        from django.db.backends.signals import connection_created

        from kejiju.core.registry import MenuItem, MenuSection, register_menu
        from kejiju.core.spreadsheets import register_importer

        from . import models, scope  # noqa: F401 (registers the scope)
        from .duplicates import register_sqlite_similarity
        from .importer import IMPORTER

        # Personal data never enters the change history in clear: only the masked copy is kept there.
        auditlog.register(
            models.IntegrityRecord,
            exclude_fields=[
                "id_number_cipher",
                "id_number_digest",
                "pii_row",
                "scan",
                "created_at",
                "updated_at",
            ],
        )
        auditlog.register(models.DuplicateCheckSetting, exclude_fields=["updated_at"])
        auditlog.register(models.DuplicateDecision)
        # pg_trgm's similarity() for the embedded SQLite database (the 查重 queries are the same on both).
        connection_created.connect(register_sqlite_similarity, dispatch_uid="integrity_sqlite_similarity")
        register_importer(IMPORTER)
        # Under 基础数据 (sections merge by label): a section of its own would widen every navigation bar.
        register_menu(
            MenuSection(
                label="基础数据",
                order=80,
                items=(
                    MenuItem(
                        "科研诚信失信记录", "integrity:integrityrecord_list", "integrity.view_integrityrecord"
                    ),
                    MenuItem(
                        "查重设置", "integrity:duplicate_setting", "integrity.change_duplicatechecksetting"
                    ),
                ),
            )
        )

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_records

        seed_demo_records(stdout=stdout)
