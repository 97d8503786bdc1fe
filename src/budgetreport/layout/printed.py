"""Every published table adds up as printed.

Amounts are exact, but a table shows each one rounded as its `Display` says (0.01 万元, or
whole 元 / 元.分). When the data
has more precision than that (amounts entered in 元 and shown in 万元), rounded rows can
miss their rounded total by 0.01 — as a published Shanghai 2025 table shows a 款 1 元 off
its 项. This checks every sum a reader can redo on the printed figures:

- down a table: the 合计 row is the sum of the 类 rows, each 类 of its 款, each 款 of its 项;
- across a table: a 合计 or 小计 column is the sum of its sibling columns (the header tree
  says which: 合计 = 基本支出 + 项目支出, 小计 = 人员经费 + 公用经费, …);
- any other sum a table declares in its rows (`tables.Sum`): both halves of a 收支总表
  (本年收入合计 = the sources, 收入总计 = 本年收入合计 + 上年结转结余, 本年支出合计 = the 类
  rows, …), and the Shanghai forms, whose 合计 comes last and whose rows carry no level.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..common.money import UNIT_FACTOR, Display
from .tables import H, Row, Table

TOTAL_LABELS = ("合计", "小计")
PART_OF = "其中"  # a column "其中：…" is part of the one before it, never added to its siblings


def _of_which(node: H) -> bool:
    return node.text.startswith(PART_OF) or node.part_of


def column_sums(spec: Sequence[H]) -> list[tuple[int, list[int]]]:
    """(total column, part columns) for every 合计/小计 column of a header tree; columns are
    numbered as `tables.layout` numbers the leaves (depth first)."""
    equations: list[tuple[int, list[int]]] = []
    leaves: dict[int, int] = {}  # id(leaf) -> column

    def number(nodes: Sequence[H]) -> None:
        for node in nodes:
            if node.children:
                number(node.children)
            else:
                leaves[id(node)] = len(leaves)

    def value(node: H) -> list[int]:
        """The columns whose sum is this node's amount."""
        if not node.children:
            return [leaves[id(node)]] if node.kind == "money" else []
        first = next((c for c in node.children if c.kind == "money" and not c.children), None)
        if first is not None and first.text in TOTAL_LABELS:
            return [leaves[id(first)]]
        return [col for child in node.children if not _of_which(child) for col in value(child)]

    def group(nodes: Sequence[H]) -> None:
        money = [n for n in nodes if n.kind == "money" or n.children]
        # "小计 | 其中：基本支出 | 项目支出": a 其中 right after the 小计 opens its breakdown (广州);
        # elsewhere a 其中 column is part of the one before it, not an addend (长沙)
        # (a column declared `part_of: true` never opens it: 西安's 小计 | 其中：专项资金…; nor do
        # 其中 columns alone: 小计 | 其中：A | 其中：B are parts of 小计, 深圳's 政府采购)
        opens = len(money) > 2 and money[0].text in TOTAL_LABELS and _of_which(money[1]) \
            and not money[1].part_of and not all(_of_which(n) for n in money[2:])
        money = money if opens else [n for n in money if not _of_which(n)]
        if money and not money[0].children and money[0].text in TOTAL_LABELS:
            parts = [col for n in money[1:] for col in value(n)]
            if parts:
                equations.append((leaves[id(money[0])], parts))
        for n in nodes:
            if n.children:
                group(n.children)

    number(spec)
    group(spec)
    return equations


def _level(row: Row) -> int:
    return max((c.level for c in row.cells if c is not None), default=0)


def _money(row: Row, col: int) -> Decimal | None:
    cell = row.cells[col] if col < len(row.cells) else None
    return cell.value if cell is not None and isinstance(cell.value, Decimal) else None


def _label_before(row: Row, col: int) -> str:
    """The text nearest to the left of column `col` (the line's own label in a 收支总表)."""
    cells = [c for c in row.cells[:col] if c is not None and c.kind == "text" and c.value]
    return str(cells[-1].value) if cells else ""


