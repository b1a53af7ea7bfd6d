"""Backup and restore: a backup restored into a fresh database has the same rows and the same files;
a damaged backup, a non-empty database or a non-empty media folder is refused; so is a manifest whose
HMAC-SM3 seal (under a key kept apart from the backups) fails or is missing, before the database is
touched. The files are those of the default storage, read and written through the storage API: with
FILE_STORAGE=s3 (moto's S3 server, tests/objectstore.py) every object of the bucket is backed up with its
size and SHA-256 and restored into a fresh empty bucket; a bucket with an object in it is refused, and so is
a media archive with a tampered, unlisted or unsafe member, before anything is written. Manifests of the
format before the object store (name -> SHA-256) still verify and restore."""

import base64
import hashlib
import io
import json
import os
import shutil
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from kejiju.core import integrity_mac
from kejiju.core.backup import (
    DB_FILE,
    MANIFEST,
    MEDIA_FILE,
    manifest_signed_bytes,
    sha256_of,
    table_counts,
)
from kejiju.core.models import AuditEvent, Organization, ReportJob
from kejiju.settings import file_storage
from tests.objectstore import ACCESS_KEY, SECRET_KEY

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


# ------------------------------------------------------------------------------- the object store


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _use_bucket(store, settings, monkeypatch, *, prefix: str = "") -> None:
    """This process's default storage in `store` (as FILE_STORAGE=s3 with its S3_* settings makes it)."""
    for name, value in store.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("S3_PREFIX", prefix)
    settings.STORAGES = {**settings.STORAGES, "default": file_storage("s3")}


def _database_is_empty(dbname) -> bool:
    with psycopg.connect(**_params(dbname)) as conn, conn.cursor() as cursor:
        return table_counts(cursor) == {}


@pytest.fixture
def bucket_files(object_store, world, county_a) -> dict[str, bytes]:
    """Rows in the database and files in the bucket: a report of a job, a file larger than one read block,
    a name in Chinese, an empty file."""
    for i in range(3):
        Organization.objects.create(name=f"对象存储备份企业{i}", region=county_a)
    job = ReportJob(kind="audit_events_export", requested_by=world.users["auditor"], state="succeeded")
    job.file.save(f"backup-{uuid.uuid4().hex}.xlsx", ContentFile(b"report bytes in the bucket"), save=False)
    job.save()
    files = {
        job.file.name: b"report bytes in the bucket",
        f"imports/2025/01/{uuid.uuid4().hex}.xlsx": os.urandom(3 * 1024 * 1024 + 7),
        "证件/扫描件.pdf": b"%PDF-1.4 scan",
        "empty.txt": b"",
    }
    for name, data in files.items():
        if name != job.file.name:
            assert default_storage.save(name, ContentFile(data)) == name
    assert object_store.keys() == sorted(files)
    return files


def test_the_object_store_is_backed_up_and_restored_into_a_fresh_empty_bucket(
    bucket_files, object_store, s3_server, fresh_database, tmp_path, settings, monkeypatch
):
    call_command("backup", "--output-dir", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    text = (folder / MANIFEST).read_text()
    manifest = json.loads(text)
    assert manifest["storage"] == {"backend": "s3", "bucket": object_store.bucket, "prefix": ""}
    assert manifest["media"] == {
        name: {"size": len(data), "sha256": _sha(data)} for name, data in bucket_files.items()
    }
    assert ACCESS_KEY not in text and SECRET_KEY not in text
    with tarfile.open(folder / MEDIA_FILE, "r:gz") as tar:
        assert sorted(tar.getnames()) == object_store.keys()
        assert all(member.isreg() for member in tar.getmembers())
    assert not any(Path(settings.MEDIA_ROOT, name).exists() for name in bucket_files)

    target = s3_server.create_bucket()
    _use_bucket(target, settings, monkeypatch, prefix="restored")
    out = io.StringIO()
    call_command("restore", str(folder), "--database-url", _url(fresh_database), stdout=out)
    assert f"存储桶 {target.bucket}（前缀 restored）" in out.getvalue()

    assert target.keys() == sorted(f"restored/{name}" for name in bucket_files)
    for name, data in bucket_files.items():
        assert target.read(f"restored/{name}") == data
    assert object_store.keys() == sorted(bucket_files)  # the source untouched
    with psycopg.connect(**_params(fresh_database)) as conn, conn.cursor() as cursor:
        assert table_counts(cursor) == manifest["table_counts"]
        cursor.execute("SELECT count(*) FROM core_organization WHERE name LIKE '对象存储备份企业%%'")
        assert cursor.fetchone()[0] == 3


def test_restore_refuses_a_bucket_that_is_not_empty_before_anything_is_written(
    bucket_files, s3_server, fresh_database, tmp_path, settings, monkeypatch
):
    """Any object in the target bucket (here not even of a name the backup has): restoring beside it would
    mix two deployments' files while every restored checksum agrees."""
    call_command("backup", "--output-dir", str(tmp_path))
    (folder,) = tmp_path.iterdir()
    target = s3_server.create_bucket()
    target.client().put_object(Bucket=target.bucket, Key="left/over.txt", Body=b"an older deployment")
    _use_bucket(target, settings, monkeypatch)
    with pytest.raises(CommandError, match=f"存储桶 {target.bucket}不是空的（已有对象，如 left/over.txt）"):
        call_command("restore", str(folder), "--database-url", _url(fresh_database))
    assert target.keys() == ["left/over.txt"]
    assert target.read("left/over.txt") == b"an older deployment"
    assert _database_is_empty(fresh_database)


def _members(folder) -> list[tuple[tarfile.TarInfo, bytes]]:
    with tarfile.open(folder / MEDIA_FILE, "r:gz") as tar:
        return [(m, tar.extractfile(m).read() if m.isreg() else b"") for m in tar.getmembers()]


def _write_members(folder, members) -> None:
    with tarfile.open(folder / MEDIA_FILE, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)


def _reseal(folder, change_listing=None) -> None:
    """The media archive's checksum and the seal made again under the current key: a layer below the seal
    must hold on its own."""

    def change(manifest):
        manifest["files"][MEDIA_FILE] = sha256_of(folder / MEDIA_FILE)
        if change_listing:
            change_listing(manifest["media"])
        manifest["seal"] = integrity_mac.seal_bytes(manifest_signed_bytes(manifest))

    _rewrite_manifest(folder, change)


def test_a_tampered_member_is_refused_before_the_bucket_or_the_database_is_written(
    bucket_files, s3_server, fresh_database, tmp_path, settings, monkeypatch
):
    call_command("backup", "--output-dir", str(tmp_path / "backups"))
    (made,) = (tmp_path / "backups").iterdir()
    report = next(iter(bucket_files))  # the job's report

    def tamper(folder):
        members = _members(folder)
        _write_members(
            folder, [(i, b"REPORT bytes in the bucket" if i.name == report else d) for i, d in members]
        )

    target = s3_server.create_bucket()
    _use_bucket(target, settings, monkeypatch)
    cases = {
        "the member alone": (tamper, f"{MEDIA_FILE} 的 SHA-256 与清单不符"),
        "the member, the archive's checksum and the seal": (
            lambda folder: (tamper(folder), _reseal(folder)),
            f"{MEDIA_FILE} 中的文件 {report} 的大小或 SHA-256 与清单不符",
        ),
    }
    for case, (change, message) in cases.items():
        folder = tmp_path / case.replace(" ", "-")
        shutil.copytree(made, folder)
        change(folder)
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(folder), "--database-url", _url(fresh_database))
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(folder), "--verify-only")
        assert target.keys() == [], case
        assert _database_is_empty(fresh_database), case


