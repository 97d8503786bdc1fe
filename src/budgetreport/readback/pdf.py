"""Read back stage 1: a published PDF as page texts and tables.

pypdfium2 gives each page's characters and rules (`page`); `grid` finds the tables on a page,
ruled or not. A table is titled by the lines above it on its page ("…表", then "编制单位：…
单位：…"), or by such rows boxed inside its grid; a table with neither continues the previous
one: its repeated header rows are dropped and its cells are placed by position under the
columns of the table's first page (a 合计 merged across the code columns stays a 合计).
Several files (情况说明 and 报表 published apart) are read as one document.

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
from .grid import Merge, Piece, figure_line, ruled_pieces, unruled_piece
from .opening import damaged, open_pdf, reason
from .page import Line, Page, lines_of, read_page, words_of

STUCK_NUMBER = re.compile(r"^(?:(?:附件|附表|表)\s*[\d一二三四五六七八九十]{1,3}(?=\s*20\d\d\s*年)"
                          r"|(?:附表|表)\d{1,3}(?=[\u4e00-\u9fff])"  # "表10部门综合预算…" (西安, label on the page)
                          r"|(?:预算|公开)\s*\d{1,3}\s*表(?!格)|(?:预算|公开)表\s*\d{1,3})\s*")
# the line under a title naming whose table it is, when it gives no unit ("单位名称：…")
ORGANISATION = re.compile(r"\s*(?:编制|预算|资金主管)?(?:单位|部门)(?:名称|（单位）|\(单位\))?\s*[：:]")
BUDGET_TITLE = re.compile(r"(20\d\d)\s*年\s*度?\s*[^\n]{0,12}?(?:部门|单位)\s*预算")
ISSUER = re.compile(r"[\u4e00-\u9fff（）()]{3,40}?"
                    r"(?:局|委员会|委|厅|办公室|办|院|会|部|中心|所|站|处|队|馆|社|室|署|府|街道|镇|乡)")


@dataclass(frozen=True)
class PageRef(Ref):
    """A cell of a table read from a PDF: file, page, table title, row and column."""

    page: int = 0  # in the document (files read as one: numbered on through them)
    offset: int = 0  # pages of the files before this one

    def __str__(self) -> str:
        return f"{self.book}:第{self.page - self.offset}页!{self.sheet}!{self.cell}"

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
    edges: list[float] = field(default_factory=list)  # column boundaries on its first page
    ruled: bool = True
    offset: int = 0  # pages of the files before this table's, in a document of several files

    def ref(self, row: int, col: int) -> Ref:
        page = self.pages.get(row) or self.pages.get(min(self.pages, default=0), 0)
        return PageRef(self.book, self.name, row, col, page, self.offset)

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
    unreadable: dict[str, list[int]] = field(default_factory=dict)  # why → pages (scan, font)
    parts: list[tuple[str, int]] = field(default_factory=list)  # each file and its page count

    def where(self, page: int) -> tuple[str, int]:
        """The file and its own page number of a page of the document (files read as one)."""
        for name, count in self.parts:
            if page <= count:
                return name, page
            page -= count
        return self.name, page

    def page_at(self, where: str) -> int:
        """The document's page of a location `PageRef` printed ("文件.pdf:第3页!…"): its
        file's page, numbered on through the files before it."""
        page, _ = PageRef.split(where)
        book = where.partition(":第")[0]
        before = 0
        for name, count in self.parts:
            if name == book:
                return page + before if page else 0
            before += count
        return page

    def unreadable_message(self) -> str | None:
        """One message naming the pages whose text cannot be read, or None."""
        why = {"scan": "是扫描图像（没有文字层）", "font": "的字体没有文字编码（无法取得文字）"}
        parts = [f"{_pages(self, pages)}{why[k]}" for k, pages in self.unreadable.items() if pages]
        if not parts:
            return None
        return "；".join(parts) + "，无法读取这些页的文字和表格；请取得文字版 PDF（由 Word/WPS/Excel 直接导出）"

    @property
    def year(self) -> int | None:
        """The budget year the cover or the first page names ("2022年部门预算")."""
        for text in self.pages[:2]:
            if m := BUDGET_TITLE.search(text):
                return int(m.group(1))
        return None

    @property
    def issuer(self) -> str | None:
        """The department the cover names before its year ("北京市某某局 2026 年度部门预算"),
        for a document whose tables print no 编制单位."""
        for text in self.pages[:2]:
            if m := BUDGET_TITLE.search(text):
                before = [ln.strip() for ln in text[:m.start()].splitlines() if ln.strip()]
                name = "".join(before[-1].split()) if before else ""
                if ISSUER.fullmatch(name):
                    return name
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


