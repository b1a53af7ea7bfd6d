"""The watermark of handed-out files (kejiju.core.watermark): every page of a PDF carries the receiver's
name and the time, drawn (no .notdef) in an embedded CJK font, upright on rotated and odd-sized pages; a
picture is marked too; a file that cannot be marked is refused with a Chinese reason, never returned as
it came."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from kejiju.core import watermark
from tests.reporting.annual.pdfcheck import pdf_glyphs

TEXT = "张三 2026-12-07 09:30"


def _pdf(*sizes, rotate=None) -> bytes:
    writer = PdfWriter()
    for width, height in sizes:
        writer.add_blank_page(width, height)
    if rotate is not None:
        writer.pages[-1].rotate(rotate)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_the_text_is_the_name_and_the_local_time():
    when = dt.datetime(2026, 12, 7, 1, 30, tzinfo=dt.UTC)
    assert watermark.stamp_text("张三", when) == TEXT  # Asia/Shanghai, UTC+8
    assert watermark.stamp_text("张三", when.astimezone(zoneinfo.ZoneInfo("Europe/Paris"))) == TEXT


def test_every_page_of_a_pdf_carries_the_text_in_a_cjk_font():
    source = _pdf((595, 842), (842, 595), (300, 500), rotate=90)
    stamped = watermark.stamp_pdf(source, TEXT)
    pages = PdfReader(io.BytesIO(stamped)).pages
    assert len(pages) == 3
    for page in pages:
        assert TEXT in page.extract_text()
    assert PdfReader(io.BytesIO(source)).pages[0].extract_text() == ""
    glyphs = pdf_glyphs(stamped)
    assert glyphs.drawn and not glyphs.notdef
    assert all(font.embedded for font in glyphs.fonts.values())
    assert any("张" in chars for chars in glyphs.characters.values())


def test_a_rotated_page_is_marked_upright_over_what_is_shown():
    stamped = watermark.stamp_pdf(_pdf((595, 842), rotate=90), TEXT)
    page = PdfReader(io.BytesIO(stamped)).pages[0]
    assert page.rotation == 0 and (float(page.mediabox.width), float(page.mediabox.height)) == (842, 595)


def test_a_picture_is_marked_and_keeps_its_format_and_size():
    for image_format, mode in (("PNG", "RGBA"), ("JPEG", "RGB")):
        blank = io.BytesIO()
        Image.new(mode, (800, 600), "white").save(blank, format=image_format)
        stamped = watermark.stamp_image(blank.getvalue(), TEXT, image_format=image_format)
        with Image.open(io.BytesIO(stamped)) as image:
            assert image.format == image_format and image.size == (800, 600)
            grey = sum(image.convert("L").histogram()[:245])
        assert grey > 800 * 600 // 200  # the text is drawn, faintly, over the whole picture


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%test\n", "已损坏"),
        (b"not a pdf at all", "已损坏"),
        (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "已损坏"),
    ],
)
def test_a_damaged_pdf_is_refused_with_a_reason(data, reason):
    with pytest.raises(watermark.WatermarkError, match=reason):
        watermark.stamp_pdf(data, TEXT)


def test_a_pdf_with_an_open_password_or_no_page_is_refused():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="secret", owner_password="owner")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(watermark.WatermarkError, match="打开密码"):
        watermark.stamp_pdf(locked.getvalue(), TEXT)
    with pytest.raises(watermark.WatermarkError, match="没有页面"):
        watermark.stamp_pdf(_pdf(), TEXT)


def test_a_pdf_restricted_by_an_owner_password_only_is_marked():
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt(user_password="", owner_password="owner")
    restricted = io.BytesIO()
    writer.write(restricted)
    stamped = watermark.stamp_pdf(restricted.getvalue(), TEXT)
    assert TEXT in PdfReader(io.BytesIO(stamped)).pages[0].extract_text()


def test_other_formats_and_damaged_pictures_are_refused():
    assert watermark.stampable("申报书.PDF") and watermark.stampable("现场.jpeg")
    assert not any(watermark.stampable(name) for name in ("预算.xlsx", "申报书.docx", "说明.doc", "无扩展名"))
    with pytest.raises(watermark.WatermarkError, match="不支持在线查阅"):
        watermark.stamp_file(b"PK\x03\x04", filename="预算.xlsx", text=TEXT)
    with pytest.raises(watermark.WatermarkError, match="图片"):
        watermark.stamp_file(b"\x89PNG\r\n\x1a\n broken", filename="现场.png", text=TEXT)
    with pytest.raises(watermark.WatermarkError, match="PDF"):  # a picture named .pdf is no PDF
        blank = io.BytesIO()
        Image.new("RGB", (10, 10)).save(blank, format="PNG")
        watermark.stamp_file(blank.getvalue(), filename="申报书.pdf", text=TEXT)
