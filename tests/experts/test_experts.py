"""Expert registry services and pages, 科技副总, 科技特派团/员, list query counts, demo figures."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from experts import selectors, services
from experts.models import Commissioner, Expert, VicePresidentPlacement
from kejiju.core.workflow.selectors import events_for
from kejiju.reporting.annual import CITY
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


def test_state_changes(bureau_user):
    user = bureau_user
    expert = _create(user=user)
    with pytest.raises(ValidationError, match="原因"):
        services.expert_set_state(expert=expert, state="暂停", on=dt.date(2024, 1, 1), reason="", user=user)
    services.expert_set_state(
        expert=expert, state="暂停", on=dt.date(2024, 1, 1), reason="出国访学", user=user
    )
    assert expert.state == "暂停" and expert.exit_reason == "出国访学"
    services.expert_set_state(expert=expert, state="出库", on=dt.date(2024, 6, 1), reason="退休", user=user)
    with pytest.raises(ValidationError, match="重新入库"):
        services.expert_set_state(expert=expert, state="暂停", on=dt.date(2024, 7, 1), reason="x", user=user)
    services.expert_set_state(
        expert=expert, state="在库", on=dt.date(2025, 1, 1), reason="重新聘任", user=user
    )
    assert expert.admitted_on == dt.date(2025, 1, 1) and expert.exited_on is None
    with pytest.raises(ValidationError, match="早于"):
        services.expert_set_state(expert=expert, state="暂停", on=dt.date(2020, 1, 1), reason="x", user=user)
    # Every step is a dated event of the flow experts.expert: 2023's admission stays 2023's.
    assert [(e.action, e.effective_on) for e in events_for(expert)] == [
        ("admit", dt.date(2023, 5, 1)),
        ("suspend", dt.date(2024, 1, 1)),
        ("exit", dt.date(2024, 6, 1)),
        ("readmit", dt.date(2025, 1, 1)),
    ]
    assert selectors.expert_year_figures(user=CITY, year=2023)["admitted"] == 1
    assert selectors.expert_year_figures(user=CITY, year=2025)["admitted"] == 1


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
        "employer": employer.name,
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
    expert = _create(fields=[field], admitted_on=dt.date(2023, 3, 1), user=bureau_user)
    other = _create(
        name="王其他", id_number=make_id_number(503), fields=[field], admitted_on=dt.date(2021, 3, 1)
    )
    response = client.post(
        reverse("experts:expert_state", kwargs={"pk": expert.pk}),
        {"state": "暂停", "on": "2024-02-01", "reason": "本人申请"},
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.state == "暂停"
    detail = client.get(expert.get_absolute_url()).content.decode()
    assert 'data-testid="workflow-events"' in detail and "生效 2024-02-01" in detail and "本人申请" in detail
    body = client.get(
        reverse("experts:expert_list"), {"field": field.pk, "admitted_year": 2023}
    ).content.decode()
    assert expert.get_absolute_url() in body and other.get_absolute_url() not in body
    response = client.get(reverse("experts:expert_export"), {"state": "在库"})
    rows = list(
        load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[0][0] == "姓名" and len(rows) == 2 and expert.name not in {r[0] for r in rows}


def test_employer_filter_matches_part_of_the_units_name(client, bureau_user):
    client.force_login(bureau_user)
    mine = ExpertFactory(employer=OrganizationFactory(name="晋北理工大学"))
    other = ExpertFactory(employer=OrganizationFactory(name="忻州市农业科学研究院"))
    body = client.get(reverse("experts:expert_list"), {"employer": "理工"}).content.decode()
    assert mine.get_absolute_url() in body and other.get_absolute_url() not in body


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
    from django.contrib.contenttypes.models import ContentType

    from experts.models import ReviewPanel, ReviewSubject

    subject_type = ContentType.objects.get_for_model(employer)
    panels = ReviewPanel.objects.bulk_create(
        [
            ReviewPanel(title=f"评审{index}", size=3, state="已完成", created_by=bureau_user)
            for index in range(rows)
        ]
    )
    ReviewSubject.objects.bulk_create(
        [
            ReviewSubject(
                panel=panel,
                position=position,
                subject_type=subject_type,
                subject_id=index * 2 + position,
                title=f"评审对象{index}-{position}",
                applicant=employer,
                is_open=False,
            )
            for index, panel in enumerate(panels)
            for position in (1, 2)
        ]
    )
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
    # A term that ended before today cannot be 在任 (issue 19: 在任 with a term that ended in 2025).
    today = timezone.localdate()
    placement.term_end = today - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.vice_president_save(placement=placement)
    assert error.value.message_dict["state"] == [
        f"任期结束日期（{placement.term_end:%Y-%m-%d}）早于今天（{today:%Y-%m-%d}）：任期已满的科技副总不能为“在任”，"
        "请将状态改为“期满”或更正任期结束日期。"
    ]
    assert not VicePresidentPlacement.objects.exists()
    placement.state = "期满"
    services.vice_president_save(placement=placement)
    placement.state, placement.term_end = "在任", today  # the last day of the term is still 在任
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
    assert selectors.expert_year_figures(user=CITY, year=2023)["admitted"] == 27
    by_field = selectors.experts_admitted_by_field(user=CITY, year=2023)
    assert sum(by_field.values()) == 27
    assert set(by_field) == {"电子信息", "新材料", "新能源", "节能环保", "先进制造与自动化", "现代生物医药"}
    assert selectors.commissioner_figures(user=CITY, year=2023) == {"teams": 11, "members": 171}
    assert selectors.vice_president_figures(user=CITY, year=2023)["universities"] == 65
    assert Commissioner.objects.filter(team__year=2023, is_leader=True).count() == 11
    for expert in Expert.objects.all()[:20]:
        assert expert.reveal_id_number()[-4:] == expert.id_number_masked[-4:]


def test_field_in_use_cannot_be_deleted(client, bureau_user):
    field = ExpertFieldFactory(name="新材料")
    ExpertFactory(fields=[field])
    unused = ExpertFieldFactory(name="空领域")
    client.force_login(bureau_user)
    response = client.post(reverse("experts:expertfield_delete", kwargs={"pk": field.pk}), follow=True)
    assert "仍有 1 位专家" in response.content.decode()
    assert field.__class__.objects.filter(pk=field.pk).exists()
    client.post(reverse("experts:expertfield_delete", kwargs={"pk": unused.pk}))
    assert not field.__class__.objects.filter(pk=unused.pk).exists()


def test_team_with_members_cannot_be_deleted(client, bureau_user, county_a):
    member = CommissionerFactory(team=TeamFactory(counties=[county_a]), county=county_a)
    client.force_login(bureau_user)
    response = client.post(
        reverse("experts:commissionerteam_delete", kwargs={"pk": member.team_id}), follow=True
    )
    assert "仍被其他记录引用" in response.content.decode()
    assert Commissioner.objects.filter(pk=member.pk).exists()


_admitted_serial = iter(range(701, 900, 2))  # odd: 男


def _admit(county, on, *, user, state=None, left=None):
    """An expert admitted on ``on`` through the services (the figures read the events they write); then
    暂停 or 出库 on ``left`` when ``state`` is given."""
    expert = _create(
        id_number=make_id_number(next(_admitted_serial)), county=county, admitted_on=on, user=user
    )
    if state is not None:
        services.expert_set_state(expert=expert, state=state, on=left, reason="测试", user=user)
    return expert


def test_figures_by_county(county_a, county_b, bureau_user):
    _admit(county_a, dt.date(2023, 5, 1), user=bureau_user)
    _admit(None, dt.date(2023, 5, 1), user=bureau_user)
    _admit(county_a, dt.date(2022, 5, 1), user=bureau_user)
    ExpertFactory(county=county_a, admitted_on=dt.date(2023, 5, 1))  # no 入库 event: not counted
    team = TeamFactory(counties=[county_a, county_b])
    CommissionerFactory(team=team, county=county_b)
    CommissionerFactory(team=team, county=county_b)
    TeamFactory(counties=[county_b])  # no members yet: a team all the same
    PlacementFactory(county=county_a, year=2023)
    PlacementFactory(county=None, year=2023)
    empty = {"experts": 0, "commissioner_teams": 0, "commissioners": 0, "vp_candidates": 0}
    assert selectors.figures_by_county(user=CITY, year=2023) == {
        county_a.pk: {**empty, "experts": 1, "commissioner_teams": 1, "vp_candidates": 1},
        None: {**empty, "experts": 1, "vp_candidates": 1},
        county_b.pk: {**empty, "commissioner_teams": 2, "commissioners": 2},
    }
    assert selectors.commissioner_figures(user=CITY, year=2023) == {"teams": 2, "members": 2}
    assert selectors.commissioner_figures(user=CITY, year=2023, region=county_b) == {"teams": 2, "members": 2}
    assert selectors.commissioner_figures(user=CITY, year=2023, region=county_a) == {"teams": 1, "members": 0}


def test_figures_are_scoped_to_the_user(world):
    """The yearly figures count only what the user can see: a county office sees its own county's."""
    county_a, county_b = world.county_a, world.county_b
    team = TeamFactory(counties=[county_a, county_b])
    CommissionerFactory(team=team, county=county_a)
    CommissionerFactory(team=team, county=county_b)
    CommissionerFactory(team=team, county=county_b)
    PlacementFactory(county=county_a, year=2023)
    PlacementFactory(county=county_b, year=2023)
    county = world.users["county"]
    assert selectors.commissioner_figures(user=CITY, year=2023) == {"teams": 1, "members": 3}
    assert selectors.commissioner_figures(user=county, year=2023) == {"teams": 1, "members": 1}
    assert selectors.commissioner_figures(user=county, year=2023, region=county_b)["members"] == 0
    assert selectors.vice_president_figures(user=county, year=2023)["candidates"] == 1
    assert selectors.vice_president_figures(user=world.users["bureau"], year=2023)["candidates"] == 2
    by_county = selectors.figures_by_county(user=county, year=2023)
    assert county_b.pk not in by_county and by_county[county_a.pk]["commissioners"] == 1
    assert by_county[county_a.pk]["commissioner_teams"] == 1


