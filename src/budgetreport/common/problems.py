"""Problems found in a budget file: coded, located, worded in Chinese.

Every stage collects problems instead of stopping at the first, so one run of
`budgetreport check` lists everything a finance officer has to fix.
"""

from __future__ import annotations

import errno
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

Loc = tuple[str | int, ...]


class Severity(str, Enum):
    error = "错误"
    warning = "警告"
    hint = "提示"  # never fails a check, even with --strict


def path_text(loc: Loc) -> str:
    """A data path as users read it: spending[6].personnel (1-based list positions).
    pydantic's union member names ("str", "Subsection") are left out."""
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part + 1}]")
        elif part not in ("str", "Subsection"):
            parts.append(("." if parts else "") + part)
    return "".join(parts)


def leaves(value: Any, loc: Loc = ()) -> Iterator[tuple[Loc, Any]]:
    """Every value inside nested dicts and lists, with its data path."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from leaves(v, loc + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from leaves(v, loc + (i,))
    else:
        yield loc, value


def texts(value: Any) -> Iterator[tuple[Loc, str]]:
    """Every text inside nested dicts and lists, with its data path."""
    return ((loc, v) for loc, v in leaves(value) if isinstance(v, str))


@dataclass(frozen=True)
class Finding:
    """A rule's verdict before it is tied to a file: a data path instead of a line."""

    code: str
    message: str
    loc: Loc = ()
    severity: Severity = Severity.error
    gap: Decimal | None = None  # for an unbalanced sum: left side minus right side


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    column: int
    code: str
    message: str
    severity: Severity = field(default=Severity.error, compare=False)
    loc: Loc = field(default=(), compare=False)  # the data path it is about, if known

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        tag = "" if self.severity is Severity.error else f"{self.severity.value}："
        return visible(f"{where}: {tag}{self.message} [{self.code}]")


class BudgetError(Exception):
    """Raised by the pipeline when a file has errors; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


_OS_REASONS = {
    errno.ENOENT: "文件不存在",
    errno.EISDIR: "是一个文件夹，不是文件",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.EACCES: "没有读取或写入权限",
    errno.EPERM: "操作不被允许（没有权限）",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.ENAMETOOLONG: "文件名过长",
    errno.EROFS: "只读文件系统，不能写入",
    errno.EEXIST: "文件已存在",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.EMFILE: "打开的文件过多",
    errno.ENFILE: "系统打开的文件过多",
    errno.EIO: "磁盘读写出错",
    errno.ELOOP: "符号链接循环",
    errno.EXDEV: "不能跨磁盘移动文件",
    errno.EFBIG: "文件过大",
    errno.EINVAL: "参数无效（文件名中可能有不允许的字符）",
    errno.ENOMEM: "内存不足",
    errno.EAGAIN: "资源暂时不可用，请稍后重试",
    errno.ENXIO: "设备不存在",
    errno.ENODEV: "设备不存在",
    errno.ESPIPE: "不是普通文件",
    errno.ETIMEDOUT: "操作超时",
    errno.ECONNREFUSED: "连接被拒绝",
    errno.EADDRINUSE: "端口已被占用",
    errno.EPIPE: "输出已被关闭",
}
_OS_REASONS_BY_TYPE: tuple[tuple[type[OSError], str], ...] = (
    (FileNotFoundError, "文件不存在"),
    (IsADirectoryError, "是一个文件夹，不是文件"),
    (NotADirectoryError, "路径中有一段不是文件夹"),
    (PermissionError, "没有读取或写入权限"),
    (FileExistsError, "文件已存在"),
)


def os_reason(exc: OSError) -> str:
    """The Chinese reason for an operating-system error, chosen by errno (never the English
    strerror). Use with the path: f"无法读取 {display_path(path)}：{os_reason(exc)}"."""
    if exc.errno in _OS_REASONS:
        return _OS_REASONS[exc.errno]
    for kind, reason in _OS_REASONS_BY_TYPE:
        if isinstance(exc, kind):
            return reason
    return f"操作系统错误（错误号 {exc.errno}）" if exc.errno else "操作系统错误"


# Characters that would break a message line or hide in it: controls, format characters
# (zero-width, bidirectional marks), line and paragraph separators, undecodable bytes.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"})


def visible(text: str) -> str:
    """`text` with every character a terminal would not show plainly written as \\uXXXX, so
    one message stays one line and an invisible character in a name or value can be seen."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\t" or unicodedata.category(c) not in _HIDDEN
                   else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}" for c in text)


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working folder when possible, with any hidden
    character (a newline or a right-to-left mark in a file name) made visible."""
    try:
        shown = str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        shown = str(path)
    return visible(shown)
