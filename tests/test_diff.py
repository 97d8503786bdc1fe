"""`diff`: the input figures, computed totals and sentences that change between two versions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from budgetreport.commands.diff import Changed, Report, diff, format_html, format_text, load_side, write_html
from budgetreport.common.problems import BudgetError
from conftest import DATA, ROOT, line_of, replace_once, run_cli

SAMPLE = "xiamen-2022.yaml"
# +0.01 on one personnel figure, with the income and economic figures that keep the file valid
CENT_MORE = (("personnel: 1734.38", "personnel: 1734.39"),
             ("general_budget: 2735.83", "general_budget: 2735.84"),
             ("personnel: 312.36", "personnel: 312.37"))


@pytest.fixture
def cent_more(edited) -> Path:  # type: ignore[no-untyped-def]
    return edited(SAMPLE, *CENT_MORE, folder="new")




def triples(items: list[Changed]) -> set[tuple[str, str, str]]:
    return {(c.name, c.old, c.new) for c in items}


def test_identical_files_have_no_changes(edited) -> None:  # type: ignore[no-untyped-def]
    report = diff(str(DATA / SAMPLE), str(edited(SAMPLE)))
    assert report == Report()
    assert format_text(report).count("无变化") == 3


def test_one_cent_shows_inputs_totals_and_sentences(cent_more: Path) -> None:
    report = diff(str(DATA / SAMPLE), str(cent_more))
    assert {(c.name, c.path, c.old, c.new, c.line) for c in report.inputs} == {
        ("支出第6项（2210302 住房公积金管理）的人员经费", "spending[2210302/general_budget].personnel",
         "1734.38", "1734.39", line_of(cent_more, "personnel: 1734.39")),
        ("收入·一般公共预算拨款收入", "income.general_budget", "2735.83", "2735.84",
         line_of(cent_more, "general_budget: 2735.84")),
        ("经济分类 30101 基本工资 的人员经费", "economic[30101].personnel", "312.36", "312.37",
         line_of(cent_more, "personnel: 312.37")),
    }
    totals = triples(report.totals)
    assert {("支出合计", "2735.83", "2735.84"), ("人员经费", "1922.62", "1922.63"),
            ("收入总计", "2735.83", "2735.84"), ("住房保障支出（221）合计", "2469.59", "2469.60"),
            ("住房公积金管理（2210302）人员经费", "1734.38", "1734.39"),
            ("支出合计比上年增减额", "205.14", "205.15"),
            ("基本支出经济分类：基本工资（30101）人员经费", "312.36", "312.37")} <= totals
    assert not {name for name, _, _ in totals if "公用经费" in name or "项目支出" in name}
    # every changed sentence is paired with its new wording; the tables are not among them
    assert all(s.old and s.new for s in report.sentences)
    new = [s.new for s in report.sentences if s.new]
    assert any("收入预算为2735.84万元" in s and "增长8.11%" in s for s in new)
    assert any("支出预算为2735.84万元" in s for s in new)
    assert any("人员支出1922.63万元" in s for s in new)
    text = format_text(report)
    assert ("第{}行  支出第6项（2210302 住房公积金管理）的人员经费"
            "（spending[2210302/general_budget].personnel）：1734.38 → 1734.39").format(
        line_of(cent_more, "personnel: 1734.39")) in text
    assert "支出合计：2735.83 → 2735.84" in text
    assert "无变化" not in text


def test_removed_and_added_items(edited) -> None:  # type: ignore[no-untyped-def]
    last = ('      - {level1: 满意度指标, level2: 服务对象满意度指标, name: 缴存单位及职工满意度, '
            'value: "≥95%"}\n\n# ---')
    new = edited(SAMPLE, (last, "\n# ---"), ("name: 公积金业务费", "name: 公积金业务经费"))
    inputs = triples(diff(str(DATA / SAMPLE), str(new)).inputs)
    assert ("项目第2项（专项业务费）的绩效指标第10项（缴存单位及职工满意度）",
            "删去：缴存单位及职工满意度", "（无）") in inputs
    assert ("项目第2项（专项业务费）的二级项目第1项（公积金业务经费）",
            "（无）", "新增：本年预算 124.00") in inputs
    assert ("项目第2项（专项业务费）的二级项目第1项（公积金业务费）",
            "删去：本年预算 124.00", "（无）") in inputs


@pytest.mark.parametrize("relative", [True, False])
def test_git_revision_against_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     relative: bool) -> None:
    """Compared with the committed sample itself, so uncommitted edits don't matter."""
    monkeypatch.chdir(ROOT)
    spec = f"HEAD:data/{SAMPLE}" if relative else f"HEAD:{DATA / SAMPLE}"
    committed = subprocess.run(["git", "show", f"HEAD:data/{SAMPLE}"], capture_output=True,
                               check=True, text=True).stdout
    same, changed = tmp_path / "same" / SAMPLE, tmp_path / "changed" / SAMPLE
    same.parent.mkdir()
    changed.parent.mkdir()
    same.write_text(committed, encoding="utf-8")
    text = committed
    for old, new in CENT_MORE:
        text = replace_once(text, old, new)
    changed.write_text(text, encoding="utf-8")
    old_side = load_side(spec)
    assert old_side.source is not None and old_side.source.name == spec and not old_side.errors()
    assert diff(spec, str(same)) == Report()
    assert ("支出第6项（2210302 住房公积金管理）的人员经费", "1734.38",
            "1734.39") in triples(diff(spec, str(changed)).inputs)


