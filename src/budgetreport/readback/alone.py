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
from collections.abc import Iterable
from decimal import Decimal

from ..common.money import round_to
from ..common.problems import Problem, Severity
from ..importer.checks import Facts, same
from ..importer.sheets import Amount
from ..inputs.model import FISCAL_SOURCES, SOURCE_NAMES, Source
from .pdf import Document, PageRef
from .verify import DIGITS, Finding, joined, short

PLACEHOLDERS = ("×", "XX", "ＸＸ", "xx", "（增加内容）", "{{", "}}", "{%", "……")
EMPTY_NOTE = re.compile(r"无数据|空表|没有.*预算|无.*预算")


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


BUDGET_YEAR = re.compile(r"(20\d\d)\s*年\s*度?\s*(?:部门|单位)?\s*(?:预算|收支|收入|支出)")
COMPARED = re.compile(r"(?:比|较|与|同|上年|相比|对比)\s*$")


def _years(doc: Document, year: int) -> list[Finding]:
    """A table title names the budget year; in the text, a year attached to 预算/收支 is the
    budget year, or last year where it is the base of a comparison ("比2021年预算数")."""
    out: list[Finding] = []
    for sheet in doc.tables:
        for y in re.findall(r"(20\d\d)年", sheet.name):
            if int(y) != year:
                out.append(Finding(sheet.first_page, "E621", f"附表标题“{sheet.name}”的年份 {y} 不是预算年度 {year}"))
    prose, starts = joined(doc)  # a sentence may run over a line or a page break
    for m in BUDGET_YEAR.finditer(prose):
        y = int(m.group(1))
        if y == year or y == year - 1 and (COMPARED.search(prose[max(0, m.start() - 6): m.start()])
                                           or prose[m.end():].startswith(("数", "执行数"))):
            continue
        context = prose[max(0, m.start() - 12): m.end() + 12]
        out.append(Finding(doc.page_of(m.start(), starts), "E622",
                           f"“…{context}…”中的 {m.group(0)} 不是预算年度 {year}"))
    return out


def _placeholders(doc: Document) -> list[Finding]:
    out: list[Finding] = []
    for n, text in enumerate(doc.pages, 1):
        for line in text.splitlines():
            for mark in PLACEHOLDERS:
                if mark in line and not _leader(line, mark):
                    out.append(Finding(n, "E623", f"留有模板文字或占位符“{mark}”：{short(line.strip(), 40)}"))
                    break
    return out


def _leader(line: str, mark: str) -> bool:
    """A contents line's dot leader ("……… 3") is no placeholder."""
    return mark == "……" and bool(re.search(r"…{3,}\s*\d+\s*$|…{6,}", line))


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
    (r"财政拨款收入(?:预算)?", [("inc", "fiscal"), FISCAL]),
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
                out.append(Finding(doc.page_of(m.start(), starts), "E627", (
                    f"文中“{short(m.group(0), 40)}”与附表不符：{a.ref.sheet}（第{_page(a)}页）为 "
                    f"{a.shown()}（{a.unit}），即 {round_to(a.value, step) / UNITS[m.group(2)]:,f}{m.group(2)}")))
            break  # the first statement of each total
    return out


def _fact(facts: Facts, key: Key) -> Amount | None:
    if key == FISCAL:
        parts = [a for s in FISCAL_SOURCES if (a := facts.get("inc", s.value)) is not None]
        if not parts:
            return None
        return Amount(sum((a.value for a in parts), Decimal(0)), parts[0].unit, parts[0].ref)
    return facts.get(*key)
