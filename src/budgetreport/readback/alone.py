"""Read back stage 2, without data: does a published PDF agree with itself?

- each table adds up as printed, and a figure two tables state agrees (the workbook
  importer's cross-checks, reading the PDF's tables: `table_findings`);
- income of a fiscal source equals the spending of that source when nothing is carried over
  in or out (收支总表 against the 一般公共预算支出表, which the importer keeps apart);
- the totals the text states (收入预算, 支出预算, 财政拨款收入, “三公”经费 and its items,
  机关运行经费) equal the tables', at the text's precision;
- the year in titles and text is the budget year, no template text or placeholder is left,
  and an empty table carries its note (`self_consistency`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..checks.rules import LEFTOVERS
from ..common.money import round_to
from ..common.problems import Problem, Severity
from ..importer.checks import Facts, same
from ..importer.sheets import Amount
from ..inputs.model import FISCAL_SOURCES, SOURCE_NAMES, Source
from .pdf import Document, PageRef
from .verify import DIGITS, Finding, joined, short

EMPTY_NOTE = re.compile(r"无数据|空表|没有.*预算|无.*预算")


def budget_year(doc: Document) -> int | None:
    """The budget year: the one the cover names, else the one most table titles name, else
    the one the text most often attaches to 预算 (a 报表 published apart has no cover)."""
    if doc.year:
        return doc.year
    years = Counter(int(y) for s in doc.tables for y in re.findall(r"(20\d\d)年", s.name))
    if not years:
        years = Counter(int(m.group(1)) for m in BUDGET_YEAR.finditer(joined(doc)[0]))
    return years.most_common(1)[0][0] if years else None


def self_consistency(doc: Document, year: int | None) -> list[Finding]:
    """Checks that need no table figures: years, leftover template text, empty tables' notes."""
    out: list[Finding] = []
    year = year or doc.year
    if year is None:
        out.append(Finding(1, "W620", "封面和首页找不到预算年度（如“2022年部门预算”），未核对文中年份",
                           Severity.warning))
    else:
        out += _years(doc, year)
    out += _placeholders(doc)
    out += _empty_tables(doc)
    return out


BUDGET_YEAR = re.compile(r"(20\d\d)\s*年\s*度?\s*(部门|单位)?\s*(?:预算|收支|收入|支出)")
COMPARED = re.compile(r"(?:比|较|与|同|对比)\s*$")


def _years(doc: Document, year: int) -> list[Finding]:
    """A table title names the budget year. In the text, a year attached to 预算/收支 is the
    budget year, or last year (its budget is what this year's is compared with, or a reason
    is given about it); it is an error when it is another year, when the budget year is
    the base of a comparison ("比2026年预算数增加" in the 2026 document), or when last year
    is named the document's own ("2025年部门预算" in the 2026 document)."""
    out: list[Finding] = []
    for sheet in doc.tables:
        for y in re.findall(r"(20\d\d)年", sheet.name):
            if int(y) != year:
                out.append(Finding(sheet.first_page, "E621", f"附表标题“{sheet.name}”的年份 {y} 不是预算年度 {year}"))
    prose, starts = joined(doc)  # a sentence may run over a line or a page break
    for m in BUDGET_YEAR.finditer(prose):
        y = int(m.group(1))
        compared = bool(COMPARED.search(prose[max(0, m.start() - 6): m.start()]))
        context = prose[max(0, m.start() - 12): m.end() + 12]
        if y == year and compared:
            why = f"比较的基数应是上年（{year - 1}年），不是预算年度本身"
        elif y == year - 1 and m.group(2) and not compared and not prose[m.end():].startswith(("数", "执行")):
            why = f"本文件是 {year} 年的预算，这里写成了上年"
        elif y not in (year, year - 1):
            why = f"不是预算年度 {year}（也不是上年 {year - 1}）"
        else:
            continue
        out.append(Finding(doc.page_of(m.start(), starts), "E622", f"“…{context}…”中的“{m.group(0)}”：{why}"))
    return out


