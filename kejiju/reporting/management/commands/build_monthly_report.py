from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from kejiju.core.models import ReportJob
from kejiju.core.services import report_job_run
from kejiju.reporting import rules
from kejiju.reporting.services import MONTHLY_REPORT_KIND


class Command(BaseCommand):
    help = (
        "Build the monthly progress report of YYYY-MM now (the same job the beat runs), print the file path."
    )

    def add_arguments(self, parser):
        parser.add_argument("month", help="YYYY-MM")

    def handle(self, *args, month: str, **options):
        try:
            year, month_number = rules.parse_month(month)
        except ValidationError as error:
            raise CommandError("；".join(error.messages)) from None
        from django.utils import timezone

        if rules.is_future_month(year, month_number, timezone.now()):
            raise CommandError(f"{year}年{month_number}月尚未开始，不能生成报告。")
        job = ReportJob.objects.create(
            kind=MONTHLY_REPORT_KIND, parameters={"year": year, "month": month_number}
        )
        report_job_run(job_id=job.pk)
        job.refresh_from_db()
        if job.state != ReportJob.State.SUCCEEDED:
            raise CommandError(job.error or "生成失败。")
        result = job.result
        self.stdout.write(
            f"{year}年{month_number}月：应报 {result['expected']}，"
            f"已报 {result['filed']}，按时 {result['on_time']}"
        )
        # The name in the file storage (a folder or an object store): `make backup` takes it along.
        self.stdout.write(job.file.name)
