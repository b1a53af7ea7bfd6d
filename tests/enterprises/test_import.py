"""xlsx import: per-row errors, all-or-nothing commit, and refusal of unsafe or oversized files."""

from __future__ import annotations

import dataclasses
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from enterprises import importer
from enterprises.models import Enterprise, EnterpriseYear
from kejiju.core import spreadsheets
from kejiju.core.models import Organization
from kejiju.core.services import organization_save
from tests.enterprises.factories import EnterpriseFactory, make_uscc

pytestmark = pytest.mark.django_db

ENTERPRISE_HEADERS = [label for _k, label, _r in importer.ENTERPRISE_COLUMNS]
FIGURE_HEADERS = [label for _k, label, _t in importer.FIGURE_COLUMNS]


def workbook_bytes(enterprises=(), figures=(), *, extra=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.ENTERPRISE_SHEET
    sheet.append(ENTERPRISE_HEADERS)
    for row in enterprises:
        sheet.append(list(row))
    figures_sheet = workbook.create_sheet(importer.FIGURES_SHEET)
    figures_sheet.append(FIGURE_HEADERS)
    for row in figures:
        figures_sheet.append(list(row))
    if extra:
        extra(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def enterprise_row(n: int, region="忻府区"):
    return [f"导入企业{n}", make_uscc(n), region, "C", "3311", "2016-05-01", "地址", "联系人", "0350-1234567"]


def figure_row(n: int, year=2025):
    return [
        make_uscc(n),
        year,
        100,
        30,
        50000000,
        51000000,
        35000000,
        60000000,
        3000000,
        3000000,
        40000000,
        1,
        3,
    ]


def test_thousand_rows_with_row_617_bad_imports_nothing(client, bureau_user):
    rows = [enterprise_row(n) for n in range(1, 1001)]
    rows[615][1] = "914403001922038217"  # spreadsheet row 617 (header is row 1): check character wrong
    content = workbook_bytes(rows, [figure_row(n) for n in range(1, 1001)])
    parsed = importer.parse(content=content, name="企业.xlsx", user=bureau_user)
    # The bad row, and its figures (which point at the enterprise the bad row failed to define).
    assert {e.row for e in parsed.errors} == {617}
    assert (parsed.errors[0].sheet, parsed.errors[0].column) == ("企业", "统一社会信用代码")
    assert "校验码错误" in parsed.errors[0].message
    with pytest.raises(importer.ImportRefused):
        importer.commit(parsed=parsed, user=bureau_user)

    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:enterprise_import"), {"file": SimpleUploadedFile("企业.xlsx", content)}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<td>617</td>" in page and "未导入任何数据" in page
    assert not Enterprise.objects.exists() and not EnterpriseYear.objects.exists()
    # Nothing is waiting for confirmation either.
    response = client.post(reverse("enterprises:enterprise_import_confirm"))
    assert response.status_code == 302 and not Enterprise.objects.exists()


def test_preview_then_commit(client, bureau_user):
    existing = EnterpriseFactory(uscc=make_uscc(3), name="旧名称")
    content = workbook_bytes(
        [enterprise_row(1), enterprise_row(2), enterprise_row(3)],
        [figure_row(1), figure_row(1, 2024), figure_row(3)],
    )
    client.force_login(bureau_user)
    response = client.post(
        reverse("enterprises:enterprise_import"), {"file": SimpleUploadedFile("企业.xlsx", content)}
    )
    page = response.content.decode()
    assert "检查通过" in page and "新增 2" in page and "更新 1" in page
    assert Enterprise.objects.count() == 1  # nothing written by the preview
    response = client.post(reverse("enterprises:enterprise_import_confirm"))
    assert response.status_code == 302
    assert Enterprise.objects.count() == 3
    existing.refresh_from_db()
    assert existing.name == "导入企业3" and existing.organization.name == "导入企业3"
    assert EnterpriseYear.objects.count() == 3
    row = EnterpriseYear.objects.get(enterprise__uscc=make_uscc(1), year=2025)
    assert row.revenue == 50000000 and row.tech_staff == 30


def test_row_errors_name_row_column_and_reason(bureau_user, county_user):
    EnterpriseFactory(uscc=make_uscc(50))
    known = make_uscc(50)
    rows = [enterprise_row(1), enterprise_row(2, region="不存在县"), enterprise_row(1)]
    rows[0][3] = "Z"
    figures = [figure_row(9), [known, 2025, 10, 20], [known, "二〇二五"], [known, 2025, -1], figure_row(2)]
    parsed = importer.parse(content=workbook_bytes(rows, figures), name="a.xlsx", user=bureau_user)
    found = {(e.sheet, e.row, e.column): e.message for e in parsed.errors}
    assert "门类" in found[("企业", 2, "行业门类")]
    assert "不是本市的县区" in found[("企业", 3, "所在县区")]
    assert "与第2行重复" in found[("企业", 4, "统一社会信用代码")]
    assert "未找到该企业" in found[("年度数据", 2, "统一社会信用代码")]
    assert "不能大于职工总数" in found[("年度数据", 3, "科技人员数")]
    assert "整数" in found[("年度数据", 4, "年度")]
    assert "负数" in found[("年度数据", 5, "职工总数")]
    assert "“企业”工作表第3行有错误" in found[("年度数据", 6, "统一社会信用代码")]
    # A county account may import its own county only.
    parsed = importer.parse(
        content=workbook_bytes([enterprise_row(5, region="定襄县")]), name="a.xlsx", user=county_user
    )
    assert parsed.errors[0].message == "只能导入本县区的企业。"


def test_number_for_uscc_is_refused_with_a_hint(bureau_user):
    row = enterprise_row(1)
    row[1] = 911409021234567890
    parsed = importer.parse(content=workbook_bytes([row]), name="a.xlsx", user=bureau_user)
    assert "文本" in parsed.errors[0].message


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("企业.csv", b"a,b\n", "只接受"),
        ("企业.xls", b"\xd0\xcf\x11\xe0", "只接受"),
        ("企业.xlsx", b"not a zip at all", "不是有效的 .xlsx"),
        ("企业.xlsx", b"PK" + b"0" * (importer.MAX_BYTES + 1), "文件过大"),
    ],
)
def test_files_that_are_not_xlsx_are_refused(bureau_user, name, content, message):
    with pytest.raises(importer.ImportRefused, match=message):
        importer.parse(content=content, name=name, user=bureau_user)


