"""Pages: query counts on the lists, the exports opened back, rendering for each role, the POST steps."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from platforms import services
from platforms.models import EvaluationPolicy, Platform, PlatformApplication
from platforms.rules import ApplicationState, BatchState, PlatformState

from .factories import (
    ApplicationFactory,
    BatchFactory,
    EvaluationFactory,
    OrganizationFactory,
    PlatformFactory,
    platform_type,
)

pytestmark = pytest.mark.django_db


def _platforms(n, region):
    for _ in range(n):
        platform = PlatformFactory(region=region)
        EvaluationFactory(platform=platform)


@pytest.mark.parametrize("url_name", ["platforms:platform_list", "platforms:platformevaluation_list"])
def test_list_query_count_is_constant(client, bureau_user, county_a, django_assert_max_num_queries, url_name):
    client.force_login(bureau_user)
    _platforms(10, county_a)
    client.get(reverse(url_name))  # the first page after the login reads the permissions and region caches
    with django_assert_max_num_queries(12) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _platforms(110, county_a)
    with django_assert_max_num_queries(12) as large:
        response = client.get(reverse(url_name) + "?sort=-recognised_on")
        assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_batch_pages_query_count_is_constant(client, bureau_user, county_a, django_assert_max_num_queries):
    client.force_login(bureau_user)
    batch = BatchFactory()
    urls = [reverse("platforms:recognitionbatch_list"), batch.get_absolute_url()]

    def counts():
        result = []
        for url in urls:
            with django_assert_max_num_queries(16) as captured:
                assert client.get(url).status_code == 200
            result.append(len(captured.captured_queries))
        return result

    for _ in range(5):
        BatchFactory()
        ApplicationFactory(batch=batch, region=county_a)
    counts()  # the first pages after the login read the permissions and region caches
    small = counts()
    for _ in range(60):
        BatchFactory()
        ApplicationFactory(batch=batch, region=county_a)
    assert counts() == small


def _sheet(response):
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content)).active


def test_export_holds_what_the_list_shows(client, leader_user, county_a, county_b):
    client.force_login(leader_user)
    PlatformFactory(region=county_a, name="=忻府平台", certificate_no="XZKL-2023-101")
    PlatformFactory(region=county_b, name="定襄平台")
    PlatformFactory(region=county_b, name="定襄众创", platform_type=platform_type("众创空间"))
    url = reverse("platforms:platform_export") + f"?region={county_b.pk}&platform_type={platform_type().pk}"
    sheet = _sheet(client.get(url))
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("平台名称", "平台类型", "级别", "状态")
    assert [row[0] for row in rows[1:]] == ["定襄平台"]
    assert rows[1][1:4] == ("重点实验室", "市级", "认定")
    # A name a spreadsheet would run as a formula is a text cell holding the stored name.
    all_sheet = _sheet(client.get(reverse("platforms:platform_export")))
    assert [c.data_type for row in all_sheet.iter_rows() for c in row if c.value == "=忻府平台"] == ["s"]


def test_county_sees_its_own_county_only(client, county_user, county_a, county_b):
    PlatformFactory(region=county_a, name="本县平台")
    PlatformFactory(region=county_b, name="外县平台")
    client.force_login(county_user)
    content = client.get(reverse("platforms:platform_list")).content.decode()
    assert "本县平台" in content and "外县平台" not in content
    rows = list(_sheet(client.get(reverse("platforms:platform_export"))).iter_rows(values_only=True))
    assert [row[0] for row in rows[1:]] == ["本县平台"]
    stats = client.get(reverse("platforms:platform_stats") + f"?year=2023&region={county_b.pk}")
    assert stats.context["region"] == county_a
    batch = BatchFactory()
    ApplicationFactory(batch=batch, region=county_a)
    ApplicationFactory(batch=batch, region=county_b)
    listed = client.get(reverse("platforms:recognitionbatch_list")).context["table"].data.data
    assert [b.application_count for b in listed] == [1]
    detail = client.get(batch.get_absolute_url())
    assert [app.region for app in detail.context["applications"]] == [county_a]


def test_pages_render_for_each_role(client, world, county_a):
    platform = PlatformFactory(region=county_a)
    EvaluationFactory(platform=platform)
    batches = {state: BatchFactory(state=state) for state in BatchState}
    for state, batch in batches.items():
        ApplicationFactory(
            batch=batch, region=county_a, review_score=Decimal("80") if state != "open" else None
        )
    urls = [
        reverse("platforms:platform_list"),
        platform.get_absolute_url(),
        reverse("platforms:platform_stats") + "?year=2023",
        reverse("platforms:recognitionbatch_list"),
        reverse("platforms:platformevaluation_list"),
        *[batch.get_absolute_url() for batch in batches.values()],
        *[app.get_absolute_url() for app in PlatformApplication.objects.all()],
    ]
    for role in ("bureau", "leader", "county"):
        client.force_login(world.users[role])
        for url in urls:
            assert client.get(url).status_code == 200, (role, url)


def test_leader_sees_no_change_buttons(client, leader_user, county_a):
    platform = PlatformFactory(region=county_a)
    client.force_login(leader_user)
    content = client.get(platform.get_absolute_url()).content.decode()
    assert "状态变更" not in content and "编辑" not in content
    batch = BatchFactory()
    content = client.get(batch.get_absolute_url()).content.decode()
    assert "新增申报" not in content and "推进到" not in content


def test_county_enters_an_application_for_its_county(client, county_user, county_a, county_b):
    batch = BatchFactory()
    client.force_login(county_user)
    url = reverse("platforms:platformapplication_add", kwargs={"pk": batch.pk})
    data = {"platform_name": "忻府区新平台", "host_name": "忻府区某某科技有限公司", "host_kind": "enterprise"}
    forged = client.post(url, {**data, "region": county_b.pk})
    assert forged.status_code == 200 and "region" in forged.context["form"].errors
    response = client.post(url, {**data, "region": county_a.pk, "field": "新材料"})
    assert response.status_code == 302
    app = PlatformApplication.objects.get()
    assert (app.region, app.applicant.name, app.submitted_by) == (
        county_a,
        "忻府区某某科技有限公司",
        county_user,
    )


def test_review_steps_through_the_pages(client, bureau_user, county_a):
    client.force_login(bureau_user)
    batch = BatchFactory()
    app = ApplicationFactory(batch=batch, region=county_a)
    steps = reverse("platforms:recognitionbatch_transition", kwargs={"pk": batch.pk})

    def take(action, on):
        return client.post(steps, {"action": action, "effective_on": on}, follow=True)

    assert "截止申报" in client.get(steps, {"action": "close_applications"}).content.decode()
    take("close_applications", "2023-10-01")
    review = reverse("platforms:platformapplication_transition", kwargs={"pk": app.pk})
    response = client.post(review, {"action": "reject", "comment": ""})
    assert "须填写说明" in response.content.decode()
    client.post(review, {"action": "accept", "comment": "齐全"})
    take("start_review", "2023-10-10")
    score = reverse("platforms:platformapplication_score", kwargs={"pk": app.pk})
    assert client.post(score, {"score": "101"}).status_code == 200  # out of range
    client.post(score, {"score": "86.5", "note": "评审会"})
    take("publicise", "2023-11-06")
    batch.refresh_from_db()
    assert batch.state == BatchState.PUBLICITY
    assert "公示期满后" in take("recognise", "2023-11-10").content.decode()
    take("recognise", "2023-11-27")
    app.refresh_from_db()
    assert app.state == ApplicationState.RECOGNISED and app.platform.certificate_no == "XZKL-2023-001"
    rows = list(
        _sheet(client.get(reverse("platforms:recognitionbatch_results", kwargs={"pk": batch.pk}))).iter_rows(
            values_only=True
        )
    )
    assert rows[1][0] == 1 and rows[1][-1] == "XZKL-2023-001"


def test_transition_page_refuses_with_the_reason(client, bureau_user, county_a):
    client.force_login(bureau_user)
    platform = PlatformFactory(
        region=county_a, state=PlatformState.PREPARING, certificate_no="", recognised_on=None
    )
    url = reverse("platforms:platform_transition", kwargs={"pk": platform.pk})
    response = client.post(url, {"action": "recognise", "effective_on": "2024-05-01", "level": "city"})
    assert "certificate_no" in response.context["form"].errors
    response = client.post(
        url,
        {"action": "upgrade", "effective_on": "2024-05-01", "level": "national", "certificate_no": "X-1"},
    )
    assert response.status_code == 200 and "action" in response.context["form"].errors
    client.post(
        url,
        {
            "action": "recognise",
            "effective_on": "2024-05-01",
            "level": "city",
            "certificate_no": "XZKL-2024-009",
        },
    )
    platform.refresh_from_db()
    assert platform.state == PlatformState.RECOGNISED and platform.recognised_on == dt.date(2024, 5, 1)


def test_create_platform_and_type_through_the_pages(client, bureau_user, county_a):
    client.force_login(bureau_user)
    response = client.post(
        reverse("platforms:platformtype_add"),
        {"name": "科技成果转化中试示范基地", "code": "XZCS", "sort_order": 120, "is_active": "on"},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("platforms:platform_add"),
        {
            "name": "忻州市中试示范基地",
            "platform_type": platform_type("科技成果转化中试示范基地").pk,
            "level": "city",
            "state": "cultivating",
            "host_name": "山西众立法兰有限公司",
            "host_kind": "enterprise",
            "region": county_a.pk,
        },
    )
    assert response.status_code == 302
    platform = Platform.objects.get(name="忻州市中试示范基地")
    assert platform.events.get().action == "register"
    response = client.post(
        reverse("platforms:platform_edit", kwargs={"pk": platform.pk}),
        {
            "name": "忻州市中试示范基地（更名）",
            "platform_type": platform.platform_type_id,
            "host_name": "山西众立法兰有限公司",
            "host_kind": "enterprise",
            "region": county_a.pk,
            "staff_count": 18,
            "certificate_no": "FORGED-1",  # disabled on the form: ignored
        },
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert (platform.name, platform.staff_count, platform.certificate_no) == (
        "忻州市中试示范基地（更名）",
        18,
        "",
    )


def test_evaluation_through_the_pages(client, bureau_user, county_a):
    client.force_login(bureau_user)
    platform = PlatformFactory(region=county_a, recognised_on=dt.date(2021, 1, 1))
    url = reverse("platforms:platformevaluation_add", kwargs={"pk": platform.pk})
    client.post(url, {"year": 2023, "score": "50"})
    response = client.post(url, {"year": 2024, "score": "40"}, follow=True)
    assert "已提出撤销建议" in response.content.decode()
    home = client.get(reverse("core:home")).content.decode()
    assert "拟撤销的平台" in home


def test_evaluation_export_and_policy_page(client, bureau_user, county_a, county_b):
    client.force_login(bureau_user)
    EvaluationFactory(
        platform=PlatformFactory(region=county_a, name="甲平台"), year=2024, score=Decimal("55")
    )
    EvaluationFactory(platform=PlatformFactory(region=county_b, name="乙平台"), year=2023)
    rows = list(
        _sheet(client.get(reverse("platforms:platformevaluation_export") + "?year=2024")).iter_rows(
            values_only=True
        )
    )
    assert rows[0][:5] == ("平台", "平台类型", "所在县区", "评价年度", "得分")
    assert "" not in rows[0]  # the edit-link column stays out of the file
    assert [(row[0], row[3], Decimal(str(row[4]))) for row in rows[1:]] == [("甲平台", 2024, Decimal("55"))]
    url = reverse("platforms:evaluationpolicy_edit")
    response = client.post(
        url, {"excellent_min": "90", "good_min": "95", "pass_min": "60", "fail_streak_for_revocation": 2}
    )
    assert "合格 ≤ 良好 ≤ 优秀" in response.content.decode()
    client.post(
        url, {"excellent_min": "92", "good_min": "80", "pass_min": "65", "fail_streak_for_revocation": 3}
    )
    policy = EvaluationPolicy.current()
    assert (policy.excellent_min, policy.fail_streak_for_revocation) == (Decimal("92"), 3)


def test_stats_export_matches_the_page(client, bureau_user, leader_user, county_user, county_a, county_b):
    for name, region, kind in (("甲", county_a, "重点实验室"), ("乙", county_b, "众创空间")):
        services.platform_create(
            name=name,
            platform_type=platform_type(kind),
            level="city",
            state=PlatformState.RECOGNISED,
            host=OrganizationFactory(),
            region=region,
            recognised_on=dt.date(2023, 5, 1),
            user=bureau_user,
        )
    client.force_login(leader_user)
    page = client.get(reverse("platforms:platform_stats") + "?year=2023")
    assert page.context["recognised_total"] == 2
    workbook = load_workbook(io.BytesIO(client.get(page.context["export_url"]).content))
    assert workbook.sheetnames[:3] == ["2023年新认定", "2023年纳入筹建", "2023年新认定按县区"]
    rows = list(workbook["2023年新认定"].iter_rows(values_only=True))
    assert rows == [("平台类型", "级别", "数量"), ("重点实验室", "市级", 1), ("众创空间", "市级", 1)]
    # A county's workbook holds its own county only, whatever it asks for.
    client.force_login(county_user)
    response = client.get(reverse("platforms:platform_stats_export") + f"?year=2023&region={county_b.pk}")
    workbook = load_workbook(io.BytesIO(response.content))
    assert "2023年新认定按县区" not in workbook.sheetnames
    assert list(workbook["2023年新认定"].iter_rows(values_only=True))[1:] == [("重点实验室", "市级", 1)]
