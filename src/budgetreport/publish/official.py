"""Stage 5b': the whole disclosure as the official template's workbook (`shape.Shape`).

The cover, the contents and the text parts come from the rendered document
(`layout.blocks`: the same words as the PDF), the 附表 from their declarations
(`tables.Table`: the same cells as the PDF) laid out as the template lays out its tables. A
text sheet puts its title in A1 and one paragraph per row from A3, each row as high as its
wrapped lines need (Excel does not grow a row to fit, and a paragraph per row lets a long
part run over several printed pages).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from math import ceil
from typing import Any

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..layout.blocks import DocumentText, Section
from ..layout.tables import Table
from .excel import _Looks, _merge, _save, _Sheet, _utc, _wrapped_lines, display_width, set_value
from .shape import Shape, SheetShape

PT_PER_LINE = 1.3  # a line of wrapped text is about 1.3 × the font size high


def official_bytes(shape: Shape, doc: DocumentText, tables: Sequence[Table], *, title: str,
                   creator: str, created: dt.datetime) -> bytes:
    """Every sheet the shape declares, in its order: the .xlsx file's bytes."""
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    looks = _Looks(wb)
    by_key = {t.key: t for t in tables}
    for sheet in shape.sheets:
        if sheet.kind == "table" and sheet["table"] not in by_key:
            continue  # a table the region does not publish for this budget
        ws = wb.create_sheet(sheet.name[:31])
        if sheet.kind == "cover":
            _cover(ws, sheet, doc.cover, looks)
        elif sheet.kind == "contents":
            _contents(ws, sheet, doc, looks)
        elif sheet.kind == "text":
            _text(ws, sheet, _sections(doc, sheet), looks)
        else:
            _table_sheet(sheet)(ws, by_key[sheet["table"]], looks).write()
        _page(ws, sheet)
    when = _utc(created)
    props = wb.properties
    props.title, props.creator, props.lastModifiedBy = title, creator, creator
    props.created = props.modified = when
    return _save(wb, when)


def _sections(doc: DocumentText, sheet: SheetShape) -> list[Section]:
    found = doc.part(sheet["part"])
    n = sheet["section"]
    return found[n - 1:n] if n else found


def _put(ws: Worksheet, looks: _Looks, r: int, c: int, value: str | None, *, font: str,
         size: float, bold: bool = False, **align: Any) -> None:
    cell = ws.cell(r, c)
    set_value(cell, value)
    looks.apply(cell, float(size), bold, "General", 0, align, font)


def _cover(ws: Worksheet, sheet: SheetShape, lines: list[str], looks: _Looks) -> None:
    """Each line of the document's cover in the row the shape gives it, across the page."""
    width = sheet["columns"]
    for text, place in zip(lines, sheet["lines"], strict=False):
        r = place["row"]
        _put(ws, looks, r, 1, text, font=place.get("font", sheet["font"]), size=place.get("size", sheet["size"]),
             bold=place.get("bold", False), horizontal="center", vertical="center")
        if width > 1:
            _merge(ws, r, 1, r, width)
    for r, height in sheet["rows"].items():
        ws.row_dimensions[int(r)].height = float(height)
    _widths(ws, sheet)


