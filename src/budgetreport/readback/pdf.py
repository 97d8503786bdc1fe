"""Read back stage 1: a published PDF as page texts and ruled tables.

pdfplumber finds the ruled tables (cell borders drawn as lines or rectangles) and the words
above each one; pypdfium2 (pdfplumber's own rendering dependency) extracts the page text,
which it does several times faster than pdfminer. A table is titled by the lines above it on
its page ("…表", then "编制单位：…  单位：…"); a table with nothing above it continues the
previous one (its repeated header rows are dropped).

Each table becomes an importer `Sheet` (title row, 编制 line, then the grid with its merges),
so the workbook importer's recognition, table reading and cross-checks read a PDF as they
read a workbook. Every cell keeps its page, for messages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..common.problems import BudgetError, Problem, display_path
from ..importer.labels import NUMBERING
from ..importer.sheets import PREPARED, UNIT
from ..importer.workbook import Book, Ref, Sheet, number
from .opening import damaged, open_pdf, reason

BUDGET_TITLE = re.compile(r"(20\d\d)\s*年\s*度?\s*[^\n]{0,12}?(?:部门|单位)\s*预算")


@dataclass(frozen=True)
class PageRef(Ref):
    """A cell of a table read from a PDF: file, page, table title, row and column."""

    page: int = 0

    def __str__(self) -> str:
        return f"{self.book}:第{self.page}页!{self.sheet}!{self.cell}"

    @staticmethod
    def split(where: str) -> tuple[int, str]:
        """A location as `__str__` writes it (a problem's file) → (page, table title): a
        reader of the PDF has no cell names; (0, where) for any other."""
        book, sep, rest = where.partition(":第")
        page, sep2, cell = rest.partition("页!")
        return (int(page), cell.rpartition("!")[0] or cell) if sep and sep2 and page.isdigit() else (0, where)


@dataclass
class PdfSheet(Sheet):
    pages: dict[int, int] = field(default_factory=dict)  # sheet row → page number
    printed: dict[tuple[int, int], str] = field(default_factory=dict)  # cell text as printed

    def ref(self, row: int, col: int) -> Ref:
        page = self.pages.get(row) or self.pages.get(min(self.pages, default=0), 0)
        return PageRef(self.book, self.name, row, col, page)

    @property
    def first_page(self) -> int:
        return min(self.pages.values(), default=0)

    def grid(self, first: int = 3) -> list[list[str | None]]:
        """The table's cells from sheet row `first` on, as text; None where a merge covers."""
        covered = {(r, c) for m in self.merges for r in range(m[0], m[2] + 1)
                   for c in range(m[1], m[3] + 1) if (r, c) != (m[0], m[1])}
        return [[None if (r, c) in covered else self.printed.get((r, c), "")
                 for c in range(1, self.max_col + 1)] for r in range(first, self.max_row + 1)]


@dataclass
class Document:
    name: str
    pages: list[str]  # the text of each page
    tables: list[PdfSheet]

    @property
    def year(self) -> int | None:
        """The budget year the cover or the first page names ("2022年部门预算")."""
        for text in self.pages[:2]:
            if m := BUDGET_TITLE.search(text):
                return int(m.group(1))
        return None

    def book(self) -> Book:
        """The tables as a workbook's sheets; a title that names no year gets the
        document's, as a budget system's export would."""
        year = self.year
        for sheet in self.tables:
            if year and not re.search(r"\d{4}年", sheet.name):
                sheet.values[(1, 1)] = f"{year}年{sheet.name}"
        return Book(self.name, list(self.tables), [], [])

    def page_of(self, offset: int, joined: list[int]) -> int:
        """Page number (1-based) of a character offset into the pages joined end to end,
        `joined` being the start offsets of the pages."""
        page = 1
        for n, start in enumerate(joined, 1):
            if start <= offset:
                page = n
        return page


def read_pdf(path: Path) -> Document:
    """The PDF's page texts and tables; BudgetError when the file is no readable PDF or over
    a limit (`opening.open_pdf`)."""
    import pdfplumber
    import pypdfium2

    name = display_path(path)
    doc = open_pdf(path)
    try:
        try:
            pages = [page.get_textpage().get_text_range() for page in doc]
            # pages that draw no line or rectangle hold no ruled table: pdfplumber (the slow
            # part) never parses them
            ruled = [any(o.type == pypdfium2.raw.FPDF_PAGEOBJ_PATH for o in page.get_objects(max_depth=2))
                     for page in doc]
        finally:
            doc.close()
        reading = _Reading(name)
        with pdfplumber.open(path) as pdf:
            for number_, (page, text, drawn) in enumerate(zip(pdf.pages, pages, ruled, strict=True), 1):
                if "单位" not in text and not reading.tables:
                    continue  # no table can start here
                _read_tables(page, number_, text, drawn, reading)
    except damaged() as exc:
        raise BudgetError([Problem(name, 0, 0, "E602", f"无法读取 PDF：{reason(exc)}")]) from None
    return Document(name, [p.replace("\r\n", "\n") for p in pages], reading.tables)


Line = tuple[float, float, str]  # top, font size, text


@dataclass
class _Reading:
    book: str
    tables: list[PdfSheet] = field(default_factory=list)
    pending: tuple[str, str] | None = None  # a heading at the foot of a page, its table on the next


def _read_tables(page: Any, number_: int, text: str, drawn: bool, reading: _Reading) -> None:
    found = page.find_tables() if drawn else []
    if not found and not UNIT.search(text):
        reading.pending = None
        return
    tables = reading.tables
    lines = _lines(page)
    above_limit = 0.0
    for t in found:
        x0, top, x1, bottom = t.bbox
        above = [line for line in lines if above_limit <= line[0] < top]
        above_limit = bottom
        grid, merges = _grid(t)
        if not grid:
            continue
        heading = _heading(above) or reading.pending or _inside(grid, merges)
        reading.pending = None
        if heading is None or tables and heading[0] == tables[-1].name:
            if tables:  # a continuation: its header rows (and title) repeat the first page's
                _continue(tables[-1], grid, merges, number_)
            continue
        tables.append(_sheet(reading.book, heading[0], heading[1], grid, merges, number_))
    # a title and 编制/单位 line below the last table (or on a page without one): its table
    # begins on the next page
    reading.pending = _heading([line for line in lines if line[0] >= above_limit])


def _heading(lines: list[Line]) -> tuple[str, str] | None:
    """The title and the 编制单位/单位 line(s) under it, when `lines` end with them."""
    meta = [i for i, (_, _, line) in enumerate(lines) if UNIT.search(line) or PREPARED.search(line)]
    title = _title(lines[:meta[0]]) if meta and meta[0] > 0 else ""
    return (title, "  ".join(lines[i][2] for i in meta)) if title else None


def _inside(grid: list[list[str | None]], merges: list[tuple[int, int, int, int]]) -> tuple[str, str] | None:
    """Title and 编制/单位 rows drawn inside the table's borders (a spreadsheet printed with
    its title rows boxed): they are taken out of the grid."""
    title, meta, k = "", [], 0
    while k < min(len(grid), 3):
        texts = [x for x in grid[k] if x]
        if any(UNIT.search(x) or PREPARED.search(x) for x in texts) \
                and not any(isinstance(number(x), Decimal) for x in texts):
            meta += texts
        elif k == 0 and len(texts) == 1 and texts[0].endswith("表"):
            title = NUMBERING.sub("", texts[0], count=1)
        else:
            break
        k += 1
    if not title or not meta:
        return None
    del grid[:k]
    merges[:] = [(a - k, b, c - k, d) for a, b, c, d in merges if a >= k]
    return title, "  ".join(meta)


def _lines(page: Any) -> list[Line]:
    """The words of a page grouped into lines, top to bottom, as (top, font size, text)."""
    words = page.extract_words(keep_blank_chars=True, use_text_flow=False, extra_attrs=["size"])
    rows: list[tuple[float, list[Any]]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0] - w["top"]) < 3:
            rows[-1][1].append(w)
        else:
            rows.append((w["top"], [w]))
    return [(top, max(w["size"] for w in ws), "  ".join(w["text"] for w in sorted(ws, key=lambda w: w["x0"])))
            for top, ws in rows]


