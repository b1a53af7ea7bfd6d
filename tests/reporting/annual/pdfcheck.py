"""What a PDF really draws: its fonts, and the characters drawn with the .notdef glyph (CID 0) — a character
no font in the stack has comes out that way (an empty box, or nothing), while its ToUnicode entry still
lets pdftotext extract it. So "the text is in the PDF" needs both checks."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import ContentStream, IndirectObject

HEX = r"<([0-9a-fA-F]+)>"


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    """The PDF's text by poppler's pdftotext (pypdf garbles text drawn from several fonts on a page).
    `raw` keeps the drawing order: a table cell's wrapped lines stay together. Diagonal text is left out:
    a download carries its downloader's name across every page (kejiju.core.watermark, at 30°)."""
    args = ["pdftotext", "-nodiag", *(["-raw"] if raw else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def _cmap_sections(data: str, kind: str) -> list[str]:
    return re.findall(rf"begin{kind}(.*?)end{kind}", data, flags=re.S)


def _utf16(hex_string: str) -> str:
    return bytes.fromhex(hex_string).decode("utf-16-be", errors="replace")


@dataclass
class _Font:
    name: str
    code_to_cid: dict[int, int] | None  # None: Identity-H (the code is the CID)
    to_unicode: dict[int, str] = field(default_factory=dict)
    embedded: bool = False
    subset: bool = False


def _load_font(font) -> _Font | None:
    font = font.get_object()
    if font.get("/Subtype") != "/Type0":
        return None
    name = str(font["/BaseFont"]).lstrip("/")
    encoding = font.get("/Encoding")
    code_to_cid = None
    if isinstance(encoding, IndirectObject) or hasattr(encoding, "get_data"):
        data = encoding.get_object().get_data().decode("latin-1")
        code_to_cid = {}
        for section in _cmap_sections(data, "cidchar"):
            for code, cid in re.findall(rf"{HEX}\s+(\d+)", section):
                code_to_cid[int(code, 16)] = int(cid)
        for section in _cmap_sections(data, "cidrange"):
            for low, high, cid in re.findall(rf"{HEX}\s+{HEX}\s+(\d+)", section):
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    code_to_cid[code] = int(cid) + offset
    to_unicode = {}
    if "/ToUnicode" in font:
        data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
        for section in _cmap_sections(data, "bfchar"):
            for code, text in re.findall(rf"{HEX}\s+{HEX}", section):
                to_unicode[int(code, 16)] = _utf16(text)
        for section in _cmap_sections(data, "bfrange"):
            for low, high, start in re.findall(rf"{HEX}\s+{HEX}\s+{HEX}", section):
                first = _utf16(start)
                for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                    to_unicode[code] = first[:-1] + chr(ord(first[-1]) + offset)
    descendant = font["/DescendantFonts"][0].get_object()
    descriptor = descendant.get("/FontDescriptor")
    embedded = descriptor is not None and any(
        key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
    )
    subset = bool(re.match(r"[A-Z]{6}\+", name))
    return _Font(name, code_to_cid, to_unicode, embedded, subset)


@dataclass
class PdfGlyphs:
    fonts: dict[str, _Font] = field(default_factory=dict)
    notdef: list[tuple[str, str]] = field(default_factory=list)  # (font, character) drawn as .notdef
    drawn: int = 0
    characters: dict[str, set[str]] = field(default_factory=dict)  # font → the characters it drew


def _walk(stream_owner, resources, reader, result: PdfGlyphs, seen: set) -> None:
    resources = resources.get_object() if resources is not None else {}
    fonts = {}
    for key, font in (resources.get("/Font") or {}).items():
        loaded = _load_font(font)
        if loaded is not None:
            fonts[key] = loaded
            result.fonts[loaded.name] = loaded
    content = ContentStream(stream_owner, reader)
    current = None
    for operands, operator in content.operations:
        if operator == b"Tf":
            current = fonts.get(operands[0])
        elif operator == b"Do":
            xobject = (resources.get("/XObject") or {}).get(operands[0])
            if xobject is None:
                continue
            target = xobject.get_object()
            marker = id(target) if not isinstance(xobject, IndirectObject) else xobject.idnum
            if target.get("/Subtype") == "/Form" and marker not in seen:
                seen.add(marker)
                _walk(target, target.get("/Resources", resources), reader, result, seen)
        elif operator in (b"Tj", b"TJ", b"'", b'"') and current is not None:
            items = operands[0] if operator == b"TJ" else [operands[-1]]
            for item in items:
                if isinstance(item, int | float) or not hasattr(item, "__len__"):
                    continue
                raw = item.original_bytes if hasattr(item, "original_bytes") else bytes(item)
                for index in range(0, len(raw) - 1, 2):
                    code = int.from_bytes(raw[index : index + 2], "big")
                    cid = code if current.code_to_cid is None else current.code_to_cid.get(code, 0)
                    result.drawn += 1
                    result.characters.setdefault(current.name, set()).add(current.to_unicode.get(code, "?"))
                    if cid == 0:
                        result.notdef.append((current.name, current.to_unicode.get(code, "?")))


def pdf_glyphs(pdf: bytes) -> PdfGlyphs:
    reader = PdfReader(io.BytesIO(pdf))
    result = PdfGlyphs()
    for page in reader.pages:
        _walk(page.get_contents(), page.get("/Resources"), reader, result, set())
    return result
