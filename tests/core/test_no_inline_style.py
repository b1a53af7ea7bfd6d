"""The Content Security Policy allows no inline style: no widget of any form carries a `style` attribute
and no page template writes one (the PDF's templates are WeasyPrint's, never served as pages)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("kejiju", "enterprises", "experts", "platforms", "projects")
PDF_TEMPLATES = ("_pdf.html",)


def _python_files():
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_no_widget_sets_an_inline_style():
    found = []
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Dict):
                for key in node.keys:
                    if isinstance(key, ast.Constant) and key.value == "style":
                        found.append(f"{path.relative_to(ROOT)}:{key.lineno}")
    assert len(list(_python_files())) > 100
    assert not found, f"inline style (refused by the CSP; use a class in static/css/kejiju.css): {found}"


def test_no_page_template_writes_an_inline_style():
    found = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if not path.name.endswith(PDF_TEMPLATES) and re.search(r"\sstyle=", path.read_text(encoding="utf-8"))
    ]
    assert not found, f"inline style (refused by the CSP): {found}"
