from django.apps import AppConfig

from kejiju.accounts.roles import Role

_MODELS = (
    "programme",
    "call",
    "lumpsumpilot",
    "project",
    "budgetline",
    "disbursement",
    "annualreport",
    "midtermcheck",
    "changerequest",
    "attachment",
    "cooperationproject",
    # the 职务科技成果赋权 pilot (bureau staff record it; leadership reads it)
    "ownershippilot",
    "achievement",
    "ownershipgrant",
    "achievementtransfer",
)
_UNIT_FILING = [
    "projects.view_project",
    "projects.view_attachment",
    "projects.add_attachment",
    "projects.add_annualreport",
    "projects.add_changerequest",
    "projects.file_project_reports",
]


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "科技计划项目"

    # Bureau staff run every step; leadership reads everything; a county office reads its county's
    # projects, enters applications for its county (in the call's entry period), uploads their 申报书 and
    # withdraws them before 受理 (projects.workflow declares which permission each step asks; the scope
    # limits a county office to its own county's records).
    role_permissions = {
        Role.BUREAU: [
            *(f"projects.view_{model}" for model in _MODELS),
            *(f"projects.add_{model}" for model in _MODELS),
            *(f"projects.change_{model}" for model in _MODELS),
            "projects.delete_attachment",
            "projects.manage_project",
            "projects.withdraw_project",
            "projects.enter_late_application",
            "projects.override_applicant_rules",
            "projects.decide_changerequest",
        ],
        Role.LEADER: [f"projects.view_{model}" for model in _MODELS],
        Role.COUNTY: [
            "projects.view_project",
            "projects.add_project",
            "projects.change_project",
            "projects.withdraw_project",
            "projects.view_attachment",
            "projects.add_attachment",
            "projects.view_cooperationproject",
        ],
        # A unit reads its own projects and downloads their attachments, and files what a running project
        # owes: 年度报告, 中期 and 变更 material, 变更申请, 验收申请 (projects.services.require_project_filer:
        # the administrator for every project of the unit, a 项目负责人 for the one of their application).
        Role.UNIT_ADMIN: _UNIT_FILING,
        Role.APPLICANT: _UNIT_FILING,
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider

        from . import (
            models,
            scope,  # noqa: F401 - the models every view-permission holder may see
            workflow,  # noqa: F401 - registers the project and change-request workflows
        )
        from .todos import project_todos

        # Own columns only (no reverse relations), no timestamps; mobile numbers masked in the history.
        masked = {models.Project: ["pi_mobile"], models.ChangeRequest: ["new_pi_mobile"]}
        for model in (
            models.Programme,
            models.Call,
            models.LumpSumPilot,
            models.Project,
            models.BudgetLine,
            models.Disbursement,
            models.AnnualReport,
            models.MidtermCheck,
            models.ChangeRequest,
            models.Attachment,
            models.CooperationProject,
            models.OwnershipPilot,
            models.Achievement,
            models.OwnershipGrant,
            models.AchievementTransfer,
        ):
            fields = [
                field.name
                for field in model._meta.concrete_fields
                if field.name
                not in {
                    "updated_at",
                    "created_at",
                    "file",
                    "pi_id_number_cipher",
                    "pi_id_number_digest",
                    "pii_row",
                }
            ]
            auditlog.register(model, include_fields=fields, mask_fields=masked.get(model))
        register_menu(
            MenuSection(
                label="科技计划项目",
                order=40,
                items=(
                    MenuItem("项目列表", "projects:project_list", "projects.view_project"),
                    MenuItem("超期提醒", "projects:overdue", "projects.view_project"),
                    MenuItem("项目与经费统计", "projects:figures", "projects.view_project"),
                    MenuItem(
                        "省校合作项目", "projects:cooperationproject_list", "projects.view_cooperationproject"
                    ),
                    MenuItem("计划类别", "projects:programme_list", "projects.view_programme"),
                    MenuItem("申报批次", "projects:call_list", "projects.view_call"),
                    MenuItem("包干制试点单位", "projects:lumpsumpilot_list", "projects.view_lumpsumpilot"),
                    MenuItem("赋权试点单位", "projects:ownershippilot_list", "projects.view_ownershippilot"),
                    MenuItem("职务科技成果", "projects:achievement_list", "projects.view_achievement"),
                    MenuItem(
                        "成果转化", "projects:achievementtransfer_list", "projects.view_achievementtransfer"
                    ),
                    MenuItem("赋权改革统计", "projects:ownership_figures", "projects.view_ownershippilot"),
                ),
            )
        )
        register_todo_provider(project_todos)

    def seed_scale(self, *, scale, rng, stdout) -> None:
        from .scale import seed_scale

        seed_scale(scale=scale, rng=rng, stdout=stdout)

    def seed_demo(self, *, stdout) -> None:
        from experts.demo import seed_demo_reviewer

        from .demo import seed_demo_projects

        seed_demo_projects(stdout=stdout)
        seed_demo_reviewer(stdout=stdout)  # the demo expert, invited to a panel of a project under review
