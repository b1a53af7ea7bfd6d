"""Pages of the enterprises app: they render for each role, scope by county, keep a constant query count,
and export what the list shows."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from enterprises import services
from enterprises.models import Enterprise, EnterpriseYear, SmesEvaluation
from kejiju.core.models import Organization
from tests.enterprises.build import admitted_pool_entry, admitted_smes, bureau_actor, revoke_smes
from tests.enterprises.factories import (
    CertificateFactory,
    EnterpriseFactory,
    EnterpriseYearFactory,
    PoolEntryFactory,
    make_uscc,
)

pytestmark = pytest.mark.django_db


def _bulk_enterprises(n: int, region, start: int = 1000) -> None:
    organizations = Organization.objects.bulk_create(
        [
            Organization(name=f"批量企业{start + i}", uscc=make_uscc(start + i), region=region)
            for i in range(n)
        ]
    )
    enterprises = Enterprise.objects.bulk_create(
        [
            Enterprise(organization=o, name=o.name, uscc=o.uscc, region=region, industry_section="C")
            for o in organizations
        ]
    )
    SmesEvaluation.objects.bulk_create(
        [
            SmesEvaluation(
                enterprise=e, year=2025, figures_year=2024, state="admitted", registration_number=f"x{e.pk}"
            )
            for e in enterprises[::3]
        ]
    )
    from enterprises.models import GaoqiCertificate, PoolEntry

    PoolEntry.objects.bulk_create(
        [PoolEntry(enterprise=e, state="admitted", admitted_year=2025) for e in enterprises[::4]]
    )
    GaoqiCertificate.objects.bulk_create(
        [
            GaoqiCertificate(
                enterprise=e,
                number=f"GR202514{e.pk:06d}",
                issued_on=date(2025, 1, 1),
                expires_on=date(2027, 12, 31),
            )
            for e in enterprises[::5]
        ]
    )


@pytest.mark.parametrize("count", [10, 1000])
def test_enterprise_list_query_count_is_constant(
    client, bureau_user, county_a, count, django_assert_max_num_queries
):
    _bulk_enterprises(count, county_a)
    client.force_login(bureau_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("enterprises:enterprise_list"), {"sort": "-certificate_expires"})
    assert response.status_code == 200
    assert "批量企业" in response.content.decode()


@pytest.mark.parametrize("count", [10, 150])
@pytest.mark.parametrize(
    "url_name",
    [
        "enterprises:smesevaluation_list",
        "enterprises:poolentry_list",
        "enterprises:gaoqicertificate_list",
        "enterprises:certificate_expiring",
    ],
)
def test_other_lists_query_count_is_constant(
    client, bureau_user, county_a, count, url_name, django_assert_max_num_queries
):
    _bulk_enterprises(count, county_a)
    client.force_login(bureau_user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse(url_name))
    assert response.status_code == 200


def test_county_sees_only_its_county(client, county_user, county_a, county_b):
    EnterpriseFactory(name="本县企业", region=county_a)
    EnterpriseFactory(name="外县企业", region=county_b)
    client.force_login(county_user)
    content = client.get(reverse("enterprises:enterprise_list")).content.decode()
    assert "本县企业" in content and "外县企业" not in content
    workbook = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("enterprises:enterprise_export")).streaming_content))
    )
    names = [row[0] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert names == ["本县企业"]


def test_filters_and_search(client, bureau_user, county_a, county_b):
    target = EnterpriseFactory(name="忻州法兰锻造有限公司", region=county_a)
    EnterpriseFactory(name="别的公司", region=county_b, industry_section="I", industry_code="6513")
    SmesEvaluation.objects.create(enterprise=target, year=2023, figures_year=2022, state="admitted")
    client.force_login(bureau_user)
    url = reverse("enterprises:enterprise_list")
    for query in (
        {"q": "法兰"},
        {"q": target.uscc},
        {"region": county_a.pk},
        {"pool": "smes", "year": 2023},
    ):
        content = client.get(url, query).content.decode()
        assert "忻州法兰锻造有限公司" in content and "别的公司" not in content, query
    content = client.get(url, {"industry_section": "I"}).content.decode()
    assert "别的公司" in content and "忻州法兰锻造有限公司" not in content


def test_export_has_the_columns_shown_and_keeps_formulas_as_text(client, bureau_user, county_a):
    EnterpriseFactory(name='=HYPERLINK("http://x")', region=county_a)
    EnterpriseFactory(name="普通企业", region=county_a)
    client.force_login(bureau_user)
    response = client.get(reverse("enterprises:enterprise_export"), {"q": "HYPERLINK"})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("企业名称", "统一社会信用代码", "所在县区")
    assert len(rows) == 2
    assert rows[1][0] == '=HYPERLINK("http://x")'  # the stored name, as a text cell
    assert workbook.active["A2"].data_type == "s"


def test_enterprise_detail_shows_everything(client, bureau_user, leader_user, county_user, county_a):
    enterprise = EnterpriseFactory(region=county_a)
    EnterpriseYearFactory(enterprise=enterprise, year=2025)
    PoolEntryFactory(enterprise=enterprise)
    CertificateFactory(enterprise=enterprise)
    services.enterprise_update(
        enterprise=enterprise, actor=bureau_user, uscc=enterprise.uscc, address="新地址"
    )
    for user in (bureau_user, leader_user, county_user):
        client.force_login(user)
        content = client.get(enterprise.get_absolute_url()).content.decode()
        for text in (
            "年度数据",
            "科技型中小企业评价",
            "高企培育库",
            "高企证书",
            "变更历史",
            "新地址",
            "GR2025",
        ):
            assert text in content, (user.role, text)
        assert f"{enterprise} 2025年" in content  # the figures' history is on the enterprise page
    client.force_login(leader_user)
    assert "编辑" not in client.get(enterprise.get_absolute_url()).content.decode().split("基本信息")[0]


def test_create_form_shows_duplicate_link(client, bureau_user, county_a):
    existing = EnterpriseFactory(region=county_a)
    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:enterprise_add"),
        {
            "name": "新企业",
            "uscc": existing.uscc,
            "region": county_a.pk,
            "industry_section": "C",
            "clean_record": "on",
        },
    )
    assert response.status_code == 200
    assert f'href="{existing.get_absolute_url()}"' in response.content.decode()


def test_county_form_offers_only_its_region(client, county_user, county_a, county_b):
    client.force_login(county_user)
    response = client.post(
        reverse("enterprises:enterprise_add"),
        {"name": "外县企业", "uscc": make_uscc(77), "region": county_b.pk, "industry_section": "C"},
    )
    assert response.status_code == 200 and not Enterprise.objects.exists()
    assert "uscc_override" not in response.content.decode()
    response = client.post(
        reverse("enterprises:enterprise_add"),
        {"name": "本县企业", "uscc": make_uscc(77), "region": county_a.pk, "industry_section": "C"},
    )
    assert response.status_code == 302 and Enterprise.objects.get().region == county_a


def test_figures_form_and_evaluation_page(client, county_user, bureau_user, county_a):
    enterprise = EnterpriseFactory(region=county_a)
    client.force_login(county_user)
    data = {
        "year": 2025,
        "employees": 100,
        "tech_staff": 25,
        "revenue": "40000000",
        "total_cost": "30000000",
        "total_assets": "50000000",
        "rd_expense": "1800000",
        "ip_class1": 0,
        "ip_class2": 3,
    }
    response = client.post(reverse("enterprises:enterpriseyear_add", kwargs={"pk": enterprise.pk}), data)
    assert response.status_code == 302
    assert EnterpriseYear.objects.get().rd_expense == Decimal("1800000.00")
    response = client.post(
        reverse("enterprises:smesevaluation_add", kwargs={"pk": enterprise.pk}),
        {"year": 2026, "submitted_on": "2026-04-01"},
    )
    evaluation = SmesEvaluation.objects.get()
    assert response.status_code == 302
    # 25% → 16; R&D/revenue 4.5% → 30, R&D/cost 6.0% → 0, option 1 wins; 3 Ⅱ类 → 18: total 64.
    assert (
        evaluation.tech_staff_points,
        evaluation.rd_points,
        evaluation.ip_points,
        evaluation.total_score,
    ) == (
        16,
        30,
        18,
        64,
    )
    content = client.get(evaluation.get_absolute_url()).content.decode()
    for text in ("科技人员25人/职工100人 = 25.0%", "4.5%", "采用", "评价合格", "形式审查通过", "办理记录"):
        assert text in content, text
    client.post(
        reverse("enterprises:smesevaluation_transition", kwargs={"pk": evaluation.pk}),
        {"action": "review_pass", "effective_on": "2026-04-10"},
    )
    evaluation.refresh_from_db()
    assert evaluation.state == "reviewed"
    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:smesevaluation_bulk"),
        {"action": "start_publicity", "on": "2026-09-28", "selection": [evaluation.pk]},
    )
    evaluation.refresh_from_db()
    assert evaluation.state == "publicity" and evaluation.publicity_end == date(
        2026, 10, 15
    )  # 1–7 Oct off, Sat 10 Oct worked


def test_pool_detail_checklist_lines(client, bureau_user, county_a):
    enterprise = EnterpriseFactory(region=county_a)
    EnterpriseYearFactory(enterprise=enterprise, year=2025, tech_staff=8)  # 8% < 10%
    entry = PoolEntryFactory(enterprise=enterprise)
    client.force_login(bureau_user)
    content = client.get(entry.get_absolute_url()).content.decode()
    assert "8.0%" in content and "table-danger" in content and "table-success" in content
    assert "入库" in content  # the bureau's action


def test_stats_page_headline(client, leader_user, county_a):
    # Through the services: the counts read the 入库 events (factories write none).
    for _ in range(3):
        admitted_smes(region=county_a, year=2023, admitted_on=date(2023, 6, 1))
    revoke_smes(admitted_smes(region=county_a, year=2023, admitted_on=date(2023, 6, 1)), on=date(2023, 9, 1))
    entry = admitted_pool_entry(region=county_a, admitted_on=date(2023, 5, 1))
    services.pool_transition(entry=entry, action="certify", actor=bureau_actor(), on=date(2023, 11, 1))
    PoolEntryFactory(enterprise=EnterpriseFactory(region=county_a), state="declined")
    client.force_login(leader_user)
    content = client.get(reverse("enterprises:smes_stats")).content.decode()
    assert "2023年科技型中小企业评价入库，目前已达到<strong>3</strong>家" in content
    assert "2023年高新技术企业培育库新申报入库企业已达到<strong>1</strong>家" in content


def test_import_button_only_for_bureau(client, bureau_user, county_user):
    for user, shown in ((bureau_user, True), (county_user, False)):
        client.force_login(user)
        content = client.get(reverse("enterprises:enterprise_list")).content.decode()
        assert (reverse("enterprises:enterprise_import") in content) is shown


def test_doubling_progress(client, bureau_user, county_a):
    from enterprises.models import DoublingTarget

    DoublingTarget.objects.create(region=county_a, year=2026, target=2)
    CertificateFactory(
        enterprise=EnterpriseFactory(region=county_a),
        issued_on=date(2026, 1, 10),
        expires_on=date(2028, 12, 31),
    )
    client.force_login(bureau_user)
    # Base 0 at the end of 2025, 1 now, target 2: half of the planned growth.
    content = client.get(reverse("enterprises:doublingtarget_list"), {"year": 2026}).content.decode()
    assert "50%" in content


def test_targets_and_reward_tiers_are_added_then_edited_in_place(client, bureau_user, county_a):
    """Adding and editing share one save: an edit changes the record it opened, never adds another."""
    from enterprises.models import DoublingTarget, RewardTier

    client.force_login(bureau_user)
    year = timezone.localdate().year
    target = {"region": county_a.pk, "year": year, "target": 3}
    assert client.post(reverse("enterprises:doublingtarget_add"), target).status_code == 302
    row = DoublingTarget.objects.get()
    response = client.post(reverse("enterprises:doublingtarget_edit", args=[row.pk]), {**target, "target": 5})
    assert response.status_code == 302
    assert list(DoublingTarget.objects.values_list("pk", "target")) == [(row.pk, 5)]

    tier = {"year": year, "min_rd": "0", "max_rd": "100", "amount": "10000"}
    assert client.post(reverse("enterprises:rewardtier_add"), tier).status_code == 302
    row = RewardTier.objects.get()
    response = client.post(reverse("enterprises:rewardtier_edit", args=[row.pk]), {**tier, "amount": "20000"})
    assert response.status_code == 302
    assert list(RewardTier.objects.values_list("pk", "amount")) == [(row.pk, Decimal("20000"))]


def test_home_page_todos(client, bureau_user, county_user, county_a, county_b):
    def evaluation(region, state, **extra):
        enterprise = EnterpriseFactory(region=region)
        SmesEvaluation.objects.create(
            enterprise=enterprise, year=2026, figures_year=2025, state=state, **extra
        )

    evaluation(county_a, "submitted")
    evaluation(county_b, "submitted")
    evaluation(county_a, "reviewed")
    evaluation(county_a, "publicity", publicity_end=date(2020, 1, 10))  # publicity over: admit
    evaluation(county_a, "publicity", publicity_end=date(2999, 1, 10))  # still in publicity
    client.force_login(bureau_user)
    todos = {item.title: item.count for item in client.get(reverse("core:home")).context["todos"]}
    assert todos["科小评价待形式审查"] == 2
    assert todos["科小评价待公示"] == 1
    assert todos["科小评价公示期满待入库"] == 1
    client.force_login(county_user)  # a county office reviews its own county's submissions only
    todos = {item.title: item.count for item in client.get(reverse("core:home")).context["todos"]}
    assert todos["科小评价待形式审查"] == 1 and "科小评价待公示" not in todos


@pytest.mark.parametrize(
    ("url_name", "first_header"),
    [
        ("enterprises:smesevaluation_export", "企业"),
        ("enterprises:poolentry_export", "企业"),
        ("enterprises:gaoqicertificate_export", "证书编号"),
        ("enterprises:reward_export", "企业"),
    ],
)
def test_other_exports_open_back(client, bureau_user, county_a, url_name, first_header):
    _bulk_enterprises(12, county_a)
    client.force_login(bureau_user)
    response = client.get(reverse(url_name))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0] == first_header
    assert "selection" not in rows[0] and "" not in rows[0]


def test_smes_export_follows_the_filter(client, bureau_user, county_a):
    _bulk_enterprises(12, county_a)
    client.force_login(bureau_user)
    response = client.get(reverse("enterprises:smesevaluation_export"), {"year": 2025, "state": "admitted"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 1 + 4  # every third of 12 enterprises
    response = client.get(reverse("enterprises:smesevaluation_export"), {"year": 2024})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert len(rows) == 1


def test_enterprise_list_same_query_count_for_10_and_1000(client, bureau_user, county_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(bureau_user)
    url = reverse("enterprises:enterprise_list")
    counts = []
    for total, start in ((10, 0), (1000, 10)):
        _bulk_enterprises(total - start, county_a, start=5000 + start)
        client.get(url)  # warm caches (content types, sessions) so both runs compare like with like
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"sort": "smes_latest_year", "gaoqi": "certified"})
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_export_cells_equal_the_tables_own_values(client, bureau_user, county_a, county_b):
    """The streamed export gives, cell by cell, what django-tables2's own BoundRow.get_cell_value gives for
    the list's table over the list's queryset (the reference path, not the export's shortcuts)."""
    from enterprises import selectors
    from enterprises.tables import EnterpriseTable
    from kejiju.core.xlsx import add_sheet, new_workbook, table_export_rows, workbook_bytes

    plain = EnterpriseFactory(name="乙企业", region=county_a, established_on=None, industry_section="I")
    admitted = EnterpriseFactory(name="甲企业", region=county_b)
    SmesEvaluation.objects.create(enterprise=admitted, year=2024, figures_year=2023, state="admitted")
    PoolEntryFactory(enterprise=admitted, state="admitted")
    CertificateFactory(enterprise=admitted, issued_on=date(2025, 1, 1), expires_on=date(2099, 12, 31))
    EnterpriseFactory(name="-丙企业", region=county_a, is_active=False)
    assert plain.pk
    client.force_login(bureau_user)
    exported = load_workbook(
        io.BytesIO(b"".join(client.get(reverse("enterprises:enterprise_export")).streaming_content))
    )

    table = EnterpriseTable(selectors.enterprise_list(user=bureau_user))
    headers, _rows = table_export_rows(table)
    names = [column.name for column in table.columns if column.name not in table.export_exclude]
    expected_book = new_workbook(viewer=None)
    add_sheet(
        expected_book,
        title="企业",
        headers=headers,
        rows=([row.get_cell_value(name) for name in names] for row in table.rows),
    )
    expected = load_workbook(io.BytesIO(workbook_bytes(expected_book)))
    got = [[(c.value, c.number_format) for c in row] for row in exported.active.iter_rows()]
    want = [[(c.value, c.number_format) for c in row] for row in expected.active.iter_rows()]
    assert len(got) == 4
    assert got == want


@pytest.mark.parametrize("count", [2, 20])
def test_export_query_count_is_constant(client, bureau_user, county_a, count, django_assert_max_num_queries):
    _bulk_enterprises(count, county_a)
    client.force_login(bureau_user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("enterprises:enterprise_export"))
        content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert len(rows) == count + 1
    assert rows[1][2] == county_a.name


def _html_input(body: str, name: str) -> str:
    import re

    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert match, f"no input {name!r}"
    return match.group(0)


def test_pool_certify_form_takes_the_date_defaulting_to_today(client, bureau_user, county_a):
    """认定日期 is entered on the 标记已认定 form (issue 19), today's date filled in, checked like every
    step's date: before the entry's 入库 or in the future it is refused on the field."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    base = today - dt.timedelta(days=30)
    entry = PoolEntryFactory(
        enterprise=EnterpriseFactory(region=county_a),
        state="admitted",
        recommended_on=base - dt.timedelta(days=5),
        admitted_on=base,
        admitted_year=base.year,
    )
    client.force_login(bureau_user)
    url = reverse("enterprises:poolentry_transition", kwargs={"pk": entry.pk})
    body = client.get(url, {"action": "certify"}).content.decode()
    field = _html_input(body, "effective_on")
    assert f'value="{today:%Y-%m-%d}"' in field and "required" in field
    assert "认定日期" in body
    early = base - dt.timedelta(days=1)
    response = client.post(url, {"action": "certify", "effective_on": early.isoformat()})
    assert response.context["form"].errors["effective_on"] == [
        f"认定日期（{early:%Y-%m-%d}）不能早于入库日期（{base:%Y-%m-%d}）。"
    ]
    on = base + dt.timedelta(days=3)
    assert client.post(url, {"action": "certify", "effective_on": on.isoformat()}).status_code == 302
    entry.refresh_from_db()
    assert (entry.state, entry.certified_on) == ("certified", on)


def test_reward_steps_take_their_date_and_the_payment_its_voucher(client, bureau_user, county_a):
    """审核日期 and 发放日期 are entered on the reward list (today's date filled in), checked like every
    step's date; 发放 records its 文号 or voucher number (issue 19)."""
    import datetime as dt

    from django.utils import timezone

    from enterprises.models import Reward, RewardTier

    today = timezone.localdate()
    year = today.year - 1
    RewardTier.objects.create(year=year, min_rd=Decimal(0), max_rd=None, amount=Decimal(100_000))
    enterprise = EnterpriseFactory(region=county_a)
    EnterpriseYearFactory(enterprise=enterprise, year=year, rd_expense=Decimal("2000000"))
    services.certificate_create(
        enterprise=enterprise, number=f"GR{year}14000001", issued_on=date(year, 1, 10), actor=bureau_user
    )
    services.rewards_compute(year=year, actor=bureau_user)
    reward = Reward.objects.get()
    client.force_login(bureau_user)
    body = client.get(reverse("enterprises:reward_list"), {"year": year}).content.decode()
    field = _html_input(body, "effective_on")
    assert f'value="{today:%Y-%m-%d}"' in field and 'type="date"' in field
    assert 'name="voucher_no"' in body and "发放文号（凭证号）" in body
    url = reverse("enterprises:reward_transition")

    def post(action, on, voucher=""):
        data = {"action": action, "effective_on": on.isoformat(), "voucher_no": voucher}
        return client.post(url, {**data, "selection": [reward.pk]}, follow=True).content.decode()

    tomorrow = today + dt.timedelta(days=1)
    assert f"审核日期（{tomorrow:%Y-%m-%d}）不能晚于今天" in post("approve", tomorrow)
    assert Reward.objects.get().state == "computed"
    yesterday = today - dt.timedelta(days=1)  # before the 计算 step (dated today)
    assert f"审核日期（{yesterday:%Y-%m-%d}）不能早于" in post("approve", yesterday)
    post("approve", today)
    reward.refresh_from_db()
    assert (reward.state, reward.approved_on) == ("approved", today)
    assert "须填写发放文号（凭证号）" in post("pay", today)
    assert f"发放日期（{tomorrow:%Y-%m-%d}）不能晚于今天" in post("pay", tomorrow, "忻科发〔2026〕3号")
    assert Reward.objects.get().state == "approved"
    post("pay", today, "忻科发〔2026〕3号")
    reward.refresh_from_db()
    assert (reward.state, reward.paid_on, reward.voucher_no) == ("paid", today, "忻科发〔2026〕3号")
    assert (
        "忻科发〔2026〕3号" in client.get(reverse("enterprises:reward_list"), {"year": year}).content.decode()
    )
