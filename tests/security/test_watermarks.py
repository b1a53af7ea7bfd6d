"""Watermarks (issue 23): every export and report download names the user who took it and the time; every
page showing personal data carries the on-screen watermark (the viewer's name and the time)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.core import watermark
from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from tests.access import all_routes
from tests.factories import blank_pdf

ROUTES = all_routes()
# The role that looks at a page: the first of these the route allows.
PREFERENCE = ("bureau", "leader", "county", "sysadmin", "auditor", "unit_admin", "applicant", "expert")
# A name a spreadsheet header and an SVG must both take safely.
HOSTILE_NAME = "王<script>alert(1)</script>&五"


def _viewer(world, route):
    role = next(role for role in PREFERENCE if role in route.allowed)
    user = world.users[role]
    user.display_name = HOSTILE_NAME
    user.save(update_fields=["display_name"])
    return user


def _url(route, world):
    return reverse(route.name, kwargs=route.kwargs(world) if route.kwargs else None)


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _job_file(client, response) -> bytes:
    """A POST export queues a job and shows its page: build it and download it as the same user."""
    job = ReportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[-1]))
    report_job_run(job_id=job.pk)
    download = client.get(reverse("core:reportjob_download", args=[job.pk]))
    assert download.status_code == 200, download.content[:300]
    return _body(download)


def assert_xlsx_names(data: bytes, user) -> None:
    """Every sheet of the workbook prints the user's name (escaped for a header: '&&') and a time."""
    label = watermark.viewer_label(user)
    book = load_workbook(io.BytesIO(data))
    assert book.worksheets
    for sheet in book.worksheets:
        header = sheet.oddHeader.center.text or ""
        assert label.replace("&", "&&") in header, (sheet.title, header)
        assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", header), header
    # The data rows stay as they were: the name is in no cell.
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert all(label not in str(value) for value in row if value is not None)


EXPORTS = [route for route in ROUTES if route.name.split(":")[-1].endswith(("_export", "_export_pii"))]


def test_exports_are_found():
    assert len(EXPORTS) > 20
    assert {"experts:expert_export_pii", "accounts:event_export", "projects:overdue_export"} <= {
        route.name for route in EXPORTS
    }


@pytest.mark.django_db
@pytest.mark.parametrize("route", EXPORTS, ids=lambda route: route.name)
def test_every_export_names_its_user_in_the_page_header(client, world, route):
    user = _viewer(world, route)
    client.force_login(user)
    url = _url(route, world)
    if "GET" in route.methods:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        data = _body(response)
    else:
        response = client.post(url, {"query": ""})
        assert response.status_code == 302, response.status_code
        data = _job_file(client, response)
    assert_xlsx_names(data, user)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.django_db
def test_the_annual_summary_pdf_names_whoever_downloads_it(client, world):
    """Stamped at download, not at build: leadership built it, bureau staff download it and get their own
    name on every page; the stored file stays clean."""
    from kejiju.reporting.annual_pdf import KIND

    job = ReportJob.objects.create(
        kind=KIND,
        parameters={"year": 2023, "region": None},
        state=ReportJob.State.SUCCEEDED,
        requested_by=world.users["leader"],
    )
    job.file.save("年度工作综述-2023.pdf", ContentFile(blank_pdf()))
    for role in ("leader", "bureau"):
        user = world.users[role]
        client.force_login(user)
        for name in ("reporting:annual_edition_download", "core:reportjob_download"):
            response = client.get(reverse(name, args=[job.pk]))
            assert response.status_code == 200
            assert response["Content-Type"] == "application/pdf"
            assert "no-store" in response["Cache-Control"]
            text = _pdf_text(_body(response))
            assert user.username in text, (role, name, text[:200])
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        assert _pdf_text(handle.read()).strip() == ""


