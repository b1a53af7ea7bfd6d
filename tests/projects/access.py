"""Role × view matrix of the projects app (objects belong to county A; the application is unit A's, whose
accounts read it)."""

from __future__ import annotations

import datetime as dt

from tests.access import BUSINESS_READ, STAFF_READ, Route

BUREAU = frozenset({"bureau"})
APPLICANTS = frozenset({"bureau", "county"})
# Both accounts of a unit read its projects (and download their attachments).
UNIT_READ = BUSINESS_READ | {"unit_admin", "applicant"}
# The unit's administrator files a running project's 年报 and 变更申请 (a 项目负责人 only for the project of
# their own online application, which the matrix's running project is not: they do not see it, 404).
UNIT_FILES = BUREAU | {"unit_admin"}
NOT_THEIRS = {"applicant": 404}


def _application(world):
    """A county-A application awaiting 受理, with a 申报书."""

    def build():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from projects import services
        from tests.applications.factories import make_application
        from tests.projects.factories import CallFactory, ProjectFactory

        call = CallFactory()
        project = ProjectFactory(call=call, region=world.county_a, applicant=world.unit_a)
        # Recommended from the 项目负责人's online application: they read it (their own project).
        make_application(leader=world.users["applicant"], call=call, state="recommended", project=project)
        services.attachment_create(
            project=project,
            user=world.users["bureau"],
            kind="application",
            upload=SimpleUploadedFile("申报书.pdf", b"%PDF-1.7\n%test\n", content_type="application/pdf"),
        )
        return project

    return world.once("application", build)


def _running(world):
    """Unit A's project (county A) in execution, with a pending 变更 request."""

    def build():
        from projects.models import ChangeRequest
        from projects.rules import State
        from tests.projects.factories import ProjectFactory

        project = ProjectFactory(
            region=world.county_a, applicant=world.unit_a, state=State.EXECUTING, city_grant=200000
        )
        ChangeRequest.objects.create(
            project=project, kind="dates", reason="设备到货延迟", new_end_date=dt.date(2027, 6, 30)
        )
        return project

    return world.once("running", build)


def _project(world):
    return {"pk": _application(world).pk}


def _running_project(world):
    return {"pk": _running(world).pk}


def _attachment(world):
    return {"pk": _application(world).attachments.get().pk}


def _change(world):
    return {"pk": _running(world).change_requests.get().pk}


def _programme(world):
    return {"pk": _application(world).call.programme_id}


def _call(world):
    return {"pk": _application(world).call_id}


def _pilot(world):
    def build():
        from projects.models import LumpSumPilot
        from tests.projects.factories import OrganizationFactory

        return LumpSumPilot.objects.create(
            organization=OrganizationFactory(region=world.county_a), batch=2, since_year=2023
        )

    return {"pk": world.once("pilot", build).pk}


def _cooperation(world):
    def build():
        from tests.projects.factories import CooperationProjectFactory

        return CooperationProjectFactory(region=world.county_a)

    return {"pk": world.once("cooperation", build).pk}


def _transfer(world):
    def build():
        from decimal import Decimal

        from django.core.files.uploadedfile import SimpleUploadedFile

        from projects import services
        from tests.projects.factories import AchievementTransferFactory

        # 40%: an add form filled from this grant's edit form (the upload sweep) stays within 100% of the
        # achievement's ownership.
        transfer = AchievementTransferFactory(grant__share_percent=Decimal("40"))
        services.ownership_grant_save(
            grant=transfer.grant,
            user=world.users["bureau"],
            upload=SimpleUploadedFile("批复.pdf", b"%PDF-1.7\n%test\n", content_type="application/pdf"),
        )
        return transfer

    return world.once("ownership_transfer", build)


def _ownership_pilot(world):
    return {"pk": _transfer(world).grant.achievement.pilot_id}


def _achievement(world):
    return {"pk": _transfer(world).grant.achievement_id}


def _grant(world):
    return {"pk": _transfer(world).grant_id}


def _transfer_pk(world):
    return {"pk": _transfer(world).pk}