@dataclass(frozen=True)
class Mismatch:
    """A printed sum its printed parts miss: in words, and the part whose rounding most
    likely made the difference (its exact amount in 万元), the figure to adjust."""

    message: str
    adjust: Decimal | None = None
    adjust_words: str = ""
    adjust_code: str = ""  # the 科目 code of the part's row ("" for none)
    adjust_key: str = ""  # the data field the part's cell sums (personnel, project…)


@dataclass(frozen=True)
class _Part:
    value: Decimal
    words: str
    code: str
    key: str


def _part(row: Row, col: int, value: Decimal, words: str) -> _Part:
    cell = row.cells[col] if col < len(row.cells) else None
    return _Part(value, words, row.code, cell.key if cell is not None else "")


def column_words(table: Table, col: int) -> str:
    """A column by its header path: "“三公”经费预算数·公务用车购置及运行费·小计"."""
    cells = sorted((h for h in table.header if h.col <= col < h.col + h.colspan), key=lambda h: h.row)
    return "·".join(h.text for h in cells if h.text)


def mismatches(table: Table) -> Iterator[Mismatch]:
    """Each printed sum of `table` that the printed parts do not add up to, in words."""
    columns = [i for i, c in enumerate(table.columns) if c.kind == "money"]
    headers = {h.col: h.text for h in table.header if h.row + h.rowspan == table.header_rows}
    where = f"附表{table.number}“{table.title}”"
    shown_as: Display = table.display
    printed = shown_as.value  # the figure as the table prints it, in the table's unit
    factor = UNIT_FACTOR[shown_as.unit]
    single = len(table.rows) == 1

    def say(row_label: str, col: int, shown: Decimal, parts: list[_Part], what: str) -> Mismatch:
        fmt = f",.{shown_as.places}f"
        added = sum((printed(p.value) for p in parts), Decimal(0))
        row = f"“{row_label}”行" if row_label else "" if single else "无名称的一行"
        # the part rounded furthest in the direction of the difference
        sign = 1 if added > shown else -1
        part = max(parts, key=lambda p: sign * (printed(p.value) - p.value * factor))
        return Mismatch(f"{where}中，{row}{column_words(table, col)}一栏打印为 {shown:{fmt}}，而打印的{what}"
                        f"相加为 {added:{fmt}}（单位：{table.unit}）", part.value, part.words, part.code, part.key)

    def differs(shown: Decimal, values: list[Decimal]) -> bool:
        return printed(shown) != sum((printed(v) for v in values), Decimal(0))

    rows = table.rows
    for i, row in enumerate(rows):
        label = next((str(c.value) for c in row.cells if c is not None and c.kind == "text" and c.value), "")
        for declared in row.sums:
            for col in declared.columns:
                shown, values = _money(row, col), [_money(rows[r], col) for r in declared.rows]
                if shown is None or None in values:
                    continue
                parts = [_part(rows[r], col, v, f"“{_label_before(rows[r], col)}”行")
                         for r, v in zip(declared.rows, values, strict=True) if v is not None]
                if differs(shown, [p.value for p in parts]):
                    yield say(_label_before(row, col), col, printed(shown), parts, "所列各项")
        for total, cols in column_sums(table.spec):
            shown, values = _money(row, total), [_money(row, p) for p in cols]
            if shown is None or None in values:
                continue
            parts = [_part(row, c, v, f"{column_words(table, c)}一栏")
                     for c, v in zip(cols, values, strict=True) if v is not None]
            if differs(shown, [p.value for p in parts]):
                names = "、".join(headers.get(c, "") for c in cols)
                yield say(_label_before(row, total), total, printed(shown), parts, f"各栏（{names}）")
        # Down: the rows right below at the next level are this row's parts.
        if not (row.total and i == 0) and _level(row) == 0:
            continue
        level = 0 if row.total else _level(row)
        children = []
        for below in rows[i + 1:]:
            depth = _level(below) or 1
            if below.total or depth <= level:
                break
            if depth == level + 1:
                children.append(below)
        if not children:
            continue
        for col in columns:
            shown = _money(row, col)
            values = [_money(r, col) for r in children]
            if shown is None or None in values:
                continue
            parts = [_part(r, col, v, f"“{_label_before(r, col)}”行")
                     for r, v in zip(children, values, strict=True) if v is not None]
            if differs(shown, [p.value for p in parts]):
                yield say(label, col, printed(shown), parts, "下级各行")
