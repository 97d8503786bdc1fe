"""`import` of workbooks in the Shanghai platform's export shape, good and broken.

The good workbook carries the figures 上海市财政局 published for 2025 (tests/shanghai_export.py);
each broken one differs from it in one way a real export or a hand edit can, and must be
refused (exit 1, nothing written) or accepted with a warning, with the message a finance
officer needs: the sheet and cell, and both figures.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from budgetreport.inputs.load import read
from conftest import reported, run_cli
from shanghai_export import (
    CLASS_SPLIT,
    ECONOMIC,
    LINES,
    PUBLISHED,
    Export,
    shanghai_czj,
)

# The Shanghai table set as a region states it: keys, and titles as printed ("2025年部门…").
# A workspace region, so that these tests read the titles from settings as `import` does for
# any region, whatever the built-in Shanghai region calls its tables.
REGION = "shanghai-export"
SETTINGS = """\
name: 上海市（预算系统导出的表式）
tables: [summary, income, spending, fiscal, general, gov_fund, state_capital, basic_economic,
         three_public]
table_titles:
  summary: "{year}年{org}财务收支预算总表"
  income: "{year}年{org}收入预算总表"
  spending: "{year}年{org}支出预算总表"
  fiscal: "{year}年{org}财政拨款收支预算总表"
  general: "{year}年{org}一般公共预算支出功能分类预算表"
  gov_fund: "{year}年{org}政府性基金预算支出功能分类预算表"
  state_capital: "{year}年{org}国有资本经营预算支出功能分类预算表"
  basic_economic: "{year}年{org}一般公共预算基本支出部门预算经济分类预算表"
  three_public: "{year}年{org}“三公”经费和机关运行经费预算表"
