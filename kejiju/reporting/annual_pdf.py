"""The annual summary PDF (WeasyPrint) and its server-side SVG bar charts, and the report job kind
`annual_review` that computes the statistics, keeps them with the job and renders the PDF."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from kejiju.accounts.models import Region
from kejiju.core.jobs import JobKind, JobOutput

from .annual import HEADLINE_LABELS, annual_statistics, summary_sentences

PERMISSION = "reporting.view_annualreview"
KIND = "annual_review"

# Every character a user may type is drawn from some font, never dropped: Noto CJK (Chinese, and the
# Extension B characters it has, such as 𠮷), DejaVu Sans (Latin, Cyrillic, symbols), Symbola (symbols
# outside those), HanaMin A/B (the rest of the CJK extensions: 𪚥 …). Emoji come from Noto Color Emoji,
# which Pango picks for emoji runs by itself: named here, it would also take the digits (they are emoji
# keycap bases) and draw them full width. The packages are in the Makefile's SYSTEM_PACKAGES and the
# Dockerfile; tests/reporting/annual checks that no character is drawn as .notdef.
FONT_STACK = "'Noto Sans CJK SC', 'DejaVu Sans', 'Symbola', 'HanaMinA', 'HanaMinB', sans-serif"


def bar_chart(rows: list[tuple[str, float]], *, width: int = 640, bar_height: int = 16) -> str:
    """A horizontal bar chart as inline SVG: one labelled bar per row, the value at its end. Labels are
    escaped; an empty chart says so."""
    if not rows:
        return ""
    label_width = 150
    gap = 6
    top = 4
    maximum = max((float(value) for _, value in rows), default=0) or 1
    plot = width - label_width - 70
    height = top * 2 + len(rows) * (bar_height + gap)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT_STACK}" font-size="10">'
    ]
    for index, (label, value) in enumerate(rows):
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
    return "".join(parts)


def _number(value) -> str:
    if isinstance(value, str | Decimal):
        return f"{Decimal(value):,.2f}"
    return f"{value:,}"


def charts(stats: dict) -> dict[str, str]:
    counties = stats["counties"]
    result = {
        "platforms_by_type": bar_chart([(r["label"], r["count"]) for r in stats["platforms_by_type"]]),
        "experts_by_field": bar_chart([(r["field"], r["count"]) for r in stats["experts_by_field"]]),
        "projects_by_state": bar_chart([(r["label"], r["count"]) for r in stats["projects_by_state"]]),
        "timeliness": bar_chart(
            [(r["region"], float(r["on_time_rate"] or 0)) for r in stats["timeliness"]], bar_height=12
        ),
    }
    for key in ("platforms", "smes", "pool", "commissioners", "transfer_bases", "projects"):
        result[f"county_{key}"] = bar_chart([(r["region"], r[key]) for r in counties], bar_height=12)
    trend = stats["trend"]
    for key in ("smes", "pool", "platforms", "projects"):
        result[f"trend_{key}"] = bar_chart(
            [(f"{year}年", value) for year, value in zip(trend["years"], trend["series"][key], strict=True)]
        )
    return {key: mark_safe(svg) for key, svg in result.items()}  # noqa: S308 — built above, text escaped


def render_pdf(stats: dict, *, generated_at=None, narrative: str = "") -> bytes:
    """The annual summary as PDF bytes (A4, page numbers, running header, repeated table headers)."""
    from weasyprint import HTML

    return HTML(string=render_html(stats, generated_at=generated_at, narrative=narrative)).write_pdf()


def render_html(stats: dict, *, generated_at=None, narrative: str = "") -> str:
    """The page WeasyPrint lays out (the narrative is text: the template escapes it)."""
    return render_to_string(
        "reporting/annual/review_pdf.html",
        {
            "stats": stats,
            "summary": summary_sentences(stats),
            "narrative": narrative,
            "charts": charts(stats),
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


JOB_KIND = JobKind(KIND, "年度工作综述", build_annual_review, PERMISSION)
