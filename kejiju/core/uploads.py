"""Uploads, the one mechanism of every app that stores a client's file.

- Checks: the extension must be allowed AND the first bytes must carry that format's signature (a renamed
  executable is refused), within a size limit (`upload_problem`).
- Names: a file is stored under a generated name, `<prefix>/%Y/%m/<uuid4 hex>.<ext>` (`GeneratedName`, the
  `upload_to` of every FileField); the client's name is kept in a column (`original_name`) for display and
  for Content-Disposition (`download_response`), never on disk, so a 90-character Chinese name (268 bytes,
  over the 255-byte limit of most file systems) or `../../etc/passwd` cannot reach the file system.
- Orphans: `store` writes the file inside the transaction that records its row, and the file is removed again
  when that transaction does not commit (`atomic`, the services' transaction); `delete_on_commit` removes a
  dropped row's file only once the delete has committed.
"""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import re
import threading
import unicodedata
import uuid
from collections.abc import Iterable
from contextlib import ContextDecorator
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.files.base import File
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.deconstruct import deconstructible

logger = logging.getLogger(__name__)

_PDF = (b"%PDF-",)
_OOXML = (b"PK\x03\x04",)  # docx/xlsx/pptx are zip packages
_ZIP = (b"PK\x03\x04",)  # OFD (GB/T 33190-2016) is a zip package too, checked further by `ofd_problem`
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc/xls/ppt/wps/et (Compound File Binary)
ALLOWED_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": _PDF,
    "ofd": _ZIP,
    "doc": _OLE,
    "xls": _OLE,
    "ppt": _OLE,
    "wps": _OLE,
    "et": _OLE,
    "docx": _OOXML,
    "xlsx": _OOXML,
    "pptx": _OOXML,
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ppt": "application/vnd.ms-powerpoint",
    "wps": "application/vnd.ms-works",
    "et": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
IMAGE_EXTENSIONS = ("jpeg", "jpg", "png")


def with_ofd(extensions: Iterable[str]) -> tuple[str, ...]:
    """The accepted extensions of an upload path, with "ofd" added where "pdf" is among them."""
    extensions = tuple(extensions)
    return (*extensions, "ofd") if "pdf" in extensions and "ofd" not in extensions else extensions


# OFD (GB/T 33190-2016): a zip whose root holds OFD.xml, the document's entry, root element ofd:OFD.
OFD_NAMESPACE = "http://www.ofdspec.org/2016"
OFD_MAX_MEMBERS = 10_000
OFD_MAX_EXPANDED = 200 * 1024 * 1024
OFD_MAX_RATIO = 200
OFD_MAX_ENTRY = 1024 * 1024


def ofd_problem(upload) -> str | None:
    """None for a well-formed OFD package; otherwise why not (in Chinese). Read from the file's central
    directory and OFD.xml only: no member is extracted to disk. Refused: not a zip, encrypted members,
    absolute or `..` member names, too many members, more than OFD_MAX_EXPANDED bytes expanded or a member
    expanding over OFD_MAX_RATIO:1 (a zip bomb), no OFD.xml at the root, OFD.xml not XML (entities and
    DTDs refused by defusedxml) or not an ofd:OFD root."""
    import zipfile

    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import fromstring

    invalid = "不是有效的 OFD 文件（GB/T 33190）"
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
            if len(members) > OFD_MAX_MEMBERS:
                return f"{invalid}：包含的文件过多。"
            expanded = 0
            for member in members:
                name = member.filename.replace("\\", "/")
                if name.startswith("/") or ".." in name.split("/") or re.match(r"^[A-Za-z]:", name):
                    return f"{invalid}：包含非法路径“{display_name(member.filename)[:60]}”。"
                if member.flag_bits & 0x1:
                    return f"{invalid}：包含加密内容。"
                expanded += member.file_size
                if (
                    member.file_size > OFD_MAX_RATIO * max(member.compress_size, 1)
                    and member.file_size > 1024 * 1024
                ):
                    return f"{invalid}：压缩比异常（疑似压缩炸弹）。"
            if expanded > OFD_MAX_EXPANDED:
                return f"{invalid}：解压后超过 {OFD_MAX_EXPANDED // 1024 // 1024} MB。"
            entry = next((m for m in members if m.filename == "OFD.xml"), None)
            if entry is None:
                return f"{invalid}：根目录缺少 OFD.xml。"
            if entry.file_size > OFD_MAX_ENTRY:
                return f"{invalid}：OFD.xml 过大。"
            with archive.open(entry) as handle:
                text = handle.read(OFD_MAX_ENTRY + 1)
        root = fromstring(text, forbid_dtd=True)
    # zipfile raises NotImplementedError for a compression method it cannot read; ParseError is a SyntaxError.
    except (
        DefusedXmlException,
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
        SyntaxError,
    ):
        return f"{invalid}。"
    finally:
        upload.seek(0)
    if root.tag != f"{{{OFD_NAMESPACE}}}OFD":
        return f"{invalid}：OFD.xml 的根元素不是 ofd:OFD。"
    return None


