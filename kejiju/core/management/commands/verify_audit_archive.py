from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kejiju.core.services import AuditArchiveError, audit_archive_verify


class Command(BaseCommand):
    help = (
        "Check audit archives (made by archive_audit) against their HMAC-SM3 seals: each path is an archive "
        "(*.jsonl.gz) or a folder of them. Names every archive that fails; exits non-zero if any does."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="archive files or folders (e.g. AUDIT_ARCHIVE_DIR)")

    def handle(self, *args, paths, **options):
        archives: list[Path] = []
        for name in paths:
            path = Path(name)
            archives.extend(sorted(path.glob("*.jsonl.gz")) if path.is_dir() else [path])
        if not archives:
            raise CommandError("没有找到审计归档文件（*.jsonl.gz）。")
        failed = []
        for archive in archives:
            try:
                audit_archive_verify(path=archive)
            except AuditArchiveError as error:
                failed.append(archive)
                self.stderr.write(f"校验失败：{archive}：{error}")
            else:
                self.stdout.write(f"校验通过：{archive}")
        if failed:
            raise CommandError(
                f"{len(failed)} 个审计归档未通过 HMAC-SM3 校验：{', '.join(str(p) for p in failed)}"
            )
