"""Backup and restore: a backup restored into a fresh database has the same rows and the same files;
a damaged backup, a non-empty database or a non-empty media folder is refused; so is a manifest whose
HMAC-SM3 seal (under a key kept apart from the backups) fails or is missing, before the database is
touched."""

import base64
import io
import json
import shutil
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection

from kejiju.core import integrity_mac
from kejiju.core.backup import DB_FILE, MANIFEST, manifest_signed_bytes, sha256_of, table_counts
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


# -------------------------------------------------------------------- HMAC-SM3 seal of the manifest


def _hmac_sm3(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def _rewrite_manifest(folder, change):
    manifest = json.loads((folder / MANIFEST).read_text())
    change(manifest)
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))


def _flip_count(folder):
    """One byte of the manifest: a digit of a row count (still valid JSON)."""
    text = (folder / MANIFEST).read_text()
    at = text.index('"core_organization": ') + len('"core_organization": ')
    digit = text[at]
    (folder / MANIFEST).write_text(text[:at] + str((int(digit) + 1) % 10) + text[at + 1 :])


def _dump_and_its_checksum(folder):
    """One byte of the dump, and the manifest's SHA-256 rewritten to match, as a forger would."""
    dump = folder / DB_FILE
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))
    _rewrite_manifest(folder, lambda m: m["files"].__setitem__(DB_FILE, sha256_of(dump)))


def _resigned(key_id_of_other_key: bool):
    other = b"another-key-that-is-32-bytes-long"

    def change(manifest):
        manifest["table_counts"]["core_organization"] += 1
        manifest["seal"] = {
            "algorithm": "HMAC-SM3",
            "key_id": integrity_mac.key_id_of(other) if key_id_of_other_key else manifest["seal"]["key_id"],
            "mac": _hmac_sm3(other, manifest_signed_bytes(manifest)),
        }

    return lambda folder: _rewrite_manifest(folder, change)


TAMPERING = {
    "a digit of the manifest": (_flip_count, "HMAC-SM3 校验失败"),
    "a byte of the dump and its checksum": (_dump_and_its_checksum, "HMAC-SM3 校验失败"),
    "re-signed under another key": (_resigned(True), "不是当前密钥"),
    "re-signed under another key, naming the current one": (_resigned(False), "HMAC-SM3 校验失败"),
    "no seal": (lambda folder: _rewrite_manifest(folder, lambda m: m.pop("seal")), "没有 HMAC-SM3 校验值"),
}


def test_the_manifest_is_sealed_with_hmac_sm3_of_its_canonical_content(records, tmp_path, settings):
    call_command("backup", "--output-dir", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    manifest = json.loads((folder / MANIFEST).read_text())
    key = base64.b64decode(settings.INTEGRITY_MAC_KEY)
    body = {k: v for k, v in manifest.items() if k != "seal"}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    assert manifest["seal"] == {
        "algorithm": "HMAC-SM3",
        "key_id": integrity_mac.key_id_of(key),
        "mac": _hmac_sm3(key, canonical),
    }
    out = io.StringIO()
    call_command("restore", str(folder), "--verify-only", stdout=out)
    assert "校验通过" in out.getvalue()


def test_a_tampered_backup_is_refused_before_the_database_is_touched(records, fresh_database, tmp_path):
    call_command("backup", "--output-dir", str(tmp_path / "backups"))
    (made,) = (tmp_path / "backups").iterdir()
    for case, (tamper, message) in TAMPERING.items():
        folder = tmp_path / case.replace(" ", "-")
        shutil.copytree(made, folder)
        tamper(folder)
        media = tmp_path / f"media-{folder.name}"
        with pytest.raises(CommandError, match=message):
            call_command(
                "restore", str(folder), "--database-url", _url(fresh_database), "--media-root", str(media)
            )
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(folder), "--verify-only")
        with psycopg.connect(**_params(fresh_database)) as conn, conn.cursor() as cursor:
            assert table_counts(cursor) == {}, case
        assert not media.exists(), case
