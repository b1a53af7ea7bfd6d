"""Sweep: every transition that takes a date refuses a date before the record's earlier dates, and a future
date where the step is recorded as done (issue 16, defect 3: a 公示 backdated before the submission let 入库
happen at once).

The transitions are enumerated from the apps' date declarations (kejiju.core.dates.declare_date_steps,
next to each app's transition table), not listed here. Each declared table needs a scenario below that
puts a record in the step's source state with every earlier date set to BASE and applies the step with a
given date; a table or step without one fails the sweep, so a new transition cannot slip past it.
For each step: BASE − 1 day is refused with a message naming both dates and nothing changes; tomorrow is
refused likewise for a step recorded as done; a valid date then goes through (the setup is sound, so the
refusals are the dates' doing).
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.utils import timezone

from kejiju.core.dates import declared_date_steps


def _declarations() -> dict:
    """Import each app's rules and workflow modules (where the tables live) and read what they declared."""
    for config in apps.get_app_configs():
        for module in ("rules", "workflow"):
            name = f"{config.name}.{module}"
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as error:
                if error.name != name:
                    raise
    return declared_date_steps()


# Dated transitions of a declared workflow are swept by the workflow sweep (tests/workflowcase.py,
# `WorkflowSweep.test_date_rules`) through the one transition view; this sweep covers the other tables.
DECLARED = {table: steps for table, steps in _declarations().items() if not table.startswith("workflow.")}
STEPS = [(table, key) for table, steps in sorted(DECLARED.items()) for key in steps]

TODAY = timezone.localdate()
BASE = TODAY - dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _today_when_the_case_runs():
    """The suite runs for over an hour and may cross midnight in Asia/Shanghai: each case takes today (and
    BASE) when it runs, not when the module was collected."""
    global TODAY, BASE
    TODAY = timezone.localdate()
    BASE = TODAY - dt.timedelta(days=30)


@dataclass
class Case:
    apply: Callable[[dt.date], Any]  # run the step with this date
    snapshot: Callable[[], Any]  # what must not change when the step is refused
    valid: dt.date | None = None  # a date the step accepts (None: BASE)


def _row(model, pk) -> dict:
    return model_to_dict(model.objects.get(pk=pk))


# ------------------------------------------------------------------------------------------ enterprises


def _smes(key: str, world) -> Case:
    """企业填报 (the evaluation's transitions are swept by tests/enterprises/test_workflow.py)."""
    from enterprises import services
    from enterprises.models import SmesEvaluation
    from tests.enterprises.factories import EnterpriseFactory, EnterpriseYearFactory

    enterprise = EnterpriseFactory(region=world.county_a)
    EnterpriseYearFactory(enterprise=enterprise, year=2025)
    actor = world.users["bureau"]
    return Case(
        apply=lambda day: services.smes_evaluation_create(
            enterprise=enterprise, year=2026, actor=actor, submitted_on=day
        ),
        snapshot=lambda: SmesEvaluation.objects.filter(enterprise=enterprise).count(),
    )


def _pool(key: str, world) -> Case:
    """县区推荐 (the entry's transitions are swept by tests/enterprises/test_workflow.py)."""
    from enterprises import services
    from enterprises.models import PoolEntry
    from tests.enterprises.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(region=world.county_a)
    actor = next(u for u in world.users.values() if u.has_perm("enterprises.recommend_poolentry"))
    return Case(
        apply=lambda day: services.pool_recommend(enterprise=enterprise, actor=actor, on=day),
        snapshot=lambda: PoolEntry.objects.filter(enterprise=enterprise).count(),
    )


