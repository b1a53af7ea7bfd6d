"""kejiju.core.uploads: generated names for every stored file, files removed when their transaction does not
commit, downloads under the client's name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction

from kejiju.core import uploads
from kejiju.reporting.models import FilingAttachment
from tests.reporting.factories import MonthlyFilingFactory

pytestmark = pytest.mark.django_db

LONG = "忻州市科技局关于开展二〇二四年度科技型中小企业评价入库工作的通知附件一申报材料汇编" * 2
# ReportJob's files are built by the server (report builders choose their names), not uploaded.
NOT_UPLOADS = {"core.ReportJob.file"}


def test_every_file_field_stores_under_a_generated_name():
    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
        and f"{model._meta.app_label}.{model.__name__}.{field.name}" not in NOT_UPLOADS
    ]
    assert len(fields) >= 4
    for field in fields:
        assert isinstance(field.upload_to, uploads.GeneratedName), field


def test_generated_name_keeps_only_a_plain_extension():
    name = uploads.generated_name("reporting")(None, LONG + ".PDF")
    assert re.fullmatch(r"reporting/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", name)
    assert re.fullmatch(r"x/\d{4}/\d{2}/[0-9a-f]{32}", uploads.generated_name("x")(None, "a.p df"))
    assert re.fullmatch(r"x/\d{4}/\d{2}/[0-9a-f]{32}", uploads.generated_name("x")(None, "../../etc/passwd"))


def test_display_name_drops_paths_and_control_characters():
    assert uploads.display_name("../../etc/a\r\nb.pdf") == "ab.pdf"
    assert uploads.display_name("..\\..\\x.pdf") == "x.pdf"
    assert uploads.display_name("") == "附件"
    assert len(uploads.display_name(LONG * 5)) == 255


def _attachment(filing, name="说明.pdf"):
    attachment = FilingAttachment(filing=filing, original_name=name, size=8)
    uploads.store(attachment.file, ContentFile(b"%PDF-1.7", name=name))
    attachment.save()
    return attachment


def _files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def filing(county_a):
    return MonthlyFilingFactory(region=county_a)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings


def test_a_committed_file_stays(media, filing):
    with uploads.atomic():
        attachment = _attachment(filing, LONG + ".pdf")
    assert _files(media) == [Path(media.MEDIA_ROOT, attachment.file.name)]
    assert attachment.original_name == LONG + ".pdf" and LONG not in attachment.file.name


def test_an_exception_removes_the_files_of_the_transaction(media, filing):
    with pytest.raises(ValueError), uploads.atomic():
        _attachment(filing)
        _attachment(filing)
        raise ValueError("the second row is refused")
    assert _files(media) == [] and not FilingAttachment.objects.exists()


def test_set_rollback_removes_the_files(media, filing):
    with uploads.atomic():
        _attachment(filing)
        transaction.set_rollback(True)
    assert _files(media) == []


def test_a_rolled_back_savepoint_inside_removes_its_files_only(media, filing):
    with uploads.atomic():
        kept = _attachment(filing)
        try:
            with transaction.atomic():
                _attachment(filing)
                raise ValueError
        except ValueError:
            pass
    assert _files(media) == [Path(media.MEDIA_ROOT, kept.file.name)]


def test_an_outer_rollback_removes_what_an_inner_block_stored(media, filing):
    with pytest.raises(ValueError), uploads.atomic():
        with uploads.atomic():
            _attachment(filing)
        raise ValueError
    assert _files(media) == []


def test_store_needs_the_uploads_transaction(media, filing):
    with pytest.raises(RuntimeError):
        _attachment(filing)
    with pytest.raises(RuntimeError), transaction.atomic(), uploads.atomic():
        pass
    assert _files(media) == []


def test_delete_on_commit_waits_for_the_commit(media, filing, django_capture_on_commit_callbacks):
    with uploads.atomic():
        attachment = _attachment(filing)
    path = Path(media.MEDIA_ROOT, attachment.file.name)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        uploads.delete_on_commit(attachment.file)
    assert path.exists()
    callbacks[0]()
    assert not path.exists()


def test_download_response_sends_the_original_name(media, filing):
    with uploads.atomic():
        attachment = _attachment(filing, "进展\r\n材料.pdf")
    response = uploads.download_response(attachment.file, filename=attachment.original_name)
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''") and "%E8%BF%9B%E5%B1%95" in disposition
    assert "\r" not in disposition and "\n" not in disposition
    response.file_to_stream.close()


def test_an_ofd_is_sent_as_application_ofd(media, filing):
    """mimetypes knows no .ofd: the table of accepted formats gives its type (GB/T 33190)."""
    with uploads.atomic():
        attachment = _attachment(filing, "批复.ofd")
    response = uploads.download_response(attachment.file, filename=attachment.original_name)
    assert response["Content-Type"] == "application/ofd"
    response.file_to_stream.close()


@pytest.mark.django_db(transaction=True)
def test_real_commits_and_rollbacks(media, county_a):
    """Outside a test's transaction: a real commit keeps the file, a real rollback removes it, and an
    on-commit callback that fails after the commit does not take the committed file away."""
    filing = MonthlyFilingFactory(region=county_a)
    with uploads.atomic():
        kept = _attachment(filing)
    with pytest.raises(ValueError), uploads.atomic():
        _attachment(filing)
        raise ValueError

    def fails():
        raise RuntimeError("a mail server that does not answer")

    with pytest.raises(RuntimeError), uploads.atomic():
        transaction.on_commit(fails)
        after_failed_hook = _attachment(filing)
    stored = {Path(media.MEDIA_ROOT, a.file.name) for a in (kept, after_failed_hook)}
    assert set(_files(media)) == stored
    assert FilingAttachment.objects.count() == 2


# ------------------------------------------------------------------------------------------------ OFD


def _ofd_problem(name: str, content: bytes, **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content)
    return uploads.upload_problem(
        filename=name,
        head=content[:16],
        size=len(content),
        max_bytes=20 * 1024 * 1024,
        upload=upload,
        **kwargs,
    )


def test_a_valid_ofd_is_accepted_where_pdf_is():
    from tests.security.corpus import files

    assert _ofd_problem("文件.ofd", files.OFD) is None
    assert _ofd_problem("文件.OFD", files.OFD, allowed=("pdf", "png")) is None
    # Where no PDF is taken (photos), no OFD either.
    assert "不支持的文件类型" in _ofd_problem("文件.ofd", files.OFD, allowed=uploads.IMAGE_EXTENSIONS)
    assert uploads.CONTENT_TYPES["ofd"] == "application/ofd"


@pytest.mark.parametrize(
    ("builder", "message"),
    [
        ("ofd_without_entry", "根目录缺少 OFD.xml"),
        ("ofd_wrong_root", "根元素不是 ofd:OFD"),
        ("ofd_external_entity", "不是有效的 OFD 文件"),
        ("ofd_billion_laughs", "不是有效的 OFD 文件"),
        ("ofd_path_traversal", "非法路径"),
        ("ofd_zip_bomb", "压缩炸弹"),
        ("ofd_truncated", "不是有效的 OFD 文件"),
    ],
)
def test_a_hostile_ofd_is_refused(builder, message):
    from tests.security.corpus import files

    problem = _ofd_problem("文件.ofd", getattr(files, builder)())
    assert problem and message in problem, problem


def test_a_renamed_file_is_not_an_ofd():
    from tests.security.corpus import files

    assert "与扩展名“.ofd”不符" in _ofd_problem("文件.ofd", files.PDF)
    assert "与扩展名“.ofd”不符" in _ofd_problem("文件.ofd", files.EXE)
    assert "根目录缺少 OFD.xml" in _ofd_problem("文件.ofd", files.xlsx([["甲"]]))
    # The signature alone is not enough: without the file to read, an OFD is refused.
    assert "无法检查" in uploads.upload_problem(
        filename="文件.ofd", head=files.OFD[:16], size=len(files.OFD), max_bytes=1 << 20
    )


def test_an_expanded_size_over_the_limit_is_refused(monkeypatch):
    from tests.security.corpus import files

    monkeypatch.setattr(uploads, "OFD_MAX_EXPANDED", 100)
    assert "解压后超过" in _ofd_problem("文件.ofd", files.OFD)
