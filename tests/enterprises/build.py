"""Records that figures count, built through the services so that their workflow events exist (the
factories write none, and every figure is read from the events)."""

from __future__ import annotations

from datetime import date, timedelta

from enterprises import services
from enterprises.models import EnterpriseYear, GaoqiCertificate, PoolEntry, SmesEvaluation

from .factories import EnterpriseFactory, EnterpriseYearFactory


def bureau_actor():
    """A bureau staff account of the test's world (the services check the actor's grants)."""
    from kejiju.accounts.models import User
    from kejiju.accounts.roles import Role, group_name

    user = User.objects.filter(groups__name=group_name(Role.BUREAU), is_active=True).order_by("pk").first()
    if user is None:
        from tests.factories import UserFactory

        user = UserFactory(role=Role.BUREAU)
    return user


def admitted_smes(
    *, year: int, admitted_on: date, region=None, enterprise=None, actor=None
) -> SmesEvaluation:
    """A 科小 evaluation of `year` taken through 填报 → 形式审查 → 公示 → 入库, admitted on `admitted_on`."""
    actor = actor or bureau_actor()
    enterprise = enterprise or EnterpriseFactory(**({"region": region} if region is not None else {}))
    if not EnterpriseYear.objects.filter(enterprise=enterprise, year=year - 1).exists():
        EnterpriseYearFactory(enterprise=enterprise, year=year - 1)
    evaluation = services.smes_evaluation_create(
        enterprise=enterprise, year=year, actor=actor, submitted_on=admitted_on - timedelta(days=50)
    )
    for action, days in (("review_pass", 45), ("start_publicity", 40), ("admit", 0)):
        services.smes_transition(
            evaluation=evaluation, action=action, actor=actor, on=admitted_on - timedelta(days=days)
        )
    return evaluation


def revoke_smes(evaluation: SmesEvaluation, *, on: date, actor=None) -> SmesEvaluation:
    return services.smes_transition(
        evaluation=evaluation, action="revoke", actor=actor or bureau_actor(), comment="抽查不实", on=on
    )


def admitted_pool_entry(
    *, admitted_on: date, region=None, enterprise=None, actor=None, year=None
) -> PoolEntry:
    """A 高企培育库 entry recommended 20 days before `admitted_on` and admitted on it."""
    actor = actor or bureau_actor()
    enterprise = enterprise or EnterpriseFactory(**({"region": region} if region is not None else {}))
    entry = services.pool_recommend(enterprise=enterprise, actor=actor, on=admitted_on - timedelta(days=20))
    return services.pool_transition(
        entry=entry, action="admit", actor=actor, year=year or admitted_on.year, on=admitted_on
    )


def certificate(
    *, issued_on: date, region=None, enterprise=None, number: str, actor=None
) -> GaoqiCertificate:
    actor = actor or bureau_actor()
    enterprise = enterprise or EnterpriseFactory(**({"region": region} if region is not None else {}))
    return services.certificate_create(enterprise=enterprise, number=number, issued_on=issued_on, actor=actor)
