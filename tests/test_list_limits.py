"""The items of a list are bounded (R806), so that no file can make a table — and its
layout — run to tens of thousands of rows; the message names the limit, at the list's line."""

from __future__ import annotations

import pytest

from budgetreport.checks.limits import MAX_ITEMS, MAX_LIST
from conftest import line_of, reported, run_cli

DUTY = "    - 配合市住房保障和房屋管理局承担住房公积金的归集、使用、保值、归还等方面事务性工作。\n"
LINE = '  - code: "2080501"\n    name: 行政单位离退休\n    source: general_budget\n    personnel: 23.67\n'
FIRST = '      - {level1: 产出指标, level2: 数量指标, name: 优化和新增功能模块数, value: "7个"}\n'
INDICATOR = "      - {level1: 产出指标, level2: 数量指标, name: 指标, value: 1项}\n"


@pytest.mark.parametrize(("needle", "extra", "count", "most", "at"), [
    ("  duties:\n", DUTY, MAX_LIST, MAX_LIST, ("  duties:", 0)),
    ("\nspending:\n", LINE, MAX_ITEMS["spending"], MAX_ITEMS["spending"], ("spending:", 0)),
    (FIRST, INDICATOR, MAX_LIST, MAX_LIST, ("优化和新增功能模块数", -1))],
    ids=["paragraphs", "spending lines", "indicators of a project"])
def test_a_list_beyond_its_limit_is_refused_at_its_line(edited, needle: str, extra: str, count: int,
                                                        most: int, at: tuple[str, int]) -> None:
    path = edited("xiamen-2022.yaml", (needle, needle + extra * count))
    result = run_cli("check", path)
    assert result.exit_code == 1, result.output
    [problem] = reported(result.output)
    assert problem.code == "R806" and f"上限 {most:,} 项" in problem.message, result.output
    assert problem.line == line_of(path, at[0], exact=not at[1]) + at[1], result.output


def test_a_list_at_its_limit_passes_the_bound(edited) -> None:
    path = edited("xiamen-2022.yaml", ("  duties:\n", "  duties:\n" + DUTY * (MAX_LIST - 1)))
    assert "R806" not in run_cli("check", path).output
