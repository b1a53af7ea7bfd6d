from pathlib import Path

from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kejiju.core.backup import (
    BackupError,
    backup_restore,
    backup_verify,
    database_params,
    local_storage,
    params_from_url,
    storage_label,
)


class Command(BaseCommand):
    help = (
        "Restore a backup folder (made by `manage.py backup`) into an EMPTY database and an EMPTY default "
        "storage (MEDIA_ROOT, or the S3 bucket and prefix of FILE_STORAGE=s3; --media-root for a local "
        "folder instead): the manifest's HMAC-SM3 seal, the checksums and the media archive's members are "
        "verified first, before anything is written; row counts and each file's size and SHA-256, read back "
        "through the storage, after. --verify-only checks a backup (a copy kept off the host) without "
        "restoring it."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="backups/<timestamp>")
        parser.add_argument("--database-url", default=None, help="Default: DATABASE_URL")
        parser.add_argument(
            "--media-root",
            default=None,
            help="Restore the files into this local folder instead of the default storage",
        )
        parser.add_argument("--verify-only", action="store_true", help="Check the seal and checksums only")

    def handle(self, *args, backup, database_url=None, media_root=None, verify_only=False, **options):
        if verify_only:
            try:
                backup_verify(Path(backup))
            except BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"校验通过：{backup}（清单 HMAC-SM3 与各文件的大小、SHA-256 一致）")
            return
        storage = local_storage(Path(media_root)) if media_root else storages["default"]
        try:
            params = (
                params_from_url(database_url) if database_url else database_params(connection.settings_dict)
            )
            connection.close()  # the target must not be held open by this process
            manifest = backup_restore(folder=Path(backup), params=params, storage=storage)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["table_counts"].values())
        self.stdout.write(
            f"恢复完成：{params['dbname']}，{len(manifest['table_counts'])} 张表共 {rows} 行，"
            f"{len(manifest['media'])} 个文件（{storage_label(storage)}），校验一致。"
        )
