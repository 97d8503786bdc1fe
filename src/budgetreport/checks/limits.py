"""Bounds checked before any rule: every figure printable, layout time bounded.

A department budget never reaches 10¹² 元; amounts carry no more decimals than the unit
prints (万元 to 0.01, i.e. hundreds of 元; 元 to 分); names and titles fit a line and
paragraphs a page. A file beyond these is refused before the rules or the layout see it
(a 10,000-character name once made one build run for hours).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..common.problems import Finding, Loc, leaves
from ..inputs.model import UNIT_FACTOR, Budget

MAX_YUAN = Decimal(10) ** 12
DECIMALS = 2
# Fields printed on one line or in a table cell or heading.
SHORT_FIELDS = frozenset({"name", "title", "term", "implementer", "department", "prepared_by",
                          "category", "funding_type", "level2", "value", "group", "region"})
MAX_SHORT = 100
MAX_TEXT = 3000
MAX_COUNT = 10_000_000  # people, units, vehicles, items: no department comes near
# Items in one list (or entries in one mapping): each becomes a table row or a paragraph,
# and a table of tens of thousands of rows lays out for many minutes. Far above what the
# largest published department needs (the samples: 33 项 lines, 33 经济分类 款, 22
# paragraphs, 11 indicators), low enough that every table stays some hundred pages.
MAX_ITEMS = {"spending": 1000, "economic": 300, "transfers": 500, "projects": 100,
             "purposes": 1000, "names": 1000, "by_function": 1000, "by_economic": 300}
MAX_LIST = 100  # any other: paragraphs, indicators, units, goals, terms, quarters…


def limit_findings(b: Budget) -> Iterator[Finding]:
    """Amounts below 10¹² 元 with at most two decimals in the file's unit; counts, texts and
    the items of a list bounded."""
    ceiling = MAX_YUAN / UNIT_FACTOR["元"] * UNIT_FACTOR[b.unit]
    data = b.model_dump(mode="python")
    for loc, size in _sizes(data, ()):
        key = next((p for p in reversed(loc) if isinstance(p, str)), "")
        if loc[:1] == ("sections",) and len(loc) <= 2:
            continue  # a region's data section: its own declared limit (checks.sections)
        if size > (most := MAX_ITEMS.get(key, MAX_LIST)):
            yield Finding("R806", f"此处列有 {size:,} 项，超过上限 {most:,} 项（项数过多会使表格和排版失控），"
                          "请合并或删减", loc)
    for loc, value in leaves(data):
        if isinstance(value, Decimal):
            if value >= ceiling:
                shown = f"{value:f}" if value.adjusted() < 16 else f"{value:.3E}"
                yield Finding("R801", f"金额 {shown}{b.unit} 超出部门预算可能的范围"
                              f"（应小于 1 万亿元，即 {ceiling:,f}{b.unit}）", loc)
            elif (places := -value.normalize().as_tuple().exponent) > DECIMALS:  # type: ignore[operator]
                hint = ("；金额精确到元时请以元填写（文件开头写 unit: 元）" if b.unit == "万元"
                        else "（元以下只到分）")
                shown = f"{value:f}" if places <= 20 else f"{value:.3E}"
                yield Finding("R802", f"金额 {shown} 有 {places} 位小数，{b.unit}金额最多两位小数"
                              f"{hint}", loc)
        elif isinstance(value, int) and not isinstance(value, bool) and loc[:1] == ("sections",):
            # a region section's whole number may be money (amount: 20000000): bounded as an
            # amount here, as a count or money by its declared field type (checks.sections)
            if value >= ceiling:
                yield Finding("R801", f"金额 {value:,}{b.unit} 超出部门预算可能的范围"
                              f"（应小于 1 万亿元，即 {ceiling:,f}{b.unit}）", loc)
        elif isinstance(value, int) and not isinstance(value, bool) and value >= MAX_COUNT:
            yield Finding("R805", f"数量 {value:,} 超出部门预算可能的范围（人数、机构数、车辆和设备数"
                          f"应小于 {MAX_COUNT:,}）", loc)
        elif isinstance(value, str):
            key = next((p for p in reversed(loc) if isinstance(p, str)), "")
            # a region section's field has its own declared max_length (checks.sections)
            most = MAX_SHORT if key in SHORT_FIELDS and loc[:1] != ("sections",) else MAX_TEXT
            if len(value) > most:
                yield Finding("R803", f"文字有 {len(value)} 个字，超过此处上限 {most} 个字"
                              "（过长的名称或段落会使排版失控），请精简或分段", loc)


def _sizes(value: Any, loc: Loc) -> Iterator[tuple[Loc, int]]:
    """The number of items of every list and mapping inside `value`, with its data path."""
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    if isinstance(value, (dict, list)):
        yield loc, len(value)
    for k, v in items:
        yield from _sizes(v, (*loc, k))


def name_problem(name: str) -> str | None:
    """Why `name` (a department's name given on the command line) cannot be used, if it
    cannot: blank, longer than a name may be, or holding a hidden character."""
    if not name.strip():
        return "名称不能为空"
    if len(name) > MAX_SHORT:
        return f"名称有 {len(name)} 个字，超过上限 {MAX_SHORT} 个字"
    if not name.isprintable():
        return "名称中有不可见的字符（换行、控制字符等），请删除"
    return None
