"""Hostile workbooks and PDFs, generated at test time (issue 25): shared-string, cell and
merge bombs, a part over its size, a flate bomb, thousands of pages, broken xref tables,
corrupt streams. Small on disk, huge once read without limits."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def xlsx(rows: str = "", merges: str = "", strings: str | None = None) -> bytes:
    """A minimal workbook of one sheet "S": its sheetData rows, mergeCells and shared strings
    as XML text."""
    shared = strings is not None
    types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Default Extension="rels" ContentType="application/'
             'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
             'ContentType="application/xml"/>'
             f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>'
             f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CT}.worksheet+xml"/>'
             + (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_CT}.sharedStrings+xml"/>'
                if shared else "") + "</Types>")
    rels = (f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>')
    book = (f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets><sheet name="S" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>")
    book_rels = (f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/worksheet" '
                 'Target="worksheets/sheet1.xml"/>'
                 + (f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                    if shared else "") + "</Relationships>")
    sheet = (f'<worksheet xmlns="{_MAIN}"><sheetData>{rows}</sheetData>'
             + (f"<mergeCells>{merges}</mergeCells>" if merges else "") + "</worksheet>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", book)
        z.writestr("xl/_rels/workbook.xml.rels", book_rels)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        if shared:
            z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{_MAIN}">{strings}</sst>')
    return buffer.getvalue()


def _with(book: bytes, name: str, text: str) -> bytes:
    buffer = io.BytesIO(book)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr(name, text)
    return buffer.getvalue()


A1 = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
WORKBOOKS: dict[str, Callable[[], bytes]] = {
    "shared strings": lambda: xlsx(A1, strings="<si><t/></si>" * 2_000_000),
    "one huge shared string": lambda: xlsx(A1, strings="<si><t>" + "x" * 60_000_000 + "</t></si>"),
    "30000 merges": lambda: xlsx('<row r="1"><c r="A1"><v>1</v></c></row>',
                         "".join(f'<mergeCell ref="A{2 * i + 1}:B{2 * i + 2}"/>' for i in range(30_000))),
    "a merge over the whole sheet": lambda: xlsx('<row r="1"><c r="A1"><v>1</v></c></row>',
                                         '<mergeCell ref="A1:XFD1048576"/>'),
    "400000 cells": lambda: xlsx("".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>1</v></c>' for c in "ABCDEFGHIJ")
                                 + "</row>" for r in range(1, 40_001))),
    "4 million formats": lambda: _with(xlsx(A1, strings="<si><t>x</t></si>"), "xl/styles.xml",
                                       f'<styleSheet xmlns="{_MAIN}"><cellXfs>' + "<xf/>" * 4_000_000
                                       + "</cellXfs></styleSheet>"),
    "a far corner": lambda: xlsx('<row r="1"><c r="A1"><v>1</v></c></row>'
                         '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'),
}


def _pdf(objects: list[bytes], *, broken_xref: bool = False) -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % (offset + (7 if broken_xref else 0))
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref + (13 if broken_xref else 0))
    return bytes(out)


def _flate(data: bytes) -> bytes:
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream"


def _pages(n: int, content: bytes = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET") -> list[bytes]:
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(n))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)]
    for i in range(n):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources"
                       b" << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>"
                       % (4 + 2 * i))
        objects.append(_flate(zlib.compress(content)))
    return objects


def _bomb() -> bytes:
    """A page whose content stream inflates to 3.4 GB: one 16 MB run of zeros deflated once,
    its blocks repeated (they refer to nothing before them), then a final block and the
    checksum (Adler-32 of n zeros is (n mod 65521) << 16 | 1)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = packer.compress(bytes(1 << 24)) + packer.flush(zlib.Z_SYNC_FLUSH)
    n = 200 * (1 << 24)
    deflated = b"\x78\xda" + piece * 200 + b"\x03\x00" + (((n % 65521) << 16) | 1).to_bytes(4, "big")
    objects = _pages(1)
    objects[3] = _flate(deflated)
    return _pdf(objects)


def _corrupt() -> bytes:
    objects = _pages(1)
    packed = zlib.compress(b"q Q " * 1_000_000, 9)
    objects[3] = _flate(packed[:-4] + bytes(4))  # its checksum broken
    return _pdf(objects)


def _chinese_damage() -> bytes:
    objects = _pages(1, "BT /F1 12 Tf 72 720 Td (部门预算 单位：万元) Tj ET".encode())
    packed = zlib.compress(b"BT (x) Tj ET " * 200_000, 9)
    objects[3] = _flate(packed[: len(packed) // 2] + bytes(64) + packed[len(packed) // 2:])
    return _pdf(objects)


def _wrapped_bomb(filters: bytes, encode: Callable[[bytes], bytes]) -> Callable[[], bytes]:
    """A page whose stream is a bomb behind other filters (Flate inside Flate, hex, ASCII85)."""
    def make() -> bytes:
        objects = _pages(1)
        packed = encode(zlib.compress(bytes(200_000_000), 9))
        objects[3] = b"<< /Length %d /Filter [%s] >>\nstream\n" % (len(packed), filters) + packed + b"\nendstream"
        return _pdf(objects)
    return make


PDFS: dict[str, Callable[[], bytes]] = {
    "a bomb inside a bomb": _wrapped_bomb(b"/FlateDecode /FlateDecode", lambda d: zlib.compress(d, 9)),
    "a hex-encoded bomb": _wrapped_bomb(b"/AHx /Fl", lambda d: d.hex().encode() + b">"),
    "an ASCII85-encoded bomb": _wrapped_bomb(b"/ASCII85Decode /FlateDecode",
                                             lambda d: __import__("base64").a85encode(d) + b"~>"),
    "a flate bomb": _bomb,
    "2000 pages": lambda: _pdf(_pages(2000)),
    "a broken xref": lambda: _pdf(_pages(2), broken_xref=True),
    "no root": lambda: _pdf(_pages(2), broken_xref=True).replace(b"/Root 1 0 R", b""),
    "a corrupt stream": _corrupt,
    "a damaged stream": _chinese_damage,
}
