"""Stage 3: every figure the document shows, computed from a validated `Budget`.

Pure functions, no I/O. `compute` returns `Figures`, the documented contract between the
data and the templates/tables: a template may use only what is defined here (a test checks
it). Amounts stay exact; `money` rounds them when they are shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, StrictUndefined, Template
from pydantic import BaseModel

from ..common.money import UNIT_FACTOR, ZERO, Change, total, whole_yuan
from ..inputs.catalogue import Catalogue, Entry, GlossaryEntry, data_names
from ..inputs.model import (
    CARRYOVER_PARTS,
    FISCAL_SOURCES,
    SOURCE_NAMES,
    THREE_PUBLIC,
    Budget,
    Project,
    Source,
    SpendingLine,
)
from ..inputs.region import Region
from ..inputs.resolved import Resolved, resolve
from ..inputs.styles import DEFAULT_LINE_LABEL, name_line

if TYPE_CHECKING:  # a region's data sections are rare: their module is loaded only with them
    from ..inputs.sections import SectionSpec

Amounts = dict[str, Decimal]
LINE_COLUMNS = ("total", "basic", "personnel", "public", "project")


@dataclass(frozen=True)
class ClassRow:
    """One row of a classified table: a 类 (level 1), 款 (2) or 项 (3) with its amounts."""

    code: str
    name: str
    level: int
    values: Amounts
    purpose: str | None = None
    lineage: tuple[str, ...] = ()  # names of 类, 款, 项 — for "…（类）…（款）…（项）"
    prior: Decimal | None = None   # last year's figure, when every line below gives one
    prior_kind: str | None = None  # 预算 or 预算执行数
    reason: str | None = None
    line_label: str = DEFAULT_LINE_LABEL  # how a 项 is named (region `line_label`)
    government: str | None = None  # an economic line's 政府支出经济分类 款, "50101-工资奖金津补贴"

    @property
    def change(self) -> Change | None:
        """This row's total against last year's (per-项 comparison), when given."""
        return None if self.prior is None else Change(self["total"], self.prior)

    def __getitem__(self, key: str) -> Decimal:
        return self.values.get(key, ZERO)

    @property
    def label(self) -> str:
        """"社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）"; a 项 as the
        region's `line_label` says, e.g. "公共安全支出（204类）司法（06款）行政运行（01项）"."""
        if self.level == 3 and self.line_label != DEFAULT_LINE_LABEL:
            return name_line(self.line_label, self.lineage, self.code)
        return "".join(f"{n}（{lvl}）" for n, lvl in zip(self.lineage, ("类", "款", "项"), strict=False))


@dataclass(frozen=True)
class Tree:
    """A classified table body: rows in code order, each 类 followed by its 款 and 项."""

    rows: tuple[ClassRow, ...]
    totals: Amounts
    split: bool = True  # 人员/公用 known for every line (else those columns are left out)

    def level(self, n: int) -> list[ClassRow]:
        return [r for r in self.rows if r.level == n]

    def __getitem__(self, key: str) -> Decimal:
        return self.totals.get(key, ZERO)

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass(frozen=True)
class Leaf:
    """One data line entering a tree: its code, amounts and per-line explanations."""

    code: str
    values: Amounts
    purpose: str | None = None
    prior: Decimal | None = None
    prior_kind: str | None = None
    reason: str | None = None


def tree(items: list[Leaf], table: Mapping[str, Entry], depth: int,
         label: str = DEFAULT_LINE_LABEL) -> Tree:
    """Group leaf rows into 类/款(/项) rows with subtotals (and last year's, where every
    line below gives it)."""
    keys = sorted({k for x in items for k in x.values})
    sums: dict[str, Amounts] = {}
    below: dict[str, list[Leaf]] = {}
    for x in items:
        for n in (n for n in (3, 5, 7)[:depth] if n <= len(x.code)):
            acc = sums.setdefault(x.code[:n], dict.fromkeys(keys, ZERO))
            for k, v in x.values.items():
                acc[k] += v
            below.setdefault(x.code[:n], []).append(x)
    rows = []
    for code in sorted(sums):
        lineage = tuple(table[code[:n]].name for n in (3, 5, 7) if n <= len(code))
        leaves = below[code]
        priors = [x.prior for x in leaves]
        kinds = {x.prior_kind for x in leaves}
        rows.append(ClassRow(
            code, lineage[-1], {3: 1, 5: 2, 7: 3}[len(code)], sums[code],
            _joined(x.purpose for x in leaves if len(code) == len(x.code)), lineage,
            prior=None if None in priors else total(p for p in priors if p is not None),
            prior_kind=kinds.pop() if len(kinds) == 1 else None,
            reason=_joined(x.reason for x in leaves), line_label=label))
    totals = {k: total(v[k] for c, v in sums.items() if len(c) == 3) for k in keys}
    return Tree(tuple(rows), totals, all("personnel" in x.values for x in items))


