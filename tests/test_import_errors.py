"""`import` refuses what it cannot take — with the sheet, the cell and both figures — and
writes nothing; what it can take despite oddities it takes with a warning.

These use a sample's own workbook (as `build` writes it), edited the way a hand edit or
another program would; the Shanghai export shape has its own tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook, load_workbook

from conftest import DATA, reported, run_cli
from test_import_roundtrip import workbook_of

SAMPLE = "xiamen-2022.yaml"


def attempt(tmp_path: Path, edit: Callable[[Workbook], None]) -> tuple[int, str, list[tuple[str, str, str]]]:
    book = workbook_of(DATA / SAMPLE, tmp_path)
    wb = load_workbook(book)
    edit(wb)
    wb.save(book)
    copy = tmp_path / SAMPLE
    shutil.copy(DATA / SAMPLE, copy)
    result = run_cli("import", book, "--into", copy)
    assert "Traceback" not in result.output
    if result.exit_code:
        assert copy.read_bytes() == (DATA / SAMPLE).read_bytes(), "nothing written"
    return result.exit_code, result.output, [(r.file, r.code, r.message) for r in reported(result.output)]


def test_subtotal_off_by_one_cent(tmp_path: Path) -> None:
    """0.01 万元 (100 元) off in a 款 row of a 万元 table: refused at that cell."""
    where: dict[str, object] = {}

    def edit(wb: Workbook) -> None:
        ws = wb["一般公共预算支出情况表"]
        row = next(c.row for c in ws["A"] if c.value == "20805")  # a 款 row: 行政事业单位养老支出
        cell = ws.cell(row, 3)  # its 合计
        where["cell"], where["was"] = cell.coordinate, cell.value
        cell.value = round(cell.value + 0.01, 2)
    code, output, found = attempt(tmp_path, edit)
    assert code == 1
    was = f"{where['was']:,.2f}"
    now = f"{where['was'] + 0.01:,.2f}"  # type: ignore[operator]
    assert any(c == "E531" and f.endswith(f"!一般公共预算支出情况表!{where['cell']}")
               and now in m and was in m and "相差 0.01万元" in m for f, c, m in found), output


def test_text_in_a_number_cell(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb["部门支出预算总体情况表"]["E10"].value = "待定"
    code, output, found = attempt(tmp_path, edit)
    assert code == 1
    assert any(c == "E512" and f.endswith("!部门支出预算总体情况表!E10") and "待定" in m
               for f, c, m in found), output


def test_unknown_and_hidden_sheets_are_listed(tmp_path: Path) -> None:
    def edit(wb: Workbook) -> None:
        wb.create_sheet("我的草稿")["A1"] = "草稿"
        hidden = wb.create_sheet("辅助")
        hidden["A1"] = 1
        hidden.sheet_state = "hidden"
    code, output, found = attempt(tmp_path, edit)
    assert code == 0, output
    assert any(c == "W520" and "我的草稿" in m for _, c, m in found), output
    assert any(c == "W521" and "辅助" in m for _, c, m in found), output
    assert "未改动" in output


def test_wrong_region_says_so_once(tmp_path: Path) -> None:
    book = workbook_of(DATA / SAMPLE, tmp_path)
    copy = tmp_path / SAMPLE
    shutil.copy(DATA / SAMPLE, copy)
    empty = tmp_path / "empty.xlsx"
    Workbook().save(empty)
    result = run_cli("import", empty, "--into", copy)
    assert result.exit_code == 1
    assert [r.code for r in reported(result.output)] == ["E524"]
    assert "--region" in result.output
    assert run_cli("import", book, "--into", copy).exit_code == 0


def test_usage_and_unreadable_files(tmp_path: Path) -> None:
    book = workbook_of(DATA / SAMPLE, tmp_path)
    copy = tmp_path / SAMPLE
    shutil.copy(DATA / SAMPLE, copy)
    assert run_cli("import", book).exit_code == 2  # neither --into nor -o
    assert run_cli("import", book, "--into", copy, "-o", tmp_path / "n.yaml").exit_code == 2
    assert run_cli("import", tmp_path / "none.xlsx", "--into", copy).exit_code == 2
    # -o without --region: the workspace's region (the repository's budgetreport.yaml: fujian)
    result = run_cli("import", book, "-o", tmp_path / "n.yaml")
    assert result.exit_code == 0, result.output
    assert "region: fujian" in (tmp_path / "n.yaml").read_text(encoding="utf-8")
    text = tmp_path / "text.xlsx"
    text.write_text("not a workbook", encoding="utf-8")
    result = run_cli("import", text, "--into", copy)
    assert result.exit_code == 1 and "无法读取工作簿" in result.output
    assert run_cli("import", book, "-o", copy, "--region", "fujian").exit_code == 2  # never overwrites


def test_a_row_with_figures_but_no_code(tmp_path: Path) -> None:
    """A code wiped from a 项 row leaves its figures with nowhere to go: refused at that row."""
    where: dict[str, str] = {}

    def edit(wb: Workbook) -> None:
        ws = wb["部门支出预算总体情况表"]
        cell = next(c for c in ws["A"] if c.value == "2210302")
        where["cell"] = cell.coordinate
        cell.value = None
    code, output, found = attempt(tmp_path, edit)
    assert code == 1
    assert any(c == "E516" and f.endswith(f"!部门支出预算总体情况表!{where['cell']}") for f, c, m in found), output


def test_an_emptied_list_is_written_beside_its_key_not_after_its_comment():
    """ruamel writes an emptied block list on the line after its key's comment, which no
    YAML reader accepts; import writes it `[]` beside the key."""
    import io

    from ruamel.yaml import YAML

    from budgetreport.importer import _Decimals, _Exact, _flow_empty, rt_yaml

    yaml = rt_yaml(_Exact)
    yaml.Constructor = _Decimals
    root = yaml.load("spending:  # 本年支出\n  - code: '2010101'\n    basic: 1\nnames: {}\n")
    root["spending"].pop(0)
    _flow_empty(root)
    out = io.StringIO()
    yaml.dump(root, out)
    assert YAML(typ="safe").load(out.getvalue()) == {"spending": [], "names": {}}
    assert "# 本年支出" in out.getvalue()