def _placeholders(doc: Document) -> list[Finding]:
    """Template text left in, as `check` finds it in a data file's texts (rules.LEFTOVERS)."""
    out: list[Finding] = []
    for n, text in enumerate(doc.pages, 1):
        for line in text.splitlines():
            if m := LEFTOVERS.search(line):
                out.append(Finding(n, "E623", f"留有模板文字或占位符“{m.group(0)}”：{short(line.strip(), 40)}"))
    return out


def _empty_tables(doc: Document) -> list[Finding]:
    """An empty table says why, inside it or in a note on its page ("注：本表无数据…")."""
    out = []
    for sheet in doc.tables:
        grid = sheet.grid()
        body = [r for r in grid if any(x and DIGITS.search(x) for x in r)]
        inside = any(x and EMPTY_NOTE.search(x) for r in grid for x in r)
        pages = set(sheet.pages.values())
        below = any(EMPTY_NOTE.search(line) for n in pages for line in doc.pages[n - 1].splitlines()
                    if line.strip().startswith("注"))
        if not body and not inside and not below:
            # a warning: many publications say it in the text instead ("政府性基金拨款支出预算为0")
            out.append(Finding(sheet.first_page, "E624", f"附表“{sheet.name}”是空表，但没有说明（如“本表无数据”）",
                               Severity.warning))
    return out


def table_findings(problems: Iterable[Problem], doc: Document) -> list[Finding]:
    """The importer's cross-check problems (located `文件.pdf:第N页!表!C12`) as findings."""
    out = []
    for p in problems:
        page, where = PageRef.split(p.file)
        page = doc.page_at(p.file)  # the document's page, also when it is several files
        out.append(Finding(page, p.code, f"{where}：{p.message}" if page else p.message, p.severity))
    return out


# --- figures across tables and text ----------------------------------------------------------


def _page(a: Amount) -> int:
    return int(getattr(a.ref, "page", 0))


def sources_spent(facts: Facts) -> list[Finding]:
    """With nothing carried over from last year or into next, each fiscal source's income (收支
    总表) is what that source's spending table spends."""
    carried = [facts.get("inc", "carryover"), facts.get("carry_forward")]
    if any(a is not None and a.value for a in carried):
        return []
    out = []
    for source in FISCAL_SOURCES:
        income, spent = facts.get("inc", source.value), facts.get("fn", source.value, "", "total")
        if income is None or spent is None or same(income, spent):
            continue
        out.append(Finding(_page(spent), "E626", (
            f"{spent.ref.sheet}的合计 {spent.shown()}（{spent.unit}）与 {income.ref.sheet}（第{_page(income)}页）"
            f"的{SOURCE_NAMES[source]} {income.shown()}（{income.unit}）不一致（没有上年结转和结转下年）")))
    return out


# What the text states and where the tables state it: (the text's phrase up to the figure,
# fact keys — the text agrees with any of them).
Key = tuple[str, ...]
FISCAL = ("fiscal",)  # the sum of the fiscal sources when no table prints it
TEXT_TOTALS: list[tuple[str, list[Key]]] = [
    (r"(?<!财政拨款)收入预算(?:总额|总计|合计)?", [("inc", "total"), ("inc", "this_year")]),
    (r"(?<![拨款算金])支出预算(?:总额|总计|合计)?",
     [("fn", "all", "", "total"), ("inc", "total"), ("inc", "this_year")]),
    # not "一般公共预算财政拨款收入" / "政府性基金预算财政拨款收入" (one fund's, below)
    (r"(?<!预算)财政拨款收入(?:预算)?", [("inc", "fiscal"), FISCAL]),
    (r"一般公共预算(?:财政)?拨款(?:收入|支出)(?:预算)?",
     [("inc", Source.general_budget.value), ("fn", Source.general_budget.value, "", "total")]),
    (r"“三公”经费(?:财政拨款)?预算(?:数)?", [("three_public", "current", "total")]),
    (r"因公出国（境）(?:费用|费|经费)(?:预算)?", [("three_public", "current", "abroad")]),
    (r"公务接待费(?:预算)?", [("three_public", "current", "reception")]),
    (r"公务用车购置及运行(?:维护)?费(?:预算)?", [("three_public", "current", "vehicle")]),
    (r"公务用车购置费(?:预算)?", [("three_public", "current", "vehicle_purchase")]),
    (r"公务用车运行(?:维护)?费(?:预算)?", [("three_public", "current", "vehicle_running")]),
    (r"机关运行经费(?:财政拨款)?(?:预算)?", [("three_public", "current", "running_costs")]),
]
FIGURE = r"(?:为|是|共|合计)?(-?\d[\d,]*(?:\.\d+)?)(万元|元)"
UNITS = {"万元": Decimal(10000), "元": Decimal(1)}