def test_zip_bomb_is_refused_before_opening(bureau_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (spreadsheets.MAX_UNCOMPRESSED + 1024))
    content = buffer.getvalue()
    assert len(content) < importer.MAX_BYTES
    with pytest.raises(importer.ImportRefused, match="压缩"):
        importer.parse(content=content, name="bomb.xlsx", user=bureau_user)


def test_xml_bomb_is_refused(bureau_user):
    content = workbook_bytes([enterprise_row(1)])
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = laughs.encode()
            target.writestr(item, data)
    with pytest.raises(importer.ImportRefused, match="无法读取"):
        importer.parse(content=buffer.getvalue(), name="lol.xlsx", user=bureau_user)


def test_formula_is_refused(bureau_user):
    row = enterprise_row(1)
    row[0] = '=CONCAT("a","b")'
    with pytest.raises(importer.ImportRefused, match="第2行A列（企业名称）含有公式"):
        importer.parse(content=workbook_bytes([row]), name="f.xlsx", user=bureau_user)


def test_too_many_rows_is_refused(bureau_user, monkeypatch):
    small = dataclasses.replace(importer.ENTERPRISE_SPEC, max_rows=50)
    monkeypatch.setattr(importer.parsing, "SHEETS", (small, importer.FIGURES_SPEC))
    content = workbook_bytes([enterprise_row(n) for n in range(1, 52)])
    with pytest.raises(importer.ImportRefused, match="超过 50 行"):
        importer.parse(content=content, name="big.xlsx", user=bureau_user)


