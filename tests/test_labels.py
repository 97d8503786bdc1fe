"""Data paths in the words a finance officer uses (labels.describe), and where they appear."""

from __future__ import annotations

import pytest

from budgetreport.checks.labels import describe, label
from budgetreport.inputs.load import read
from conftest import DATA, line_of, reported, run_cli

SHANGRAO = read(DATA / "shangrao-2022.yaml").data
XIAMEN = read(DATA / "xiamen-2022.yaml").data


@pytest.mark.parametrize(("loc", "data", "words"), [
    (("spending", 1, "public"), SHANGRAO, "支出第2项（2210302 住房公积金管理）的公用经费"),
    (("economic", 0, "personnel"), XIAMEN, "经济分类 30101 基本工资 的人员经费"),
    (("three_public", "reception", "prior"), None, "三公经费·公务接待费·上年预算数"),
    (("income", "general_budget"), None, "收入·一般公共预算拨款收入"),
    (("prior", "by_function", "221"), XIAMEN, "上年数·上年支出·221 住房保障支出"),
    (("department", "year"), None, "部门信息·预算年度"),
    (("carry_forward",), None, "结转下年"),
    (("spending", 1, "public"), None, "支出第2项的公用经费"),  # no data: position only
    (("spending", 0, "pubilc"), XIAMEN, "支出第1项（2080501 行政单位离退休）的pubilc"),  # unknown key
    (("spending", 99, "public"), XIAMEN, "支出第100项的公用经费"),  # beyond the list
    (("projects", 0, "summary", 0, "str"), XIAMEN, "项目第1项（信息化专项资金）的项目概述第1项"),
])
def test_describe(loc, data, words):
    assert describe(loc, data) == words


def test_raw_path_follows_in_brackets():
    assert describe(("spending", 1, "public"), SHANGRAO, raw=True) == \
        "支出第2项（2210302 住房公积金管理）的公用经费（spending[2].public）"


def test_name_comes_from_the_catalogue_when_the_file_omits_it():
    assert "name" not in SHANGRAO["spending"][1]
    assert "住房公积金管理" in describe(("spending", 1), SHANGRAO)


def test_never_raises_on_odd_data():
    for data in (None, {}, [], {"department": "x"}, {"spending": "x"}, {"department": {"year": "abc"}}):
        assert describe(("spending", 0, "public"), data)


def test_label_is_the_field_description():
    assert label(("three_public", "reception", "prior")) == "上年预算数"
    assert label(("spending", 0, "personnel")) == "人员经费"
    assert label(("nothing",)) == ""


def test_check_hint_names_the_item_by_code_name_and_label(edited):
    """One mistyped figure: the 提示 line names the item a finance officer knows."""
    path = edited("shangrao-2022.yaml", ("public: 714.94", "public: 714.49"))
    result = run_cli("check", path)
    [hint] = [r for r in reported(result.output) if r.code == "R200"]
    assert hint.line == line_of(path, "public: 714.49")
    assert hint.message.startswith("提示：支出第2项（2210302 住房公积金管理）的公用经费 714.49 可能有误")
    assert hint.message.endswith("（spending[2].public）")


def test_schema_messages_name_the_field_in_words(edited):
    path = edited("shangrao-2022.yaml", ("public: 714.94", "public: 七百"))
    result = run_cli("check", path)
    [problem] = [r for r in reported(result.output) if r.code == "E100"]
    assert problem.message.startswith("支出第2项（2210302 住房公积金管理）的公用经费应为")
    assert problem.message.endswith("（spending[2].public）")


def test_unknown_field_names_where_it_is(edited):
    path = edited("shangrao-2022.yaml", ('{code: "30201", public: 62.50}', '{code: "30201", pubilc: 62.50}'))
    [problem] = [r for r in reported(run_cli("check", path).output) if r.code == "E100"]
    assert problem.message.startswith("经济分类 30201 办公费中有未知字段“pubilc”，是否应为“public”（公用经费）？")
