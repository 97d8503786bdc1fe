"""Stage 2b: the accounting identities (勾稽关系) and content rules, one small function each.

Each rule reads the validated `Budget` and yields `Finding`s naming the data path of the
offending value; `validate` turns paths into `file:line`. The docstring states the rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from ..common.money import Change, rounded, total
from ..common.problems import Finding, Loc, Problem, Severity, path_text, texts
from ..inputs.catalogue import LEVELS, Catalogue, Entry
from ..inputs.load import NON_PRINTABLE
from ..inputs.model import FISCAL_SOURCES, SOURCE_NAMES, THREE_PUBLIC, Budget, Source
from ..inputs.region import Region
from ..inputs.resolved import Resolved
from .labels import describe, field_at
from .labels import label as field_label

Rule = Callable[[Budget, Catalogue, Resolved], Iterator[Finding]]
RULES: list[Rule] = []


def rule(fn: Rule) -> Rule:
    RULES.append(fn)
    return fn


# Decimals of the file's amounts as its document prints them: 万元 two, 元 none unless the
# file has 分 (set by `validate` for the file being checked, `figures_as`).
_PLACES: ContextVar[int] = ContextVar("message_places", default=2)


@contextmanager
def figures_as(unit: str, amounts: Iterable[Decimal]) -> Iterator[None]:
    """Messages inside show the file's amounts as its document prints them."""
    places = 2 if unit != "元" or any(a != a.to_integral_value() for a in amounts) else 0
    token = _PLACES.set(places)
    try:
        yield
    finally:
        _PLACES.reset(token)


def show(x: Decimal) -> str:
    """A figure in a message as the document prints it — thousands separated, the unit's
    decimals ("156,211,123" 元, "2,735.83" 万元) — more only where that would hide a
    difference ("1,734.385")."""
    places = _PLACES.get()
    return f"{x:,.{places}f}" if x == rounded(x, places) else f"{x.normalize():,f}"


def _unequal(code: str, loc: Loc, left: str, lv: Decimal, right: str, rv: Decimal) -> Iterator[Finding]:
    if lv != rv:
        yield Finding(code, f"{left} {show(lv)} ≠ {right} {show(rv)}", loc, gap=lv - rv)


# --- classification codes ----------------------------------------------------------


@rule
def codes_in_catalogue(b: Budget, cat: Catalogue, _: Resolved) -> Iterator[Finding]:
    """Every function code is a 7-digit 项, every economic code a 5-digit 款 (or a 7-digit
    item under a 款 the data details, as some regions publish 3010201), every prior-year
    code a 3-digit 类. Each code and its parents are named by the year's catalogue or by the
    data (a line's `name`, the `names:` map); a name the data gives equals the catalogue's; a
    name only the data gives is accepted with a warning, so it can be checked and contributed."""
    where = f"{cat.year}年科目目录"
    # (location, code, section, digits, kind, the line's own name)
    checks: list[tuple[Loc, str, str, int, str, str | None]] = []
    for i, line in enumerate(b.spending):
        checks.append((("spending", i), line.code, "function", 7, "功能分类项级", line.name))
    for i, eco in enumerate(b.economic):
        digits = 7 if len(eco.code) == 7 else 5  # a 款 (30211), or a 7-digit line under it (3021101)
        checks.append((("economic", i), eco.code, "economic", digits, "经济分类款级", eco.name))
        if eco.government is not None:
            checks.append((("economic", i, "government"), eco.government, "economic", 5, "政府支出经济分类款级", None))
    for i, t in enumerate(b.transfers):
        if t.code:
            checks.append((("transfers", i), t.code, "function", 7, "功能分类项级", None))
    for code in b.prior.by_function:
        checks.append((("prior", "by_function", code), code, "function", 3, "功能分类类级", None))
    for code in b.prior.by_economic:
        checks.append((("prior", "by_economic", code), code, "economic", 3, "经济分类类级", None))
    seen: set[tuple[str, str]] = set()
    used: set[str] = set()
    for loc, code, section, digits, kind, own in checks:
        if len(code) != digits:
            yield Finding("R101", f"科目编码 {code} 应为{digits}位的{kind}科目",
                          loc if loc[-1] == "government" else loc + ("code",))
            continue
        table: dict[str, Entry] = cat.function if section == "function" else cat.economic
        for part in (code[:n] for n in LEVELS if n <= digits):
            used.add(part)
            if (section, part) in seen:
                continue
            seen.add((section, part))
            name, name_loc = ((own, loc + ("name",)) if own and part == code
                              else (b.names.get(part), ("names", part)))
            level = LEVELS[len(part)]
            if part in table:
                if name is not None and name != table[part].name:
                    yield Finding("R103", f"科目 {part} 的名称应为“{table[part].name}”，而不是“{name}”", name_loc)
            elif name is not None:
                yield Finding("R106", f"{level}级科目 {part}“{name}”不在{where}中：名称取自数据文件，请核对"
                              "（budgetreport catalogue 列出这些科目，可补入科目目录）", name_loc, Severity.warning)
            else:
                hint = "请在该行写 name，或" if part == code and section == "function" and digits == 7 else "请"
                yield Finding("R102", f"{level}级科目编码 {part} 不在{where}中，数据中也没有它的名称："
                              f"{hint}在 names 中写“\"{part}\": 名称”", loc + ("code",))
    for code in b.names:
        if len(code) not in LEVELS:
            yield Finding("R101", f"names 中的科目编码 {code} 应为3、5或7位", ("names", code))
        elif code not in used:
            yield Finding("R107", f"names 中的科目 {code} 没有用到：本文件没有这个编码或它的下级科目",
                          ("names", code), Severity.warning)


