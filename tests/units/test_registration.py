"""单位注册 end to end: the public form, the county office's verification (the unit is claimed or enters
the 单位库, its administrator's account opens), the return with a reason, and the unit administrator's
applicant accounts."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kejiju.accounts.models import User
from kejiju.accounts.roles import Role
from kejiju.core.models import Organization, WorkflowEvent
from kejiju.core.services import organization_save
from kejiju.core.workflow.services import apply_transition
from kejiju.reporting.models import Notice
from kejiju.units import services
from kejiju.units.models import UnitRegistration
from tests.enterprises.factories import make_uscc
from tests.units.factories import PDF

pytestmark = pytest.mark.django_db
PASSWORD = "Danwei#2026x"


def _captcha(client) -> str:
    """Draw the registration's captcha as the page does; the code the picture shows (from the session)."""
    assert (
        client.get(reverse("core:captcha", kwargs={"scope": "units.register"}))["Content-Type"] == "image/png"
    )
    return client.session["captcha:units.register"]["code"]


def _post(client, **overrides):
    data = _form(**overrides)
    data.setdefault("captcha", _captcha(client))
    return client.post(reverse("units:register"), data)


def _form(**overrides):
    data = {
        "uscc": make_uscc(8101),
        "region": "",
        "name": "忻州市新材料科技有限公司",
        "kind": "enterprise",
        "address": "忻州市忻府区和平街1号",
        "contact_person": "李联系",
        "contact_phone": "0350-3012345",
        "email": "lianxi@example.cn",
        "admin_username": "xcl_admin",
        "admin_display_name": "李管理",
        "admin_password": PASSWORD,
        "admin_password_again": PASSWORD,
        "licence": SimpleUploadedFile("营业执照.pdf", PDF, content_type="application/pdf"),
    }
    data.update(overrides)
    return data


def _service_data(**overrides):
    """The form's data as the service takes it (a Region or None, no repeated password)."""
    data = _form(**overrides)
    data.pop("admin_password_again")
    data.pop("captcha", None)
    data["region"] = data["region"] or None
    return data


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


def test_a_unit_registers_on_the_public_page_and_nothing_opens_until_verified(client, county_a, media):
    response = _post(client, region=county_a.pk)
    assert response.status_code == 302 and response["Location"] == reverse("units:register_done")
    page = client.get(response["Location"]).content.decode()
    assert "忻州市新材料科技有限公司" in page and "忻府区科技局" in page
    registration = UnitRegistration.objects.get()
    assert registration.state == "submitted" and registration.organization is None
    assert registration.admin_password != PASSWORD and check_password(PASSWORD, registration.admin_password)
    assert not User.objects.filter(username="xcl_admin").exists()
    assert not Organization.objects.filter(uscc=make_uscc(8101)).exists()
    assert WorkflowEvent.objects.filter(action="submit", object_id=registration.pk).count() == 1
    assert len(_stored(media)) == 1 and "营业执照" not in str(_stored(media)[0])
    # The done page is shown once; coming back to it leads to the form.
    assert client.get(reverse("units:register_done"))["Location"] == reverse("units:register")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"uscc": "91140900MA0K00001A"}, "uscc", "校验"),
        ({"admin_password_again": "Other#2026x"}, "admin_password_again", "两次输入的密码不一致"),
        ({"admin_password": "12345678", "admin_password_again": "12345678"}, "admin_password", "密码"),
        ({"licence": SimpleUploadedFile("营业执照.pdf", b"MZ\x90\x00exe")}, "licence", ""),
        ({"licence": SimpleUploadedFile("营业执照.exe", b"MZ\x90\x00exe")}, "licence", ""),
    ],
    ids=["uscc", "password-twice", "password-weak", "licence-renamed", "licence-type"],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_kept(client, media, overrides, field, message):
    response = _post(client, **overrides)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field]), errors
    assert not UnitRegistration.objects.exists() and not _stored(media)


def test_a_code_registered_already_reveals_nothing_else(client, media):
    assert _post(client).status_code == 302
    response = _post(client, name="另一个名称", admin_username="other_admin", email="x@example.cn")
    assert response.context["form"].errors == {"uscc": [services.ALREADY_REGISTERED]}
    page = response.content.decode()
    assert "忻州市新材料科技有限公司" not in page and "xcl_admin" not in page
    assert UnitRegistration.objects.count() == 1


def test_the_county_verifies_and_the_unit_administrator_logs_in(
    client, world, county_a, media, django_capture_on_commit_callbacks
):
    _post(client, region=county_a.pk)
    registration = UnitRegistration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(
            record=registration,
            action="verify",
            effective_on=timezone.localdate(),
            actor=world.users["county"],
        )
    registration.refresh_from_db()
    assert registration.state == "verified" and registration.decided_on is not None
    unit = registration.organization
    assert (unit.name, unit.uscc, unit.region) == ("忻州市新材料科技有限公司", make_uscc(8101), county_a)
    admin = User.objects.get(username="xcl_admin")
    assert admin.role == Role.UNIT_ADMIN and admin.organization == unit and registration.admin == admin
    assert not admin.must_change_password
    response = client.post(reverse("accounts:login"), {"username": "xcl_admin", "password": PASSWORD})
    assert response.status_code == 302 and client.session.get("_auth_user_id") == str(admin.pk)
    # The administrator hears of it as of every decision about the unit's records: a notice and an e-mail.
    assert [m.to for m in mail.outbox] == [["lianxi@example.cn"]]
    assert "单位注册" in mail.outbox[0].subject and "核实通过" in mail.outbox[0].subject
    notice = Notice.objects.get(recipient=admin)
    assert "待审核 → 已核实" in notice.body and notice.url == registration.get_absolute_url()


def test_a_unit_in_the_registry_is_claimed_never_recorded_twice(world, county_a, media):
    known = organization_save(
        organization=Organization(name="忻州市旧名称有限公司", uscc=make_uscc(8102), region=county_a)
    )
    registration = services.registration_submit(
        **{
            k: v
            for k, v in _form(uscc=make_uscc(8102), region=county_a).items()
            if k != "admin_password_again"
        }
    )
    assert registration.organization == known
    apply_transition(
        record=registration, action="verify", effective_on=timezone.localdate(), actor=world.users["bureau"]
    )
    known.refresh_from_db()
    assert known.name == "忻州市新材料科技有限公司"
    assert Organization.objects.filter(uscc=make_uscc(8102)).count() == 1


def test_a_name_another_unit_holds_is_refused(media):
    organization_save(organization=Organization(name="忻州市新材料科技有限公司", uscc=make_uscc(8103)))
    with pytest.raises(Exception) as refused:
        services.registration_submit(**_service_data())
    assert "单位库中已有同名单位" in str(refused.value)


def test_a_unit_without_county_is_verified_by_the_bureau_only(world, media):
    registration = services.registration_submit(**_service_data(region=None))
    from kejiju.units.selectors import registration_list

    assert registration not in registration_list(user=world.users["county"])
    assert registration in registration_list(user=world.users["bureau"])


def test_a_return_needs_a_reason_and_tells_the_unit(
    world, county_a, media, django_capture_on_commit_callbacks
):
    registration = services.registration_submit(**_service_data(region=county_a))
    with pytest.raises(Exception, match=r"意见|说明|原因"):
        apply_transition(
            record=registration,
            action="return",
            effective_on=timezone.localdate(),
            actor=world.users["county"],
        )
    with django_capture_on_commit_callbacks(execute=True):
        apply_transition(
            record=registration,
            action="return",
            effective_on=timezone.localdate(),
            actor=world.users["county"],
            comment="营业执照扫描件不清晰",
        )
    registration.refresh_from_db()
    assert registration.state == "returned" and registration.return_reason == "营业执照扫描件不清晰"
    assert "营业执照扫描件不清晰" in mail.outbox[0].body
    # A returned unit registers again with the same code.
    again = services.registration_submit(**_service_data(region=county_a))
    assert again.state == "submitted"


# ------------------------------------------------------------------------------ the unit's accounts


def test_the_unit_administrator_opens_and_stops_applicants_of_the_unit(client, world):
    admin = world.users["unit_admin"]
    client.force_login(admin)
    response = client.post(
        reverse("units:applicant_add"),
        {
            "username": "zhang_fuze",
            "display_name": "张负责",
            "password": "Fuze#2026xy",
            "phone": "",
            "email": "",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    applicant = User.objects.get(username="zhang_fuze")
    assert (applicant.role, applicant.organization, applicant.must_change_password) == (
        Role.APPLICANT,
        world.unit_a,
        True,
    )
    page = client.get(reverse("units:account_list")).content.decode()
    assert "张负责" in page and world.users["other_unit"].username not in page
    client.post(reverse("units:account_active", kwargs={"pk": applicant.pk}), {"active": "0"})
    applicant.refresh_from_db()
    assert not applicant.is_active
    # The administrator's own account is not stopped here.
    with pytest.raises(Exception, match="项目负责人"):
        services.unit_account_set_active(actor=admin, account=admin, active=False)


def test_an_applicant_cannot_open_accounts(world):
    with pytest.raises(Exception, match="单位管理员"):
        services.applicant_create(
            actor=world.users["applicant"], username="x_user", display_name="某人", password="Fuze#2026xy"
        )


def test_a_unit_account_needs_its_unit_and_a_staff_account_has_none(world):
    from django.core.exceptions import ValidationError

    loose = User(username="loose", role=Role.APPLICANT)
    with pytest.raises(ValidationError) as refused:
        loose.full_clean()
    assert "必须绑定所属单位" in str(refused.value)
    staff = User(username="staff_with_unit", role=Role.BUREAU, organization=world.unit_a)
    with pytest.raises(ValidationError, match="只有申报单位管理员和项目负责人账户绑定单位"):
        staff.full_clean()


def test_a_wrong_or_reused_captcha_is_refused(client, media):
    code = _captcha(client)
    response = _post(client, captcha="WRONG")
    assert "验证码不正确" in " ".join(response.context["form"].errors["captcha"])
    # The code of a picture is checked once: after a wrong answer it is gone, right or not.
    response = _post(client, captcha=code)
    assert "captcha" in response.context["form"].errors
    assert not UnitRegistration.objects.exists()
    assert client.get(reverse("core:captcha", kwargs={"scope": "nothing"})).status_code == 404


def test_an_address_that_submits_too_often_is_throttled(client, media, settings):
    from kejiju.units.views import REGISTER_THROTTLE

    for _ in range(REGISTER_THROTTLE.limit):
        assert _post(client, captcha="WRONG").status_code == 200
    response = _post(client)
    assert response.status_code == 429 and REGISTER_THROTTLE.message in response.content.decode()
    assert not UnitRegistration.objects.exists()
    # Another address is not held back.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert _post(other).status_code == 302
