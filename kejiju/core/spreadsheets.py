"""The one safe spreadsheet reader, used by every import, and the registry of importers.

An uploaded workbook is checked as a file before openpyxl sees it (extension, signature, size, the zip
directory: member count, member names, expanded size and compression ratio, encrypted members, macros),
then read in openpyxl's read-only mode with formulas kept as formulas (``data_only=False``), so that a
formula is refused with its cell named instead of being read as an empty cached value. openpyxl parses the
XML through defusedxml (installed), which refuses entity definitions and external references; those, and
any other error a malformed package raises while it is read, become one Chinese message. Messages never
name a Python exception.

An importer declares its sheets and columns as data (``SheetSpec``/``Column``): the canonical header, the
common synonyms real files use (所属区县 for 所在县区, 单位名称 for 企业名称 …), whether the column is
required, and the model field that bounds its text. A sheet is found by its name, else by its headers,
else it is the only sheet; the header row may sit below a title row.
Only a missing required column is an error.

A cell whose text is longer than its model field allows is a row error naming the row, the column and the
real length — never cut. ``model_errors`` runs the model's own field validation (``clean_fields`` and
``clean``, without the database round trips of relation and uniqueness checks) for one row, with each
message named by its column: importers call it in the preview and again at commit, so that the preview
refuses exactly what the commit would.

Importers register here (``register_importer``) in their AppConfig.ready(): the hostile-file and
over-long-column sweeps run every registered importer. Uploads kept between a preview and its commit live
under ``IMPORT_UPLOAD_DIR``; ``import_uploads_sweep`` (Celery beat) removes the ones older than a day.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import posixpath
import re
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import ParseError

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl.utils import get_column_letter

logger = logging.getLogger(__name__)

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # all members of the zip, expanded
MAX_MEMBERS = 200
MAX_RATIO = 200  # expanded / compressed, per member larger than 1 MB
MAX_COLUMNS = 200  # columns looked at for the header row
HEADER_SCAN_ROWS = 10  # the header row may sit below a title row
ECHO_LIMIT = 30  # characters of a cell's text repeated in a message

XLSX_SIGNATURE = b"PK\x03\x04"
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, or an xlsx encrypted with a password
MACRO_CONTENT_TYPES = ("macroenabled", "vbaproject", "macrosheet", "activex")
IMPORT_UPLOAD_DIR = "imports"
UPLOAD_MAX_AGE = dt.timedelta(days=1)


class SpreadsheetRefused(Exception):
    """The file as a whole is refused; the message says why, in Chinese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# ------------------------------------------------------------------------------------------ declarations


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    # The model field whose max_length bounds the cell's text (None for identifiers, codes and choices
    # that are parsed and checked by their own validators).
    field: Any = None

    @property
    def max_length(self) -> int | None:
        if self.field is None:
            return None
        return getattr(self.field, "max_length", None)

    def names(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


@dataclass(frozen=True)
class SheetSpec:
    title: str
    columns: tuple[Column, ...]
    synonyms: tuple[str, ...] = ()
    max_rows: int = 10_000
    # A required sheet that is found neither by name nor by its headers is the file's first sheet (so that
    # its missing columns are named); an optional one is absent.
    required: bool = False

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(column for column in self.columns if column.required)

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"“{self.sheet}”第{self.row}行" if self.sheet else f"第{self.row}行"
        return f"{where}【{self.column}】：{self.message}" if self.column else f"{where}：{self.message}"


@dataclass
class Row:
    """One data row: its spreadsheet row number, the raw cell values by column key, and the errors the
    reader already found (a text longer than its field); ``failed`` holds those columns' keys."""

    number: int
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)


@dataclass
class Sheet:
    spec: SheetSpec
    title: str  # the sheet's name in the file
    rows: list[Row] = field(default_factory=list)


# -------------------------------------------------------------------------------------------- the file


