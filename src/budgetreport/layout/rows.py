"""The row sources of a declared 附表: what each `rows.source` draws, and the figure each
column's measure names. One general engine — no table, and no region, is named here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import reduce
from typing import Any

from ..common.money import ZERO, percent, total
from ..common.problems import BudgetError, Problem, display_path
from ..compute.figures import ClassRow, Figures, Leaf, Tree, tree
from ..inputs.catalogue import Entry
from ..inputs.declared import (
    FISCAL_KEYS,
    LINE_MEASURES,
    SECTION_FIGURE,
    ColumnSpec,
    LineSpec,
    RowsSpec,
    TableSpec,
)
from ..inputs.model import THREE_PUBLIC, Indicator, Project
from ..inputs.styles import numeral
from .grid import COVERED, Cell, H, Kind, Row, Sum

Subject = ClassRow | Tree
INDICATOR_SOURCES = ("department_performance", "project_performance")
CODE_PARTS = {"类": (0, 3), "款": (3, 5), "项": (5, 7)}
CODE_LEVEL = {"类": 1, "款": 2, "项": 3}


def money(v: Decimal | None, key: str = "") -> Cell:
    return Cell(v, "money", key=key)


def text(v: str | None, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell(v, "text", colspan, rowspan)


# --- measures and figures ------------------------------------------------------------------

def measure(subject: Subject, name: str) -> Decimal | None:
    """The amount `name` of a classified row (or of a classification's totals)."""
    if name == "zero":
        return ZERO
    if name == "fiscal":
        return total(subject[k] for k in FISCAL_KEYS)
    if name == "other_income":
        return subject["total"] - measure(subject, "fiscal") - subject["business"] - subject["operating"]  # type: ignore[operator]
    if name in ("prior", "change", "change_rate"):
        prior = subject.prior if isinstance(subject, ClassRow) else _tree_prior(subject)
        if prior is None:
            return None
        if name == "prior":
            return prior
        return subject["total"] - prior if name == "change" else (
            percent(subject["total"] - prior, prior) if prior else None)
    return subject[name]


def _tree_prior(t: Tree) -> Decimal | None:
    """A classification's last-year total: its 类' priors added, when every 类 has one."""
    priors = [r.prior for r in t.level(1)]
    return None if not priors or None in priors else total(p for p in priors if p is not None)


def figure(f: Figures, name: str, year: str = "current") -> Decimal | None:
    """A figure of the whole document (`inputs.declared.FIGURES`), this year's or last year's
    (None where the data gives no last year's figure), or the change (year "change")."""
    if name == "zero":
        return ZERO
    if year == "change":
        now, then = figure(f, name), figure(f, name, "prior")
        return None if now is None or then is None else now - then
    if name.startswith(SECTION_FIGURE):
        section, _, field = name.removeprefix(SECTION_FIGURE).partition(".")
        items = records_of(getattr(f, "sections", {}).get(section))
        return None if year == "prior" else total(
            v for i in items if isinstance(v := i.get(field), Decimal))
    group, _, item = name.partition(".")
    if group == "three_public":
        it = f.three_public[item]
        return it.amount if year == "current" else (it.change.prior if it.change else None)
    if group == "running_costs":
        rc = f.running_costs
        if year == "prior":
            return rc.change.prior if rc is not None and rc.change else None
        return rc.amount if rc is not None else ZERO
    if year == "prior":
        return None
    if group == "income":
        if item == "other_income":
            inc = f.income
            return inc["this_year"] - inc["fiscal"] - inc["business"] - inc["operating"]
        return f.income[item]
    if group == "spending":
        return measure(f.spending, item)
    if group == "fiscal":
        return measure(f.fiscal, item)
    if group == "procurement":
        return f.procurement[item]
    return f.budget.carry_forward


# --- classifications -----------------------------------------------------------------------

def figures(f: Figures, plus: Sequence[str], less: Sequence[str] = (), year: str = "current") -> Decimal | None:
    """Figures added, less others (a line's `figure:` and `less:`); None when one is unknown."""
    values = [figure(f, n, year) for n in (*plus, *less)]
    if not plus or any(v is None for v in values):
        return None
    signs = [1] * len(plus) + [-1] * len(less)
    return total(v * s for v, s in zip(values, signs, strict=True) if v is not None)


def functional(f: Figures, funds: Sequence[str], part: str = "all") -> Tree:
    """The 功能分类 tree of the chosen fund sources, whole or only its 基本/项目 part."""
    if part == "all":
        if tuple(funds) == ("all",):
            return f.spending
        if tuple(funds) == ("fiscal",):
            return f.fiscal
        if len(funds) == 1:
            return f.by_source[funds[0]]
    chosen = {s for x in funds for s in ({"all": None, "fiscal": FISCAL_KEYS}.get(x) or (x,))} \
        if "all" not in funds else None
    leaves = []
    for x in f.budget.spending:
        if chosen is not None and x.source.value not in chosen:
            continue
        basic = x.basic_total
        values = {"total": x.total, "basic": basic, "project": x.project, x.source.value: x.total}
        if x.split:
            values |= {"personnel": x.personnel or ZERO, "public": x.public or ZERO}
        if part == "basic":
            values = {k: v for k, v in values.items() if k != "project"} | {"total": basic, x.source.value: basic}
        elif part == "project":
            values = {"total": x.project, "project": x.project, x.source.value: x.project}
        if part != "all" and not values["total"]:
            continue
        leaves.append(Leaf(x.code, values))
    # the names as the whole document's tree has them (its codes include every code here)
    names = {r.code: Entry(r.code, r.name) for r in f.spending.rows}
    return tree(leaves, names, 3)


def split_of(f: Figures, rows: RowsSpec) -> bool:
    """Whether every line gives its 基本支出 as 人员/公用 (the `when: split` columns)."""
    if rows.source == "functional":
        return functional(f, rows.funds, rows.part).split
    if rows.source == "paired":
        each = next((x for x in (*rows.left, *rows.right) if x.each), None)
        return functional(f, each.funds if each else ("all",)).split
    return True


def formatted(fmt: str, values: Mapping[str, Any]) -> str:
    """A column's `format` ("[{code}]{name}") filled from a row's values; a value the row
    lacks prints as nothing (the declaration's other braces stay as written). `{code.类}`,
    `{code.款}`, `{code.项}` print one part of a code (301 | 01: 3 digits, then 2 and 2)."""
    def one(m: re.Match[str]) -> str:
        v = values.get(m.group(1))
        if v is not None and m.group(2):  # {code.类} {code.款} {code.项}: one part of a code
            a, b = CODE_PARTS[m.group(2)]
            return str(v)[a:b]
        return "" if v is None else str(v)
    return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\.(类|款|项))?\}", one, fmt)


