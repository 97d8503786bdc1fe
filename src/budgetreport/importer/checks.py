"""Import stage 3: the workbook checked against itself before anything is written.

Every 合计/小计 row equals its rows, every 类 its 款 and every 款 its 项, every row's 合计 its
parts (基本 + 项目, 人员 + 公用, the sources), each paired table balances; and the same figure
stated in two sheets is the same. Each figure stated is registered once as a *fact* under a key
that says what it is; `mapping` turns the facts into the data's figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from ..common.money import round_to
from ..common.problems import Problem, Severity
from ..inputs.model import FISCAL_SOURCES, SOURCE_NAMES, Source
from .labels import INCOME_ROWS, SOURCES, SPENDING_ROWS
from .sheets import Amount, Row, Table
from .workbook import problem

Key = tuple[str, ...]
SOURCE_KEYS = [s.value for s in Source if s is not Source.unstated]  # income sources
COLUMN_WORDS = {"total": "合计", "basic": "基本支出", "personnel": "人员经费", "public": "公用经费",
                "project": "项目支出", "subtotal": "小计", "fiscal": "财政拨款",
                "this_year": "本年收入", "carry_forward": "结转下年",
                "abroad": "因公出国（境）费", "reception": "公务接待费",
                "vehicle": "公务用车购置及运行费", "vehicle_purchase": "公务用车购置费",
                "vehicle_running": "公务用车运行维护费", "running_costs": "机关运行经费"} | {
    s.value: n for s, n in SOURCE_NAMES.items()}


def same(a: Amount, b: Amount) -> bool:
    """Equal as the coarser of the two sheets shows them."""
    step = max(a.step, b.step)
    return round_to(a.value, step) == round_to(b.value, step)


class Problems(list[Problem]):
    """Problems found, and every sum checked — whole, parts, and its problem when it does
    not add up (a figure stated twice: the second, the first) — for naming the figure most
    likely wrong (`readback.alone.suspects`)."""

    def __init__(self) -> None:
        super().__init__()
        self.sums: list[tuple[Amount, list[Amount], Problem | None]] = []
        self.same: list[tuple[Amount, Amount]] = []  # one figure printed in two tables


@dataclass
class Facts:
    """Figures by what they are, each from the first cell that stated it."""

    values: dict[Key, Amount] = field(default_factory=dict)
    words: dict[Key, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # code → name, from the sheets
    problems: Problems = field(default_factory=Problems)

    def add(self, key: Key, a: Amount, words: str) -> None:
        first = self.values.get(key)
        if first is None:
            self.values[key], self.words[key] = a, words
            return
        p = None
        if not same(first, a):
            p = problem(a.ref, "E530", (
                f"{words}为 {a.shown()}（{a.unit}），与 {first.ref} 的同一数字 "
                f"{first.shown()}（{first.unit}）不一致"))
            self.problems.append(p)
        self.problems.sums.append((a, [first], p))
        self.problems.same.append((a, first))

    def get(self, *key: str) -> Amount | None:
        return self.values.get(key)


def _sum_check(out: list[Problem], what: str, whole: Amount | None,
               parts: Sequence[Amount], parts_words: str) -> None:
    if whole is None or not parts:
        return
    got = sum((p.value for p in parts), Decimal(0))
    p = None
    if got != whole.value:
        p = problem(whole.ref, "E531", (
            f"{what} {whole.shown()} ≠ {parts_words} {whole.shown(got)}（相差 "
            f"{whole.shown(abs(whole.value - got))}{whole.unit}）"))
        out.append(p)
    if isinstance(out, Problems):
        out.sums.append((whole, list(parts), p))


def _span(rows: Sequence[Row]) -> str:
    refs = [r.row for r in rows]
    return f"第{refs[0]}行" if len(refs) == 1 else f"第{refs[0]}–{refs[-1]}行"


def check_tables(tables: Iterable[Table], catalogue_names: dict[str, str]) -> Facts:
    facts = Facts()
    tables = list(tables)
    for t in tables:  # names first: paired tables name their 类 rows
        for r in t.rows:
            if r.code and r.name:
                facts.names.setdefault(r.code, r.name)
    named = {**catalogue_names, **facts.names}
    by_name = {v: k for k, v in named.items() if len(k) == 3}
    # the 款 and 项 names under each 类: a 收支总表 that lists them under their 类 by name only
    # (杭州) — the 类 line carries their figures
    below: dict[str, set[str]] = {}
    for k, v in named.items():
        if len(k) > 3:
            below.setdefault(k[:3], set()).add(v)
    by_amount: dict[Decimal, set[str]] = {}  # a 类's total → its codes, in the classified tables
    for t in tables:
        if t.kind == "classified":
            for r in t.rows:
                if r.code and len(r.code) == 3 and "total" in r.amounts:
                    by_amount.setdefault(r.amounts["total"].value, set()).add(r.code)
    for t in tables:
        if t.kind == "classified":
            _classified(t, facts)
        elif t.kind == "paired":
            _paired(t, facts, by_name, by_amount, below)
        elif t.kind == "three_public":
            _three_public(t, facts)
        elif t.kind == "transfers":
            _transfers(t, facts)
        elif t.kind == "lines":
            for r in t.rows:  # fixed lines: each row one figure of this year and/or last
                for role, a in r.amounts.items():
                    if role == "current" or not a.blank:
                        facts.add(("three_public", role, r.label), a,
                                  f"{'上年' if role == 'prior' else '本年'}“{COLUMN_WORDS.get(r.label, r.label)}”")
    return facts


# --- classified tables -----------------------------------------------------------------


def _row_words(t: Table, r: Row) -> str:
    return f"“{r.name or r.label}”（{r.code}）" if r.code else "合计行"


def _classified(t: Table, facts: Facts) -> None:
    out = facts.problems
    seen: dict[str, Row] = {}
    rows = []
    for r in t.rows:
        if r.code and r.code in seen:
            out.append(problem(t.sheet.ref(r.row, 1), "E532",
                               f"科目编码 {r.code} 重复（第{seen[r.code].row}行已有），无法确定取哪一行"))
            continue
        if r.code:
            seen[r.code] = r
        rows.append(r)
    columns = sorted({k for r in rows for k in r.amounts})
    coded = [r for r in rows if r.code]
    for key in columns:
        word = t.labels.get(key, COLUMN_WORDS.get(key, key))
        for parent in coded:
            assert parent.code is not None
            kids = [r for r in coded if r.code and len(r.code) == len(parent.code) + 2
                    and r.code.startswith(parent.code)]
            if kids and key in parent.amounts:
                _sum_check(out, f"{_row_words(t, parent)}的“{word}”", parent.amounts[key],
                           [k.amounts[key] for k in kids if key in k.amounts],
                           f"其下各行（{_span(kids)}）之和")
        codes = {r.code for r in coded}
        # the rows no listed row sums: 类 rows, and a 项 printed without its 款 (3021101 差旅费
        # among 5-digit economic 款)
        level = [r for r in coded if r.code and not any(
            r.code[:n] in codes for n in (3, 5) if n < len(r.code))]
        top = {len(r.code or "") for r in level}
        for total in (r for r in rows if r.total):
            _sum_check(out, f"合计行的“{word}”", total.amounts.get(key),
                       [r.amounts[key] for r in level if key in r.amounts],
                       f"{'类' if top == {3} else '各'}级各行（{_span(level)}）之和" if level else "")
    for r in rows:
        _row_identities(t, r, out)
        _register(t, r, facts)


def _identity(out: list[Problem], t: Table, r: Row, whole: str, parts: Sequence[str]) -> None:
    if whole in r.amounts and all(p in r.amounts for p in parts) and parts:
        words = " + ".join(t.labels.get(p, COLUMN_WORDS.get(p, p)) for p in parts)
        _sum_check(out, f"{_row_words(t, r)}的“{t.labels.get(whole, COLUMN_WORDS.get(whole, whole))}”",
                   r.amounts[whole], [r.amounts[p] for p in parts], words)


def _row_identities(t: Table, r: Row, out: list[Problem]) -> None:
    a = r.amounts
    if t.scope == "income":
        sources = [s for s in SOURCE_KEYS if s in a]
        fiscal = [s.value for s in FISCAL_SOURCES if s.value in a]
        whole = [x for x in ("fiscal",) if x in a and not fiscal] + sources
        _identity(out, t, r, "total", [*whole] + (["this_year"] if "this_year" in a and not sources else []))
        _identity(out, t, r, "fiscal", fiscal)
        _identity(out, t, r, "this_year", [s for s in sources if s != "carryover"])
        return
    basic = "basic" if "basic" in a else "subtotal" if "subtotal" in a else None
    if basic:
        _identity(out, t, r, "total", [basic, *(["project"] if "project" in a else [])])
        _identity(out, t, r, basic, ["personnel", "public"])
    elif "project" in a or t.scope == "economic":
        _identity(out, t, r, "total", [k for k in ("personnel", "public", "project") if k in a])


def _register(t: Table, r: Row, facts: Facts) -> None:
    code = r.code or ""
    where = _row_words(t, r)
    for key, a in r.amounts.items():
        if key == "subtotal":
            key = "basic"
        words = f"{where}的“{COLUMN_WORDS.get(key, key)}”"
        if t.scope == "economic":
            facts.add(("eco", code, key), a, "经济分类" + words)
        elif t.scope == "income":
            if key in SOURCE_KEYS:
                facts.add(("fn", key, code, "total"), a, words)
            elif key in ("total", "fiscal"):
                facts.add(("fn", "all" if key == "total" else "fiscal", code, "total"), a, words)
        elif key in ("total", "basic", "personnel", "public", "project"):
            scope_words = "" if t.scope == "all" else COLUMN_WORDS[t.scope].removesuffix("收入") + "支出"
            facts.add(("fn", t.scope, code, key), a, scope_words + words)


# --- paired tables (收支总表, 财政拨款收支总表) -------------------------------------------------


def _paired(t: Table, facts: Facts, by_name: dict[str, str],
            by_amount: dict[Decimal, set[str]] | None = None, below: dict[str, set[str]] | None = None) -> None:
    out = facts.problems
    printed = [a for r in (*t.left, *t.right) for a in r.amounts.values()]
    if printed and all(a.blank for a in printed):
        out.append(problem(t.sheet.ref(1, 1), "W535", (
            f"“{t.title or t.sheet.name}”没有印出任何数字（表格空白），未据此表核对或导入"), Severity.warning))
        return
    fiscal_only = t.scope == "fiscal"
    left: dict[str, Amount] = {}
    carried = False  # below the 上年结转 row: its own breakdown by source
    for r in t.left:
        a = r.amounts.get("total")
        key = SOURCES.get(r.label) or INCOME_ROWS.get(r.label)
        if key == "carryover":
            carried = True
        elif carried and key in SOURCE_KEYS and key in left:
            continue  # 上年结转's own 一般公共预算拨款…, not this year's again
        if key is None:
            if carried and ("结转" in r.label or "结余" in r.label):
                continue  # 上年结转's own breakdown (财政拨款结余、结转 / 非财政拨款…)
            if r.label and a is not None and a.value:
                out.append(problem(a.ref, "E533", f"不认识的收入项目“{r.label}”"))
            continue
        if fiscal_only and key == "total" and left.get("carryover") is not None and left["carryover"].value:
            key = "fiscal_total"  # 财政拨款 with its own 上年结转: not the year's 财政拨款收入
        elif key in ("this_year", "total") and fiscal_only:
            key = "fiscal"
        if fiscal_only and key in ("carryover", "fiscal_total") and a is not None and key not in left:
            left[key] = a  # the fiscal carry-over alone: not the 收支总表's, which may hold more
            continue
        if a is not None and key not in left:
            left[key] = a
            facts.add(("inc", key), a, f"收入“{COLUMN_WORDS.get(key, r.label)}”")
        elif a is not None:
            _sum_check(out, f"“{r.label}”", a, [left[key]], f"第{left[key].ref.row}行的同一数字")
    sources = [left[s] for s in SOURCE_KEYS if s in left and s != "carryover"]
    fiscal = [left[s.value] for s in FISCAL_SOURCES if s.value in left]
    if "fiscal" in left and not fiscal:
        sources.append(left["fiscal"])  # 本级财政拨款收入 as one line, its funds not apart
    if not fiscal_only:
        _sum_check(out, "“财政拨款收入”", left.get("fiscal"), fiscal, "其中各项之和")
        _sum_check(out, "“本年收入合计”", left.get("this_year"), sources, "各项收入之和")
        whole = [left["this_year"]] if "this_year" in left else sources
        _sum_check(out, "“收入总计”", left.get("total"), whole + ([left["carryover"]] if "carryover" in left else []),
                   "本年收入与上年结转之和")
    else:
        _sum_check(out, "“财政拨款收入”合计", left.get("fiscal"), fiscal, "其中各项之和")
    scope = "fiscal" if fiscal_only else "all"
    right_rows: list[Row] = []
    totals: dict[str, Row] = {}
    current = ""  # the 类 of the rows below it
    for r in t.right:
        key = SPENDING_ROWS.get(r.label)
        code = by_name.get(r.label)
        if key:
            totals.setdefault(key, r)
            continue
        if code is None and current and r.label in (below or {}).get(current, ()):
            continue  # a 款 or 项 listed under its 类 by name: within the 类's figure
        if code is not None and code == current and right_rows and right_rows[-1].code == code \
                and r.label in (below or {}).get(current, ()):
            continue  # the 类's 款 or 项 of the same name (其他支出 > 其他支出 > 其他支出)
        current = code or current
        if code is None and (a := r.amounts.get("total")) is not None and a.value \
                and len(codes := (by_amount or {}).get(a.value, set())) == 1:
            # a 类 under a former name ("医疗卫生与计划生育支出"): the one 类 of that total
            code = next(iter(codes))
            out.append(problem(a.ref, "W534", (
                f"支出项目“{r.label}”不是科目目录中的类级科目名称，按金额认作“{facts.names.get(code, code)}”"
                f"（{code}）"), Severity.warning))
        if code is None:
            if r.label and any(a.value for a in r.amounts.values()):
                first = next(iter(r.amounts.values()))
                out.append(problem(t.sheet.ref(r.row, first.ref.col - 1), "E534",
                                   f"不认识的支出项目“{r.label}”（不是本工作簿或科目目录中的类级科目名称）"))
            continue
        r.code = code
        right_rows.append(r)
        for col, a in r.amounts.items():
            s = col if col in SOURCE_KEYS else scope
            facts.add(("fn", s, code, "total" if col in SOURCE_KEYS else col), a,
                      f"“{r.label}”（{code}）的“{COLUMN_WORDS.get(col, col)}”")
    by_part = [totals[k].amounts["total"] for k in ("basic", "project")
               if k in totals and "total" in totals[k].amounts]
    if by_part and not right_rows and "this_year" in totals and "total" in totals["this_year"].amounts:
        _sum_check(out, "“本年支出合计”", totals["this_year"].amounts["total"], by_part, "基本支出与项目支出之和")
    for col in sorted({k for r in t.right for k in r.amounts}):
        word = COLUMN_WORDS.get(col, col)
        this_year = totals.get("this_year")
        cells = [r.amounts[col] for r in right_rows if col in r.amounts]
        if this_year and col in this_year.amounts:
            _sum_check(out, f"“本年支出合计”的“{word}”", this_year.amounts[col], cells, "各类支出之和")
            s = col if col in SOURCE_KEYS else scope
            facts.add(("fn", s, "", "total" if col in SOURCE_KEYS else col), this_year.amounts[col],
                      f"支出合计的“{word}”")
            cells = [this_year.amounts[col]]
        carry = totals.get("carry_forward")
        if carry and col in carry.amounts:
            cells = cells + [carry.amounts[col]]
            if col == "total" and scope == "all":  # the fiscal table's is the fiscal part only
                facts.add(("carry_forward",), carry.amounts[col], "结转下年")
        total = totals.get("total")
        if col == "total" and not carry and scope == "all" and total and col in total.amounts:
            # no 结转下年 line: the 支出总计 is this year's spending, nothing is carried forward
            facts.add(("carry_forward",), Amount(Decimal(0), t.unit, total.amounts[col].ref), "结转下年")
        if total and col in total.amounts:
            _sum_check(out, f"“支出总计”的“{word}”", total.amounts[col], cells,
                       "本年支出与结转下年之和" if carry else "各类支出之和")
            if not this_year and not carry:
                s = col if col in SOURCE_KEYS else scope
                facts.add(("fn", s, "", "total" if col in SOURCE_KEYS else col), total.amounts[col],
                          f"支出总计的“{word}”")
    if "fiscal_total" in left and "fiscal" in left:
        _sum_check(out, "“收入总计”", left["fiscal_total"], [left["fiscal"], left["carryover"]],
                   "本年财政拨款收入与上年结转之和")
    income_total = left.get("total") or left.get("fiscal_total") or left.get("fiscal")
    spending_total = totals.get("total")
    if income_total and spending_total and "total" in spending_total.amounts:
        _sum_check(out, "“收入总计”", income_total, [spending_total.amounts["total"]],
                   f"“支出总计”（{spending_total.amounts['total'].ref.cell}）")


# --- 三公 and transfers -------------------------------------------------------------------


def _three_public(t: Table, facts: Facts) -> None:
    out = facts.problems
    years = [int(y) for r in t.rows for y in _years(r.label)]
    for r in t.rows:
        role = "prior" if "上年" in r.label or (_years(r.label) and int(_years(r.label)[0]) < max(years)) \
            else "current"
        vehicle = ["vehicle"] if "vehicle" in r.amounts else ["vehicle_purchase", "vehicle_running"]
        _identity(out, t, r, "total", ["abroad", *vehicle, "reception"])
        _identity(out, t, r, "vehicle", ["vehicle_purchase", "vehicle_running"])
        given = any(not a.blank for a in r.amounts.values())
        for key, a in r.amounts.items():
            if role == "prior" and a.blank and not given:
                continue  # a blank last-year row is one not given (a blank cell among figures is 0)
            facts.add(("three_public", role, key), a,
                      f"{'上年' if role == 'prior' else '本年'}“{COLUMN_WORDS.get(key, key)}”")


def _years(text: str) -> list[str]:
    return re.findall(r"(\d{4})年", text)


def _transfers(t: Table, facts: Facts) -> None:
    items = [r for r in t.rows if not r.total]
    for r in t.rows:
        if r.total:
            _sum_check(facts.problems, "转移支付“合计”", r.amounts.get("total"),
                       [i.amounts["total"] for i in items if "total" in i.amounts], "各项之和")
    for i, r in enumerate(items):
        if "total" in r.amounts:
            facts.add(("transfer", str(i), r.name, r.code or ""), r.amounts["total"], f"转移支付“{r.name}”")