def _assessment(key: str, world) -> Case:
    """企业创新能力评价 of an entry recommended on BASE."""
    from enterprises import rules, services
    from enterprises.models import InnovationAssessment
    from tests.enterprises.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(region=world.county_a)
    recommender = next(u for u in world.users.values() if u.has_perm("enterprises.recommend_poolentry"))
    entry = services.pool_recommend(enterprise=enterprise, actor=recommender, on=BASE)
    scores = {part.key: part.maximum // 2 for part in rules.INNOVATION_PARTS}
    return Case(
        apply=lambda day: services.pool_innovation_assess(
            entry=entry, actor=world.users["bureau"], assessed_on=day, scores=scores
        ),
        snapshot=lambda: InnovationAssessment.objects.filter(entry=entry).count(),
    )


def _certificate(key: str, world) -> Case:
    from enterprises import services
    from enterprises.models import GaoqiCertificate
    from tests.enterprises.factories import EnterpriseFactory

    enterprise = EnterpriseFactory(region=world.county_a)
    if key == "revoke":  # 取消资格 of a certificate issued on BASE
        certificate = services.certificate_create(
            enterprise=enterprise,
            number=f"GR{BASE.year}14000918",
            issued_on=BASE,
            actor=world.users["bureau"],
        )
        return Case(
            apply=lambda day: services.certificate_revoke(
                certificate=certificate, revoked_on=day, user=world.users["bureau"], reason="年报核查"
            ),
            snapshot=lambda: GaoqiCertificate.objects.get(pk=certificate.pk).revoked_on,
        )
    return Case(
        apply=lambda day: services.certificate_create(
            enterprise=enterprise, number=f"GR{day.year}14000917", issued_on=day, actor=world.users["bureau"]
        ),
        snapshot=lambda: GaoqiCertificate.objects.filter(enterprise=enterprise).count(),
    )


# ------------------------------------------------------------------------------------------- platforms


def _platform(key: str, world) -> Case:
    from platforms import rules, services
    from platforms.models import Platform
    from tests.platforms.factories import OrganizationFactory, platform_type

    user = world.users["bureau"]
    if key in {"register", "register_recognised"}:  # the transitions: the workflow sweep
        recognised = key == "register_recognised"

        def register(day):
            return services.platform_create(
                name="扫测平台",
                platform_type=platform_type(),
                level=rules.Level.CITY,
                state=rules.PlatformState.RECOGNISED if recognised else rules.PlatformState.CULTIVATING,
                host=OrganizationFactory(),
                region=world.county_a,
                user=user,
                certificate_no="XZKL-2026-917" if recognised else "",
                recognised_on=day if recognised else None,
                effective_on=None if recognised else day,
            )

        return Case(apply=register, snapshot=lambda: Platform.objects.count())
    raise AssertionError(f"platforms.platform declares {key!r}: its transitions are in platforms.workflow")


def _evaluation(key: str, world) -> Case:
    """绩效评价 of a platform recognised on BASE, for BASE's year, dated `day`."""
    from platforms import services
    from platforms.models import PlatformEvaluation
    from tests.platforms.factories import PlatformFactory

    assert key == "evaluate"
    platform = PlatformFactory(region=world.county_a, recognised_on=BASE)
    return Case(
        apply=lambda day: services.evaluation_record(
            platform=platform,
            year=BASE.year,
            score=Decimal("80"),
            user=world.users["bureau"],
            evaluated_on=day,
        ),
        snapshot=lambda: (
            PlatformEvaluation.objects.filter(platform=platform).count(),
            platform.events.count(),
        ),
    )


# -------------------------------------------------------------------------------------------- projects


def _running(key: str, world) -> Case:
    from projects import services
    from projects.models import Project
    from projects.rules import State
    from tests.projects.factories import OrganizationFactory, ProjectFactory

    project = ProjectFactory(
        region=world.county_a,
        applicant=OrganizationFactory(region=world.county_a),
        state=State.EXECUTING,
        start_date=BASE,
        end_date=BASE + dt.timedelta(days=730),
        city_grant=Decimal("100000"),
    )
    user = world.users["bureau"]
    steps = {
        "disburse": lambda day: services.disbursement_create(
            project=project, user=user, paid_on=day, amount=Decimal("1000"), voucher="扫测"
        ),
        "annual_report": lambda day: services.annual_report_create(
            project=project, user=user, year=BASE.year, filed_on=day, progress="扫测"
        ),
        "midterm_check": lambda day: services.midterm_check_create(
            project=project, user=user, checked_on=day, conclusion="continue", findings="扫测"
        ),
    }
    return Case(
        apply=steps[key],
        snapshot=lambda: (
            _row(Project, project.pk),
            project.events.count(),
            project.disbursements.count(),
            project.annual_reports.count(),
        ),
    )


def _cooperation(key: str, world) -> Case:
    from projects import rules, services
    from projects.models import CooperationProject
    from tests.projects.factories import CooperationProjectFactory

    # The first state in which the step counts as done; every earlier step's date is BASE.
    state = {"signed": "signed", "landed": "landed", "finished": "finished"}[key]
    assert state in rules.COOPERATION_REACHED[key]
    order = list(rules.COOPERATION_DATES)
    earlier = order[: order.index(key)]
    project = CooperationProjectFactory(
        region=world.county_a,
        state=state,
        task_year=BASE.year,
        **{rules.COOPERATION_DATES[name].field: BASE for name in earlier},
    )
    field = rules.COOPERATION_DATES[key].field

    def save(day):
        fresh = CooperationProject.objects.get(pk=project.pk)
        setattr(fresh, field, day)
        return services.cooperation_project_save(project=fresh, user=world.users["bureau"])

    return Case(apply=save, snapshot=lambda: _row(CooperationProject, project.pk))


def _ownership(key: str, world) -> Case:
    from projects import services
    from projects.models import AchievementTransfer, OwnershipGrant
    from tests.projects.factories import (
        AchievementFactory,
        OrganizationFactory,
        OwnershipGrantFactory,
        OwnershipPilotFactory,
    )

    if key == "grant":
        achievement = AchievementFactory(pilot=OwnershipPilotFactory(joined_on=BASE))

        def grant(day):
            row = OwnershipGrant(
                achievement=achievement,
                team="扫测团队",
                mode="ownership",
                share_percent=Decimal("70"),
                granted_on=day,
                approval_no="扫测〔2026〕1号",
            )
            return services.ownership_grant_save(grant=row, user=world.users["bureau"])

        return Case(apply=grant, snapshot=lambda: achievement.grants.count())

    grant = OwnershipGrantFactory(granted_on=BASE)
    enterprise = OrganizationFactory(region=world.county_a)

    def transfer(day):
        row = AchievementTransfer(
            grant=grant, mode="licence", enterprise=enterprise, amount=Decimal("10"), transferred_on=day
        )
        return services.achievement_transfer_save(transfer=row, user=world.users["bureau"])

    return Case(apply=transfer, snapshot=lambda: AchievementTransfer.objects.filter(grant=grant).count())


# --------------------------------------------------------------------------------------------- experts


def _expert_state(key: str, world) -> Case:
    """入库 (the state changes are the dated steps of the flow experts.expert, swept by
    tests/experts/test_workflow.py)."""
    from experts import services
    from experts.models import Expert
    from tests.experts.factories import ExpertFieldFactory, OrganizationFactory, make_id_number

    assert key == "register"

    def register(day):
        return services.expert_create(
            name="扫测专家",
            gender=Expert.Gender.MALE,
            id_number=make_id_number(917),
            employer=OrganizationFactory(),
            title=Expert.Title.SENIOR,
            fields=[ExpertFieldFactory()],
            admitted_on=day,
            user=world.users["bureau"],
        )

    return Case(apply=register, snapshot=lambda: Expert.objects.count())


def _placement(key: str, world) -> Case:
    from experts import rules, services
    from experts.models import VicePresidentPlacement
    from tests.experts.factories import OrganizationFactory, PlacementFactory

    assert key in rules.PLACEMENT_REACHED[key]
    placement = PlacementFactory(
        state=key,
        enterprise=OrganizationFactory(region=world.county_a),
        county=world.county_a,
        term_start=BASE,
    )
    field = rules.PLACEMENT_DATES[key].field

    def save(day):
        fresh = VicePresidentPlacement.objects.get(pk=placement.pk)
        setattr(fresh, field, day)
        return services.vice_president_save(placement=fresh, user=world.users["bureau"])

    return Case(apply=save, snapshot=lambda: _row(VicePresidentPlacement, placement.pk))


def _outreach(key: str, world) -> Case:
    from platforms import services
    from platforms.models import OutreachEvent
    from tests.platforms.factories import OutreachEventFactory

    event = OutreachEventFactory(region=world.county_a, state=key, held_on=BASE)

    def save(day):
        fresh = OutreachEvent.objects.get(pk=event.pk)
        fresh.held_on = day
        return services.outreach_event_save(instance=fresh, user=world.users["bureau"])

    return Case(apply=save, snapshot=lambda: _row(OutreachEvent, event.pk))


SCENARIOS: dict[str, Callable[[str, Any], Case]] = {
    "enterprises.smes": _smes,
    "enterprises.pool": _pool,
    "enterprises.certificate": _certificate,
    "enterprises.assessment": _assessment,
    "platforms.platform": _platform,
    "platforms.outreach": _outreach,
    "platforms.evaluation": _evaluation,
    "projects.running": _running,
    "projects.cooperation": _cooperation,
    "projects.ownership": _ownership,
    "experts.state": _expert_state,
    "experts.placement": _placement,
}


# ------------------------------------------------------------------------------------------------ sweep


def test_every_app_declares_its_dated_transitions():
    """The declarations the sweep reads exist for every app whose transitions take dates."""
    assert {"platforms.platform", "platforms.outreach"} <= set(DECLARED)
    assert set(DECLARED) == set(SCENARIOS), "each declared table needs a scenario in this sweep"


def _refused(case: Case, day: dt.date, field: str) -> str:
    before = case.snapshot()
    with pytest.raises(ValidationError) as info:
        case.apply(day)
    assert case.snapshot() == before, "a refused step changed the record"
    errors = info.value.message_dict
    assert field in errors, f"refusal not on the date field {field!r}: {errors}"
    return " ".join(errors[field])


@pytest.mark.parametrize(("table", "key"), STEPS, ids=[f"{t}:{k}" for t, k in STEPS])
def test_a_date_before_the_previous_step_or_in_the_future_is_refused(table, key, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    step = DECLARED[table][key]
    case = SCENARIOS[table](key, world)
    if step.earlier:
        day = BASE - dt.timedelta(days=1)
        message = _refused(case, day, step.field)
        assert f"{day:%Y-%m-%d}" in message and f"{BASE:%Y-%m-%d}" in message, message
        assert step.label in message
    if step.done:
        day = TODAY + dt.timedelta(days=1)
        message = _refused(case, day, step.field)
        assert f"{day:%Y-%m-%d}" in message and f"{TODAY:%Y-%m-%d}" in message, message
    case.apply(case.valid or BASE)


# ------------------------------------------------------------------------------------------------ pages


def test_the_issue_case_is_refused_on_the_page(client, world):
    """公示开始 typed before the submission: the page says why (both dates) and the evaluation stays put."""
    from django.urls import reverse

    from enterprises.models import SmesEvaluation
    from tests.enterprises.factories import EnterpriseFactory, SmesEvaluationFactory

    evaluation = SmesEvaluationFactory(
        enterprise=EnterpriseFactory(region=world.county_a), state="reviewed", submitted_on=TODAY
    )
    client.force_login(world.users["bureau"])
    backdated = TODAY - dt.timedelta(days=19)
    response = client.post(
        reverse("enterprises:smesevaluation_transition", kwargs={"pk": evaluation.pk}),
        {"action": "start_publicity", "effective_on": backdated.isoformat()},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        f"公示开始日期（{backdated:%Y-%m-%d}）不能早于提交日期（{TODAY:%Y-%m-%d}）。"
        in response.content.decode()
    )
    evaluation = SmesEvaluation.objects.get(pk=evaluation.pk)
    assert evaluation.state == "reviewed" and evaluation.publicity_start is None


def test_a_backdated_platform_step_is_shown_on_the_form(client, world):
    from django.urls import reverse

    from kejiju.core.workflow.services import record_created
    from platforms.rules import PlatformState
    from tests.platforms.factories import PlatformFactory

    platform = PlatformFactory(region=world.county_a, state=PlatformState.CULTIVATING, recognised_on=None)
    record_created(record=platform, actor=None, effective_on=BASE)
    client.force_login(world.users["bureau"])
    backdated = BASE - dt.timedelta(days=1)
    response = client.post(
        reverse("platforms:platform_transition", kwargs={"pk": platform.pk}),
        {"action": "prepare", "effective_on": backdated.isoformat(), "comment": "纳入筹建"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["effective_on"]
    assert errors == [
        f"纳入筹建日期（{backdated:%Y-%m-%d}）不能早于上一步“登记”的生效日期（{BASE:%Y-%m-%d}）。"
    ]
    platform.refresh_from_db()
    assert platform.state == PlatformState.CULTIVATING


def test_a_landing_before_the_signing_is_shown_on_the_cooperation_form(client, world):
    """The 省校合作 form shows the service's date refusal on its field (it raised a 500 before)."""
    from django.urls import reverse

    from projects.models import CooperationProject
    from tests.projects.factories import CooperationProjectFactory

    project = CooperationProjectFactory(region=world.county_a, state="signed", signed_on=BASE)
    client.force_login(world.users["bureau"])
    landed = BASE - dt.timedelta(days=1)
    response = client.post(
        reverse("projects:cooperationproject_edit", kwargs={"pk": project.pk}),
        {
            "title": project.title,
            "region": world.county_a.pk,
            "university": project.university.pk,
            "kind": project.kind,
            "state": "landed",
            "task_year": project.task_year,
            "signed_on": BASE.isoformat(),
            "landed_on": landed.isoformat(),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["landed_on"] == [
        f"落地日期（{landed:%Y-%m-%d}）不能早于签约日期（{BASE:%Y-%m-%d}）。"
    ]
    assert CooperationProject.objects.get(pk=project.pk).state == "signed"
