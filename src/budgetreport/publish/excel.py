"""Stage 5b: the 附表 as an Excel workbook, one print-ready sheet per `Table`.

Reads the same declarations (`tables.Table`) as the HTML tables of the PDF, so both show the
same cells. Amounts are numbers shown with the table's `money.Display`; every text is stored as a
text cell, so a name like "=HYPERLINK(…)" can never run as a formula. The same data gives
the same bytes: the workbook dates and every zip member's date come from the caller (the
data), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from decimal import Decimal
from math import ceil
from pathlib import Path
from typing import IO, Any
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from ..common.files import write_atomic
from ..common.money import WAN, Display, table_amount
from ..layout.tables import Cell, Table

FONT = "宋体"
SIZE = 10  # pt, header and body
THIN = Side(style="thin")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TEXT_FORMAT = "@"
FOOTER = "第 &P 页，共 &N 页"
TOP = 2  # rows above the header: the title, then 编制单位 and 单位
LINE_PT = 14.0  # one line of 10 pt 宋体
MAX_WIDTH = 60  # a column grows to fit its longest text up to this; longer text wraps
FORBIDDEN = re.compile(r"[\\/?*\[\]:]")  # characters Excel refuses in a sheet name
FORMULA_START = ("=", "+", "-", "@")  # what Excel would read as the start of a formula


def write_workbook(tables: Sequence[Table], out: Path, *, title: str, creator: str,
                   created: dt.datetime) -> None:
    """`workbook_bytes` written to `out`, replacing it atomically."""
    write_atomic(out, workbook_bytes(tables, title=title, creator=creator, created=created))


def workbook_bytes(tables: Sequence[Table], *, title: str, creator: str,
                   created: dt.datetime) -> bytes:
    """One sheet per table, in order, named by its title: the .xlsx file's bytes."""
    if not tables:
        raise ValueError("没有附表，无法生成工作簿")
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    looks = _Looks(wb)
    for name, table in zip(sheet_names(t.title for t in tables), tables, strict=True):
        _Sheet(wb.create_sheet(name), table, looks).write()
    when = _utc(created)
    props = wb.properties
    props.title, props.creator, props.lastModifiedBy = title, creator, creator
    props.created = props.modified = when
    return _save(wb, when)


def sheet_names(titles: Iterable[str]) -> list[str]:
    """Excel's rules: none of \\ / ? * [ ] :, at most 31 characters, unique ignoring case."""
    names: list[str] = []
    seen = {"history"}  # reserved by Excel
    for i, title in enumerate(titles, 1):
        base = FORBIDDEN.sub("_", title).strip().strip("'") or f"表{i}"
        name, n = base[:31], 1
        while name.casefold() in seen:
            n += 1
            name = base[: 31 - len(f"({n})")] + f"({n})"
        seen.add(name.casefold())
        names.append(name)
    return names


