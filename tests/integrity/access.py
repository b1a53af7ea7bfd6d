"""Role × view matrix of 科研诚信失信记录: a person's record (with its ID number and a scan). The records are
city-wide (registered global): the bureau maintains them, leadership and every county office read them, unit
accounts, the system admin and the auditor have no access. 查重: the setting and the conclusion at 受理 (on a
project of county A that came from an online application with a likely duplicate) are the bureau's only."""

from tests.access import Route

READ = frozenset({"bureau", "leader", "county"})
BUREAU = frozenset({"bureau"})


def _record(world):
    def build():
        from django.core.files.uploadedfile import SimpleUploadedFile

        from tests.integrity.factories import PDF, make_person_record

        return make_person_record(
            user=world.users["bureau"], scan=SimpleUploadedFile("处理决定.pdf", PDF, "application/pdf")
        )

    return world.once("integrity_record", build)


def _person_data():
    from tests.integrity.factories import ID_NUMBER

    return {"kind": "person", "id_number": ID_NUMBER, "bars_apply": "on"}


def record_pk(world):
    return {"pk": _record(world).pk}


def _duplicate_project(world):
    def build():
        from kejiju.integrity.models import DuplicateMatch
        from tests.applications.factories import make_application
        from tests.projects.factories import ProjectFactory

        project = ProjectFactory(region=world.county_a, applicant=world.unit_a, title="矩阵查重项目")
        application = make_application(
            leader=world.users["applicant"], state="recommended", title="矩阵查重项目", project=project
        )
        other = ProjectFactory(region=world.county_a, applicant=world.unit_a, title="矩阵查重项目（旧）")
        DuplicateMatch.objects.create(
            application=application,
            other_project=other,
            year=other.year,
            same_unit=True,
            title_similarity=0.8,
            summary_similarity=0.1,
        )
        return project

    return world.once("integrity_duplicate_project", build)


def duplicate_project_pk(world):
    return {"pk": _duplicate_project(world).pk}


ROUTES = [
    Route("integrity:integrityrecord_list", READ),
    Route("integrity:integrityrecord_export", READ),
    # An add form filled from the edit page (the upload sweep) needs the kind, a scope and the number the
    # edit page never shows.
    Route("integrity:integrityrecord_add", BUREAU, data=lambda world: _person_data()),
    Route("integrity:integrityrecord_import", BUREAU),
    Route("integrity:integrityrecord_import_confirm", BUREAU, methods=("POST",)),
    Route("integrity:integrityrecord_import_template", BUREAU),
    Route("integrity:integrityrecord_detail", READ, record_pk),
    Route("integrity:integrityrecord_edit", BUREAU, record_pk),
    Route("integrity:integrityrecord_delete", BUREAU, record_pk),
    Route("integrity:integrityrecord_pii", BUREAU, record_pk),
    Route("integrity:integrityrecord_scan", READ, record_pk),
    Route("integrity:duplicate_setting", BUREAU),
    Route("integrity:duplicate_decide", BUREAU, duplicate_project_pk),
]
