"""Role × view matrix of online 申报: the guide of an open call, an application of unit A's 项目负责人 (in
county A) in 草稿, its team member and attachment."""

from tests.access import Route

STAFF_READ = frozenset({"bureau", "leader", "county"})
READ = STAFF_READ | {"unit_admin", "applicant"}
LEADER = frozenset({"applicant"})
BUREAU = frozenset({"bureau"})
# Everyone holding the flow's permissions may open the transition form; the engine says who may act.
FLOW = frozenset({"bureau", "county", "unit_admin", "applicant"})


def _guide(world):
    from tests.applications.factories import open_guide

    return world.once("applications_guide", open_guide)


def _application(world):
    from tests.applications.factories import make_application

    return world.once(
        "applications_application",
        lambda: make_application(leader=world.users["applicant"], call=_guide(world).call),
    )


def guide_pk(world):
    return {"pk": _guide(world).pk}


def call_pk(world):
    return {"call_pk": _guide(world).call.pk}


def guide_file_pk(world):
    from kejiju.applications.models import GuideAttachment
    from tests.applications.factories import PDF

    def build():
        from django.core.files.uploadedfile import SimpleUploadedFile

        attachment = GuideAttachment(
            guide=_guide(world), original_name="指南.pdf", size=len(PDF), content_type="application/pdf"
        )
        attachment.file.save("g.pdf", SimpleUploadedFile("g.pdf", PDF), save=False)
        attachment.save()
        return attachment

    return {"pk": world.once("applications_guide_file", build).pk}


def application_pk(world):
    return {"pk": _application(world).pk}


def member_pk(world):
    return {"pk": _application(world).team.first().pk}


def attachment_pk(world):
    return {"pk": _application(world).attachments.first().pk}


def _member_data(world):
    return {
        "name": "李成员",
        "id_number": "140902199007080028",
        "employer": "矩阵申报单位甲",
        "title": "工程师",
        "duty": "测试",
    }


ROUTES = [
    Route("applications:callguide_list", READ),
    Route("applications:callguide_detail", READ, guide_pk),
    Route("applications:callguide_edit", BUREAU, guide_pk),
    Route("applications:callguide_add", BUREAU, call_pk),
    Route("applications:guideattachment_add", BUREAU, guide_pk),
    Route("applications:guideattachment_download", READ, guide_file_pk),
    Route("applications:guideattachment_delete", BUREAU, guide_file_pk),
    Route(
        "applications:application_add",
        LEADER,
        guide_pk,
        data=lambda world: {
            "title": "矩阵测试申报",
            "summary": "内容",
            "goals": "目标",
            "start_date": "2027-01-01",
            "end_date": "2028-12-31",
        },
    ),
    Route("applications:application_list", READ),
    Route("applications:application_export", READ),
    Route("applications:application_detail", READ, application_pk, scoped=True, unit_scoped=True),
    Route("applications:application_edit", LEADER, application_pk, unit_scoped=True),
    Route("applications:application_delete", LEADER, application_pk, unit_scoped=True),
    Route("applications:application_budget", LEADER, application_pk, unit_scoped=True),
    Route("applications:teammember_add", LEADER, application_pk, unit_scoped=True, data=_member_data),
    Route("applications:applicationattachment_add", LEADER, application_pk, unit_scoped=True),
    Route("applications:application_pledge", LEADER, application_pk, unit_scoped=True),
    Route("applications:application_transition", FLOW, application_pk, scoped=True, unit_scoped=True),
    Route("applications:teammember_delete", LEADER, member_pk, methods=("POST",), unit_scoped=True),
    Route("applications:teammember_pii", BUREAU, member_pk),
    Route(
        "applications:applicationattachment_download",
        READ,
        attachment_pk,
        scoped=True,
        unit_scoped=True,
    ),
    Route(
        "applications:applicationattachment_delete",
        LEADER,
        attachment_pk,
        methods=("POST",),
        unit_scoped=True,
    ),
]