def _contents(ws: Worksheet, sheet: SheetShape, doc: DocumentText, looks: _Looks) -> None:
    _put(ws, looks, 1, 1, sheet["title"], font="宋体" if sheet["font"] != "宋体" else sheet["font"],
         size=sheet["title_size"], horizontal="center", vertical="center")
    height = float(sheet["row_height"])
    for i, (level, label, title) in enumerate(doc.contents):
        r = sheet["first_row"] + i
        indent = " " * sheet["indent"] * (level - 1)
        text = f"{indent}{label}{title}"
        if sheet["leaders"]:
            text += "  " + "…" * max(sheet["leaders"] - display_width(text) // 2, 3)
        _put(ws, looks, r, 1, text, font=sheet["font"], size=sheet["size"], horizontal="left",
             vertical="center")
        ws.row_dimensions[r].height = height
    for r in range(1, sheet["first_row"]):
        ws.row_dimensions[r].height = height
    _widths(ws, sheet)


def _text(ws: Worksheet, sheet: SheetShape, sections: list[Section], looks: _Looks) -> None:
    """Title in A1 (the first section's, without its number), then one row per paragraph;
    a heading keeps its number, a paragraph is indented as the template's are."""
    width = float((sheet["widths"] or [121.375])[0])
    size = float(sheet["size"])
    line_pt = max(float(sheet["row_height"]), size * PT_PER_LINE * 1.0)
    title = sections[0].plain_title if sections else ""
    _put(ws, looks, 1, 1, title, font=sheet["font"], size=sheet["title_size"], horizontal="center",
         vertical="center")
    ws.row_dimensions[1].height = float(sheet["row_height"])
    r = 3
    for n, section in enumerate(sections):
        if n:  # a further section of the part: its own heading, numbered
            _put(ws, looks, r, 1, section.title, font=sheet["font"], size=size, horizontal="left",
                 vertical="top", wrap_text=True)
            r += 1
        for line in section.lines:
            text = line.text if line.heading else "    " + line.text
            _put(ws, looks, r, 1, text, font=sheet["font"], size=size, horizontal="left",
                 vertical="top", wrap_text=True)
            per_line = width * 11 / size  # a column unit is one digit of 11 pt 宋体
            lines = _wrapped_lines(text, per_line)
            ws.row_dimensions[r].height = max(ceil(lines * size * PT_PER_LINE + 6), 1) if lines > 1 else line_pt
            r += 1
    _widths(ws, sheet)


def _table_sheet(sheet: SheetShape) -> type[_Sheet]:
    """The table writer of `excel`, placed and styled as the template's tables are."""

    class TableSheet(_Sheet):
        top = sheet["header_row"] - 1
        font = sheet["font"]
        size = float(sheet["size"])
        bold = False
        line_pt = float(sheet["size"]) * PT_PER_LINE

        def __init__(self, ws: Worksheet, table: Table, looks: _Looks) -> None:
            super().__init__(ws, table, looks)
            for i, w in enumerate(sheet["widths"]):
                if i < len(self.widths):
                    self.widths[i] = float(w)

        def heading(self) -> None:
            t, n = self.table, self.n
            self.put(sheet["title_row"], 1, t.title, colspan=n, grid=False, size=float(sheet["title_size"]),
                     horizontal="center", vertical="center")
            self.put(sheet["meta_row"], 1, t.prepared_line, colspan=max(n - 2, 1),
                     grid=False, horizontal="left")
            self.put(sheet["meta_row"], n, f"单位：{t.unit}", grid=False, horizontal="right")

        def heights(self) -> None:
            for r, height in sheet["rows"].items():
                self.ws.row_dimensions[int(r)].height = float(height)
            header = sheet["header_height"] or sheet["row_height"]
            for r in range(self.top + 1, self.body_top):
                self.ws.row_dimensions[r].height = float(header)
            last = self.body_top + max(len(self.table.rows), 1 + self.table.note_below)
            for r in range(self.body_top, last):
                need = self.lines.get(r, 1)
                self.ws.row_dimensions[r].height = max(float(sheet["row_height"]), need * self.line_pt + 4)

        def page_setup(self) -> None:
            if sheet["print_titles"] and self.table.header_rows:
                self.ws.print_title_rows = f"{self.top + 1}:{self.top + self.table.header_rows}"

    return TableSheet


def _widths(ws: Worksheet, sheet: SheetShape) -> None:
    for i, w in enumerate(sheet["widths"], 1):
        ws.column_dimensions[get_column_letter(i)].width = float(w)


def _page(ws: Worksheet, sheet: SheetShape) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = sheet["orientation"]
    m = {k: float(v) for k, v in sheet["margins"].items()}
    ws.page_margins = PageMargins(**{"left": 0.75, "right": 0.75, "top": 0.75, "bottom": 0.75,
                                     "header": 0.0, "footer": 0.0, **m})
    ws.print_options.horizontalCentered = bool(sheet["centered"])
    if sheet["fit_width"]:
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    if sheet["scale"]:
        ws.page_setup.scale = int(sheet["scale"])