"""


@pytest.fixture(autouse=True)
def workspace(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path_factory.mktemp("ws") / "w"
    assert run_cli("init", root).exit_code == 0
    folder = root / "templates" / "regions" / REGION
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "region.yaml").write_text(SETTINGS, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def run_import(book: Path, tmp_path: Path) -> tuple[object, Path]:
    out = tmp_path / "new.yaml"
    return run_cli("import", book, "-o", out, "--region", REGION), out


def messages(output: str) -> list[tuple[str, str, str]]:
    """(where, code, message) of every problem line."""
    return [(r.file, r.code, r.message) for r in reported(output)]


# --- the good workbook -----------------------------------------------------------------


def test_fixture_sums_to_the_published_totals() -> None:
    """The 类/款/合计 rows made from the typed 项 lines add up to what the publication prints."""
    basic = sum(b for _, _, b, _ in LINES)
    project = sum(p for _, _, _, p in LINES)
    assert (basic + project, basic, project) == (PUBLISHED["total"], PUBLISHED["basic"],
                                                  PUBLISHED["project"])
    assert sum(a for _, _, a, _ in ECONOMIC) == PUBLISHED["personnel"] == sum(
        p for p, _ in CLASS_SPLIT.values())
    assert sum(b for _, _, _, b in ECONOMIC) == PUBLISHED["public"] == sum(
        u for _, u in CLASS_SPLIT.values())


def test_odd_but_harmless_merges_read_the_same(tmp_path: Path) -> None:
    """Header labels written in every column instead of merged, the 合计 label merged over the
    code columns, a 类 code as a number: the same figures come out."""
    good = run_import(shanghai_czj().save(tmp_path / "a.xlsx"), tmp_path)[1].read_text(encoding="utf-8")

    def odd(wb: Workbook) -> None:
        ws = wb["2.17单位支出总表"]
        for rng in list(ws.merged_cells.ranges):
            if rng.min_row >= 3:
                ws.unmerge_cells(str(rng))
        for col in (2, 3, 4):
            ws.cell(4, col).value = None  # "功能分类科目编码" only above 类, as unmerged text
        last = ws.max_row
        ws.merge_cells(start_row=last, start_column=1, end_row=last, end_column=4)
        ws.cell(last, 1).value = "合计"
        for row in range(6, last):
            if isinstance(ws.cell(row, 1).value, str) and ws.cell(row, 2).value is None:
                ws.cell(row, 1).value = int(ws.cell(row, 1).value)
    (tmp_path / "new.yaml").unlink()
    result, out = run_import(shanghai_czj().save(tmp_path / "b.xlsx", odd), tmp_path)
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == good


# --- broken workbooks: refused, nothing written --------------------------------------------


def edit_cell(sheet: str, find: object, new: object, nth: int = 0):  # type: ignore[no-untyped-def]
    """An edit that replaces the nth cell of `sheet` holding `find`."""
    def edit(wb: Workbook) -> None:
        ws = wb[sheet]
        cells = [c for row in ws.iter_rows() for c in row if c.value == find]
        cells[nth].value = new
    return edit


def refused(tmp_path: Path, edit, sheet_edits: Export | None = None):  # type: ignore[no-untyped-def]
    book = (sheet_edits or shanghai_czj()).save(tmp_path / "broken.xlsx", edit)
    result, out = run_import(book, tmp_path)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert "未写入任何文件" in result.output
    return messages(result.output)


def test_subtotal_one_yuan_off(tmp_path: Path) -> None:
    found = refused(tmp_path, edit_cell("2.17单位支出总表", 127886849, 127886850))
    assert any(code == "E531" and where.endswith("!2.17单位支出总表!E6")
               and "127,886,850" in msg and "127,886,849" in msg and "相差 1元" in msg
               for where, code, msg in found), found


def test_text_in_a_number_cell(tmp_path: Path) -> None:
    found = refused(tmp_path, edit_cell("2.21单位一般公共预算支出功能分类预算表", 370000, "三十七万"))
    assert any(code == "E512" and "2.21单位一般公共预算支出功能分类预算表!" in where
               and "三十七万" in msg for where, code, msg in found), found


def test_duplicated_code(tmp_path: Path) -> None:
    export = shanghai_czj()
    rows = export.sheet("2.24").rows
    rows.insert(2, list(rows[1]))  # 301 01 基本工资 twice
    found = refused(tmp_path, None, export)
    assert any(code == "E532" and "30101" in msg and "重复" in msg and "2.24" in where
               for where, code, msg in found), found


def test_missing_sheet(tmp_path: Path) -> None:
    export = shanghai_czj()
    export.sheets = [s for s in export.sheets if "2.24" not in s.name]
    found = refused(tmp_path, None, export)
    assert any(code == "E522" and "经济分类预算表" in msg for _, code, msg in found), found


def test_amount_merged_across_columns(tmp_path: Path) -> None:
    def merge(wb: Workbook) -> None:
        ws = wb["2.17单位支出总表"]
        ws.merge_cells("E8:F8")  # 行政运行: 合计 over 基本支出
    found = refused(tmp_path, merge)
    assert any(code == "E511" and where.endswith("!E8") and "合并" in msg
               for where, code, msg in found), found


def test_formula_without_a_cached_value(tmp_path: Path) -> None:
    """openpyxl saves a formula without its result, as a workbook never opened in Excel."""
    found = refused(tmp_path, edit_cell("2.17单位支出总表", 171915169, "=SUM(E6:E29)"))
    assert any(code == "W503" and "公式没有保存计算结果" in msg for _, code, msg in found), found
    assert any(code == "E531" and "合计行" in msg for _, code, msg in found), found


# --- accepted with a warning ------------------------------------------------------------


def test_extra_unknown_sheet_and_hidden_helper(tmp_path: Path) -> None:
    def extra(wb: Workbook) -> None:
        ws = wb.create_sheet("2.18单位支出分单位明细表")
        ws["A1"], ws["B2"] = "2025年预算单位支出分单位明细表", 1
        helper = wb.create_sheet("辅助计算")
        helper["A1"] = 1
        helper.sheet_state = "hidden"
    book = shanghai_czj().save(tmp_path / "extra.xlsx", extra)
    result, out = run_import(book, tmp_path)
    assert result.exit_code == 0, result.output
    found = messages(result.output)
    assert any(code == "W520" and "2.18单位支出分单位明细表" in msg for _, code, msg in found), found
    assert any(code == "W521" and "辅助计算" in msg for _, code, msg in found), found
    assert out.exists()


def test_formula_with_a_cached_value_is_read_not_evaluated(tmp_path: Path) -> None:
    """A 合计 cell holding =SUM(…) and the value Excel saved: the saved value is read. To show
    that nothing is evaluated, the formula would give a different figure than the one saved."""
    book = shanghai_czj().save(tmp_path / "f.xlsx", edit_cell("2.17单位支出总表", 171915169, "=1+1"))
    patched = tmp_path / "cached.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(patched, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"<f>1\+1</f><v\s*/>|<f>1\+1</f>(<v></v>)?",
                              b"<f>1+1</f><v>171915169</v>", data)
            dst.writestr(item, data)
    result, out = run_import(patched, tmp_path)
    assert result.exit_code == 0, result.output
    assert "W503" not in result.output
    assert read(out).data["income"]["general_budget"] == PUBLISHED["total"]


def test_usage_errors(tmp_path: Path) -> None:
    book = shanghai_czj().save(tmp_path / "x.xlsx")
    assert run_cli("import", book).exit_code == 2
    assert run_cli("import", book, "-o", tmp_path / "a.yaml", "--into", tmp_path / "b.yaml").exit_code == 2
    assert run_cli("import", tmp_path / "none.xlsx", "-o", tmp_path / "a.yaml").exit_code == 2
    not_a_book = tmp_path / "text.xlsx"
    not_a_book.write_text("hello", encoding="utf-8")
    result = run_cli("import", not_a_book, "-o", tmp_path / "a.yaml", "--region", REGION)
    assert result.exit_code == 1 and "无法读取工作簿" in result.output





def test_published_one_yuan_defect(tmp_path: Path) -> None:
    """The publication itself: its 302 款 rows add up to one 元 less than its 302 row. Imported
    as printed, the workbook is refused at that row, with both figures."""
    found = refused(tmp_path, edit_cell("2.24单位一般公共预算基本支出部门预算经济分类预算表", 9265734, 9265733))
    assert any(code == "E531" and "（302）" in msg and "24,840,779" in msg and "24,840,778" in msg
               and "2.24" in where for where, code, msg in found), found