def _title(above: list[Line]) -> str:
    """The title printed over the 编制 line: its last line and the lines of the same size
    just before it (a long title wraps)."""
    parts = [above[-1]]
    for line in reversed(above[:-1]):
        if abs(line[1] - parts[0][1]) > 0.5 or parts[0][0] - line[0] > 2.2 * line[1]:
            break
        parts.insert(0, line)
    parts[0] = (parts[0][0], parts[0][1], NUMBERING.sub("", parts[0][2], count=1))
    return "".join("".join(p[2].split()) for p in parts)


def _grid(table: Any) -> tuple[list[list[str | None]], list[tuple[int, int, int, int]]]:
    """Cell texts (None where a merge covers) and merges (0-based, inclusive) of a table,
    from the cell rectangles pdfplumber found."""
    texts = table.extract()
    xs = sorted({round(v, 1) for row in table.rows for c in row.cells if c for v in (c[0], c[2])})
    ys = sorted({round(v, 1) for row in table.rows for c in row.cells if c for v in (c[1], c[3])})
    merges = []
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            if cell is None:
                continue
            cols = sum(1 for x in xs if round(cell[0], 1) <= x < round(cell[2], 1))
            rows = sum(1 for y in ys if round(cell[1], 1) <= y < round(cell[3], 1))
            if cols > 1 or rows > 1:
                merges.append((r, c, r + rows - 1, c + cols - 1))
    clean = [[None if v is None else "".join(v.split()) for v in row] for row in texts]
    return clean, merges


