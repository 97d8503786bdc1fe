"""The 附表, declared once: title, header tree with merges, typed columns, rows, empty note.

`build_tables` turns `Figures` into `Table` values that two small writers read — the HTML
table macro for the PDF and `excel` for the workbook — so both show the same cells.
Which tables a region publishes, in which order, under which titles and header wording, is
region data (`region.yaml`: `tables`, `table_titles`, `empty_notes`, `header_labels`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Literal

from ..common.money import UNIT_FACTOR, WAN, ZERO, Display, table_amount, total
from ..common.problems import BudgetError, Problem
from ..compute.figures import ClassRow, Figures, Tree
from ..inputs.model import FISCAL_SOURCES, THREE_PUBLIC, Indicator, Source
from ..inputs.region import Region
from ..inputs.resolved import Resolved

Kind = Literal["text", "code", "money"]
NUMERALS = "一二三四五六七八九十"


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

    @property
    def unit(self) -> str:
        return self.display.unit

    @property
    def label(self) -> str:
        """The number as printed before the title: "三、" or, numbered in digits, "3."."""
        return f"{self.number}." if self.number.isdigit() else f"{self.number}、"


def layout(spec: Sequence[H]) -> tuple[tuple[HeaderCell, ...], int, tuple[Column, ...]]:
    """Place a header tree on a grid: parents span their leaves, leaves span to the bottom."""

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
        for child in h.children:
            place(child, row + 1)
        cells.append(HeaderCell(h.text, row, col, colspan=len(columns) - col))

    for h in spec:
        place(h, 0)
    return tuple(sorted(cells, key=lambda c: (c.row, c.col))), rows, tuple(columns)


# --- row builders ----------------------------------------------------------------------

CODE = H.of("科目编码", kind="code", width=8)
NAME = H.of("科目名称", kind="text", width=22)


def money(v: Decimal, key: str = "") -> Cell:
    return Cell(v, "money", key=key)


def text(v: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return Cell(v, "text", colspan, rowspan)


def tree_rows(t: Tree, keys: Sequence[str], total_label: str = "合计") -> list[Row]:
    """合计 first, then 类/款/项 rows with their code and indented name."""
    rows = [Row((text(total_label, colspan=2), COVERED, *(money(t[k], k) for k in keys)), total=True)]
    for r in t.rows:
        rows.append(Row((Cell(r.code, "code"), Cell(r.name, level=r.level),
                         *(money(r[k], k) for k in keys)), code=r.code))
    return rows


Line = tuple[str, Sequence[Decimal], bool]  # label, amounts, a total line (bottom-aligned)


Sums = Mapping[str, Sequence[str]]  # a line's label → the labels of the lines it adds up


def paired_rows(left: Sequence[Line], right: Sequence[Line], width: int,
                left_sums: Sums | None = None, right_sums: Sums | None = None) -> list[Row]:
    """Two halves side by side (收支总表): body lines top-aligned, total lines bottom-aligned;
    each half's sums declared by label."""
    lb = [x for x in left if not x[2]]
    lt = [x for x in left if x[2]]
    rb = [x for x in right if not x[2]]
    rt = [x for x in right if x[2]]
    n = max(len(lb), len(rb))
    lb += [("", (), False)] * (n - len(lb))
    rb += [("", (), False)] * (n - len(rb))
    halves = ((lb + lt, 1, 1, left_sums or {}), (rb + rt, 3, width, right_sums or {}))
    cells: list[list[Cell | None]] = [[] for _ in range(len(lb) + len(lt))]
    found: dict[int, list[Sum]] = {}
    for lines, first, count, sums in halves:  # first amount column, number of amounts
        index = {label: i for i, (label, _, _) in enumerate(lines) if label}
        for i, (label, values, _) in enumerate(lines):
            cells[i] += [text(label), *([money(v) for v in values] if label else [Cell(None, "money")] * count)]
        for label, parts in sums.items():
            if label in index and all(p in index for p in parts):
                found.setdefault(index[label], []).append(
                    Sum(tuple(range(first, first + count)), tuple(index[p] for p in parts)))
    return [Row(tuple(c), total=i >= len(lb), sums=tuple(found.get(i, ())))
            for i, c in enumerate(cells)]


