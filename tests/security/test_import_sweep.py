"""Sweeps over every importer registered with the one spreadsheet reader (kejiju.core.spreadsheets).

- Every importer takes the same hostile workbooks (built by tests/security/corpus/files.py from the
  importer's own headers) and refuses each with a Chinese message that names no Python exception, both
  when its check is called and through its upload page (200 with the message, nothing stored on disk).
- Every column an importer maps to a model field with a max_length takes a value one character too long:
  the preview reports it as a row error naming the row, the column, the real length and the limit.
- Guards: every import page of the access matrix belongs to a registered importer, and no module outside
  kejiju/core/spreadsheets.py opens a workbook with openpyxl.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from kejiju.core.spreadsheets import Column, Importer, SheetSpec, SpreadsheetRefused, importers
from tests.access import all_routes
from tests.security.corpus import files

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
CJK = re.compile(r"[\u4e00-\u9fff]")
EXCEPTION_NAME = re.compile(
    r"[A-Z][a-z]+[A-Za-z]*(Error|Exception|Forbidden|Invalid\w*)|BadZipFile|Traceback|Errno|KeyError"
)

# (id, file name, what the message must say, builder of the file from the importer's header row). The
# files carry the header row only: the message must name the hostile trait, not "no data".
HOSTILE: list[tuple[str, str, str, Callable[[list[str]], bytes]]] = [
    ("exe-renamed", "名单.xlsx", "不是有效的 .xlsx 文件（无法识别的文件格式）", lambda header: files.EXE),
    ("html-renamed", "名单.xlsx", "不是有效的 .xlsx 文件（无法识别的文件格式）", lambda header: files.HTML),
    ("legacy-xls-or-password", "名单.xlsx", "旧版 .xls 格式，或设置了打开密码", lambda header: files.OLE_XLS),
    ("xls-extension", "名单.xls", "只接受 Excel 2007", lambda header: files.OLE_XLS),
    ("xlsm-extension", "名单.xlsm", "只接受 Excel 2007", files.macro_workbook),
    ("csv-extension", "名单.csv", "只接受 Excel 2007", lambda header: ",".join(header).encode()),
    ("empty", "名单.xlsx", "文件为空", lambda header: b""),
    ("oversized", "名单.xlsx", "上限为 5 MB", lambda header: files.oversized(6 * MB, head=b"PK\x03\x04")),
    ("zip-signature-only", "名单.xlsx", "压缩包已损坏", lambda header: files.not_a_zip_xlsx()),
    ("truncated", "名单.xlsx", "压缩包已损坏", files.truncated_xlsx),
    ("corrupt-content-types", "名单.xlsx", "压缩包已损坏", files.corrupt_member),
    (
        "corrupt-sheet",
        "名单.xlsx",
        "无法读取该工作簿",
        lambda header: files.corrupt_member(header, "xl/worksheets/sheet1.xml"),
    ),
    ("zip-bomb", "名单.xlsx", "疑似压缩炸弹", files.zip_bomb_shared_strings),
    ("too-many-members", "名单.xlsx", "个部件，上限 200 个", files.many_members),
    ("member-parent-path", "名单.xlsx", "含有上级目录或绝对路径", files.path_traversal_member),
    (
        "member-absolute-path",
        "名单.xlsx",
        "含有上级目录或绝对路径",
        lambda header: files.path_traversal_member(header, "/etc/evil.xml"),
    ),
    ("vba-project", "名单.xlsx", "文件包含宏", files.macro_workbook),
    ("xlsm-content-type", "名单.xlsx", "文件包含宏", files.xlsm_content_type),
    ("xlm-macro-sheet", "名单.xlsx", "文件包含宏", files.macrosheet_workbook),
    ("billion-laughs-shared-strings", "名单.xlsx", "不安全的 XML", files.billion_laughs_shared_strings),
    ("billion-laughs-workbook", "名单.xlsx", "不安全的 XML", files.billion_laughs_workbook),
    ("external-entity", "名单.xlsx", "不安全的 XML", files.external_entity),
    ("malformed-sheet-xml", "名单.xlsx", "XML 格式错误", files.malformed_sheet_xml),
    ("missing-sheet-part", "名单.xlsx", "", files.missing_sheet_part),
    ("formula-in-data", "名单.xlsx", "第2行A列", files.formula_in_data),
]


# Upload pages that belong to one record (a panel's score sheet): how to build that record's URL kwargs.
RECORD_PAGES: dict[str, Callable] = {
    "experts:reviewpanel_scores_import": lambda world: _experts_panel_pk(world),
}


def _experts_panel_pk(world):
    from tests.experts.access import _panel_pk

    return _panel_pk(world)


def _upload_url(importer: Importer, world) -> str:
    build = RECORD_PAGES.get(importer.url_name)
    return reverse(importer.url_name, kwargs=build(world) if build else None)


def _importers() -> list[Importer]:
    found = importers()
    assert found, "no importer registered"
    return found


def _header(spec: SheetSpec) -> list[str]:
    return [column.label for column in spec.columns]


def _media(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def _assert_readable(message: str) -> None:
    assert CJK.search(message), message
    assert not EXCEPTION_NAME.search(message), message


@pytest.mark.parametrize("importer", _importers(), ids=lambda i: i.name)
@pytest.mark.parametrize(("case", "name", "says", "build"), HOSTILE, ids=[case[0] for case in HOSTILE])
def test_every_importer_refuses_every_hostile_workbook(
    client, world, settings, tmp_path, importer, case, name, says, build
):
    settings.MEDIA_ROOT = tmp_path / "media"
    content = build(_header(importer.sheets[0]))
    with pytest.raises(SpreadsheetRefused) as refused:
        importer.check(content=content, name=name, user=world.users["bureau"])
    message = str(refused.value)
    _assert_readable(message)
    assert says in message, message

    client.force_login(world.users["bureau"])
    response = client.post(_upload_url(importer, world), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200, response.status_code
    shown = response.context["form"].errors.get("file")
    assert shown, "the upload page shows no reason"
    for text in shown:
        _assert_readable(text)
    if content:  # an empty upload is refused by the form field itself, in its own words
        assert escape(message) in response.content.decode(), message
    assert _media(tmp_path / "media") == [], "a refused import left a file behind"


def _long_columns() -> list[tuple[Importer, SheetSpec, Column]]:
    return [
        (importer, spec, column)
        for importer in _importers()
        for spec in importer.sheets
        for column in spec.columns
        if column.max_length
    ]


@pytest.mark.parametrize(
    ("importer", "spec", "column"),
    _long_columns(),
    ids=[f"{i.name}-{s.title}-{c.label}" for i, s, c in _long_columns()],
)
def test_every_column_too_long_for_its_field_is_a_row_error(
    client, world, settings, tmp_path, importer, spec, column
):
    settings.MEDIA_ROOT = tmp_path / "media"
    length = column.max_length + 1
    header = _header(spec)
    row = ["长" * length if label == column.label else None for label in header]
    content = files.xlsx_sheets({spec.title: [header, row]})
    errors = importer.check(content=content, name="名单.xlsx", user=world.users["bureau"])
    found = [e for e in errors if e.row == 2 and e.column == column.label]
    assert found, [str(e) for e in errors]
    expected = f"“{column.label}”长 {length} 字，超过上限 {column.max_length} 字"
    assert any(expected in e.message for e in found), [str(e) for e in found]

    client.force_login(world.users["bureau"])
    response = client.post(_upload_url(importer, world), {"file": SimpleUploadedFile("名单.xlsx", content)})
    assert response.status_code == 200
    assert escape(expected) in response.content.decode()


def test_every_import_page_belongs_to_a_registered_importer():
    pages = {route.name for route in all_routes() if route.name.endswith("_import")}
    assert pages, "the matrix names no import page"
    assert pages <= {importer.url_name for importer in _importers()}


def test_no_module_but_the_reader_opens_a_workbook():
    root = Path(__file__).resolve().parents[2]
    reader = root / "kejiju" / "core" / "spreadsheets.py"
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path != reader
        and not {".venv", "tests", "bench", "node_modules"} & set(path.relative_to(root).parts)
        and "load_workbook" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