def _unsafe_member(name, kind=tarfile.REGTYPE):
    info = tarfile.TarInfo(name)
    info.type = kind
    if kind == tarfile.SYMTYPE:
        info.linkname = "/etc/passwd"
    return info, b"unsafe" if kind == tarfile.REGTYPE else b""


UNSAFE_MEMBERS = {
    "../outside.txt": _unsafe_member("../outside.txt"),
    "/etc/cron.d/evil": _unsafe_member("/etc/cron.d/evil"),
    "reports/../../x": _unsafe_member("reports/../../x"),
    "a symlink": _unsafe_member("link.txt", tarfile.SYMTYPE),
    "a folder": _unsafe_member("folder", tarfile.DIRTYPE),
}


def test_unsafe_unlisted_or_repeated_members_are_refused_naming_the_member(records, fresh_database, tmp_path):
    call_command("backup", "--output-dir", str(tmp_path / "backups"))
    (made,) = (tmp_path / "backups").iterdir()
    listed = json.loads((made / MANIFEST).read_text())["media"]
    name = records.file.name

    def listing_with(member_name, data):
        return lambda media: media.__setitem__(member_name, {"size": len(data), "sha256": _sha(data)})

    cases = {}
    for case, (info, data) in UNSAFE_MEMBERS.items():
        # Listed in a re-sealed manifest, so that only the member check stands in the way.
        cases[case] = ([(info, data)], listing_with(info.name, data), f"成员 '{info.name}'")
    cases["an unlisted member"] = (
        [_unsafe_member("unlisted.txt")],
        None,
        "成员 unlisted.txt 不在清单中",
    )
    original = next(data for info, data in _members(made) if info.name == name)
    cases["a repeated member"] = ([(tarfile.TarInfo(name), original)], None, f"成员 {name} 出现了不止一次")
    cases["a listed file missing"] = ([], listing_with("gone.txt", b"x"), "清单中的文件 gone.txt 不在")
    assert name in listed
    for number, (case, (extra, change_listing, message)) in enumerate(cases.items()):
        folder = tmp_path / f"case-{number}"
        shutil.copytree(made, folder)
        _write_members(folder, _members(folder) + extra)
        _reseal(folder, change_listing)
        media = tmp_path / f"media-{folder.name}"
        with pytest.raises(CommandError, match=message):
            call_command(
                "restore", str(folder), "--database-url", _url(fresh_database), "--media-root", str(media)
            )
        assert not media.exists(), case
        assert not (tmp_path / "outside.txt").exists(), case
        assert _database_is_empty(fresh_database), case


def test_a_manifest_of_the_format_before_the_object_store_still_verifies_and_restores(
    records, fresh_database, tmp_path
):
    """name -> SHA-256, no sizes and no storage: the backups taken before this change."""
    call_command("backup", "--output-dir", str(tmp_path / "backups"))
    (folder,) = (tmp_path / "backups").iterdir()

    def old_format(manifest):
        manifest["media"] = {name: entry["sha256"] for name, entry in manifest["media"].items()}
        manifest.pop("storage")
        manifest["seal"] = integrity_mac.seal_bytes(manifest_signed_bytes(manifest))

    _rewrite_manifest(folder, old_format)
    out = io.StringIO()
    call_command("restore", str(folder), "--verify-only", stdout=out)
    assert "校验通过" in out.getvalue()
    media = tmp_path / "restored-media"
    call_command("restore", str(folder), "--database-url", _url(fresh_database), "--media-root", str(media))
    assert (media / records.file.name).read_bytes() == b"report bytes"
    assert not _database_is_empty(fresh_database)