# --- the columns ---------------------------------------------------------------------------

def leaf_kind(c: ColumnSpec, kinds: Mapping[str, Kind]) -> Kind:
    if c.measure or c.text == "blank" or c.section:  # blank: an amount column the data has no figure for
        return "money"
    if c.text in ("code", *CODE_PARTS):
        return "code"
    if c.field:
        return "money" if c.minus else kinds.get(c.field, "text")
    return "text"


def header(columns: Sequence[ColumnSpec], split: bool, kinds: Mapping[str, Kind]) -> tuple[H, ...]:
    """The header tree of the columns shown (`when` against `split`)."""
    def width(c: ColumnSpec, kind: Kind) -> int:
        if c.width:
            return c.width
        return {"money": 8, "code": 3 if c.text in CODE_PARTS else 8}.get(kind, 22 if c.text == "name" else 12)

    def node(c: ColumnSpec) -> H | None:
        if c.when and (c.when == "split") != split:
            return None
        if c.columns:
            return H(c.label, tuple(n for n in map(node, c.columns) if n is not None))
        kind = leaf_kind(c, kinds)
        return H(c.label, (), kind, width(c, kind), c.part_of)

    return tuple(n for n in map(node, columns) if n is not None)


# --- classified rows -----------------------------------------------------------------------

