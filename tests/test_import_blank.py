"""`new --xlsx`: the empty workbook staff fill in a spreadsheet program, read back by `import`.

The blank workbook for next year is filled, cell by cell, with this year's figures from the
workbook `build` writes (the same rows and columns), recalculated by LibreOffice as Excel or
WPS would on saving, and imported into next year's data file made by `new --from`: every
figure arrives, the subtotals come from the sheet's own formulas, and the file passes `check`
apart from the texts a new year needs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetreport.inputs.load import read
from conftest import DATA, run_cli
from test_import_roundtrip import workbook_of


def soffice() -> str:
    exe = shutil.which("soffice")
    if exe is None:
        pytest.fail("找不到 LibreOffice（soffice）：请用 ./scripts/test 运行测试")
    return exe


def recalculated(book: Path, folder: Path) -> Path:
    """The workbook as a spreadsheet program saves it: every formula with its result."""
    out = folder / "saved"
    subprocess.run([soffice(), f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), str(book)],
                   check=True, capture_output=True, timeout=300)
    return out / book.name


def test_blank_workbook_filled_and_imported(tmp_path: Path) -> None:
    sample = DATA / "xiamen-2022.yaml"
    blank = tmp_path / "blank.xlsx"
    result = run_cli("new", "--from", sample, "--year", "2023", "--xlsx", blank)
    assert result.exit_code == 0, result.output
    wb = load_workbook(blank)
    formulas = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
                if isinstance(c.value, str) and c.value.startswith("=")]
    assert formulas, "subtotals are formulas"
    assert not any(isinstance(c.value, (int, float)) for ws in wb.worksheets
                   for row in ws.iter_rows(min_row=3) for c in row), "no figure is prefilled"

    built = load_workbook(workbook_of(sample, tmp_path))
    typed = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=3):
            for c in row:
                label = str(ws.cell(c.row, 1).value or "")
                value = built[ws.title].cell(c.row, c.column).value
                last_year = label.startswith("2022年")  # the 三公 row of last year: not stated
                if c.value is None and isinstance(value, (int, float)) and not last_year:
                    c.value, typed = value, typed + 1
    filled = tmp_path / "filled.xlsx"
    wb.save(filled)
    saved = recalculated(filled, tmp_path)

    data = tmp_path / "xiamen-2023.yaml"
    assert run_cli("new", "--from", sample, "--year", "2023", "-o", data).exit_code == 0
    result = run_cli("import", saved, "--into", data)
    assert result.exit_code == 0, result.output
    old, new = read(sample).data, read(data).data
    assert new["income"] == old["income"]
    for key in ("spending", "economic"):
        fields = ("personnel", "public", "project")
        assert [{f: x.get(f, 0) for f in fields if f in x or key == "spending"} for x in new[key]] == \
            [{f: x.get(f, 0) for f in fields if f in x or key == "spending"} for x in old[key]]
    assert {k: v["amount"] for k, v in new["three_public"].items() if isinstance(v, dict)} == \
        {k: v["amount"] for k, v in old["three_public"].items() if isinstance(v, dict)}
    assert typed < len(formulas) + typed  # some figures typed, the rest worked out by the sheet


def test_blank_workbook_for_a_new_center(tmp_path: Path) -> None:
    blank = tmp_path / "new.xlsx"
    result = run_cli("new", "--region", "jiangxi", "--name", "某单位", "--year", "2022", "--xlsx", blank)
    assert result.exit_code == 0, result.output
    wb = load_workbook(blank)
    codes = {str(ws.cell(r, 1).value) for ws in wb.worksheets for r in range(1, ws.max_row + 1)}
    assert {"2010101", "30101"} <= codes  # the catalogue's 项 and 款 rows are ready
    assert run_cli("new", "--region", "jiangxi", "--name", "某单位", "--year", "2022",
                   "--xlsx", blank).exit_code == 2  # never overwritten
