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
    assert "提示" in hint and "1734.39" in hint and "1734.38" in hint
    # The unbalanced sums are still the errors; hints are few.
    assert {"R201", "R202", "R203"} <= {code for _, code in found}
    assert sum(code == "R200" for _, code in found) <= 6


def test_hint_names_the_edited_income_line(edited):
    path = edited("shangrao-2022.yaml", ("  other: 475.73", "  other: 475.74"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert (line_of(path, "other: 475.74"), "R200") in located(result.output, path)


def test_no_hint_when_several_figures_are_wrong(edited):
    path = edited("xiamen-2022.yaml", ("    personnel: 1734.38", "    personnel: 1734.39"),
                  ("  general_budget: 2735.83", "  general_budget: 2735.93"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert "R200" not in {code for _, code in located(result.output, path)}


def test_hints_never_fail_a_clean_file():
    result = run_cli("check", "--strict", DATA / "xiamen-2022.yaml")
    assert result.exit_code == 0 and "R200" not in result.output