@pytest.mark.django_db
def test_a_report_xlsx_names_whoever_downloads_it(client, world):
    """The monthly report is built once (by beat or by one user) and downloaded by many: each copy names
    its downloader; the stored file has no header."""
    from kejiju.core.xlsx import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook(viewer=None)
    for title in ("概况", "任务进展"):
        add_sheet(workbook, title=title, headers=["县区", "数量"], rows=[["忻府区", 3], ["=1+1", 4]])
    job = ReportJob.objects.create(
        kind="monthly_report",
        parameters={"year": 2024, "month": 2},
        state=ReportJob.State.SUCCEEDED,
        requested_by=world.users["leader"],
    )
    job.file.save("月度进展报告.xlsx", ContentFile(workbook_bytes(workbook)))
    bureau = world.users["bureau"]
    bureau.display_name = HOSTILE_NAME
    bureau.save(update_fields=["display_name"])
    client.force_login(bureau)
    response = client.get(reverse("core:reportjob_download", args=[job.pk]))
    assert response.status_code == 200
    data = _body(response)
    assert_xlsx_names(data, bureau)
    assert (
        watermark.viewer_label(world.users["leader"])
        not in load_workbook(io.BytesIO(data))["概况"].oddHeader.center.text
    )
    book = load_workbook(io.BytesIO(data))
    assert [list(row) for row in book["概况"].iter_rows(values_only=True)] == [
        ["县区", "数量"],
        ["忻府区", 3],
        ["=1+1", 4],  # a text cell (XlsxWriter write_string), not a formula, no apostrophe added
    ]
    assert book["概况"]["A3"].data_type == "s"
    job.refresh_from_db()
    with job.file.open("rb") as handle:
        stored = load_workbook(io.BytesIO(handle.read()))
    assert not stored["概况"].oddHeader.center.text


