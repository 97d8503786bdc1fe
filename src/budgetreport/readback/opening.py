"""The one door through which a PDF from outside is opened (verify, import X.pdf).

`open_pdf` measures the file before any parser decompresses it — its size, every Flate
stream's decompressed size (read in bounded steps, never whole: a 2 MB file can hold a
3 GB stream), then the page count — and returns it opened in pypdfium2. A file over a limit
of `common.bounds`, damaged or encrypted is one Chinese message with its name (E602, E603).
Whatever reads the pages afterwards (pdfplumber, pypdfium2) calls this first; `DAMAGED` is
what those parsers raise on a broken file.
"""

from __future__ import annotations

import logging
import re
import zlib
from pathlib import Path
from typing import Any

from ..common import bounds
from ..common.problems import BudgetError, Problem, display_path

_STREAM = re.compile(rb"stream\r?\n")
_FLATE_FIRST = re.compile(rb"/Filter\s*(?:\[\s*)?/(?:FlateDecode|Fl)\b")


def _refuse(name: str, code: str, reason: str) -> BudgetError:
    return BudgetError([Problem(name, 0, 0, code, reason)])


def measure(data: bytes, name: str) -> None:
    """Every stream whose first filter is Flate, decompressed in bounded steps and counted:
    one over `PDF_STREAM`, or all over `PDF_CONTENT`, refuses the file (E603); one that is
    corrupt and large is refused as damaged (the parsers' recovery from a corrupt stream
    takes time growing with the square of its size)."""
    total = 0
    for m in _STREAM.finditer(data):
        start = m.start()
        if start and data[start - 1:start] in (b"d", b"D"):  # "endstream"
            continue
        head = data[max(0, start - 2048):start]
        obj = head.rfind(b" obj")
        if obj < 0 or not _FLATE_FIRST.search(head, obj):
            continue
        end = data.find(b"endstream", m.end())
        raw = memoryview(data)[m.end(): end if end >= 0 else len(data)]
        inflate = zlib.decompressobj()
        size, damaged = 0, False
        try:
            chunk = inflate.decompress(raw, 1 << 20)
            while True:
                size += len(chunk)
                if size > bounds.PDF_STREAM:
                    raise _refuse(name, "E603", f"PDF 超出处理上限：一个数据流解压后超过 "
                                  f"{bounds.PDF_STREAM:,} 字节（可能是“压缩炸弹”）")
                if not inflate.unconsumed_tail:
                    break
                chunk = inflate.decompress(inflate.unconsumed_tail, 1 << 20)
        except zlib.error:
            damaged = True
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