@pytest.mark.parametrize(("spec", "code", "words"), [
    ("no-such-rev:data/xiamen-2022.yaml", "E012", "没有版本“no-such-rev”"),
    ("HEAD:data/no-such-file.yaml", "E013", "没有文件 data/no-such-file.yaml"),
])
def test_git_errors_are_clear(spec: str, code: str, words: str,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    with pytest.raises(BudgetError) as caught:
        load_side(spec)
    [problem] = caught.value.problems
    assert (problem.file, problem.code) == (spec, code) and words in problem.message


def test_a_side_that_breaks_the_rules_still_shows_its_changes(edited) -> None:  # type: ignore[no-untyped-def]
    """diff refused a file with errors — exactly when a reviewer needs it."""
    bad = edited(SAMPLE, ("general_budget: 2735.83", "general_budget: 2735.84"))
    report = diff(str(DATA / SAMPLE), str(bad))
    assert "R202" in {p.code for p in report.problems}
    assert all(p.file.endswith(bad.name) for p in report.problems)
    assert ("收入·一般公共预算拨款收入", "2735.83", "2735.84") in triples(report.inputs)
    assert report.computed and ("收入总计", "2735.83", "2735.84") in triples(report.totals)
    assert any(s.new and "2735.84万元" in s.new for s in report.sentences)
    result = run_cli("diff", DATA / SAMPLE, bad)
    assert result.exit_code == 1
    assert "收入·一般公共预算拨款收入（income.general_budget）：2735.83 → 2735.84" in result.stdout
    assert "[R202]" in result.stderr


def test_a_side_that_fails_the_model_shows_its_inputs_and_says_why_not_more(edited) -> None:  # type: ignore[no-untyped-def]
    bad = edited(SAMPLE, ("personnel: 1734.38", "personnel: 一千"))
    report = diff(str(DATA / SAMPLE), str(bad))
    assert not report.computed and not report.worded and [p.code for p in report.problems] == ["E100"]
    assert any(c.old == "1734.38" and c.new == "一千" for c in report.inputs)
    text = format_text(report)
    assert text.count("有 1 个错误，无法得出") == 2 and "无变化" not in text
    page = format_html(report, "old", "new")
    assert "有 1 个错误，无法得出" in page and "E100" in page


def test_changed_texts_are_input_changes(edited) -> None:  # type: ignore[no-untyped-def]
    """A changed purpose showed only as a changed sentence, 输入数据的变化 saying 无变化."""
    new = edited(SAMPLE, ("purpose: 单位退休人员支出", "purpose: 单位退休人员的支出"))
    report = diff(str(DATA / SAMPLE), str(new))
    [changed] = report.inputs
    assert (changed.old, changed.new) == ("单位退休人员支出", "单位退休人员的支出")
    assert changed.path == "spending[2080501/general_budget].purpose" and "2080501" in changed.name
    assert changed.line == line_of(new, "purpose: 单位退休人员的支出")
    assert "无变化" not in format_text(report).split("计算结果的变化")[0]


def test_html_escapes_data_text(edited) -> None:  # type: ignore[no-untyped-def]
    new = edited(SAMPLE, ("general_budget: 信息化投入支出增加。",
                          "general_budget: 信息化投入<script>alert(1)</script>支出增加。"))
    report = diff(str(DATA / SAMPLE), str(new))
    [changed] = report.sentences
    assert changed.old and changed.new and "<script>" in changed.new
    page = format_html(report, "old <b>", str(new))
    assert "<script>" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "old &lt;b&gt;" in page


def test_html_file_has_three_sections(cent_more: Path, tmp_path: Path) -> None:
    report = diff(str(DATA / SAMPLE), str(cent_more))
    out = tmp_path / "out" / "diff.html"
    write_html(out, report, f"data/{SAMPLE}", str(cent_more))
    page = out.read_text(encoding="utf-8")
    for heading in ("输入数据的变化", "计算结果的变化", "文中变化的句子"):
        assert heading in page
    assert "支出第6项（2210302 住房公积金管理）的人员经费" in page and "无变化" not in page
    assert "spending[2210302/general_budget].personnel" in page
    # character-level marks: only the changed digit of 2735.83 → 2735.84 is highlighted
    assert "收入预算为2735.8<mark>3</mark>万元" in page and "收入预算为2735.8<mark>4</mark>万元" in page


def test_rates_of_change_carry_the_sign_of_the_amount(edited) -> None:  # type: ignore[no-untyped-def]
    """公务接待费 falls from 2.23 to 2.01 (−9.87%); cut to 1.01 it falls by 54.71%: both the
    amount and the rate of the change read as falls, in the terminal and in the HTML."""
    new = edited(SAMPLE, ("  reception:\n    amount: 2.01", "  reception:\n    amount: 1.01"))
    report = diff(str(DATA / SAMPLE), str(new))
    totals = triples(report.totals)
    assert ("公务接待费比上年增减额", "-0.22", "-1.22") in totals
    assert ("公务接待费比上年增减率", "-9.87%", "-54.71%") in totals
    assert ("三公经费·公务接待费·本年预算数", "2.01", "1.01") in triples(report.inputs)
    assert "公务接待费比上年增减率：-9.87% → -54.71%" in format_text(report)
    page = format_html(report, "old", "new")
    assert "-9.87%" in page and "-54.71%" in page


def test_a_rise_and_a_fall_are_signed_alike() -> None:
    from decimal import Decimal

    from budgetreport.commands.diff import _change
    from budgetreport.common.money import Change

    out: dict[str, str] = {}
    _change(out, "升", Change(Decimal("110"), Decimal("100")))
    _change(out, "降", Change(Decimal("90"), Decimal("100")))
    assert (out["升比上年增减额"], out["升比上年增减率"]) == ("10.00", "10.00%")
    assert (out["降比上年增减额"], out["降比上年增减率"]) == ("-10.00", "-10.00%")