def test_stamp_xlsx_keeps_the_sheet_valid_with_elements_after_the_header():
    """The header goes after the sheet's data and before the elements that follow it in the schema; a
    second stamp replaces the first."""
    from kejiju.core.xlsx import add_sheet, new_workbook, workbook_bytes

    workbook = new_workbook(viewer=None)
    add_sheet(workbook, title="表", headers=["甲"], rows=[[index] for index in range(5000)])
    data = workbook_bytes(workbook)
    stamped = watermark.stamp_xlsx(data, "张三 2026-12-07 09:30")
    with zipfile.ZipFile(io.BytesIO(stamped)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert sheet.count(b"<headerFooter>") == 1
    assert sheet.index(b"</sheetData>") < sheet.index(b"<headerFooter>") < sheet.index(b"</worksheet>")
    with zipfile.ZipFile(io.BytesIO(watermark.stamp_xlsx(stamped, "李四 2026-12-07 10:00"))) as archive:
        again = archive.read("xl/worksheets/sheet1.xml").decode()
    assert again.count("<headerFooter>") == 1 and "李四" in again and "张三" not in again
    assert len(list(load_workbook(io.BytesIO(stamped)).active.iter_rows())) == 5001
    with pytest.raises(watermark.WatermarkError):
        watermark.stamp_xlsx(b"PK\x03\x04 not a zip", "x")
    # Elements that follow the header in the schema (a drawing, table parts) stay after it.
    tail = watermark._stamp_sheet_tail(
        b'</sheetData><pageMargins left="0.7"/><drawing r:id="rId1"/><tableParts count="0"/></worksheet>',
        "甲",
    )
    assert tail.index(b"<pageMargins") < tail.index(b"<headerFooter>") < tail.index(b"<drawing")


# ------------------------------------------------------------------------------------------ on screen


@pytest.mark.django_db
def test_the_watermark_picture_names_the_viewer_escaped_and_is_never_cached(client, world):
    from defusedxml import ElementTree

    user = world.users["county"]
    user.display_name = HOSTILE_NAME
    user.save(update_fields=["display_name"])
    client.force_login(user)
    response = client.get(reverse("core:watermark"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    body = response.content.decode()
    assert "<script" not in body
    assert "&lt;script&gt;" in body and "&amp;五" in body
    text = "".join(ElementTree.fromstring(response.content).itertext())
    assert watermark.viewer_label(user) in text
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", text)
    client.logout()
    assert client.get(reverse("core:watermark")).status_code == 302


def test_the_stylesheet_draws_the_watermark_from_that_picture():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "kejiju.css").read_text()
    rule = css[css.index("body.kj-watermark::after") :]
    assert f'url("{reverse("core:watermark")}")' in rule[: rule.index("}")]


# Personal data as pages show it: a 身份证号 or a mobile number, whole or masked.
PERSONAL_DATA = re.compile(r"(?<![\w*])(\d{6}(\d{8}|\*{8})\d{3}[\dXx*]|1[3-9]\d(\d{4}|\*{4})\d{4})(?![\w*])")
# Pages the issue names whatever rows they happen to show: accounts and 在线用户.
NAMED = {
    "accounts:user_list",
    "accounts:user_detail",
    "accounts:usersession_list",
    "experts:expert_list",
    "experts:expert_detail",
    "experts:expert_pii",
    "integrity:integrityrecord_list",
    "integrity:integrityrecord_detail",
    "integrity:integrityrecord_pii",
    "applications:application_detail",
    "applications:teammember_pii",
    "units:account_list",
    "accounts:changelog_list",
}


def _personal_data_world(world):
    """Rows with an ID number and a mobile in county A, so that every list that can show them does."""
    from tests.experts.factories import ExpertFactory

    ExpertFactory()
    world.users["sysadmin"].phone = "13912345678"
    world.users["sysadmin"].save(update_fields=["phone"])


def _body_class(html: str) -> str:
    found = re.search(r'<body class="([^"]*)"', html)
    return found.group(1) if found else ""


@pytest.mark.django_db
def test_every_page_showing_personal_data_carries_the_watermark(client, world):
    """Sweeps every GET page of the access matrix as a role that may open it: a page that shows an ID or
    mobile number (whole or masked) must carry `kj-watermark`, and the pages the issue names must too."""
    _personal_data_world(world)
    named_seen, missing = set(), []
    for route in ROUTES:
        if route.public or "GET" not in route.methods or route in EXPORTS:
            continue
        client.force_login(_viewer(world, route))
        response = client.get(_url(route, world))
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        if "<body" not in html:
            continue  # a fragment
        marked = "kj-watermark" in _body_class(html).split()
        if route.name in NAMED:
            named_seen.add(route.name)
            if not marked:
                missing.append(f"{route.name} (named by the issue)")
        elif not marked and (found := PERSONAL_DATA.search(html)):
            missing.append(f"{route.name} shows {found.group(0)}")
    assert not missing, "\n".join(missing)
    assert named_seen == NAMED, NAMED - named_seen


# A field holding personal data by its name: 身份证号 (masked or not), mobile and phone numbers.
PERSONAL_FIELD = re.compile(r"id_number|mobile|phone")


def _shown_fields(view_class) -> set[str]:
    """The fields a page shows by declaration: its detail rows and its table's columns."""
    names = set(getattr(view_class, "detail_fields", ()) or ())
    table_class = getattr(view_class, "table_class", None)
    if table_class is not None:
        names |= set(table_class.base_columns)
        names |= set(getattr(getattr(table_class, "Meta", None), "fields", ()) or ())
    return names


def test_every_page_declaring_a_personal_data_field_carries_the_watermark():
    """Besides the sweep (which sees only the rows its world holds): a list or detail page whose table or
    detail rows name an ID number, mobile or phone field is marked."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def views(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(
                    pattern.url_patterns, f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                )
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "view_class"):
                yield f"{prefix}{pattern.name}", pattern.callback.view_class

    unmarked = sorted(
        f"{name} ({', '.join(sorted(fields))})"
        for name, view_class in views(get_resolver().url_patterns)
        if (fields := {field for field in _shown_fields(view_class) if PERSONAL_FIELD.search(field)})
        and not name.endswith(("_export", "_export_pii"))
        and not getattr(view_class, "shows_personal_data", False)
    )
    assert not unmarked, "\n".join(unmarked)