def _class_cells(r: ClassRow, leaves: Sequence[ColumnSpec], indent: bool,
                 class_on_kuan: bool = True, code_alone: bool = False) -> list[Cell | None]:
    out: list[Cell | None] = []
    for c in leaves:
        if c.measure:
            out.append(_amount(r, c.measure))
        elif c.format and c.text in ("code", "name", "label"):
            out.append(Cell(formatted(c.format, {"code": r.code, "name": r.name}),
                            "code" if c.text == "code" else "text", level=r.level if indent else 0))
        elif c.text == "code":
            out.append(Cell(r.code, "code"))
        elif c.text in CODE_PARTS:
            a, b = CODE_PARTS[c.text]
            alone = c.text == "类" and r.level == 2 and not class_on_kuan  # 款 row: 款 only
            alone = alone or (code_alone and CODE_LEVEL[c.text] != r.level)  # each row: its own part
            out.append(Cell(None if alone else r.code[a:b] or None, "code"))
        elif c.text in ("name", "label"):
            out.append(Cell(r.name, level=r.level if indent else 0))
        elif c.text == "code_name":
            out.append(Cell(f"{r.code}-{r.name}", level=r.level if indent else 0))
        elif c.text == "government":
            out.append(Cell(r.government))
        else:
            out.append(Cell(None, leaf_kind(c, {})))
    return out


def _amount(subject: Subject, name: str) -> Cell:
    value = measure(subject, name)
    if name == "change_rate":
        return text(None if value is None else f"{value}%")
    return money(value, name)


def _total_cells(label: str, leaves: Sequence[ColumnSpec], amounts: Callable[[ColumnSpec], Cell],
                 at: str = "span") -> list[Cell | None]:
    """The label spans the columns before the first amount (or, `total_cell: name`, stands in
    the name column, the code columns blank); amounts below each column."""
    first = next((i for i, c in enumerate(leaves) if c.measure or leaf_kind(c, {}) == "money"), len(leaves))
    name = next((i for i, c in enumerate(leaves[:first]) if c.text == "name"), None)
    if at == "name" and name is not None:
        return [text(label) if i == name else Cell(None, leaf_kind(c, {})) if i < first
                else amounts(c) if c.measure else Cell(None, leaf_kind(c, {})) for i, c in enumerate(leaves)]
    span = max(first, 1)
    out: list[Cell | None] = [text(label, colspan=span), *[COVERED] * (span - 1)]
    out += [amounts(c) if c.measure else Cell(None, leaf_kind(c, {})) for c in leaves[span:]]
    return out


def section_by_code(f: Figures, t: Tree, leaves: Sequence[ColumnSpec]) -> tuple[Tree, list[ColumnSpec]]:
    """Columns that read a data section by code (`section:` + `field:`): each row gets the sum
    of the records whose code begins its own (a 类 its 款 and 项), the 合计 all of them; the
    columns then read that sum as a measure."""
    wanted = [c for c in leaves if c.section and c.field and not c.measure]
    if not wanted:
        return t, list(leaves)
    sections = getattr(f, "sections", {})

    def key(c: ColumnSpec) -> str:
        return f"section:{c.section}.{c.field}"

    def amounts(c: ColumnSpec) -> list[tuple[str, Decimal]]:
        items = records_of(sections.get(c.section or ""))
        return [(str(i.get("code") or ""), v) for i in items if isinstance(v := i.get(c.field or ""), Decimal)]

    sums = {key(c): amounts(c) for c in wanted}
    rows = tuple(replace(r, values={**r.values, **{k: total(v for code, v in got if code.startswith(r.code))
                                                   for k, got in sums.items()}}) for r in t.rows)
    totals = {**t.totals, **{k: total(v for _, v in got) for k, got in sums.items()}}
    return replace(t, rows=rows, totals=totals), [replace(c, measure=key(c)) if c in wanted else c for c in leaves]


def class_rows(t: Tree, leaves: Sequence[ColumnSpec], rs: RowsSpec, empty: str) -> list[Row]:
    """类/款/项 rows with their codes and names, and the 合计 row first or last; with the 合计
    last, each row's sum of the rows one level below it is declared for `printed`."""
    drawn = [r for r in t.rows if r.level <= rs.levels]
    if not drawn and empty != "rows":
        return []
    rows = [Row(tuple(_class_cells(r, leaves, rs.indent, rs.class_on_kuan, rs.code_alone)), code=r.code) for r in drawn]
    amounts = tuple(i for i, c in enumerate(leaves) if c.measure and c.measure != "change_rate")
    total_row = Row(tuple(_total_cells(rs.total_label, leaves, lambda c: _amount(t, c.measure or ""),
                                       rs.total_cell)),
                    total=True)
    if rs.total == "first":
        return [total_row, *rows]
    if rs.total == "none" or not drawn:
        return rows

    def below(code: str, level: int) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(drawn) if r.level == level + 1 and r.code.startswith(code))

    rows = [replace(row, sums=(Sum(amounts, parts),) if (parts := below(r.code, r.level)) else ())
            for row, r in zip(rows, drawn, strict=True)]
    return [*rows, Row(total_row.cells, total=True, sums=(Sum(amounts, below("", 0)),))]


