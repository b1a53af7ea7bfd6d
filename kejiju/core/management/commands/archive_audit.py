import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kejiju.core.services import AuditArchiveError, audit_archive


class Command(BaseCommand):
    help = (
        "Move audit records (security events and data changes) older than --before into a gzipped JSON Lines "
        "file with a SHA-256 checksum and an HMAC-SM3 seal, and delete them. Dates less than 180 days ago "
        "are refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="YYYY-MM-DD: archive the records before this day")
        parser.add_argument("--output-dir", default=None, help="Default: AUDIT_ARCHIVE_DIR")

    def handle(self, *args, before, output_dir=None, **options):
        try:
            day = dt.date.fromisoformat(before)
        except ValueError as error:
            raise CommandError("--before 须为 YYYY-MM-DD 格式的日期。") from error
        try:
            outcome = audit_archive(before=day, output_dir=output_dir or settings.AUDIT_ARCHIVE_DIR)
        except AuditArchiveError as error:
            raise CommandError(str(error)) from error
        counts = outcome["counts"]
        self.stdout.write(
            f"已归档：安全事件 {counts['core.auditevent']} 条，数据变更 {counts['auditlog.logentry']} 条 → "
            f"{outcome['path']}（SHA-256 {outcome['sha256']}；{outcome['seal']['algorithm']} 密钥标识 "
            f"{outcome['seal']['key_id']}，用 verify_audit_archive 校验）"
        )
