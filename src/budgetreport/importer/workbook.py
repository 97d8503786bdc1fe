"""Import stage 1: a workbook's sheets as grids of located values.

Two openpyxl passes over the file: a read-only pass that only notes which cells hold a
formula (never evaluated), and a `data_only` pass for the values Excel/WPS cached when the
file was saved, together with the merged ranges (read-only sheets do not expose merges, and a
header is read whatever its merges). Every value keeps its sheet and cell, so a message can
say `文件.xlsx!工作表!C12`.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..common import bounds
from ..common.problems import BudgetError, Problem, Severity, display_path, os_reason


@dataclass(frozen=True)
class Ref:
    """Where a value stands: book!sheet!C12."""

    book: str
    sheet: str
    row: int
    col: int

    @property
    def cell(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"

    def __str__(self) -> str:
        return f"{self.book}!{self.sheet}!{self.cell}"


@dataclass
class Sheet:
    """One visible sheet: cell values by (row, col), 1-based, merges resolved on request."""

    book: str
    name: str
    values: dict[tuple[int, int], Any]
    merges: list[tuple[int, int, int, int]]  # min_row, min_col, max_row, max_col
    max_row: int
    max_col: int
    formulas: set[tuple[int, int]] = field(default_factory=set)

    def ref(self, row: int, col: int) -> Ref:
        return Ref(self.book, self.name, row, col)

    def raw(self, row: int, col: int) -> Any:
        return self.values.get((row, col))

    def merge_at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        if len(self.merges) > 50:  # looked up for every cell: an index, not a scan
            if getattr(self, "_indexed", None) != len(self.merges):
                self._index = {(r, c): m for m in reversed(self.merges)
                               for r in range(m[0], m[2] + 1) for c in range(m[1], m[3] + 1)}
                self._indexed = len(self.merges)
            return self._index.get((row, col))
        for m in self.merges:
            if m[0] <= row <= m[2] and m[1] <= col <= m[3]:
                return m
        return None

    def shown(self, row: int, col: int) -> Any:
        """The value a reader sees at (row, col): a merged range shows its first cell."""
        m = self.merge_at(row, col)
        return self.raw(m[0], m[1]) if m else self.raw(row, col)

    def text(self, row: int, col: int, *, merged: bool = False) -> str:
        v = self.shown(row, col) if merged else self.raw(row, col)
        return "" if v is None else str(v).strip()


@dataclass
class Book:
    name: str  # as shown in messages
    sheets: list[Sheet]
    hidden: list[str]
    problems: list[Problem]
    title: str = ""  # the file's document title (ours: "…2022年部门预算附表")


def problem(where: Ref | str, code: str, message: str,
            severity: Severity = Severity.error) -> Problem:
    return Problem(str(where), 0, 0, code, message, severity)


OLE = bytes.fromhex("d0cf11e0a1b11ae1")  # an encrypted .xlsx, or an old .xls, is an OLE file


def _head(path: Path) -> bytes:
    try:
        with path.open("rb") as f:
            return f.read(8)
    except OSError:
        return b""


def read_book(path: Path) -> Book:
    """Every sheet's cached values; hidden sheets are only named. Raises BudgetError when the
    file cannot be read as a workbook."""
    name = display_path(path)
    if why := bounds.special_file(path):  # a FIFO is never opened, a device never read
        raise BudgetError([problem(name, "E501", f"工作簿文件{why}")])
    if not path.is_file():
        raise BudgetError([problem(name, "E501", "工作簿文件不存在")])
    try:
        measure(path)
        formulas = _formula_cells(path)
        wb = load_workbook(path, data_only=True)
    except TooLarge as exc:
        raise BudgetError([problem(name, "E504", f"工作簿超出处理上限：{exc}")]) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, InvalidFileException, SyntaxError,
            EOFError, NotImplementedError, zlib.error) as exc:
        # SyntaxError: the XML inside the file is broken (ElementTree's ParseError)
        if isinstance(exc, OSError) and exc.errno:
            detail = os_reason(exc)
        elif _head(path) == OLE:
            detail = "文件已加密（设了打开密码）或是旧的 .xls 格式（请取消密码，另存为 Excel 工作簿 .xlsx）"
        else:
            detail = "不是 .xlsx 格式，或文件已损坏（请另存为 Excel 工作簿 .xlsx）"
        raise BudgetError([problem(name, "E502", f"无法读取工作簿：{detail}")]) from None
    sheets, hidden, problems = [], [], []
    for ws in wb.worksheets:
        if ws.sheet_state != "visible":
            hidden.append(ws.title)
            continue
        # the cells that exist (iter_rows would make one for every position of the used range)
        values = {(c.row, c.column): c.value for c in ws._cells.values() if c.value is not None}
        merges = [(m.min_row, m.min_col, m.max_row, m.max_col) for m in ws.merged_cells.ranges]
        rows = max((r for r, _ in values), default=0)
        cols = max((c for _, c in values), default=0)
        if rows * cols > bounds.XLSX_AREA:
            last = f"{get_column_letter(cols)}{rows}"
            raise BudgetError([problem(f"{name}!{ws.title}", "E504",
                                       f"工作簿超出处理上限：工作表内容的范围（到单元格“{last}”）超过 "
                                       f"{bounds.XLSX_AREA:,} 个单元格（请删除远处多余的单元格）")])
        sheet = Sheet(name, ws.title, values, merges, rows, cols, formulas.get(ws.title, set()))
        for row, col in sorted(sheet.formulas):
            if sheet.raw(row, col) is None:
                problems.append(problem(sheet.ref(row, col), "W503",
                                        "公式没有保存计算结果（本程序不计算公式），按空白读取；"
                                        "请在 Excel/WPS 中打开并保存后再导入",
                                        Severity.warning))
        sheets.append(sheet)
    return Book(name, sheets, hidden, problems, str(wb.properties.title or ""))


class TooLarge(Exception):
    """A workbook over one of `bounds`' limits (the message says which, in Chinese)."""