def _sheet(book: str, title: str, meta: str, grid: list[list[str | None]],
           merges: list[tuple[int, int, int, int]], page: int) -> PdfSheet:
    width = max(len(r) for r in grid)
    sheet = PdfSheet(book, title, {(1, 1): title, (2, 1): meta}, [], 2, width, set(), {1: page, 2: page},
                     {(1, 1): title, (2, 1): meta})
    _append(sheet, grid, merges, page)
    return sheet


def _append(sheet: PdfSheet, grid: list[list[str | None]], merges: list[tuple[int, int, int, int]],
            page: int) -> None:
    base = sheet.max_row
    for r, row in enumerate(grid, base + 1):
        sheet.pages[r] = page
        for c, text in enumerate(row, 1):
            if text:
                sheet.values[(r, c)] = _value(text)
                sheet.printed[(r, c)] = text
    sheet.merges += [(a + base + 1, b + 1, c + base + 1, d + 1) for a, b, c, d in merges]
    sheet.max_row = base + len(grid)
    sheet.max_col = max(sheet.max_col, max(len(r) for r in grid))


def _continue(sheet: PdfSheet, grid: list[list[str | None]], merges: list[tuple[int, int, int, int]],
              page: int) -> None:
    """Rows of a table carried over to another page; a repeated header is dropped."""
    first = sheet.grid()
    repeat = 0
    while repeat < len(grid) and repeat < len(first) and grid[repeat] == first[repeat] \
            and not any(isinstance(number(v), Decimal) for v in grid[repeat] if v):
        repeat += 1
    kept = [(a - repeat, b, c - repeat, d) for a, b, c, d in merges if a >= repeat]
    if grid[repeat:]:
        _append(sheet, grid[repeat:], kept, page)


def _value(text: str) -> Any:
    """A cell as a workbook would hold it: amounts as numbers, everything else as text."""
    v = number(text)
    if isinstance(v, Decimal) and any(ch in text for ch in ",.") and not text.isdigit():
        return v
    return text
