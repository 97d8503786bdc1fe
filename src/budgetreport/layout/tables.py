"""The 附表, declared as data and drawn by one engine.

Each table is a YAML declaration (`inputs.declared`: title, header tree, row source, measures,
unit, empty-table behaviour) in a template folder's `tables/`; `build_tables` turns `Figures`
into `Table` values (`grid`) that two small writers read — the HTML table macro for the PDF
and `excel` for the workbook — so both show the same cells. Which tables a region publishes,
in which order, is `region.yaml: tables`; `table_titles`, `header_labels`, `empty_notes` and
`table_units` there still override a declaration's words and unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import fields, is_dataclass, replace
from decimal import Decimal
from typing import TypeVar

from ..common.money import Display, table_amount
from ..common.problems import BudgetError, Severity
from ..compute.figures import Figures
from ..inputs.declared import TableSpec
from ..inputs.model import Project
from ..inputs.region import Region, fill
from ..inputs.resolved import Resolved
from ..inputs.sections import SectionSpec
from ..inputs.table_settings import NUMBERING_STYLES
from .grid import COVERED, Cell, Column, H, HeaderCell, Row, Sum, Table, layout
from .rows import (
    INDICATOR_SOURCES,
    class_rows,
    fixed_rows,
    functional,
    header,
    leaf_kind,
    none_rows,
    numeral,
    only_classes,
    paired_rows,
    performance_rows,
    record_kinds,
    record_rows,
    records,
    section_by_code,
    split_of,
    with_unit_row,
)

__all__ = ["COVERED", "Cell", "Column", "H", "HeaderCell", "Row", "Sum", "Table", "build_tables",
           "layout", "numeral"]


def body(spec: TableSpec, f: Figures, projects: Sequence[Project] | None = None,
         sections: Mapping[str, SectionSpec] | None = None) -> tuple[tuple[H, ...], list[Row], bool]:
    """The header tree, the rows and whether the table is landscape, as declared. A records
    table's money fields are amount columns as the section declares them, given or not."""
    rs = spec.rows
    split = split_of(f, rs)
    items = records(f, spec) if rs.source == "records" else []
    declared = (sections or {}).get(rs.section)
    kinds = record_kinds(items) | ({k: "money" for k, x in declared.fields.items() if x.type == "money"}
                                   if declared is not None else {})
    tree = header(spec.columns, split, kinds)
    leaves = spec.leaves(split)
    if rs.source in ("functional", "economic"):
        t = only_classes(functional(f, rs.funds, rs.part) if rs.source == "functional" else {
            "government": f.economic_government, "pairs": f.economic_pairs}.get(rs.classification, f.economic),
            rs.classes)
        t, leaves = section_by_code(f, t, leaves)
        rows = class_rows(t, leaves, rs, spec.empty)
        if not rows and spec.empty == "none_row":
            rows = none_rows(leaves, rs)
    elif rs.source == "paired":
        rows = paired_rows(f, rs, leaves)
    elif rs.source == "fixed":
        rows = fixed_rows(f, rs, leaves)
    elif rs.source == "records":
        rows = record_rows(items, rs, leaves, kinds)
        if not rows and spec.empty == "none_row":
            rows = none_rows(leaves, rs)
        elif not rows and spec.empty == "rows" and rs.total != "none":  # the 合计 row alone, blank
            rows = [Row(tuple(Cell(None, leaf_kind(c, kinds)) if j else Cell(rs.total_label, "text")
                              for j, c in enumerate(leaves)), total=True)]
    else:
        rows = performance_rows(f, rs.source, [c.label for c in leaves], projects)
    if rs.source in ("functional", "economic", "records"):
        rows = with_unit_row(rows, rs.unit_row)
    landscape = {"landscape": True, "split": split}.get(spec.orientation, False)
    return tree, rows, landscape


T = TypeVar("T")
NUMBERING: dict[str, Callable[[int], str]] = {"chinese": numeral, "arabic": str, "two_digit": lambda n: f"{n:02d}"}
assert tuple(NUMBERING) == NUMBERING_STYLES


# The text block in wide characters of the table font (5号, 10.5 pt): 156 mm portrait, 225 mm
# landscape (style.css). A digit takes about 0.55 of a wide character (bold included), a
# comma or point 0.3, a cell's padding 0.6.
PAGE_CHARS = {False: 42, True: 60}
DIGIT, MARK, PADDING = 0.55, 0.3, 0.6
TEXT_MIN = 5.0  # a name column keeps room for five characters a line
BODY_PT = 10.5  # the table type (5号, style.css)
TEXT_ROOM = 8.0  # …and a name column keeps eight characters a line before the type gets smaller