_CELL = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s/>]")
_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_MERGE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?mergeCell\s[^>]*?ref\s*=\s*[\"']([A-Za-z]+)(\d+)"
                    rb"(?::([A-Za-z]+)(\d+))?")
_OVERLAP = 400  # bytes carried from one chunk to the next, so no tag is cut in two


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def measure(path: Path) -> None:
    """Refuse (TooLarge) a workbook over `bounds`' limits before openpyxl reads it: the file,
    its parts decompressed (as declared, and zipfile reads no more than declared), then,
    streaming through the XML, cells, shared strings and merged ranges (openpyxl makes an
    object for every cell a merge covers, and adds merges in quadratic time)."""
    if path.stat().st_size > bounds.XLSX_BYTES:
        raise TooLarge(f"文件超过 {bounds.XLSX_BYTES:,} 字节")
    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        if len(infos) > 10_000:
            raise TooLarge("文件中的部件超过 10,000 个")
        if sum(i.file_size for i in infos) > bounds.XLSX_UNPACKED:
            raise TooLarge(f"解压后超过 {bounds.XLSX_UNPACKED:,} 字节")
        for info in infos:
            if info.file_size > bounds.XLSX_PART:
                raise TooLarge(f"部件“{info.filename}”解压后超过 {bounds.XLSX_PART:,} 字节")
        cells = strings = elements = 0
        for info in infos:
            if not info.filename.lower().endswith(".xml") or info.is_dir():
                continue
            merges = area = 0
            with z.open(info) as part:
                tail = b""
                while True:
                    chunk = part.read(1 << 20)
                    data = tail + chunk
                    end = len(data) if not chunk else max(len(data) - _OVERLAP, 0)
                    elements += data.count(b"<", 0, end)  # every object openpyxl may make
                    cells += sum(1 for m in _CELL.finditer(data, 0, end + 8) if m.start() < end)
                    strings += sum(1 for m in _STRING.finditer(data, 0, end + 8) if m.start() < end)
                    for m in _MERGE.finditer(data):
                        if m.start() >= end:
                            break
                        merges += 1
                        r1, c1 = int(m[2][:9]), _column(m[1][:4])
                        r2, c2 = (int(m[4][:9]), _column(m[3][:4])) if m[3] else (r1, c1)
                        area += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
                    if elements > bounds.XLSX_ELEMENTS:
                        raise TooLarge(f"内部数据元素超过 {bounds.XLSX_ELEMENTS:,} 个")
                    if cells > bounds.XLSX_CELLS:
                        raise TooLarge(f"单元格超过 {bounds.XLSX_CELLS:,} 个")
                    if strings > bounds.XLSX_STRINGS:
                        raise TooLarge(f"共享字符串超过 {bounds.XLSX_STRINGS:,} 个")
                    if merges > bounds.XLSX_MERGES:
                        raise TooLarge(f"部件“{info.filename}”中的合并单元格区域超过 {bounds.XLSX_MERGES:,} 个")
                    if area > bounds.XLSX_AREA:
                        raise TooLarge(f"部件“{info.filename}”中合并的单元格超过 {bounds.XLSX_AREA:,} 个")
                    if not chunk:
                        break
                    tail = data[end:]


def _formula_cells(path: Path) -> dict[str, set[tuple[int, int]]]:
    """Cells holding a formula, by sheet (a read-only pass: formulas are only noted)."""
    wb = load_workbook(path, read_only=True, data_only=False)
    try:
        out: dict[str, set[tuple[int, int]]] = {}
        for ws in wb.worksheets:
            found = out.setdefault(ws.title, set())
            for row in ws.iter_rows():
                for c in row:
                    if getattr(c, "data_type", None) == "f" and c.row and c.column:
                        found.add((c.row, c.column))
        return out
    finally:
        wb.close()


# --- cell values ---------------------------------------------------------------------------

DASHES = {"-", "—", "－", "–", "——"}


def number(value: Any) -> Decimal | None | str:
    """An amount cell: Decimal, None for blank (and a dash, which tables print for zero, or
    "无"), or the cell's text when it is not a number (the caller reports it)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return Decimal(value) if abs(value) < 10**16 else str(value)
    if isinstance(value, float):
        d = Decimal(repr(value))  # the shortest text that reads back as this double
        return d if _plausible(d) else repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text or text in DASHES or text == "无":  # "无" in the one row of an empty table
        return None
    try:
        d = Decimal(text)
    except InvalidOperation:
        return str(value).strip()
    return d if _plausible(d) else str(value).strip()


def _plausible(d: Decimal) -> bool:
    """A finite amount of a size a budget can have (below 10¹⁶, above 10⁻¹⁶): "1E+999999999"
    is read as text, which the caller reports, not as a figure no sum can take."""
    return d.is_finite() and (d.is_zero() or -16 <= d.adjusted() < 16)