def with_unit_row(rows: list[Row], label: str | None) -> list[Row]:
    """A row under a first 合计 repeating its amounts, labelled by the unit ("{name}（本级）"),
    as forms that list the department's own row under the 合计 print it."""
    if not label or not rows or not rows[0].total:
        return rows
    cells = [None if c is None or c is COVERED else replace(c, level=1) for c in rows[0].cells]
    at = next((i for i, c in enumerate(cells) if c is not None and c.kind == "text" and c.value), 0)
    first = cells[at]
    cells[at] = Cell(label, "text", first.colspan if first is not None else 1, level=1)

    def deeper(row: Row) -> Row:  # the rows below it one level deeper (its parts)
        return replace(row, cells=tuple(c if c is None or c is COVERED else replace(c, level=max(c.level, 1) + 1)
                                        for c in row.cells))
    return [rows[0], Row(tuple(cells)), *(r if r.total else deeper(r) for r in rows[1:])]


def none_rows(leaves: Sequence[ColumnSpec], rs: RowsSpec) -> list[Row]:
    """An empty table drawn as a "无" row and a 合计 row of zeros."""
    nothing = Row(tuple(_total_cells("无", leaves, lambda c: Cell(None, "money"), rs.total_cell)))
    zero = Row(tuple(_total_cells(rs.total_label, leaves, lambda c: money(ZERO), rs.total_cell)), total=True)
    return [nothing, zero] if rs.total != "first" else [zero, nothing]


# --- the 收支总表 halves -------------------------------------------------------------------

@dataclass(frozen=True)
class Line:
    label: str
    values: tuple[Decimal | None, ...]
    total: bool
    adds: tuple[str, ...] | str = ()
    level: int = 1  # an `each` line's 类 (1), 款 (2) or 项 (3); "adds: above" sums the 类 only
    beside: str = ""  # the other half's line this one is drawn level with
    indent: int = 0  # the label's indentation level (an `each` line's 类 1, 款 2, 项 3 with `indent: true`)


def _numbered(style: bool | str, i: int) -> str:
    """The number before the i-th 类 of an `each` line: "一、" (true), or the declared style
    with 一 replaced by the numeral ("（一）" → "（二）") or 1 by the number ("1、" → "2、")."""
    if isinstance(style, str):
        return style.replace("一", numeral(i), 1) if "一" in style else style.replace("1", str(i), 1)
    return f"{numeral(i)}、" if style else ""


def _at(line: Line, j: int) -> Decimal:
    """A line's amount in its half's j-th column (a figure line gives its first column only)."""
    return (line.values[j] if j < len(line.values) else None) or ZERO


