"""Backup and restore of the database (pg_dump custom format) and the stored files, with SHA-256 checksums
in a manifest. `make backup` / `make restore BACKUP=backups/<timestamp>` call the management commands.

The files are those of a Django storage (the default one: MEDIA_ROOT or the S3 bucket of FILE_STORAGE),
reached through the storage API only (listdir, open, size, save), so the local disk and the object store
are backed up and restored the same way. Each file is streamed from the storage into media.tar.gz and
hashed on the way; the manifest lists every file with its size and SHA-256 and says which storage it came
from (never a credential).

The manifest carries a seal: the HMAC-SM3 of its own canonical content under INTEGRITY_MAC_KEY
(kejiju/core/integrity_mac.py), a key kept apart from the backups. Every file's checksum is inside the
manifest, so the seal covers them all; whoever can rewrite a dump and its checksum cannot recompute it.

The row counts in the manifest are taken in the very snapshot pg_dump writes (pg_export_snapshot), so a
restore can prove it brought back every row."""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils import timezone

from . import integrity_mac

MANIFEST = "manifest.json"
DB_FILE = "db.dump"
MEDIA_FILE = "media.tar.gz"
_BLOCK = 1 << 20


class BackupError(RuntimeError):
    pass


SEAL = "seal"


def manifest_signed_bytes(manifest: dict[str, Any]) -> bytes:
    """What the seal covers: the manifest without its seal, keys sorted, no whitespace."""
    body = {key: value for key, value in manifest.items() if key != SEAL}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def database_params(settings_dict: dict[str, Any]) -> dict[str, str]:
    if "postgresql" not in settings_dict["ENGINE"]:
        raise BackupError("备份与恢复只支持 PostgreSQL（请设置 DATABASE_URL）。")
    return {
        "host": settings_dict.get("HOST") or "127.0.0.1",
        "port": str(settings_dict.get("PORT") or 5432),
        "user": settings_dict.get("USER") or "postgres",
        "password": settings_dict.get("PASSWORD") or "",
        "dbname": settings_dict["NAME"],
    }


def params_from_url(url: str) -> dict[str, str]:
    import environ

    return database_params(environ.Env.db_url_config(url))


def _pg_env(params: dict[str, str]) -> dict[str, str]:
    # The password goes through the environment, never the command line (visible in `ps`).
    return {
        **os.environ,
        "PGHOST": params["host"],
        "PGPORT": params["port"],
        "PGUSER": params["user"],
        "PGPASSWORD": params["password"],
        "PGDATABASE": params["dbname"],
    }


