"""Import stage 4: the workbook's facts as the data file's figures.

Only what the workbook states is imported, never invented: a 项 line's 人员/公用 split where a
table gives it (else only its 基本支出), a line of a non-fiscal source only where the sources of
the 项 leave one way to split it, income sources left out of a 收支总表 only when its total shows
they are zero. Lines are keyed as the data keys them: (code, source) and economic 款 codes.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..common.problems import Problem
from ..inputs.model import FISCAL_SOURCES, THREE_PUBLIC, Source
from .checks import SOURCE_KEYS, Facts
from .sheets import Amount, Table
from .workbook import problem

FISCAL = [s.value for s in FISCAL_SOURCES]
LINE_FIELDS = ("total", "basic", "personnel", "public", "project")


@dataclass
class Line:
    code: str
    source: str
    name: str
    figures: dict[str, Amount] = field(default_factory=dict)  # of LINE_FIELDS, those stated


@dataclass
class Imported:
    unit: str
    name: str | None
    year: int | None
    income: dict[str, Amount] = field(default_factory=dict)
    carry_forward: Amount | None = None
    lines: list[Line] | None = None  # None: no function table at all
    economic: list[Line] | None = None  # source "": (code, personnel, public)
    three_public: dict[str, dict[str, Amount]] = field(default_factory=dict)  # item → amount/prior
    running_costs: Amount | None = None
    transfers: list[tuple[str, str, Amount]] | None = None
    covered: set[str] = field(default_factory=set)  # scopes whose lines are all listed
    names: dict[str, str] = field(default_factory=dict)
    catalogued: set[str] = field(default_factory=set)  # codes the year's catalogue names
    problems: list[Problem] = field(default_factory=list)
    texts: list[Any] = field(default_factory=list)  # a published PDF's texts (readback.texts.Placed)


def _zero(like: Amount) -> Amount:
    return Amount(Decimal(0), like.unit, like.ref, blank=True)


def _minus(a: Amount, parts: list[Amount]) -> Amount:
    return Amount(a.value - sum((p.value for p in parts), Decimal(0)), a.unit, a.ref)


def to_data(tables: list[Table], facts: Facts) -> Imported:
    units = Counter(t.unit for t in tables if t.kind == "classified")
    prepared = Counter(t.prepared_by for t in tables if t.prepared_by)
    years = Counter(t.year for t in tables if t.year) or Counter(
        max(int(y) for r in t.rows for y in re.findall(r"(\d{4})年", r.label))  # 三公: "2022年预算数"
        for t in tables if t.kind == "three_public" and any(re.search(r"\d{4}年", r.label) for r in t.rows))
    imp = Imported(units.most_common(1)[0][0] if units else "万元",
                   prepared.most_common(1)[0][0] if prepared else None,
                   years.most_common(1)[0][0] if years else None, names=dict(facts.names))
    _income(imp, facts)
    imp.carry_forward = facts.get("carry_forward")
    imp.covered = covered = _covered(tables)
    if covered:
        imp.lines = _lines(imp, facts, covered)
    if any(t.scope == "economic" for t in tables):
        imp.economic = _economic(imp, facts)
    _three_public(imp, facts)
    if any(t.kind == "transfers" for t in tables):
        imp.transfers = [(k[2], k[3], a) for k, a in facts.values.items() if k[0] == "transfer"]
    return imp


def _income(imp: Imported, facts: Facts) -> None:
    stated = {s: a for s in SOURCE_KEYS if (a := facts.get("inc", s)) is not None}
    total = facts.get("inc", "total")
    if total is not None and sum(a.value for a in stated.values()) == total.value:
        stated = {s: stated.get(s, _zero(total)) for s in SOURCE_KEYS}  # the rest are zero
    elif (fiscal := facts.get("inc", "fiscal")) is not None and \
            sum(stated.get(s, _zero(fiscal)).value for s in FISCAL) == fiscal.value:
        stated |= {s: stated.get(s, _zero(fiscal)) for s in FISCAL}
    imp.income = stated


def _covered(tables: list[Table]) -> set[str]:
    """The scopes whose 项 lines the workbook lists completely: a line it does not list is 0."""
    out: set[str] = set()
    for t in tables:
        if t.kind != "classified" or t.scope == "economic":
            continue
        if t.scope == "income":
            out |= {k for k in t.labels if k in SOURCE_KEYS} | ({"all"} if "total" in t.labels else set())
        else:
            out.add(t.scope)
    return out


def _lines(imp: Imported, facts: Facts, covered: set[str]) -> list[Line]:
    codes = sorted({k[2] for k in facts.values if k[0] == "fn" and len(k[2]) == 7})
    paying = [s for s, a in imp.income.items() if a.value]
    single = paying[0] if len(paying) == 1 and "all" in covered else None
    lines: list[Line] = []
    for code in codes:
        def fact(scope: str, col: str, code: str = code) -> Amount | None:
            return facts.get("fn", scope, code, col)

        anchor = next(a for k, a in facts.values.items() if k[0] == "fn" and k[2] == code)
        totals: dict[str, Amount] = {}
        for s in SOURCE_KEYS:
            if (t := fact(s, "total") or (_zero(anchor) if s in covered else None)) is not None:
                totals[s] = t
        found: dict[str, dict[str, Amount]] = {}
        for s in FISCAL:
            figs = {c: a for c in LINE_FIELDS if (a := fact(s, c)) is not None}
            if any(a.value for a in figs.values()) or (s in totals and totals[s].value):
                found[s] = figs | ({"total": totals[s]} if s in totals and "total" not in figs else {})
        others = [s for s in SOURCE_KEYS if s not in FISCAL and s in totals and totals[s].value]
        fiscal_sum = facts.get("fn", "fiscal", code, "total")
        if fiscal_sum is not None and all(s in covered for s in FISCAL):
            parts = [found[s]["total"] for s in FISCAL if s in found and "total" in found[s]]
            if sum(p.value for p in parts) != fiscal_sum.value:
                imp.problems.append(problem(fiscal_sum.ref, "E540", (
                    f"“{imp.names.get(code, code)}”（{code}）的财政拨款 {fiscal_sum.shown()} ≠ "
                    f"一般公共预算、政府性基金、国有资本经营各表之和 "
                    f"{fiscal_sum.shown(sum((p.value for p in parts), Decimal(0)))}")))
        if others:
            rest: dict[str, Amount] = {}
            if all(s in covered for s in FISCAL) and "all" in covered:
                for c in ("total", "basic", "project"):
                    whole = fact("all", c)
                    if whole is not None:
                        rest[c] = _minus(whole, [found[s][c] for s in found if c in found[s]])
            if len(others) == 1:
                found[others[0]] = rest | {"total": totals[others[0]]}
            else:
                for s in others:
                    t = totals[s]
                    split = {}
                    if "project" in rest and not rest["project"].value:
                        split = {"basic": t, "project": _zero(t)}
                    elif "basic" in rest and not rest["basic"].value:
                        split = {"basic": _zero(t), "project": t}
                    found[s] = {"total": t} | split
        if not found and not others and single is not None:
            # no table splits the line by source, and only one source has income: it is that one's
            found[single] = {c: a for c in LINE_FIELDS if (a := fact("all", c)) is not None}
        for s, figs in found.items():
            lines.append(Line(code, s, imp.names.get(code, ""), _derive(figs)))
    return lines


def _derive(figs: dict[str, Amount]) -> dict[str, Amount]:
    """Fill what the stated figures fix: 基本 = 人员 + 公用, 基本 = 合计 − 项目, …"""
    f = dict(figs)
    if "basic" not in f and "personnel" in f and "public" in f:
        f["basic"] = Amount(f["personnel"].value + f["public"].value, f["personnel"].unit,
                            f["personnel"].ref)
    if "project" not in f and "total" in f and "basic" in f:
        f["project"] = _minus(f["total"], [f["basic"]])
    if "basic" not in f and "total" in f and "project" in f:
        f["basic"] = _minus(f["total"], [f["project"]])
    if "basic" in f and not f["basic"].value:
        f.setdefault("personnel", _zero(f["basic"]))
        f.setdefault("public", _zero(f["basic"]))
    return f


def _economic(imp: Imported, facts: Facts) -> list[Line]:
    codes = sorted({k[1] for k in facts.values if k[0] == "eco" and k[1]})
    out = []
    for code in codes:
        figs = {c: a for c in ("total", "personnel", "public") if (a := facts.get("eco", code, c))}
        if len(code) == 3:
            if not any(len(c) == 5 and c.startswith(code) for c in codes) and any(
                    a.value for a in figs.values()):
                first = next(iter(figs.values()))
                imp.problems.append(problem(first.ref, "E541", (
                    f"经济分类 {code} 只有类级数字，没有款级明细；数据按款级科目记录，请在工作簿中列出其下各款")))
            continue
        if len(code) == 5 and any(len(c) == 7 and c.startswith(code) for c in codes):
            continue  # a 款 printed with its items (重庆 3010201 …): the data lists the items
        if "personnel" not in figs and "public" not in figs and "total" in figs:
            imp.problems.append(problem(figs["total"].ref, "E542", (
                f"经济分类 {code} 只有合计，没有人员经费与公用经费的划分")))
            continue
        anchor = next(iter(figs.values()))
        out.append(Line(code, "", imp.names.get(code, ""), {
            "personnel": figs.get("personnel", _zero(anchor)), "public": figs.get("public", _zero(anchor))}))
    return out


def _three_public(imp: Imported, facts: Facts) -> None:
    for item in THREE_PUBLIC:
        got = {}
        for role, field_name in (("current", "amount"), ("prior", "prior")):
            if (a := facts.get("three_public", role, item)) is not None:
                got[field_name] = a
        if got:
            imp.three_public[item] = got
    for role in ("current", "prior"):
        vehicle = facts.get("three_public", role, "vehicle")
        if vehicle is not None and vehicle.value and facts.get("three_public", role, "vehicle_purchase") is None:
            imp.problems.append(problem(vehicle.ref, "E543",
                                        "公务用车购置及运行费没有分列购置费与运行费，无法导入"))
    imp.running_costs = facts.get("three_public", "current", "running_costs")


__all__ = ["Imported", "Line", "Source", "to_data"]
