from pathlib import Path

from django.conf import settings
from django.core.files.storage import storages
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kejiju.core.backup import BackupError, backup_create, database_params, storage_label


class Command(BaseCommand):
    help = (
        "Back up the database of DATABASE_URL (pg_dump custom format) and every file of the default storage "
        "(MEDIA_ROOT, or the S3 bucket and prefix of FILE_STORAGE=s3, read through the storage API) into "
        "BACKUP_DIR/<timestamp>/: db.dump, media.tar.gz and manifest.json (row counts, the storage, each "
        "file's size and SHA-256), the manifest sealed with HMAC-SM3."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=None, help="Default: BACKUP_DIR (backups/)")

    def handle(self, *args, output_dir=None, **options):
        storage = storages["default"]
        try:
            folder = backup_create(
                params=database_params(connection.settings_dict),
                storage=storage,
                output_root=Path(output_dir or settings.BACKUP_DIR),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"备份完成：{folder}（文件来自{storage_label(storage)}）")
