from django.core.management.base import BaseCommand, CommandError

from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.reporting.annual_pdf import KIND


class Command(BaseCommand):
    help = "Build the annual review (年度工作综述) of YYYY now (the dashboard's job); print the PDF path."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="YYYY")

    def handle(self, *args, year: int, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"年度 {year} 不在 2000–2100 之间。")
        job = ReportJob.objects.create(kind=KIND, parameters={"year": year, "region": None})
        report_job_run(job_id=job.pk)
        job.refresh_from_db()
        if job.state != ReportJob.State.SUCCEEDED:
            raise CommandError(job.error or "生成失败。")
        figures = {f["key"]: f["value"] for f in job.result["figures"]}
        self.stdout.write(
            f"{year}年：科技型中小企业入库 {figures['smes']}，新认定平台 {figures['platforms']}，"
            f"科技特派员 {figures['commissioners']}"
        )
        # The name in the file storage (a folder or an object store): `make backup` takes it along.
        self.stdout.write(job.file.name)