def _connect(params: dict[str, str], **kwargs):
    import psycopg

    return psycopg.connect(
        host=params["host"],
        port=params["port"],
        user=params["user"],
        password=params["password"] or None,
        dbname=params["dbname"],
        **kwargs,
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class HashingReader:
    """A read-only stream that hashes (SHA-256) and counts what is read through it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        block = self.handle.read(size)
        self.digest.update(block)
        self.size += len(block)
        return block


def local_storage(folder: Path) -> Storage:
    """A storage at a folder of this machine (restore --media-root)."""
    return FileSystemStorage(location=str(folder))


def storage_description(storage: Storage) -> dict[str, str]:
    """Which storage the files came from, for the manifest: the bucket and prefix of an object store, the
    folder of the local disk; never an endpoint's credentials."""
    bucket = getattr(storage, "bucket_name", None)
    if bucket:
        return {"backend": "s3", "bucket": bucket, "prefix": getattr(storage, "location", "") or ""}
    if isinstance(storage, FileSystemStorage):
        return {"backend": "local", "folder": str(storage.location)}
    return {"backend": f"{type(storage).__module__}.{type(storage).__qualname__}"}


def storage_label(storage: Storage) -> str:
    """The storage named in a message: 存储桶 <bucket>（前缀 <prefix>） or 目录 <folder>."""
    described = storage_description(storage)
    if described["backend"] == "s3":
        prefix = f"（前缀 {described['prefix']}）" if described["prefix"] else ""
        return f"存储桶 {described['bucket']}{prefix}"
    if described["backend"] == "local":
        return f"目录 {described['folder']}"
    return f"存储 {described['backend']}"


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file of the storage, by name, folders in order: a walk with listdir (on an object store, its
    keys under the prefix, "/" as the separator). A local folder that does not exist yet has none."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        if folder:
            raise
        return
    for name in sorted(files):
        yield posixpath.join(folder, name) if folder else name
    for sub in sorted(folders):
        if not sub or sub in (".", "..") or "/" in sub:
            # A key such as a//b lists as the folder "." under a/: listing it would list a/ again.
            raise BackupError(
                f"存储中 {posixpath.join(folder, sub)!r} 附近的对象名含空的或 . 的路径段，无法逐级列出："
                "请先改名或移走该对象。"
            )
        yield from storage_files(storage, posixpath.join(folder, sub) if folder else sub)


def stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()


def table_counts(cursor) -> dict[str, int]:
    from psycopg import sql

    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def _run(command: list[str], params: dict[str, str]) -> None:
    # pg_dump / pg_restore with arguments built here from the settings, never from a request.
    result = subprocess.run(command, env=_pg_env(params), capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 失败：{result.stderr.strip()[-2000:]}")


def _add_stored_file(tar: tarfile.TarFile, storage: Storage, name: str, mtime: int) -> dict[str, Any] | None:
    """Stream one stored file into the tar, hashing it on the way; None when it is gone (deleted since the
    listing, as if the listing had been taken a moment later)."""
    try:
        size = storage.size(name)
        handle = storage.open(name, "rb")
    except FileNotFoundError:
        return None
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, mtime, 0o644
    with handle:
        reader = HashingReader(handle)
        try:
            tar.addfile(info, reader)
        except OSError as error:  # shorter than its size: replaced while it was read
            raise BackupError(f"读取文件 {name} 时其大小发生了变化（{error}），请重新备份。") from None
        if reader.read(1):
            raise BackupError(f"读取文件 {name} 时其大小发生了变化（大于 {size} 字节），请重新备份。")
    return {"size": size, "sha256": reader.digest.hexdigest()}


def backup_create(*, params: dict[str, str], storage: Storage, output_root: Path) -> Path:
    """The database of `params` (one snapshot) and every file of `storage`, into output_root/<timestamp>/."""
    folder = Path(output_root) / timezone.localtime().strftime("%Y%m%d-%H%M%S")
    folder.mkdir(parents=True, exist_ok=False)
    with _connect(params) as conn, conn.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = table_counts(cursor)
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={folder / DB_FILE}",
            ],
            params,
        )
        conn.rollback()
    media: dict[str, dict[str, Any]] = {}
    mtime = int(timezone.now().timestamp())
    with tarfile.open(folder / MEDIA_FILE, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        for name in storage_files(storage):
            entry = _add_stored_file(tar, storage, name, mtime)
            if entry is not None:
                media[name] = entry
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": params["dbname"],
        "files": {name: sha256_of(folder / name) for name in (DB_FILE, MEDIA_FILE)},
        "media": media,
        "storage": storage_description(storage),
        "table_counts": counts,
    }
    manifest[SEAL] = integrity_mac.seal_bytes(manifest_signed_bytes(manifest))
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def media_listing(manifest: dict[str, Any]) -> dict[str, tuple[int | None, str]]:
    """The manifest's files: name -> (size, SHA-256). Manifests written before the object store list
    name -> SHA-256 only (size None)."""
    listing = manifest.get("media")
    if not isinstance(listing, dict):
        raise BackupError(f"{MANIFEST} 中没有文件清单（media），拒绝恢复。")
    result = {}
    for name, entry in listing.items():
        if isinstance(entry, str):
            result[name] = (None, entry)
        elif (
            isinstance(entry, dict)
            and isinstance(entry.get("size"), int)
            and isinstance(entry.get("sha256"), str)
        ):
            result[name] = (entry["size"], entry["sha256"])
        else:
            raise BackupError(f"{MANIFEST} 中文件 {name} 的清单项无法读取，拒绝恢复。")
    return result


def _member_problem(member: tarfile.TarInfo) -> str | None:
    name = member.name
    if not member.isreg():
        return "不是普通文件"
    if not name or name.startswith("/") or "\\" in name:
        return "是绝对路径或含反斜杠"
    if posixpath.normpath(name) != name or ".." in name.split("/"):
        return "含 ..、. 或空的路径段"
    return None


