"""Watermarks on the files the portal hands out: every page of a PDF, or a picture, carries a faint tiled
diagonal text — who received the file and when ("张三 2026-12-07 09:30", local time) — so that a copy that
leaves the portal says whose it was. The material experts read (experts.material) is the first user;
exports may use it later.

- PDF (`stamp_pdf`): WeasyPrint draws the text once per page size on an empty page (the CJK font stack of
  kejiju.core.fonts, embedded), and pypdf lays that page over every page of a copy of the file (its crop
  box, after turning a rotated page's /Rotate into its content, so the text reads upright as shown).
  The copy is written afresh: earlier revisions kept by incremental updates are not in it.
- Pictures (`stamp_image`, PNG and JPEG): Pillow draws the same text over the picture; the copy carries no
  metadata of the original (EXIF, text chunks).
- Any other format is not marked (`stampable` is False): a caller must not hand it out as it is.

A file that cannot be marked (damaged, encrypted with a password, too large, no page) raises
`WatermarkError`, whose message (Chinese) says why; nothing is handed out then."""

from __future__ import annotations

import functools
import html
import io
import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from .fonts import FONT_STACK, PILLOW_CJK_FONTS

logger = logging.getLogger(__name__)

PDF = "pdf"
IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg"}
STAMPABLE_EXTENSIONS = frozenset({PDF, *IMAGE_FORMATS})

# Limits of what is marked on a request: a page count and a picture size well above any application's.
MAX_PAGES = 2000
MAX_PIXELS = 50_000_000

# The look: grey at this opacity, a font size proportional to the page's shorter side, 30° upwards.
COLOR = (110, 110, 110)
OPACITY = 0.2
ANGLE = 30

UNREADABLE_PDF = "文件已损坏或不是有效的 PDF 文件，无法加注水印，请联系经办人。"
UNREADABLE_IMAGE = "文件已损坏或不是有效的图片，无法加注水印，请联系经办人。"


class WatermarkError(Exception):
    """The file cannot be marked; the message (Chinese) says why."""


def stamp_text(name: str, when: datetime | None = None) -> str:
    """The text of a watermark: the receiver's name and the local time, "张三 2026-12-07 09:30"."""
    return f"{name} {timezone.localtime(when or timezone.now()):%Y-%m-%d %H:%M}"


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def stampable(filename: str) -> bool:
    """Whether a file of this name is of a format that can be marked (PDF, PNG, JPEG)."""
    return extension(filename) in STAMPABLE_EXTENSIONS


@dataclass(frozen=True)
class Stamped:
    data: bytes
    content_type: str


def stamp_file(data: bytes, *, filename: str, text: str) -> Stamped:
    """A marked copy of a file of a stampable format (by its name's extension; the content must match)."""
    kind = extension(filename)
    if kind == PDF:
        return Stamped(stamp_pdf(data, text), CONTENT_TYPES[kind])
    if kind in IMAGE_FORMATS:
        return Stamped(stamp_image(data, text, image_format=IMAGE_FORMATS[kind]), CONTENT_TYPES[kind])
    raise WatermarkError("该格式不支持在线查阅，请联系经办人。")


# -------------------------------------------------------------------------------------------------- PDF


def _text_width(text: str, size: float) -> float:
    """About how wide `text` is drawn at `size` (CJK characters a full em, others about half)."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.56 for ch in text)


def overlay_html(width: float, height: float, text: str) -> str:
    """A page of `width` × `height` points holding the text tiled and turned (WeasyPrint's input)."""
    size = max(9.0, min(28.0, min(width, height) / 38))
    span = _text_width(text, size)
    radians = math.radians(ANGLE)
    step_x = span * math.cos(radians) + size * 4
    step_y = span * math.sin(radians) + size * 4
    escaped = html.escape(text)
    spans = []
    row = 0
    y = size * 2.0
    while y < height + step_y:
        x = -span * 0.5 + (step_x / 2 if row % 2 else 0)
        while x < width:
            spans.append(f'<span style="left:{x:.1f}pt;top:{y:.1f}pt">{escaped}</span>')
            x += step_x
        y += step_y
        row += 1
    red, green, blue = COLOR
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width:.3f}pt {height:.3f}pt; margin: 0 }}"
        "html, body { margin: 0; padding: 0 }"
        f".sheet {{ position: relative; width: {width:.3f}pt; height: {height:.3f}pt; overflow: hidden }}"
        f".sheet span {{ position: absolute; white-space: nowrap; font-family: {FONT_STACK};"
        f" font-size: {size:.1f}pt; color: rgba({red}, {green}, {blue}, {OPACITY});"
        f" transform: rotate(-{ANGLE}deg); transform-origin: 0 0 }}"
        f"</style></head><body><div class='sheet'>{''.join(spans)}</div></body></html>"
    )