def text_totals(doc: Document, facts: Facts, year: int | None) -> list[Finding]:
    """The first statement of each total in the text (not one about last year) against the
    tables, at the text's precision: "收入预算17,192万元" and 171,915,169元 agree."""
    prose, starts = joined(doc)
    out = []
    for phrase, keys in TEXT_TOTALS:
        tables = [a for k in keys if (a := _fact(facts, k)) is not None]
        if not tables:
            continue
        for m in re.finditer(phrase + FIGURE, prose):
            before = prose[max(0, prose.rfind("。", 0, m.start()) + 1, m.start() - 30): m.start()]
            if "上年" in before or (year and f"{year - 1}年" in before) or "执行" in before:
                continue  # last year's figure
            text = m.group(1).replace(",", "")
            places = len(text.partition(".")[2])
            value = Decimal(text) * UNITS[m.group(2)]
            step = UNITS[m.group(2)] / Decimal(10) ** places
            if not any(round_to(a.value, step) == value for a in tables):
                a = tables[0]
                unbalanced = {w.ref.sheet for w, _, p in facts.problems.sums if p is not None}
                likely = "" if a.ref.sheet in unbalanced else "；附表自身相加一致，最可能有误的是文中的数字"
                out.append(Finding(doc.page_of(m.start(), starts), "E627", (
                    f"文中“{short(m.group(0), 40)}”与附表不符：{a.ref.sheet}（第{_page(a)}页）为 "
                    f"{a.shown()}（{a.unit}），即 {round_to(a.value, step) / UNITS[m.group(2)]:,f}{m.group(2)}"
                    + likely)))
            break  # the first statement of each total
    return out


def _fact(facts: Facts, key: Key) -> Amount | None:
    if key == FISCAL:
        parts = [a for s in FISCAL_SOURCES if (a := facts.get("inc", s.value)) is not None]
        if not parts:
            return None
        return Amount(sum((a.value for a in parts), Decimal(0)), parts[0].unit, parts[0].ref)
    return facts.get(*key)


def stated_twice(doc: Document, year: int | None) -> list[Finding]:
    """A total the text states twice with two values ("“三公”经费预算为17万元" on one page,
    "…为22万元" on another), at the coarser precision; statements about last year apart.
    A phrase qualified ("基本支出预算", "项目支出预算") is another figure, and left out."""
    prose, starts = joined(doc)
    seen: dict[str, tuple[Decimal, Decimal, int, str]] = {}
    out = []
    for phrase, _ in TEXT_TOTALS:
        for m in re.finditer(phrase + FIGURE, prose):
            page = doc.page_of(m.start(), starts)
            qualifier = prose[max(starts[page - 1], m.start() - 2): m.start()]  # not the page before's
            if _last_year(prose, m.start(), year) or qualifier in QUALIFIERS:
                continue  # about last year, or another figure ("基本支出预算")
            text = m.group(1).replace(",", "")
            step = UNITS[m.group(2)] / Decimal(10) ** len(text.partition(".")[2])
            value = Decimal(text) * UNITS[m.group(2)]
            words = prose[m.start(): m.start(1)].removesuffix("为").removesuffix("是").removesuffix("共")
            if words not in seen:
                seen[words] = (value, step, page, m.group(0))
                continue
            first, first_step, first_page, first_text = seen[words]
            coarse = max(step, first_step)
            if round_to(value, coarse) != round_to(first, coarse):
                out.append(Finding(page, "E628", (
                    f"文中“{short(m.group(0), 40)}”与第{first_page}页的“{short(first_text, 40)}”"
                    "是同一个数字，却写了两个不同的值；请与附表核对，改正其中错的一处")))
    return out


