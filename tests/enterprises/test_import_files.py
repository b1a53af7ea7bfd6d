"""Import uploads leave no orphan files; over-long values are row errors in the preview, never cut short;
real files with other headers, one sheet or a title row are read."""

from __future__ import annotations

import datetime as dt
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from enterprises import importer
from enterprises.models import Enterprise
from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.core.spreadsheets import IMPORT_UPLOAD_DIR, import_uploads_sweep
from kejiju.core.tasks import sweep_import_uploads
from tests.enterprises.factories import make_uscc
from tests.enterprises.test_import import ENTERPRISE_HEADERS, enterprise_row, workbook_bytes
from tests.security.corpus import files

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _post(client, content: bytes, name: str = "企业.xlsx"):
    return client.post(reverse("enterprises:enterprise_import"), {"file": SimpleUploadedFile(name, content)})


# ------------------------------------------------------------------------------------------ lengths


def _with_long_texts(content: bytes, replacements: dict[str, str]) -> bytes:
    """openpyxl writes at most 32,767 characters a cell (Excel's limit); other tools write more."""
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    for marker, text in replacements.items():
        sheet = sheet.replace(marker, text)
    return files._replace_members(content, {"xl/worksheets/sheet1.xml": sheet.encode()})


def test_a_100000_character_name_is_a_row_error_with_its_length(client, bureau_user, media):
    rows = [enterprise_row(1), enterprise_row(2)]
    rows[1][0], rows[1][6] = "LONG-NAME", "LONG-ADDRESS"
    content = _with_long_texts(
        workbook_bytes(rows), {"LONG-NAME": "名" * 100_000, "LONG-ADDRESS": "址" * 100_000}
    )
    parsed = importer.parse(content=content, name="企业.xlsx", user=bureau_user)
    found = {(e.row, e.column): e.message for e in parsed.errors}
    assert found[(3, "企业名称")] == "“企业名称”长 100000 字，超过上限 200 字。"
    assert found[(3, "地址")] == "“地址”长 100000 字，超过上限 200 字。"
    assert "“企业”第3行【企业名称】" in str(parsed.errors[0])

    client.force_login(bureau_user)
    page = _post(client, content).content.decode()
    assert "长 100000 字，超过上限 200 字" in page and "未导入任何数据" in page
    assert not Enterprise.objects.exists() and _files(media) == []


def test_a_contact_over_50_fails_in_the_preview_not_at_confirm(client, bureau_user, media):
    row = enterprise_row(1)
    row[7] = "联" * 51
    client.force_login(bureau_user)
    page = _post(client, workbook_bytes([row])).content.decode()
    assert "“联系人”长 51 字，超过上限 50 字" in page
    assert _files(media) == []  # nothing waits for a confirmation
    response = client.post(reverse("enterprises:enterprise_import_confirm"))
    assert response.status_code == 302 and not Enterprise.objects.exists()


def test_values_at_their_limit_are_stored_whole(client, bureau_user, media):
    row = enterprise_row(1)
    row[0], row[6], row[7] = "名" * 200, "址" * 200, "联" * 50
    client.force_login(bureau_user)
    assert "检查通过" in _post(client, workbook_bytes([row])).content.decode()
    client.post(reverse("enterprises:enterprise_import_confirm"))
    enterprise = Enterprise.objects.get()
    assert (len(enterprise.name), len(enterprise.address), len(enterprise.contact_person)) == (200, 200, 50)


# ---------------------------------------------------------------------------------------- real files


def test_one_sheet_with_synonym_headers_a_title_row_and_no_optional_columns(client, bureau_user, media):
    content = files.xlsx(
        [
            ["2025年新增企业名单"],
            ["单位名称", "社会信用代码", "所属区县", "门类", "备注"],
            ["同义表头科技有限公司", make_uscc(7), "忻府区", "C", "无"],
        ],
        title="Sheet1",
    )
    parsed = importer.parse(content=content, name="名单.xlsx", user=bureau_user)
    assert parsed.errors == []
    assert [(n, row["name"], row["address"]) for n, row in parsed.enterprises] == [
        (3, "同义表头科技有限公司", "")
    ]


