from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from kejiju.core.backup import BackupError, backup_create, database_params


class Command(BaseCommand):
    help = (
        "Back up the database of DATABASE_URL (pg_dump custom format) and the media files into "
        "BACKUP_DIR/<timestamp>/, with SHA-256 checksums and row counts in manifest.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output-dir", default=None, help="Default: BACKUP_DIR (backups/)")

    def handle(self, *args, output_dir=None, **options):
        try:
            folder = backup_create(
                params=database_params(connection.settings_dict),
                media_root=Path(settings.MEDIA_ROOT),
                output_root=Path(output_dir or settings.BACKUP_DIR),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"备份完成：{folder}")