def test_edit_keeps_or_clears_personal_data(client, bureau_user):
    field = ExpertFieldFactory(name="新能源")
    expert = ExpertFactory(fields=[field], id_number=make_id_number(11), mobile="13712345678")
    client.force_login(bureau_user)
    data = {
        "name": "改名",
        "gender": "男",
        "id_number": "",
        "mobile": "",
        "title": "副高",
        "employer": expert.employer.name,
        "fields": [field.pk],
        "admitted_on": "2023-06-01",
    }
    url = reverse("experts:expert_edit", kwargs={"pk": expert.pk})
    assert client.post(url, data).status_code == 302
    expert.refresh_from_db()
    assert expert.name == "改名" and expert.reveal_id_number() == make_id_number(11)
    assert expert.reveal_mobile() == "13712345678"
    assert client.post(url, data | {"mobile": "清除"}).status_code == 302
    expert.refresh_from_db()
    assert expert.mobile_masked == "" and expert.reveal_mobile() == ""


def test_units_and_experts_are_typed_not_chosen():
    from django.core.exceptions import ValidationError as DjangoValidationError

    from experts.fields import ExpertRefField, OrganizationField, OrganizationListField

    unit = OrganizationFactory(name="山西众立法兰有限公司", uscc="91140000MA0GR8XX1Q")
    field = OrganizationField(label="工作单位")
    assert field.clean("山西众立法兰有限公司") == unit
    assert field.clean("91140000ma0gr8xx1q") == unit
    with pytest.raises(DjangoValidationError, match="不在单位库中"):
        field.clean("不存在")
    assert field.prepare_value(unit.pk) == unit.name
    units = OrganizationListField(required=False)
    assert units.clean("山西众立法兰有限公司\n\n") == [unit]
    assert units.prepare_value([unit]) == unit.name

    first = ExpertFactory(name="王同名")
    second = ExpertFactory(name="王同名")
    only = ExpertFactory(name="李唯一")
    experts = ExpertRefField(required=False)
    assert experts.clean("李唯一") == only and experts.clean(str(second.pk)) == second
    with pytest.raises(DjangoValidationError, match="请填写专家编号"):
        experts.clean("王同名")
    assert experts.prepare_value(only.pk) == "李唯一" and experts.prepare_value(first) == str(first.pk)


