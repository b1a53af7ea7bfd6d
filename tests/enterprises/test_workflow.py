"""The workflow sweep over the enterprises app's declared flows: 科小评价, 高企培育库, 高企奖励 (every edge ×
every role, every wrong state, comments and date rules, through the one transition view or the engine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from enterprises.models import PoolEntry, Reward, SmesEvaluation
from tests.enterprises.factories import (
    CertificateFactory,
    EnterpriseFactory,
    EnterpriseYearFactory,
    PoolEntryFactory,
    SmesEvaluationFactory,
)
from tests.workflowcase import ACTORS, UNIT_ACTORS, FlowCase, WorkflowSweep


def _base() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=60)


def _evaluation(world, state: str) -> SmesEvaluation:
    base = _base()
    enterprise = EnterpriseFactory(region=world.county_a)
    EnterpriseYearFactory(enterprise=enterprise, year=2025)
    reviewed = state not in {"submitted"}
    published = state in {"publicity", "admitted", "rejected", "revoked"}
    admitted = state in {"admitted", "revoked"}
    return SmesEvaluationFactory(
        enterprise=enterprise,
        state=state,
        submitted_on=base,
        reviewed_on=base if reviewed else None,
        publicity_start=base if published else None,
        publicity_end=base + dt.timedelta(days=14) if published else None,
        admitted_on=base + dt.timedelta(days=20) if admitted else None,
        registration_number=f"2026140902000{enterprise.pk:05d}" if admitted else "",
    )


def _entry(world, state: str) -> PoolEntry:
    base = _base()
    admitted = state in {"admitted", "applied", "certified", "exited"}
    return PoolEntryFactory(
        enterprise=EnterpriseFactory(region=world.county_a),
        state=state,
        recommended_on=base,
        admitted_on=base if admitted else None,
        admitted_year=base.year if admitted else None,
    )


def _pool_data(world, transition, record) -> dict:
    return {"year": timezone.localdate().year} if transition.action in {"admit", "apply"} else {}


def _reward(world, state: str) -> Reward:
    certificate = CertificateFactory(enterprise=EnterpriseFactory(region=world.county_a))
    return Reward.objects.create(
        enterprise=certificate.enterprise,
        year=_base().year,
        certificate=certificate,
        rd_expense=Decimal("1000000"),
        amount=Decimal("100000"),
        state=state,
        approved_on=_base() if state in {"approved", "paid"} else None,
        paid_on=_base() if state == "paid" else None,
    )


class TestSmesEvaluationFlow(WorkflowSweep):
    case = FlowCase(
        workflow="enterprises.smesevaluation",
        url_name="enterprises:smesevaluation_transition",
        make=_evaluation,
        actors=ACTORS + UNIT_ACTORS,
    )


class TestPoolEntryFlow(WorkflowSweep):
    case = FlowCase(
        workflow="enterprises.poolentry",
        url_name="enterprises:poolentry_transition",
        make=_entry,
        data=_pool_data,
        actors=ACTORS + UNIT_ACTORS,
    )


def _reward_data(world, transition, record) -> dict:
    return {"voucher_no": "忻科发〔2026〕12号"} if transition.action == "pay" else {}


class TestRewardFlow(WorkflowSweep):
    case = FlowCase(
        workflow="enterprises.reward",
        url_name="enterprises:reward_transition",
        make=_reward,
        data=_reward_data,
    )
