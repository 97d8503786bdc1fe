"""The one door through which a PDF from outside is opened (verify, import X.pdf).

`open_pdf` measures the file before any parser decompresses it — its size, every Flate
stream's decompressed size (read in bounded steps, never whole: a 2 MB file can hold a
3 GB stream), then the page count — and returns it opened in pypdfium2. A file over a limit
of `common.bounds`, damaged or encrypted is one Chinese message with its name (E602, E603).
Whatever reads the pages afterwards (pdfplumber, pypdfium2) calls this first; `DAMAGED` is
what those parsers raise on a broken file.
"""

from __future__ import annotations

import base64
import binascii
import io
import logging
import re
import zlib
from pathlib import Path
from typing import Any

from ..common import bounds
from ..common.problems import BudgetError, Problem, display_path

_STREAM = re.compile(rb"stream\r?\n")
_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_NAMES = {b"FlateDecode": "flate", b"Fl": "flate", b"LZWDecode": "lzw", b"LZW": "lzw",
          b"ASCIIHexDecode": "hex", b"AHx": "hex", b"ASCII85Decode": "a85", b"A85": "a85",
          b"RunLengthDecode": "rl", b"RL": "rl"}


def _refuse(name: str, code: str, reason: str) -> BudgetError:
    return BudgetError([Problem(name, 0, 0, code, reason)])


class _Over(Exception):
    pass


def _inflate(data: bytes) -> tuple[bytes, bool]:
    """Flate data inflated in bounded steps: (what came out, whether it was corrupt)."""
    inflate = zlib.decompressobj()
    out: list[bytes] = []
    size = 0
    try:
        chunk = inflate.decompress(data, 1 << 20)
        while True:
            out.append(chunk)
            size += len(chunk)
            if size > bounds.PDF_STREAM:
                raise _Over
            if not inflate.unconsumed_tail:
                break
            chunk = inflate.decompress(inflate.unconsumed_tail, 1 << 20)
    except zlib.error:
        return b"".join(out), True
    return b"".join(out), False


def _unlzw(data: bytes) -> bytes:
    from pdfminer.lzw import LZWDecoder

    out: list[bytes] = []
    size = 0
    try:
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            out.append(chunk)
            size += len(chunk)
            if size > bounds.PDF_STREAM:
                raise _Over
    except (ValueError, IndexError, TypeError, EOFError):
        pass  # a damaged LZW stream ends where it breaks, as the parsers read it
    return b"".join(out)


def _unrun(data: bytes) -> bytes:
    out = bytearray()
    i = 0
    while i < len(data) and data[i] != 128:
        n = data[i]
        if n < 128:
            out += data[i + 1: i + 2 + n]
            i += n + 2
        else:
            out += data[i + 1: i + 2] * (257 - n)
            i += 2
        if len(out) > bounds.PDF_STREAM:
            raise _Over
    return bytes(out)


def _decoded(data: bytes, filters: list[str]) -> tuple[int, bool]:
    """The size `data` decodes to through `filters` (each stage bounded: a Flate stream of
    Flate streams multiplies), and whether a stage was corrupt; decoding stops at a filter
    that does not expand text (images)."""
    damaged = False
    for kind in filters:
        try:
            if kind == "flate":
                data, broken = _inflate(data)
                damaged = damaged or broken
            elif kind == "lzw":
                data = _unlzw(data)
            elif kind == "rl":
                data = _unrun(data)
            elif kind == "hex":
                digits = re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">", 1)[0])
                data = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
            elif kind == "a85":
                text = data.split(b"~>", 1)[0].strip().removeprefix(b"<~")
                data = base64.a85decode(text, adobe=False)
            else:
                break
        except (ValueError, binascii.Error):
            break
    return len(data), damaged


