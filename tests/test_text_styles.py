"""Texts by declaration: a region's settings say how sentences show amounts, how headings are
numbered and aligned, how a 项 is named, how changes are worded and whether the 附表 part
lists its tables; an unknown or misspelt settings key is an error at its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetreport.checks.validate import check_file
from budgetreport.publish.build import check_document, prepare
from conftest import DATA, line_of

X = "xiamen-2022.yaml"


@pytest.fixture
def fujian(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace whose fujian region.yaml the test writes (the built-in one still applies)."""
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    settings = tmp_path / "templates" / "regions" / "fujian" / "region.yaml"
    settings.parent.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return settings


def html_of(settings: Path, text: str, sample: str = X) -> str:
    settings.write_text(text, encoding="utf-8")
    checked = check_file(DATA / sample)
    assert not checked.errors(), checked.errors()
    return prepare(checked).html


def test_unknown_key_of_a_region_is_an_error_at_its_line(fujian: Path) -> None:
    fujian.write_text("# 厦门\ntable_unit: 万元\ntabel_titles:\n  summary: 总表\n", encoding="utf-8")
    [p] = [p for p in check_file(DATA / X).errors() if p.code == "E821"]
    assert (Path(p.file).resolve(), p.line) == (fujian.resolve(), 3)
    assert "tabel_titles" in p.message and "table_titles" in p.message


def test_unknown_key_of_a_center_is_an_error_at_its_line(fujian: Path) -> None:
    center = fujian.parents[2] / "centers" / "xiamen" / "region.yaml"
    center.parent.mkdir(parents=True)
    center.write_text("text_unit: 万元\ncolour: red\n", encoding="utf-8")
    [p] = [p for p in check_document(DATA / X).errors() if p.code == "E821"]
    assert (Path(p.file).resolve(), p.line) == (center.resolve(), 2)
    assert "colour" in p.message


def test_every_builtin_settings_key_is_known() -> None:
    for sample in sorted(DATA.glob("*.yaml")):
        assert not [p for p in check_file(sample).problems if p.code == "E821"], sample


def test_unknown_key_inside_a_style_setting(fujian: Path) -> None:
    fujian.write_text("headings:\n  level1: {number: 一、, allign: center}\n", encoding="utf-8")
    [p] = [p for p in check_document(DATA / X).errors() if p.code == "E821"]
    assert p.line == line_of(fujian, "allign") and "headings.level1.allign" in p.message


def test_amounts_drop_zero_decimals_when_the_region_says_so(fujian: Path) -> None:
    fixed = html_of(fujian, "text_unit: 万元\n")
    assert "政府性基金拨款收入0.00万元" in fixed and "一般公共预算支出2735.83万元" in fixed
    trimmed = html_of(fujian, "text_decimals: trim\n")
    assert "政府性基金拨款收入0万元" in trimmed and "一般公共预算支出2735.83万元" in trimmed
    assert "0.00万元" not in trimmed
    # Tables keep their own display: the 附表 still show two decimals.
    assert ">2,735.83<" in trimmed or "2,735.83" in trimmed


def test_heading_numbers_and_alignment_by_level(fujian: Path) -> None:
    default = html_of(fujian, "name: 福建省\n")
    assert '<h1 id="s1" class="part">第一部分\u3000部门概况</h1>' in default
    assert '<h2 id="s1-1" class="h1">一、部门主要职责</h2>' in default
    html = html_of(fujian, "headings:\n  part: {number: 一、, align: left}\n  level1: {number: （一）}\n"
                           "  level2: {number: \"1.\", align: center}\n")
    assert '<h1 id="s1" class="part align-left">一、部门概况</h1>' in html
    assert '<span class="toc-label">一、</span>部门概况</a>' in html  # the contents as the heading
    assert '<span class="toc-label">第一部分　</span>部门概况</a>' in default
    assert '<h2 id="s1-1" class="h1">（一）部门主要职责</h2>' in html
    assert "<p>1.厦门市住房公积金中心部门2022年收入预算为" in html  # run-in level 2 numbers too
    assert 'class="h2 align-center">1.' in html
    unnumbered = html_of(fujian, "headings:\n  part: {number: \"\"}\n")
    assert '<h1 id="s1" class="part">部门概况</h1>' in unnumbered


def test_line_label_names_each_item_as_declared(fujian: Path) -> None:
    html = html_of(fujian, 'line_label: "{class}（{class_code}类）{kuan}（{kuan_code}款）{item}（{item_code}项）"\n')
    assert "社会保障和就业支出（208类）行政事业单位养老支出（05款）行政单位离退休（01项）23.67万元" in html
    quoted = html_of(fujian, 'line_label: "“{class}（类）{kuan}（款）{item}（项）”科目"\n')
    assert "“社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）”科目23.67万元" in quoted


def test_comparison_words_are_the_regions(fujian: Path) -> None:
    html = html_of(fujian, "comparison: {unchanged: 持平, increase: 增长了, rise: 上升}\n")
    assert "与2021年预算数持平" in html and "与上年预算持平，主要原因是" in html
    assert "比2021年预算数增长了205.14万元，上升8.11%" in html
    assert "相比无变化" not in html
    assert "与上年预算相比减少0.22万元，下降9.87%" in html  # words not declared stay as they were


def test_table_list_can_be_left_out(fujian: Path) -> None:
    assert '<p class="table-list">一、部门收支预算总体情况表</p>' in html_of(fujian, "table_list: true\n")
    assert 'class="table-list"' not in html_of(fujian, "table_list: false\n")


@pytest.mark.parametrize(("text", "words"), [
    ("text_decimals: none\n", "text_decimals 应为 fixed"),
    ("headings:\n  level1: {number: 甲、}\n", "number 应写出这一级第一个标题的编号"),
    ("headings:\n  level1: {number: 一、, align: middle}\n", "align 应为 left"),
    ("headings:\n  level9: {number: 一、}\n", "headings.level9"),
    ('line_label: "{class}{name}"\n', "line_label 中有未知的占位符“name”"),
    ("comparison: {same: 持平}\n", "comparison.same"),
    ("table_list: 是\n", "table_list 应为 true 或 false"),
])
def test_each_style_problem_at_its_line(fujian: Path, text: str, words: str) -> None:
    fujian.write_text("# 样式\n" + text, encoding="utf-8")
    found = [p for p in check_document(DATA / X).errors() if p.file.endswith("region.yaml")]
    assert len(found) == 1 and words in found[0].message, found
    assert found[0].line == 2 or (found[0].line == 3 and text.count("\n") == 2)


def test_per_item_comparisons_use_the_declared_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The per-项 sentences of a region with line_changes (Shanghai) take the words too."""
    sample = "shanghai-putuo-fuliyuan-2024.yaml"
    (tmp_path / "budgetreport.yaml").write_text("region: shanghai\n", encoding="utf-8")
    center = tmp_path / "templates" / "centers" / "shanghai-putuo-fuliyuan" / "region.yaml"
    center.parent.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert "比2023年预算执行数增加8.57%" in html_of(center, "line_changes: true\n", sample)
    html = html_of(center, "comparison: {increase: 增长, decrease: 下降}\n", sample)
    assert "比2023年预算执行数增长8.57%" in html and "比2023年预算执行数下降1.39%" in html


def test_a_title_for_a_part_no_template_has_is_an_error(fujian: Path) -> None:
    fujian.write_text("part_titles:\n  overview: 概况\n  overveiw: 部门概况\n", encoding="utf-8")
    [p] = [p for p in check_file(DATA / X).errors() if p.code == "E821"]
    assert p.line == 3 and "part_titles.overveiw" in p.message and "overview" in p.message
