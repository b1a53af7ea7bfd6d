import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from kejiju.accounts.models import User
from kejiju.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_sysadmin_creates_a_county_account(client, sysadmin_user, county_b):
    client.force_login(sysadmin_user)
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "dingxiang2",
            "display_name": "定襄县科技局",
            "role": "county",
            "region": county_b.pk,
            "email": "",
            "phone": "",
            "password1": "Dx@2026pass",
            "password2": "Dx@2026pass",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="dingxiang2")
    assert user.region == county_b and user.check_password("Dx@2026pass")
    assert list(user.groups.values_list("name", flat=True)) == ["县区科技局"]
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.ACCOUNT, object_repr="dingxiang2").exists()


def test_county_account_needs_a_region(client, sysadmin_user):
    client.force_login(sysadmin_user)
    response = client.post(
        reverse("accounts:user_add"),
        {
            "username": "x1",
            "display_name": "",
            "role": "county",
            "region": "",
            "password1": "Dx@2026pass",
            "password2": "Dx@2026pass",
        },
    )
    assert response.status_code == 200
    assert "必须绑定所属县区" in response.content.decode()
    assert not User.objects.filter(username="x1").exists()


def test_weak_password_is_refused_with_reason(client, sysadmin_user):
    client.force_login(sysadmin_user)
    response = client.post(
        reverse("accounts:user_add"),
        {"username": "x2", "role": "bureau", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x2").exists()


def test_sysadmin_resets_password_and_deactivates(client, sysadmin_user, county_user):
    client.force_login(sysadmin_user)
    response = client.post(
        reverse("accounts:user_password", args=[county_user.pk]),
        {"new_password1": "New#Pass2026", "new_password2": "New#Pass2026"},
    )
    assert response.status_code == 302
    county_user.refresh_from_db()
    assert county_user.check_password("New#Pass2026")
    client.post(reverse("accounts:user_deactivate", args=[county_user.pk]))
    county_user.refresh_from_db()
    assert county_user.is_active is False
    client.post(reverse("accounts:user_activate", args=[county_user.pk]))
    county_user.refresh_from_db()
    assert county_user.is_active is True


def test_sysadmin_cannot_deactivate_self_or_change_own_role(client, sysadmin_user):
    client.force_login(sysadmin_user)
    client.post(reverse("accounts:user_deactivate", args=[sysadmin_user.pk]))
    sysadmin_user.refresh_from_db()
    assert sysadmin_user.is_active
    response = client.post(
        reverse("accounts:user_edit", args=[sysadmin_user.pk]),
        {"display_name": "x", "role": "bureau", "region": "", "email": "", "phone": ""},
    )
    assert "不能修改自己的角色" in response.content.decode()
    sysadmin_user.refresh_from_db()
    assert sysadmin_user.role == "sysadmin"
    assert Group.objects.get(name="系统管理员").user_set.filter(pk=sysadmin_user.pk).exists()


def test_user_list_query_count_is_constant(
    client, sysadmin_user, make_user, county_a, django_assert_max_num_queries
):
    client.force_login(sysadmin_user)
    for _ in range(60):
        make_user("county", region=county_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200


def test_user_export_is_xlsx(client, sysadmin_user):
    client.force_login(sysadmin_user)
    response = client.get(reverse("accounts:user_export"), {"role": "sysadmin"})
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(workbook.active.values)
    assert rows[0][0] == "用户名"
    assert [row[0] for row in rows[1:]] == [sysadmin_user.username]