def _printed_width(text: str) -> float:
    marks = sum(c in ",." for c in text)
    return (len(text) - marks) * DIGIT + marks * MARK + PADDING


def type_size(columns: tuple[Column, ...], rows: Sequence[Row], display: Display,
              smallest: float = 7.0) -> float | None:
    """The type size (pt) a table needs so that its amounts fit a landscape page and its
    text columns keep `TEXT_ROOM` characters a line, when the 5号 (10.5 pt) cannot do both
    (eleven columns of 万元 amounts); None when 5号 fits. Half-point steps, `smallest` (the
    declaration's `min_type`, 7 pt by default) at least."""
    need = _needs(columns, rows, display)
    fixed = sum(n for c, n in zip(columns, need, strict=True) if c.kind != "text")
    room = TEXT_ROOM * sum(c.kind == "text" for c in columns)
    if not fixed or fixed + room <= PAGE_CHARS[True]:
        return None
    return max(smallest, min(BODY_PT, math.floor(BODY_PT * (PAGE_CHARS[True] - room) / fixed * 2) / 2)) \
        if PAGE_CHARS[True] > room else smallest


def _needs(columns: tuple[Column, ...], rows: Sequence[Row], display: Display) -> list[float]:
    """Each column's width need in wide characters of the 5号 type."""
    need = [TEXT_MIN if c.kind == "text" else 0.0 for c in columns]
    for row in rows:
        for j, cell in enumerate(row.cells):
            if cell is None or j >= len(need) or cell.colspan > 1:
                continue
            if isinstance(cell.value, Decimal):
                need[j] = max(need[j], _printed_width(table_amount(cell.value, display)))
            elif cell.kind == "code" and isinstance(cell.value, str):
                need[j] = max(need[j], _printed_width(cell.value))
    # Every amount column as wide as the widest needs, as printed forms have them.
    widest = max((n for c, n in zip(columns, need, strict=True) if c.kind == "money"), default=0.0)
    return [widest if c.kind == "money" else n for c, n in zip(columns, need, strict=True)]


def fitted(columns: tuple[Column, ...], rows: Sequence[Row], display: Display,
           landscape: bool, size: float | None = None) -> tuple[tuple[Column, ...], bool]:
    """Columns wide enough for their longest amount as printed, in every unit (large 元
    amounts with 分, and six-digit 万元 amounts in the eleven columns of a 收入总表, ran into
    the next cell): the table turns landscape if that is enough, else its amount and code
    columns take what they need and the text columns share the rest."""
    need = [n * (size or BODY_PT) / BODY_PT for n in _needs(columns, rows, display)]
    if sum(need) > PAGE_CHARS[True]:  # not even landscape: a smaller type, down to 7 pt
        return columns, landscape or sum(c.width for c in columns) > 90

    def fits(cols: tuple[Column, ...], wide: bool) -> bool:
        total = sum(c.width for c in cols)
        return all(c.width / total * PAGE_CHARS[wide] >= n for c, n in zip(cols, need, strict=True))

    if fits(columns, landscape):
        return columns, landscape
    if fits(columns, True):
        return columns, True
    # Amount and code columns get just what they need; text columns share the rest. An amount
    # column with nothing in it (an empty form's 市级支出) keeps its declared width for its header.
    widths = [c.width for c in columns]
    for _ in range(10):  # each column's share depends on the total: settle it
        total = sum(widths)
        widths = [c.width if c.kind == "text" or not n else max(1, math.ceil(n * total / PAGE_CHARS[True]))
                  for c, n in zip(columns, need, strict=True)]
        widths = [max(w, math.ceil(n * total / PAGE_CHARS[True])) for w, n in zip(widths, need, strict=True)]
    return tuple(replace(c, width=w) for c, w in zip(columns, widths, strict=True)), True


def table_display(spec: TableSpec, region: Region, f: Figures) -> Display:
    """Unit and decimals: region.yaml `table_units[key]`, else the declaration's `unit`, else
    `table_unit`, else the data file's own; `places` as declared, else two in 万元 and in 元
    two when the data has 分, else none."""
    s = region.settings
    unit = s.get("table_units", {}).get(spec.key) or spec.unit or s.get("table_unit") or f.data_unit
    places = spec.places if spec.places is not None else (2 if unit == "万元" else 2 * f.cents)
    return Display(unit, places, zero=None if spec.zero == "0.00" else spec.zero,
                   grouped=s.get("table_thousands", True) is not False)