def test_placement_form_round_trip(client, bureau_user, county_a):
    enterprise = OrganizationFactory(name="定襄县宏伟锻造有限公司", region=county_a)
    university = UniversityFactory(name="太原理工大学")
    expert = ExpertFactory(name="赵副总")
    client.force_login(bureau_user)
    response = client.post(
        reverse("experts:vicepresidentplacement_add"),
        {
            "name": "赵副总",
            "title": "正高",
            "university": university.pk,
            "expert": "赵副总",
            "year": 2023,
            "enterprise": "定襄县宏伟锻造有限公司",
            "term_start": "2023-09-01",
            "term_end": "2025-08-31",
            "state": "在任",
        },
    )
    # The term ended: refused on 状态, naming the end and today; as 期满 it is saved.
    assert response.status_code == 200
    assert "任期已满的科技副总不能为“在任”" in response.context["form"].errors["state"][0]
    assert not VicePresidentPlacement.objects.exists()
    response = client.post(
        reverse("experts:vicepresidentplacement_add"),
        {
            "name": "赵副总",
            "title": "正高",
            "university": university.pk,
            "expert": "赵副总",
            "year": 2023,
            "enterprise": "定襄县宏伟锻造有限公司",
            "term_start": "2023-09-01",
            "term_end": "2025-08-31",
            "state": "期满",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    placement = VicePresidentPlacement.objects.get()
    assert placement.enterprise == enterprise and placement.county == county_a and placement.expert == expert
    body = client.get(
        reverse("experts:vicepresidentplacement_edit", kwargs={"pk": placement.pk})
    ).content.decode()
    assert 'value="定襄县宏伟锻造有限公司"' in body and 'value="赵副总"' in body


def test_expert_year_figures_against_a_known_library(county_a, county_b, bureau_user):
    """新入库 in the year (an 入库 or 重新入库 event effective in it) and 在库 at its end (the state on 31
    December by the events), city-wide and of one county, built through the services."""
    user = bureau_user
    _admit(county_a, dt.date(2023, 3, 1), user=user)
    _admit(county_a, dt.date(2023, 12, 31), user=user)
    _admit(county_b, dt.date(2022, 5, 1), user=user)
    # Left in 2024: in the library at the end of 2023, not at the end of 2024.
    _admit(county_b, dt.date(2021, 5, 1), user=user, state="出库", left=dt.date(2024, 2, 1))
    # Left in 2023, and one admitted in 2024: in neither count of 2023.
    _admit(county_a, dt.date(2020, 1, 1), user=user, state="出库", left=dt.date(2023, 6, 1))
    _admit(county_a, dt.date(2024, 1, 2), user=user)
    # Suspended in 2023: not 在库 at its end.
    _admit(county_b, dt.date(2019, 1, 1), user=user, state="暂停", left=dt.date(2023, 2, 1))
    assert selectors.expert_year_figures(user=CITY, year=2023) == {"admitted": 2, "in_library": 4}
    assert selectors.expert_year_figures(user=CITY, year=2023, region=county_a) == {
        "admitted": 2,
        "in_library": 2,
    }
    assert selectors.expert_year_figures(user=CITY, year=2024) == {"admitted": 1, "in_library": 4}
    assert selectors.expert_year_figures(user=CITY, year=2019) == {"admitted": 1, "in_library": 1}
    assert selectors.expert_year_figures(user=CITY, year=2018) == {"admitted": 0, "in_library": 0}