def measure(data: bytes, name: str) -> None:
    """Every stream that a parser would decode to text (Flate, LZW, RunLength, possibly
    after ASCIIHex/ASCII85), decoded in bounded steps and counted: one over `PDF_STREAM`, or
    all over `PDF_CONTENT`, refuses the file (E603); one that is corrupt and large is refused
    as damaged (the parsers' recovery from a corrupt stream takes time growing with the
    square of its size)."""
    total = 0
    for m in _STREAM.finditer(data):
        start = m.start()
        if start and data[start - 1:start] in (b"d", b"D"):  # "endstream"
            continue
        head = data[max(0, start - 2048):start]
        obj = head.rfind(b" obj")
        found = _FILTER.search(head, max(obj, 0)) if obj >= 0 else None
        if found is None:
            continue
        filters = [_NAMES.get(n, "other") for n in re.findall(rb"/([A-Za-z0-9]+)", found[1])]
        if not {"flate", "lzw", "rl"} & set(filters):
            continue
        end = data.find(b"endstream", m.end())
        try:
            size, damaged = _decoded(data[m.end(): end if end >= 0 else len(data)], filters)
        except _Over:
            raise _refuse(name, "E603", f"PDF 超出处理上限：一个数据流解压后超过 "
                          f"{bounds.PDF_STREAM:,} 字节（可能是“压缩炸弹”）") from None
        if damaged and size > 1_000_000:
            raise _refuse(name, "E602", "无法读取 PDF：文件已损坏（数据流无法解压）")
        total += size
        if total > bounds.PDF_CONTENT:
            raise _refuse(name, "E603", f"PDF 超出处理上限：数据流解压后共超过 "
                          f"{bounds.PDF_CONTENT:,} 字节")


def open_pdf(path: Path) -> Any:
    """`path` opened in pypdfium2 (the caller closes it) after the checks above and a page
    count within `PDF_PAGES`; BudgetError (E601–E603) otherwise."""
    import pypdfium2

    quiet_parsers()
    name = display_path(path)
    if why := bounds.special_file(path):  # a FIFO is never opened, a device never read
        raise _refuse(name, "E601", f"PDF 文件{why}")
    if not path.is_file():
        raise _refuse(name, "E601", "PDF 文件不存在")
    try:
        if path.stat().st_size > bounds.PDF_BYTES:
            raise _refuse(name, "E603", f"PDF 超出处理上限：文件超过 {bounds.PDF_BYTES:,} 字节")
        data = path.read_bytes()
    except OSError as exc:
        from ..common.problems import os_reason
        raise _refuse(name, "E602", f"无法读取 PDF：{os_reason(exc)}") from None
    measure(data, name)
    try:
        doc = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        raise _refuse(name, "E602", f"无法读取 PDF：{reason(exc)}") from None
    if len(doc) > bounds.PDF_PAGES:
        pages = len(doc)
        doc.close()
        raise _refuse(name, "E603", f"PDF 超出处理上限：共 {pages:,} 页，超过 {bounds.PDF_PAGES:,} 页"
                      "（部门预算公开文件通常不到 100 页；请只提交预算文件本身）")
    return doc


def reason(exc: BaseException) -> str:
    """What a parser's failure means for the user, in Chinese."""
    if "password" in str(exc).lower():
        return "文件已加密，需要密码才能打开；请用未加密的文件"
    return "不是有效的 PDF 文件，或文件已损坏"


def damaged() -> tuple[type[BaseException], ...]:
    """The exceptions pdfplumber, pdfminer and pypdfium2 raise on a broken file (a missing
    /Root, a broken xref, a corrupt stream or object): each means "damaged", never a defect."""
    import pypdfium2
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    return (pypdfium2.PdfiumError, PSException, PdfminerException, MalformedPDFException,
            zlib.error, ValueError, KeyError, TypeError, IndexError, AssertionError, RecursionError)


def quiet_parsers() -> None:
    """pdfminer logs its recoveries in English ("Data-loss while decompressing corrupted
    data"); the user reads our Chinese message instead."""
    for logger in ("pdfminer", "pdfplumber", "pypdfium2"):
        logging.getLogger(logger).setLevel(logging.CRITICAL + 1)