def _joined(texts: Iterable[str | None]) -> str | None:
    return "；".join(dict.fromkeys(t for t in texts if t)) or None


def _line_values(line: SpendingLine) -> Amounts:
    values = {"total": line.total, "basic": line.basic_total, "project": line.project,
              line.source.value: line.total}
    if line.split:
        values |= {"personnel": line.personnel or ZERO, "public": line.public or ZERO}
    return values


def function_tree(b: Budget, cat: Catalogue, sources: Iterable[Source] | None = None,
                  label: str = DEFAULT_LINE_LABEL) -> Tree:
    chosen = set(sources) if sources is not None else set(Source)
    return tree([Leaf(x.code, _line_values(x), x.purpose, x.prior, x.prior_kind or "预算执行数", x.reason)
                 for x in b.spending if x.source in chosen], cat.function, 3, label)


def section_records(budget: Budget, specs: Mapping[str, SectionSpec]) -> dict[str, Any]:
    """The data's sections as templates and tables read them: every declared section, each
    record a dict of every declared field (None when not given), money in 万元, dates as
    dates. Undeclared sections are left out (check reports them)."""
    factor = UNIT_FACTOR[budget.unit]

    def value(kind: str, v: Any) -> Any:
        if v is None:
            return None
        if kind == "money":
            return Decimal(v) / factor
        if kind == "date" and not isinstance(v, dt.date):
            return dt.date.fromisoformat(str(v))
        if kind == "code":
            return str(v)
        return v

    out: dict[str, Any] = {}
    for name, spec in specs.items():
        given = budget.sections.get(name)
        records = [{k: value(f.type, r.get(k)) for k, f in spec.fields.items()}
                   for r in ([given] if spec.one and given is not None else given or [])]
        out[name] = (records[0] if records else None) if spec.one else tuple(records)
    return out


def change(current: Decimal, prior: Decimal | None) -> Change | None:
    return None if prior is None else Change(current, prior)


@dataclass(frozen=True)
class Item:
    """A 三公 item or similar: this year's amount, its change and explanations."""

    name: str
    amount: Decimal
    change: Change | None
    purpose: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Figures:
    """Everything the templates and tables may use. Amounts in 万元, exact."""

    budget: Budget                       # the validated data (names, texts, counts)
    year: int
    prior_year: int
    name: str
    prepared_by: str
    published: dt.date | None
    org: str                             # 部门 (部门预算) or 单位 (单位预算): the wording switch
    cents: bool                          # some amount has 分 (a 元 display then shows two decimals)
    data_unit: str                       # the unit the file is written in (万元 or 元)
    income: dict[str, Decimal]           # by `Source` value, plus total/this_year/fiscal
    income_change: Change | None         # 收入总计 vs last year
    fiscal_change: Change | None         # 财政拨款收入 vs last year
    spending: Tree                       # all sources, by function 类/款/项
    spending_change: Change | None
    basic_change: Change | None
    project_change: Change | None
    nonfiscal_spending: Decimal          # 非财政拨款支出
    by_source: dict[str, Tree]           # spending tree of each single source
    fiscal: Tree                         # 财政拨款 (three fiscal sources), by function
    general_change: Change | None        # 一般公共预算 spending vs last year
    gov_fund_change: Change | None
    state_capital_change: Change | None
    class_changes: dict[str, Change]     # by function 类 code, where last year is given
    economic: Tree                       # 一般公共预算基本支出, by economic 类/款 (/项 where given)
    economic_changes: dict[str, Change]  # by economic 类 code, where last year is given
    three_public: dict[str, Item]        # abroad, reception, vehicle_purchase, vehicle_running, vehicle, total
    running_costs: Item | None           # None when neither given nor computable
    procurement: dict[str, Decimal]      # goods, works, services, total
    vehicles: int
    projects: tuple[Project, ...]        # with amount, fiscal, other, source_name
    performance_count: int
    performance_amount: Decimal
    staff: dict[str, int | None]         # authorized, active (unit table); None when not given
    staffing: dict[str, int] | None      # authorized, active, actual (实有) from the breakdown
    glossary: tuple[GlossaryEntry, ...]
    # A region's data sections (`inputs.sections`): name → records (a `records: one` section:
    # one record or None), each record a dict field → value, money in 万元, None when not given.
    sections: dict[str, Any] = field(default_factory=dict)
    # every 功能分类 类 of the year's catalogue (code → name), for tables that list them all
    function_classes: dict[str, str] = field(default_factory=dict)
    # the same lines by 政府支出经济分类 类/款 (lines that give `government`), and one row per
    # line (政府经济分类 款 × 部门经济分类 科目, as Beijing prints them)
    economic_government: Tree = field(default_factory=lambda: Tree((), {}))
    economic_pairs: Tree = field(default_factory=lambda: Tree((), {}))
    source_names: dict[str, str] = field(default_factory=lambda: {s.value: n for s, n in SOURCE_NAMES.items()})

    @property
    def placeholders(self) -> dict[str, object]:
        """The named values every settings text (region.yaml) may use, e.g. "{year}年"."""
        return {"year": self.year, "prior_year": self.prior_year, "name": self.name,
                "prepared_by": self.prepared_by, "org": self.org,
                "org_head": "预算主管部门" if self.org == "部门" else "预算单位",
                "org_unit": "部门" if self.org == "部门" else "预算单位"}


