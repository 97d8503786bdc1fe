"""A mistyped figure breaks sums far from its own line; the hints point back at it."""

from __future__ import annotations

from conftest import DATA, line_of, located, run_cli


def test_hint_names_the_edited_spending_line(edited):
    path = edited("xiamen-2022.yaml", ("    personnel: 1734.38", "    personnel: 1734.39"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    found = located(result.output, path)
    edited_line = line_of(path, "personnel: 1734.39")
    assert (edited_line, "R200") in found
    hint = next(line for line in result.output.splitlines() if f":{edited_line}: " in line)
    assert "提示" in hint and "1,734.39 可能有误：若为 1,734.38" in hint
    # The unbalanced sums are still the errors; the equally balancing figures are one hint,
    # the longest figure (most keys typed) first, the others after it.
    assert {"R201", "R202", "R203"} <= {code for _, code in found}
    assert sum(code == "R200" for _, code in found) == 1
    assert "同样能使其平衡的还有：" in hint and "23.67（若为 23.66）" in hint


def test_the_likeliest_slip_comes_first(edited):
    """Five "若为 X，…全部平衡" hints were equally prominent: two swapped digits (1734.83 for
    1734.38) are one slip, the other figures would need several changed digits."""
    path = edited("xiamen-2022.yaml", ("    personnel: 1734.38", "    personnel: 1734.83"))
    result = run_cli("check", path)
    hints = [line for line in result.output.splitlines() if "[R200]" in line]
    assert len(hints) == 1
    assert f":{line_of(path, 'personnel: 1734.83')}: " in hints[0]
    first, _, others = hints[0].partition("同样能使其平衡的还有：")
    assert "1,734.83 可能有误：若为 1,734.38" in first and "（spending[6].personnel）" in first
    assert "23.67（若为 23.22）" in others


def test_hint_names_the_edited_income_line(edited):
    path = edited("shangrao-2022.yaml", ("  other: 475.73", "  other: 475.74"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    # as likely as the one 项 funded by 其他收入 (475.73 for 475.74 either way): one hint, both named
    [hint] = [line for line in result.output.splitlines() if "[R200]" in line]
    assert "收入·其他收入 475.74（若为 475.73）" in hint and "项目支出 475.73 可能有误" in hint


def test_no_hint_when_several_figures_are_wrong(edited):
    path = edited("xiamen-2022.yaml", ("    personnel: 1734.38", "    personnel: 1734.39"),
                  ("  general_budget: 2735.83", "  general_budget: 2735.93"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert "R200" not in {code for _, code in located(result.output, path)}


def test_hints_never_fail_a_clean_file():
    result = run_cli("check", "--strict", DATA / "xiamen-2022.yaml")
    assert result.exit_code == 0 and "R200" not in result.output