def _pages(doc: Document, pages: list[int]) -> str:
    """"第3–5、9页" (with the file's name when the document is several files)."""
    by_file: dict[str, list[int]] = {}
    for p in pages:
        name, local = doc.where(p)
        by_file.setdefault(name, []).append(local)
    out = []
    for name, nums in by_file.items():
        runs: list[list[int]] = []
        for n in sorted(nums):
            if runs and n == runs[-1][-1] + 1:
                runs[-1].append(n)
            else:
                runs.append([n])
        text = "、".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)
        out.append(f"{name if len(doc.parts) > 1 else ''}第{text}页")
    return "、".join(out)


def read_pdf(path: Path) -> Document:
    """The PDF's page texts and tables; BudgetError when the file is no readable PDF or over
    a limit (`opening.open_pdf`)."""
    return read_pdfs([path])


def read_pdfs(paths: list[Path]) -> Document:
    """Several PDFs (a 情况说明 and its 报表 published as two files) read as one document: pages
    numbered on through the files, each table located in its own file."""
    reading = _Reading("")
    texts: list[str] = []
    unreadable: dict[str, list[int]] = {}
    parts: list[tuple[str, int]] = []
    for path in paths:
        name = display_path(path)
        reading.book, reading.offset, reading.pending = name, len(texts), None
        pdf = open_pdf(path)  # BudgetError (E601–E603): missing, damaged, over a limit
        try:
            for number_, raw in enumerate(pdf, len(texts) + 1):
                page = read_page(raw, number_)
                raw.close()
                texts.append(page.text)
                if why := page.unreadable:
                    unreadable.setdefault(why, []).append(number_)
                    continue
                _read_tables(page, reading)
        except damaged() as exc:
            raise BudgetError([Problem(name, 0, 0, "E602", f"无法读取 PDF：{reason(exc)}")]) from None
        finally:
            pdf.close()
        parts.append((name, len(texts) - sum(n for _, n in parts)))
    name = " + ".join(n for n, _ in parts)
    doc = Document(name, texts, reading.tables, unreadable, parts)
    if texts and sum(len(p) for p in unreadable.values()) == len(texts):  # nothing to read at all
        raise BudgetError([Problem(name, 0, 0, "E604", f"无法读取 PDF：{doc.unreadable_message()}")])
    return doc


@dataclass
class _Reading:
    book: str
    tables: list[PdfSheet] = field(default_factory=list)
    pending: tuple[str, str] | None = None  # a heading at the foot of a page, its table on the next
    offset: int = 0


def _read_tables(page: Page, reading: _Reading) -> None:
    """The tables on a page, in order from the top: each a new table (a heading above it, or
    boxed inside it) or the continuation of the previous one."""
    pieces = [p for p in ruled_pieces(page) if len(p.edges) >= 3]
    free = [c for c in page.chars if not any(p.top - 1 <= c.cy <= p.bottom + 1 for p in pieces)]
    lines = [ln for ln in lines_of(words_of(free))
             if not any(p.top - 1 <= (ln.top + ln.bottom) / 2 <= p.bottom + 1 for p in pieces)]
    if not pieces and not reading.tables and not any(UNIT.search(ln.text) for ln in lines):
        return
    blocks: list[tuple[float, Piece | None, list[Line]]] = []  # each piece with the free lines above it
    limit = -1.0
    for ruled in pieces:
        blocks.append((ruled.top, ruled, [ln for ln in lines if limit <= ln.top < ruled.top]))
        limit = ruled.bottom
    blocks.append((page.height, None, [ln for ln in lines if ln.top >= limit]))
    first = True
    for _, piece, above in blocks:
        # tables without rules among the free lines: after a heading, lines that hold figures
        for found, heading in _unruled(above, first and reading.pending is None and _continues(reading, page)):
            _place(found, heading, page.number, reading)
            first = False
        if piece is not None:
            _place(piece, _heading(above), page.number, reading, _bare_title(above))
            first = False
        else:  # a heading below the last table: its table begins on the next page
            reading.pending = _heading(above) or (reading.pending if not above else None)


def _continues(reading: _Reading, page: Page) -> bool:
    """The last table was read from the previous page, without rules: it may go on here."""
    return bool(reading.tables) and not reading.tables[-1].ruled and \
        max(reading.tables[-1].pages.values()) == page.number - 1


