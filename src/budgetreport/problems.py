"""Problems found in a budget file: coded, located, worded in Chinese.

Every stage collects problems instead of stopping at the first, so one run of
`budgetreport check` lists everything a finance officer has to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import Path

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

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        tag = "" if self.severity is Severity.error else f"{self.severity.value}："
        return f"{where}: {tag}{self.message} [{self.code}]"


class BudgetError(Exception):
    """Raised by the pipeline when a file has errors; carries all of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def display_path(path: Path) -> str:
    """Paths in messages are relative to the working folder when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