def compute(budget: Budget, resolved: Resolved | None = None) -> Figures:
    """All figures of `budget`. `resolved` (made once by `checks.validate`; resolved here
    only for a caller outside the pipeline) gives what varies by region and year: the
    catalogue, the glossary, the definition of 机关运行经费, the text style, the sections."""
    resolved = resolved or resolve(budget.department.region, budget.department.year)
    region = resolved.region
    b = budget.in_wan()
    cat = resolved.catalogue.named(data_names(b))  # names only the data gives, too
    year = b.department.year
    p, ps = b.prior, b.performance_summary
    label = resolved.text.line_label
    spending = function_tree(b, cat, label=label)
    fiscal = function_tree(b, cat, FISCAL_SOURCES, label=label)
    by_source = {s.value: function_tree(b, cat, [s], label=label) for s in Source}
    # 一般公共预算基本支出 by definition: its 一般公共预算 and 基本支出 measures are its total
    economic = tree([Leaf(e.code, {"total": e.total, "personnel": e.personnel, "public": e.public,
                                   "basic": e.total, "general_budget": e.total})
                     for e in b.economic], cat.economic, 3)  # 类/款, and 项 where the data details a 款
    income = {s.value: b.income.of(s) for s in Source}
    income |= {"total": b.income.total, "this_year": b.income.this_year, "fiscal": b.income.fiscal}
    carried = b.income.carryover_by.parts() if b.income.carryover_by else dict.fromkeys(CARRYOVER_PARTS, ZERO)
    income |= {f"carryover.{k}": v for k, v in carried.items()}
    income["carryover.fiscal"] = total(carried[k] for k in ("general_budget", "gov_fund", "state_capital"))
    return Figures(
        budget=b, year=year, prior_year=year - 1, name=b.department.name,
        prepared_by=b.department.prepared_by or b.department.name,
        published=b.department.published,
        org=b.department.scope[:2],
        cents=not all(whole_yuan(v) for v in _amounts(b)),
        data_unit=budget.unit,
        income=income,
        income_change=change(b.income.total, p.income_total),
        fiscal_change=change(b.income.fiscal, p.fiscal_total),
        spending=spending,
        spending_change=change(spending["total"], p.spending_total),
        basic_change=change(spending["basic"], p.basic),
        project_change=change(spending["project"], p.project),
        nonfiscal_spending=spending["total"] - fiscal["total"],
        by_source=by_source,
        fiscal=fiscal,
        general_change=change(by_source["general_budget"]["total"], p.general_budget),
        gov_fund_change=change(by_source["gov_fund"]["total"], p.gov_fund),
        state_capital_change=change(by_source["state_capital"]["total"], p.state_capital),
        class_changes=_changes(spending.level(1), p.by_function),
        economic=economic,
        economic_changes=_changes(economic.level(1), p.by_economic),
        economic_government=tree([Leaf(e.government, {"total": e.total, "personnel": e.personnel, "public": e.public})
                                  for e in b.economic if e.government], cat.economic, 2),
        economic_pairs=_economic_pairs(b, cat),
        three_public=_three_public(b),
        running_costs=_running_costs(b, economic, region),
        procurement=_procurement(b),
        vehicles=_vehicles(b),
        projects=tuple(b.projects),
        performance_count=ps.count if ps.count is not None else len(ps.projects or b.projects),
        performance_amount=ps.amount if ps.amount is not None else total(
            x.amount for x in (ps.projects or b.projects)),
        staff={key: _count(getattr(u, key) for u in b.overview.units)
               for key in ("authorized", "active")},
        staffing=_staffing(b),
        glossary=_glossary(b, resolved.glossary),
        sections=section_records(budget, resolved.sections),
        function_classes={k: e.name for k, e in sorted(cat.function.items()) if len(k) == 3},
    )