def indicator_rows(indicators: Sequence[Indicator]) -> list[Row]:
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
    labels = Row(tuple(text(h.text) for h in INDICATOR_HEADER), heading=True)
    return [labels, *(Row(tuple(r)) for r in rows)]


def info_row(label: str, value: Cell | str) -> Row:
    cell = value if isinstance(value, Cell) else text(value)
    return Row((text(label), Cell(cell.value, cell.kind, colspan=3), COVERED, COVERED))


# --- the tables --------------------------------------------------------------------------

# 绩效目标表: an information block (名称, 资金, 目标), then the indicator grid with its own
# label row — as the national forms print them; the table has no header above the block.
INDICATOR_HEADER = (H.of("一级指标", kind="text", width=9), H.of("二级指标", kind="text", width=10),
                    H.of("三级指标", kind="text", width=23), H.of("指标值", kind="text", width=14))


def summary(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    inc = f.income
    left: list[Line] = [(f.source_names[s.value], [inc[s.value]], False)
                        for s in Source if s is not Source.carryover]
    sources = [label for label, _, _ in left]
    left += [("本年收入合计", [inc["this_year"]], True), ("上年结转结余", [inc["carryover"]], True),
             ("收入总计", [inc["total"]], True)]
    spent = f.spending["total"]
    carry = f.budget.carry_forward
    right: list[Line] = [(r.name, [r["total"]], False) for r in f.spending.level(1)]
    classes = [label for label, _, _ in right]
    right += [("本年支出合计", [spent], True), ("结转下年", [carry], True),
              ("支出总计", [spent + carry], True)]
    spec = (H.of("收入", H.of("项目", kind="text", width=18), H.of("预算数")),
            H.of("支出", H.of("项目", kind="text", width=18), H.of("预算数")))
    return spec, paired_rows(
        left, right, 1, {"本年收入合计": sources, "收入总计": ["本年收入合计", "上年结转结余"]},
        {"本年支出合计": classes, "支出总计": ["本年支出合计", "结转下年"]}), False


def income(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    sources = [s for s in Source if s is not Source.carryover]
    short = {"general_budget": "一般公共预算拨款", "gov_fund": "政府性基金预算拨款",
             "state_capital": "国有资本经营预算拨款", "fiscal_special": "财政专户管理资金",
             "business": "事业收入", "operating": "事业单位经营收入", "superior_subsidy": "上级补助收入",
             "affiliated": "附属单位上缴收入", "other": "其他收入"}
    # Eleven amount columns on a landscape page: a narrower name column leaves each
    # amount the ~47 pt that "2,735.83" needs at table size.
    spec = (H.of("科目编码", kind="code", width=7), H.of("科目名称", kind="text", width=13),
            H.of("合计"), H.of("上年结转"), H.of("本年收入", *(H.of(short[s.value]) for s in sources)))
    keys = ["total", "carryover", *(s.value for s in sources)]
    return spec, tree_rows(f.spending, keys), True


def spending(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    spec = (CODE, NAME, H.of("合计"), H.of("基本支出"), H.of("项目支出"))
    return spec, tree_rows(f.spending, ["total", "basic", "project"]), False


def fiscal(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    inc = f.income
    fiscal_keys = [s.value for s in FISCAL_SOURCES]
    left: list[Line] = [(f.source_names[k].replace("收入", ""), [inc[k]], False) for k in fiscal_keys]
    sources = [label for label, _, _ in left]
    left += [("本年收入合计", [inc["fiscal"]], True), ("收入总计", [inc["fiscal"]], True)]
    t = f.fiscal
    right: list[Line] = [(r.name, [r["total"], *(r[k] for k in fiscal_keys)], False) for r in t.level(1)]
    classes = [label for label, _, _ in right]
    totals = [t["total"], *(t[k] for k in fiscal_keys)]
    right += [("本年支出合计", totals, True), ("支出总计", totals, True)]
    spec = (H.of("收入", H.of("项目", kind="text", width=16), H.of("预算数")),
            H.of("支出", H.of("项目", kind="text", width=16), H.of("合计"), H.of("一般公共预算"),
                 H.of("政府性基金预算"), H.of("国有资本经营预算")))
    return spec, paired_rows(left, right, 4, {"本年收入合计": sources, "收入总计": ["本年收入合计"]},
                             {"本年支出合计": classes, "支出总计": ["本年支出合计"]}), True


def general(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    """By 项, with the 基本支出 split into 人员/公用 when every line gives the split."""
    t = f.by_source["general_budget"]
    if not t.split:
        spec: tuple[H, ...] = (CODE, NAME, H.of("合计"), H.of("基本支出"), H.of("项目支出"))
        return spec, tree_rows(t, ["total", "basic", "project"]), False
    spec = (CODE, NAME, H.of("合计"),
            H.of("基本支出", H.of("小计"), H.of("人员经费"), H.of("公用经费")), H.of("项目支出"))
    keys = ["total", "basic", "personnel", "public", "project"]
    return spec, tree_rows(t, keys), False


def basic_economic(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    spec = (H.of("经济分类科目编码", kind="code", width=9), NAME, H.of("合计"), H.of("人员经费"),
            H.of("公用经费"))
    return spec, tree_rows(f.economic, ["total", "personnel", "public"]), False


def three_public(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    spec = (H.of("项目", kind="text", width=12), H.of("合计"), H.of("因公出国（境）费"),
            H.of("公务用车购置及运行费", H.of("小计"), H.of("购置费"), H.of("运行费")),
            H.of("公务接待费"))
    keys = ("total", "abroad", "vehicle", "vehicle_purchase", "vehicle_running", "reception")
    tp = f.three_public
    prior = [c.prior if (c := tp[k].change) else None for k in keys]
    current = [tp[k].amount for k in keys]
    rows = [Row((text(label), *(Cell(v, "money", key=_given(k, field)) for k, v in zip(keys, values, strict=True))))
            for label, values, field in ((f"{f.prior_year}年预算数", prior, "prior"),
                                         (f"{f.year}年预算数", current, "amount"))]
    return spec, rows, False


def fund_table(source: str) -> Callable[[Figures], tuple[Sequence[H], list[Row], bool]]:
    def build(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
        spec = (CODE, NAME, H.of("合计"), H.of("基本支出"), H.of("项目支出"))
        t = f.by_source[source]
        return spec, ([] if t.empty else tree_rows(t, ["total", "basic", "project"])), False
    return build


def transfers(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    spec = (H.of("项目名称", kind="text", width=24), H.of("科目编码", kind="code", width=9),
            H.of("金额"))
    items = f.budget.transfers
    if not items:
        return spec, [], False
    rows = [Row((text("合计"), Cell(None, "code"), money(total(i.amount for i in items))), total=True)]
    rows += [Row((text(i.name), Cell(i.code, "code"), money(i.amount))) for i in items]
    return spec, rows, False


def dept_performance(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    perf = f.budget.performance
    if perf is None:  # not published: the table is left out (region.yaml: drop_empty)
        return INDICATOR_HEADER, [], False
    fiscal_total = f.fiscal["total"]
    rows = [info_row("部门名称", f.name),
            info_row("年度预算资金总额", money(f.spending["total"])),
            info_row("其中：财政拨款", money(fiscal_total)),
            info_row("其他资金", money(f.spending["total"] - fiscal_total)),
            info_row("年度总体目标", "\n".join(f"{i}. {g}" for i, g in enumerate(perf.goals, 1))),
            *indicator_rows(perf.indicators)]
    return INDICATOR_HEADER, rows, False


def project_performance(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    rows: list[Row] = []
    for p in f.projects:
        rows += [info_row("项目名称", p.name), info_row("主管部门", p.department or f.name),
                 info_row("实施单位", p.implementer),
                 info_row("项目资金总额", money(p.amount)),
                 info_row("其中：财政拨款", money(p.fiscal)), info_row("其他资金", money(p.other))]
        if p.goal:
            rows.append(info_row("年度绩效目标", p.goal))
        rows += indicator_rows(p.indicators)
    return INDICATOR_HEADER, rows, False


# --- the Shanghai forms: separate 类/款/项 code columns, 合计 last ------------------------

def code_columns(title: str, levels: Sequence[str]) -> H:
    return H.of(title, *(H.of(lvl, kind="code", width=3) for lvl in levels))


FUNCTION_ITEM = H.of("项目", code_columns("功能分类科目编码", "类款项"),
                     H.of("功能分类科目名称", kind="text", width=13))
ECONOMIC_ITEM = H.of("项目", code_columns("经济分类科目编码", "类款"),
                     H.of("经济分类科目名称", kind="text", width=14))


def split_code(code: str, depth: int) -> list[Cell]:
    """"2010507" → 201 | 05 | 07; a 类 or 款 row leaves the deeper columns blank."""
    parts = [code[:3], code[3:5], code[5:7]][:depth]
    return [Cell(p or None, "code") for p in parts]


def coded_rows(t: Tree, columns: Sequence[Callable[[ClassRow | Tree], Decimal]],
               depth: int) -> list[Row]:
    """类/款(/项) rows, each code in its own column, then 合计 (Shanghai prints it last); each
    row's sum of the rows one level below it is declared for `printed`."""
    amounts = tuple(range(depth + 1, depth + 1 + len(columns)))

    def below(code: str, level: int) -> tuple[int, ...]:
        return tuple(i for i, r in enumerate(t.rows) if r.level == level + 1 and r.code.startswith(code))

    rows = [Row((*split_code(r.code, depth), text(r.name),
                 *(money(c(r), getattr(c, "field", "")) for c in columns)),
                sums=(Sum(amounts, parts),) if (parts := below(r.code, r.level)) else (), code=r.code)
            for r in t.rows]
    if rows:
        rows.append(Row((text("合计", colspan=depth + 1), *[COVERED] * depth,
                         *(money(c(t)) for c in columns)), total=True, sums=(Sum(amounts, below("", 0)),)))
    return rows


def key(name: str) -> Callable[[ClassRow | Tree], Decimal]:
    """A column of one field; the field's name ties its cells to the data."""
    def column(r: ClassRow | Tree) -> Decimal:
        return r[name]
    column.field = name  # type: ignore[attr-defined]
    return column


def _given(item: str, field: str) -> str:
    """The data path of a “三公” figure the data gives (its totals are computed: no path)."""
    return f"three_public.{item}.{field}" if item in THREE_PUBLIC else ""


def fiscal_of(r: ClassRow | Tree) -> Decimal:
    return total(r[s.value] for s in FISCAL_SOURCES)


def other_income_of(r: ClassRow | Tree) -> Decimal:
    """其他收入: whatever is neither 财政拨款, 事业收入 nor 经营收入, so each row adds up."""
    return r["total"] - fiscal_of(r) - r["business"] - r["operating"]


def sh_income(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    spec = (FUNCTION_ITEM, H.of("收入预算", H.of("合计"), H.of("财政拨款收入"), H.of("事业收入"),
                               H.of("事业单位经营收入"), H.of("其他收入")))
    columns = [key("total"), fiscal_of, key("business"), key("operating"), other_income_of]
    return spec, coded_rows(f.spending, columns, 3), True


def sh_function(heading: str, source: str | None) -> Callable[[Figures], tuple[Sequence[H], list[Row], bool]]:
    """支出预算总表 (all sources) or the 功能分类预算表 of one fiscal source."""
    def build(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
        spec = (FUNCTION_ITEM, H.of(heading, H.of("合计"), H.of("基本支出"), H.of("项目支出")))
        t = f.spending if source is None else f.by_source[source]
        return spec, coded_rows(t, [key("total"), key("basic"), key("project")], 3), False
    return build


def sh_economic(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    spec = (ECONOMIC_ITEM, H.of("一般公共预算基本支出", H.of("合计"), H.of("人员经费"), H.of("公用经费")))
    return spec, coded_rows(f.economic, [key("total"), key("personnel"), key("public")], 2), False


SH_INCOME_LINES = (("一、财政拨款收入", "fiscal"), ("1. 一般公共预算资金", "general_budget"),
                   ("2. 政府性基金", "gov_fund"), ("3. 国有资本经营预算", "state_capital"),
                   ("二、事业收入", "business"), ("三、事业单位经营收入", "operating"),
                   ("四、其他收入", "other"))


def sh_summary(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    """财务收支预算总表: income by source beside spending by 类; where every line gives the
    人员/公用 split (the 单位预算 form), the spending side shows 基本支出 and 项目支出 too."""
    inc = f.income
    rest = inc["this_year"] - inc["fiscal"] - inc["business"] - inc["operating"]
    left: list[Line] = [(label, [rest if k == "other" else inc[k]], False) for label, k in SH_INCOME_LINES]
    left.append(("收入总计", [inc["this_year"]], True))
    t = f.spending
    split = all(_split(x) for x in f.budget.spending)
    keys = ["total", "personnel", "public", "project"] if split else ["total"]
    right: list[Line] = [(f"{numeral(i)}、{r.name}", [r[k] for k in keys], False)
                         for i, r in enumerate(t.level(1), 1)]
    classes = [label for label, _, _ in right]
    right.append(("支出总计", [t[k] for k in keys], True))
    item = H.of("项目", kind="text", width=14)
    spend: tuple[H, ...] = (H.of("预算数"),)
    if split:
        spend = (H.of("预算数", H.of("合计"),
                      H.of("基本支出", H.of("人员经费"), H.of("公用经费")), H.of("项目支出")),)
    spec = (H.of("本年收入", item, H.of("预算数")), H.of("本年支出", item, *spend))
    labels = [label for label, _ in SH_INCOME_LINES]  # 一、 is 1.–3., 收入总计 is 一、–四、
    income_sums = {labels[0]: labels[1:4], "收入总计": [labels[0], *labels[4:]]}
    return spec, paired_rows(left, right, len(keys), income_sums, {"支出总计": classes}), split


def _split(line: object) -> bool:
    """True when a spending line gives its 基本支出 as 人员经费 and 公用经费."""
    return getattr(line, "split", True) is not False


def sh_fiscal(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    inc = f.income
    left: list[Line] = [(f"{numeral(i)}、{label}", [inc[s.value]], False) for i, (label, s) in enumerate(
        (("一般公共预算资金", Source.general_budget), ("政府性基金", Source.gov_fund),
         ("国有资本经营预算", Source.state_capital)), 1)]
    sources = [label for label, _, _ in left]
    left.append(("收入总计", [inc["fiscal"]], True))
    t = f.fiscal
    keys = ["total", *(s.value for s in FISCAL_SOURCES)]
    right: list[Line] = [(f"{numeral(i)}、{r.name}", [r[k] for k in keys], False)
                         for i, r in enumerate(t.level(1), 1)]
    classes = [label for label, _, _ in right]
    right.append(("支出总计", [t[k] for k in keys], True))
    item = H.of("项目", kind="text", width=14)
    spec = (H.of("财政拨款收入", item, H.of("预算数")),
            H.of("财政拨款支出", item, H.of("合计"), H.of("一般公共预算"), H.of("政府性基金预算"),
                 H.of("国有资本经营预算")))
    return spec, paired_rows(left, right, len(keys), {"收入总计": sources}, {"支出总计": classes}), True


def sh_three_public(f: Figures) -> tuple[Sequence[H], list[Row], bool]:
    """“三公”经费 with 机关运行经费 in one row (always in 万元)."""
    spec = (H.of("“三公”经费预算数", H.of("合计"), H.of("因公出国(境)费"), H.of("公务接待费"),
                 H.of("公务用车购置及运行费", H.of("小计"), H.of("购置费"), H.of("运行费"))),
            H.of("机关运行经费预算数"))
    tp = f.three_public
    rc = f.running_costs
    items = ("total", "abroad", "reception", "vehicle", "vehicle_purchase", "vehicle_running")
    cells = [money(tp[k].amount, _given(k, "amount")) for k in items]
    cells.append(money(rc.amount if rc is not None else ZERO, "running_costs.amount"))
    return spec, [Row(tuple(cells))], False


BUILDERS: dict[str, Callable[[Figures], tuple[Sequence[H], list[Row], bool]]] = {
    "summary": summary, "income": income, "spending": spending, "fiscal": fiscal,
    "general": general, "basic_economic": basic_economic, "three_public": three_public,
    "gov_fund": fund_table("gov_fund"), "state_capital": fund_table("state_capital"),
    "transfers": transfers, "dept_performance": dept_performance,
    "project_performance": project_performance,
    "sh_summary": sh_summary, "sh_income": sh_income,
    "sh_spending": sh_function("支出预算", None), "sh_fiscal": sh_fiscal,
    "sh_general": sh_function("一般公共预算支出", "general_budget"),
    "sh_gov_fund": sh_function("政府性基金预算支出", "gov_fund"),
    "sh_state_capital": sh_function("国有资本经营预算支出", "state_capital"),
    "sh_economic": sh_economic, "sh_three_public": sh_three_public,
}


BODY_LABELLED = {"dept_performance", "project_performance"}  # labels inside the body


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一 (enough for table and section numbers)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


def settings_problems(region: Region) -> list[Problem]:
    """The table settings are usable: known table keys, each with a title, texts as text."""
    s = region.settings
    found = []
    tables, titles = s.get("tables"), s.get("table_titles")
    if not isinstance(tables, list) or not all(isinstance(k, str) for k in tables):
        return [region.problem("tables", "tables 应为附表键的列表，如 [summary, income]")]
    if not isinstance(titles, dict):
        return [region.problem("table_titles", "table_titles 应为键值结构：附表键: 标题")]
    for key in tables:
        if key not in BUILDERS:
            found.append(region.problem("tables", f"未知的附表“{key}”，可用：{'、'.join(BUILDERS)}"))
        elif not isinstance(titles.get(key), str) or not titles[key].strip():
            found.append(region.problem("table_titles", f"附表“{key}”缺少标题（table_titles.{key}）"))
    for setting in ("empty_notes", "header_labels"):
        value = s.get(setting, {})
        texts = [v for x in value.values() for v in (x.values() if isinstance(x, dict) else [x])] \
            if isinstance(value, dict) else None
        if texts is None or not all(isinstance(t, str) for t in texts):
            found.append(region.problem(setting, f"{setting} 的取值应为文字"))
    return found + _display_problems(region)  # placeholders: region.placeholder_problems


def _display_problems(region: Region) -> list[Problem]:
    """Units, decimals and switches of the region settings have values the tool can use."""
    s, found = region.settings, []
    units = "、".join(UNIT_FACTOR)
    for key in ("text_unit", "table_unit"):
        if key in s and s[key] not in UNIT_FACTOR:
            found.append(region.problem(key, f"{key} 应为 {units} 之一，而不是“{s[key]}”"))
    per_table = s.get("table_units", {})
    if not isinstance(per_table, dict) or not all(v in UNIT_FACTOR for v in per_table.values()):
        found.append(region.problem("table_units", f"table_units 应为键值结构：附表键: {units}"))
    for key in ("text_places", "explanation_text_places"):
        places = s.get(key, 2)
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4:
            found.append(region.problem(key, f"{key} 应为 0 到 4 的整数（小数位数），而不是“{places}”"))
    for key in ("changes_from_shown", "line_changes"):
        if not isinstance(s.get(key, False), bool):
            found.append(region.problem(key, f"{key} 应为 true 或 false，而不是“{s[key]}”"))
    return found


# The text block in wide characters of the table font (5号, 10.5 pt): 156 mm portrait, 225 mm
# landscape (style.css). A digit takes about 0.55 of a wide character (bold included), a
# comma or point 0.3, a cell's padding 0.6.
PAGE_CHARS = {False: 42, True: 60}
DIGIT, MARK, PADDING = 0.55, 0.3, 0.6
TEXT_MIN = 5.0  # a name column keeps room for five characters a line


def _printed_width(text: str) -> float:
    marks = sum(c in ",." for c in text)
    return (len(text) - marks) * DIGIT + marks * MARK + PADDING


def fitted(columns: tuple[Column, ...], rows: Sequence[Row], display: Display,
           landscape: bool) -> tuple[tuple[Column, ...], bool]:
    """Columns wide enough for their longest amount as printed (large 元 amounts with 分 ran
    into the next cell): the table turns landscape if that is enough, else its amount and
    code columns take what they need and the text columns share the rest."""
    if display.unit != "元":
        return columns, landscape  # 万元 amounts are short: the declared widths hold them
    need = [TEXT_MIN if c.kind == "text" else 0.0 for c in columns]
    for row in rows:
        for j, cell in enumerate(row.cells):
            if cell is None or j >= len(need) or cell.colspan > 1:
                continue
            if isinstance(cell.value, Decimal):
                need[j] = max(need[j], _printed_width(table_amount(cell.value, display)))
            elif cell.kind == "code" and isinstance(cell.value, str):
                need[j] = max(need[j], _printed_width(cell.value))
    if sum(need) > PAGE_CHARS[True]:
        return columns, landscape or sum(c.width for c in columns) > 90  # cannot fit at all

    def fits(cols: tuple[Column, ...], wide: bool) -> bool:
        total = sum(c.width for c in cols)
        return all(c.width / total * PAGE_CHARS[wide] >= n for c, n in zip(cols, need, strict=True))

    if fits(columns, landscape):
        return columns, landscape
    if fits(columns, True):
        return columns, True
    # Amount and code columns get just what they need; text columns share the rest.
    widths = [c.width for c in columns]
    for _ in range(10):  # each column's share depends on the total: settle it
        total = sum(widths)
        widths = [c.width if c.kind == "text" else max(1, math.ceil(n * total / PAGE_CHARS[True]))
                  for c, n in zip(columns, need, strict=True)]
        widths = [max(w, math.ceil(n * total / PAGE_CHARS[True])) for w, n in zip(widths, need, strict=True)]
    return tuple(replace(c, width=w) for c, w in zip(columns, widths, strict=True)), True


def build_tables(f: Figures, resolved: Resolved) -> list[Table]:
    region = resolved.region
    if trouble := settings_problems(region):
        raise BudgetError(trouble)
    s = region.filled(f.placeholders)
    titles: dict[str, str] = s["table_titles"]
    notes: dict[str, str] = s.get("empty_notes", {})
    labels: dict[str, dict[str, str]] = s.get("header_labels", {})
    drop = set(s.get("drop_empty", []))
    built = [(key, *BUILDERS[key](f)) for key in s["tables"]]
    tables = []
    for i, (key, spec, rows, landscape) in enumerate(
            [x for x in built if x[2] or x[0] not in drop], 1):
        header, header_rows, columns = layout(spec)
        rename = labels.get(key, {})
        header = tuple(replace(h, text=rename.get(h.text, h.text)) for h in header)
        if key in BODY_LABELLED:
            header, header_rows = (), 0
        note = None if rows else notes.get(key, s["empty_note"])
        display = region.table_display(key, f.cents, f.data_unit)
        columns, landscape = fitted(columns, rows, display, landscape or sum(c.width for c in columns) > 90)
        tables.append(Table(
            key=key, number=str(i) if s.get("table_numbering") == "arabic" else numeral(i),
            title=titles[key], prepared_by=f.prepared_by,
            columns=columns, header=header, header_rows=header_rows, rows=tuple(rows),
            empty_note=note, landscape=landscape,
            display=display,
            prepared_label=s.get("prepared_label", "编制单位"),
            note_below=s.get("empty_note_position") == "below", spec=tuple(spec)))
    return tables