def display_width(text: str) -> int:
    """Width in Excel units (one digit): wide and ambiguous (“”、‰) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


MONEY_WIDTH = 14.0


def column_widths(table: Table) -> list[float]:
    """Text columns: declared width (in wide characters) doubled; amount columns: room for
    "9,999,999.99" (headers wrap). Both widened to fit unmerged body cells."""
    widths = [MONEY_WIDTH if c.kind == "money" else 2.0 * c.width + 2 for c in table.columns]
    for row in table.rows:
        for i, cell in enumerate(row.cells):
            if cell is not None and cell.colspan == 1 and cell.value not in (None, ""):
                widths[i] = max(widths[i], min(_content_width(cell, table.display), MAX_WIDTH))
    return widths


def _content_width(cell: Cell, display: Display) -> float:
    if isinstance(cell.value, Decimal):
        return len(table_amount(cell.value, display)) + 3
    lines = str(cell.value).split("\n")
    return max(map(display_width, lines)) + 2 * _indent(cell) + 2


def _indent(cell: Cell) -> int:
    return max((cell.level or cell.indent) - 1, 0)


def set_value(target: Any, value: str | Decimal | None, display: Display = WAN) -> None:
    """Amounts shown as `display` says (the one rounding rule); text always a text cell,
    never a formula or error."""
    if isinstance(value, Decimal):
        target.value = display.value(value)
    elif value:
        target.value = value
        target.data_type = "s"  # openpyxl would store "=…" as a formula, "#N/A" as an error
        if value.startswith(FORMULA_START):
            target.quotePrefix = True  # and Excel keeps it text when someone edits the cell


class _Looks:
    """Cell styles, each indexed once per workbook.

    openpyxl hashes and looks up every Font, Alignment and Border assigned to a cell; a
    workbook of some 800 cells uses a dozen combinations, so the first cell of each look is
    styled the ordinary way and later ones copy its style indices. The indices are the ones
    the ordinary way would give, in the same order, so the file is the same byte for byte.
    """

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.seen: dict[tuple[Any, ...], StyleArray] = {}
        self.grid_id: int | None = None

    def apply(self, cell: Any, size: float, bold: bool, fmt: str, indent: int,
              align: dict[str, Any], font: str = FONT) -> None:
        key = (size, bold, fmt, indent, tuple(sorted(align.items())), font)
        style = self.seen.get(key)
        if style is None:
            cell.font = Font(name=font, size=size, bold=bold)
            cell.alignment = Alignment(indent=indent, **{"vertical": "center", **align})
            cell.number_format = fmt
            self.seen[key] = copy(cell._style)
        else:
            quote = cell._style.quotePrefix if cell._style else 0  # set_value's, not the look's
            cell._style = copy(style)
            cell._style.quotePrefix = quote

    def grid(self, cell: Any) -> None:
        """`cell.border = GRID`, with GRID indexed when it is first used."""
        if self.grid_id is None:
            self.grid_id = self.wb._borders.add(GRID)
        if not cell._style:  # a cell openpyxl has not styled yet
            cell._style = StyleArray()
        cell._style.borderId = self.grid_id


class _Sheet:
    """Writes one table: heading, header, body (or empty note), page setup.

    A subclass places the heading and sets the page otherwise (`official`): `top` rows
    stand above the header, `font`, `size` and `bold` style the cells, `line_pt` is the
    height of one line of wrapped text."""

    top = TOP
    font = FONT
    size: float = SIZE
    bold = True  # header cells and 合计 rows
    line_pt = LINE_PT

    def __init__(self, ws: Worksheet, table: Table, looks: _Looks) -> None:
        self.ws, self.table, self.looks = ws, table, looks
        self.n = len(table.columns)
        self.widths = column_widths(table)
        self.lines: dict[int, int] = {}  # lines of wrapped text each row needs
        self.body_top = self.top + table.header_rows + 1

    def write(self) -> None:
        self.heading()
        self.header()
        if self.table.rows:
            self.body()
        else:
            self.empty()
        self.notes()
        for i, width in enumerate(self.widths, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = width
        self.heights()
        self.page_setup()

    def heights(self) -> None:
        for r, lines in sorted(self.lines.items()):
            if lines > 1:
                self.ws.row_dimensions[r].height = lines * self.line_pt + 3

    def put(self, r: int, c: int, value: str | Decimal | None, *, rowspan: int = 1,
            colspan: int = 1, grid: bool = True, bold: bool = False, size: float | None = None,
            fmt: str = "General", indent: int = 0, **align: Any) -> None:
        """Write a value, merge its span and border every cell of it (not only the first)."""
        cell = self.ws.cell(r, c)
        set_value(cell, value, self.table.display)
        self.looks.apply(cell, size or self.size, bold and self.bold, fmt, indent, align, self.font)
        r2, c2 = r + rowspan - 1, c + colspan - 1
        if (r2, c2) != (r, c):
            _merge(self.ws, r, c, r2, c2)
        if grid:
            for line in self.ws.iter_rows(min_row=r, max_row=r2, min_col=c, max_col=c2):
                for x in line:
                    self.looks.grid(x)
        if isinstance(value, str) and align.get("wrap_text"):
            width = sum(self.widths[c - 1:c2]) - 2 * indent
            need = ceil(_wrapped_lines(value, width) / rowspan)
            for k in range(r, r2 + 1):
                self.lines[k] = max(self.lines.get(k, 1), need)

    def heading(self) -> None:
        t, n = self.table, self.n
        self.put(1, 1, t.title, colspan=n, grid=False, bold=True, size=16, horizontal="center")
        self.ws.row_dimensions[1].height = 30
        self.put(2, 1, t.prepared_line, colspan=n - 1, grid=False,
                 horizontal="left")
        self.put(2, n, f"单位：{t.unit}", grid=False, horizontal="right")

    def header(self) -> None:
        for h in self.table.header:
            self.put(self.top + 1 + h.row, 1 + h.col, h.text, rowspan=h.rowspan, colspan=h.colspan,
                     bold=True, horizontal="center", wrap_text=True)

    def body(self) -> None:
        for i, row in enumerate(self.table.rows):
            for c, cell in enumerate(row.cells, 1):
                if cell is not None:  # None: covered by a merge above or to the left
                    self.body_cell(self.body_top + i, c, cell, row.total or row.heading)

    def body_cell(self, r: int, c: int, cell: Cell, bold: bool) -> None:
        kw: dict[str, Any] = {"rowspan": cell.rowspan, "colspan": cell.colspan, "bold": bold}
        if cell.kind == "money":
            self.put(r, c, cell.value, fmt=self.table.display.excel_format, horizontal="right", **kw)
        elif cell.kind == "code":
            self.put(r, c, cell.value, fmt=TEXT_FORMAT, horizontal="left", **kw)
        else:
            centred = bold and cell.colspan > 1  # the 合计 label over code and name
            self.put(r, c, cell.value, indent=_indent(cell), wrap_text=True,
                     horizontal="center" if centred else "left", **kw)

    def empty(self) -> None:
        """The note inside the table, or an empty row with "注：…" under it (note_below)."""
        r, t = self.body_top, self.table
        self.put(r, 1, None if t.note_below else t.empty_note, colspan=self.n,
                 horizontal="center", wrap_text=True)
        self.lines[r] = max(self.lines.get(r, 1), 2)
        if t.note_below and t.empty_note:
            self.put(r + 1, 1, t.note_line, colspan=self.n, grid=False,
                     horizontal="left", wrap_text=True)

    def notes(self) -> None:
        """Under the table, outside the grid, a row each: the empty note of a table drawn as
        a 合计 of zeros (note_below), then the declaration's `note` (a line a row)."""
        t = self.table
        lines = [t.note_line] if t.rows and t.empty_note and t.note_below else []
        lines += [("注：" if i == 0 else "") + x for i, x in enumerate((t.note or "").splitlines())]
        r = self.body_top + max(len(t.rows), 1 + (t.note_below and not t.rows))
        for i, line in enumerate(lines):
            self.put(r + i, 1, line, colspan=self.n, grid=False, horizontal="left", wrap_text=True)

    def page_setup(self) -> None:
        ws, t = self.ws, self.table
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if t.landscape else "portrait"
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.7, footer=0.3)
        if t.header_rows and t.repeat_header:
            ws.print_title_rows = f"{TOP + 1}:{TOP + t.header_rows}"
        ws.freeze_panes = f"A{self.body_top}"
        footer = ws.oddFooter
        assert footer is not None  # openpyxl creates it with the sheet
        footer.center.text, footer.center.size = FOOTER, 9


