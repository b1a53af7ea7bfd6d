"""Importing experts from a spreadsheet: all or nothing, row-level errors, numbers never echoed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from experts.importing import COLUMNS
from experts.models import Expert
from tests.experts.factories import ExpertFactory, ExpertFieldFactory, OrganizationFactory, make_id_number

pytestmark = pytest.mark.django_db


def _file(rows, headers=COLUMNS):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    handle = io.BytesIO()
    workbook.save(handle)
    return SimpleUploadedFile(
        "experts.xlsx", handle.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


@pytest.fixture
def setup(county_a):
    ExpertFieldFactory(name="新材料")
    ExpertFieldFactory(name="新能源")
    return OrganizationFactory(name="忻州师范学院")


def _row(n, **overrides):
    values = {
        "姓名": f"导入{n}",
        "性别": "男",
        "身份证号码": make_id_number(n * 10 + 1),  # 顺序码 ends in 1: a man
        "手机号码": f"1370000{n:04d}",
        "职称": "正高级",
        "职务": "",
        "工作单位": "忻州师范学院",
        "专业领域": "新材料、新能源",
        "研究方向": "复合材料",
        "专家类别": "",
        "所在县区": "忻府区",
        "入库日期": dt.date(2023, 6, 1),
        "入库依据": "2023年专家征集",
    }
    values.update(overrides)
    return [values[c] for c in COLUMNS]


def test_valid_file_imports_every_row(client, bureau_user, setup):
    client.force_login(bureau_user)
    response = client.post(reverse("experts:expert_import"), {"file": _file([_row(1), _row(2)])})
    assert response.status_code == 302
    experts = Expert.objects.order_by("name")
    assert [e.name for e in experts] == ["导入1", "导入2"]
    assert (
        experts[0].title == "正高" and experts[0].fields.count() == 2 and experts[0].county.name == "忻府区"
    )
    assert experts[0].reveal_id_number() == make_id_number(11)


def test_any_error_imports_nothing_and_masks_numbers(client, bureau_user, setup):
    existing = ExpertFactory()
    bad_id = make_id_number(31)[:-1] + ("0" if make_id_number(31)[-1] != "0" else "1")
    rows = [
        _row(1),
        _row(2, 身份证号码=bad_id),
        _row(3, 手机号码="12345678901"),
        _row(4, 身份证号码=make_id_number(11)),  # same person as row 2's first line
        _row(5, 工作单位="不存在的单位", 专业领域="天文"),
        _row(6, 性别="女"),
        _row(7, 身份证号码=existing.reveal_id_number()),
        _row(8, 身份证号码=110101199003071234),  # typed as a number in Excel
        _row(9, 入库日期="2023年13月1日", 职称="教授"),
    ]
    client.force_login(bureau_user)
    response = client.post(reverse("experts:expert_import"), {"file": _file(rows)})
    body = response.content.decode()
    assert response.status_code == 200 and "未导入任何专家" in body
    assert Expert.objects.count() == 1
    for expected in (
        "校验码错误",
        "手机号码",
        "与第 2 行重复",
        "不在单位库中",
        "不在领域列表中",
        "性别与身份证号码不符",
        "与库内专家重复",
        "被识别为数字",
        "不是有效日期",
        "职称应为",
    ):
        assert expected in body, expected
    for secret in (bad_id, "12345678901", make_id_number(11), existing.reveal_id_number()):
        assert secret not in body


def test_wrong_headers_and_non_xlsx(client, bureau_user, setup):
    client.force_login(bureau_user)
    response = client.post(
        reverse("experts:expert_import"), {"file": _file([_row(1)], headers=["姓名", "别的"])}
    )
    assert "缺少列：性别、身份证号码" in response.content.decode()
    bogus = SimpleUploadedFile("experts.xlsx", b"not a workbook", "application/octet-stream")
    response = client.post(reverse("experts:expert_import"), {"file": bogus})
    assert "不是有效的 .xlsx 文件" in response.content.decode()
    assert not Expert.objects.exists()


def test_template_download(client, bureau_user, setup):
    client.force_login(bureau_user)
    response = client.get(reverse("experts:expert_import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert tuple(str(c.value).rstrip("*") for c in workbook["专家"][1]) == COLUMNS
    assert "新材料" in str([c.value for row in workbook["填写说明"].iter_rows() for c in row])


def test_a_formula_is_refused_with_its_cell_not_reported_as_empty(client, bureau_user, setup):
    client.force_login(bureau_user)
    response = client.post(
        reverse("experts:expert_import"), {"file": _file([_row(1, 姓名='=CONCAT("张","三")')])}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "第2行A列（姓名）含有公式" in body
    assert "姓名不能为空" not in body and not Expert.objects.exists()


def test_malformed_sheet_xml_is_a_message_not_a_500(client, bureau_user, setup):
    from tests.security.corpus import files

    client.force_login(bureau_user)
    content = files.malformed_sheet_xml(list(COLUMNS))
    response = client.post(
        reverse("experts:expert_import"), {"file": SimpleUploadedFile("experts.xlsx", content)}
    )
    assert response.status_code == 200
    assert "工作表的 XML 格式错误" in response.content.decode()


def test_real_files_with_synonym_headers_and_a_title_row(client, bureau_user, setup):
    headers = ["专家姓名", "性别", "身份证号", "手机", "专业技术职称", "单位名称", "技术领域", "入库时间"]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    sheet.append(["2023年度专家征集名单"])
    sheet.append(headers)
    sheet.append(
        ["同义1", "男", make_id_number(11), "13700000001", "正高级", "忻州师范学院", "新材料", "2023-06-01"]
    )
    handle = io.BytesIO()
    workbook.save(handle)
    client.force_login(bureau_user)
    response = client.post(
        reverse("experts:expert_import"), {"file": SimpleUploadedFile("名单.xlsx", handle.getvalue())}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    expert = Expert.objects.get()
    assert expert.name == "同义1" and expert.position == "" and expert.county is None


def test_the_category_column_sets_the_experts_category(client, bureau_user, setup):
    client.force_login(bureau_user)
    response = client.post(reverse("experts:expert_import"), {"file": _file([_row(1, 专家类别="会计")])})
    assert response.status_code == 200
    assert "专家类别应为：技术专家、财务专家、管理专家。" in response.content.decode()
    rows = [_row(1, 专家类别="财务专家"), _row(2, 专家类别="管理"), _row(3)]
    response = client.post(reverse("experts:expert_import"), {"file": _file(rows)})
    assert response.status_code == 302
    categories = list(Expert.objects.order_by("name").values_list("category", flat=True))
    assert categories == ["财务", "管理", "技术"]


def test_a_filled_template_imports_cleanly(client, bureau_user, setup):
    from tests.fill_template import downloaded, fill, headers

    client.force_login(bureau_user)
    content = downloaded(client.get(reverse("experts:expert_import_template")))
    assert tuple(headers(content, "专家")) == COLUMNS
    response = client.post(
        reverse("experts:expert_import"),
        {"file": SimpleUploadedFile("专家.xlsx", fill(content, {"专家": [_row(1)]}))},
    )
    assert response.status_code == 302
    expert = Expert.objects.get()
    assert expert.name == "导入1" and expert.reveal_id_number() == make_id_number(11)