QUALIFIERS = {"预算", "基本", "项目", "人员", "公用", "经营", "资本", "基金", "其他", "上年", "结转", "事业"}


def _last_year(prose: str, at: int, year: int | None) -> bool:
    before = prose[max(0, prose.rfind("。", 0, at) + 1, at - 30): at]
    return "上年" in before or bool(year and f"{year - 1}年" in before) or "执行" in before


# --- which printed figure is most likely wrong ------------------------------------------------

Cell = tuple[str, int, int]  # table title, sheet row, column


def suspects(facts: Facts, words: dict[Cell, str], errors: list[Problem], tables: Iterable[Any] = ()
             ) -> tuple[list[Finding], list[Problem]]:
    """For the sums that do not add up (and figures stated twice with two values), the
    printed figure most likely wrong, as `check`'s 提示 names one: a figure that, changed by
    the gap, makes every unbalanced sum it is in balance again and unbalances none — or two
    figures of a row that, swapped, do (项目支出 printed where 基本支出 belongs). A figure
    printed alike in several places — the same 科目's same amount in several columns or
    tables — is one figure (changed in all of them at once), so that one slip repeated across
    the tables is one mistake. Sums sharing no figure are separate
    mistakes, each looked at alone.

    A mistake one figure explains is one finding (an error naming the figure and the sums it
    unbalances); the problems it explains are returned, for the caller to leave out. Several
    possible explanations are hints beside the problems."""
    wrong = set(errors)
    everything = [(whole, parts) for whole, parts, _ in facts.problems.sums]
    by_cell: dict[Cell, list[Sum]] = {}
    for s in everything:
        for a in (s[0], *s[1]):
            by_cell.setdefault(_cell(a), []).append(s)
    pairs = list(facts.problems.same)
    first: dict[tuple[str, Decimal], Amount] = {}
    rows: dict[Cell, Any] = {}
    for t in tables:
        for r in getattr(t, "rows", []):
            for a in r.amounts.values():
                rows[_cell(a)] = r
                if r.code and a.value:
                    pairs.append((a, first.setdefault((r.code, a.value), a)))
    alike = _alike(pairs)
    out: list[Finding] = []
    explained: list[Problem] = []
    unbalanced: list[tuple[Amount, list[Amount], Problem | None]] = [
        (whole, parts, p) for whole, parts, p in facts.problems.sums if p is not None and p in wrong]
    for group in _connected(unbalanced, alike):
        sums = [(w, ps) for w, ps, _ in group]
        found = _single(sums, by_cell, alike) or _swapped(sums, by_cell)
        if not found or len(found) > 3:
            continue  # none, or too many to say which
        if len(found) == 1 and len(group) > 1:
            page, message = found[0](words)
            where = sorted({(_page(w), w.ref.sheet) for w, _, _ in group})
            tables = "、".join(dict.fromkeys(f"第{pg}页“{sheet}”" for pg, sheet in where))
            message = message.replace("以上不平衡的合计全部平衡",
                                      f"因它而不平衡的 {len(group)} 处合计全部平衡（{tables}）")
            out.append(Finding(page, "E531", message))
            explained += [p for _, _, p in group if p is not None]
            continue
        for text in found:
            page, message = text(words)
            out.append(Finding(page, "E630", message, Severity.hint))
    return out + _same_gap(unbalanced, rows, explained), explained


