"""R804 holds for every sum a reader can redo on a printed table: both halves of the 收支总表
(income by source, 本年收入合计, 收入总计) and the Shanghai forms, whose 合计 comes last."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import DATA, in_yuan, line_of, reported, run_cli


def workspace(folder: Path, region: str, center: str, settings: str) -> None:
    (folder / "budgetreport.yaml").write_text(f"region: {region}\n", encoding="utf-8")
    own = folder / "templates" / "centers" / center
    own.mkdir(parents=True)
    (own / "region.yaml").write_text(settings, encoding="utf-8")


def two_sources(path: Path, second: str) -> None:
    """Xiamen in 元 with a second source: each source ends in half a 0.01 万元, so each
    prints rounded up while their exact sum (本年收入合计) does not — every rule holds."""
    in_yuan("xiamen-2022.yaml", path)
    yaml = YAML(typ="safe", pure=True)
    yaml.representer.add_representer(
        Decimal, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", f"{d:f}"))
    data = yaml.load(path.read_text(encoding="utf-8"))
    line = next(x for x in data["spending"] if x["code"] == "2101101")
    line["personnel"] = Decimal(str(line["personnel"])) + 50
    next(e for e in data["economic"] if e["code"] == "30110")["personnel"] = Decimal(str(line["personnel"]))
    data["income"]["general_budget"] = Decimal(str(data["income"]["general_budget"])) + 50
    data["spending"].append({"code": "2210302", "source": second, "project": Decimal(10050),
                             "purpose": "住房公积金管理"})
    data["income"][second] = Decimal(10050)  # 1.005 万元
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)


@pytest.mark.parametrize(("second", "tables"), [
    ("business", ["部门收支预算总体情况表"]),
    ("gov_fund", ["部门收支预算总体情况表", "财政拨款收支预算总体情况表"])])
def test_income_side_of_the_summary_tables_adds_up_as_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second: str, tables: list[str]) -> None:
    workspace(tmp_path, "fujian", "xiamen", "tables: [summary, fiscal]\n")
    monkeypatch.chdir(tmp_path)
    two_sources(tmp_path / "xiamen-2022.yaml", second)
    result = run_cli("check", "xiamen-2022.yaml")
    problems = reported(result.output)
    assert result.exit_code == 1 and {p.code for p in problems} == {"R804"}, result.output
    income = [p.message for p in problems if "“本年收入合计”行收入·预算数一栏打印为 2,736.84" in p.message]
    assert [t for t in tables if any(t in m and "所列各项相加为 2,736.85" in m for m in income)] == tables
    assert any("“本年支出合计”行" in p.message for p in problems)


def test_income_side_holds_when_the_sources_print_consistently(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(tmp_path, "fujian", "xiamen", "tables: [summary, fiscal]\n")
    monkeypatch.chdir(tmp_path)
    in_yuan("xiamen-2022.yaml", tmp_path / "xiamen-2022.yaml")
    result = run_cli("check", "xiamen-2022.yaml")
    assert result.exit_code == 0, result.output


def test_shanghai_forms_add_up_downwards_with_their_total_last(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample is in 元; printed in 万元 its 款 20805 (758.9473) rounds to 758.95 while
    its 项 rows print 25.93 + 8.53 + 482.72 + 241.36 + 0.42 = 758.96."""
    sample = "shanghai-putuo-wanli-2025.yaml"
    workspace(tmp_path, "shanghai", "shanghai-putuo-wanli", "table_unit: 万元\n")
    monkeypatch.chdir(tmp_path)
    shutil.copy(DATA / sample, tmp_path / sample)
    result = run_cli("check", sample)
    down = [p.message for p in reported(result.output)
            if p.code == "R804" and "所列各项" in p.message and "支出预算总表" in p.message]
    assert any("“行政事业单位养老支出”行支出预算·合计一栏打印为 758.95" in m and "相加为 758.96" in m for m in down), \
        result.output
    # at the line of the 项 whose rounding made the difference, not at `unit:`
    pension = [p for p in reported(result.output) if "“行政事业单位养老支出”行" in p.message]
    start = line_of(tmp_path / sample, 'code: "2080505"')  # the line, or its field 基本支出合计
    assert pension and all(p.line in (start, start + 2) for p in pension), pension
    assert (tmp_path / sample).read_text(encoding="utf-8").splitlines()[start + 1].strip().startswith("basic:")
    assert all("2080505" in p.message for p in pension)


def test_a_sum_across_names_its_column_and_the_figure_to_adjust_at_its_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The 三公 row (no row name) printed 购置费 14.99 + 运行费 21.56 ≠ 小计 36.55: the message
    named the row “” and pointed at `unit:`; it names the column by its header path and
    points at the 购置费 (rounded up most) in the data."""
    sample = "shanghai-putuo-wanli-2025.yaml"
    monkeypatch.chdir(tmp_path)
    text = (DATA / sample).read_text(encoding="utf-8")
    text = text.replace("vehicle_purchase: {amount: 150000,", "vehicle_purchase: {amount: 149950,")
    text = text.replace("vehicle_running: {amount: 215600,", "vehicle_running: {amount: 215550,")
    (tmp_path / sample).write_text(text, encoding="utf-8")
    result = run_cli("check", sample)
    [problem] = [p for p in reported(result.output) if p.code == "R804"]
    assert problem.line == line_of(tmp_path / sample, "vehicle_purchase: {amount: 149950,")
    assert "公务用车购置及运行费·小计一栏打印为 36.55" in problem.message
    assert "购置费、运行费" in problem.message and "36.56" in problem.message
    assert "公务用车购置费" in problem.message and "149,950" in problem.message
    assert "“”" not in problem.message