def build_tables(f: Figures, resolved: Resolved) -> list[Table]:
    region = resolved.region
    # the table settings were checked when resolved (inputs.table_settings): drawn only when usable
    if trouble := [p for p in resolved.problems if p.severity is Severity.error]:
        raise BudgetError(trouble)
    s = region.filled(f.placeholders)
    values: dict[str, object] = f.placeholders
    titles: dict[str, str] = s.get("table_titles", {})
    notes: dict[str, str] = s.get("empty_notes", {})
    labels: dict[str, dict[str, str]] = s.get("header_labels", {})
    number = NUMBERING[s.get("table_numbering", "chinese")]
    built = []
    for key in s["tables"]:
        declared = region.tables[key]
        # one table, or one per record (`each: project`), its words naming the record
        records = [(p.name, (p,)) for p in f.projects] if declared.each == "project" else []
        for n, (record, projects) in enumerate(records or [("", None)], 1):
            spec = filled(declared, values | {"record": record})
            if records and len(records) > 1:
                spec = replace(spec, key=f"{key}_{n}")
            tree, rows, landscape = body(spec, f, projects, resolved.sections)
            if rows or spec.empty != "omit":
                built.append((key, spec, tree, padded(rows, tree, spec), landscape))
    tables = []
    i = 0
    for key, spec, tree, rows, landscape in built:  # key: as declared
        i += spec.numbered
        header, header_rows, columns = layout(tree, spec.labels_at_bottom)
        rename = labels.get(key, {})
        header = tuple(replace(h, text=rename.get(h.text, h.text)) for h in header)
        if spec.column_numbers is not None and header_rows:
            header, header_rows = numbered_columns(header, header_rows, columns, spec.column_numbers)
        if spec.rows.source in INDICATOR_SOURCES:
            header, header_rows = (), 0
        position = spec.note_position or s.get("empty_note_position")
        # the empty note: no rows, or (empty: rows, the note below) only a 合计 of zeros drawn
        nothing = not rows or (spec.empty == "rows" and position == "below" and not any(
            r.code for r in rows) and spec.rows.source in ("functional", "economic"))
        note = None if not nothing or spec.empty == "header" else \
            notes.get(key) or spec.empty_note or s["empty_note"]
        display = table_display(spec, region, f)
        wide = spec.orientation != "portrait" and (landscape or sum(c.width for c in columns) > 90)
        size = spec.type_size or type_size(columns, rows, display, float(spec.min_type))
        columns, wide = fitted(columns, rows, display, wide or size is not None, size)
        tables.append(Table(
            key=spec.key, number=number(i) if spec.numbered else "",
            # a per-record table is titled by its declaration ({record}); others may be renamed
            title=spec.title if spec.each else titles.get(key) or spec.title,
            prepared_by=f.prepared_by, columns=columns, header=header, header_rows=header_rows,
            rows=tuple(rows), empty_note=note, landscape=wide,
            display=display,
            prepared_label=spec.prepared_label or s.get("prepared_label", "编制单位"),
            note_below=position == "below", spec=tree, repeat_header=spec.repeat_header,
            label_format=s.get("table_label", ""), type_size=size,
            note="" if nothing and rows else spec.note,
            contents_title=spec.contents_title,
            page_label=s.get("table_page_label", "").replace("{nn}", f"{i:02d}").replace("{n}", str(i))
            if spec.numbered else ""))
    return tables


def numbered_columns(header: tuple[HeaderCell, ...], rows: int, columns: tuple[Column, ...],
                     mark: str) -> tuple[tuple[HeaderCell, ...], int]:
    """The header with a row under it numbering the columns (`column_numbers`): the amount
    columns 1, 2, 3 …, every other column the declared mark ("**")."""
    n = 0
    added = []
    for j, c in enumerate(columns):
        n += c.kind == "money"
        added.append(HeaderCell(str(n) if c.kind == "money" else mark, rows, j))
    return (*header, *added), rows + 1


def padded(rows: list[Row], tree: Sequence[H], spec: TableSpec) -> list[Row]:
    """Blank rows before a last 合计 row (else at the end): `blank_rows` of them, and as many
    as make `min_rows` — padded as the printed form is."""
    if not rows:
        return rows
    blank = max(spec.blank_rows, spec.min_rows - len(rows))
    if blank <= 0:
        return rows
    kinds = [c.kind for c in layout(tree)[2]]
    pad = [Row(tuple(Cell(None, k) for k in kinds))] * blank
    if rows[-1].total and len(rows) > 1:
        return [*rows[:-1], *pad, rows[-1]]
    return [*rows, *pad]


def filled(value: T, values: dict[str, object]) -> T:
    """A declaration with the placeholders of its words ("{year}年预算数") filled."""
    if isinstance(value, str):
        return fill(value, values)  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(filled(v, values) for v in value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: filled(getattr(value, f.name), values)  # type: ignore[type-var]
                                 for f in fields(value) if f.name not in ("files", "key", "each", "format")})
    return value
