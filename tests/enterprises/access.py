"""Routes of the enterprises app for the role × view matrix (objects belong to county A; the enterprise is
unit A's, whose administrator reads it)."""

from __future__ import annotations

from django.utils import timezone

from tests.access import BUSINESS_READ, STAFF_READ, Route

BUREAU = frozenset({"bureau"})
BUREAU_COUNTY = frozenset({"bureau", "county"})
# The unit's administrator reads its own enterprise record (the 项目负责人 does not), keeps its 信息表, files
# its 科小 evaluation and its 培育库 application and follows them.
UNIT_READ = BUSINESS_READ | {"unit_admin"}
UNIT_FILES = BUREAU_COUNTY | {"unit_admin"}


def _enterprise(world):
    from enterprises.models import Enterprise
    from tests.enterprises.factories import EnterpriseFactory

    def build():
        # Unit A's enterprise record (one per unit: a world built twice in a test finds it).
        found = Enterprise.objects.filter(organization=world.unit_a).first()
        return found or EnterpriseFactory(
            region=world.county_a, name=world.unit_a.name, organization=world.unit_a
        )

    return world.once("enterprise", build)


def _enterprise_pk(world):
    return {"pk": _enterprise(world).pk}


def _year(world):
    from tests.enterprises.factories import EnterpriseYearFactory

    return {"pk": world.once("year", lambda: EnterpriseYearFactory(enterprise=_enterprise(world))).pk}


def _evaluation(world):
    from tests.enterprises.factories import SmesEvaluationFactory

    return {"pk": world.once("evaluation", lambda: SmesEvaluationFactory(enterprise=_enterprise(world))).pk}


def _pool(world):
    from tests.enterprises.factories import PoolEntryFactory

    return {"pk": world.once("pool", lambda: PoolEntryFactory(enterprise=_enterprise(world))).pk}


def _certificate(world):
    from tests.enterprises.factories import CertificateFactory

    return {"pk": world.once("certificate", lambda: CertificateFactory(enterprise=_enterprise(world))).pk}


def _target(world):
    from enterprises.models import DoublingTarget

    return {
        "pk": world.once(
            "target", lambda: DoublingTarget.objects.create(region=world.county_a, year=2026, target=5)
        ).pk
    }


def _tier(world):
    from decimal import Decimal

    from enterprises.models import RewardTier

    return {
        "pk": world.once(
            "tier", lambda: RewardTier.objects.create(year=2025, min_rd=Decimal(0), amount=Decimal(1000))
        ).pk
    }


def _transition(action):
    return lambda world: {
        "action": action,
        "comment": "测试",
        "effective_on": timezone.localdate().isoformat(),
    }


ROUTES = [
    Route("enterprises:enterprise_list", UNIT_READ),
    Route("enterprises:enterprise_add", BUREAU_COUNTY),
    Route("enterprises:enterprise_export", UNIT_READ),
    Route("enterprises:enterprise_import", BUREAU),
    Route("enterprises:enterprise_import_confirm", BUREAU, methods=("POST",)),
    Route("enterprises:enterprise_import_template", BUREAU),
    Route("enterprises:enterprise_detail", UNIT_READ, kwargs=_enterprise_pk, scoped=True, unit_scoped=True),
    Route("enterprises:enterprise_edit", BUREAU_COUNTY, kwargs=_enterprise_pk, scoped=True),
    Route(
        "enterprises:enterprise_deactivate",
        BUREAU,
        kwargs=_enterprise_pk,
        methods=("POST",),
        data=lambda world: {"reason": "注销"},
    ),
    Route("enterprises:enterprise_activate", BUREAU, kwargs=_enterprise_pk, methods=("POST",)),
    Route("enterprises:enterpriseyear_add", UNIT_FILES, kwargs=_enterprise_pk, scoped=True, unit_scoped=True),
    Route("enterprises:enterpriseyear_edit", UNIT_FILES, kwargs=_year, scoped=True, unit_scoped=True),
    Route("enterprises:smesevaluation_add", UNIT_FILES, kwargs=_enterprise_pk, scoped=True, unit_scoped=True),
    Route("enterprises:poolentry_recommend", BUREAU_COUNTY, kwargs=_enterprise_pk, scoped=True),
    Route(
        "enterprises:poolentry_request",
        frozenset({"unit_admin"}),
        kwargs=_enterprise_pk,
        scoped=True,
        unit_scoped=True,
    ),
    Route("enterprises:gaoqicertificate_add", BUREAU, kwargs=_enterprise_pk),
    Route("enterprises:smesevaluation_list", UNIT_READ),
    Route("enterprises:smesevaluation_export", UNIT_READ),
    Route("enterprises:smes_stats", BUSINESS_READ),
    Route("enterprises:smesevaluation_bulk", BUREAU, methods=("POST",)),
    Route("enterprises:smesevaluation_detail", UNIT_READ, kwargs=_evaluation, scoped=True, unit_scoped=True),
    Route(
        "enterprises:smesevaluation_transition",
        BUREAU_COUNTY,
        kwargs=_evaluation,
        methods=("POST",),
        data=_transition("review_return"),
        scoped=True,
    ),
    Route("enterprises:poolentry_list", UNIT_READ),
    Route("enterprises:poolentry_export", UNIT_READ),
    Route("enterprises:poolentry_detail", UNIT_READ, kwargs=_pool, scoped=True, unit_scoped=True),
    Route("enterprises:poolentry_assess", BUREAU, kwargs=_pool),
    Route(
        "enterprises:poolentry_transition",
        BUREAU,
        kwargs=_pool,
        methods=("POST",),
        data=_transition("decline"),
        scoped=True,
        # A county office reaches the view (it recommends an enterprise's own application there) and is
        # told why it may not decline an entry the bureau decides.
        denied={"county": 200},
    ),
    Route("enterprises:gaoqicertificate_list", BUSINESS_READ),
    Route("enterprises:gaoqicertificate_export", BUSINESS_READ),
    Route("enterprises:certificate_expiring", BUSINESS_READ),
    Route("enterprises:gaoqicertificate_detail", BUSINESS_READ, kwargs=_certificate, scoped=True),
    Route("enterprises:gaoqicertificate_edit", BUREAU, kwargs=_certificate),
    Route("enterprises:gaoqicertificate_delete", BUREAU, kwargs=_certificate),
    Route("enterprises:doublingtarget_list", BUSINESS_READ),
    Route("enterprises:doublingtarget_add", BUREAU),
    Route("enterprises:doublingtarget_export", BUSINESS_READ),
    Route("enterprises:doublingtarget_edit", BUREAU, kwargs=_target),
    Route("enterprises:doublingtarget_delete", BUREAU, kwargs=_target),
    Route("enterprises:rewardtier_list", STAFF_READ),
    Route("enterprises:rewardtier_add", BUREAU),
    Route("enterprises:rewardtier_export", STAFF_READ),
    Route("enterprises:rewardtier_edit", BUREAU, kwargs=_tier),
    Route("enterprises:rewardtier_delete", BUREAU, kwargs=_tier),
    Route("enterprises:reward_list", BUSINESS_READ),
    Route("enterprises:reward_export", BUSINESS_READ),
    Route(
        "enterprises:reward_compute",
        BUREAU,
        methods=("POST",),
        data=lambda world: {"year": timezone.localdate().year - 1},
    ),
    Route("enterprises:reward_transition", BUREAU, methods=("POST",)),
]