def _economic_pairs(b: Budget, cat: Catalogue) -> Tree:
    """One row per economic line, ordered by 政府经济分类 then 部门经济分类 code: its code and
    name, the 政府经济分类 款 it is under ("50101-工资奖金津补贴")."""
    def named(code: str) -> str:
        entry = cat.economic.get(code)
        return entry.name if entry else ""

    rows = tuple(ClassRow(e.code, named(e.code), 1, {"total": e.total, "personnel": e.personnel, "public": e.public},
                          lineage=(named(e.code),),
                          government=f"{e.government}-{named(e.government)}" if e.government else None)
                 for e in sorted(b.economic, key=lambda e: (e.government or "", e.code)))
    totals = {k: total(r[k] for r in rows) for k in ("total", "personnel", "public")}
    return Tree(rows, totals)


def running_costs_computed(economic: Tree, region: Region) -> Decimal | None:
    """机关运行经费 by the region's definition: the 公用经费 of the listed economic 类 of
    一般公共预算基本支出; None when the data has no economic table."""
    if economic.empty:
        return None
    return total(r["public"] for r in economic.level(1) if r.code in region.running_costs_classes)


def _running_costs(b: Budget, economic: Tree, region: Region) -> Item | None:
    rc = b.running_costs
    amount = rc.amount if rc.amount is not None else running_costs_computed(economic, region)
    if amount is None:
        return None
    return Item("机关运行经费", amount, change(amount, rc.prior), reason=rc.reason)


def _count(values: Iterable[int | None]) -> int | None:
    """A head count total; None when no unit gives it."""
    given = [v for v in values if v is not None]
    return sum(given) if given else None


def _amounts(value: object) -> Iterable[Decimal]:
    """Every amount in the data (for the decimals a 元 display needs)."""
    if isinstance(value, Decimal):
        yield value
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _amounts(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _amounts(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _amounts(v)


def _changes(rows: list[ClassRow], prior: dict[str, Decimal]) -> dict[str, Change]:
    return {r.code: Change(r["total"], prior[r.code]) for r in rows if r.code in prior}


def _three_public(b: Budget) -> dict[str, Item]:
    tp = b.three_public
    items = {k: Item(THREE_PUBLIC[k], v.amount, change(v.amount, v.prior), v.purpose, v.reason)
             for k, v in tp.items().items()}

    def combined(name: str, keys: tuple[str, ...], reason: str | None) -> Item:
        amount = total(items[k].amount for k in keys)
        priors = [tp.items()[k].prior for k in keys]
        prior = None if None in priors else total(x for x in priors if x is not None)
        return Item(name, amount, change(amount, prior), None, reason)

    items["vehicle"] = combined("公务用车购置及运行费", ("vehicle_purchase", "vehicle_running"),
                                tp.vehicle_reason)
    items["total"] = combined("“三公”经费", tuple(THREE_PUBLIC), None)
    if items["total"].change is None and tp.prior is not None:  # only the total published
        items["total"] = Item("“三公”经费", items["total"].amount, change(items["total"].amount, tp.prior),
                              None, None)
    return items


def _vehicles(b: Budget) -> int:
    """车辆总数: the eight categories when given, else the three older ones."""
    a = b.assets
    if a.vehicles_by_kind is not None:
        return sum(a.vehicles_by_kind.values())
    return a.general_vehicles + a.enforcement_vehicles + a.other_vehicles


def _procurement(b: Budget) -> dict[str, Decimal]:
    pr = b.procurement
    return {"goods": pr.goods, "works": pr.works, "services": pr.services,
            "total": pr.goods + pr.works + pr.services}


def _staffing(b: Budget) -> dict[str, int] | None:
    s = b.overview.staffing
    if s is None:
        return None
    active = sum(h.count for h in s.active)
    return {"authorized": sum(h.count for h in s.authorized), "active": active,
            "actual": active + s.retired_cadres + s.retired}


_DEFINITIONS = Environment(undefined=StrictUndefined, autoescape=False)
NEWLINE = re.compile(r"\r\n|\r|\n")  # Jinja's own (jinja2.lexer.newline_re)


@cache
def _definition(text: str) -> Template:
    """A standard definition with year placeholders, compiled once per process."""
    return _DEFINITIONS.from_string(text)


def _filled(text: str, year: int) -> str:
    """A standard definition with its year placeholders filled. Most have none: they are
    given back as Jinja would render them (newlines normalised, one trailing newline
    dropped) without compiling a template for each."""
    if "{" not in text:
        lines = NEWLINE.split(text)
        return "\n".join(lines[:-1] if lines[-1] == "" else lines)
    return _definition(text).render(year=year)


def _glossary(b: Budget, std: Mapping[str, GlossaryEntry]) -> tuple[GlossaryEntry, ...]:
    """Standard entries (their year placeholders filled) followed by the center's own."""
    year = b.department.year
    terms = [GlossaryEntry(t, _filled(std[t].definition, year), std[t].group)
             for t in b.glossary.standard if t in std]
    return tuple(terms) + tuple(GlossaryEntry(t.term, t.definition, t.group) for t in b.glossary.own)