def _unruled(lines: list[Line], carry_on: bool) -> list[tuple[Piece, tuple[str, str] | None]]:
    """Tables printed without rules among `lines`: each heading followed by lines with
    figures (or, with `carry_on`, such lines at the top of the page)."""
    out: list[tuple[Piece, tuple[str, str] | None]] = []
    starts = [i for i, ln in enumerate(lines) if UNIT.search(ln.text)]
    if carry_on:
        starts.insert(0, -1)
    for n, s in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = lines[s + 1:end]
        # the table ends at a note, or at the first line after its figures that holds none
        stop = next((i for i, ln in enumerate(body) if ln.text.startswith("注")), len(body))
        figures = [i for i, ln in enumerate(body[:stop]) if figure_line(ln)]
        if not figures:
            continue
        stop = next((i for i in range(figures[0], stop) if not figure_line(body[i]) and
                     not _wrapped(body, i)), stop)
        if n + 1 < len(starts) and stop == len(body):
            stop = _title_start(body)
        piece = unruled_piece(body[:stop])
        if piece is None:
            continue
        heading = _heading(lines[: s + 1]) if s >= 0 else None
        if s >= 0 and heading is None:
            continue
        out.append((piece, heading))
    return out


def _wrapped(body: list[Line], i: int) -> bool:
    """A line without figures inside a table's body: a long name wrapped onto a second line,
    between lines with figures."""
    return 0 < i < len(body) - 1 and figure_line(body[i + 1]) and len(body[i].words) == 1


def _title_start(body: list[Line]) -> int:
    """Where the next table's title begins at the end of `body`: the lines above its 编制 line."""
    i = len(body)
    while i > 0 and not figure_line(body[i - 1]) and len(body[i - 1].words) <= 2:
        i -= 1
    return i


def _place(piece: Piece, heading: tuple[str, str] | None, page: int, reading: _Reading,
           bare: str | None = None) -> None:
    tables = reading.tables
    grid, merges = piece.rows, list(piece.merges)
    heading = heading or reading.pending or _inside(grid, merges)
    reading.pending = None
    if not grid:
        return
    if heading is None and bare and not (tables and _fits(tables[-1], piece)):
        heading = (bare, "")  # a table titled without a 单位 line (a 绩效 table), not a continuation
    if heading is None or tables and heading[0] == tables[-1].name:
        # a continuation (of a table on this page or the one before): its header rows (and
        # title) repeat the first page's
        last = tables[-1] if tables else None
        if last and last.book == reading.book and max(last.pages.values()) >= page - 1 and _fits(last, piece):
            _continue(last, *_aligned(last, piece, grid, merges), page)
        return
    if len(piece.edges) < 3:
        return
    sheet = _sheet(reading.book, heading[0], heading[1], grid, merges, page)
    sheet.edges, sheet.offset, sheet.ruled = piece.edges, reading.offset, piece.ruled
    tables.append(sheet)


def _bare_title(above: list[Line]) -> str | None:
    """The line right above a table when it reads as a table's title ("…表", "…表（…）")."""
    if not above:
        return None
    text = "".join(above[-1].text.split())
    return _unnumbered(text) if 4 <= len(text) <= 60 and re.search(r"表(?:[（(].*[)）])?$", text) else None


def _fits(sheet: PdfSheet, piece: Piece) -> bool:
    """A piece without a title can continue the table: as wide, or as many columns (a framed
    box of text after a table is no part of it)."""
    if not sheet.edges or len(piece.edges) == len(sheet.edges):
        return True
    width = sheet.edges[-1] - sheet.edges[0]
    return abs(piece.left - sheet.edges[0]) <= 0.05 * width and abs(piece.right - sheet.edges[-1]) <= 0.05 * width