def _same_gap(unbalanced: list[tuple[Amount, list[Amount], Problem | None]], rows: dict[Cell, Any],
              explained: list[Problem]) -> list[Finding]:
    """Sums of one 科目's row that miss by the same amount in several columns or tables (a row
    left out under it, printed in every table): one finding, the problems it covers added to
    `explained`."""
    groups: dict[tuple[str, Decimal], list[tuple[Amount, Problem]]] = {}
    for whole, parts, p in unbalanced:
        r = rows.get(_cell(whole))
        if p is None or p in explained or r is None or not r.code:
            continue
        gap = whole.value - sum((a.value for a in parts), Decimal(0))
        groups.setdefault((r.code, gap), []).append((whole, p))
    out = []
    for (code, gap), found in groups.items():
        if len(found) < 2:
            continue
        whole = found[0][0]
        r = rows[_cell(whole)]
        where = "、".join(dict.fromkeys(f"第{_page(a)}页“{a.ref.sheet}”" for a, _ in found))
        out.append(Finding(_page(whole), "E531", (
            f"“{r.name or r.label}”（{code}）的数字与其下各行之和相差 {whole.shown(abs(gap))}{whole.unit}"
            f"（{'多' if gap > 0 else '少'}），{len(found)} 处合计同样不平衡（{where}）："
            "可能漏列或多列了其下的一行，或这一行的数字有误")))
        explained += [p for _, p in found]
    return out


Sum = tuple[Amount, list[Amount]]


def _cell(a: Amount) -> Cell:
    return (a.ref.sheet, a.ref.row, a.ref.col)


def _alike(same: Iterable[tuple[Amount, Amount]]) -> dict[Cell, list[Cell]]:
    """Each figure printed alike in several tables → all its cells (itself included)."""
    parent: dict[Cell, Cell] = {}

    def root(c: Cell) -> Cell:
        while parent.get(c, c) != c:
            c = parent[c]
        return c

    for a, b in same:
        if a.value == b.value:
            parent.setdefault(_cell(a), _cell(a))
            parent.setdefault(_cell(b), _cell(b))
            parent[root(_cell(a))] = root(_cell(b))
    groups: dict[Cell, list[Cell]] = {}
    for c in parent:
        groups.setdefault(root(c), []).append(c)
    return {c: g for g in groups.values() for c in g}


def _connected(sums: list[tuple[Amount, list[Amount], Problem | None]], alike: dict[Cell, list[Cell]]
               ) -> list[list[tuple[Amount, list[Amount], Problem | None]]]:
    """Unbalanced sums that share a row, or a figure printed alike elsewhere: one mistake (a
    figure, or two swapped in a row)."""
    groups: list[tuple[set[Any], list[tuple[Amount, list[Amount], Problem | None]]]] = []
    for s in sums:
        figures = [_cell(a) for a in (s[0], *s[1])]
        cells: set[Any] = {c[:2] for c in figures} | {min(alike[c]) for c in figures if c in alike}
        touching = [g for g in groups if g[0] & cells]
        merged = (cells.union(*(g[0] for g in touching)), [x for g in touching for x in g[1]] + [s])
        groups = [g for g in groups if all(g is not t for t in touching)] + [merged]
    return [g[1] for g in groups]


def _balanced(group: list[Sum], by_cell: dict[Cell, list[Sum]], change: dict[Cell, Decimal]) -> bool:
    """Every sum of the group, and every other sum the changed figures are in, adds up with
    the figures changed by `change`."""
    sums = {id(s): s for s in group}
    for cell in change:
        sums.update((id(s), s) for s in by_cell.get(cell, []))
    for whole, parts in sums.values():
        w = whole.value + change.get(_cell(whole), Decimal(0))
        if w != sum((p.value + change.get(_cell(p), Decimal(0)) for p in parts), Decimal(0)):
            return False
    return True


