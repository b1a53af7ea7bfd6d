"""Import of a provincial 失信 list: all or nothing, errors named by row and column, a preview to confirm."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kejiju.integrity import importer, selectors
from kejiju.integrity.models import IntegrityRecord
from tests.integrity.factories import ID_NUMBER, PERSON_ROW, UNIT_ROW, USCC, workbook

pytestmark = pytest.mark.django_db


def _upload(client, content, name="失信名单.xlsx"):
    return client.post(
        reverse("integrity:integrityrecord_import"), {"file": SimpleUploadedFile(name, content)}
    )


def test_a_good_file_is_previewed_then_imported(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.users["bureau"])
    response = _upload(client, workbook([UNIT_ROW, PERSON_ROW]))
    assert response.status_code == 200
    assert "检查通过：失信记录 2 条" in response.content.decode()
    assert not IntegrityRecord.objects.exists()  # nothing before the confirmation
    response = client.post(reverse("integrity:integrityrecord_import_confirm"))
    assert response.status_code == 302
    unit = IntegrityRecord.objects.get(kind="unit")
    assert unit.uscc == USCC and unit.bars_apply and unit.bars_approval and not unit.bars_payment
    person = IntegrityRecord.objects.get(kind="person")
    assert person.ends_on is None and person.bars_expert and person.reveal_id_number() == ID_NUMBER
    assert list(selectors.active_for_person(ID_NUMBER, "expert")) == [person]
    assert not list((tmp_path / "imports").rglob("*.xlsx"))  # the waiting upload is gone


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_saved(world):
    bad_id = "140902198503150018"
    rows = [
        UNIT_ROW,
        ("单位", "某公司", "911000001000013429", "", "", "文号", "", "2025-01-01", "", "申报"),
        ("个人", "王某", "", bad_id, "", "文号", "", "2025-13-01", "", "申报"),
        ("法团", "某", "", "", "", "文号", "", "2025-01-01", "2024-01-01", "出国"),
        UNIT_ROW,
    ]
    errors = importer.check(content=workbook(rows), name="x.xlsx", user=world.users["bureau"])
    where = {(e.row, e.column) for e in errors}
    assert (3, "统一社会信用代码") in where
    assert (4, "身份证号码") in where and (4, "惩戒开始日期") in where
    assert (5, "主体类型") in where and (5, "惩戒范围") in where
    assert (6, "文号/来源") in where  # the same subject, 文号 and start as row 2
    assert not any(bad_id in e.message for e in errors)
    assert not IntegrityRecord.objects.exists()


def test_an_end_before_the_start_is_a_row_error(world):
    row = (*UNIT_ROW[:7], "2025-06-01", "2025-01-01", "申报")
    errors = importer.check(content=workbook([row]), name="x.xlsx", user=world.users["bureau"])
    assert [(e.row, e.column) for e in errors] == [(2, "惩戒结束日期")]


def test_a_row_already_recorded_is_refused(world):
    content = workbook([UNIT_ROW])
    importer.commit(parsed=importer.parse(content=content, name="x.xlsx"), user=world.users["bureau"])
    errors = importer.check(content=content, name="x.xlsx", user=world.users["bureau"])
    assert [(e.row, e.column) for e in errors] == [(2, "文号/来源")]


def test_a_failure_at_commit_rolls_back_every_row(world, monkeypatch):
    from django.core.exceptions import ValidationError

    from kejiju.integrity import services

    parsed = importer.parse(content=workbook([UNIT_ROW, PERSON_ROW]), name="x.xlsx")
    real = services.record_create
    calls = []

    def second_fails(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise ValidationError({"source": "模拟失败"})
        return real(**kwargs)

    monkeypatch.setattr(services, "record_create", second_fails)
    with pytest.raises(importer.ImportRefused) as caught:
        importer.commit(parsed=parsed, user=world.users["bureau"])
    assert "第3行" in str(caught.value) and "未导入任何数据" in str(caught.value)
    assert not IntegrityRecord.objects.exists()


def test_errors_show_on_the_page_never_a_500(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.users["bureau"])
    response = _upload(client, workbook([("个人", "王某", "", "", "", "", "", "", "", "")]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "未导入任何数据" in page and "身份证号码" in page and "文号/来源不能为空" in page
    response = _upload(client, b"not a workbook", name="名单.xlsx")
    assert response.status_code == 200
    response = client.post(reverse("integrity:integrityrecord_import_confirm"))
    assert response.status_code == 302  # nothing waiting: back to the upload page
    assert not IntegrityRecord.objects.exists()


def test_the_template_has_the_columns(client, world):
    client.force_login(world.users["bureau"])
    response = client.get(reverse("integrity:integrityrecord_import_template"))
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header = [cell.value.rstrip("*") for cell in book["失信记录"][1]]
    assert tuple(header) == importer.COLUMNS


def test_a_filled_template_imports_cleanly(client, world, settings, tmp_path):
    from tests.fill_template import downloaded, fill, headers

    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.users["bureau"])
    content = downloaded(client.get(reverse("integrity:integrityrecord_import_template")))
    assert tuple(headers(content, "失信记录")) == importer.COLUMNS
    response = _upload(client, fill(content, {"失信记录": [UNIT_ROW]}))
    assert response.status_code == 200 and "检查通过：失信记录 1 条" in response.content.decode()
    assert client.post(reverse("integrity:integrityrecord_import_confirm")).status_code == 302
    assert IntegrityRecord.objects.get().uscc == USCC