def upload_content(upload, *, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of an uploaded file, after its name and size were checked (before it is read)."""
    name = getattr(upload, "name", "") or ""
    check_name(name)
    size = getattr(upload, "size", None)
    if size is not None:
        check_size(size, max_bytes=max_bytes)
    upload.seek(0)
    content = upload.read(max_bytes + 1)
    check_size(len(content), max_bytes=max_bytes)
    return content


def check_name(name: str) -> None:
    if not name.lower().endswith(".xlsx"):
        raise SpreadsheetRefused("只接受 Excel 2007 及以上版本的 .xlsx 文件（不接受 .xls、.csv、.xlsm 等）。")


def check_size(size: int, *, max_bytes: int = MAX_BYTES) -> None:
    if size <= 0:
        raise SpreadsheetRefused("文件为空。")
    if size > max_bytes:
        raise SpreadsheetRefused(
            f"文件过大（{size / 1024 / 1024:.1f} MB），上限为 {max_bytes // 1024 // 1024} MB。"
        )


def _unsafe_member_name(name: str) -> bool:
    text = name.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return True
    return ".." in posixpath.normpath(text).split("/") or ".." in text.split("/")


def check_package(*, name: str, content: bytes, max_bytes: int = MAX_BYTES) -> None:
    """Refuse anything that is not a plausible, bounded, macro-free xlsx package before openpyxl sees it."""
    check_name(name)
    check_size(len(content), max_bytes=max_bytes)
    if content.startswith(OLE_SIGNATURE):
        raise SpreadsheetRefused(
            "文件不是有效的 .xlsx 文件：它是旧版 .xls 格式，或设置了打开密码。"
            "请在 Excel 中取消密码并另存为 .xlsx 后再导入。"
        )
    if not content.startswith(XLSX_SIGNATURE):
        raise SpreadsheetRefused("文件不是有效的 .xlsx 文件（无法识别的文件格式）。")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise SpreadsheetRefused(
                    f"文件结构异常（包含 {len(members)} 个部件，上限 {MAX_MEMBERS} 个），已拒绝。"
                )
            total = 0
            for member in members:
                shown = quote(member.filename)
                if _unsafe_member_name(member.filename):
                    raise SpreadsheetRefused(f"文件结构异常（部件名{shown}含有上级目录或绝对路径），已拒绝。")
                if member.flag_bits & 0x1:
                    raise SpreadsheetRefused("文件中有加密的部件，已拒绝。请取消密码后另存为 .xlsx 再导入。")
                total += member.file_size
                if member.file_size > 1024 * 1024 and member.file_size > MAX_RATIO * max(
                    member.compress_size, 1
                ):
                    raise SpreadsheetRefused("文件压缩比异常（疑似压缩炸弹），已拒绝。")
                lowered = member.filename.lower()
                if lowered.endswith("vbaproject.bin") or lowered.startswith("xl/macrosheets/"):
                    raise SpreadsheetRefused("文件包含宏，已拒绝。请另存为不含宏的 .xlsx 文件。")
            if total > MAX_UNCOMPRESSED:
                raise SpreadsheetRefused(
                    f"文件解压后过大（{total / 1024 / 1024:.0f} MB，"
                    f"上限 {MAX_UNCOMPRESSED // 1024 // 1024} MB），已拒绝。"
                )
            names = {member.filename for member in members}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise SpreadsheetRefused("文件不是有效的 .xlsx 工作簿（缺少工作簿部件）。")
            types = archive.read("[Content_Types].xml")[: 1024 * 1024].decode("utf-8", "replace").lower()
            if any(marker in types for marker in MACRO_CONTENT_TYPES):
                raise SpreadsheetRefused("文件包含宏，已拒绝。请另存为不含宏的 .xlsx 文件。")
    except SpreadsheetRefused:
        raise
    except Exception:  # BadZipFile, zlib.error, EOFError, NotImplementedError (an unknown compression) …
        raise SpreadsheetRefused("文件不是有效的 .xlsx 文件（压缩包已损坏）。") from None


def _read_error(error: BaseException) -> SpreadsheetRefused:
    """A Chinese message for whatever openpyxl or defusedxml raised while reading the package."""
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - defusedxml is a dependency
        DefusedXmlException = ()
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and cause not in chain:  # openpyxl wraps the parser's error in a ValueError
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(isinstance(item, DefusedXmlException) for item in chain):
        return SpreadsheetRefused(
            "无法读取该工作簿：文件中含有不安全的 XML 内容（实体定义或外部引用），已拒绝。"
        )
    if any(
        isinstance(item, ParseError) or type(item).__name__ in {"XMLSyntaxError", "ExpatError"}
        for item in chain
    ):
        return SpreadsheetRefused(
            "无法读取该工作簿：工作表的 XML 格式错误，文件可能已损坏。请用 Excel 打开后另存为 .xlsx 再导入。"
        )
    return SpreadsheetRefused(
        "无法读取该工作簿：文件结构不完整或已损坏，或未按 .xlsx 格式保存。"
        "请用 Excel 打开后另存为 .xlsx 再导入。"
    )


# ----------------------------------------------------------------------------------------- the sheets


def normalise_header(value: Any) -> str:
    text = "" if value is None else str(value)
    text = re.sub(r"\s+", "", text).strip("*＊:：")
    return text.replace("(", "（").replace(")", "）")


def _is_formula(cell) -> bool:
    """A formula cell (data type "f"). A text cell whose text starts with "=" is text: the portal's own
    exports write "=1+1" or "+86 138…" as text cells, and they read back as they were stored."""
    if getattr(cell, "data_type", None) == "f":
        return True
    return type(cell.value).__name__ in {"ArrayFormula", "DataTableFormula"}


def _rows(worksheet, **kwargs):
    """(values, index of the first formula cell or None) of each row."""
    for cells in worksheet.iter_rows(**kwargs):
        formula = next((index for index, cell in enumerate(cells) if _is_formula(cell)), None)
        yield [cell.value for cell in cells], formula


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _formula_refused(sheet: str, number: int, index: int, header: str = "") -> SpreadsheetRefused:
    named = f"（{header}）" if header else ""
    return SpreadsheetRefused(
        f"“{sheet}”第{number}行{get_column_letter(index + 1)}列{named}含有公式，"
        "请将公式替换为数值（复制后“选择性粘贴—数值”）再导入。"
    )


def _header_map(values: Sequence[Any], spec: SheetSpec) -> dict[str, int]:
    """Column key → index for one candidate header row: the canonical label first, then the synonyms in
    their declared order; the first cell carrying a name wins."""
    positions: dict[str, int] = {}
    for index, value in enumerate(values):
        positions.setdefault(normalise_header(value), index)
    found: dict[str, int] = {}
    for column in spec.columns:
        for name in column.names():
            index = positions.get(normalise_header(name))
            if index is not None and index not in found.values():
                found[column.key] = index
                break
    return found


def _find_header(worksheet, spec: SheetSpec) -> tuple[int, dict[str, int]] | None:
    """(row number, column map) of the first of the top rows that carries every required column."""
    for number, (values, formula) in enumerate(
        _rows(worksheet, max_row=HEADER_SCAN_ROWS, max_col=MAX_COLUMNS), start=1
    ):
        if formula is not None:
            raise _formula_refused(worksheet.title, number, formula)
        found = _header_map(values, spec)
        if found and all(column.key in found for column in spec.required_columns):
            return number, found
    return None


def _missing_columns(worksheet, spec: SheetSpec) -> SpreadsheetRefused:
    first: Sequence[Any] = ()
    for values in worksheet.iter_rows(max_row=HEADER_SCAN_ROWS, max_col=MAX_COLUMNS, values_only=True):
        if not all(_blank(value) for value in values):
            first = values
            break
    found = _header_map(first, spec)
    missing = [column.label for column in spec.required_columns if column.key not in found]
    return SpreadsheetRefused(
        f"“{worksheet.title}”工作表缺少列：{'、'.join(missing)}。请使用导入模板，或将表头改为模板中的列名。"
    )


def _read_sheet(worksheet, spec: SheetSpec, header: tuple[int, dict[str, int]]) -> Sheet:
    header_row, columns = header
    by_key = {column.key: column for column in spec.columns}
    width = max(columns.values()) + 1
    title = worksheet.title
    sheet = Sheet(spec=spec, title=title)
    for number, (values, formula) in enumerate(
        _rows(worksheet, min_row=header_row + 1, max_col=width), start=header_row + 1
    ):
        if formula is not None:
            label = next((by_key[k].label for k, i in columns.items() if i == formula), "")
            raise _formula_refused(title, number, formula, label)
        if all(_blank(value) for value in values):
            continue
        if len(sheet.rows) >= spec.max_rows:
            raise SpreadsheetRefused(f"“{title}”工作表超过 {spec.max_rows} 行数据，请分批导入。")
        row = Row(
            number=number,
            values={key: values[index] if index < len(values) else None for key, index in columns.items()},
        )
        for key, value in row.values.items():
            limit = by_key[key].max_length
            if limit is None or value is None:
                continue
            length = len(cell_text(value))
            if length > limit:
                row.errors.append(
                    RowError(title, number, by_key[key].label, too_long(by_key[key].label, length, limit))
                )
                row.failed.add(key)
        sheet.rows.append(row)
    return sheet


def read_workbook(*, name: str, content: bytes, sheets: Sequence[SheetSpec]) -> dict[str, Sheet | None]:
    """The data rows of each declared sheet (None for a sheet the file does not have), by spec title.

    A sheet is the one named as declared (or by a synonym); else the first sheet whose top rows carry the
    spec's required columns; else, for the first spec, the only sheet of the file (so that a missing
    column is reported by name). Raises SpreadsheetRefused with a Chinese message."""
    check_package(name=name, content=content)
    from openpyxl import load_workbook

    workbook = None
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
        found: dict[str, Sheet | None] = {}
        claimed: set[str] = set()
        by_name = {normalise_header(ws.title): ws for ws in workbook.worksheets}
        reserved = {normalise_header(n) for spec in sheets for n in (spec.title, *spec.synonyms)}
        for position, spec in enumerate(sheets):
            worksheet = next(
                (by_name[n] for n in map(normalise_header, (spec.title, *spec.synonyms)) if n in by_name),
                None,
            )
            header = None
            if worksheet is not None:
                header = _find_header(worksheet, spec)
            else:
                for candidate in workbook.worksheets:
                    if candidate.title in claimed or normalise_header(candidate.title) in reserved:
                        continue
                    header = _find_header(candidate, spec)
                    if header is not None:
                        worksheet = candidate
                        break
                free = [
                    ws
                    for ws in workbook.worksheets
                    if ws.title not in claimed and normalise_header(ws.title) not in reserved
                ]
                if (
                    worksheet is None
                    and free
                    and (spec.required or (position == 0 and len(workbook.worksheets) == 1))
                ):
                    worksheet = free[0]
            if worksheet is None:
                if spec.required:
                    raise SpreadsheetRefused(f"未找到“{spec.title}”工作表或可读取的数据，请使用导入模板。")
                found[spec.title] = None
                continue
            if header is None:
                raise _missing_columns(worksheet, spec)
            claimed.add(worksheet.title)
            found[spec.title] = _read_sheet(worksheet, spec, header)
        return found
    except (SpreadsheetRefused, SoftTimeLimitExceeded):  # a job's time limit is not the file's fault
        raise
    except Exception as error:  # openpyxl, defusedxml and zipfile raise many kinds; each means "unreadable"
        logger.info("workbook %r refused: %s", name, type(error).__name__)
        raise _read_error(error) from None
    finally:
        if workbook is not None:
            workbook.close()


# ----------------------------------------------------------------------------------------- cell values


def cell_text(value: Any) -> str:
    """A cell as text: a whole float without its '.0', everything stripped; never shortened."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def quote(value: Any, limit: int = ECHO_LIMIT) -> str:
    """A cell's text for a message: quoted, and long ones shown by their start and their length."""
    text = cell_text(value)
    if len(text) > limit:
        return f"“{text[:limit]}…”（共 {len(text)} 字）"
    return f"“{text}”"