def test_only_required_columns_are_reported_missing(bureau_user):
    content = files.xlsx([["企业名称", "地址"], ["甲公司", "某路"]])
    with pytest.raises(importer.ImportRefused) as refused:
        importer.parse(content=content, name="a.xlsx", user=bureau_user)
    message = str(refused.value)
    assert "缺少列：统一社会信用代码、所在县区、行业门类" in message
    assert "联系人" not in message and "地址" not in message


# ---------------------------------------------------------------------------------------- orphan files


def test_refused_and_erroneous_uploads_leave_no_file(client, bureau_user, media):
    client.force_login(bureau_user)
    before = _files(media)
    for content in (files.macro_workbook(ENTERPRISE_HEADERS), files.malformed_sheet_xml(ENTERPRISE_HEADERS)):
        assert _post(client, content).status_code == 200
    bad = enterprise_row(1)
    bad[2] = "不存在县"
    _post(client, workbook_bytes([bad]))
    assert _files(media) == before


def test_confirmed_import_removes_its_upload(client, bureau_user, media):
    client.force_login(bureau_user)
    _post(client, workbook_bytes([enterprise_row(1)]))
    assert len(_files(media)) == 1  # kept for the confirmation
    client.post(reverse("enterprises:enterprise_import_confirm"))
    assert Enterprise.objects.count() == 1 and _files(media) == []


def test_a_new_preview_replaces_the_unconfirmed_one(client, bureau_user, media):
    client.force_login(bureau_user)
    _post(client, workbook_bytes([enterprise_row(1)]))
    first = _files(media)
    _post(client, workbook_bytes([enterprise_row(2)]))
    second = _files(media)
    assert len(second) == 1 and second != first


def test_failed_background_import_removes_its_upload(bureau_user, media):
    rows = [enterprise_row(1), enterprise_row(2)]
    rows[1][1] = "914403001922038217"
    before = _files(media)
    path = default_storage.save("imports/enterprises/failing.xlsx", ContentFile(workbook_bytes(rows)))
    job = ReportJob.objects.create(
        kind="enterprise_import", parameters={"path": path, "name": "a.xlsx"}, requested_by=bureau_user
    )
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.FAILED and "第3行" in job.error
    assert _files(media) == before and not Enterprise.objects.exists()


def test_finished_background_import_removes_its_upload(bureau_user, media):
    path = default_storage.save(
        "imports/enterprises/ok.xlsx", ContentFile(workbook_bytes([enterprise_row(1)]))
    )
    job = ReportJob.objects.create(
        kind="enterprise_import", parameters={"path": path, "name": "a.xlsx"}, requested_by=bureau_user
    )
    report_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == ReportJob.State.SUCCEEDED, job.error
    assert not default_storage.exists(path)


# ------------------------------------------------------------------------------------------- sweeper


def _aged(path: str, days: float) -> str:
    stamp = (dt.datetime.now() - dt.timedelta(days=days)).timestamp()
    os.utime(default_storage.path(path), (stamp, stamp))
    return path


def test_the_sweeper_removes_only_previews_older_than_a_day(bureau_user, media):
    old = _aged(default_storage.save("imports/enterprises/old.xlsx", ContentFile(b"x")), 2)
    old_other = _aged(default_storage.save("imports/experts/old.xlsx", ContentFile(b"x")), 1.5)
    fresh = _aged(default_storage.save("imports/enterprises/fresh.xlsx", ContentFile(b"x")), 0.5)
    waiting = _aged(default_storage.save("imports/enterprises/waiting.xlsx", ContentFile(b"x")), 3)
    report = _aged(default_storage.save("reports/2025/old.xlsx", ContentFile(b"x")), 30)
    ReportJob.objects.create(
        kind="enterprise_import", parameters={"path": waiting, "name": "w.xlsx"}, requested_by=bureau_user
    )
    assert sorted(import_uploads_sweep()) == sorted([old, old_other])
    assert [default_storage.exists(p) for p in (old, old_other, fresh, waiting, report)] == [
        False,
        False,
        True,
        True,
        True,
    ]
    assert sweep_import_uploads() == 0  # the beat task: a thin call of the same service


def test_the_sweeper_is_scheduled_and_copes_with_no_folder(settings, media):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-import-uploads"]
    assert entry["task"] == "kejiju.core.tasks.sweep_import_uploads"
    assert not default_storage.exists(IMPORT_UPLOAD_DIR)
    assert import_uploads_sweep() == []
