"""Large imports run as a report job, so that a web worker is not held for the minutes a file of
thousands of rows takes (every row goes through the services, with its audit record). The job commits
all rows or none and leaves a receipt workbook listing what it wrote."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.utils import timezone

from kejiju.core.jobs import JobKind, JobOutput
from kejiju.core.spreadsheets import import_upload_delete
from kejiju.core.xlsx import add_sheet, new_workbook, workbook_bytes

from . import importer

IMPORT_JOB = "enterprise_import"


def build_enterprise_import(job) -> JobOutput:
    path, name = job.parameters["path"], job.parameters["name"]
    if not default_storage.exists(path):
        raise RuntimeError("导入文件已不存在，请重新上传。")
    with default_storage.open(path, "rb") as handle:
        content = handle.read()
    try:
        parsed = importer.parse(content=content, name=name, user=job.requested_by)
        if not parsed.ok:
            raise importer.ImportRefused(
                f"{parsed.errors[0]}等 {len(parsed.errors)} 处错误，未导入任何数据。"
            )
        written, years = importer.commit(parsed=parsed, user=job.requested_by)
    except importer.ImportRefused as error:
        raise RuntimeError(str(error)) from None
    finally:  # after the commit's transaction: the upload is not kept, whether the import ran or failed
        import_upload_delete(path)
    workbook = new_workbook(viewer=None)  # marked at download (ReportJobDownloadView)
    add_sheet(
        workbook,
        title="企业",
        headers=["行号", "企业名称", "统一社会信用代码", "结果"],
        rows=(
            [number, row["name"], row["uscc"], "更新" if row["existing"] else "新增"]
            for number, row in parsed.enterprises
        ),
    )
    add_sheet(
        workbook,
        title="年度数据",
        headers=["行号", "统一社会信用代码", "年度"],
        rows=([number, row["uscc"], row["year"]] for number, row in parsed.figures),
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return JobOutput(
        filename=f"导入回执-{stamp}.xlsx",
        content=workbook_bytes(workbook),
        result={"file": name, "enterprises": written, "figures": years},
    )


JOB_KINDS = [
    JobKind(
        name=IMPORT_JOB,
        label="企业及年度数据导入",
        build=build_enterprise_import,
        permission="enterprises.import_enterprise",
        describe=lambda p: f"企业及年度数据导入（{p['name']}）" if p.get("name") else "企业及年度数据导入",
        index=("企业数据导入", "enterprises:enterprise_import"),
    )
]
