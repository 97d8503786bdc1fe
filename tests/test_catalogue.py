"""Classification catalogues: the built-in 2022–2026 entries with their sources, codes the data
names itself (accepted with a warning), the errors that remain, workspace additions, and
`budgetreport catalogue`."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetreport.inputs.catalogue import load_catalogue
from conftest import DATA, line_of, located, replace_once, reported, run_cli
from test_templates import text_of


def test_builtin_catalogue_covers_2022_to_2026_each_entry_marked_with_its_source() -> None:
    for year in range(2022, 2027):
        cat = load_catalogue(year)
        assert cat.year == year
        # Additions by the ministry's notices apply from their year on (NOTES.md).
        assert ("22006" in cat.function) == (year >= 2024)
        assert ("2170404" in cat.function) == (year >= 2025)
        assert cat.function["20809"].name == "退役安置" and "xzcs2022.com" in (cat.function["20809"].source or "")
        assert cat.economic["30217"].name == "公务接待费" and cat.economic["30217"].verified
    assert load_catalogue(2021).year == 2022 and load_catalogue(2030).year == 2026
    # Pre-2019 military 款 are not part of the 2022+ catalogue.
    assert "30221" not in load_catalogue(2024).economic


def department(tmp_path: Path, *edits: tuple[str, str], names: str = '  "20402": 公安\n') -> Path:
    """Xiamen's figures for a 公共安全 (204) department: one 项 moved to 2040201 行政运行, whose
    款 20402 no catalogue entry names — the data does, in `names:`."""
    text = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
    text = replace_once(text, '  - code: "2080501"\n    name: 行政单位离退休',
                        '  - code: "2040201"\n    name: 行政运行')
    text = replace_once(text, "\nspending:\n", f"\nnames:\n{names}\nspending:\n" if names else "\nspending:\n")
    for old, new in edits:
        text = replace_once(text, old, new)
    path = tmp_path / "sifa-2022.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_code_named_by_the_data_is_accepted_with_a_warning_and_printed(tmp_path: Path) -> None:
    path = department(tmp_path)
    result = run_cli("check", path)
    assert result.exit_code == 0, result.output
    # Both the 款 (from `names:`) and the 项 (its own `name`) are named by the data alone.
    found = [r for r in reported(result.output) if r.names(path)]
    assert {(w.line, w.code, w.warning) for w in found} == {
        (line_of(path, '"20402": 公安'), "R106", True), (line_of(path, "name: 行政运行"), "R106", True)}
    assert all("取自数据" in w.message for w in found)
    assert run_cli("check", "--strict", path).exit_code == 1
    text = text_of(path)
    assert "公安" in text and "行政运行" in text


def test_errors_remain_for_unnamed_contradicting_and_malformed_codes(tmp_path: Path) -> None:
    unnamed = department(tmp_path, names="")
    result = run_cli("check", unnamed)
    assert result.exit_code == 1
    assert located(result.output, unnamed) == {(line_of(unnamed, '"2040201"'), "R102"),
                                                (line_of(unnamed, "name: 行政运行"), "R106")}
    assert "20402" in result.output and "names" in result.output

    (tmp_path / "a").mkdir()
    wrong = department(tmp_path / "a", names='  "20402": 公安\n  "208": 社会保障支出\n  "2040": 公安\n'
                                            '  "21201": 城乡社区管理事务\n')
    result = run_cli("check", wrong)
    assert result.exit_code == 1
    assert located(result.output, wrong) == {
        (line_of(wrong, '"20402": 公安'), "R106"),
        (line_of(wrong, "name: 行政运行"), "R106"),
        (line_of(wrong, '"208": 社会保障支出'), "R103"),  # the catalogue says 社会保障和就业支出
        (line_of(wrong, '"2040": 公安'), "R101"),
        (line_of(wrong, '"21201"'), "R107"),  # used nowhere in this file
    }


def test_catalogue_command_lists_data_names_and_a_workspace_entry_settles_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    path = department(tmp_path)
    listed = run_cli("catalogue", path)
    assert listed.exit_code == 0, listed.output
    assert "20402 公安" in listed.output
    snippet = listed.output.split("catalogue/2022.yaml", 1)[1].split("\n", 1)[1]
    assert snippet.startswith("function:\n")
    # The snippet, with its source filled in, becomes the workspace's catalogue entry.
    (tmp_path / "catalogue").mkdir()
    (tmp_path / "catalogue" / "2022.yaml").write_text(
        snippet.replace("source: }", "source: 本单位核对的2022年政府收支分类科目}"), encoding="utf-8")
    result = run_cli("check", "--strict", path)
    assert result.exit_code == 0, result.output
    assert "都在2022年科目目录中" in run_cli("catalogue", path).output
    shown = run_cli("templates", path).output
    assert "catalogue/2022.yaml" in shown.split("科目目录")[1]


def test_a_malformed_workspace_catalogue_is_refused_with_its_line(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    bad = tmp_path / "catalogue" / "codes.yaml"
    bad.parent.mkdir()
    bad.write_text('function:\n  "20402": {name: 公安}\n  "2040x": {name: 错}\nyear: 2022\n', encoding="utf-8")
    result = run_cli("check", DATA / "xiamen-2022.yaml")
    assert result.exit_code == 1 and "Traceback" not in result.output
    found = {(r.line, r.code) for r in reported(result.output)}
    assert found == {(line_of(bad, "2040x"), "E046"), (line_of(bad, "year: 2022"), "E044")}