def too_long(label: str, length: int, limit: int) -> str:
    return f"“{label}”长 {length} 字，超过上限 {limit} 字。"


def model_errors(
    instance,
    *,
    sheet: str,
    row: int,
    labels: Mapping[str, str],
    exclude: Iterable[str] = (),
    run_clean: bool = True,
) -> list[RowError]:
    """The model's own checks of one row (``clean_fields`` on the columns' fields, then ``clean``) with
    every message named by its column; a text over its max_length names its real length. Relation fields
    are skipped (they hold objects the importer looked up), and so is uniqueness: no database round trip."""
    skipped = set(exclude)
    excluded = {
        f.name for f in instance._meta.fields if f.name not in labels or f.name in skipped or f.is_relation
    }
    errors: list[RowError] = []
    for check in (lambda: instance.clean_fields(exclude=excluded), instance.clean if run_clean else None):
        if check is None:
            continue
        try:
            check()
        except ValidationError as error:
            errors.extend(_named(error, sheet=sheet, row=row, labels=labels))
    return errors


def _named(error: ValidationError, *, sheet: str, row: int, labels: Mapping[str, str]) -> list[RowError]:
    items = (
        error.error_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.error_list)]
    )
    result = []
    for name, problems in items:
        label = labels.get(name, "")
        for problem in problems:
            params = problem.params or {}
            if problem.code == "max_length" and "show_value" in params:
                message = too_long(label, params["show_value"], params["limit_value"])
            else:
                message = "；".join(problem.messages)
            result.append(RowError(sheet, row, label, message))
    return result


