"""No heading of the annual review is left at a page's foot: wherever the text before it ends, a heading
goes to the next page with its table's head and first rows (the PDF's own stylesheet, rendered by
WeasyPrint and read back with pdftotext page by page)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.template import engines

from kejiju.core.fonts import FONT_STACK

TEMPLATE = Path(__file__).resolve().parents[3] / "templates" / "reporting" / "annual" / "review_pdf.html"
ROWS = "".join(f"<tr><td>第{n}行</td><td class='num'>{n}</td></tr>" for n in range(1, 13))


def _stylesheet() -> str:
    source = TEMPLATE.read_text(encoding="utf-8")
    style = re.search(r"<style>.*?</style>", source, re.S).group(0)
    return engines["django"].from_string(style).render({"font_stack": FONT_STACK, "stats": {"year": 2023}})


def _pages(html: str) -> list[str]:
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    count = int(
        re.search(
            r"Pages:\s+(\d+)",
            subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode(),
        ).group(1)
    )
    return [
        subprocess.run(
            ["pdftotext", "-f", str(n), "-l", str(n), "-", "-"], input=pdf, capture_output=True, check=True
        ).stdout.decode()
        for n in range(1, count + 1)
    ]


def test_a_heading_keeps_to_its_table_wherever_the_page_ends():
    style = _stylesheet()
    for filler in range(205, 250, 3):  # the heading's place on the page, a few millimetres at a time
        html = (
            f"<html><head>{style}</head><body><div class='filler' id='f'>前文</div>"
            f"<h2>二、创新平台</h2><table><thead><tr><th>平台类型</th><th class='num'>数量</th></tr></thead>"
            f"<tbody>{ROWS}</tbody></table></body></html>"
        ).replace("</head>", f"<style>#f {{ height: {filler}mm; }}</style></head>")
        for page in _pages(html):
            if "二、创新平台" in page:
                rows = re.findall(r"第\d+行", page)
                assert len(rows) >= 3, f"filler {filler}mm: the heading ends its page with {rows}"
