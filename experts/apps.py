from django.apps import AppConfig

from kejiju.accounts.roles import Role

_MODELS = (
    "expert",
    "expertfield",
    "compositionrule",
    "reviewpanel",
    "vicepresidentplacement",
    "commissionerteam",
    "commissioner",
)


def _perms(actions, models=_MODELS):
    return [f"experts.{action}_{model}" for model in models for action in actions]


class ExpertsConfig(AppConfig):
    name = "experts"
    verbose_name = "专家库"

    role_permissions = {
        # Bureau staff keep the library, run draws and reviews, and alone may see personal data in full.
        Role.BUREAU: [
            *_perms(("view", "add", "change", "delete")),
            "experts.view_reviewdraw",
            "experts.view_expert_pii",
            "experts.open_expert_account",
        ],
        # An expert with an account: the reviews assigned to them (experts.selectors.my_seats), nothing else.
        Role.EXPERT: ["experts.review_as_expert"],
        # Leadership reads everything except the unmasked personal data.
        Role.LEADER: [*_perms(("view",)), "experts.view_reviewdraw"],
        # County offices see the 科技副总 and 科技特派员 serving their own county.
        Role.COUNTY: ["experts.view_vicepresidentplacement", "experts.view_commissioner"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider
        from kejiju.core.spreadsheets import register_importer

        from . import (
            models,
            scope,  # noqa: F401 - the models every view-permission holder may see
            workflow,  # noqa: F401 - registers the review panel workflow
        )
        from .importing import IMPORTER
        from .scoresheet import IMPORTER as SCORE_SHEET_IMPORTER
        from .todos import expert_todos

        pii_fields = ["id_number_cipher", "id_number_digest", "mobile_cipher", "mobile_digest", "pii_row"]
        auditlog.register(models.Expert, exclude_fields=pii_fields, m2m_fields={"fields", "avoided_units"})
        auditlog.register(models.ExpertField)
        auditlog.register(models.CompositionRule)
        auditlog.register(models.ReviewPanel, m2m_fields={"fields", "excluded_experts"})
        auditlog.register(models.ReviewDraw)
        auditlog.register(models.ReviewMember)
        auditlog.register(models.ReviewScore)
        from kejiju.core.history import register_value_labels
        from projects.models import REVIEW_CRITERIA

        from .subjects import REVIEW_KINDS

        register_value_labels(
            "experts.ReviewScore", "criterion", lambda: {c["key"]: c["label"] for c in REVIEW_CRITERIA}
        )
        register_value_labels("experts.CompositionRule", "kind", lambda: REVIEW_KINDS)
        auditlog.register(models.VicePresidentPlacement)
        auditlog.register(models.CommissionerTeam, m2m_fields={"counties"})
        auditlog.register(models.Commissioner)

        register_menu(
            MenuSection(
                label="专家库",
                order=40,
                items=(
                    MenuItem("专家", "experts:expert_list", "experts.view_expert"),
                    MenuItem("评审组", "experts:reviewpanel_list", "experts.view_reviewpanel"),
                    MenuItem(
                        "科技副总",
                        "experts:vicepresidentplacement_list",
                        "experts.view_vicepresidentplacement",
                    ),
                    MenuItem("科技特派团", "experts:commissionerteam_list", "experts.view_commissionerteam"),
                    MenuItem("科技特派员", "experts:commissioner_list", "experts.view_commissioner"),
                    MenuItem("专业领域", "experts:expertfield_list", "experts.view_expertfield"),
                    MenuItem(
                        "评审组组成规则", "experts:compositionrule_list", "experts.view_compositionrule"
                    ),
                ),
            )
        )
        register_menu(
            MenuSection(
                label="我的评审",
                order=41,
                items=(MenuItem("评审邀请与任务", "experts:my_seats", "experts.review_as_expert"),),
            )
        )
        register_todo_provider(expert_todos)
        register_importer(IMPORTER)
        register_importer(SCORE_SHEET_IMPORTER)

        from .subjects import register_defaults

        register_defaults()

    def seed_scale(self, *, scale, rng, stdout) -> None:
        from .scale import seed_scale

        seed_scale(scale=scale, rng=rng, stdout=stdout)

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_experts

        seed_demo_experts(stdout=stdout)
