import pytest
from django.urls import reverse

from kejiju.core.models import Organization

pytestmark = pytest.mark.django_db


def test_county_cannot_forge_another_county_in_a_post(client, county_user, county_b):
    client.force_login(county_user)
    response = client.post(
        reverse("core:organization_add"),
        {"name": "伪造单位", "kind": "enterprise", "uscc": "", "region": county_b.pk, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Organization.objects.filter(name="伪造单位").exists()


def test_county_adds_a_unit_in_its_own_county(client, county_user, county_a):
    client.force_login(county_user)
    response = client.post(
        reverse("core:organization_add"),
        {
            "name": "忻府区某企业",
            "kind": "enterprise",
            "uscc": "911000001000013428",
            "region": county_a.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Organization.objects.get(name="忻府区某企业").region == county_a


def test_bad_uscc_names_the_field(client, bureau_user, county_a):
    client.force_login(bureau_user)
    response = client.post(
        reverse("core:organization_add"),
        {"name": "坏代码", "kind": "enterprise", "uscc": "911000001000013429", "region": county_a.pk},
    )
    assert response.status_code == 200
    assert "校验" in response.content.decode() or "最后一位" in response.content.decode()
    assert not Organization.objects.filter(name="坏代码").exists()


def test_county_list_shows_only_its_county(client, county_user, county_a, county_b):
    Organization.objects.create(name="本县单位", region=county_a)
    Organization.objects.create(name="外县单位", region=county_b)
    client.force_login(county_user)
    page = client.get(reverse("core:organization_list")).content.decode()
    assert "本县单位" in page and "外县单位" not in page


def test_list_query_count_is_constant(client, bureau_user, county_a, django_assert_max_num_queries):
    Organization.objects.bulk_create(Organization(name=f"单位{i}", region=county_a) for i in range(120))
    client.force_login(bureau_user)
    # 11: two county selects in the filter form (所在县区, 科技副总所在县区), one query each.
    with django_assert_max_num_queries(11):
        assert client.get(reverse("core:organization_list")).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(reverse("core:organization_list"), {"page": 3, "sort": "-name"}).status_code == 200


def test_delete_asks_for_confirmation_then_deletes(client, bureau_user, county_a):
    org = Organization.objects.create(name="待删单位", region=county_a)
    client.force_login(bureau_user)
    page = client.get(reverse("core:organization_delete", args=[org.pk])).content.decode()
    assert "确认删除" in page
    assert client.post(reverse("core:organization_delete", args=[org.pk])).status_code == 302
    assert not Organization.objects.filter(pk=org.pk).exists()


def test_detail_shows_change_history(client, bureau_user, county_a):
    client.force_login(bureau_user)
    client.post(
        reverse("core:organization_add"),
        {"name": "有历史的单位", "kind": "institute", "uscc": "", "region": county_a.pk, "is_active": "on"},
    )
    org = Organization.objects.get(name="有历史的单位")
    page = client.get(org.get_absolute_url()).content.decode()
    assert "变更历史" in page and "创建" in page


@pytest.mark.django_db
def test_renaming_a_unit_to_another_units_name_is_refused():
    """单位库 (issue 19): two units named alike would both be offered in every select."""
    from django.core.exceptions import ValidationError

    from kejiju.core.services import organization_save

    first = organization_save(organization=Organization(name="忻州市农业科学研究院"))
    second = organization_save(organization=Organization(name="忻州农科院"))
    second.name = "忻州市农业科学研究院"
    with pytest.raises(ValidationError) as refused:
        organization_save(organization=second)
    assert f"“{first.name}”" in refused.value.message_dict["name"][0]
    assert Organization.objects.get(pk=second.pk).name == "忻州农科院"
    second.name = "忻州市农业科学研究院分院"
    assert organization_save(organization=second).name == "忻州市农业科学研究院分院"


def test_a_second_unit_of_one_name_is_refused_on_the_name_naming_the_unit_there(
    client, bureau_user, county_a
):
    """The form leaves uniqueness to organization_save: its message sits under 单位名称 and names the unit
    already in the 单位库 (the constraint's own message would only say "already exists", atop the form)."""
    Organization.objects.create(name="忻州职业技术学院", kind="university", region=county_a)
    client.force_login(bureau_user)
    response = client.post(
        reverse("core:organization_add"),
        {
            "name": " 忻州职业技术学院 ",
            "kind": "university",
            "uscc": "",
            "region": county_a.pk,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["name"] and "忻州职业技术学院" in errors["name"][0], errors
    assert Organization.objects.filter(name="忻州职业技术学院").count() == 1