@rule
def codes_unique(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """A function code appears once per source, an economic code once: a repeated line
    would be merged silently into one row of the tables."""
    seen: set[tuple[str, str]] = set()
    for i, line in enumerate(b.spending):
        if (line.code, line.source.value) in seen:
            yield Finding("R104", f"功能分类科目 {line.code}（来源 {SOURCE_NAMES[line.source]}）重复列出："
                          "请合并为一项", ("spending", i, "code"))
        seen.add((line.code, line.source.value))
    codes: set[tuple[str, str]] = set()  # (government, department) — a code once under each 政府经济分类 款
    for i, eco in enumerate(b.economic):
        key = (eco.government or "", eco.code)
        if key in codes:
            under = f"（政府支出经济分类 {eco.government} 下）" if eco.government else ""
            yield Finding("R104", f"经济分类科目 {eco.code}{under}重复列出：请合并为一项", ("economic", i, "code"))
        codes.add(key)
    departments = {code for _, code in codes}
    for i, eco in enumerate(b.economic):  # a 款 given in detail is the sum of its items
        if len(eco.code) == 5 and any(c != eco.code and c.startswith(eco.code) for c in departments):
            yield Finding("R104", f"经济分类款级科目 {eco.code} 已按其下的项级科目逐项列出：请删去这一行"
                          "（款的数字由其下各项相加）", ("economic", i, "code"))


# --- income and spending -----------------------------------------------------------


@rule
def income_equals_spending(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """收入总计 = 支出总计 + 结转下年."""
    spent = total(x.total for x in b.spending)
    if b.income.total != spent + b.carry_forward:
        yield Finding("R201", f"收入总计 {show(b.income.total)} ≠ 支出合计 {show(spent)} + "
                      f"结转下年 {show(b.carry_forward)}", ("income",),
                      gap=b.income.total - spent - b.carry_forward)


@rule
def income_by_source(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """Each income source equals the spending lines funded by it (结转下年 excepted:
    it is checked in total by `income_equals_spending`)."""
    if b.carry_forward:
        return
    unstated = total(x.total for x in b.spending if x.source is Source.unstated)
    left = Decimal(0)  # the non-fiscal income its stated lines leave: what the unstated lines spend
    for source in Source:
        if source is Source.unstated:
            continue
        spent = total(x.total for x in b.spending if x.source is source)
        if unstated and source not in FISCAL_SOURCES:
            left += b.income.of(source) - spent
            continue
        yield from _unequal("R202", ("income", source.value), SOURCE_NAMES[source],
                            b.income.of(source), f"资金来源为{SOURCE_NAMES[source]}的支出合计", spent)
    if unstated:
        yield from _unequal("R202", ("income",), "非财政拨款收入中未由列明来源的支出用去的部分", left,
                            "未列明来源（unstated）的支出合计", unstated)


@rule
def carryover_by_source(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """上年结转结余 by fund source, when given, adds up to 上年结转结余."""
    by = b.income.carryover_by
    if by is not None:
        yield from _unequal("R207", ("income", "carryover_by"), "上年结转结余各来源之和",
                            total(by.parts().values()), "上年结转结余（income.carryover）", b.income.carryover)


@rule
def economic_equals_function(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """一般公共预算基本支出: the economic-classification table's 人员经费 and 公用经费 equal
    those of the function-classification lines funded by 一般公共预算 (its total equals their
    基本支出 when some line gives 基本支出 without the split)."""
    general = [x for x in b.spending if x.source is Source.general_budget]
    loc: Loc = ("economic",)
    if not b.economic:
        return
    if not all(x.split for x in general):
        yield from _unequal("R203", loc, "经济分类合计", total(e.total for e in b.economic),
                            "功能分类一般公共预算基本支出合计", total(x.basic_total for x in general))
        return
    for column, label in (("personnel", "人员经费"), ("public", "公用经费")):
        eco = total(getattr(e, column) for e in b.economic)
        fun = total(getattr(x, column) or Decimal(0) for x in general)
        yield from _unequal("R203", loc, f"经济分类{label}合计", eco,
                            f"功能分类一般公共预算基本支出{label}合计", fun)


@rule
def basic_matches_split(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """A line that gives both 基本支出 and its 人员/公用 split gives the same figure."""
    for i, x in enumerate(b.spending):
        if x.basic is not None and (x.personnel is not None or x.public is not None):
            yield from _unequal("R206", ("spending", i, "basic"), "基本支出", x.basic,
                                "人员经费 + 公用经费", x.basic_total)


@rule
def economic_convention(b: Budget, _c: Catalogue, r: Resolved) -> Iterator[Finding]:
    """By convention 301 and 303 are 人员经费, 302 and 310 公用经费 (warning only) — except
    the 款 a region's forms show under both (region.yaml `economic_both`, e.g. 长沙's 人员类
    holds part of 30228 工会经费 and 30239 其他交通费用)."""
    both = {str(c) for c in r.region.settings.get("economic_both", []) or []}
    for i, e in enumerate(b.economic):
        if e.code in both or e.code[:5] in both:
            continue
        cls = e.code[:3]
        if cls in ("301", "303") and e.public:
            yield Finding("R204", f"{e.code} 属人员经费，却列有公用经费 {show(e.public)}",
                          ("economic", i, "public"), Severity.warning)
        if cls in ("302", "310") and e.personnel:
            yield Finding("R204", f"{e.code} 属公用经费，却列有人员经费 {show(e.personnel)}",
                          ("economic", i, "personnel"), Severity.warning)


# --- prior year ---------------------------------------------------------------------


@rule
def prior_consistent(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """Last year's figures add up: 类 split = 支出总额 = 基本 + 项目; economic split = 基本."""
    p = b.prior
    if p.by_function and p.spending_total is not None:
        yield from _unequal("R211", ("prior", "by_function"), "上年支出按功能分类合计",
                            total(p.by_function.values()), "上年支出总额", p.spending_total)
    if p.basic is not None and p.project is not None and p.spending_total is not None:
        yield from _unequal("R211", ("prior", "spending_total"), "上年支出总额", p.spending_total,
                            "上年基本支出 + 项目支出", p.basic + p.project)
    if p.by_economic and p.basic is not None:
        yield from _unequal("R211", ("prior", "by_economic"), "上年基本支出按经济分类合计",
                            total(p.by_economic.values()), "上年基本支出", p.basic)


@rule
def prior_present(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """Every prior-year figure a comparison sentence of the region's text needs is given."""
    region = resolved.region
    for name in region.requires_prior:
        value = getattr(b.prior, name)
        if value is None:
            yield Finding("R212", f"缺少{describe(('prior', name))}：文中的比较句需要它（prior.{name}）", ("prior",))
        elif name == "by_function":
            for code in sorted({x.code[:3] for x in b.spending} - set(value)):
                yield Finding("R212", f"缺少 {code} 类的上年数：文中的比较句需要它（prior.by_function）",
                              ("prior", "by_function"))
        elif name == "by_economic":
            for code in sorted({e.code[:3] for e in b.economic} - set(value)):
                yield Finding("R212", f"缺少 {code} 类的上年数：文中的比较句需要它（prior.by_economic）",
                              ("prior", "by_economic"))


def priors_in_tables(resolved: Resolved) -> bool:
    """Whether a 附表 the region prints shows the 项 lines' last-year figures (a functional
    table with a `prior`, `change` or `change_rate` column)."""
    region = resolved.region
    chosen = region.settings.get("tables")
    chosen = chosen if isinstance(chosen, list) else []  # a wrong `tables:` is told by its own check
    specs = [region.tables[k] for k in chosen if isinstance(k, str) and k in region.tables]
    return any(s.rows.source == "functional" and any(c.measure in ("prior", "change", "change_rate")
                                                     for c in s.leaves()) for s in specs)


@rule
def line_change_explained(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """A 项 whose change from last year is 10% or more (or from nothing) states its reason
    (warning: the per-项 comparison would print no reason) — not where last year's figures are
    shown only in a 附表 column, which has no place for a reason."""
    if resolved.region.settings.get("line_changes") is not True and priors_in_tables(resolved):
        return
    for i, x in enumerate(b.spending):
        if x.prior is None or x.reason:
            continue
        c = Change(x.total, x.prior)
        if c.significant:
            pct = f"{c.pct:f}%" if c.pct is not None else "上年为0"
            yield Finding("R213", f"{x.code} {x.name or ''}与上年{x.prior_kind or '预算执行数'}相比{c.direction.value}"
                          f"（{show(x.prior)} → {show(x.total)}，{pct}），"
                          f"应说明原因（{path_text(('spending', i, 'reason'))}）",
                          ("spending", i, "prior"), Severity.warning)


@rule
def line_changes_shown(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """Per-项 last-year figures and reasons are printed only where the region's text compares
    each 项 (`line_changes`) — the figures also where a 附表 has a last-year column; elsewhere
    they would be ignored, so they are pointed out."""
    region = resolved.region
    if region.settings.get("line_changes") is True:
        return
    shown = ("prior", "prior_kind") if priors_in_tables(resolved) else ()  # a 附表 prints them
    for i, x in enumerate(b.spending):
        given = [k for k in ("prior", "prior_kind", "reason") if getattr(x, k) is not None and k not in shown]
        if given:
            yield Finding("R214", f"{x.code} 填写了{'、'.join(field_label(('spending', i, k)) for k in given)}，"
                          "但本地区模板不逐项说明与上年的比较，文中不会出现"
                          f"（{'、'.join(given)}；region.yaml 的 line_changes 未开启）", ("spending", i, given[0]),
                          Severity.warning)


# --- 三公, projects, staff -------------------------------------------------------------

THREE_PUBLIC_ECONOMIC = {"abroad": "30212", "reception": "30217", "vehicle_running": "30231"}


@rule
def three_public_explained(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """Last year's 三公 figures are given item by item, for the total only
    (`three_public.prior`), or not at all (the text then compares nothing): an item without
    its prior beside items with one is a gap, items' priors beside a total must add up to it;
    every change of an item states its reason — unless the region (or center) lists the reason
    as `optional` (`three_public.vehicle_running.reason`): a form whose publications compare the
    figures without always giving a reason."""
    tp = b.three_public
    optional = set(resolved.region.settings.get("optional") or ())
    priors = [item.prior for item in tp.items().values()]
    if all(p is not None for p in priors) and tp.prior is not None:
        summed = total(p for p in priors if p is not None)
        if summed != tp.prior:
            yield Finding("R301", f"“三公”经费上年总额 {show(tp.prior)} ≠ 各项上年数之和 {show(summed)}"
                          "（各项都填了 prior 时可不填总额）", ("three_public", "prior"))
    for key, item in tp.items().items():
        loc: Loc = ("three_public", key)
        name = THREE_PUBLIC[key]
        if item.prior is None:
            if any(p is not None for p in priors):  # a partial split: the others give theirs
                yield Finding("R301", f"{name}缺少上年预算数（three_public.{key}.prior）：其他各项都有上年数；"
                              "原文只公开上年总额时，各项都不填，填 three_public.prior", loc)
        elif item.amount != item.prior and not item.reason and f"three_public.{key}.reason" not in optional:
            vehicle_explained = key.startswith("vehicle") and tp.vehicle_reason
            if not vehicle_explained:
                yield Finding("R302", f"{name}由 {show(item.prior)} 变为 {show(item.amount)}，"
                              f"必须说明增减原因（three_public.{key}.reason）", loc + ("amount",))


@rule
def three_public_within_economic(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """A 三公 item fits inside its economic 款 of 一般公共预算基本支出 (e.g. 公务接待费 ≤
    30217): the 三公 table and the economic table describe the same money — except the part
    spent in projects (`in_projects`), which the economic table leaves out. When the data does
    not give that part, it is what exceeds the 款 — the only way the figures agree — as long as
    the 一般公共预算 项目支出 can hold it; only then is a mismatch reported. Without an economic
    table there is nothing to compare."""
    if not b.economic:
        return
    eco: dict[str, Decimal] = {}  # by 款: 7-digit lines (3021101) and 政府经济分类 rows summed into it
    for e in b.economic:
        eco[e.code[:5]] = eco.get(e.code[:5], Decimal(0)) + e.total
    projects = total(x.project for x in b.spending if x.source is Source.general_budget)
    room = projects
    for key, code in THREE_PUBLIC_ECONOMIC.items():
        item = b.three_public.items()[key]
        budgeted = eco.get(code, Decimal(0))
        if item.in_projects is None and item.amount > budgeted and item.amount - budgeted <= room:
            room -= item.amount - budgeted  # in projects: computed, not reported
            continue
        basic = item.amount - (item.in_projects or Decimal(0))
        if basic > budgeted:
            of = f"（其中基本支出 {show(basic)}）" if item.in_projects else ""
            limit = "" if item.in_projects else f"，超出部分也多于一般公共预算项目支出可容纳的 {show(room)}"
            yield Finding("R303", f"{THREE_PUBLIC[key]} {show(item.amount)}{of} 超过经济分类 "
                          f"{code} 的预算 {show(budgeted)}{limit}；若部分在项目支出中安排，请填写该部分"
                          f"（three_public.{key}.in_projects）", ("three_public", key, "amount"))


OFFICE_KINDS = ("行政单位", "参公单位")  # units whose 公用经费 is 机关运行经费


def _has_other_units(b: Budget) -> bool:
    """The department includes units (e.g. 事业单位) whose 公用经费 is not 机关运行经费, so
    the definition cannot be computed from the department-wide economic table."""
    return any(n for kind, n in b.overview.unit_kinds.items() if kind not in OFFICE_KINDS)


@rule
def running_costs_match(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """机关运行经费, when given, equals the region's definition computed from the economic
    table (the 公用经费 of its listed 类, e.g. 302, or 302 and 310), when that table is given."""
    region = resolved.region
    given = b.running_costs.amount
    if given is None or not b.economic or _has_other_units(b):
        return
    classes = region.running_costs_classes
    if not classes:  # running_costs_classes: [] — defined by items the economic table lacks
        return
    computed = total(e.public for e in b.economic if e.code[:3] in classes)
    yield from _unequal("R304", ("running_costs", "amount"), "机关运行经费", given,
                        f"经济分类 {'、'.join(sorted(classes))} 的公用经费合计", computed)


@rule
def projects_add_up(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """A project with sub-projects equals their sum; projects of a source fit within the
    项目支出 of that source."""
    for i, p in enumerate(b.projects):
        if p.subprojects:
            yield from _unequal("R401", ("projects", i, "amount"), f"项目“{p.name}”金额", p.amount,
                                "其二级项目合计", total(s.amount for s in p.subprojects))
    for source in Source:
        listed = total(p.amount for p in b.projects if p.source is source)
        budgeted = total(x.project for x in b.spending if x.source is source)
        if listed > budgeted:
            yield Finding("R402", f"{SOURCE_NAMES[source]}安排的项目合计 {show(listed)} 超过"
                          f"该来源项目支出 {show(budgeted)}", ("projects",))


@rule
def staff_counts_agree(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """The unit table's 编制数 and 在职人数 equal the staffing breakdown's totals."""
    s = b.overview.staffing
    if s is None:
        return
    for column, part, label in (("authorized", s.authorized, "编制人数"), ("active", s.active, "在职人数")):
        counts = [getattr(u, column) for u in b.overview.units]
        if None in counts:
            continue
        table = sum(counts)
        listed = sum(h.count for h in part)
        if table != listed:
            yield Finding("R501", f"单位表{label}合计 {table} ≠ 人员明细{label}小计 {listed}",
                          ("overview", "staffing", column))


# --- free text -----------------------------------------------------------------------

# Template text left in: field codes and template syntax, fill-in instructions, runs of
# placeholder marks ("×××", "XX部门"; one "×" is a multiplication: "7×24小时", "×100%"),
# a template's own "（增加内容）". The one list: `check` looks for them in the data's texts,
# `verify` in a published PDF's (readback.alone).
LEFTOVERS = re.compile(r"MERGEFIELD|\$\{|\{\{|\}\}|\{%|%\}|结合实际(进行)?(解释|填写)|由部门.{0,6}填写|此处填写"
                       r"|(?<![A-Za-z])(?:×{2,}|X{2,}|Ｘ{2,})(?![A-Za-z])|[（(]增加内容[）)]")
# What the loader refuses when typed (load.NON_PRINTABLE), here written as escapes ("\\u202e").
CONTROL = re.compile(NON_PRINTABLE.pattern + r"|[\x0b-\x0d]")
MONEY = re.compile(r"\d[\d,]*(\.\d+)?\s*万?元")


@rule
def free_text_clean(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """Text holds no template leftovers (field codes, fill-in instructions) — an error —
    and no money amounts, which must come from the figures — a warning (not in performance
    indicators, nor in a region section's field declared `amounts: true`: thresholds)."""
    def may_name_amounts(loc: Loc) -> bool:
        # an indicator's value ("≤50万元") and a project's performance goal ("每月235元的标准")
        # state targets, not figures
        if "indicators" in loc or (loc[:1] == ("projects",) and loc[-1:] == ("goal",)):
            return True
        if loc[:1] != ("sections",) or len(loc) < 3:
            return False
        spec = resolved.sections.get(str(loc[1]))
        field = spec.fields.get(str(loc[-1])) if spec is not None else None
        return field is not None and field.amounts

    for loc, text in texts(b.model_dump(mode="python")):
        if m := CONTROL.search(text):
            yield Finding("R603", f"文字中有不可见的控制字符 U+{ord(m.group(0)):04X}（多为复制粘贴带入），请删除", loc)
        elif m := LEFTOVERS.search(text):
            yield Finding("R601", f"文字中残留模板内容“{m.group(0)}”", loc)
        elif not may_name_amounts(loc) and (m := MONEY.search(text)):
            yield Finding("R602", f"文字中出现金额“{m.group(0)}”：金额应由数据计算生成，不应写在文字里",
                          loc, Severity.warning)


@rule
def fiscal_sources_known(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """财政拨款 spending is what the 财政拨款 tables show: at least one fiscal line exists when
    there is fiscal income."""
    if b.income.fiscal and not any(x.source in FISCAL_SOURCES for x in b.spending):
        yield Finding("R205", "有财政拨款收入，却没有以财政拨款安排的支出", ("spending",))


@rule
def glossary_terms_known(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """Every standard glossary term named by the file exists in the standard glossary."""
    known = resolved.glossary
    for i, term in enumerate(b.glossary.standard):
        if term not in known:
            yield Finding("R701", f"标准名词“{term}”不存在，可选：{'、'.join(known)}",
                          ("glossary", "standard", i))


@rule
def quarterly_plan_adds_up(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """A project's quarterly 用款计划, when given, adds up to its amount."""
    for i, p in enumerate(b.projects):
        if p.quarterly is not None:
            yield from _unequal("R403", ("projects", i, "quarterly"), f"项目“{p.name}”四个季度用款计划合计",
                                total(p.quarterly), "项目金额", p.amount)


@rule
def procurement_reserved_within(b: Budget, _c: Catalogue, _r: Resolved) -> Iterator[Finding]:
    """面向中小企业预留 fits within the 政府采购 total, and its 小微企业 part within it."""
    pr = b.procurement
    whole = pr.goods + pr.works + pr.services
    if pr.sme_reserved is not None and pr.sme_reserved > whole:
        yield Finding("R502", f"面向中小企业预留 {show(pr.sme_reserved)} 超过政府采购预算合计 {show(whole)}",
                      ("procurement", "sme_reserved"))
    if pr.sme_small_micro is not None and pr.sme_small_micro > (pr.sme_reserved or Decimal(0)):
        yield Finding("R503", f"预留给小型和微型企业的 {show(pr.sme_small_micro)} 超过面向中小企业预留 "
                      f"{show(pr.sme_reserved or Decimal(0))}", ("procurement", "sme_small_micro"))


# --- what the region's text prints ------------------------------------------------------


@rule
def printed_texts_given(b: Budget, _c: Catalogue, resolved: Resolved) -> Iterator[Finding]:
    """Whatever the region's document prints from the data is filled in (warning): the
    region's `asks_for` names those data paths ("a | b": a, unless b is given instead), less
    the region's or center's `optional`. `[]` stands for every item of a list; of `spending`,
    the lines funded by 财政拨款 (those the explanation lists one by one)."""
    region = resolved.region
    data = b.model_dump(mode="python")
    for entry in region.asks_for:
        first, *instead = (p.strip() for p in entry.split("|"))
        if any(not _empty(value) and value != {} for path in instead for _, value in _places(data, path)):
            continue
        for loc, value in _places(data, first):
            if _empty(value):
                yield Finding("R215", f"{describe(loc, data)}尚未填写：{region.settings.get('name', region.key)}的文档"
                              f'印出此项（不适用时在单位的 region.yaml 中写 optional: ["{first}"]）',
                              loc, Severity.warning)


def asks_problems(region: Region) -> Iterator[Problem]:
    """A path in `asks_for` or `optional` that names no field of the data (a misspelling
    would silently ask for nothing, or excuse nothing), at its line in region.yaml (E820)."""
    for key in ("asks_for", "optional"):
        entries = region.settings.get(key) or []
        for i, entry in enumerate(entries if isinstance(entries, list) else [entries]):
            for path in str(entry).split("|"):
                loc = tuple(p.removesuffix("[]") for p in path.strip().split("."))
                if not all(loc) or field_at(loc)[1] is None:
                    yield region.problem_at((key, i), f"设置 {key} 中的“{path.strip()}”不是数据文件中的字段"
                                            "（写作数据路径，如 glossary.own、spending[].purpose）")


def _places(data: object, path: str) -> Iterator[tuple[Loc, object]]:
    """(data path, value) of every place `path` ("spending[].purpose") names in `data`."""
    places: list[tuple[Loc, object]] = [((), data)]
    for part in path.split("."):
        many = part.endswith("[]")
        key = part.removesuffix("[]")
        found: list[tuple[Loc, object]] = []
        for loc, node in places:
            value = node.get(key) if isinstance(node, dict) else None
            if not many:
                found.append(((*loc, key), value))
            elif isinstance(value, list):
                found += [((*loc, key, i), item) for i, item in enumerate(value)
                          if key != "spending" or item.get("source") in FISCAL_SOURCES]
        places = found
    return iter(places)


def _empty(value: object) -> bool:
    """Not given: nothing, blank text, an empty list (an empty mapping is a count of none)."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []
