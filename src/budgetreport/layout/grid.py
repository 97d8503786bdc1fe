"""The cells of a 附表 as its two writers read them: header cells with merges, typed
columns, body rows with their declared sums (`layout.tables` fills them from a declaration;
the HTML table macro and `publish.excel` draw them)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from ..common.money import WAN, Display

Kind = Literal["text", "code", "money"]


@dataclass(frozen=True)
class Column:
    kind: Kind
    width: int  # in wide (Chinese) characters


@dataclass(frozen=True)
class Cell:
    value: str | Decimal | None
    kind: Kind = "text"
    colspan: int = 1
    rowspan: int = 1
    level: int = 0  # indentation level of a 类/款/项 name (1–3), 0 for none
    indent: int = 0  # indentation only, for the eye (a 收支总表's 款/项 names): not a level `printed` adds by
    # Ties a cell to its data (serve's 在文档中查看): the field of a 科目 line an amount sums
    # (personnel, project…), or the data path of a figure shown as given ("three_public.reception.amount").
    key: str = ""


COVERED = None  # a position covered by a merged cell above or to the left


@dataclass(frozen=True)
class Sum:
    """A row's amounts in `columns` are the sums of the same columns in `rows` (indices into
    the table's rows) — a sum a reader can redo, which `printed` checks as printed."""

    columns: tuple[int, ...]
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Row:
    cells: tuple[Cell | None, ...]
    total: bool = False  # 合计 rows are emphasised
    heading: bool = False  # column labels inside the body (the 绩效指标 grid's own header)
    sums: tuple[Sum, ...] = ()  # sums beyond what the rows' levels say (收支总表, 合计 last)
    code: str = ""  # the 科目 code a row shows (printed whole or split into 类/款/项 columns)


@dataclass(frozen=True)
class HeaderCell:
    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class H:
    """A header node: text over its children; leaves are columns."""

    text: str
    children: tuple[H, ...] = ()
    kind: Kind = "money"
    width: int = 8
    part_of: bool = False  # part of the column before it (declared `part_of`): not added to its siblings

    @staticmethod
    def of(text: str, *children: H, kind: Kind = "money", width: int = 8) -> H:
        return H(text, children, kind, width)


@dataclass(frozen=True)
class Table:
    key: str
    number: str  # 一 … 十一
    title: str
    prepared_by: str
    columns: tuple[Column, ...]
    header: tuple[HeaderCell, ...]
    header_rows: int
    rows: tuple[Row, ...]
    empty_note: str | None = None
    landscape: bool = False
    display: Display = WAN  # unit and decimals of the amounts
    prepared_label: str = "编制单位"  # "编制部门" where a region says so
    note_below: bool = False  # the empty note as "注：…" under the table, not inside it
    spec: tuple[H, ...] = ()  # the header tree the columns come from (`printed` reads its sums)
    repeat_header: bool = True  # header rows repeated on every page (PDF) / printed (workbook)
    label_format: str = ""  # how the number prints before the title: "附表{n}", "表{n}："
    type_size: float | None = None  # pt, when the 5号 type leaves its amounts no room
    note: str = ""  # the declaration's `note`, printed "注：…" under the table every time
    contents_title: str = ""  # the declaration's `contents_title`: the table's name in the contents
    page_label: str = ""  # region.yaml table_page_label ("表3"): above the title, at the right

    @property
    def unit(self) -> str:
        return self.display.unit

    @property
    def note_line(self) -> str:
        """The empty note as printed under the table: "注：…", unless the note says 注 itself
        (烟台's "（注：2026年没有使用……）" — not "注：（注：…）")."""
        note = self.empty_note or ""
        return note if note.lstrip("（(").startswith("注") else f"注：{note}"

    @property
    def prepared_line(self) -> str:
        """"编制单位：XX", or the name alone when the region's prepared_label is "" (湖州: "341-湖州市财政局")."""
        return f"{self.prepared_label}：{self.prepared_by}" if self.prepared_label else self.prepared_by

    @property
    def label(self) -> str:
        """The number as printed before the title: "三、" or, numbered in digits, "3.", or as
        the region's `table_label` says ("附表三", "表3：", "预算03表 ")."""
        if not self.number:
            return ""
        if self.label_format:
            return self.label_format.format(n=self.number)
        return f"{self.number}." if self.number.isdigit() else f"{self.number}、"

    @property
    def separator(self) -> str:
        """What goes between the label and the title where both print on one line: nothing
        after a label that ends in punctuation or a space ("三、", "表3：", "预算03表 "), else
        an ideographic space ("表十　2026年…", not "表十2026年…")."""
        label = self.label
        return "\u3000" if label and not (label[-1].isspace() or _PUNCTUATION.search(label[-1])) else ""


_PUNCTUATION = re.compile(r"[、.．:：,，;；)）\]】]")


def layout(spec: Sequence[H], bottom: bool = False) -> tuple[tuple[HeaderCell, ...], int, tuple[Column, ...]]:
    """Place a header tree on a grid: parents span their leaves, leaves span to the bottom;
    with `bottom`, a group shallower than the header spans down instead, so that its
    columns' labels sit on the bottom row."""

    def depth(h: H) -> int:
        return 1 + max((depth(c) for c in h.children), default=0)

    rows = max(depth(h) for h in spec)
    cells: list[HeaderCell] = []
    columns: list[Column] = []

    def place(h: H, row: int) -> None:
        col = len(columns)
        if not h.children:
            columns.append(Column(h.kind, h.width))
            cells.append(HeaderCell(h.text, row, col, rowspan=rows - row))
            return
        # (bottom) as printed forms draw a 部门整体支出年度绩效目标 over its 一级指标 …
        down = rows - row - depth(h) + 1 if bottom else 1
        for child in h.children:
            place(child, row + down)
        cells.append(HeaderCell(h.text, row, col, rowspan=down, colspan=len(columns) - col))

    for h in spec:
        place(h, 0)
    return tuple(sorted(cells, key=lambda c: (c.row, c.col))), rows, tuple(columns)