def _aligned(sheet: PdfSheet, piece: Piece, grid: list[list[str | None]], merges: list[Merge]
             ) -> tuple[list[list[str | None]], list[Merge]]:
    """A piece's cells under the columns of the table it continues, by position: a cell goes
    to the columns whose middles it covers (a label merged across the code columns stays one
    cell over them). Where the piece does not line up with the table (another page width),
    by column number."""
    edges = sheet.edges
    if not edges or len(edges) < 2:
        return grid, merges
    width = edges[-1] - edges[0]
    if abs(piece.left - edges[0]) > 0.05 * width or abs(piece.right - edges[-1]) > 0.05 * width:
        return grid, merges
    if len(piece.edges) == len(edges) and all(abs(a - b) < 3 for a, b in zip(piece.edges, edges, strict=True)):
        return grid, merges
    mids = [(a + b) / 2 for a, b in zip(edges, edges[1:], strict=False)]

    def columns(c0: int, c1: int) -> tuple[int, int]:
        x0, x1 = piece.edges[c0], piece.edges[c1 + 1]
        inside = [k for k, m in enumerate(mids) if x0 <= m < x1]
        if inside:
            return inside[0], inside[-1]
        k = min(range(len(mids)), key=lambda k: abs(mids[k] - (x0 + x1) / 2))
        return k, k

    spans = {(m[0], m[1]): m for m in merges}
    out_rows: list[list[str | None]] = []
    out_merges: list[Merge] = []
    for r, row in enumerate(grid):
        new: list[str | None] = [""] * len(mids)
        for c, text in enumerate(row):
            if text is None:
                continue
            m = spans.get((r, c), (r, c, r, c))
            a, b = columns(m[1], m[3])
            new[a] = (new[a] or "") + text if new[a] else text
            for k in range(a + 1, b + 1):
                new[k] = None
            if b > a or m[2] > m[0]:
                out_merges.append((r, a, m[2], b))
        out_rows.append(new)
    covered = {(r, c) for r0, c0, r1, c1 in out_merges for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
    out_rows = [[None if (r, c) in covered else v or "" for c, v in enumerate(row)]
                for r, row in enumerate(out_rows)]
    return out_rows, out_merges


def _heading(lines: list[Line]) -> tuple[str, str] | None:
    """The title and the 编制单位/单位 line(s) under it, when `lines` end with them."""
    meta = [i for i, ln in enumerate(lines) if UNIT.search(ln.text) or PREPARED.search(ln.text)
            or ORGANISATION.match(ln.text)]
    # only the 编制/单位 lines at the end (a line of figures after them belongs to no heading)
    while meta and any(figure_line(ln) for ln in lines[meta[-1] + 1:]):
        meta.pop()
    if not meta:
        return None
    while len(meta) > 1 and meta[-1] - meta[-2] > 1:
        meta.pop(0)
    title = _title(lines[:meta[0]]) if meta[0] > 0 else ""
    return (title, "  ".join(lines[i].text for i in meta)) if title else None


def _inside(grid: list[list[str | None]], merges: list[Merge]) -> tuple[str, str] | None:
    """Title and 编制/单位 rows drawn inside the table's borders (a spreadsheet printed with
    its title rows boxed): they are taken out of the grid."""
    title, meta, k = "", [], 0
    while k < min(len(grid), 4):
        texts = [x for x in grid[k] if x]
        if any(UNIT.search(x) or PREPARED.search(x) for x in texts) \
                and not any(isinstance(number(x), Decimal) for x in texts):
            meta += texts
        elif not meta and len(texts) == 1 and texts[0].endswith(("表", "）", ")")) and not title:
            title = _unnumbered(texts[0])
        elif not meta and not title and len(texts) == 1 and NUMBERING.fullmatch(texts[0] + " "):
            pass  # "表一" on its own row above the title
        else:
            break
        k += 1
    if not title or not meta:
        return None
    del grid[:k]
    merges[:] = [(a - k, b, c - k, d) for a, b, c, d in merges if a >= k]
    return title, "  ".join(meta)


def _title(above: list[Line]) -> str:
    """The title printed over the 编制 line: its last line and the lines of the same size
    just before it (a long title wraps)."""
    parts = [above[-1]]
    for line in reversed(above[:-1]):
        if abs(line.size - parts[0].size) > 0.5 or parts[0].top - line.bottom > 1.2 * line.size:
            break
        parts.insert(0, line)
    return _unnumbered("".join("".join(p.text.split()) for p in parts))


def _unnumbered(title: str) -> str:
    """A title without its number ("表1", "预算02表", "表一"), also when the number is printed
    right against the year ("表12025年…")."""
    title = NUMBERING.sub("", title + " ", count=1).strip()
    return STUCK_NUMBER.sub("", title, count=1)


def _sheet(book: str, title: str, meta: str, grid: list[list[str | None]],
           merges: list[Merge], page: int) -> PdfSheet:
    width = max(len(r) for r in grid)
    sheet = PdfSheet(book, title, {(1, 1): title, (2, 1): meta}, [], 2, width, set(), {1: page, 2: page},
                     {(1, 1): title, (2, 1): meta})
    _append(sheet, grid, merges, page)
    return sheet


def _append(sheet: PdfSheet, grid: list[list[str | None]], merges: list[Merge], page: int) -> None:
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


def _continue(sheet: PdfSheet, grid: list[list[str | None]], merges: list[Merge], page: int) -> None:
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