def _merge(ws: Worksheet, r: int, c: int, r2: int, c2: int) -> None:
    """`ws.merge_cells(…)` for a span whose cells are not styled yet (`put` borders them
    afterwards): the same merged range and covered cells, without openpyxl's pass that copies
    the first cell's borders and protection onto them — with none set, it changes nothing
    in the file, and it cost a third of building a workbook."""
    ws.merged_cells.add(MergedCellRange(ws, CellRange(min_row=r, min_col=c, max_row=r2, max_col=c2).coord))
    for row in range(r, r2 + 1):
        for col in range(c, c2 + 1):
            if (row, col) != (r, c):
                ws._cells[row, col] = MergedCell(ws, row, col)


def _wrapped_lines(text: str, width: float) -> int:
    per_line = max(width - 1, 2.0)
    return sum(max(1, ceil(display_width(p) / per_line)) for p in text.split("\n"))


def _utc(when: dt.datetime) -> dt.datetime:
    """Workbook dates are UTC without tzinfo; a naive datetime is taken as UTC already."""
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when.replace(microsecond=0)


class _FixedTimeZip(ZipFile):
    """A zip whose members all carry one date instead of the clock's."""

    def __init__(self, file: IO[bytes], when: dt.datetime) -> None:
        super().__init__(file, "w", ZIP_DEFLATED)
        self.when = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]  # zip dates start 1980

    def writestr(self, zinfo_or_arcname: str | ZipInfo, data: Any, *args: Any,
                 **kwargs: Any) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = ZipInfo(zinfo_or_arcname, self.when)
            info.compress_type, info.external_attr = ZIP_DEFLATED, 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, *args, **kwargs)


class _InMemoryWriter(ExcelWriter):  # type: ignore[misc]  # openpyxl ships no type hints
    """ExcelWriter.write_worksheet assembling each sheet in memory instead of a temporary
    file (created, read back and removed per sheet); the zip member is the same."""

    def write_worksheet(self, ws: Worksheet) -> None:
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = WorksheetWriter(ws, out=io.BytesIO())
        writer.write()
        ws._rels = writer._rels
        self._archive.writestr(ws.path[1:], writer.read())
        self.manifest.append(ws)


def _save(wb: Workbook, when: dt.datetime) -> bytes:
    # ExcelWriter, not wb.save(): save_workbook() stamps `modified` with the clock.
    buffer = io.BytesIO()
    _InMemoryWriter(wb, _FixedTimeZip(buffer, when)).save()
    return buffer.getvalue()
