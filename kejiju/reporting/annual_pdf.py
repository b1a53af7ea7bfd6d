"""The annual summary PDF (WeasyPrint) and its server-side SVG bar charts, and the report job kind
`annual_review` that computes the statistics, keeps them with the job and renders the PDF."""

from __future__ import annotations

import base64
from decimal import Decimal
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from kejiju.accounts.models import Region
from kejiju.core.fonts import FONT_STACK  # every character drawn from some font (see there)
from kejiju.core.jobs import JobKind, JobOutput

from .annual import HEADLINE_LABELS, annual_statistics, summary_sentences
from .definitions import county_table, county_table_parts

PERMISSION = "reporting.view_annualreview"
KIND = "annual_review"


# The tallest SVG drawn in one piece: an SVG is never split across pages, and one taller than the page's
# 255 mm (about 960 px) was cut at its foot (the 130 counties' charts lost more than half of their bars).
CHART_MAX_HEIGHT = 880


def bar_chart(rows: list[tuple[str, float]], *, width: int = 640, bar_height: int = 16) -> str:
    """A horizontal bar chart as SVG: one labelled bar per row, the value at its end. Labels are escaped;
    an empty chart says so. A long chart is drawn as consecutive SVGs of at most CHART_MAX_HEIGHT px on
    one scale, so that each fits a page."""
    return "".join(bar_chart_pieces(rows, width=width, bar_height=bar_height))


def bar_chart_pieces(rows: list[tuple[str, float]], *, width: int = 640, bar_height: int = 16) -> list[str]:
    if not rows:
        return []
    label_width = 150
    gap = 6
    top = 4
    maximum = max((float(value) for _, value in rows), default=0) or 1
    plot = width - label_width - 70
    per_piece = max(1, (CHART_MAX_HEIGHT - top * 2) // (bar_height + gap))
    count = -(-len(rows) // per_piece)
    size = -(-len(rows) // count)  # balanced: 130 rows are 44 + 44 + 42, not 48 + 48 + 34
    pieces = []
    for start in range(0, len(rows), size):
        chunk = rows[start : start + size]
        height = top * 2 + len(chunk) * (bar_height + gap)
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{FONT_STACK}" font-size="10">'
        ]
        for index, (label, value) in enumerate(chunk):
            y = top + index * (bar_height + gap)
            length = max(0.0, float(value) / maximum * plot)
            text = escape(str(label))
            shown = escape(_number(value))
            parts.append(
                f'<text x="{label_width - 6}" y="{y + bar_height - 4}" text-anchor="end">{text}</text>'
                f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" fill="#2f6eb5"/>'
                f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height - 4}">{shown}</text>'
            )
        parts.append("</svg>")
        pieces.append("".join(parts))
    return pieces


def chart_images(pieces: list[str]) -> str:
    """The chart's SVGs as images: inline, WeasyPrint would style and box each of their thousands of
    elements like HTML before drawing them (about a tenth of the PDF's time at province scale)."""
    sources = (base64.b64encode(svg.encode()).decode() for svg in pieces)
    return "".join(f'<img class="chart" alt="" src="data:image/svg+xml;base64,{src}">' for src in sources)


def _number(value) -> str:
    if isinstance(value, str | Decimal):
        return f"{Decimal(value):,.2f}"
    return f"{value:,}"


def charts(stats: dict) -> dict[str, str]:
    """The charts the PDF shows, as <img> markup."""
    counties = stats["counties"]
    result = {
        "platforms_by_type": bar_chart_pieces([(r["label"], r["count"]) for r in stats["platforms_by_type"]]),
        "experts_by_field": bar_chart_pieces([(r["field"], r["count"]) for r in stats["experts_by_field"]]),
        "projects_by_state": bar_chart_pieces([(r["label"], r["count"]) for r in stats["projects_by_state"]]),
        "timeliness": bar_chart_pieces(
            [(r["region"], float(r["on_time_rate"] or 0)) for r in stats["timeliness"]], bar_height=12
        ),
    }
    for key in ("smes", "pool", "commissioners", "projects"):
        result[f"county_{key}"] = bar_chart_pieces([(r["region"], r[key]) for r in counties], bar_height=12)
    trend = stats["trend"]
    for key in ("smes", "pool", "platforms"):
        result[f"trend_{key}"] = bar_chart_pieces(
            [(f"{year}年", value) for year, value in zip(trend["years"], trend["series"][key], strict=True)]
        )
    return {key: mark_safe(chart_images(pieces)) for key, pieces in result.items()}  # noqa: S308 — escaped


def render_pdf(stats: dict, *, generated_at=None, narrative: str = "") -> bytes:
    """The annual summary as PDF bytes (A4, page numbers, running header, repeated table headers)."""
    from weasyprint import HTML

    return HTML(string=render_html(stats, generated_at=generated_at, narrative=narrative)).write_pdf()


def render_html(stats: dict, *, generated_at=None, narrative: str = "") -> str:
    """The page WeasyPrint lays out (the narrative is text: the template escapes it)."""
    table = county_table(stats)
    return render_to_string(
        "reporting/annual/review_pdf.html",
        {
            "stats": stats,
            "summary": summary_sentences(stats),
            "narrative": narrative,
            "charts": charts(stats),
            "county_table": table,
            "county_halves": county_table_parts(table),
            "labels": HEADLINE_LABELS,
            "font_stack": FONT_STACK,
            "generated_at": generated_at or timezone.localtime(),
        },
    )


def review_filename(year: int, region_name: str | None = None) -> str:
    return f"年度工作综述-{year}{'-' + region_name if region_name else ''}.pdf"


def build_annual_review(job) -> JobOutput:
    year = int(job.parameters["year"])
    region = None
    if job.parameters.get("region"):
        region = Region.objects.get(pk=job.parameters["region"])
    stats = annual_statistics(year=year, region=region)
    content = render_pdf(stats, narrative=job.parameters.get("narrative", ""))
    result = {key: value for key, value in stats.items() if key != "appendix"}
    result["appendix_counts"] = stats["appendix"]["totals"]
    return JobOutput(
        filename=review_filename(year, region.name if region else None), content=content, result=result
    )


def describe_review(parameters: dict) -> str:
    region = parameters.get("region_name")
    return f"{parameters['year']}年度工作综述{f'（{region}）' if region else ''}"


JOB_KIND = JobKind(
    KIND,
    "年度工作综述",
    build_annual_review,
    PERMISSION,
    describe=describe_review,
    index=("年度工作综述版本", "reporting:annual_edition_list"),
)
