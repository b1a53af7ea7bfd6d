"""The 科小 and 高企 checklists of an enterprise whose unit is under 科研诚信 惩戒 (申报): the record (文号,
period, link) in place of the manual "无…失信" checkbox, the criterion failed; without a record the checkbox
as before. The rule is a plain function (enterprises.rules.clean_record_condition) fed by a selector."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from enterprises import rules, selectors, services
from enterprises.rules import EnterpriseFlags, IntegrityFinding, YearlyFigures, evaluate_smes, gaoqi_checklist
from tests.enterprises.factories import (
    GOOD_FIGURES,
    EnterpriseFactory,
    EnterpriseYearFactory,
    PoolEntryFactory,
    SmesEvaluationFactory,
)
from tests.integrity.factories import OTHER_USCC, USCC, make_unit_record

FINDING = IntegrityFinding(
    source="晋科监〔2025〕3号", period="2025-01-01 起至 2027-12-31", url="/integrity/7/"
)
GOOD = YearlyFigures(**{k: v for k, v in GOOD_FIGURES.items() if k != "rd_expense_in_china"})


# ------------------------------------------------------------------------------------------ the plain rule


@pytest.mark.parametrize("checked", [True, False])
def test_a_record_fails_the_condition_whatever_the_checkbox(checked):
    condition = rules.clean_record_condition("无失信", clean_record=checked, integrity=FINDING)
    assert condition.passed is False
    assert condition.url == FINDING.url
    assert FINDING.source in condition.actual and FINDING.period in condition.actual


@pytest.mark.parametrize(("checked", "actual"), [(True, "无"), (False, "有")])
def test_without_a_record_the_checkbox_decides(checked, actual):
    condition = rules.clean_record_condition("无失信", clean_record=checked, integrity=None)
    assert (condition.passed, condition.actual, condition.url) == (checked, actual, "")


def test_the_smes_evaluation_fails_on_the_record():
    clean = evaluate_smes(GOOD, EnterpriseFlags(clean_record=True, industry_restricted=False))
    assert clean.passed
    barred = evaluate_smes(
        GOOD, EnterpriseFlags(clean_record=True, industry_restricted=False, integrity=FINDING)
    )
    assert not barred.passed and not barred.basic_ok
    assert any(FINDING.source in reason for reason in barred.reasons)
    # A direct route (a valid 高企 certificate) does not pass over the basic conditions.
    direct = evaluate_smes(
        GOOD,
        EnterpriseFlags(
            clean_record=True, industry_restricted=False, has_valid_gaoqi_certificate=True, integrity=FINDING
        ),
    )
    assert not direct.passed


def test_the_gaoqi_checklist_line():
    arguments = {"rd_expense_3y": Decimal("9000000"), "revenue_3y": Decimal("150000000")}
    assert "clean_record" not in [line.key for line in gaoqi_checklist(GOOD, **arguments)]
    (line,) = [
        line for line in gaoqi_checklist(GOOD, **arguments, clean_record=True) if line.key == "clean_record"
    ]
    assert (line.ok, line.actual, line.url) == (True, "无", "")
    (line,) = [
        line for line in gaoqi_checklist(GOOD, **arguments, clean_record=False) if line.key == "clean_record"
    ]
    assert line.ok is False
    (line,) = [
        line
        for line in gaoqi_checklist(GOOD, **arguments, clean_record=True, integrity=FINDING)
        if line.key == "clean_record"
    ]
    assert line.ok is False and line.url == FINDING.url and FINDING.source in line.actual


# ------------------------------------------------------------------------------------------- the selector


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "found"),
    [
        ({}, True),
        ({"repaired_on": dt.date(2025, 6, 1)}, False),
        ({"ends_on": dt.date(2025, 12, 31)}, False),
        ({"bars_apply": False, "bars_payment": True}, False),
        ({"uscc": OTHER_USCC}, False),
    ],
    ids=["active", "repaired", "expired", "other-scope", "other-unit"],
)
def test_the_selector_finds_the_units_active_apply_record(bureau_user, change, found):
    enterprise = EnterpriseFactory(uscc=USCC)
    record = make_unit_record(user=bureau_user, **change)
    finding = selectors.integrity_finding(enterprise)
    if not found:
        assert finding is None
        return
    assert finding == IntegrityFinding(
        source=record.source, period="2025-01-01 起至 2027-12-31", url=record.get_absolute_url()
    )


# ---------------------------------------------------------------------------------------------- the pages


@pytest.fixture
def enterprise(county_a):
    enterprise = EnterpriseFactory(uscc=USCC, region=county_a)
    for year in (2023, 2024, 2025):
        EnterpriseYearFactory(enterprise=enterprise, year=year)
    return enterprise


@pytest.mark.django_db
def test_the_pool_checklist_shows_the_record(client, bureau_user, enterprise):
    entry = PoolEntryFactory(enterprise=enterprise)
    client.force_login(bureau_user)
    page = client.get(entry.get_absolute_url()).content.decode()
    assert 'data-testid="integrity-record"' not in page
    assert rules.GAOQI_CLEAN_RECORD_LABEL in page

    record = make_unit_record(user=bureau_user)
    response = client.get(entry.get_absolute_url())
    page = response.content.decode()
    assert 'data-testid="integrity-record"' in page
    assert record.get_absolute_url() in page and record.source in page
    (line,) = [line for line in response.context["checklist"] if line.key == "clean_record"]
    assert line.ok is False


@pytest.mark.django_db
def test_the_smes_checklist_shows_the_record(client, bureau_user, enterprise):
    evaluation = SmesEvaluationFactory(enterprise=enterprise, submitted_on=timezone.localdate())
    client.force_login(bureau_user)
    response = client.get(evaluation.get_absolute_url())
    assert 'data-testid="integrity-record"' not in response.content.decode()
    (clean,) = [c for c in response.context["result"].basic_conditions if c.key == "clean_record"]
    assert clean.passed

    record = make_unit_record(user=bureau_user)
    response = client.get(evaluation.get_absolute_url())
    page = response.content.decode()
    assert 'data-testid="integrity-record"' in page and record.get_absolute_url() in page
    (clean,) = [c for c in response.context["result"].basic_conditions if c.key == "clean_record"]
    assert not clean.passed and not response.context["result"].passed


@pytest.mark.django_db
def test_the_smes_evaluation_is_scored_as_failed(bureau_user, enterprise):
    make_unit_record(user=bureau_user)
    result, _row = services.smes_evaluate(enterprise, year=2026, on=timezone.localdate())
    assert not result.passed
    assert any("晋科监〔2025〕3号" in reason for reason in result.reasons)
