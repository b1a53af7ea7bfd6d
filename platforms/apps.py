from django.apps import AppConfig

from kejiju.accounts.roles import Role

_VIEW = [
    "platforms.view_platform",
    "platforms.view_recognitionbatch",
    "platforms.view_platformapplication",
    "platforms.view_platformevaluation",
    "platforms.view_outreachevent",
    "platforms.view_outreachphoto",
]
# Popularisation events: bureau staff record every county's, a county office its own (the service and the
# scoped queryset keep it to its county).
_OUTREACH_ENTRY = [
    "platforms.add_outreachevent",
    "platforms.change_outreachevent",
    "platforms.delete_outreachevent",
    "platforms.add_outreachphoto",
    "platforms.delete_outreachphoto",
]


class PlatformsConfig(AppConfig):
    name = "platforms"
    verbose_name = "创新平台"

    role_permissions = {
        Role.BUREAU: [
            *_VIEW,
            "platforms.add_platform",
            "platforms.change_platform",
            "platforms.transition_platform",
            "platforms.view_platformtype",
            "platforms.add_platformtype",
            "platforms.change_platformtype",
            "platforms.add_recognitionbatch",
            "platforms.change_recognitionbatch",
            "platforms.advance_recognitionbatch",
            "platforms.add_platformapplication",
            "platforms.change_platformapplication",
            "platforms.delete_platformapplication",
            "platforms.review_platformapplication",
            "platforms.add_platformevaluation",
            "platforms.change_platformevaluation",
            "platforms.view_evaluationpolicy",
            "platforms.change_evaluationpolicy",
            *_OUTREACH_ENTRY,
        ],
        Role.LEADER: [*_VIEW, "platforms.view_platformtype", "platforms.view_evaluationpolicy"],
        # A county sees its own county's platforms and evaluations, and enters (edits, withdraws) its own
        # county's applications while a batch takes applications.
        Role.COUNTY: [
            *_VIEW,
            "platforms.add_platformapplication",
            "platforms.change_platformapplication",
            "platforms.delete_platformapplication",
            *_OUTREACH_ENTRY,
        ],
        # A unit reads the platforms it hosts; its administrator files (edits, withdraws) the unit's own
        # recognition applications while a batch takes them and they await 形式审查 (the service keeps it
        # to its unit, its region and the platforms it hosts: platforms.services.application_edit_refusal).
        Role.UNIT_ADMIN: [
            "platforms.view_platform",
            "platforms.view_recognitionbatch",
            "platforms.view_platformapplication",
            "platforms.add_platformapplication",
            "platforms.change_platformapplication",
            "platforms.delete_platformapplication",
        ],
        Role.APPLICANT: ["platforms.view_platform"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider

        from . import (
            scope,  # noqa: F401 - the models every view-permission holder may see
            workflow,  # noqa: F401 - registers the platform workflow
        )
        from .models import (
            EvaluationPolicy,
            OutreachEvent,
            OutreachPhoto,
            Platform,
            PlatformApplication,
            PlatformEvaluation,
            PlatformType,
            RecognitionBatch,
        )
        from .todos import platform_todos

        for model in (
            Platform,
            PlatformType,
            RecognitionBatch,
            PlatformApplication,
            PlatformEvaluation,
            EvaluationPolicy,
            OutreachEvent,
        ):
            auditlog.register(model)
        auditlog.register(OutreachPhoto, exclude_fields=["file"])
        register_menu(
            MenuSection(
                label="创新平台",
                order=30,
                items=(
                    MenuItem("平台库", "platforms:platform_list", "platforms.view_platform"),
                    MenuItem(
                        "认定批次", "platforms:recognitionbatch_list", "platforms.view_recognitionbatch"
                    ),
                    MenuItem(
                        "绩效评价", "platforms:platformevaluation_list", "platforms.view_platformevaluation"
                    ),
                    MenuItem("平台统计", "platforms:platform_stats", "platforms.view_platform"),
                    MenuItem("科普活动", "platforms:outreachevent_list", "platforms.view_outreachevent"),
                    MenuItem("平台类型", "platforms:platformtype_list", "platforms.view_platformtype"),
                ),
            )
        )
        register_todo_provider(platform_todos)

    def seed_scale(self, *, scale, rng, stdout) -> None:
        from .scale import seed_scale

        seed_scale(scale=scale, rng=rng, stdout=stdout)

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_platforms

        seed_demo_platforms(stdout=stdout)