def half_lines(f: Figures, lines: Sequence[LineSpec], measures: Sequence[str]) -> list[Line]:
    out: list[Line] = []
    for x in lines:
        if x.each:
            t = functional(f, x.funds)
            n = 0
            rows: list[ClassRow | str] = [r for r in t.rows if r.level <= x.levels]
            if x.all:  # every 类 listed (or those named), blank ones too, in code order
                wanted = set(f.function_classes) if isinstance(x.all, bool) else set(x.all)
                have = {r.code for r in t.rows if r.level == 1}
                blank: list[ClassRow | str] = [c for c in wanted - have if c in f.function_classes]
                rows = sorted(rows + blank, key=lambda r: r if isinstance(r, str) else r.code)
            for r in rows:
                if isinstance(r, str):  # a 类 without spending: its name, no amounts
                    n += 1
                    out.append(Line(_numbered(x.numbered, n) + f.function_classes[r],
                                    (None,) * len(measures), x.total, x.adds, 1))
                    continue
                n += r.level == 1
                out.append(Line((_numbered(x.numbered, n) if r.level == 1 else "") + r.name,
                                tuple(measure(r, m) for m in measures), x.total, x.adds, r.level,
                                indent=r.level if x.indent else 0))
        elif x.figure:
            out.append(Line(x.label, (figures(f, x.figure, x.less, x.year),), x.total, x.adds, beside=x.beside,
                            indent=2 * x.indent))
        elif x.of:
            t = functional(f, x.funds)
            out.append(Line(x.label, tuple(measure(t, m) for m in measures), x.total, x.adds, beside=x.beside))
        elif x.code:
            found = next((r for r in functional(f, x.funds).rows if r.code == x.code), None)
            out.append(Line(x.label, tuple(ZERO if found is None else measure(found, m) for m in measures),
                            x.total, x.adds, len(x.code) // 2, beside=x.beside))
        elif x.sum:
            parts = [next(p for p in out if p.label == s) for s in x.sum if any(p.label == s for p in out)]
            values = tuple(reduce(lambda a, b: a + b, (_at(p, j) for p in parts)) if parts else ZERO
                           for j in range(len(measures)))
            out.append(Line(x.label, values, x.total, x.adds or tuple(x.sum), beside=x.beside))
        else:
            out.append(Line(x.label, (None,) * len(measures), x.total, x.adds, beside=x.beside, indent=2 * x.indent))
    return out


def _level_with(left: list[Line], right: list[Line]) -> None:
    """Blank lines inserted (in place) so that a body line declared `beside:` a line of the
    other half is drawn on that line's row ("二、上年结转" level with "二、结转下年")."""
    for mine, other in ((left, right), (right, left)):
        for x in [x for x in mine if x.beside]:
            j = next((k for k, y in enumerate(other) if y.label == x.beside), None)
            if j is None:
                continue
            i = mine.index(x)
            gap = Line("", (), False)
            if i < j:
                mine[i:i] = [gap] * (j - i)
            elif j < i:
                other[j:j] = [gap] * (i - j)


def paired_rows(f: Figures, rs: RowsSpec, leaves: Sequence[ColumnSpec]) -> list[Row]:
    """Two halves side by side: body lines top-aligned, total lines bottom-aligned; each
    half's declared sums (`adds`, `sum`) kept for `printed`."""
    starts = [i for i, c in enumerate(leaves) if c.text == "label"][:2]
    if len(starts) < 2:
        starts = [0, len(leaves) // 2]
    bounds = ((starts[0], starts[1]), (starts[1], len(leaves)))
    halves = []
    for lines, (a, b) in zip((rs.left, rs.right), bounds, strict=True):
        measures = [c.measure or "total" for c in leaves[a + 1:b]]
        got = half_lines(f, lines, measures)
        halves.append(([x for x in got if not x.total], [x for x in got if x.total], a + 1, len(measures)))
    _level_with(halves[0][0], halves[1][0])
    top = rs.totals_at == "top"
    n = max(len(body) for body, *_ in halves)
    t = max(len(tail) for _, tail, *_ in halves)
    height = n + t
    cells: list[list[Cell | None]] = [[] for _ in range(height)]
    found: dict[int, list[Sum]] = {}
    for body, tail, first, count in halves:
        pad = height - len(body) - len(tail)
        drawn = (tail + [Line("", (), False)] * (t - len(tail)) + body
                 + [Line("", (), False)] * (n - len(body))) if top \
            else body + [Line("", (), False)] * pad + tail
        index = {x.label: i for i, x in enumerate(drawn) if x.label}
        for i, x in enumerate(drawn):
            label = replace(text(x.label), indent=x.indent)  # indented for the eye only (`indent: true`)
            cells[i] += [label, *([money(v) for v in x.values] + [money(None)] * (count - len(x.values))
                                  if x.label else [Cell(None, "money")] * count)]
        for i, x in enumerate(drawn):
            parts = [y.label for y in body if y.level == 1] if x.adds == "above" else list(x.adds)
            if parts and all(p in index for p in parts):
                found.setdefault(i, []).append(Sum(tuple(range(first, first + count)),
                                                   tuple(index[p] for p in parts)))
    return [Row(tuple(c), total=(i < t) if top else i >= n, sums=tuple(found.get(i, ())))
            for i, c in enumerate(cells)]


# --- fixed rows and records ----------------------------------------------------------------

def fixed_rows(f: Figures, rs: RowsSpec, leaves: Sequence[ColumnSpec]) -> list[Row]:
    rows: list[Row] = []
    for x in rs.lines:
        cells: list[Cell | None] = []
        for c in leaves:
            if c.measure in LINE_MEASURES:
                cells.append(_line_amount(f, x, c.measure or ""))
            elif c.measure and (c.year or x.year) == "change":
                cells.append(money(figure(f, c.measure, "change")))
            elif c.measure:
                year = c.year or x.year
                value = figure(f, c.measure, year)
                cells.append(Cell(value, "money", key=given(c.measure, year)))
            elif c.text == "unit":  # the 预算单位 column: the department on the first line only
                cells.append(text(None if rows else f.name))
            else:
                cells.append(Cell(None, "money") if c.text == "blank" else text(x.label))
        rows.append(Row(tuple(cells), total=x.total))
    return rows


def given(name: str, year: str = "current") -> str:
    """The data path of a figure the data gives as it is shown (serve's 在文档中查看): a “三公”
    item's amount or prior, 机关运行经费; computed totals have none."""
    group, _, item = name.partition(".")
    if group == "three_public" and item in THREE_PUBLIC:
        return f"three_public.{item}.{'prior' if year == 'prior' else 'amount'}"
    return "running_costs.amount" if name == "running_costs" and year == "current" else ""


def _line_amount(f: Figures, x: LineSpec, column: str) -> Cell:
    """A fixed line's own figure (`figure:`, less `less:`) this year, last year, or their change."""
    if not x.figure:
        return Cell(None, "money")
    current, prior = figures(f, x.figure, x.less), figures(f, x.figure, x.less, "prior")
    if column == "current":
        return money(current)
    if column == "prior" or current is None or prior is None:
        return money(prior if column == "prior" else None)
    if column == "change":
        return money(current - prior)
    return text(f"{percent(current - prior, prior)}%" if prior else None)


def records(f: Figures, spec: TableSpec) -> list[Mapping[str, Any]]:
    name = spec.rows.section
    if name == "transfers":
        return [{"name": i.name, "code": i.code, "amount": i.amount} for i in f.budget.transfers]
    sections = getattr(f, "sections", {})
    if name not in sections:
        file = display_path(spec.files[-1]) if spec.files else f"tables/{spec.key}.yaml"
        raise BudgetError([Problem(file, 0, 0, "E822", f"附表“{spec.key}”：地区没有声明数据段“{name}”"
                                   f"（rows.section），可用：{'、'.join(['transfers', *sections])}")])
    return records_of(sections[name])


def records_of(found: Any) -> list[Mapping[str, Any]]:
    """A data section's records as a list: a `records: one` section is one record; a
    section the data leaves out, none."""
    return [found] if isinstance(found, Mapping) else list(found or ())


def record_kinds(items: Sequence[Mapping[str, Any]]) -> dict[str, Kind]:
    kinds: dict[str, Kind] = {"code": "code", "amount": "money"}
    for item in items:
        for k, v in item.items():
            if isinstance(v, Decimal):
                kinds[k] = "money"
    return kinds


def record_depths(items: Sequence[Mapping[str, Any]], leaves: Sequence[ColumnSpec],
                  kinds: Mapping[str, Kind], depth: str = "") -> list[int]:
    """Each record's depth under the records whose code begins its own (1 at the top; all 0
    when no record is under another), so the printed-sum check adds a subtotal's records.
    With `rows.depth` the records say their depth themselves in that field (1 at the top)."""
    if depth:
        given = [_depth(item, depth) for item in items]
        return given if any(d > 1 for d in given) else [0] * len(items)
    field = next((c.field for c in leaves if c.field and leaf_kind(c, kinds) == "code"), None)
    if field is None:
        return [0] * len(items)
    depths: list[int] = []
    open_codes: list[str] = []
    for item in items:
        code = str(item.get(field) or "")
        while open_codes and not (code.startswith(open_codes[-1]) and len(code) > len(open_codes[-1])):
            open_codes.pop()
        depths.append(len(open_codes) + 1)
        open_codes.append(code)
    return depths if any(d > 1 for d in depths) else [0] * len(items)


def _depth(item: Mapping[str, Any], field: str) -> int:
    v = item.get(field)
    return v if isinstance(v, int) and v > 0 else 1


def subtotal(items: Sequence[Mapping[str, Any]], n: int, leaves: Sequence[ColumnSpec],
             kinds: Mapping[str, Kind], depth: str = "") -> bool:
    """A record whose code (its first code column) begins the next record's longer code is the
    subtotal of the records under it (类 201 above 款 20140): shown, not added into the 合计.
    With `rows.depth`: a record followed by a deeper one (通用项目 above its projects)."""
    if depth:
        return n + 1 < len(items) and _depth(items[n + 1], depth) > _depth(items[n], depth)
    field = next((c.field for c in leaves if c.field and leaf_kind(c, kinds) == "code"), None)
    if field is None or n + 1 >= len(items):
        return False
    code, after = str(items[n].get(field) or ""), str(items[n + 1].get(field) or "")
    return bool(code) and len(after) > len(code) and after.startswith(code)


def merged(cells: list[list[Cell]], items: Sequence[Mapping[str, Any]],
           leaves: Sequence[ColumnSpec]) -> list[list[Cell | None]]:
    """The columns declared `merge`: a record that gives neither the column's field nor that
    of a merged column to its left joins the cell above (a project's name over its indicators,
    a 一级指标 over its 二级), so the data writes each merged value once."""
    out: list[list[Cell | None]] = [list(r) for r in cells]
    chosen = [j for j, c in enumerate(leaves) if c.merge and c.field]
    for n, j in enumerate(chosen):
        fields = [leaves[k].field or "" for k in chosen[: n + 1]]
        start = 0
        for i in range(1, len(items) + 1):
            if i < len(items) and all(items[i].get(x) in (None, "") for x in fields):
                continue
            if i - start > 1:
                first = out[start][j]
                assert first is not None
                out[start][j] = replace(first, rowspan=i - start)
                for k in range(start + 1, i):
                    out[k][j] = COVERED
            start = i
    return out


def record_amount(c: ColumnSpec, item: Mapping[str, Any]) -> Decimal | None:
    """A record's amount in an amount column: its field, or with `minus` the field less the
    other (a missing one counting as zero; None when the record gives neither)."""
    v = item.get(c.field or "")
    v = v if isinstance(v, Decimal) else None
    if not c.minus:
        return v
    w = item.get(c.minus)
    w = w if isinstance(w, Decimal) else None
    return None if v is None and w is None else (v or ZERO) - (w or ZERO)


def record_rows(items: Sequence[Mapping[str, Any]], rs: RowsSpec, leaves: Sequence[ColumnSpec],
                kinds: Mapping[str, Kind]) -> list[Row]:
    if not items:
        return []

    def cell(c: ColumnSpec, item: Mapping[str, Any]) -> Cell:
        kind = leaf_kind(c, kinds)
        v = record_amount(c, item) if kind == "money" else item.get(c.field or "")
        if kind == "money":
            return money(v, "" if c.minus else c.field or "")
        if c.format:
            return Cell(formatted(c.format, item), kind)
        return Cell(None if v is None else str(v), kind)

    if rs.groups:
        rows = grouped_rows(items, rs.groups, leaves, kinds, cell)
        summed = list(items)
    else:
        depths = record_depths(items, leaves, kinds, rs.depth)
        cells = [[replace(cell(c, item), level=d) for c in leaves] for item, d in zip(items, depths, strict=True)]
        rows = [Row(tuple(r)) for r in merged(cells, items, leaves)]
        summed = [i for n, i in enumerate(items) if not subtotal(items, n, leaves, kinds, rs.depth)]
    if rs.total == "none":
        return rows
    sums = []
    label_at = next((j for j, c in enumerate(leaves) if rs.total_in and c.field == rs.total_in), 0)
    for j, c in enumerate(leaves):
        kind = leaf_kind(c, kinds)
        if kind == "money":
            got = [v for i in summed if (v := record_amount(c, i)) is not None]
            sums.append(money(total(got) if got or not c.minus else None))
        else:
            sums.append(text(rs.total_label) if j == label_at else Cell(None, kind))
    total_row = Row(tuple(sums), total=True)
    return [total_row, *rows] if rs.total == "first" else [*rows, total_row]


def grouped_rows(items: Sequence[Mapping[str, Any]], groups: Sequence[str], leaves: Sequence[ColumnSpec],
                 kinds: Mapping[str, Kind], cell: Callable[[ColumnSpec, Mapping[str, Any]], Cell]) -> list[Row]:
    """Records grouped by `groups` (outermost first), in the order they first appear: each
    group's subtotal row (its value in the first column, at its depth) before its records,
    whose grouping fields are left blank. Depths as `record_depths`, so `printed` re-adds them."""
    def key(item: Mapping[str, Any], depth: int) -> tuple[str, ...]:
        return tuple(str(item.get(g) or "") for g in groups[:depth])

    rows: list[Row] = []

    def emit(members: Sequence[Mapping[str, Any]], depth: int) -> None:
        if depth == len(groups):
            for item in members:
                rows.append(Row(tuple(
                    replace(Cell(None, leaf_kind(c, kinds)) if c.field in groups else cell(c, item),
                            level=depth + 1) for c in leaves)))
            return
        order: list[tuple[str, ...]] = []
        for item in members:
            if key(item, depth + 1) not in order:
                order.append(key(item, depth + 1))
        for k in order:
            inside = [i for i in members if key(i, depth + 1) == k]
            out: list[Cell] = []
            for j, c in enumerate(leaves):
                if leaf_kind(c, kinds) == "money":
                    out.append(money(total(v for i in inside if isinstance(v := i.get(c.field or ""), Decimal)),
                                     c.field or ""))
                else:
                    out.append(Cell(k[-1] if j == 0 else None, leaf_kind(c, kinds)))
            rows.append(Row(tuple(replace(x, level=depth + 1) for x in out)))
            emit(inside, depth + 1)

    emit(items, 0)
    return rows


def only_classes(t: Tree, classes: Sequence[str]) -> Tree:
    """The tree cut to the given 类 (`rows.classes`), its totals theirs."""
    if not classes:
        return t
    rows = tuple(r for r in t.rows if r.code[:3] in classes)
    tops = [r for r in rows if r.level == 1]
    keys = {k for r in tops for k in r.values}
    return replace(t, rows=rows, totals={k: total(r.values.get(k) or ZERO for r in tops) for k in keys})


# --- the 绩效目标 forms ----------------------------------------------------------------------

def info_row(label: str, value: Cell | str) -> Row:
    cell = value if isinstance(value, Cell) else text(value)
    return Row((text(label), Cell(cell.value, cell.kind, colspan=3), COVERED, COVERED))


def indicator_rows(indicators: Sequence[Indicator], labels: Sequence[str]) -> list[Row]:
    """The 一级/二级/三级/指标值 grid under its own label row, with equal 一级 and 二级 cells
    merged downwards."""
    rows: list[list[Cell | None]] = [[text(i.level1), text(i.level2), text(i.name), text(i.value)]
                                     for i in indicators]
    for col in (0, 1):
        start = 0
        for i in range(1, len(indicators) + 1):
            same = i < len(indicators) and all(
                getattr(indicators[i], a) == getattr(indicators[start], a)
                for a in ("level1", "level2")[: col + 1])
            if not same:
                span = i - start
                if span > 1:
                    first = rows[start][col]
                    assert first is not None
                    rows[start][col] = Cell(first.value, rowspan=span)
                    for j in range(start + 1, i):
                        rows[j][col] = COVERED
                start = i
    heading = Row(tuple(text(h) for h in labels), heading=True)
    return [heading, *(Row(tuple(r)) for r in rows)]


def performance_rows(f: Figures, source: str, labels: Sequence[str],
                     projects: Sequence[Project] | None = None) -> list[Row]:
    if source == "department_performance":
        perf = f.budget.performance
        if perf is None:
            return []
        fiscal_total = f.fiscal["total"]
        return [info_row("部门名称", f.name),
                info_row("年度预算资金总额", money(f.spending["total"])),
                info_row("其中：财政拨款", money(fiscal_total)),
                info_row("其他资金", money(f.spending["total"] - fiscal_total)),
                info_row("年度总体目标", "\n".join(f"{i}. {g}" for i, g in enumerate(perf.goals, 1))),
                *indicator_rows(perf.indicators, labels)]
    rows: list[Row] = []
    for p in f.projects if projects is None else projects:
        rows += [info_row("项目名称", p.name), info_row("主管部门", p.department or f.name),
                 info_row("实施单位", p.implementer),
                 info_row("项目资金总额", money(p.amount)),
                 info_row("其中：财政拨款", money(p.fiscal)), info_row("其他资金", money(p.other))]
        if p.goal:
            rows.append(info_row("年度绩效目标", p.goal))
        rows += indicator_rows(p.indicators, labels)
    return rows
