"""The monthly progress report as a ReportJob kind: an xlsx (kejiju.core.xlsx) with one sheet per
section; the job becomes the month's current report, replacing the previous file."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kejiju.core.jobs import JobKind, JobOutput
from kejiju.core.xlsx import Formatted, add_sheet, new_workbook, workbook_bytes

from . import rules
from .selectors import MonthlyReportData, monthly_report_data

PERCENT = "0.0%"
INTEGER = "#,##0"
DATETIME = "yyyy-mm-dd hh:mm"
DATE = "yyyy-mm-dd"

NO_FILINGS = "本月暂无县区报送（已报送或已确认）的工作动态。"


def report_filename(year: int, month: int) -> str:
    return f"月度进展报告-{year}-{month:02d}.xlsx"


def write_workbook(data: MonthlyReportData) -> bytes:
    workbook = new_workbook(viewer=None)  # marked at download (ReportJobDownloadView)
    generated = timezone.localtime().replace(tzinfo=None, microsecond=0)
    summary = [
        ("报告月份", f"{data.year}年{data.month}月", None),
        ("报送截止", timezone.localtime(data.deadline).replace(tzinfo=None) - _one_second(), DATETIME),
        ("应报县区数", data.expected, INTEGER),
        ("已报县区数", data.filed, INTEGER),
        ("按时报送数", data.on_time, INTEGER),
        ("逾期报送数", data.late, INTEGER),
        ("报送率", rules.ratio_decimal(data.completeness), PERCENT),
        ("及时率", rules.ratio_decimal(data.timeliness), PERCENT),
        ("生成时间", generated, DATETIME),
    ]
    if not data.has_filings:
        summary.append(("说明", NO_FILINGS, None))
    _key_value_sheet(workbook, "概况", summary)

    add_sheet(
        workbook,
        title="报送情况",
        headers=["县区", "状态", "首次报送时间", "已报送", "按时", "逾期"],
        rows=(
            [
                c["region"],
                c["state"],
                c["submitted_at"].replace(tzinfo=None) if c["submitted_at"] else None,
                "是" if c["filed"] else "否",
                "是" if c["on_time"] else "否",
                "是" if c["late"] else "否",
            ]
            for c in data.counties
        ),
        widths=[18, 10, 18, 8, 8, 8],
        number_formats={2: DATETIME},
    )
    add_sheet(
        workbook,
        title="任务进展",
        headers=[
            "县区",
            "类别",
            "任务名称",
            "合作单位",
            "目标数量",
            "累计完成",
            "完成进度",
            "状态",
            "完成时限",
        ],
        rows=(
            [
                t["region"],
                t["category"],
                t["title"],
                t["partner"],
                t["target"],
                t["done"],
                (t["percent"] / 100) if t["percent"] is not None else None,
                t["status"],
                t["deadline"],
            ]
            for t in data.tasks
        ),
        widths=[14, 20, 40, 28, 10, 10, 10, 10, 12],
        number_formats={4: INTEGER, 5: INTEGER, 6: PERCENT, 8: DATE},
    )
    add_sheet(
        workbook,
        title="任务分类汇总",
        headers=["类别", "任务数", "目标数量", "累计完成", "完成率"],
        rows=(
            [c["category"], c["tasks"], c["target"], c["done"], rules.ratio_decimal(c["rate"])]
            for c in data.task_categories
        ),
        widths=[22, 10, 10, 10, 10],
        number_formats={1: INTEGER, 2: INTEGER, 3: INTEGER, 4: PERCENT},
    )
    labels = [label for _, label in data.figure_labels]
    figure_rows = [[row["region"], *row["values"]] for row in data.figures]
    figure_rows.append(["全市合计", *[data.figure_totals[key] for key, _ in data.figure_labels]])
    add_sheet(
        workbook,
        title="月度数据",
        headers=["县区", *labels],
        rows=figure_rows,
        widths=[14, *[max(12, len(label) * 2) for label in labels]],
        number_formats=dict.fromkeys(range(1, len(labels) + 1), INTEGER),
    )
    add_sheet(
        workbook,
        title="工作动态",
        headers=["县区", "重点工作进展", "存在问题", "下月计划"],
        rows=([h["region"], h["key_progress"], h["problems"], h["next_plan"]] for h in data.highlights),
        widths=[14, 60, 40, 40],
    )
    return workbook_bytes(workbook)


def _one_second() -> dt.timedelta:
    return dt.timedelta(seconds=1)


def _key_value_sheet(workbook, title: str, rows) -> None:
    add_sheet(
        workbook,
        title=title,
        headers=["项目", "内容"],
        rows=([label, Formatted(value, number_format)] for label, value, number_format in rows),
        widths=[14, 40],
    )


def build_monthly_report(job) -> JobOutput:
    from .services import monthly_report_adopt

    year, month = int(job.parameters["year"]), int(job.parameters["month"])
    data = monthly_report_data(year=year, month=month)
    content = write_workbook(data)
    monthly_report_adopt(job=job)
    return JobOutput(filename=report_filename(year, month), content=content, result=data.as_json())


JOB_KINDS = [
    JobKind(
        "monthly_report",
        "月度进展报告",
        build_monthly_report,
        "reporting.view_monthlyreport",
        describe=lambda p: f"{p['year']}年{p['month']}月月度进展报告",
        index=("月度进展报告", "reporting:monthlyreport_list"),
    ),
]
