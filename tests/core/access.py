from kejiju.core.models import ReportJob
from tests.access import ALL_ROLES, Route

EVERYONE = frozenset(ALL_ROLES)
# Audit-log exports run as report jobs; the auditor may see and download them.
AUDITOR = frozenset({"auditor"})


def _job(world):
    return {"pk": world.once("job", lambda: _make_job(world)).pk}


def _make_job(world):
    from django.core.files.base import ContentFile

    job = ReportJob(kind="audit_events_export", requested_by=world.users["auditor"], state="succeeded")
    from tests.factories import small_xlsx

    job.file.save("events.xlsx", ContentFile(small_xlsx()), save=False)
    job.save()
    return job


# Business roles may open report jobs, but not one of a kind they may not request: 404.
NOT_THEIRS = {"bureau": 404, "leader": 404, "county": 404}

ROUTES = [
    Route("core:home", EVERYONE),
    # The captcha picture of a page that faces the internet (the unit registration): served to anyone.
    Route("core:captcha", EVERYONE, kwargs=lambda world: {"scope": "units.register"}, public=True, ok=(200,)),
    Route("core:reportjob_detail", AUDITOR, kwargs=_job, ok=(200,), denied=NOT_THEIRS),
    Route("core:reportjob_download", AUDITOR, kwargs=_job, ok=(200,), denied=NOT_THEIRS),
    # The on-screen watermark of pages showing personal data: the viewer's own name, for every account.
    Route("core:watermark", EVERYONE, ok=(200,)),
]


def _org(world):
    from kejiju.core.models import Organization

    org = world.once(
        "organization", lambda: Organization.objects.create(name="忻府区测试企业", region=world.county_a)
    )
    return {"pk": org.pk}


ORG_READ = frozenset({"bureau", "leader", "county"})
ORG_EDIT = frozenset({"bureau", "county"})

ROUTES += [
    Route("core:organization_list", ORG_READ),
    Route("core:organization_export", ORG_READ),
    Route("core:organization_add", ORG_EDIT),
    Route("core:organization_detail", ORG_READ, kwargs=_org, scoped=True, ok=(200,)),
    Route("core:organization_edit", ORG_EDIT, kwargs=_org, scoped=True, ok=(200,)),
    Route("core:organization_delete", frozenset({"bureau"}), kwargs=_org, scoped=True, ok=(200,)),
]


def _holidays(world):
    from kejiju.core.models import HolidayArrangement

    return {"pk": HolidayArrangement.objects.get(year=2026).pk}


def _new_year(world):
    """A valid arrangement of a year not seeded (the form sweeps start from it)."""
    return {
        "year": 2031,
        "notice_title": "国务院办公厅关于2031年部分节假日安排的通知",
        "document_number": "国办发明电〔2030〕9号",
        "published_on": "2030-11-10",
        "holidays": "元旦 2031-01-01 至 2031-01-01",
        "makeup_workdays": "",
    }


# The yearly 节假日安排: a setting of the system admin (bureau staff are warned on their home page only).
SYSADMIN = frozenset({"sysadmin"})

ROUTES += [
    Route("core:holidayarrangement_list", SYSADMIN),
    Route("core:holidayarrangement_add", SYSADMIN, data=_new_year),
    Route("core:holidayarrangement_detail", SYSADMIN, kwargs=_holidays, ok=(200,)),
    Route("core:holidayarrangement_edit", SYSADMIN, kwargs=_holidays, ok=(200,)),
]


def _parameters_unchanged(world):
    """The values in force (saving them changes nothing)."""
    from kejiju.core.selectors import parameter_rows

    return {row["parameter"].name: row["parameter"].form_text(row["value"]) for row in parameter_rows()}


# 系统参数: a setting of the system admin.
ROUTES += [
    Route("core:parameter_list", SYSADMIN, methods=("GET", "POST"), data=_parameters_unchanged),
    Route(
        "core:parameter_reset",
        SYSADMIN,
        methods=("GET", "POST"),
        data=lambda world: {"name": "filing_deadline_days"},
    ),
]
