from django.apps import AppConfig

from kejiju.accounts.roles import Role

_MODELS = (
    "enterprise",
    "enterpriseyear",
    "smesevaluation",
    "poolentry",
    "gaoqicertificate",
    "doublingtarget",
    "rewardtier",
    "reward",
)


def _perms(*actions_models: tuple[str, str]) -> list[str]:
    return [f"enterprises.{action}_{model}" for action, model in actions_models]


class EnterprisesConfig(AppConfig):
    name = "enterprises"
    verbose_name = "企业"

    role_permissions = {
        Role.BUREAU: [
            *(f"enterprises.{action}_{model}" for model in _MODELS for action in ("view", "add", "change")),
            "enterprises.delete_enterprise",
            "enterprises.delete_gaoqicertificate",
            "enterprises.delete_doublingtarget",
            "enterprises.delete_rewardtier",
            "enterprises.override_uscc",
            "enterprises.import_enterprise",
            "enterprises.review_smesevaluation",
            "enterprises.admit_smesevaluation",
            "enterprises.recommend_poolentry",
            "enterprises.admit_poolentry",
        ],
        Role.LEADER: [f"enterprises.view_{model}" for model in _MODELS],
        Role.COUNTY: [
            *_perms(
                ("view", "enterprise"),
                ("add", "enterprise"),
                ("change", "enterprise"),
                ("view", "enterpriseyear"),
                ("add", "enterpriseyear"),
                ("change", "enterpriseyear"),
                ("view", "smesevaluation"),
                ("add", "smesevaluation"),
                ("view", "poolentry"),
                ("view", "gaoqicertificate"),
                ("view", "doublingtarget"),
                ("view", "reward"),
            ),
            "enterprises.review_smesevaluation",
            "enterprises.recommend_poolentry",
        ],
        # A unit's administrator reads its own enterprise record, keeps its 信息表 (yearly figures), files
        # its 科小 evaluation and its 培育库 application and follows them (the county's and the bureau's
        # steps as for any other); certificates and rewards show on the enterprise page only.
        Role.UNIT_ADMIN: [
            *_perms(
                ("view", "enterprise"),
                ("view", "enterpriseyear"),
                ("add", "enterpriseyear"),
                ("change", "enterpriseyear"),
                ("view", "smesevaluation"),
                ("add", "smesevaluation"),
                ("view", "poolentry"),
            ),
            "enterprises.request_poolentry",
        ],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.jobs import register_job_kind
        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider
        from kejiju.core.spreadsheets import register_importer

        from . import (
            models,
            scope,  # noqa: F401 - the models every view-permission holder may see
            workflow,  # noqa: F401 - registers the workflows
        )
        from .importer import IMPORTER
        from .jobs import JOB_KINDS
        from .todos import enterprise_todos

        for model in (
            models.Enterprise,
            models.EnterpriseYear,
            models.SmesEvaluation,
            models.PoolEntry,
            models.GaoqiCertificate,
            models.DoublingTarget,
            models.RewardTier,
            models.Reward,
            models.InnovationAssessment,
        ):
            auditlog.register(model)
        register_menu(
            MenuSection(
                label="企业培育",
                order=20,
                items=(
                    MenuItem("企业名录", "enterprises:enterprise_list", "enterprises.view_enterprise"),
                    MenuItem(
                        "科技型中小企业评价",
                        "enterprises:smesevaluation_list",
                        "enterprises.view_smesevaluation",
                    ),
                    MenuItem("入库统计", "enterprises:smes_stats", "enterprises.view_smesevaluation"),
                    MenuItem("高企培育库", "enterprises:poolentry_list", "enterprises.view_poolentry"),
                    MenuItem(
                        "高企证书", "enterprises:gaoqicertificate_list", "enterprises.view_gaoqicertificate"
                    ),
                    MenuItem(
                        "即将到期证书",
                        "enterprises:certificate_expiring",
                        "enterprises.view_gaoqicertificate",
                    ),
                    MenuItem(
                        "高企倍增计划", "enterprises:doublingtarget_list", "enterprises.view_doublingtarget"
                    ),
                    MenuItem("高企奖励档次", "enterprises:rewardtier_list", "enterprises.view_rewardtier"),
                    MenuItem("高企奖励", "enterprises:reward_list", "enterprises.view_reward"),
                ),
            )
        )
        register_todo_provider(enterprise_todos)
        register_importer(IMPORTER)
        for kind in JOB_KINDS:
            register_job_kind(kind)

    def seed_scale(self, *, scale, rng, stdout) -> None:
        from .scale import seed_scale

        seed_scale(scale=scale, rng=rng, stdout=stdout)

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_enterprises

        seed_demo_enterprises(stdout=stdout)
