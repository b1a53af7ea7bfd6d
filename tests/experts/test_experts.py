"""Expert registry services and pages, 科技副总, 科技特派团/员, list query counts, demo figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from experts import selectors, services
from experts.models import Commissioner, Expert, VicePresidentPlacement
from tests.experts.factories import (
    CommissionerFactory,
    ExpertFactory,
    ExpertFieldFactory,
    OrganizationFactory,
    PlacementFactory,
    TeamFactory,
    UniversityFactory,
    make_id_number,
)

pytestmark = pytest.mark.django_db


def _create(**overrides):
    options = {
        "name": "李专家",
        "gender": "男",
        "id_number": make_id_number(501),
        "mobile": "13812345678",
        "employer": OrganizationFactory(),
        "title": "正高",
        "fields": [ExpertFieldFactory(name="新能源")],
        "admitted_on": dt.date(2023, 5, 1),
    }
    options.update(overrides)
    return services.expert_create(**options)


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        ("11010119900307123", "应为18位"),
        ("1101011990030712X4", "前17位应为数字"),
        ("110101199013071234", "出生日期"),
        (make_id_number(1)[:-1] + ("0" if make_id_number(1)[-1] != "0" else "1"), "校验码错误"),
        ("", "不能为空"),
    ],
)
def test_invalid_id_numbers(id_number, message):
    with pytest.raises(ValidationError) as error:
        _create(id_number=id_number)
    assert "id_number" in error.value.message_dict
    assert message in error.value.message_dict["id_number"][0]


def test_duplicate_id_number_refused_without_echoing_it():
    first = _create()
    with pytest.raises(ValidationError) as error:
        _create(name="王重复", id_number=make_id_number(501).lower())
    text = error.value.message_dict["id_number"][0]
    assert first.name in text and make_id_number(501) not in text


def test_invalid_mobile_and_missing_fields():
    with pytest.raises(ValidationError) as error:
        _create(mobile="12345")
    assert "mobile" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _create(fields=[])
    assert "专业领域" in error.value.message_dict["fields"][0]


def test_update_keeps_and_replaces_personal_data():
    expert = _create()
    digest = expert.id_number_digest
    common = {
        "name": "李专家",
        "gender": "男",
        "employer": expert.employer,
        "title": "副高",
        "fields": list(expert.fields.all()),
        "admitted_on": expert.admitted_on,
    }
    services.expert_update(expert=expert, **common)
    expert.refresh_from_db()
    assert expert.id_number_digest == digest and expert.reveal_mobile() == "13812345678"
    services.expert_update(expert=expert, id_number=make_id_number(777), mobile="", **common)
    expert.refresh_from_db()
    assert expert.reveal_id_number() == make_id_number(777) and expert.mobile_masked == ""


def test_state_changes():
    expert = _create()
    with pytest.raises(ValidationError, match="原因"):
        services.expert_set_state(expert=expert, state="暂停", on=dt.date(2024, 1, 1), reason="")
    services.expert_set_state(expert=expert, state="暂停", on=dt.date(2024, 1, 1), reason="出国访学")
    assert expert.state == "暂停" and expert.exit_reason == "出国访学"
    services.expert_set_state(expert=expert, state="出库", on=dt.date(2024, 6, 1), reason="退休")
    with pytest.raises(ValidationError, match="重新入库"):
        services.expert_set_state(expert=expert, state="暂停", on=dt.date(2024, 7, 1), reason="x")
    services.expert_set_state(expert=expert, state="在库", on=dt.date(2025, 1, 1), reason="重新聘任")
    assert expert.admitted_on == dt.date(2025, 1, 1) and expert.exited_on is None
    with pytest.raises(ValidationError, match="早于"):
        services.expert_set_state(expert=expert, state="暂停", on=dt.date(2020, 1, 1), reason="x")


def test_create_page_shows_field_errors(client, bureau_user):
    client.force_login(bureau_user)
    field = ExpertFieldFactory(name="电子信息")
    employer = OrganizationFactory()
    data = {
        "name": "赵新",
        "gender": "女",
        "id_number": "110101199003071230",
        "mobile": "13812345678",
        "title": "副高",
        "employer": employer.pk,
        "fields": [field.pk],
        "admitted_on": "2023-06-01",
    }
    response = client.post(reverse("experts:expert_add"), data)
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    data["id_number"] = make_id_number(42)
    response = client.post(reverse("experts:expert_add"), data)
    assert response.status_code == 302
    expert = Expert.objects.get(name="赵新")
    assert response["Location"] == expert.get_absolute_url()
    response = client.post(reverse("experts:expert_add"), data | {"name": "赵重"})
    assert "重复" in response.content.decode()


def test_state_view_and_filters(client, bureau_user):
    client.force_login(bureau_user)
    field = ExpertFieldFactory(name="节能环保")
    expert = ExpertFactory(fields=[field], admitted_on=dt.date(2023, 3, 1))
    ExpertFactory(admitted_on=dt.date(2021, 3, 1))
    response = client.post(
        reverse("experts:expert_state", kwargs={"pk": expert.pk}),
        {"state": "暂停", "on": "2024-02-01", "reason": "本人申请"},
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.state == "暂停"
    body = client.get(
        reverse("experts:expert_list"), {"field": field.pk, "admitted_year": 2023}
    ).content.decode()
    assert expert.name in body
    response = client.get(reverse("experts:expert_export"), {"state": "在库"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "姓名" and len(rows) == 2 and expert.name not in {r[0] for r in rows}


@pytest.mark.parametrize("rows", [10, 120])
def test_list_query_counts(client, bureau_user, county_user, county_a, django_assert_max_num_queries, rows):
    fields = [ExpertFieldFactory(name=f"领域{i}") for i in range(3)]
    employer = OrganizationFactory()
    for index in range(rows):
        ExpertFactory(fields=fields[: 1 + index % 3], employer=employer)
    university = UniversityFactory()
    team = TeamFactory(counties=[county_a])
    for _ in range(rows):
        PlacementFactory(university=university, county=county_a)
        CommissionerFactory(team=team, county=county_a, employer=employer)
    client.force_login(bureau_user)
    for name in (
        "experts:expert_list",
        "experts:vicepresidentplacement_list",
        "experts:commissionerteam_list",
        "experts:commissioner_list",
        "experts:reviewpanel_list",
        "experts:expertfield_list",
    ):
        with django_assert_max_num_queries(16):
            assert client.get(reverse(name)).status_code == 200
    client.force_login(county_user)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("experts:commissioner_list")).status_code == 200


def test_county_sees_only_its_own_placements(client, county_user, county_a, county_b):
    mine = PlacementFactory(name="本县副总", county=county_a)
    PlacementFactory(name="外县副总", county=county_b)
    client.force_login(county_user)
    body = client.get(reverse("experts:vicepresidentplacement_list")).content.decode()
    assert mine.name in body and "外县副总" not in body


def test_placement_rules():
    enterprise = OrganizationFactory()
    placement = PlacementFactory.build(university=UniversityFactory(), state="在任")
    with pytest.raises(ValidationError) as error:
        services.vice_president_save(placement=placement)
    assert "enterprise" in error.value.message_dict
    placement.enterprise = enterprise
    placement.term_start = dt.date(2023, 9, 1)
    placement.term_end = dt.date(2023, 1, 1)
    with pytest.raises(ValidationError) as error:
        services.vice_president_save(placement=placement)
    assert "term_end" in error.value.message_dict
    placement.term_end = dt.date(2025, 8, 31)
    services.vice_president_save(placement=placement)
    assert VicePresidentPlacement.objects.filter(state="在任").count() == 1


def test_commissioner_rules(county_a, county_b):
    team = TeamFactory(counties=[county_a])
    CommissionerFactory(team=team, county=county_a, is_leader=True)
    second = CommissionerFactory.build(
        team=team, county=county_a, is_leader=True, employer=OrganizationFactory()
    )
    with pytest.raises(ValidationError, match="已有团长"):
        services.commissioner_save(commissioner=second)
    second.is_leader = False
    second.county = county_b
    with pytest.raises(ValidationError, match="服务范围"):
        services.commissioner_save(commissioner=second)


def test_demo_figures_match_the_seed():
    from experts.demo import seed_demo_experts

    seed_demo_experts()
    seed_demo_experts()  # idempotent
    assert selectors.expert_year_figures(year=2023)["admitted"] == 27
    by_field = selectors.experts_admitted_by_field(year=2023)
    assert sum(by_field.values()) == 27
    assert set(by_field) == {"电子信息", "新材料", "新能源", "节能环保", "先进制造与自动化", "现代生物医药"}
    assert selectors.commissioner_figures(year=2023) == {"teams": 11, "members": 171}
    assert selectors.vice_president_figures(year=2023)["universities"] == 65
    assert Commissioner.objects.filter(team__year=2023, is_leader=True).count() == 11
    for expert in Expert.objects.all()[:20]:
        assert expert.reveal_id_number()[-4:] == expert.id_number_masked[-4:]
