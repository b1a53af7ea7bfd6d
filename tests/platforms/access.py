"""Role × view matrix entries of the platforms app. Objects belong to county A (忻府区); the platform is
hosted by unit A, whose accounts read it; the applications are unit A's, whose administrator files them."""

from django.utils import timezone

from platforms.rules import BatchState
from tests.access import Route

from .factories import (
    ApplicationFactory,
    BatchFactory,
    EvaluationFactory,
    OutreachEventFactory,
    PlatformFactory,
    photo_upload,
)

BUREAU = frozenset({"bureau"})
STAFF_READ = frozenset({"bureau", "leader"})
BUSINESS_READ = frozenset({"bureau", "leader", "county"})
ENTRY = frozenset({"bureau", "county"})
# Both accounts of a unit read the platforms it hosts.
UNIT_READ = BUSINESS_READ | {"unit_admin", "applicant"}
# The unit's administrator reads the batches taking applications and files its unit's own (the 项目负责人
# does not).
UNIT_FILER_READ = BUSINESS_READ | {"unit_admin"}
UNIT_FILING = ENTRY | {"unit_admin"}


def _platform(world):
    return world.once("platform", lambda: PlatformFactory(region=world.county_a, host=world.unit_a))


def _platform_pk(world):
    return {"pk": _platform(world).pk}


def _batch(world, state=BatchState.OPEN):
    return world.once(f"batch-{state}", lambda: BatchFactory(state=state))


def _application(world, state=BatchState.OPEN):
    return world.once(
        f"application-{state}",
        lambda: ApplicationFactory(batch=_batch(world, state), region=world.county_a, applicant=world.unit_a),
    )


def _open_batch_pk(world):
    return {"pk": _batch(world).pk}


def _batch_ready_to_close_pk(world):
    """An open batch with an application: its 截止申报 may be taken (the matrix's POST takes it)."""

    def make():
        batch = BatchFactory(state=BatchState.OPEN)
        ApplicationFactory(batch=batch, region=world.county_a)
        return batch

    return {"pk": world.once("batch-ready-to-close", make).pk}


def _close_applications(world):
    return {"action": "close_applications", "effective_on": timezone.localdate().isoformat()}


def _application_pk(world):
    return {"pk": _application(world).pk}


def _formal_application_pk(world):
    return {"pk": _application(world, BatchState.FORMAL).pk}


def _review_application_pk(world):
    return {"pk": _application(world, BatchState.REVIEW).pk}


def _evaluation_pk(world):
    return {"pk": world.once("evaluation", lambda: EvaluationFactory(platform=_platform(world))).pk}


def _type_pk(world):
    from platforms.models import PlatformType

    return {"pk": PlatformType.objects.get(name="重点实验室").pk}


def _event(world):
    return world.once("outreach", lambda: OutreachEventFactory(region=world.county_a))


def _event_pk(world):
    return {"pk": _event(world).pk}


def _photo_pk(world):
    def build():
        from platforms import services

        return services.outreach_photo_add(
            event=_event(world), user=world.users["bureau"], upload=photo_upload()
        )

    return {"pk": world.once("outreach_photo", build).pk}


ROUTES = [
    Route("platforms:platform_list", UNIT_READ),
    Route("platforms:platform_export", UNIT_READ),
    Route("platforms:platform_stats", BUSINESS_READ),
    Route("platforms:platform_stats_export", BUSINESS_READ),
    Route("platforms:platform_add", BUREAU),
    Route("platforms:platform_detail", UNIT_READ, kwargs=_platform_pk, scoped=True, unit_scoped=True),
    Route("platforms:platform_edit", BUREAU, kwargs=_platform_pk),
    Route("platforms:platform_transition", BUREAU, kwargs=_platform_pk),
    Route("platforms:platformevaluation_add", BUREAU, kwargs=_platform_pk),
    Route("platforms:platformtype_list", STAFF_READ),
    Route("platforms:platformtype_add", BUREAU),
    Route("platforms:platformtype_edit", BUREAU, kwargs=_type_pk),
    Route("platforms:recognitionbatch_list", UNIT_FILER_READ),
    Route("platforms:recognitionbatch_export", UNIT_FILER_READ),
    Route("platforms:recognitionbatch_add", BUREAU),
    Route("platforms:recognitionbatch_detail", UNIT_FILER_READ, kwargs=_open_batch_pk),
    Route("platforms:recognitionbatch_edit", BUREAU, kwargs=_open_batch_pk),
    Route(
        "platforms:recognitionbatch_transition",
        BUREAU,
        kwargs=_batch_ready_to_close_pk,
        data=_close_applications,
    ),
    Route("platforms:recognitionbatch_results", UNIT_FILER_READ, kwargs=_open_batch_pk),
    Route("platforms:platformapplication_add", UNIT_FILING, kwargs=_open_batch_pk),
    Route(
        "platforms:platformapplication_detail",
        UNIT_FILER_READ,
        kwargs=_application_pk,
        scoped=True,
        unit_scoped=True,
    ),
    Route(
        "platforms:platformapplication_edit",
        UNIT_FILING,
        kwargs=_application_pk,
        scoped=True,
        unit_scoped=True,
    ),
    Route(
        "platforms:platformapplication_delete",
        UNIT_FILING,
        kwargs=_application_pk,
        scoped=True,
        unit_scoped=True,
    ),
    Route("platforms:platformapplication_transition", BUREAU, kwargs=_formal_application_pk),
    Route("platforms:platformapplication_score", BUREAU, kwargs=_review_application_pk),
    Route("platforms:platformevaluation_list", BUSINESS_READ),
    Route("platforms:platformevaluation_export", BUSINESS_READ),
    Route("platforms:platformevaluation_edit", BUREAU, kwargs=_evaluation_pk),
    Route("platforms:evaluationpolicy_edit", BUREAU),
    Route("platforms:outreachevent_list", BUSINESS_READ),
    Route("platforms:outreachevent_export", BUSINESS_READ),
    Route("platforms:outreachevent_add", ENTRY),
    Route("platforms:outreachevent_detail", BUSINESS_READ, kwargs=_event_pk, scoped=True),
    Route("platforms:outreachevent_edit", ENTRY, kwargs=_event_pk, scoped=True),
    Route("platforms:outreachevent_delete", ENTRY, kwargs=_event_pk, scoped=True),
    Route("platforms:outreachphoto_add", ENTRY, kwargs=_event_pk, scoped=True),
    Route("platforms:outreachphoto_download", BUSINESS_READ, kwargs=_photo_pk, scoped=True),
    Route("platforms:outreachphoto_delete", ENTRY, kwargs=_photo_pk, scoped=True),
]
