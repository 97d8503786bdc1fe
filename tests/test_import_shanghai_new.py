"""`import -o` of a workbook in the Shanghai platform's export shape: the new data file holds
every figure the 上海市财政局 published for 2025 and leaves only texts for `check` to list."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetreport.inputs.load import read
from conftest import reported, run_cli
from shanghai_export import ECONOMIC, LINES, NAME, PUBLISHED, RUNNING_COSTS, THREE_PUBLIC, YEAR, shanghai_czj
from test_import_shanghai import run_import, workspace  # noqa: F401  (autouse fixture)


@pytest.mark.parametrize("org", ["单位", "部门"])
def test_new_file_from_the_export(org: str, tmp_path: Path) -> None:
    book = shanghai_czj(org).save(tmp_path / "export.xlsx")
    assert {"2.15单位收支总表", "3.15部门收支总表"} & set(load_workbook(book).sheetnames)
    result, out = run_import(book, tmp_path)
    assert result.exit_code == 0, result.output
    data = read(out).data
    assert data["unit"] == "元"
    assert data["department"]["name"] == NAME and data["department"]["year"] == YEAR
    assert data["income"]["general_budget"] == PUBLISHED["total"]
    assert all(data["income"][s] == 0 for s in ("gov_fund", "state_capital", "business",
                                                "operating", "other"))
    lines = {x["code"]: x for x in data["spending"]}
    assert set(lines) == {c for c, _, _, _ in LINES}
    for code, name, basic, project in LINES:
        got = lines[code]
        assert got.get("name", name) == name and got["source"] == "general_budget"  # or the catalogue's
        assert got.get("basic", 0) == basic and got.get("project", 0) == project
        assert "personnel" not in got and "public" not in got  # no split is invented
    economic = {x["code"]: x for x in data["economic"]}
    for code, _, personnel, public in ECONOMIC:
        assert (economic[code].get("personnel", 0), economic[code].get("public", 0)) == (personnel, public)
    tp = data["three_public"]
    wan = Decimal(10000)
    assert [tp[k]["amount"] for k in ("abroad", "reception", "vehicle_purchase", "vehicle_running")] \
        == [v * wan for v in THREE_PUBLIC]
    assert data["carry_forward"] == 0
    assert "运行 budgetreport check" in result.output
    # the texts are left for the officer: `check` lists them, each at its line
    checked = run_cli("check", out)
    assert checked.exit_code == 1
    listed = reported(checked.output)
    assert listed and all(r.line for r in listed)
    figures = ("income", "spending", "economic", "three_public", "carry_forward")
    assert not [r for r in listed if re.search(rf"[（“]({'|'.join(figures)})[.\[]", r.message)], \
        checked.output  # nothing about a figure: only texts and what no table carries
    # 机关运行经费 as the table states it (2,517.78万元) is what the economic table gives
    assert RUNNING_COSTS == Decimal("2517.78") and "W554" not in result.output