def validation_message(error: ValidationError, *, labels: Mapping[str, str]) -> str:
    """A ValidationError raised by a service at commit, its messages named by their columns."""
    return "；".join(
        f"{e.column}：{e.message}" if e.column and e.column not in e.message else e.message
        for e in _named(error, sheet="", row=0, labels=labels)
    )


# ----------------------------------------------------------------------------------- uploads in waiting


def import_upload_save(*, importer: str, content: bytes) -> str:
    """Keep an uploaded workbook between its preview and its commit; returns the storage path."""
    return default_storage.save(
        f"{IMPORT_UPLOAD_DIR}/{importer}/{uuid.uuid4().hex}.xlsx", ContentFile(content)
    )


def import_upload_delete(path: str | None) -> None:
    if path and path.startswith(f"{IMPORT_UPLOAD_DIR}/") and default_storage.exists(path):
        default_storage.delete(path)


def import_uploads_sweep(*, max_age: dt.timedelta = UPLOAD_MAX_AGE) -> list[str]:
    """Remove the uploads kept for a preview that nobody confirmed: older than ``max_age`` and not the
    file of an import job still waiting or running. Returns the removed paths."""
    from .models import ReportJob

    cutoff = timezone.now() - max_age
    waiting = {
        parameters.get("path")
        for parameters in ReportJob.objects.filter(
            state__in=[ReportJob.State.PENDING, ReportJob.State.RUNNING], parameters__has_key="path"
        ).values_list("parameters", flat=True)
        if isinstance(parameters, dict)
    }
    removed = []
    try:
        folders, _files = default_storage.listdir(IMPORT_UPLOAD_DIR)
    except (FileNotFoundError, NotADirectoryError):
        return removed
    for folder in folders:
        base = f"{IMPORT_UPLOAD_DIR}/{folder}"
        for name in default_storage.listdir(base)[1]:
            path = f"{base}/{name}"
            if path in waiting:
                continue
            try:
                modified = default_storage.get_modified_time(path)
            except (FileNotFoundError, NotImplementedError):
                continue
            if modified < cutoff:
                default_storage.delete(path)
                removed.append(path)
    return removed


# ------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Importer:
    """One import path. ``check(content=, name=, user=)`` reads and validates a workbook without writing
    and returns its row errors (raising SpreadsheetRefused for a refused file); ``url_name`` is the
    upload page."""

    name: str
    label: str
    sheets: tuple[SheetSpec, ...]
    check: Callable[..., list[RowError]]
    url_name: str
    permission: str


_importers: dict[str, Importer] = {}


def register_importer(importer: Importer) -> None:
    _importers[importer.name] = importer


def importers() -> list[Importer]:
    return list(_importers.values())