def _single(group: list[Sum], by_cell: dict[Cell, list[Sum]], alike: dict[Cell, list[Cell]]) -> list[Any]:
    figures = {_cell(a): a for whole, parts in group for a in (whole, *parts)}
    gaps = {abs(w.value - sum((p.value for p in ps), Decimal(0))) for w, ps in group} - {Decimal(0)}
    found, tried = [], set()
    for cell, a in sorted(figures.items(), key=lambda x: -_page(x[1])):  # the last table's copy named
        cells = alike.get(cell, [cell])
        if min(cells) in tried:
            continue  # the same figure in another table: tried already
        tried.add(min(cells))
        for delta in sorted({s * g for g in gaps for s in (1, -1)}):
            if a.value + delta >= 0 and _balanced(group, by_cell, dict.fromkeys(cells, delta)):
                found.append(_hint(a, a.value + delta))
    return found


def _swapped(group: list[Sum], by_cell: dict[Cell, list[Sum]]) -> list[Any]:
    figures = {_cell(a): a for whole, parts in group for a in (whole, *parts)}
    found = []
    cells = sorted(figures)
    for i, x in enumerate(cells):
        for y in cells[i + 1:]:
            a, b = figures[x], figures[y]
            if x[:2] == y[:2] and a.value != b.value \
                    and _balanced(group, by_cell, {x: b.value - a.value, y: a.value - b.value}):
                found.append(_swap_hint(a, b))
    return found


def _hint(a: Amount, fixed: Decimal) -> Any:
    def text(words: dict[Cell, str]) -> tuple[int, str]:
        return _page(a), (f"{a.ref.sheet}{words.get(_cell(a), '')} {a.shown()} 最可能有误：若为 {a.shown(fixed)}，"
                          "以上不平衡的合计全部平衡")
    return text


def _swap_hint(a: Amount, b: Amount) -> Any:
    def text(words: dict[Cell, str]) -> tuple[int, str]:
        return _page(a), (f"{a.ref.sheet}{words.get(_cell(a), '')} {a.shown()} 与{words.get(_cell(b), '')} "
                          f"{b.shown()} 可能印反了（互换后以上不平衡的合计全部平衡）")
    return text


def cell_words(tables: Iterable[Any]) -> dict[Cell, str]:
    """Each figure's row and column in words ("“办公费”行“公用经费”列"), for hints."""
    from ..importer.checks import COLUMN_WORDS

    out: dict[Cell, str] = {}
    for t in tables:
        for r in getattr(t, "rows", []):
            row = r.name or r.label or ("合计" if r.total else "")
            for key, a in r.amounts.items():
                column = t.labels.get(key, COLUMN_WORDS.get(key, key))
                out[_cell(a)] = f"“{row}”行“{column}”列" if row else f"“{column}”列"
    return out


def rounding(problems: list[Problem], facts: Facts) -> list[Problem]:
    """A 万元 sum of two or more figures that misses them by less than their rounding could
    (each printed to 0.01万元 on its own: half a step each, and half for the sum) is told as
    a warning: the figures may well be exact in 元. One figure and its sum are the same
    number rounded once: any gap there is an error."""
    figures = {p: (whole, parts) for whole, parts, p in facts.problems.sums if p is not None}
    out = []
    for p in problems:
        if p.code == "E531" and p in figures and figures[p][0].unit == "万元":
            whole, parts = figures[p]
            gap = abs(whole.value - sum((a.value for a in parts), Decimal(0)))
            counted = sum(1 for a in parts if a.value)
            if counted >= 2 and gap < whole.step / 2 * (counted + 1):
                p = Problem(p.file, p.line, p.column, p.code, p.message + "；在各行分别四舍五入的误差之内，请核对",
                            Severity.warning, p.loc)
        out.append(p)
    return out
