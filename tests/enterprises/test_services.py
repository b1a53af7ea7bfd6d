"""Services of the enterprises app: registry, figures, the 科小 flow, the pool, certificates, rewards."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from enterprises import dates, selectors, services
from enterprises.models import Enterprise, PoolEntry, Reward, RewardTier, SmesEvaluation
from kejiju.core.models import AuditEvent, Organization
from kejiju.reporting.annual import CITY
from tests.enterprises.build import admitted_pool_entry, admitted_smes, revoke_smes
from tests.enterprises.factories import GOOD_FIGURES, EnterpriseFactory, EnterpriseYearFactory

pytestmark = pytest.mark.django_db

HUAWEI = "914403001922038216"  # 华为技术有限公司, a real published code
TENCENT = "91440300708461136T"
BROKEN = "914403001922038217"  # last character flipped
PILOT = "91350100M0001TGQXM"  # an early Fujian pilot code: legal, fails the check


def _create(user, region, uscc=HUAWEI, **extra):
    return services.enterprise_create(
        actor=user,
        name=extra.pop("name", "测试企业"),
        uscc=uscc,
        region=region,
        industry_section="C",
        **extra,
    )


# ------------------------------------------------------------------------------------------- registry


def test_create_keeps_organization_in_step(bureau_user, county_a, county_b):
    enterprise = _create(bureau_user, county_a, industry_code="3311")
    organization = enterprise.organization
    assert (organization.name, organization.uscc, organization.region, organization.kind) == (
        "测试企业",
        HUAWEI,
        county_a,
        Organization.Kind.ENTERPRISE,
    )
    services.enterprise_update(
        enterprise=enterprise, actor=bureau_user, uscc=HUAWEI, name="改名后企业", region=county_b
    )
    organization.refresh_from_db()
    assert (organization.name, organization.region) == ("改名后企业", county_b)


def test_create_reuses_an_organization_created_elsewhere(bureau_user, county_a):
    organization = Organization.objects.create(name="外部登记", uscc=TENCENT, region=county_a)
    enterprise = _create(bureau_user, county_a, uscc=TENCENT)
    assert enterprise.organization == organization
    namesake = Organization.objects.create(name="专家单位", region=county_a)
    enterprise = _create(bureau_user, county_a, name="专家单位")
    namesake.refresh_from_db()
    assert enterprise.organization == namesake and namesake.uscc == HUAWEI


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (BROKEN, "最后一位应为“6”"),
        ("91440300708461136", "应为18位"),
        ("9144030070846113OT", "不是合法字符"),
    ],
)
def test_invalid_codes_are_refused(bureau_user, county_a, code, message):
    with pytest.raises(ValidationError) as error:
        _create(bureau_user, county_a, uscc=code)
    assert message in " ".join(error.value.message_dict["uscc"])
    assert not Enterprise.objects.exists()


def test_duplicate_code_links_to_the_existing_record(bureau_user, county_a):
    first = _create(bureau_user, county_a)
    with pytest.raises(ValidationError) as error:
        _create(bureau_user, county_a, name="另一家", uscc=HUAWEI.lower())
    message = error.value.message_dict["uscc"][0]
    assert first.get_absolute_url() in message and "不能重复登记" in message


def test_duplicate_in_another_county_is_not_named(county_user, other_county_user, county_a, county_b):
    _create(other_county_user, county_b, name="外县企业")
    with pytest.raises(ValidationError) as error:
        _create(county_user, county_a, name="本县企业")
    message = error.value.message_dict["uscc"][0]
    assert "其他县区" in message and "外县企业" not in message


def test_pilot_code_needs_override_reason_and_permission(bureau_user, county_user, county_a):
    with pytest.raises(ValidationError, match="校验码例外"):
        _create(bureau_user, county_a, uscc=PILOT)
    with pytest.raises(ValidationError):
        _create(bureau_user, county_a, uscc=PILOT, uscc_override=True)  # no reason
    with pytest.raises(ValidationError, match="只有局业务人员"):
        _create(county_user, county_a, uscc=PILOT, uscc_override=True, uscc_override_reason="福建早期试点")
    enterprise = _create(
        bureau_user, county_a, uscc=PILOT, uscc_override=True, uscc_override_reason="福建早期试点"
    )
    assert enterprise.uscc_override and enterprise.uscc_override_reason == "福建早期试点"
    assert AuditEvent.objects.filter(detail__contains="校验码例外").exists()
    # Editing other fields later keeps the override without asking again.
    services.enterprise_update(enterprise=enterprise, actor=county_user, uscc=PILOT, address="新地址")


def test_override_does_not_accept_malformed_codes(bureau_user, county_a):
    with pytest.raises(ValidationError, match="应为18位"):
        _create(bureau_user, county_a, uscc="9135010", uscc_override=True, uscc_override_reason="x")


def test_county_cannot_create_or_edit_in_another_county(county_user, county_a, county_b):
    with pytest.raises(PermissionDenied):
        _create(county_user, county_b)
    enterprise = _create(county_user, county_a)
    with pytest.raises(PermissionDenied):
        services.enterprise_update(enterprise=enterprise, actor=county_user, uscc=HUAWEI, region=county_b)


def test_industry_code_must_match_section(bureau_user, county_a):
    with pytest.raises(ValidationError, match="不属于门类"):
        _create(bureau_user, county_a, industry_code="6513")


def test_deactivate_needs_reason_and_is_audited(bureau_user, county_a):
    enterprise = _create(bureau_user, county_a)
    with pytest.raises(ValidationError):
        services.enterprise_set_active(enterprise=enterprise, active=False, actor=bureau_user)
    services.enterprise_set_active(enterprise=enterprise, active=False, actor=bureau_user, reason="注销")
    enterprise.refresh_from_db()
    assert not enterprise.is_active and not enterprise.organization.is_active


# --------------------------------------------------------------------------------------------- figures


def test_figures_are_validated_across_fields(bureau_user):
    enterprise = EnterpriseFactory()
    with pytest.raises(ValidationError) as error:
        services.figures_save(
            enterprise=enterprise, year=2025, actor=bureau_user, employees=10, tech_staff=11
        )
    assert "tech_staff" in error.value.message_dict
    row = services.figures_save(enterprise=enterprise, year=2025, actor=bureau_user, **GOOD_FIGURES)
    again = services.figures_save(enterprise=enterprise, year=2025, actor=bureau_user, employees=120)
    assert row.pk == again.pk and again.employees == 120 and again.revenue == Decimal("50000000.00")


# ------------------------------------------------------------------------------------------ 科小 flow


@pytest.fixture
def evaluation(bureau_user):
    enterprise = EnterpriseFactory()
    EnterpriseYearFactory(enterprise=enterprise, year=2025)
    return services.smes_evaluation_create(
        enterprise=enterprise, year=2026, actor=bureau_user, submitted_on=date(2026, 4, 20)
    )


def test_evaluation_scores_from_previous_year(evaluation):
    assert (
        evaluation.figures_year,
        evaluation.tech_staff_points,
        evaluation.rd_points,
        evaluation.ip_points,
    ) == (
        2025,
        20,
        50,
        30,
    )
    assert evaluation.total_score == 100 and evaluation.passed and evaluation.rd_option == 1
    assert evaluation.events.count() == 1


def test_evaluation_needs_the_previous_years_figures(bureau_user):
    enterprise = EnterpriseFactory()
    with pytest.raises(ValidationError, match="2025年度数据"):
        services.smes_evaluation_create(enterprise=enterprise, year=2026, actor=bureau_user)


def test_one_evaluation_per_year(evaluation, bureau_user):
    with pytest.raises(ValidationError, match="已有评价记录"):
        services.smes_evaluation_create(enterprise=evaluation.enterprise, year=2026, actor=bureau_user)


def test_full_flow_issues_a_registration_number(evaluation, county_user, bureau_user):
    services.smes_transition(
        evaluation=evaluation, action="review_pass", actor=county_user, on=date(2026, 9, 21)
    )
    # A county may not start the 公示: its grants are pinned (tests/core/test_workflow_grants.py) and the
    # sweep refuses it (tests/enterprises/test_workflow.py::…test_edge[start_publicity-reviewed-county]).
    # 2026-09-28 (Mon): 10 working days skip the National Day holiday (1–8 Oct) → 2026-10-16.
    evaluation = services.smes_transition(
        evaluation=evaluation, action="start_publicity", actor=bureau_user, on=date(2026, 9, 28)
    )
    assert evaluation.publicity_end == dates.publicity_end(date(2026, 9, 28))
    assert evaluation.publicity_end > date(2026, 10, 9)
    with pytest.raises(ValidationError, match="公示期满后"):
        services.smes_transition(
            evaluation=evaluation, action="admit", actor=bureau_user, on=evaluation.publicity_end
        )
    evaluation = services.smes_transition(
        evaluation=evaluation, action="admit", actor=bureau_user, on=date(2026, 10, 20)
    )
    assert evaluation.state == "admitted"
    assert evaluation.registration_number == "202614090200000001"
    assert selectors.smes_admitted_count(user=CITY, year=2026) == 1
    assert selectors.smes_admitted_count(user=CITY, year=2026, region=evaluation.enterprise.region) == 1
    # Revoking without a reason is refused: the workflow sweep (test_workflow.py, test_date_rules).
    evaluation = services.smes_transition(
        evaluation=evaluation, action="revoke", actor=bureau_user, comment="抽查不实"
    )
    assert evaluation.state == "revoked" and evaluation.registration_number  # the history is kept
    assert selectors.smes_admitted_count(user=CITY, year=2026) == 0
    assert [event.to_state for event in evaluation.events.order_by("recorded_at", "pk")] == [
        "submitted",
        "reviewed",
        "publicity",
        "admitted",
        "revoked",
    ]


def test_review_refuses_a_failing_evaluation(bureau_user):
    enterprise = EnterpriseFactory()
    EnterpriseYearFactory(enterprise=enterprise, year=2025, tech_staff=5, ip_class1=0, ip_class2=0)
    evaluation = services.smes_evaluation_create(enterprise=enterprise, year=2026, actor=bureau_user)
    assert not evaluation.passed
    with pytest.raises(ValidationError, match="不合格"):
        services.smes_transition(evaluation=evaluation, action="review_pass", actor=bureau_user)


def test_direct_route_by_valid_certificate(bureau_user):
    enterprise = EnterpriseFactory()
    EnterpriseYearFactory(enterprise=enterprise, year=2025, tech_staff=5, ip_class1=0, ip_class2=0)
    services.certificate_create(
        enterprise=enterprise, number="GR202514000123", issued_on=date(2025, 12, 1), actor=bureau_user
    )
    evaluation = services.smes_evaluation_create(
        enterprise=enterprise, year=2026, actor=bureau_user, submitted_on=date(2026, 3, 1)
    )
    assert evaluation.passed and evaluation.direct_route == "gaoqi"


@pytest.mark.parametrize(
    ("submitted", "established", "marker"),
    [
        (date(2026, 5, 31), date(2010, 1, 1), "0"),
        (date(2026, 6, 1), date(2010, 1, 1), "A"),
        (date(2026, 3, 1), date(2026, 1, 10), "B"),
        (date(2026, 3, 1), None, "0"),
    ],
)
def test_registration_marker(submitted, established, marker):
    assert dates.smes_marker(year=2026, submitted_on=submitted, established_on=established) == marker


def test_bulk_transition_is_all_or_nothing(bureau_user):
    evaluations = []
    for _ in range(3):
        enterprise = EnterpriseFactory()
        EnterpriseYearFactory(enterprise=enterprise, year=2025)
        evaluation = services.smes_evaluation_create(enterprise=enterprise, year=2026, actor=bureau_user)
        evaluations.append(evaluation)
    for evaluation in evaluations[:2]:
        services.smes_transition(evaluation=evaluation, action="review_pass", actor=bureau_user)
    with pytest.raises(ValidationError):
        services.smes_bulk_transition(evaluations=evaluations, action="start_publicity", actor=bureau_user)
    assert not SmesEvaluation.objects.filter(state="publicity").exists()


# ------------------------------------------------------------------------------------------ pool


def test_pool_flow_and_new_entry_count(county_user, bureau_user, other_county_user):
    enterprise = EnterpriseFactory()
    with pytest.raises(PermissionDenied):
        services.pool_recommend(enterprise=enterprise, actor=other_county_user)
    entry = services.pool_recommend(
        enterprise=enterprise, actor=county_user, recommendation="研发投入增长", on=date(2026, 3, 2)
    )
    with pytest.raises(ValidationError, match="已在高企培育库"):
        services.pool_recommend(enterprise=enterprise, actor=county_user)
    with pytest.raises(ValidationError, match="入库年度"):
        services.pool_transition(entry=entry, action="admit", actor=bureau_user)
    entry = services.pool_transition(
        entry=entry, action="admit", actor=bureau_user, year=2026, on=date(2026, 4, 1)
    )
    assert selectors.pool_new_entries(user=CITY, year=2026) == 1
    assert selectors.pool_new_entries(user=CITY, year=2026, region=enterprise.region) == 1
    entry = services.pool_transition(
        entry=entry, action="apply", actor=bureau_user, year=2026, on=date(2026, 6, 1)
    )
    services.certificate_create(
        enterprise=enterprise, number="GR202614000001", issued_on=date(2026, 11, 2), actor=bureau_user
    )
    entry.refresh_from_db()
    assert entry.state == PoolEntry.State.CERTIFIED and entry.certified_on == date(2026, 11, 2)
    assert selectors.pool_new_entries(user=CITY, year=2026) == 1  # still counted as a 2026 entry
    assert [event.to_state for event in entry.events.order_by("recorded_at", "pk")] == [
        "recommended",
        "admitted",
        "applied",
        "certified",
    ]


def test_declined_entries_are_not_counted(bureau_user):
    entry = services.pool_recommend(enterprise=EnterpriseFactory(), actor=bureau_user)
    services.pool_transition(entry=entry, action="decline", actor=bureau_user, comment="指标不足")
    assert selectors.pool_new_entries(user=CITY, year=timezone.localdate().year) == 0


# ------------------------------------------------------------------------------------------ certificates


@pytest.mark.parametrize(
    ("number", "issued", "message"),
    [
        ("GR20231400012", date(2023, 11, 1), "格式不正确"),
        ("GR202311004043", date(2023, 11, 1), "与本地省份"),  # a real Beijing certificate
        ("GR202314000123", date(2022, 11, 1), "年份应与证书编号"),
    ],
)
def test_certificate_validation(bureau_user, number, issued, message):
    with pytest.raises(ValidationError, match=message):
        services.certificate_create(
            enterprise=EnterpriseFactory(), number=number, issued_on=issued, actor=bureau_user
        )


def test_certificate_expiry_and_expiring_list(bureau_user):
    certificate = services.certificate_create(
        enterprise=EnterpriseFactory(),
        number="gr202314000123",
        issued_on=date(2023, 11, 6),
        actor=bureau_user,
    )
    assert certificate.number == "GR202314000123" and certificate.expires_on == date(2026, 11, 5)
    assert list(selectors.certificates_expiring(user=bureau_user, today=date(2026, 6, 1))) == [certificate]
    assert not selectors.certificates_expiring(user=bureau_user, today=date(2026, 4, 1)).exists()
    assert selectors.gaoqi_valid_count(user=CITY, on=date(2026, 11, 5)) == 1
    assert selectors.gaoqi_valid_count(user=CITY, on=date(2026, 11, 6)) == 0


def test_leap_day_expiry():
    assert dates.certificate_expiry(date(2024, 2, 29)) == date(2027, 2, 28)


# ------------------------------------------------------------------------------------------ rewards


def test_reward_tiers_capped_and_not_overlapping(bureau_user):
    with pytest.raises(ValidationError, match="不能超过"):
        services.reward_tier_save(
            year=2025, min_rd=Decimal(0), max_rd=None, amount=Decimal(300_001), actor=bureau_user
        )
    services.reward_tier_save(
        year=2025,
        min_rd=Decimal(1_000_000),
        max_rd=Decimal(3_000_000),
        amount=Decimal(100_000),
        actor=bureau_user,
    )
    with pytest.raises(ValidationError, match="重叠"):
        services.reward_tier_save(
            year=2025, min_rd=Decimal(2_000_000), max_rd=None, amount=Decimal(200_000), actor=bureau_user
        )


def test_rewards_compute_approve_pay(bureau_user):
    services.reward_tier_save(
        year=2025,
        min_rd=Decimal(1_000_000),
        max_rd=Decimal(3_000_000),
        amount=Decimal(100_000),
        actor=bureau_user,
    )
    services.reward_tier_save(
        year=2025, min_rd=Decimal(3_000_000), max_rd=None, amount=Decimal(300_000), actor=bureau_user
    )
    enterprise = EnterpriseFactory()
    EnterpriseYearFactory(enterprise=enterprise, year=2025, rd_expense=Decimal("3000000.00"))
    poor = EnterpriseFactory()
    EnterpriseYearFactory(
        enterprise=poor, year=2025, rd_expense=Decimal("999999.99"), rd_expense_in_china=None
    )
    for n, e in enumerate((enterprise, poor), start=1):
        services.certificate_create(
            enterprise=e, number=f"GR20241400000{n}", issued_on=date(2024, 12, 1), actor=bureau_user
        )
    assert services.rewards_compute(year=2025, actor=bureau_user) == 1
    reward = Reward.objects.get()
    assert reward.enterprise == enterprise and reward.amount == Decimal("300000.00")
    # Paying before the approval is refused: the workflow sweep (test_workflow.py, test_wrong_state).
    services.reward_transition(reward=reward, action="approve", actor=bureau_user)
    # 发放 records its 文号 or voucher number (issue 19): refused without one, nothing changes.
    with pytest.raises(ValidationError) as info:
        services.reward_transition(reward=reward, action="pay", actor=bureau_user, voucher_no="  ")
    assert info.value.message_dict == {"voucher_no": ["办理“发放”须填写发放文号（凭证号）。"]}
    reward.refresh_from_db()
    assert (reward.state, reward.paid_on, reward.voucher_no) == ("approved", None, "")
    reward = services.reward_transition(
        reward=reward, action="pay", actor=bureau_user, voucher_no="忻科发〔2026〕12号"
    )
    assert (reward.state, reward.voucher_no) == ("paid", "忻科发〔2026〕12号")
    assert reward.events.get(action="pay").data["voucher_no"] == "忻科发〔2026〕12号"
    RewardTier.objects.filter(year=2025).update(amount=Decimal(1))
    services.rewards_compute(year=2025, actor=bureau_user)
    reward.refresh_from_db()
    assert reward.amount == Decimal("300000.00")  # a paid reward is not recomputed
    assert selectors.rewards_total(user=CITY, year=2025) == {"count": 1, "total": Decimal("300000.00")}


def test_trigram_indexes_exist_on_postgresql():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("pg_trgm is PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'enterprises_enterprise'"
        )
        indexes = dict(cursor.fetchall())
    assert "gin_trgm_ops" in indexes["enterprise_name_trgm"]
    assert "gin_trgm_ops" in indexes["enterprise_uscc_trgm"]


def test_monthly_figures_for_county_filings(bureau_user, county_a, county_b):
    """The monthly figures are the annual ones over the month (the same helpers, read from the events)."""
    enterprise = EnterpriseFactory(region=county_a)
    admitted_smes(enterprise=enterprise, year=2026, admitted_on=date(2026, 5, 20))
    revoked = admitted_smes(region=county_a, year=2026, admitted_on=date(2026, 5, 20))
    revoke_smes(revoked, on=date(2026, 5, 28))  # revoked within the month: not counted for May
    later = admitted_smes(region=county_a, year=2026, admitted_on=date(2026, 5, 21))
    revoke_smes(later, on=date(2026, 6, 2))  # revoked after May: counted for May
    entry = admitted_pool_entry(enterprise=enterprise, admitted_on=date(2026, 5, 3))
    services.pool_transition(entry=entry, action="apply", actor=bureau_user, on=date(2026, 5, 10))
    assert selectors.smes_entered_in_month(county_a, 2026, 5) == 2
    assert selectors.smes_entered_in_month(county_b, 2026, 5) == 0
    assert selectors.smes_entered_in_month(county_a, 2026, 6) == 0
    assert selectors.pool_entered_in_month(county_a, 2026, 5) == 1
    assert selectors.pool_entered_in_month(county_a, 2026, 4) == 0


def test_renaming_an_enterprise_to_another_units_name_is_refused(bureau_user):
    """单位库 (issue 19): the enterprise's unit may not take the name of another unit (here one without a
    code), which would put two units of one name in every select."""
    Organization.objects.create(name="忻州职业技术学院", kind=Organization.Kind.UNIVERSITY)
    enterprise = EnterpriseFactory(name="忻州某科技有限公司")
    with pytest.raises(ValidationError) as refused:
        services.enterprise_update(
            enterprise=enterprise, actor=bureau_user, uscc=enterprise.uscc, name="忻州职业技术学院"
        )
    assert "“忻州职业技术学院”" in refused.value.message_dict["name"][0]
    enterprise.refresh_from_db()
    assert enterprise.name == "忻州某科技有限公司"


# ------------------------------------------------------------------ 倍增计划 targets (issue 19)


def test_doubling_target_must_exceed_the_base(bureau_user, county_a):
    from tests.enterprises.factories import CertificateFactory

    for _ in range(2):
        CertificateFactory(
            enterprise=EnterpriseFactory(region=county_a),
            issued_on=date(2025, 1, 1),
            expires_on=date(2027, 12, 31),
        )
    for target, message in ((0, "必须大于 0（基数为2）"), (2, "（2）必须大于基数（上年末2）")):
        with pytest.raises(ValidationError) as caught:
            services.doubling_target_save(region=county_a, year=2026, target=target, actor=bureau_user)
        (text,) = caught.value.message_dict["target"]
        assert message in text and "有效高企目标数" in text and str(county_a) in text
    row = services.doubling_target_save(region=county_a, year=2026, target=3, actor=bureau_user)
    assert row.target == 3


def test_doubling_progress_with_no_growth_is_zero(bureau_user, county_a):
    from enterprises.models import DoublingTarget
    from tests.enterprises.factories import CertificateFactory

    for _ in range(5):
        CertificateFactory(
            enterprise=EnterpriseFactory(region=county_a),
            issued_on=date(2025, 1, 1),
            expires_on=date(2027, 12, 31),
        )
    DoublingTarget.objects.create(region=county_a, year=2026, target=7)  # stored before the rule
    (row,) = selectors.doubling_progress(user=bureau_user, year=2026)
    assert (row["previous"], row["actual"], row["percent"]) == (5, 5, 0)  # not 71%