def _overlay_page(width: float, height: float, text: str):
    from pypdf import PdfReader
    from weasyprint import HTML

    pdf = HTML(string=overlay_html(width, height, text)).write_pdf()
    return PdfReader(io.BytesIO(pdf)).pages[0]


def stamp_pdf(data: bytes, text: str) -> bytes:
    """A copy of the PDF `data` with `text` tiled over every page."""
    from pypdf import PasswordType, PdfReader, PdfWriter, Transformation

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise WatermarkError("该 PDF 文件设有打开密码，无法加注水印，请联系经办人。")
        count = len(reader.pages)
        if count == 0:
            raise WatermarkError("该 PDF 文件没有页面，请联系经办人。")
        if count > MAX_PAGES:
            raise WatermarkError(f"该 PDF 文件超过 {MAX_PAGES} 页，无法在线加注水印，请联系经办人。")
        writer = PdfWriter(clone_from=reader)
        overlays = {}
        for page in writer.pages:
            if page.rotation % 360:
                page.transfer_rotation_to_content()
            box = page.cropbox
            width, height = float(box.width), float(box.height)
            if width < 1 or height < 1:
                raise WatermarkError(UNREADABLE_PDF)
            key = (round(width, 1), round(height, 1))
            if key not in overlays:
                overlays[key] = _overlay_page(width, height, text)
            page.merge_transformed_page(
                overlays[key], Transformation().translate(float(box.left), float(box.bottom))
            )
        output = io.BytesIO()
        writer.write(output)
    except WatermarkError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a damaged or hostile file
        logger.warning("PDF not stamped: %r", error)
        raise WatermarkError(UNREADABLE_PDF) from error
    return output.getvalue()


# ----------------------------------------------------------------------------------------------- images


@functools.lru_cache(maxsize=16)
def _image_font(size: int):
    from PIL import ImageFont

    for name, index in PILLOW_CJK_FONTS:
        try:
            return ImageFont.truetype(name, size, index=index)
        except OSError:
            continue
    raise WatermarkError("服务器缺少中文字体，无法加注水印，请联系系统管理员。")