def check_media_archive(folder: Path, manifest: dict[str, Any]) -> None:
    """Every member of media.tar.gz a regular file under a plain relative name, listed in the manifest with
    the same size and SHA-256, and every listed file present once: before anything is written."""
    listing = media_listing(manifest)
    seen: set[str] = set()
    with tarfile.open(Path(folder) / MEDIA_FILE, "r:gz") as tar:
        for member in tar:
            problem = _member_problem(member)
            if problem:
                raise BackupError(f"{MEDIA_FILE} 中的成员 {member.name!r} {problem}，拒绝恢复。")
            if member.name in seen:
                raise BackupError(f"{MEDIA_FILE} 中的成员 {member.name} 出现了不止一次，拒绝恢复。")
            seen.add(member.name)
            if member.name not in listing:
                raise BackupError(f"{MEDIA_FILE} 中的成员 {member.name} 不在清单中，拒绝恢复。")
            size, expected = listing[member.name]
            reader = HashingReader(tar.extractfile(member))
            while reader.read(_BLOCK):
                pass
            if (size is not None and reader.size != size) or reader.digest.hexdigest() != expected:
                raise BackupError(
                    f"校验失败：{MEDIA_FILE} 中的文件 {member.name} 的大小或 SHA-256 与清单不符，"
                    "备份可能已损坏或被篡改。"
                )
    missing = sorted(set(listing) - seen)
    if missing:
        raise BackupError(
            f"清单中的文件 {missing[0]} 不在 {MEDIA_FILE} 中（共缺 {len(missing)} 个），拒绝恢复。"
        )


def backup_verify(folder: Path) -> dict[str, Any]:
    folder = Path(folder)
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{folder} 中没有 {MANIFEST}，不是有效的备份。")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{MANIFEST} 无法读取：备份清单已损坏或被篡改，拒绝恢复。") from None
    if not isinstance(manifest, dict):
        raise BackupError(f"{MANIFEST} 不是有效的备份清单，拒绝恢复。")
    # The seal first: the checksums below are only as good as the manifest that lists them.
    try:
        integrity_mac.check_bytes(
            manifest_signed_bytes(manifest), manifest.get(SEAL), what=f"备份清单 {MANIFEST}"
        )
    except integrity_mac.IntegrityMacError as error:
        raise BackupError(f"{error}（{folder}）") from None
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.exists() or sha256_of(path) != expected:
            raise BackupError(f"校验失败：{name} 的 SHA-256 与清单不符，备份可能已损坏或被篡改。")
    check_media_archive(folder, manifest)
    return manifest


def refuse_non_empty_storage(storage: Storage) -> None:
    """A file already in the target (newer than the backup, or of another deployment) would be left beside
    the restored ones, or clash with one of them, while the restored files' checksums still agree."""
    present = next(storage_files(storage), None)
    if present is None:
        return
    if storage_description(storage)["backend"] == "s3":
        raise BackupError(
            f"目标{storage_label(storage)}不是空的（已有对象，如 {present}）：只能恢复到空的存储桶。"
            "请换一个空的存储桶（S3_BUCKET）或先移走其中的对象。"
        )
    raise BackupError(
        f"目标文件{storage_label(storage)}不是空目录（已有文件，如 {present}）：只能恢复到空目录。"
        "请先移走其中的文件，或用 --media-root 指定一个空目录。"
    )


def _restore_files(folder: Path, storage: Storage) -> None:
    with tarfile.open(Path(folder) / MEDIA_FILE, "r:gz") as tar:
        for member in tar:
            content = File(tar.extractfile(member), name=member.name)
            content.size = member.size  # not File's guess from a path named like the member
            saved = storage.save(member.name, content)
            if saved != member.name:
                raise BackupError(
                    f"恢复文件 {member.name} 时存储把它保存为 {saved}：目标{storage_label(storage)}"
                    "在恢复过程中被写入了其他文件，恢复未完成。"
                )


def backup_restore(*, folder: Path, params: dict[str, str], storage: Storage) -> dict[str, Any]:
    """Into an empty database and an empty storage only (a folder or a bucket); the manifest's seal, the
    checksums and the media archive's members first, before anything is written; row counts and every
    file's size and SHA-256, read back through the storage, after."""
    manifest = backup_verify(folder)
    refuse_non_empty_storage(storage)
    with _connect(params) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        if cursor.fetchone()[0]:
            raise BackupError(f"目标数据库 {params['dbname']} 不是空库：只能恢复到空数据库。")
    _run(
        [
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={params['dbname']}",
            str(Path(folder) / DB_FILE),
        ],
        params,
    )
    _restore_files(folder, storage)
    with _connect(params) as conn, conn.cursor() as cursor:
        counts = table_counts(cursor)
    if counts != manifest["table_counts"]:
        differ = sorted(
            t
            for t in set(counts) | set(manifest["table_counts"])
            if counts.get(t) != manifest["table_counts"].get(t)
        )
        raise BackupError(f"恢复后记录数与备份不符：{', '.join(differ)}")
    for name, (size, expected) in media_listing(manifest).items():
        try:
            intact = (size is None or storage.size(name) == size) and stored_sha256(storage, name) == expected
        except FileNotFoundError:
            intact = False
        if not intact:
            raise BackupError(
                f"恢复后文件校验失败：{name}（{storage_label(storage)}中的大小或 SHA-256 与清单不符）"
            )
    return manifest
