"""Table layouts of real publications, read by the importer from small sheets built here
(the same `Sheet` a PDF's table becomes): rows repeated per 预算单位, two classifications
side by side, code and name in one cell, a 项 printed without its 款, a 三公 table with a blank
cell among last year's figures, a 收支总表 printed without figures."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from budgetreport.common.problems import Severity
from budgetreport.importer.checks import check_tables
from budgetreport.importer.mapping import to_data
from budgetreport.importer.sheets import heading, read_table
from budgetreport.importer.workbook import Sheet

AMOUNT = re.compile(r"-?\d+\.\d+")


def sheet(title: str, header: list[list[str]], body: list[list[Any]],
          merges: list[tuple[int, int, int, int]] | None = None, meta: str = "单位：万元") -> Sheet:
    values: dict[tuple[int, int], Any] = {(1, 1): title, (2, 1): meta}
    rows = [*header, *body]
    for r, row in enumerate(rows, 3):
        for c, v in enumerate(row, 1):
            if v not in ("", None):
                values[(r, c)] = Decimal(v) if isinstance(v, str) and AMOUNT.fullmatch(v) else v
    width = max(len(r) for r in rows)
    return Sheet("x.pdf", title, values, merges or [], len(rows) + 2, width)


def errors(problems: list) -> list:  # type: ignore[type-arg]
    return [p for p in problems if p.severity is Severity.error]


HEADER = [["科目编码", "科目名称", "合计", "基本支出", "项目支出"]]


def test_rows_repeated_per_unit_are_summed_per_code() -> None:
    # two units' blocks, each with its 类 and 项 rows, under one 合计
    body = [["", "合计", "30.00", "12.00", "18.00"],
            ["201", "一般公共服务支出", "10.00", "4.00", "6.00"],
            ["2010101", "行政运行", "10.00", "4.00", "6.00"],
            ["201", "一般公共服务支出", "20.00", "8.00", "12.00"],
            ["2010101", "行政运行", "20.00", "8.00", "12.00"]]
    problems: list = []
    t = read_table("spending", sheet("2026年部门支出总表", HEADER, body), {}, "classified", problems, "all")
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == []
    assert facts.get("fn", "all", "2010101", "total").value == Decimal(300000)  # 元
    assert facts.get("fn", "all", "201", "project").value == Decimal(180000)


def test_the_department_total_before_its_units_is_taken_once() -> None:
    body = [["201", "一般公共服务支出", "30.00", "12.00", "18.00"],
            ["2010101", "行政运行", "30.00", "12.00", "18.00"],
            ["201", "一般公共服务支出", "10.00", "4.00", "6.00"],
            ["2010101", "行政运行", "10.00", "4.00", "6.00"],
            ["201", "一般公共服务支出", "20.00", "8.00", "12.00"],
            ["2010101", "行政运行", "20.00", "8.00", "12.00"]]
    problems: list = []
    t = read_table("spending", sheet("2026年部门支出总表", HEADER, body), {}, "classified", problems, "all")
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == []
    assert facts.get("fn", "all", "2010101", "total").value == Decimal(300000)


def test_a_row_typed_twice_is_still_refused() -> None:
    body = [["201", "一般公共服务支出", "10.00", "4.00", "6.00"],
            ["2010101", "行政运行", "4.00", "4.00", ""],
            ["2010101", "行政运行", "4.00", "4.00", ""],
            ["2010102", "一般行政管理事务", "6.00", "", "6.00"]]
    problems: list = []
    t = read_table("spending", sheet("2026年部门支出总表", HEADER, body), {}, "classified", problems, "all")
    assert any(p.code == "E532" for p in check_tables([t], {}).problems)


def test_two_classifications_side_by_side_with_code_and_name_in_one_cell() -> None:
    header = [["支出功能分类科目", "政府支出经济分类科目", "部门支出经济分类科目", "合计", "基本支出", "项目支出"]]
    body = [["2050305-高等职业教育", "50501-工资福利支出", "30101-基本工资", "5.00", "5.00", ""],
            ["2050305-高等职业教育", "50502-商品和服务支出", "30201-办公费", "3.00", "1.00", "2.00"],
            ["2080101-行政运行", "50501-工资福利支出", "30101-基本工资", "2.00", "2.00", ""],
            ["合计", "", "", "10.00", "8.00", "2.00"]]
    problems: list = []
    t = read_table("spending", sheet("支出总表", header, body), {}, "classified", problems, "all")
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == []
    assert facts.get("fn", "all", "2050305", "total").value == Decimal(80000)
    assert facts.names["2050305"] == "高等职业教育"
    # the economic table keys its rows by the 部门 economic codes, a 项 (3021101) without its
    # 款 counted in the 合计
    header = [["政府支出经济分类科目", "部门支出经济分类科目", "合计", "人员经费", "公用经费"]]
    body = [["50501-工资福利支出", "30101-基本工资", "5.00", "5.00", ""],
            ["50201-办公经费", "30201-办公费", "1.00", "", "1.00"],
            ["50502-商品和服务支出", "30201-办公费", "2.00", "", "2.00"],
            ["50201-办公经费", "3021101-差旅费", "0.50", "", "0.50"],
            ["", "合计", "8.50", "5.00", "3.50"]]
    problems = []
    t = read_table("basic", sheet("一般公共预算基本支出表", header, body), {}, "classified", problems, "economic")
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == []
    assert facts.get("eco", "30201", "public").value == Decimal(30000)


def test_a_unit_column_and_its_lines() -> None:
    header = [["预算单位", "科目编码", "科目名称", "支出总计", "基本支出", "项目支出"]]
    body = [["某某局", "", "", "10.00", "4.00", "6.00"],
            ["", "201", "一般公共服务支出", "10.00", "4.00", "6.00"],
            ["", "2010101", "行政运行", "10.00", "4.00", "6.00"]]
    problems: list = []
    t = read_table("spending", sheet("支出总表", header, body, meta="部门名称：某某局  单位：万元"), {},
                   "classified", problems, "all")
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == [] and not [p for p in problems if p.code == "W513"]
    assert [r.total for r in t.rows] == [True, False, False]


def test_prepared_by_as_department_and_unit() -> None:
    s = sheet("收支总体情况表", [["项目"]], [], meta="部门（单位）：烟台市某局  单位：万元")
    assert heading(s)[2] == "烟台市某局"


def test_a_blank_cell_among_last_years_three_public_figures_is_zero() -> None:
    header = [["2025年预算数", "", "", "", "", "", "2026年预算数", "", "", "", "", ""],
              ["合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"] * 2,
              ["", "", "小计", "公务用车购置费", "公务用车运行费", ""] * 2]
    body = [["14.30", "", "12.50", "", "12.50", "1.80", "14.30", "", "12.50", "", "12.50", "1.80"]]
    merges = [(3, 1, 3, 6), (3, 7, 3, 12), (4, 1, 5, 1), (4, 2, 5, 2), (4, 3, 4, 5), (4, 6, 5, 6),
              (4, 7, 5, 7), (4, 8, 5, 8), (4, 9, 4, 11), (4, 12, 5, 12)]
    problems: list = []
    t = read_table("three_public", sheet("“三公”经费支出情况表", header, body, merges), {}, "three_public",
                   problems)
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == []
    imp = to_data([t], facts)
    assert not imp.problems, imp.problems  # not E543: purchase 0 and running 12.50 both years
    assert imp.three_public["vehicle_purchase"]["prior"].value == 0
    assert imp.three_public["vehicle_running"]["prior"].value == Decimal(125000)


def test_a_paired_table_printed_without_figures_is_told_once() -> None:
    header = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
    body = [["一、一般公共预算收入", "", "一、一般公共服务支出", ""],
            ["二、政府性基金预算收入", "", "二、外交支出", ""],
            ["本年收入合计", "", "本年支出合计", ""]]
    merges = [(3, 1, 3, 2), (3, 3, 3, 4)]
    problems: list = []
    t = read_table("fiscal", sheet("财政拨款收支总体情况表", header, body, merges), {}, "paired", problems, "fiscal")
    assert errors(problems) == []  # its body found although no row holds a figure
    facts = check_tables([t], {})
    assert [p.code for p in facts.problems] == ["W535"]
    assert not facts.values


def test_a_three_public_table_by_fund_source_sums_its_sources() -> None:
    sources = ["一般公共预算", "政府性基金预算", "国有资本经营预算"]
    header = [["预算单位", "年度", "总计", "", "", "因公出国（境）费", "", "", "公务接待费", "", ""],
              ["", "", *sources, *sources, *sources]]
    body = [["某某局", "2025年", "5.00", "1.00", "", "2.00", "", "", "3.00", "1.00", ""],
            ["", "2026年", "4.00", "", "", "", "", "", "4.00", "", ""],
            ["", "增减变化金额", "-2.00", "", "", "-2.00", "", "", "0.00", "", ""]]
    merges = [(3, 1, 4, 1), (3, 2, 4, 2), (3, 3, 3, 5), (3, 6, 3, 8), (3, 9, 3, 11)]
    problems: list = []
    t = read_table("three_public", sheet("财政拨款“三公”经费支出表", header, body, merges), {}, "three_public",
                   problems)
    assert errors(problems) == [] and not [p for p in problems if p.code == "W513"], problems
    facts = check_tables([t], {})
    assert errors(facts.problems) == []
    assert facts.get("three_public", "prior", "total").value == Decimal(60000)
    assert facts.get("three_public", "prior", "reception").value == Decimal(40000)
    assert facts.get("three_public", "current", "reception").value == Decimal(40000)


def test_a_summary_headed_by_the_year_listing_kuan_and_xiang_under_each_lei() -> None:
    header = [["收入", "", "支出", ""], ["项目", "2026年预算数", "项目", "2026年预算数"]]
    body = [["一、财政拨款", "10.00", "一、一般公共服务支出", "10.50"],
            ["1.一般公共预算拨款", "10.00", "信访事务", "10.50"],
            ["二、单位资金", "0.00", "行政运行", "10.50"],
            ["本年收入合计", "10.00", "本年支出合计", "10.50"],
            ["上年结余、结转", "0.50", "结转下年", "0.00"],
            ["1.财政拨款结余、结转", "0.50", "", ""],
            ["收入总计", "10.50", "支出总计", "10.50"]]
    merges = [(3, 1, 3, 2), (3, 3, 3, 4)]
    problems: list = []
    t = read_table("summary", sheet("收支总表", header, body, merges), {}, "paired", problems, "all")
    assert errors(problems) == [] and not [p for p in problems if p.code == "W513"], problems
    facts = check_tables([t], {"201": "一般公共服务支出", "20140": "信访事务", "2014001": "行政运行"})
    assert errors(facts.problems) == [], facts.problems
    assert facts.get("inc", "carryover").value == Decimal(5000)
    assert facts.get("inc", "general_budget").value == Decimal(100000)
    assert facts.get("fn", "all", "201", "total").value == Decimal(105000)


def test_the_subtotal_of_a_group_not_read_is_left_out() -> None:
    header = [["科目编码", "科目名称", "支出总计", "基本支出", "项目支出", "2026年政府采购项目", ""],
              ["", "", "", "", "", "小计", "其中：预留给中小企业"]]
    body = [["201", "一般公共服务支出", "10.00", "4.00", "6.00", "3.00", "1.00"]]
    merges = [(3, 1, 4, 1), (3, 2, 4, 2), (3, 3, 4, 3), (3, 4, 4, 4), (3, 5, 4, 5), (3, 6, 3, 7)]
    problems: list = []
    t = read_table("spending", sheet("支出总表", header, body, merges), {}, "classified", problems, "all")
    assert errors(problems) == []
    assert set(t.rows[0].amounts) == {"total", "basic", "project"}


def test_a_table_of_fixed_lines_is_read_by_its_declared_labels() -> None:
    from budgetreport.importer.sheets import declared_kind
    from budgetreport.inputs.region import load_region

    spec = load_region("guangdong/guangzhou").tables["gz_admin_three_public"]
    assert declared_kind(spec) == ("lines", "all")
    header = [["项目", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"]]
    body = [["行政经费", "444.39", "444.39", "0.00", "0.00"],
            ["“三公”经费", "4.80", "4.80", "0.00", "0.00"],
            ["其中：（一）因公出国（境）支出", "0.00", "0.00", "0.00", "0.00"],
            ["（二）公务用车购置及运行维护支出", "2.50", "2.50", "0.00", "0.00"],
            ["1.公务用车购置费", "0.00", "0.00", "0.00", "0.00"],
            ["2.公务用车运行维护费", "2.50", "2.50", "0.00", "0.00"],
            ["（三）公务接待费支出", "2.30", "2.30", "0.00", "0.00"]]
    problems: list = []
    t = read_table("gz_admin_three_public", sheet("财政拨款安排的行政经费及“三公”经费预算表", header, body), {},
                   "lines", problems, "all", spec)
    facts = check_tables([t], {})
    assert errors([*problems, *facts.problems]) == []
    imp = to_data([t], facts)
    assert imp.three_public["reception"]["amount"].value == Decimal(23000)
    assert imp.three_public["vehicle_running"]["amount"].value == Decimal(25000)
    assert imp.running_costs is not None and imp.running_costs.value == Decimal(4443900)


def test_a_row_left_out_in_every_table_is_one_finding() -> None:
    from budgetreport.readback.alone import cell_words, suspects

    body = [["201", "一般公共服务支出", "15.00", "10.00", "5.00"],
            ["20140", "信访事务", "15.00", "10.00", "5.00"],
            ["2014001", "行政运行", "10.00", "10.00", ""]]  # 2014099 (5.00) not printed
    tables = [read_table(k, sheet(title, HEADER, body), {}, "classified", [], scope)
              for k, title, scope in (("spending", "部门支出总表", "all"),
                                      ("general", "一般公共预算支出表", "general_budget"))]
    facts = check_tables(tables, {})
    wrong = errors(facts.problems)
    assert len(wrong) >= 4  # each table: the 款's 合计 and 项目支出 against its 项
    found, explained = suspects(facts, cell_words(tables), wrong, tables)
    assert [f.code for f in found] == ["E531"] and set(explained) == set(wrong), found
    assert "信访事务" in found[0].message and "相差 5.00万元（多）" in found[0].message


def test_a_class_whose_kuan_and_xiang_share_its_name_is_counted_once() -> None:
    header = [["收入", "", "支出", ""], ["项目", "预算数", "项目", "预算数"]]
    body = [["一、一般公共预算拨款", "10.00", "一、其他支出", "10.00"],
            ["", "", "其他支出", "10.00"],
            ["", "", "其他支出", "10.00"],
            ["本年收入合计", "10.00", "本年支出合计", "10.00"]]
    t = read_table("summary", sheet("收支总表", header, body, [(3, 1, 3, 2), (3, 3, 3, 4)]), {}, "paired", [],
                   "all")
    facts = check_tables([t], {"229": "其他支出", "22999": "其他支出", "2299999": "其他支出"})
    assert errors(facts.problems) == [], facts.problems
