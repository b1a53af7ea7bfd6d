from django.apps import AppConfig

from kejiju.accounts.roles import Role

_READ = ["applications.view_callguide", "applications.view_application"]


def _application_todos(user):
    """What waits on the user in online 申报: drafts to submit, applications to approve or recommend."""
    from django.urls import reverse

    from kejiju.core.registry import TodoItem

    from .selectors import waiting_counts

    if not user.is_authenticated or not user.has_perm("applications.view_application"):
        return []
    url = reverse("applications:application_list")
    titles = {
        "returned": ("被退回待修改的申报书", "danger"),
        "submitted": ("待单位审核的申报书", "warning"),
        "unit_approved": ("待推荐的申报书", "warning"),
    }
    return [
        TodoItem(title=titles[state][0], url=f"{url}?state={state}", count=count, level=titles[state][1])
        for state, count in waiting_counts(user=user).items()
        if count
    ]


class ApplicationsConfig(AppConfig):
    name = "kejiju.applications"
    label = "applications"
    verbose_name = "网上申报"

    role_permissions = {
        Role.BUREAU: [
            *_READ,
            "applications.change_callguide",
            "applications.add_callguide",
            "applications.recommend_application",
            "applications.view_team_pii",
        ],
        Role.LEADER: _READ,
        Role.COUNTY: [*_READ, "applications.recommend_application"],
        Role.UNIT_ADMIN: [*_READ, "applications.review_application"],
        Role.APPLICANT: [
            *_READ,
            "applications.add_application",
            "applications.change_application",
            "applications.delete_application",
            "applications.submit_application",
        ],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider

        from . import models, scope, workflow  # noqa: F401 (registers the scope and the workflow)

        for model in (models.CallGuide, models.CallQuota, models.ApplicationBudgetLine):
            auditlog.register(model, exclude_fields=["updated_at", "created_at"])
        # Personal data never enters the change history in clear: only the masked copy is kept there.
        auditlog.register(
            models.Application,
            exclude_fields=[
                "updated_at",
                "created_at",
                "leader_id_number_cipher",
                "leader_id_number_digest",
                "pii_row",
            ],
        )
        auditlog.register(
            models.TeamMember, exclude_fields=["id_number_cipher", "id_number_digest", "pii_row"]
        )
        for model in (models.GuideAttachment, models.ApplicationAttachment):
            auditlog.register(model, exclude_fields=["file"])
        register_todo_provider(_application_todos)
        register_menu(
            MenuSection(
                label="网上申报",
                order=35,
                items=(
                    MenuItem("申报指南", "applications:callguide_list", "applications.view_callguide"),
                    MenuItem("申报书", "applications:application_list", "applications.view_application"),
                ),
            )
        )
        # A unit account's own section for applying (it sees no staff section).
        register_menu(
            MenuSection(
                label="项目申报",
                order=60,
                audience="unit",
                items=(
                    MenuItem("申报指南", "applications:callguide_list", "applications.view_callguide"),
                    MenuItem("申报书", "applications:application_list", "applications.view_application"),
                ),
            )
        )

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_demo_applications

        seed_demo_applications(stdout=stdout)