ROUTES = [
    Route("projects:project_list", UNIT_READ),
    Route("projects:project_add", APPLICANTS),
    Route("projects:project_export", UNIT_READ, ok=(200,)),
    Route("projects:overdue", BUSINESS_READ, ok=(200,)),
    Route("projects:overdue_export", BUSINESS_READ, ok=(200,)),
    Route("projects:figures", BUSINESS_READ, ok=(200,)),
    Route("projects:project_detail", UNIT_READ, kwargs=_project, scoped=True, unit_scoped=True, ok=(200,)),
    Route("projects:project_edit", APPLICANTS, kwargs=_project, scoped=True, ok=(200,)),
    Route(
        "projects:project_transition",
        APPLICANTS,
        kwargs=_project,
        scoped=True,
        unit_scoped=True,
        # Unit accounts reach the view (they apply there for their running project's 验收) and are told
        # why they may not withdraw an application.
        denied={"unit_admin": 200, "applicant": 200},
        methods=("POST",),
        data=lambda world: {"action": "withdraw", "comment": "单位决定不再申报"},
        ok=(302,),
    ),
    Route("projects:disbursement_add", BUREAU, kwargs=_running_project, scoped=True, ok=(200,)),
    Route("projects:budgetline_add", BUREAU, kwargs=_running_project, scoped=True, ok=(200,)),
    Route(
        "projects:annualreport_add",
        UNIT_FILES,
        kwargs=_running_project,
        scoped=True,
        unit_scoped=True,
        ok=(200,),
        denied=NOT_THEIRS,
    ),
    Route("projects:midtermcheck_add", BUREAU, kwargs=_running_project, scoped=True, ok=(200,)),
    Route(
        "projects:changerequest_add",
        UNIT_FILES,
        kwargs=_running_project,
        scoped=True,
        unit_scoped=True,
        ok=(200,),
        denied=NOT_THEIRS,
    ),
    Route("projects:changerequest_decide", BUREAU, kwargs=_change, scoped=True, ok=(200,)),
    Route("projects:attachment_add", APPLICANTS, kwargs=_project, scoped=True, unit_scoped=True, ok=(200,)),
    Route(
        "projects:attachment_download",
        UNIT_READ,
        kwargs=_attachment,
        scoped=True,
        unit_scoped=True,
        ok=(200,),
    ),
    Route("projects:attachment_delete", BUREAU, kwargs=_attachment, scoped=True, ok=(200,)),
    Route("projects:programme_list", STAFF_READ, ok=(200,)),
    Route("projects:programme_add", BUREAU, ok=(200,)),
    Route("projects:programme_detail", STAFF_READ, kwargs=_programme, ok=(200,)),
    Route("projects:programme_edit", BUREAU, kwargs=_programme, ok=(200,)),
    Route("projects:call_list", STAFF_READ, ok=(200,)),
    Route("projects:call_add", BUREAU, ok=(200,)),
    Route("projects:call_detail", STAFF_READ, kwargs=_call, ok=(200,)),
    Route("projects:call_edit", BUREAU, kwargs=_call, ok=(200,)),
    Route("projects:lumpsumpilot_list", STAFF_READ, ok=(200,)),
    Route("projects:lumpsumpilot_add", BUREAU, ok=(200,)),
    Route("projects:lumpsumpilot_edit", BUREAU, kwargs=_pilot, ok=(200,)),
    Route("projects:cooperationproject_list", BUSINESS_READ, ok=(200,)),
    Route("projects:cooperationproject_add", BUREAU, ok=(200,)),
    Route("projects:cooperationproject_export", BUSINESS_READ, ok=(200,)),
    Route("projects:cooperationproject_detail", BUSINESS_READ, kwargs=_cooperation, scoped=True, ok=(200,)),
    Route("projects:cooperationproject_edit", BUREAU, kwargs=_cooperation, scoped=True, ok=(200,)),
    Route("projects:ownershippilot_list", STAFF_READ, ok=(200,)),
    Route("projects:ownershippilot_add", BUREAU, ok=(200,)),
    Route("projects:ownership_figures", STAFF_READ, ok=(200,)),
    Route("projects:ownershippilot_detail", STAFF_READ, kwargs=_ownership_pilot, ok=(200,)),
    Route("projects:ownershippilot_edit", BUREAU, kwargs=_ownership_pilot, ok=(200,)),
    Route("projects:achievement_list", STAFF_READ, ok=(200,)),
    Route("projects:achievement_add", BUREAU, ok=(200,)),
    Route("projects:achievement_export", STAFF_READ, ok=(200,)),
    Route("projects:achievement_detail", STAFF_READ, kwargs=_achievement, ok=(200,)),
    Route("projects:achievement_edit", BUREAU, kwargs=_achievement, ok=(200,)),
    Route("projects:ownershipgrant_add", BUREAU, kwargs=_achievement, ok=(200,)),
    Route("projects:ownershipgrant_edit", BUREAU, kwargs=_grant, ok=(200,)),
    Route("projects:ownershipgrant_file", STAFF_READ, kwargs=_grant, ok=(200,)),
    Route("projects:achievementtransfer_add", BUREAU, kwargs=_grant, ok=(200,)),
    Route("projects:achievementtransfer_list", STAFF_READ, ok=(200,)),
    Route("projects:achievementtransfer_export", STAFF_READ, ok=(200,)),
    Route("projects:achievementtransfer_edit", BUREAU, kwargs=_transfer_pk, ok=(200,)),
]
