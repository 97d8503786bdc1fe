"""Fault injection for the hostile tests, loaded by Python at start-up when this folder is on
PYTHONPATH: BUDGETREPORT_FAULT="<what>:<where>:<n>" makes the n-th call of <where> fail.

<what>:  sigint  (Ctrl-C: SIGINT to the whole process group, workers included)
         sigterm (SIGTERM to the process making the call), sigterm-main (to the main process,
         as a service manager stops a program), kill (SIGKILL to the process making the call)
         enospc / erofs / eacces / eio (that OSError, naming the path the call was given)
<where>: module.attribute (e.g. budgetreport.layout.render.render_html), "rename" (os.replace of a
         file staged by budgetreport.common.files), or "write" (a file opened for writing: half the data is
         written, then the error, as a disk filling up does).
Signals are sent when the call is made, before it runs; an error replaces the call.
Nothing here runs unless the variable is set.
"""

from __future__ import annotations

import builtins
import errno
import importlib
import io
import os
import re
import signal
from typing import Any

SPEC = os.environ.get("BUDGETREPORT_FAULT", "")
MAIN = os.getpid()
ERRORS = {"enospc": errno.ENOSPC, "erofs": errno.EROFS, "eacces": errno.EACCES, "eio": errno.EIO}


def _fire(what: str, path: Any) -> None:
    if what == "sigint":
        os.killpg(os.getpgrp(), signal.SIGINT)
    elif what == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)
    elif what == "sigterm-main":
        os.kill(MAIN, signal.SIGTERM)
    elif what == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    else:
        code = ERRORS[what]
        raise OSError(code, os.strerror(code), str(path) if path is not None else None)


def _counter(n: int) -> Any:
    calls = [0]

    def due() -> bool:
        calls[0] += 1
        return calls[0] == n

    return due


class _Filling(io.BufferedWriter):
    """Writes half of what it is given, then fails as a full disk does."""

    def __init__(self, raw: Any, what: str, path: Any) -> None:
        super().__init__(raw)
        self.what, self.path = what, path

    def write(self, data: Any) -> int:
        super().write(bytes(data)[: len(data) // 2])
        self.flush()
        _fire(self.what, self.path)
        return 0


def _install(what: str, where: str, n: int) -> None:
    due = _counter(n)
    if where == "rename":
        real_replace = os.replace

        def replace(src: Any, dst: Any, *args: Any, **kw: Any) -> None:
            if re.search(r"(^|/)\.[^/]+\.\d+\.tmp$", str(src)) and due():  # files._stage's, not Jinja's
                _fire(what, dst)
            real_replace(src, dst, *args, **kw)

        os.replace = replace  # type: ignore[assignment]
        return
    if where == "write":
        real_open = builtins.open

        def open_(file: Any, mode: str = "r", *args: Any, **kw: Any) -> Any:
            writing = any(c in mode for c in "wxa") and not isinstance(file, int)
            if writing and due():
                if what not in ERRORS:
                    _fire(what, file)
                else:
                    raw = real_open(file, mode.replace("t", "") + ("b" if "b" not in mode else ""),
                                    buffering=0)
                    handle = _Filling(raw, what, file)
                    return handle if "b" in mode else io.TextIOWrapper(handle, encoding=kw.get("encoding"))
            return real_open(file, mode, *args, **kw)

        builtins.open = open_  # type: ignore[assignment]
        io.open = open_  # type: ignore[assignment]
        return
    module_name, attribute = where.rsplit(".", 1)
    module = importlib.import_module(module_name)
    real = getattr(module, attribute)

    def wrapped(*args: Any, **kw: Any) -> Any:
        if due():
            _fire(what, next((a for a in args if isinstance(a, os.PathLike | str)), None))
        return real(*args, **kw)

    setattr(module, attribute, wrapped)


if SPEC:
    _what, _where, _n = SPEC.split(":")
    _install(_what, _where, int(_n))
