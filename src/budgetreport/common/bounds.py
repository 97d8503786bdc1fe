"""The budgets every command keeps to, whatever it is given (README: "Limits").

Untrusted input — a data file, a workbook or PDF from outside, a user's template or
settings — is measured against these before the work that would cost memory or time is
done, and refused with a Chinese message naming the file and the limit. Renders (templates
run Python code) also have a wall-clock limit: `deadline`.
"""

from __future__ import annotations

import errno
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DATA_BYTES = 2_000_000  # a data file, settings, catalogue (the samples are ~25 kB)

# What one template value (a string or list made by repetition, padding, joining…) may hold,
# and the whole rendered HTML of one document, in characters.
MAX_VALUE = 1_000_000
MAX_DOCUMENT = 30_000_000
MAX_INT_BITS = 4_096        # an integer a template computes (10**1233 is the largest power of 10)
MAX_FORMAT_WIDTH = 10_000   # a width or precision in a format ("{:>N}", "%0Nd", center(N))
RENDER_SECONDS = 10.0       # one document's HTML (check, build, serve)

# Workbooks (.xlsx) from outside: measured before openpyxl reads them (a budget system's
# export of the eleven 附表 is well under a megabyte and some 50,000 cells).
XLSX_BYTES = 50_000_000           # the file itself
XLSX_UNPACKED = 200_000_000       # all its parts, decompressed
XLSX_PART = 50_000_000            # one part (a sheet, the shared strings), decompressed
XLSX_CELLS = 300_000              # cells, all sheets
XLSX_STRINGS = 300_000            # shared strings
XLSX_MERGES = 5_000               # merged ranges in one sheet
XLSX_AREA = 2_000_000             # cells one sheet's merges cover; a sheet's used range
XLSX_ELEMENTS = 3_000_000         # XML elements, all parts (a styles part of 4 million formats)

# PDFs from outside (verify, import X.pdf).
PDF_BYTES = 100_000_000           # the file
PDF_PAGES = 300                   # a department's document has 20-60
PDF_STREAM = 50_000_000           # one decompressed content stream
PDF_CONTENT = 300_000_000         # all decompressed content streams of the pages read


class RenderTimeout(BaseException):
    """Raised inside a render that ran past its deadline (a BaseException, so that no
    `except Exception` in a template's filters can swallow it)."""


@contextmanager
def deadline(seconds: float = RENDER_SECONDS) -> Iterator[None]:
    """Interrupt the calling thread with RenderTimeout if the block runs longer than
    `seconds`. A template's loops are Python code, so the exception lands at the next
    instruction; C-level work is bounded by size checks instead (`sandbox`)."""
    tid = threading.get_ident()
    lock = threading.Lock()
    state = {"active": True, "fired": False}

    def fire() -> None:
        import ctypes
        with lock:
            if state["active"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid),
                                                           ctypes.py_object(RenderTimeout))

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["active"] = False
            timer.cancel()
            if state["fired"]:  # possibly still pending: clear it, it must not land later
                import ctypes
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(tid), None)


class NotRegular(OSError):
    """A path that is no regular file (its Chinese reason is the message)."""


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "是一个文件夹，不是文件"
    if stat.S_ISFIFO(mode):
        return "是管道（命名管道），不是普通文件"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "是设备，不是普通文件"
    if stat.S_ISSOCK(mode):
        return "是套接字，不是普通文件"
    return "不是普通文件"


def special_file(path: Path) -> str | None:
    """Why `path` is not a regular file one may open and read (in Chinese), or None (also
    when it does not exist: the caller's open tells that). Never opens it: a FIFO would
    block, a device never end."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return "是循环的符号链接" if exc.errno == errno.ELOOP else None
    return None if stat.S_ISREG(mode) else _kind(mode)


def read_regular(path: Path, limit: int) -> bytes:
    """At most `limit` + 1 bytes of `path` (the caller tells "too large" by the length),
    opened without blocking and read only if it is a regular file — checked on the opened
    file, so nothing swapped in between is read. NotRegular, or OSError as open raises it."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(errno.EINVAL, _kind(mode))
        os.set_blocking(fd, True)
        chunks, left = [], limit + 1
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 20))):
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)
