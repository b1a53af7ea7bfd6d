from django.apps import AppConfig
from django.db.models.signals import post_migrate

from kejiju.accounts.roles import Role

# The annual review has no model of its own (its editions are core ReportJobs): its permission hangs on
# the reporting app's MonthlyReport content type and is created after migrate.
ANNUAL_REVIEW_PERMISSION = ("view_annualreview", "查看年度统计与工作综述")
ANNUAL_REVIEW_PERM = "reporting.view_annualreview"


def _ensure_annual_review_permission(sender, using="default", **kwargs):
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType
    from django.db.utils import DatabaseError

    try:
        content_type = ContentType.objects.db_manager(using).get_or_create(
            app_label="reporting", model="monthlyreport"
        )[0]
        codename, name = ANNUAL_REVIEW_PERMISSION
        Permission.objects.db_manager(using).get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
    except DatabaseError:  # tables not there yet (a partial migrate)
        pass


def _notify_transition(sender, *, record, event, workflow, **kwargs) -> None:
    from .services import notify_transition

    notify_transition(record=record, event=event, workflow=workflow)


class ReportingConfig(AppConfig):
    name = "kejiju.reporting"
    label = "reporting"
    verbose_name = "县区报送与统计"

    role_permissions = {
        Role.BUREAU: [
            "reporting.view_countytask",
            "reporting.add_countytask",
            "reporting.change_countytask",
            "reporting.delete_countytask",
            "reporting.approve_countytask",
            "reporting.change_approved_countytask",
            "reporting.view_monthlyfiling",
            "reporting.review_monthlyfiling",
            "reporting.view_filingexception",
            "reporting.add_filingexception",
            "reporting.view_monthlyreport",
            "reporting.add_monthlyreport",
            "reporting.view_notice",
            "reporting.view_annualreview",
            "reporting.view_researchertarget",
            "reporting.add_researchertarget",
            "reporting.change_researchertarget",
        ],
        Role.LEADER: [
            "reporting.view_countytask",
            "reporting.view_monthlyfiling",
            "reporting.view_monthlyreport",
            "reporting.view_notice",
            "reporting.view_annualreview",
            "reporting.view_researchertarget",
        ],
        Role.COUNTY: [
            "reporting.view_countytask",
            "reporting.add_countytask",
            "reporting.change_countytask",
            "reporting.delete_countytask",
            "reporting.view_monthlyfiling",
            "reporting.add_monthlyfiling",
            "reporting.change_monthlyfiling",
            "reporting.submit_monthlyfiling",
            "reporting.view_notice",
            "reporting.view_researchertarget",
        ],
        # A unit hears of the decisions about its records (notify_transition).
        Role.UNIT_ADMIN: ["reporting.view_notice"],
        Role.APPLICANT: ["reporting.view_notice"],
        Role.EXPERT: ["reporting.view_notice"],
    }

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from kejiju.core.jobs import register_job_kind
        from kejiju.core.registry import MenuItem, MenuSection, register_menu, register_todo_provider

        from . import models, workflow  # noqa: F401 (registers the workflows)
        from .annual_pdf import JOB_KIND as ANNUAL_REVIEW_JOB
        from .jobs import JOB_KINDS
        from .todos import annual_review_todos, reporting_todos

        for kind in JOB_KINDS:
            register_job_kind(kind)
        register_job_kind(ANNUAL_REVIEW_JOB)
        # Before accounts' role sync runs for the next app, so the groups get the permission.
        post_migrate.connect(
            _ensure_annual_review_permission, dispatch_uid="kejiju.reporting.annual_review_permission"
        )
        for model in (
            models.CountyTask,
            models.MonthlyFiling,
            models.TaskProgress,
            models.FigureEntry,
            models.FilingAttachment,
            models.FilingException,
            models.MonthlyReport,
            models.ResearcherTarget,
        ):
            auditlog.register(model)
        from kejiju.core.history import register_value_labels

        from .figures import monthly_figures

        register_value_labels(
            "reporting.FigureEntry", "key", lambda: {figure.key: figure.label for figure in monthly_figures()}
        )
        register_menu(
            MenuSection(
                label="县区报送",
                order=60,
                items=(
                    MenuItem("本月动态", "reporting:filing_current", "reporting.add_monthlyfiling"),
                    MenuItem("报送看板", "reporting:board", "reporting.view_monthlyreport"),
                    MenuItem("月度工作动态", "reporting:monthlyfiling_list", "reporting.view_monthlyfiling"),
                    MenuItem("年度任务清单", "reporting:countytask_list", "reporting.view_countytask"),
                    MenuItem("月度进展报告", "reporting:monthlyreport_list", "reporting.view_monthlyreport"),
                    MenuItem(
                        "科研人员倍增计划",
                        "reporting:researchertarget_list",
                        "reporting.view_researchertarget",
                    ),
                    MenuItem("我的通知", "reporting:notice_list", "reporting.view_notice"),
                ),
            )
        )
        # Every workflow decision about a county's record is told to the county (on commit).
        from kejiju.core.workflow.services import transition_applied

        transition_applied.connect(_notify_transition, dispatch_uid="kejiju.reporting.notify_transition")
        register_todo_provider(reporting_todos)
        register_todo_provider(annual_review_todos)
        register_menu(
            MenuSection(
                label="领导看板",
                order=5,
                items=(
                    MenuItem("年度统计看板", "reporting:annual_dashboard", ANNUAL_REVIEW_PERM),
                    MenuItem("年度工作综述版本", "reporting:annual_edition_list", ANNUAL_REVIEW_PERM),
                ),
            )
        )
        self._register_figure_providers()

    @staticmethod
    def _register_figure_providers() -> None:
        """Monthly figures the records already know; the county form prefills them (reporting reads the
        domain apps, never the other way round)."""
        from enterprises.selectors import pool_entered_in_month, smes_entered_in_month
        from platforms.selectors import platforms_recognised_in_month
        from projects.selectors import projects_approved_in_month

        from .figures import register_monthly_figure

        register_monthly_figure("smes_new", "科技型中小企业新入库（家）", smes_entered_in_month)
        register_monthly_figure("pool_new", "高企培育库新入库（家）", pool_entered_in_month)
        register_monthly_figure("platforms_new", "新认定创新平台（家）", platforms_recognised_in_month)
        register_monthly_figure("projects_new", "新立项科技计划项目（项）", projects_approved_in_month)

    def seed_scale(self, *, scale, rng, stdout) -> None:
        from .scale import seed_scale

        seed_scale(scale=scale, rng=rng, stdout=stdout)

    def seed_demo(self, *, stdout) -> None:
        from .demo import seed_reporting_demo

        seed_reporting_demo(stdout=stdout)
