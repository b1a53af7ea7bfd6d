"""Role × view matrix of county reporting (objects belong to county A)."""

from kejiju.reporting.models import MonthlyFiling
from tests.access import Route

READ = frozenset({"bureau", "leader", "county"})
STAFF = frozenset({"bureau", "leader"})
BUREAU = frozenset({"bureau"})
COUNTY = frozenset({"county"})
BUREAU_COUNTY = frozenset({"bureau", "county"})
NOTICE_READERS = READ | {"unit_admin", "applicant", "expert"}


def _task(world):
    from tests.reporting.factories import CountyTaskFactory

    return world.once("reporting_task", lambda: CountyTaskFactory(region=world.county_a, status="proposed"))


def _filing(world):
    from tests.reporting.factories import MonthlyFilingFactory

    return world.once(
        "reporting_filing",
        lambda: MonthlyFilingFactory(
            region=world.county_a, state=MonthlyFiling.State.SUBMITTED, year=2024, month=1
        ),
    )


def _attachment(world):
    from tests.reporting.factories import FilingAttachmentFactory

    return world.once("reporting_attachment", lambda: FilingAttachmentFactory(filing=_filing(world)))


def task_pk(world):
    return {"pk": _task(world).pk}


def filing_pk(world):
    return {"pk": _filing(world).pk}


def attachment_pk(world):
    return {"pk": _attachment(world).pk}


def month(world):
    return {"year": 2024, "month": 1}


def _edition(world):
    """A built annual review edition (a succeeded job with its PDF), requested by leadership."""
    from django.core.files.base import ContentFile

    from kejiju.core.models import ReportJob
    from kejiju.reporting.annual_pdf import KIND
    from tests.factories import blank_pdf

    def build():
        job = ReportJob.objects.create(
            kind=KIND,
            parameters={"year": 2023, "region": None},
            state=ReportJob.State.SUCCEEDED,
            requested_by=world.users["leader"],
        )
        job.file.save("年度工作综述-2023.pdf", ContentFile(blank_pdf()))
        return job

    return world.once("reporting_annual_edition", build)


def edition_pk(world):
    return {"pk": _edition(world).pk}


def reopen(world):
    return {"region": world.county_a.pk, "year": 2024, "month": 1}


def researcher_target_pk(world):
    from kejiju.reporting.models import ResearcherTarget

    return {
        "pk": world.once(
            "researcher_target",
            lambda: ResearcherTarget.objects.create(region=world.county_a, year=2023, target=100),
        ).pk
    }


ROUTES = [
    Route("reporting:countytask_list", READ),
    Route("reporting:countytask_add", BUREAU_COUNTY),
    Route("reporting:countytask_export", READ),
    Route("reporting:countytask_detail", READ, kwargs=task_pk, scoped=True),
    Route("reporting:countytask_edit", BUREAU_COUNTY, kwargs=task_pk, scoped=True),
    Route("reporting:countytask_delete", BUREAU_COUNTY, kwargs=task_pk, scoped=True),
    Route("reporting:countytask_approve", BUREAU, kwargs=task_pk, methods=("POST",)),
    Route(
        "reporting:countytask_transition",
        BUREAU,
        kwargs=task_pk,
        methods=("POST",),
        data=lambda world: {"action": "approve"},
    ),
    Route("reporting:monthlyfiling_list", READ),
    Route("reporting:monthlyfiling_export", READ),
    Route("reporting:filing_current", COUNTY),
    Route("reporting:filing_form", COUNTY, kwargs=month),
    Route("reporting:monthlyfiling_detail", READ, kwargs=filing_pk, scoped=True),
    Route("reporting:monthlyfiling_submit", COUNTY, kwargs=filing_pk, methods=("POST",), scoped=True),
    Route("reporting:monthlyfiling_confirm", BUREAU, kwargs=filing_pk, methods=("POST",)),
    Route("reporting:monthlyfiling_return", BUREAU, kwargs=filing_pk, methods=("GET", "POST")),
    Route(
        "reporting:monthlyfiling_transition",
        BUREAU_COUNTY,
        kwargs=filing_pk,
        methods=("POST",),
        data=lambda world: {"action": "return", "comment": "请补充材料"},
        scoped=True,
    ),
    Route("reporting:attachment_download", READ, kwargs=attachment_pk, scoped=True, ok=(200,)),
    Route("reporting:attachment_delete", COUNTY, kwargs=attachment_pk, methods=("POST",), scoped=True),
    Route("reporting:board", STAFF, ok=(200,)),
    Route("reporting:reopen", BUREAU, kwargs=reopen, methods=("GET", "POST")),
    Route("reporting:monthlyreport_list", STAFF, ok=(200,)),
    Route("reporting:monthlyreport_build", BUREAU, methods=("POST",)),
    Route("reporting:monthlyreport_detail", STAFF, kwargs=month, ok=(200,)),
    Route("reporting:notice_list", NOTICE_READERS, ok=(200,)),
    # Opening a notice: only one's own (a notice of someone else's is 404, for every role but its owner).
    Route(
        "reporting:notice_open",
        frozenset({"county"}),
        kwargs=lambda world: {"pk": _notice(world).pk},
        ok=(302,),
        scoped=True,
        denied={"bureau": 404, "leader": 404, "unit_admin": 404, "applicant": 404, "expert": 404},
    ),
    Route("reporting:notice_read_all", NOTICE_READERS, methods=("POST",)),
    # The annual dashboard and review: leadership and bureau staff; county offices get none (403).
    Route("reporting:annual_dashboard", STAFF, ok=(200,)),
    Route("reporting:annual_build", STAFF, methods=("POST",), data=lambda world: {"year": 2023}),
    Route("reporting:researchertarget_list", READ),
    Route("reporting:researchertarget_export", READ),
    Route("reporting:researchertarget_add", BUREAU),
    Route("reporting:researchertarget_edit", BUREAU, kwargs=researcher_target_pk),
    Route("reporting:annual_edition_list", STAFF, ok=(200,)),
    Route("reporting:annual_edition_detail", STAFF, kwargs=edition_pk, ok=(200,)),
    Route("reporting:annual_edition_download", STAFF, kwargs=edition_pk, ok=(200,)),
]


def _notice(world):
    from kejiju.reporting.models import Notice

    return world.once(
        "notice", lambda: Notice.objects.create(recipient=world.users["county"], title="测试通知", url="/")
    )
