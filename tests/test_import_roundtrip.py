"""`import` of a sample's own workbook: every sample in data/ comes back unchanged.

For each data file: its workbook is written as `build` writes it, then imported `--into` a
copy of the file; not one figure may change, and the file is left byte for byte as it was.
New samples are picked up as they are added (the test iterates over data/*.yaml).
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from budgetreport.excel import write_workbook
from budgetreport.figures import compute
from budgetreport.tables import build_tables
from budgetreport.validate import check_file
from conftest import DATA, run_cli

SAMPLE_FILES = sorted(p.name for p in DATA.glob("*.yaml"))


def workbook_of(data: Path, folder: Path) -> Path:
    """The 附表 workbook `build` writes for `data` (the PDF is not needed here)."""
    checked = check_file(data)
    assert not checked.errors(), checked.errors()
    assert checked.budget is not None and checked.region is not None
    figures = compute(checked.budget)
    out = folder / f"{data.stem}.xlsx"
    write_workbook(build_tables(figures, checked.region), out, title="附表", creator="t",
                   created=dt.datetime(2024, 1, 1))
    return out


@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_own_workbook_changes_nothing(sample: str, tmp_path: Path) -> None:
    book = workbook_of(DATA / sample, tmp_path)
    copy = tmp_path / sample
    shutil.copy(DATA / sample, copy)
    result = run_cli("import", book, "--into", copy)
    assert result.exit_code == 0, result.output
    assert "未改动" in result.output
    assert copy.read_bytes() == (DATA / sample).read_bytes()


@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_own_workbook_restores_edited_figures(sample: str, tmp_path: Path) -> None:
    """Figures edited away in the file come back from the workbook, and `diff`'s form names
    each of them with its line; texts and comments are untouched."""
    book = workbook_of(DATA / sample, tmp_path)
    original = (DATA / sample).read_text(encoding="utf-8")
    copy = tmp_path / sample
    lines = original.splitlines(keepends=True)
    # the first amount of the income section, whatever the sample
    at = next(i for i, line in enumerate(lines) if line.startswith("income:"))
    target = next(i for i in range(at + 1, len(lines))
                  if ": " in lines[i] and lines[i].split(": ")[1].strip().replace(".", "").isdigit()
                  and float(lines[i].split(": ")[1]) > 0)
    key, value = lines[target].split(": ")
    lines[target] = f"{key}: 1.00\n"
    copy.write_text("".join(lines), encoding="utf-8")
    result = run_cli("import", book, "--into", copy)
    assert result.exit_code == 0, result.output
    assert f"第{target + 1}行  收入·" in result.output
    assert f"（income.{key.strip()}）：1.00 → " in result.output
    assert copy.read_text(encoding="utf-8") == original


def figures_of(data: dict) -> dict:  # type: ignore[type-arg]
    """The figures a workbook states, from plain data: income, 项 and 款 lines, 三公, 结转."""
    def amounts(x: dict, keys: tuple[str, ...]) -> tuple:  # type: ignore[type-arg]
        return tuple(x.get(k) or 0 for k in keys)

    line = ("personnel", "public", "basic", "project")
    return {
        "income": {k: v for k, v in data["income"].items() if v},
        "spending": sorted((x["code"], x.get("source", "general_budget"), amounts(x, line))
                           for x in data["spending"] if any(amounts(x, line))),
        "economic": sorted((x["code"], amounts(x, ("personnel", "public"))) for x in data["economic"]
                           if any(amounts(x, ("personnel", "public")))),
        "three_public": {k: v.get("amount") for k, v in data["three_public"].items() if isinstance(v, dict)},
        "carry_forward": data.get("carry_forward") or 0,
    }


@pytest.mark.parametrize("sample", SAMPLE_FILES)
def test_new_file_from_own_workbook_has_every_figure(sample: str, tmp_path: Path) -> None:
    """`-o`: the region's skeleton with the workbook's figures — the sample's figures — and
    the texts left for `check` to list."""
    from budgetreport.load import read
    book = workbook_of(DATA / sample, tmp_path)
    original = read(DATA / sample).data
    out = tmp_path / "new.yaml"
    result = run_cli("import", book, "-o", out, "--region", original["department"]["region"],
                     "--name", original["department"]["name"])
    assert result.exit_code == 0, result.output
    new = read(out).data
    assert figures_of(new) == figures_of(original)
    assert new["unit"] == original.get("unit", "万元")