# Checks of the whole content beyond the signature, by extension.
CONTENT_CHECKS = {"ofd": ofd_problem}


def upload_extension(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def upload_problem(
    *,
    filename: str,
    head: bytes,
    size: int,
    max_bytes: int,
    allowed: Iterable[str] | None = None,
    upload=None,
) -> str | None:
    """None when the file may be stored; otherwise why not (in Chinese). `allowed` narrows the accepted
    extensions (e.g. IMAGE_EXTENSIONS for photos); where it holds "pdf", "ofd" is accepted too. A format
    checked beyond its signature (OFD: CONTENT_CHECKS) needs the `upload` itself."""
    accepted = sorted(
        ALLOWED_SIGNATURES if allowed is None else set(with_ofd(allowed)) & set(ALLOWED_SIGNATURES)
    )
    extension = upload_extension(filename)
    if extension not in accepted:
        return f"不支持的文件类型“.{extension or '无扩展名'}”：只接受 {'、'.join(accepted)}。"
    if size <= 0:
        return "文件为空。"
    if size > max_bytes:
        return f"文件大小 {size / 1024 / 1024:.1f} MB 超过上限 {max_bytes / 1024 / 1024:.0f} MB。"
    if not any(head.startswith(signature) for signature in ALLOWED_SIGNATURES[extension]):
        return f"文件内容与扩展名“.{extension}”不符。"
    if extension in CONTENT_CHECKS:
        if upload is None:
            return f"无法检查“.{extension}”文件的内容。"
        return CONTENT_CHECKS[extension](upload)
    return None


def upload_original_name(upload) -> str:
    """The client's file name without any path (never used to store the file)."""
    return (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]


def upload_head(upload, length: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


# ---------------------------------------------------------------------------------------- stored names

_EXTENSION = re.compile(r"^[a-z0-9]{1,10}$")


@deconstructible
class GeneratedName:
    """`upload_to` of every FileField: `<prefix>/%Y/%m/<uuid4 hex>.<ext>`. Only the extension of the client's
    name is kept, and only when it is short and plain (letters and digits)."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        extension = upload_extension(filename)
        suffix = f".{extension}" if _EXTENSION.match(extension) else ""
        return f"{self.prefix}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"

    def __eq__(self, other) -> bool:
        return isinstance(other, GeneratedName) and other.prefix == self.prefix

    def __hash__(self) -> int:
        return hash(self.prefix)


def generated_name(prefix: str) -> GeneratedName:
    """The `upload_to` for files under `prefix`."""
    return GeneratedName(prefix)


def display_name(name: str, *, default: str = "附件") -> str:
    """The client's name made safe to show and to send in a header: no path, no control characters
    (a line break would break the Content-Disposition header), at most 255 characters."""
    base = (name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return base[:255] or default


# ------------------------------------------------------------------------------ writes and rollbacks


@dataclass
class _Written:
    storage: object
    name: str

    def written(self) -> None:
        """Its on-commit marker: while queued, no savepoint that holds the row has been rolled back."""


@dataclass
class _Scope:
    files: list[_Written] = field(default_factory=list)


_local = threading.local()


def _scopes(using: str) -> list[_Scope]:
    stacks = getattr(_local, "stacks", None)
    if stacks is None:
        stacks = _local.stacks = {}
    return stacks.setdefault(using, [])


def _outside_application_transactions(using: str) -> bool:
    """No transaction of the application's own is open (a test's enclosing transaction does not count)."""
    return all(getattr(block, "_from_testcase", False) for block in connections[using].atomic_blocks)


def _queued(files: list[_Written], using: str) -> set[int]:
    """ids of the files whose on-commit marker is still queued (a rolled-back savepoint drops its own)."""
    markers = {id(getattr(item[1], "__self__", None)) for item in connections[using].run_on_commit}
    return {id(written) for written in files if id(written) in markers}


def _remove(files: list[_Written]) -> None:
    for written in files:
        with contextlib.suppress(OSError):  # nothing more can be done
            written.storage.delete(written.name)


class atomic(ContextDecorator):
    """`transaction.atomic` for every write that stores files: a file written with `store` inside it is
    removed when the transaction does not commit (an exception, `set_rollback`, a failed commit, a
    rolled-back savepoint inside it). The outermost `atomic` must not run inside a plain transaction of the
    application (its commit would be out of sight): that is a programming error, raised at once."""

    def __init__(self, using: str | None = None):
        self.using = using or DEFAULT_DB_ALIAS

    def _recreate_cm(self):
        return atomic(self.using)

    def __enter__(self):
        stack = _scopes(self.using)
        if not stack and not _outside_application_transactions(self.using):
            raise RuntimeError(
                "uploads.atomic() opened inside a plain transaction: use uploads.atomic() for the outer one"
            )
        self.scope = _Scope()
        stack.append(self.scope)
        self.transaction = transaction.atomic(using=self.using)
        self.transaction.__enter__()
        return self

    def __exit__(self, exc_type, exc, tb):
        connection = connections[self.using]
        stack = _scopes(self.using)
        stack.pop()
        files = self.scope.files
        failed = exc_type is not None or connection.needs_rollback
        if not failed:  # drop now what a savepoint rolled back inside this block had written
            queued = _queued(files, self.using)
            _remove([w for w in files if id(w) not in queued])
            files = [w for w in files if id(w) in queued]
        # The commit (or savepoint release) may still fail. When it is the commit of the outermost block,
        # on-commit callbacks then run from this very list: if one of them raises, the commit has happened
        # (the list was consumed), and the files stay with their rows.
        hooks, pending = connection.run_on_commit, len(connection.run_on_commit)
        try:
            self.transaction.__exit__(exc_type, exc, tb)
        except BaseException:
            committed = not failed and not connection.in_atomic_block and len(hooks) < pending
            if not committed:
                _remove(files)
            raise
        if failed:
            _remove(files)
        elif stack:
            stack[-1].files.extend(files)
        return False


def store(file_field: FieldFile, upload: File, *, using: str | None = None) -> str:
    """Write `upload` to `file_field` under the field's generated name (the row is saved by the caller);
    the file goes again if the transaction does not commit. Must run inside `atomic()`."""
    using = using or DEFAULT_DB_ALIAS
    stack = _scopes(using)
    if not stack:
        raise RuntimeError("uploads.store() outside uploads.atomic(): a rollback would leave the file behind")
    if hasattr(upload, "seek"):
        upload.seek(0)
    file_field.save(upload_original_name(upload) or "file", upload, save=False)
    written = _Written(storage=file_field.storage, name=file_field.name)
    stack[-1].files.append(written)
    transaction.on_commit(written.written, using=using)
    return file_field.name


def delete_on_commit(file_field: FieldFile, *, using: str | None = None) -> None:
    """Remove the file of a row being deleted (or replaced) once the change has committed."""
    if not file_field:
        return
    storage, name = file_field.storage, file_field.name
    transaction.on_commit(functools.partial(storage.delete, name), using=using or DEFAULT_DB_ALIAS)


class StoredFileMissing(Http404):
    """A row names a file that its storage does not hold: the object was removed, or a restore brought
    the rows back without their files. Answered 404 with this message (kejiju.core.views.errors)."""


class StorageUnavailable(RuntimeError):
    """The file storage did not answer (an object store that is down or refuses the portal's key):
    answered 503 with this message by kejiju.core.middleware.StorageErrorMiddleware, never a 500."""


def storage_errors() -> tuple[type[BaseException], ...]:
    """What a storage backend raises when it cannot be reached: OSError for the local disk, botocore's
    errors for an S3-compatible store (imported only when installed)."""
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - botocore is a dependency; kept for a lean local install
        return (OSError,)
    return (OSError, BotoCoreError, ClientError)


def open_stored(file_field: FieldFile, *, label: str = "", mode: str = "rb"):
    """The stored file opened for reading, the one way every download opens one: a missing file is a 404
    that says so, an unreachable store a 503 that says so (`StorageUnavailable`)."""
    shown = display_name(label) if label else (file_field.name or "").rsplit("/", 1)[-1]
    try:
        return file_field.open(mode)
    except FileNotFoundError as error:
        logger.warning("stored file missing: %s", file_field.name)
        raise StoredFileMissing(
            f"文件“{shown}”在文件存储中不存在：可能已被移除，或恢复备份时未一并恢复文件。请联系系统管理员。"
        ) from error
    except storage_errors() as error:
        logger.exception("file storage unavailable while opening %s", file_field.name)
        raise StorageUnavailable(
            f"文件存储暂时无法访问，未能读取文件“{shown}”。请稍后重试；如持续出现，请联系系统管理员。"
        ) from error


def download_response(
    file_field: FieldFile,
    *,
    filename: str,
    content_type: str | None = None,
    as_attachment: bool = True,
) -> FileResponse:
    """The stored file sent under the client's original name: Content-Disposition carries it as
    `filename*=utf-8''…` (RFC 5987) when it is not ASCII; nosniff comes from SecurityMiddleware."""
    handle = open_stored(file_field, label=filename)
    # mimetypes knows no .ofd: the type comes from the table of accepted formats first.
    content_type = content_type or CONTENT_TYPES.get(upload_extension(filename))
    return FileResponse(
        handle, as_attachment=as_attachment, filename=display_name(filename), content_type=content_type
    )


def bytes_response(
    data: bytes, *, filename: str, content_type: str, as_attachment: bool = True, private: bool = True
) -> FileResponse:
    """A file made for this request (a marked copy, a generated document) sent as `download_response`
    sends a stored one: under the client's name, nosniff; `private` keeps it out of every cache."""
    response = FileResponse(
        io.BytesIO(data),
        as_attachment=as_attachment,
        filename=display_name(filename),
        content_type=content_type,
    )
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
