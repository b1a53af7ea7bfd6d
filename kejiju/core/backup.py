"""Backup and restore of the database (pg_dump custom format) and the media files, with SHA-256 checksums
in a manifest. `make backup` / `make restore BACKUP=backups/<timestamp>` call the management commands.

The manifest carries a seal: the HMAC-SM3 of its own canonical content under INTEGRITY_MAC_KEY
(kejiju/core/integrity_mac.py), a key kept apart from the backups. Every file's checksum is inside the
manifest, so the seal covers them all; whoever can rewrite a dump and its checksum cannot recompute it.

The row counts in the manifest are taken in the very snapshot pg_dump writes (pg_export_snapshot), so a
restore can prove it brought back every row."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.utils import timezone

from . import integrity_mac

MANIFEST = "manifest.json"
DB_FILE = "db.dump"
MEDIA_FILE = "media.tar.gz"


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


def backup_create(*, params: dict[str, str], media_root: Path, output_root: Path) -> Path:
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
    media_root = Path(media_root)
    media_files = sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []
    with tarfile.open(folder / MEDIA_FILE, "w:gz") as tar:
        for path in media_files:
            tar.add(path, arcname=str(path.relative_to(media_root)))
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": params["dbname"],
        "files": {name: sha256_of(folder / name) for name in (DB_FILE, MEDIA_FILE)},
        "media": {str(p.relative_to(media_root)): sha256_of(p) for p in media_files},
        "table_counts": counts,
    }
    manifest[SEAL] = integrity_mac.seal_bytes(manifest_signed_bytes(manifest))
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


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
    return manifest


def backup_restore(*, folder: Path, params: dict[str, str], media_root: Path) -> dict[str, Any]:
    """Into an empty database and an empty media folder only; the manifest's seal and the checksums first,
    counts after. A file already in the media folder would be overwritten by an older one of the same name
    (or left beside the restored ones) while the checksums of the restored files still agree, so it is
    refused as a non-empty database is, before anything is written."""
    manifest = backup_verify(folder)
    media_root = Path(media_root)
    if media_root.exists():
        present = [p for p in media_root.rglob("*") if not p.is_dir()]
        if present:
            raise BackupError(
                f"目标文件目录 {media_root} 不是空目录（已有 {len(present)} 个文件，如 "
                f"{present[0].relative_to(media_root)}）：只能恢复到空目录。请先移走其中的文件，"
                "或用 --media-root 指定一个空目录。"
            )
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
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(Path(folder) / MEDIA_FILE, "r:gz") as tar:
        tar.extractall(media_root, filter="data")  # no absolute paths, no "..", no devices
    with _connect(params) as conn, conn.cursor() as cursor:
        counts = table_counts(cursor)
    if counts != manifest["table_counts"]:
        differ = sorted(
            t
            for t in set(counts) | set(manifest["table_counts"])
            if counts.get(t) != manifest["table_counts"].get(t)
        )
        raise BackupError(f"恢复后记录数与备份不符：{', '.join(differ)}")
    for name, expected in manifest["media"].items():
        if sha256_of(media_root / name) != expected:
            raise BackupError(f"恢复后文件校验失败：{name}")
    return manifest
