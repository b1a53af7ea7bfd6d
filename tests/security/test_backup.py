"""Backup and restore: a backup restored into a fresh database has the same rows and the same files;
a damaged backup, a non-empty database or a non-empty media folder is refused."""

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from kejiju.core.backup import DB_FILE, MANIFEST, sha256_of, table_counts
from kejiju.core.models import AuditEvent, Organization, ReportJob

pytestmark = pytest.mark.django_db(transaction=True)


def _params(dbname):
    db = connection.settings_dict
    return {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    } | {"dbname": dbname}


def _url(dbname):
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


@pytest.fixture
def fresh_database():
    name = f"kejiju_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**_params("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(**_params("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def records(world, county_a):
    for i in range(3):
        Organization.objects.create(name=f"备份测试企业{i}", region=county_a)
    AuditEvent.objects.create(event_type="login", username="alice")
    job = ReportJob(kind="audit_events_export", requested_by=world.users["auditor"], state="succeeded")
    job.file.save(f"backup-{uuid.uuid4().hex}.xlsx", ContentFile(b"report bytes"), save=False)
    job.save()
    return job


def test_a_backup_restores_into_a_fresh_database_with_the_same_rows_and_files(
    records, fresh_database, tmp_path
):
    call_command("backup", "--output-dir", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["files"][DB_FILE] == sha256_of(folder / DB_FILE)
    assert manifest["table_counts"]["core_organization"] == Organization.objects.count() >= 3
    assert records.file.name in manifest["media"]

    media = tmp_path / "restored-media"
    call_command("restore", str(folder), "--database-url", _url(fresh_database), "--media-root", str(media))

    with connection.cursor() as cursor:
        source = table_counts(cursor)
    with psycopg.connect(**_params(fresh_database)) as conn, conn.cursor() as cursor:
        restored = table_counts(cursor)
        cursor.execute("SELECT name FROM core_organization ORDER BY name")
        names = [row[0] for row in cursor.fetchall()]
    assert restored == source == manifest["table_counts"]
    assert names == sorted(Organization.objects.values_list("name", flat=True))
    assert {"备份测试企业0", "备份测试企业1", "备份测试企业2"} <= set(names)
    original = Path(settings.MEDIA_ROOT, records.file.name)
    assert sha256_of(media / records.file.name) == sha256_of(original)


def test_a_damaged_backup_is_refused_before_anything_is_restored(records, fresh_database, tmp_path):
    call_command("backup", "--output-dir", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    dump = folder / DB_FILE
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="SHA-256"):
        call_command(
            "restore",
            str(folder),
            "--database-url",
            _url(fresh_database),
            "--media-root",
            str(tmp_path / "m"),
        )
    with psycopg.connect(**_params(fresh_database)) as conn, conn.cursor() as cursor:
        assert table_counts(cursor) == {}


def test_restore_refuses_a_database_that_is_not_empty(records, tmp_path):
    call_command("backup", "--output-dir", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    with pytest.raises(CommandError, match="空"):
        call_command("restore", str(folder), "--media-root", str(tmp_path / "m"))


def test_restore_refuses_a_media_folder_that_is_not_empty(records, fresh_database, tmp_path):
    """A file already there (newer than the backup, or of another deployment) would be overwritten, or
    left beside the restored ones, while the restored files' checksums still agree."""
    call_command("backup", "--output-dir", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()
    media = tmp_path / "media"
    newer = media / records.file.name
    newer.parent.mkdir(parents=True)
    newer.write_bytes(b"a newer report")
    with pytest.raises(CommandError, match="不是空目录"):
        call_command(
            "restore", str(folder), "--database-url", _url(fresh_database), "--media-root", str(media)
        )
    assert newer.read_bytes() == b"a newer report"
    with psycopg.connect(**_params(fresh_database)) as conn, conn.cursor() as cursor:
        assert table_counts(cursor) == {}  # refused before anything was written