def test_missing_columns_are_refused(bureau_user):
    workbook = Workbook()
    workbook.active.title = importer.ENTERPRISE_SHEET
    workbook.active.append(["企业名称"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(importer.ImportRefused, match="缺少列"):
        importer.parse(content=buffer.getvalue(), name="a.xlsx", user=bureau_user)


def test_template_round_trips(client, bureau_user):
    client.force_login(bureau_user)
    response = client.get(reverse("enterprises:enterprise_import_template"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames[:2] == [importer.ENTERPRISE_SHEET, importer.FIGURES_SHEET]
    headers = [cell.value.rstrip("*") for cell in workbook[importer.ENTERPRISE_SHEET][1]]
    assert headers == ENTERPRISE_HEADERS


def test_large_file_is_committed_by_a_background_job(
    client, bureau_user, monkeypatch, django_capture_on_commit_callbacks
):
    from kejiju.core.models import ReportJob

    monkeypatch.setattr(importer, "INLINE_ROWS", 2)
    content = workbook_bytes([enterprise_row(n) for n in range(1, 4)], [figure_row(1)])
    client.force_login(bureau_user)
    client.post(reverse("enterprises:enterprise_import"), {"file": SimpleUploadedFile("企业.xlsx", content)})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("enterprises:enterprise_import_confirm"))
    job = ReportJob.objects.get(kind="enterprise_import")
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:reportjob_detail", kwargs={"pk": job.pk}
    )
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED, job.error
    assert job.result == {"file": "企业.xlsx", "enterprises": 3, "figures": 1}
    assert Enterprise.objects.count() == 3 and EnterpriseYear.objects.count() == 1
    receipt = load_workbook(io.BytesIO(job.file.read()))
    assert [row[1] for row in receipt["企业"].iter_rows(min_row=2, values_only=True)] == [
        "导入企业1",
        "导入企业2",
        "导入企业3",
    ]


def test_background_import_fails_with_a_reason_and_writes_nothing(bureau_user):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from kejiju.core.models import ReportJob
    from kejiju.core.services import report_job_run

    rows = [enterprise_row(1), enterprise_row(2)]
    rows[1][1] = "914403001922038217"
    path = default_storage.save("imports/enterprises/test.xlsx", ContentFile(workbook_bytes(rows)))
    job = ReportJob.objects.create(
        kind="enterprise_import", parameters={"path": path, "name": "a.xlsx"}, requested_by=bureau_user
    )
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "第3行" in job.error
    assert not Enterprise.objects.exists()


def test_a_name_another_unit_holds_is_refused_row_by_row(bureau_user):
    """The 单位库's rule (no two units of one name) holds for imported enterprises: a name held by a unit with
    another code is an error of its row; a unit recorded by name only is adopted; a name twice in the file
    is an error of the second row."""
    organization_save(
        organization=Organization(name="忻州职业技术学院", uscc=make_uscc(70), kind="university")
    )
    organization_save(organization=Organization(name="专家单位", kind=Organization.Kind.ENTERPRISE))
    rows = [enterprise_row(1), enterprise_row(2), enterprise_row(3)]
    rows[0][0], rows[1][0], rows[2][0] = "忻州职业技术学院", "专家单位", "专家单位"
    parsed = importer.parse(content=workbook_bytes(rows), name="a.xlsx", user=bureau_user)
    found = {(e.sheet, e.row, e.column): e.message for e in parsed.errors}
    assert found.pop(("企业", 2, "企业名称")) == (
        f"单位库中已有名为“忻州职业技术学院”的单位（统一社会信用代码 {make_uscc(70)}），"
        "请核对企业名称或统一社会信用代码。"
    )
    assert found.pop(("企业", 4, "企业名称")) == "与第3行企业名称相同。"
    assert not found


def test_a_name_taken_between_preview_and_commit_refuses_the_whole_file(bureau_user):
    parsed = importer.parse(
        content=workbook_bytes([enterprise_row(1), enterprise_row(2)]), name="a.xlsx", user=bureau_user
    )
    assert parsed.ok
    organization_save(organization=Organization(name="导入企业2", kind=Organization.Kind.UNIVERSITY))
    with pytest.raises(importer.ImportRefused) as refused:
        importer.commit(parsed=parsed, user=bureau_user)
    assert "“企业”第3行：单位库中已有名为“导入企业2”的单位（未登记统一社会信用代码）" in str(refused.value)
    assert not Enterprise.objects.exists()


def test_a_filled_template_imports_cleanly(client, bureau_user):
    from tests.fill_template import downloaded, fill, headers

    client.force_login(bureau_user)
    content = downloaded(client.get(reverse("enterprises:enterprise_import_template")))
    assert headers(content, importer.ENTERPRISE_SHEET) == ENTERPRISE_HEADERS
    assert headers(content, importer.FIGURES_SHEET) == FIGURE_HEADERS
    filled = fill(
        content, {importer.ENTERPRISE_SHEET: [enterprise_row(1)], importer.FIGURES_SHEET: [figure_row(1)]}
    )
    response = client.post(
        reverse("enterprises:enterprise_import"), {"file": SimpleUploadedFile("企业.xlsx", filled)}
    )
    assert "检查通过" in response.content.decode() and "新增 1" in response.content.decode()
    response = client.post(reverse("enterprises:enterprise_import_confirm"))
    assert response.status_code == 302
    enterprise = Enterprise.objects.get(uscc=make_uscc(1))
    assert enterprise.name == "导入企业1" and enterprise.industry_code == "3311"
    assert EnterpriseYear.objects.get(enterprise=enterprise, year=2025).revenue == 50000000
