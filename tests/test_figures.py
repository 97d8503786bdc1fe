"""Computed figures against the two published documents, and the money rules behind them.

Expected values are the figures printed in /work/shared/reference/*-2022-budget.txt (and
domain-notes §4/§5), not values read back from the code.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from pydantic import BaseModel

from budgetreport.checks.schema import parse
from budgetreport.common.money import Change, Direction, amount, number, percent, round2, table_amount
from budgetreport.compute.figures import Figures, Tree, compute
from budgetreport.inputs.load import read
from conftest import DATA, growth

D = Decimal


@cache
def figures(sample: str) -> Figures:
    return compute(parse(read(DATA / sample)))


@pytest.fixture(scope="module")
def xiamen() -> Figures:
    return figures("xiamen-2022.yaml")


@pytest.fixture(scope="module")
def shangrao() -> Figures:
    return figures("shangrao-2022.yaml")


# --- Xiamen --------------------------------------------------------------------------


def test_xiamen_income_and_spending_phrases(xiamen):
    # 原文：“收入预算为2735.83万元，比2021年预算数增加205.14万元，增长8.11％”（支出、一般公共预算同）
    phrase = "比2021年预算数增加205.14万元，增长8.11%"
    assert xiamen.income["total"] == D("2735.83")
    assert xiamen.income_change.phrase("2021年预算数") == phrase
    assert xiamen.spending_change.phrase("2021年预算数") == phrase
    assert xiamen.general_change.phrase("2021年预算数") == phrase


def test_xiamen_basic_and_project(xiamen):
    # 原文：“基本支出2303.83万元，其中，人员支出1922.62万元，公用支出381.21万元”；项目 78 + 354
    s = xiamen.spending
    assert (s["basic"], s["personnel"], s["public"]) == (D("2303.83"), D("1922.62"), D("381.21"))
    assert s["basic"] == s["personnel"] + s["public"]
    assert s["project"] == D("432")
    assert s["total"] == s["basic"] + s["project"] == D("2735.83")
    assert (xiamen.performance_count, xiamen.performance_amount) == (2, D("432"))


def test_xiamen_running_costs(xiamen):
    # 原文：“机关运行经费财政拨款预算381.21万元，比2021年预算增加17.33万元，增长4.76%”
    rc = xiamen.running_costs
    assert amount(rc.amount) == "381.21万元"
    assert rc.change.delta == D("17.33")
    assert rc.change.pct == D("4.76")
    assert rc.change.phrase("2021年预算") == "比2021年预算增加17.33万元，增长4.76%"


def test_xiamen_gov_fund_unchanged(xiamen):
    # 原文：“政府性基金支出0万元，与2021年预算数相比无变化”
    assert xiamen.gov_fund_change.direction is Direction.flat
    assert xiamen.gov_fund_change.phrase("2021年预算数") == "与2021年预算数相比无变化"


def test_xiamen_function_items(xiamen):
    # 原文（六）：“住房保障支出（类）城乡社区住宅（款）住房公积金管理（项）2,469.59万元”
    # — the thousands separator is a §8 defect: tables "2,469.59", sentences "2469.59万元".
    [row] = [r for r in xiamen.spending.level(3) if r.code == "2210302"]
    assert row.label == "住房保障支出（类）城乡社区住宅（款）住房公积金管理（项）"
    assert table_amount(row["total"]) == "2,469.59"
    assert amount(row["total"]) == "2469.59万元"
    [first] = [r for r in xiamen.spending.level(3) if r.code == "2080501"]
    assert first.label == "社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）"
    assert amount(first["total"]) == "23.67万元"
    assert first.purpose == "单位退休人员支出"


def test_xiamen_three_public(xiamen):
    tp = xiamen.three_public
    assert tp["reception"].amount == D("2.01")
    assert tp["reception"].change.direction is Direction.down
    assert tp["vehicle"].change.phrase("上年预算") == "与上年预算相比无变化"
    assert tp["total"].amount == D("2.01")


def test_xiamen_staff(xiamen):
    assert xiamen.staff == {"authorized": 54, "active": 50}
    assert xiamen.staffing is None


# --- Shangrao ------------------------------------------------------------------------


def test_shangrao_income(shangrao):
    # 原文：“收入预算总额为3874.36万元，较上年上升15.19%。其中：财政拨款收入3398.63万元，
    # 较上年预算安排增加335.74万元。”
    assert shangrao.income["total"] == D("3874.36")
    assert shangrao.income_change.pct_phrase("上年") == "较上年上升15.19%"
    assert shangrao.income["fiscal"] == D("3398.63")
    assert shangrao.fiscal_change.delta == D("335.74")
    assert shangrao.fiscal_change.phrase("上年预算安排", lead="较", with_pct=False) == \
        "较上年预算安排增加335.74万元"
    assert shangrao.fiscal["total"] == D("3398.63")  # not the department-wide split (§8)
    assert shangrao.nonfiscal_spending == D("475.73")


def test_shangrao_basic_project_and_classes(shangrao):
    # 原文：基本支出2959.93万元，较上年增加494.87；项目支出914.43万元，增加15.99；
    # 住房保障支出3845.16万元，增加510.86；其他支出29.2，与上年一致。
    assert shangrao.spending["basic"] == D("2959.93")
    assert shangrao.basic_change.delta == D("494.87")
    assert shangrao.spending["project"] == D("914.43")
    assert shangrao.project_change.delta == D("15.99")
    c221, c229 = shangrao.class_changes["221"], shangrao.class_changes["229"]
    assert (c221.current, c221.delta) == (D("3845.16"), D("510.86"))
    assert amount(c229.current) == "29.20万元"  # the source printed "29.2" (§8)
    assert c229.phrase("上年") == "与上年相比无变化"


@pytest.mark.parametrize(("code", "current", "delta"), [
    ("301", "2169.93", "316.31"), ("302", "712.23", "162.07"), ("303", "75.06", "13.78")])
def test_shangrao_economic_classes(shangrao, code, current, delta):
    # 原文：工资福利支出2169.93万元，较上年预算安排增加316.31万元；……
    change = shangrao.economic_changes[code]
    assert change.current == D(current)
    assert change.phrase("上年预算安排", lead="较") == \
        f"较上年预算安排增加{delta}万元，增长{growth(current, delta)}"


def test_shangrao_new_economic_class_has_no_percentage(shangrao):
    # 原文：资本性支出2.71万元，较上年预算安排增加2.71万元 — prior 0: no % (domain-notes §5)
    change = shangrao.economic_changes["310"]
    assert change.phrase("上年预算安排", lead="较") == "较上年预算安排增加2.71万元"
    assert change.direction is Direction.new
    assert change.pct is None
    assert "%" not in change.phrase("上年") and "%" not in change.pct_phrase("上年")


def test_shangrao_running_costs(shangrao):
    # 原文：“机关运行费预算712.23万元，比2021年预算增加162.07万元，上升29.5%” — 29.46% (§8)
    rc = shangrao.running_costs
    assert rc.amount == D("712.23")
    assert rc.change.delta == D("162.07")
    assert rc.change.pct == D("29.46")
    assert rc.change.phrase("2021年预算", rise="上升") == "比2021年预算增加162.07万元，上升29.46%"


def test_shangrao_three_public(shangrao):
    # 原文：合计80万元；公务接待费47万元，比上年减少3万元；车辆运行33万元，与上年无变化。
    tp = shangrao.three_public
    assert tp["total"].amount == D("80")
    items = ("abroad", "reception", "vehicle_purchase", "vehicle_running")
    assert tp["total"].amount == sum((tp[k].amount for k in items), D(0))
    assert tp["reception"].change.phrase("上年", with_pct=False) == "比上年减少3.00万元"
    assert tp["vehicle_running"].change.direction is Direction.flat
    assert tp["vehicle"].amount == D("33")


def test_shangrao_staff(shangrao):
    # 原文：“编制人数小计97人……年末实有人数小计109人，其中在职人员小计88人……退休人员21人”
    assert shangrao.staffing == {"authorized": 97, "active": 88, "actual": 109}
    assert shangrao.staff == {"authorized": 97, "active": 88}


def test_shangrao_performance_summary_as_given(shangrao):
    assert (shangrao.performance_count, shangrao.performance_amount) == (16, D("1214.09"))


# --- identities every classified table satisfies (domain-notes §4) ----------------------


def _check_tree(t: Tree) -> None:
    keys = set(t.totals)
    for row in t.rows:
        children = [r for r in t.rows if r.level == row.level + 1 and r.code.startswith(row.code)]
        if children:
            for k in keys:
                assert row[k] == sum((c[k] for c in children), D(0)), (row.code, k)
    for k in keys:
        assert t[k] == sum((r[k] for r in t.level(1)), D(0))


@pytest.mark.parametrize("sample", ["xiamen-2022.yaml", "shangrao-2022.yaml"])
def test_trees_add_up(sample):
    f = figures(sample)
    for t in (f.spending, f.fiscal, f.economic, *f.by_source.values()):
        _check_tree(t)
    assert f.spending["total"] == f.spending["basic"] + f.spending["project"]
    assert f.spending["basic"] == f.spending["personnel"] + f.spending["public"]
    # the economic table is 一般公共预算基本支出
    assert f.economic["total"] == f.by_source["general_budget"]["basic"]
    assert f.income["total"] == f.spending["total"] + f.budget.carry_forward


# --- no float anywhere ----------------------------------------------------------------


def _values(obj: Any, seen: set[int] | None = None):
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return
    seen.add(id(obj))
    yield obj
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _values(getattr(obj, name), seen)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            yield from _values(getattr(obj, f.name), seen)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _values(k, seen)
            yield from _values(v, seen)
    elif isinstance(obj, (list, tuple)):
        for v in obj:
            yield from _values(v, seen)


@pytest.mark.parametrize("sample", ["xiamen-2022.yaml", "shangrao-2022.yaml"])
def test_no_float_anywhere(sample):
    f = figures(sample)
    values = list(_values(f))
    assert not [v for v in values if isinstance(v, float)]
    decimals = [v for v in values if isinstance(v, Decimal)]
    assert len(decimals) > 100
    for value in (f.income["total"], f.spending["total"], f.running_costs.amount,
                  f.three_public["total"].amount, f.income_change.delta, f.income_change.pct,
                  f.running_costs.change.pct, f.performance_amount):
        assert type(value) is Decimal
    # loading itself never goes through float
    assert not [v for v in _values(read(DATA / sample).data) if isinstance(v, float)]


# --- money.py -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "rounded"), [
    ("0.125", "0.13"), ("2.675", "2.68"), ("0.005", "0.01"), ("0.004999", "0.00"),
    ("2469.585", "2469.59"), ("-0.125", "-0.13"), ("7", "7.00"),
])
def test_round_half_up(value, rounded):
    assert str(round2(D(value))) == rounded


def test_round_is_exact_decimal_not_float():
    # float rounding of 2.675 gives 2.67 (binary 2.67499…); the rule is on the exact value
    assert round2(D("2.675")) == D("2.68")
    assert type(round2(D("2.675"))) is Decimal


def test_formats():
    assert table_amount(D("2469.59")) == "2,469.59"
    assert table_amount(D("1234567.891")) == "1,234,567.89"
    assert table_amount(D("0")) == "0.00"
    assert amount(D("2469.59")) == "2469.59万元"
    assert amount(D("29.2")) == "29.20万元"
    assert amount(D("1234567.895")) == "1234567.90万元"
    assert number(D("2.675")) == "2.68"


def test_percent_is_rounded_after_dividing():
    assert percent(D("205.14"), D("2530.69")) == D("8.11")
    assert percent(D("1"), D("3")) == D("33.33")
    assert percent(D("2"), D("3")) == D("66.67")


@pytest.mark.parametrize(("current", "prior", "direction"), [
    ("110", "100", Direction.up), ("90", "100", Direction.down), ("100", "100", Direction.flat),
    ("5", "0", Direction.new), ("0", "0", Direction.flat),
    ("100.004", "100", Direction.flat),  # shown as 0.00: no change to speak of
    ("100.005", "100", Direction.up),
])
def test_directions(current, prior, direction):
    assert Change(D(current), D(prior)).direction is direction


def test_phrases():
    assert Change(D("110"), D("100")).phrase("上年") == "比上年增加10.00万元，增长10.00%"
    assert Change(D("47"), D("50")).phrase("上年") == "比上年减少3.00万元，下降6.00%"
    assert Change(D("100"), D("100")).phrase("2021年预算数") == "与2021年预算数相比无变化"
    assert Change(D("5"), D("0")).phrase("上年") == "比上年增加5.00万元"
    assert Change(D("110"), D("100")).pct_phrase("上年") == "较上年上升10.00%"
    assert Change(D("90"), D("100")).pct_phrase("上年") == "较上年下降10.00%"
    assert Change(D("5"), D("0")).pct_phrase("上年") == "较上年新增"
    assert Change(D("5"), D("5")).pct_phrase("上年") == "与上年持平"


def test_a_definition_without_placeholders_reads_as_jinja_would_render_it():
    """Definitions without placeholders skip compiling a template; they must come out the same."""
    from budgetreport.compute.figures import _DEFINITIONS, _filled
    from budgetreport.inputs.catalogue import standard_glossary

    cases = ["abc", "a\nb", "a\r\nb\r\n", "a\n", "a\n\n", "a\rb", "", "\n", "a\u2028b", "a\x85b",
             "末尾\r", "{{ year }}年", "{{ year - 1 }}年", "a {b}", "\r\n\r\n"]
    cases += [e.definition for e in standard_glossary().values()]
    for text in cases:
        assert _filled(text, 2022) == _DEFINITIONS.from_string(text).render(year=2022), repr(text)
