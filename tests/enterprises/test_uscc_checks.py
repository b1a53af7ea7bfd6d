"""统一社会信用代码 beyond its last character: GB 11714 body check (overridable with a reason), department and
category pair and registration area (never overridable), and an area outside the county as a warning."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from enterprises import services
from enterprises.models import Enterprise
from kejiju.core.identifiers import org_code_check_char, uscc_check_char
from tests.enterprises.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def _code(prefix: str = "91", area: str = "140902", body: str = "MA0K4LKE", *, body_check: str = "") -> str:
    first17 = f"{prefix}{area}{body}{body_check or org_code_check_char(body)}"
    return first17 + uscc_check_char(first17)


WRONG_BODY = _code(body_check="0" if org_code_check_char("MA0K4LKE") != "0" else "1")


def _create(user, region, uscc, **extra):
    return services.enterprise_create(
        actor=user,
        name=extra.pop("name", "测试企业"),
        uscc=uscc,
        region=region,
        industry_section="C",
        **extra,
    )


def test_wrong_organisation_code_check_is_refused_then_kept_with_a_reason(bureau_user, county_a):
    with pytest.raises(ValidationError) as error:
        _create(bureau_user, county_a, WRONG_BODY)
    message = error.value.message_dict["uscc"][0]
    assert "第17位应为" in message and "校验码例外" in message
    enterprise = _create(
        bureau_user, county_a, WRONG_BODY, uscc_override=True, uscc_override_reason="登记机关核实无误"
    )
    assert enterprise.uscc_override


@pytest.mark.parametrize("code", ["000000000000000000", _code("98"), _code("91", "999999")])
def test_impossible_codes_are_refused_even_with_the_override(bureau_user, county_a, code):
    with pytest.raises(ValidationError) as error:
        _create(bureau_user, county_a, code, uscc_override=True, uscc_override_reason="试图绕过")
    assert "uscc" in error.value.message_dict
    assert not Enterprise.objects.exists()


def test_form_names_the_positions(client, bureau_user, county_a):
    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:enterprise_add"),
        {"name": "新企业", "uscc": _code("91", "999999"), "region": county_a.pk, "industry_section": "C"},
    )
    assert response.status_code == 200 and not Enterprise.objects.exists()
    assert "第3–8位“999999”" in response.content.decode()


def test_code_of_another_county_is_saved_with_a_warning(client, bureau_user, county_a):
    client.force_login(bureau_user)
    code = _code("91", "140921")  # registered by 定襄县, the enterprise is now in 忻府区
    response = client.post(
        reverse("enterprises:enterprise_add"),
        {
            "name": "迁入企业",
            "uscc": code,
            "region": county_a.pk,
            "industry_section": "C",
            "clean_record": "on",
        },
        follow=True,
    )
    enterprise = Enterprise.objects.get(uscc=code)
    content = response.content.decode()
    assert "140921（属忻州市）" in content and "忻府区" in content
    detail = client.get(enterprise.get_absolute_url()).content.decode()
    assert 'data-testid="uscc-area-warning"' in detail


def test_code_of_the_city_or_the_county_shows_no_warning(client, bureau_user, county_a):
    client.force_login(bureau_user)
    for area in ("140902", "140900"):
        enterprise = EnterpriseFactory(region=county_a, uscc=_code("91", area))
        assert enterprise.uscc_area_warning is None
        assert "uscc-area-warning" not in client.get(enterprise.get_absolute_url()).content.decode()


def test_import_preview_warns_of_a_code_from_another_county_and_imports_it(client, bureau_user, county_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.enterprises.test_import import enterprise_row, workbook_bytes

    moved, local = enterprise_row(1), enterprise_row(2)
    moved[1] = _code("91", "140921")  # registered by 定襄县, now in 忻府区
    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:enterprise_import"),
        {"file": SimpleUploadedFile("企业.xlsx", workbook_bytes([moved, local]))},
    )
    content = response.content.decode()
    assert response.status_code == 200 and 'data-testid="import-warnings"' in content
    assert "140921（属忻州市）" in content and "import-errors" not in content
    warnings = content.split('data-testid="import-warnings"')[1].split("</table>")[0]
    assert warnings.count("<tr><td>") == 1 and "<td>2</td>" in warnings  # row 2 of the sheet; row 3 is local
    client.post(reverse("enterprises:enterprise_import_confirm"))
    assert Enterprise.objects.filter(uscc=moved[1]).exists()
