"""Import of enterprises and yearly figures from an xlsx workbook: the file is read by the one safe reader
(kejiju.core.spreadsheets: type, size, zip bombs, macros, formulas, XML bombs are refused as a whole), every
row is validated with row number, column and reason in Chinese — by the same function in the preview and at
commit, so that nothing the preview passed fails at commit and nothing is ever cut short — then an
all-or-nothing commit.

One module per stage (sheets: the layout and the file check; rows: one row's cells and checks; parsing:
the whole file; commit: the writes; template: the blank workbook); this package re-exports their public
names and registers the importer (IMPORTER) with kejiju.core.spreadsheets.
"""

from kejiju.core import spreadsheets
from kejiju.core.spreadsheets import RowError

from .commit import commit
from .parsing import parse
from .rows import enterprise_row_errors, figure_row_errors
from .sheets import (
    ENTERPRISE_COLUMNS,
    ENTERPRISE_LABELS,
    ENTERPRISE_SHEET,
    ENTERPRISE_SPEC,
    FIGURE_COLUMNS,
    FIGURE_KINDS,
    FIGURE_LABELS,
    FIGURES_SHEET,
    FIGURES_SPEC,
    INLINE_ROWS,
    MAX_BYTES,
    MAX_ROWS,
    SHEETS,
    UPLOAD_DIR,
    ImportRefused,
    ParsedImport,
    check_file,
)
from .template import template_workbook

__all__ = [
    "ENTERPRISE_COLUMNS",
    "ENTERPRISE_LABELS",
    "ENTERPRISE_SHEET",
    "ENTERPRISE_SPEC",
    "FIGURES_SHEET",
    "FIGURES_SPEC",
    "FIGURE_COLUMNS",
    "FIGURE_KINDS",
    "FIGURE_LABELS",
    "IMPORTER",
    "INLINE_ROWS",
    "MAX_BYTES",
    "MAX_ROWS",
    "SHEETS",
    "UPLOAD_DIR",
    "ImportRefused",
    "ParsedImport",
    "check",
    "check_file",
    "commit",
    "enterprise_row_errors",
    "figure_row_errors",
    "parse",
    "template_workbook",
]


# ------------------------------------------------------------------------------------------ registration


def check(*, content: bytes, name: str, user) -> list[RowError]:
    """Read and validate without writing (the preview): the row errors; a refused file raises."""
    return parse(content=content, name=name, user=user).errors


IMPORTER = spreadsheets.Importer(
    name=UPLOAD_DIR,
    label="企业及年度数据",
    sheets=SHEETS,
    check=check,
    url_name="enterprises:enterprise_import",
    permission="enterprises.import_enterprise",
)