def _tile(text: str, size: int):
    """The text drawn once on a transparent picture, turned upwards by ANGLE."""
    from PIL import Image, ImageDraw

    font = _image_font(size)
    left, top, right, bottom = font.getbbox(text)
    tile = Image.new("RGBA", (right - left + size, bottom - top + size), (0, 0, 0, 0))
    ImageDraw.Draw(tile).text(
        (size // 2 - left, size // 2 - top), text, font=font, fill=(*COLOR, round(255 * OPACITY * 1.4))
    )
    return tile.rotate(ANGLE, expand=True, resample=Image.Resampling.BICUBIC)


def stamp_image(data: bytes, text: str, *, image_format: str) -> bytes:
    """A copy of the picture `data` (`image_format`: "PNG" or "JPEG") with `text` tiled over it."""
    from PIL import Image, ImageOps

    try:
        with Image.open(io.BytesIO(data), formats=[image_format]) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise WatermarkError("图片尺寸过大，无法在线加注水印，请联系经办人。")
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGBA")
    except WatermarkError:
        raise
    except Exception as error:  # Pillow raises several kinds (OSError, SyntaxError, ValueError …)
        logger.warning("Picture not stamped: %r", error)
        raise WatermarkError(UNREADABLE_IMAGE) from error
    size = max(12, min(96, min(image.size) // 24))
    tile = _tile(text, size)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    step_x, step_y = tile.width + size * 2, tile.height + size
    for row, y in enumerate(range(-tile.height // 3, image.height, step_y)):
        for x in range(-tile.width // 3 + (step_x // 2 if row % 2 else 0), image.width, step_x):
            layer.paste(tile, (x, y), tile)
    marked = Image.alpha_composite(image, layer)
    output = io.BytesIO()
    if image_format == "JPEG":
        marked.convert("RGB").save(output, format="JPEG", quality=90)
    else:
        marked.save(output, format="PNG")
    return output.getvalue()


# ------------------------------------------------------------------------------------ who and what for


def viewer_label(user) -> str:
    """Who a watermark names: the account's name and its username (two accounts may share a name)."""
    name = (getattr(user, "display_name", "") or "").strip()
    username = getattr(user, "username", "") or ""
    return f"{name}（{username}）" if name and name != username else username


def viewer_stamp(user, when: datetime | None = None) -> str:
    """The text of a watermark for this viewer now: "张三（zhangsan） 2026-12-07 09:30"."""
    return stamp_text(viewer_label(user), when)


# ------------------------------------------------------------------------------------------------- xlsx

XLSX = "xlsx"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Elements a worksheet may hold after <headerFooter> (ECMA-376 CT_Worksheet), and its end.
_AFTER_HEADER_FOOTER = (
    b"<rowBreaks",
    b"<colBreaks",
    b"<customProperties",
    b"<cellWatches",
    b"<ignoredErrors",
    b"<smartTags",
    b"<drawing",
    b"<legacyDrawing",
    b"<legacyDrawingHF",
    b"<drawingHF",
    b"<picture",
    b"<oleObjects",
    b"<controls",
    b"<webPublishItems",
    b"<tableParts",
    b"<extLst",
    b"</worksheet>",
)
_TAIL = 256 * 1024
_CHUNK = 1024 * 1024


def xlsx_header_text(text: str) -> str:
    """`text` as an Excel page header: '&' starts a header code (&P, &D …), '&&' is a literal '&'."""
    return "导出：" + text.replace("&", "&&")


def xlsx_stamp_worksheet(sheet, text: str) -> None:
    """Put `text` in the printed page header and footer of an XlsxWriter worksheet being built."""
    value = "&C" + xlsx_header_text(text)
    sheet.set_header(value)
    sheet.set_footer(value)


def _header_footer_xml(text: str) -> bytes:
    value = html.escape(xlsx_header_text(text), quote=False)
    part = f"&amp;C{value}"
    return f"<headerFooter><oddHeader>{part}</oddHeader><oddFooter>{part}</oddFooter></headerFooter>".encode()


def _stamp_sheet_tail(tail: bytes, text: str) -> bytes:
    tail = re.sub(rb"<headerFooter\b[^>]*/>|<headerFooter\b.*?</headerFooter>", b"", tail, flags=re.S)
    positions = [found for tag in _AFTER_HEADER_FOOTER if (found := tail.find(tag)) >= 0]
    if not positions:
        raise WatermarkError("导出文件已损坏，无法加注水印，请重新生成。")
    at = min(positions)
    return tail[:at] + _header_footer_xml(text) + tail[at:]


def stamp_xlsx(data: bytes, text: str) -> bytes:
    """A copy of a workbook the portal generated (XlsxWriter) whose every worksheet prints `text` as its page
    header and footer; the cells are untouched (a re-import reads the same rows). Sheets are copied in
    chunks, only the end of each (where the header belongs) is rewritten."""
    import zipfile

    output = io.BytesIO()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
            for info in source.infolist():
                name = info.filename
                is_sheet = (
                    name.startswith("xl/worksheets/") and name.endswith(".xml") and "/_rels/" not in name
                )
                member = zipfile.ZipInfo(name, date_time=info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED
                with source.open(info) as reader, target.open(member, "w") as writer:
                    if not is_sheet:
                        while chunk := reader.read(_CHUNK):
                            writer.write(chunk)
                        continue
                    pending = b""
                    while chunk := reader.read(_CHUNK):
                        pending += chunk
                        if len(pending) > _TAIL:
                            writer.write(pending[:-_TAIL])
                            pending = pending[-_TAIL:]
                    writer.write(_stamp_sheet_tail(pending, text))
    except WatermarkError:
        raise
    except Exception as error:  # a damaged archive: zipfile raises several kinds
        logger.warning("Workbook not stamped: %r", error)
        raise WatermarkError("导出文件已损坏，无法加注水印，请重新生成。") from error
    return output.getvalue()


def stamp_download(data: bytes, *, filename: str, text: str) -> Stamped:
    """A marked copy of a file the portal generated (a report, an export kept as a job's file), made when
    it is downloaded, so that it names whoever downloads it: PDF on every page, xlsx in the page header."""
    if extension(filename) == XLSX:
        return Stamped(stamp_xlsx(data, text), XLSX_CONTENT_TYPE)
    return stamp_file(data, filename=filename, text=text)


# ----------------------------------------------------------------------------------------------- screen


def page_svg(text: str) -> str:
    """A tile of the on-screen watermark: `text` (escaped) once, faint, turned upwards; the stylesheet
    repeats it over pages showing personal data (`.kj-watermark`, see kejiju.core.views.generic)."""
    escaped = html.escape(text)
    red, green, blue = COLOR
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="360" height="200" viewBox="0 0 360 200">'
        f'<text x="180" y="100" text-anchor="middle" dominant-baseline="middle" '
        f'transform="rotate(-{ANGLE} 180 100)" font-size="15" font-family="sans-serif" '
        f'fill="rgb({red},{green},{blue})" fill-opacity="0.16">{escaped}</text></svg>'
    )
