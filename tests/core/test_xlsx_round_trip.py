"""A file the portal writes (kejiju.core.xlsx, XlsxWriter) reads back through the importers as the same
values, text that looks like a formula ("=1+1", "+86 138…", "-x", "@x") included; and the list export of
what was imported shows the stored text, not an apostrophe added in front of it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from enterprises import importer
from enterprises.models import Enterprise
from experts import importing
from experts.models import Expert
from kejiju.core.xlsx import add_sheet, new_workbook, workbook_bytes
from tests.enterprises.factories import make_uscc
from tests.experts.factories import ExpertFieldFactory, OrganizationFactory, make_id_number

pytestmark = pytest.mark.django_db


def _written(sheets: dict[str, tuple[list, list[list]]]) -> bytes:
    workbook = new_workbook(viewer=None)
    for title, (headers, rows) in sheets.items():
        add_sheet(workbook, title=title, headers=headers, rows=rows)
    return workbook_bytes(workbook)


def _exported(client, url_name: str) -> list[tuple]:
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(book.worksheets[0].iter_rows(values_only=True))


def test_enterprises_round_trip(client, bureau_user):
    values = {
        "name": "-x科技有限公司",
        "uscc": make_uscc(501),
        "region": "忻府区",
        "industry_section": "C",
        "industry_code": "3311",
        "established_on": dt.date(2016, 5, 1),
        "address": "=1+1号",
        "contact_person": "@张三",
        "contact_phone": "+86 138 0000 0000",
    }
    headers = [label for _key, label, _required in importer.ENTERPRISE_COLUMNS]
    row = [values[key] for key, _label, _required in importer.ENTERPRISE_COLUMNS]
    figures = [label for _key, label, _kind in importer.FIGURE_COLUMNS]
    content = _written({importer.ENTERPRISE_SHEET: (headers, [row]), importer.FIGURES_SHEET: (figures, [])})
    parsed = importer.parse(content=content, name="企业.xlsx", user=bureau_user)
    assert parsed.ok, parsed.errors
    importer.commit(parsed=parsed, user=bureau_user)
    stored = Enterprise.objects.get(uscc=values["uscc"])
    for key in ("name", "industry_code", "established_on", "address", "contact_person", "contact_phone"):
        assert getattr(stored, key) == values[key], key
    assert stored.region.name == "忻府区"

    client.force_login(bureau_user)
    rows = _exported(client, "enterprises:enterprise_export")
    exported = dict(zip(rows[0], next(r for r in rows[1:] if values["uscc"] in r), strict=True))
    assert exported["企业名称"] == stored.name  # "-x科技有限公司", no apostrophe
    assert exported["成立日期"] == dt.datetime(2016, 5, 1)  # a date cell


def test_experts_round_trip(client, bureau_user, county_a):
    ExpertFieldFactory(name="新材料")
    OrganizationFactory(name="忻州师范学院")
    values = {
        "姓名": "=王五",
        "性别": "男",
        "身份证号码": make_id_number(11),
        "手机号码": "13700000001",
        "职称": "正高级",
        "职务": "@主任",
        "工作单位": "忻州师范学院",
        "专业领域": "新材料",
        "研究方向": "+复合材料",
        "专家类别": "",
        "所在县区": "忻府区",
        "入库日期": dt.date(2023, 6, 1),
        "入库依据": "-2023年专家征集",
    }
    content = _written({importing.SHEET: (list(importing.COLUMNS), [[values[c] for c in importing.COLUMNS]])})
    client.force_login(bureau_user)
    upload = SimpleUploadedFile("experts.xlsx", content)
    response = client.post(reverse("experts:expert_import"), {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    expert = Expert.objects.get()
    assert (expert.name, expert.position, expert.specialty, expert.admission_reason) == (
        "=王五",
        "@主任",
        "+复合材料",
        "-2023年专家征集",
    )
    assert expert.admitted_on == dt.date(2023, 6, 1)
    assert expert.reveal_id_number() == make_id_number(11)

    rows = _exported(client, "experts:expert_export")
    exported = dict(zip(rows[0], rows[1], strict=True))
    assert exported["姓名"] == "=王五"
    assert exported["入库日期"] == dt.datetime(2023, 6, 1)
