"""Upload checks shared by every app that stores files: the extension must be allowed AND the first bytes
must carry that format's signature (a renamed executable is refused), within a size limit."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePath

_PDF = (b"%PDF-",)
_OOXML = (b"PK\x03\x04",)  # docx/xlsx/pptx are zip packages
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # doc/xls/ppt/wps/et (Compound File Binary)
ALLOWED_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": _PDF,
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


def upload_extension(filename: str) -> str:
    return PurePath(filename).suffix.lower().lstrip(".")


def upload_problem(
    *, filename: str, head: bytes, size: int, max_bytes: int, allowed: Iterable[str] | None = None
) -> str | None:
    """None when the file may be stored; otherwise why not (in Chinese). `allowed` narrows the accepted
    extensions (e.g. IMAGE_EXTENSIONS for photos)."""
    accepted = sorted(ALLOWED_SIGNATURES if allowed is None else set(allowed) & set(ALLOWED_SIGNATURES))
    extension = upload_extension(filename)
    if extension not in accepted:
        return f"不支持的文件类型“.{extension or '无扩展名'}”：只接受 {'、'.join(accepted)}。"
    if size <= 0:
        return "文件为空。"
    if size > max_bytes:
        return f"文件大小 {size / 1024 / 1024:.1f} MB 超过上限 {max_bytes / 1024 / 1024:.0f} MB。"
    if not any(head.startswith(signature) for signature in ALLOWED_SIGNATURES[extension]):
        return f"文件内容与扩展名“.{extension}”不符。"
    return None


def upload_original_name(upload) -> str:
    """The client's file name without any path (never used to store the file)."""
    return (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]


def upload_head(upload, length: int = 16) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head
