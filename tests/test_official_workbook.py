"""The official template's workbook (`official_workbook`): written by `build`, read by `import`.

A Shanghai 部门 budget and a 单位 budget are built; their workbooks must have the sheets the
region's declarations list, in order, filled with the document's own cover, contents, texts
and tables; LibreOffice must open them and print those texts; `import` must read the
figures back unchanged and the texts (duties, units, projects) as the data file has them.
The expected values come from the declarations and the data, never typed here.
"""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from ruamel.yaml import YAML

from budgetreport.checks.validate import check_file
from budgetreport.inputs.load import read
from budgetreport.publish.build import Built, build, check_document, prepare
from budgetreport.publish.shape import Shape
from conftest import DATA, line_of, run_cli

DEPARTMENT, UNIT = "shanghai-putuo-wanli-2025.yaml", "shanghai-putuo-fuliyuan-2024.yaml"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Built, Shape, Any]]:
    out = tmp_path_factory.mktemp("official")
    found = {}
    for sample in (DEPARTMENT, UNIT):
        prepared = prepare(check_file(DATA / sample))
        assert prepared.shape is not None
        found[sample] = build(DATA / sample, out), prepared.shape, prepared
    return found


@pytest.mark.parametrize("sample", [DEPARTMENT, UNIT])
def test_sheets_are_the_declared_ones_in_order(built: dict, sample: str) -> None:
    result, shape, prepared = built[sample]
    wb = load_workbook(result.workbook)
    assert wb.sheetnames == [s.name for s in shape.sheets]
    org = prepared.figures.org
    assert all("{" not in n for n in wb.sheetnames) and any(n.startswith(org) for n in wb.sheetnames)
    for sheet in shape.sheets:
        ws = wb[sheet.name]
        assert ws.page_setup.orientation == sheet["orientation"]
        for side, inches in sheet["margins"].items():
            assert float(getattr(ws.page_margins, side)) == float(inches), (sheet.name, side)
        for i, width in enumerate(sheet["widths"][:1], 1):
            assert ws.column_dimensions[chr(64 + i)].width == float(width)


@pytest.mark.parametrize("sample", [DEPARTMENT, UNIT])
def test_table_sheets_hold_the_tables(built: dict, sample: str) -> None:
    result, shape, prepared = built[sample]
    wb = load_workbook(result.workbook)
    tables = {t.key: t for t in prepared.tables}
    for sheet in (s for s in shape.sheets if s.kind == "table"):
        ws, table = wb[sheet.name], tables[sheet["table"]]
        assert ws.cell(sheet["title_row"], 1).value == table.title
        assert ws.cell(sheet["meta_row"], 1).value == f"{table.prepared_label}：{table.prepared_by}"
        assert ws.cell(sheet["meta_row"], len(table.columns)).value == f"单位：{table.unit}"
        assert [h.text for h in table.header] == [
            ws.cell(sheet["header_row"] + h.row, 1 + h.col).value for h in table.header]
        body = sheet["header_row"] + table.header_rows
        for i, row in enumerate(table.rows):
            for c, cell in enumerate(row.cells, 1):
                if cell is not None and cell.kind == "money" and cell.value is not None:
                    shown = table.display.value(cell.value)
                    assert Decimal(str(ws.cell(body + i, c).value)) == shown, (sheet.name, i, c)
        if sheet["print_titles"]:
            top = sheet["header_row"]
            assert ws.print_title_rows == f"${top}:${top + table.header_rows - 1}"


@pytest.mark.parametrize("sample", [DEPARTMENT, UNIT])
def test_cover_contents_and_texts_are_the_document_s(built: dict, sample: str) -> None:
    result, shape, prepared = built[sample]
    wb = load_workbook(result.workbook)
    b = prepared.figures.budget
    texts = {s.name: [str(c.value) for row in wb[s.name].iter_rows() for c in row if c.value]
             for s in shape.sheets if s.kind != "table"}
    cover = next(s for s in shape.sheets if s.kind == "cover")
    assert any(b.department.name in t for t in texts[cover.name])
    contents = next(s for s in shape.sheets if s.kind == "contents")
    assert any(t.title.split("年", 1)[-1] in line for t in prepared.tables for line in texts[contents.name])
    duties = next(s for s in shape.sheets if s.kind == "text" and s["part"] == "overview" and s["section"] == 1)
    assert [t.strip() for t in texts[duties.name][1:]] == list(b.overview.duties)


def test_libreoffice_prints_the_workbook(built: dict, tmp_path: Path) -> None:
    result, _shape, prepared = built[DEPARTMENT]
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (scripts/test installs it)"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(result.workbook)],
                   check=True, capture_output=True, timeout=300)
    pdf = tmp_path / result.workbook.with_suffix(".pdf").name
    text = "".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    b = prepared.figures.budget
    assert "".join(b.overview.duties[0].split()) in text
    assert all("".join(t.title.split()) in text for t in prepared.tables)


@pytest.mark.parametrize("sample", [DEPARTMENT, UNIT])
def test_import_into_its_own_data_changes_nothing(built: dict, sample: str, tmp_path: Path) -> None:
    result = built[sample][0]
    copy = tmp_path / sample
    shutil.copy(DATA / sample, copy)
    out = run_cli("import", result.workbook, "--into", copy)
    assert out.exit_code == 0, out.output
    assert "未改动" in out.output and "不认识的工作表" not in out.output
    assert copy.read_bytes() == (DATA / sample).read_bytes()


@pytest.mark.parametrize("sample", [DEPARTMENT, UNIT])
def test_import_new_file_reads_the_texts(built: dict, sample: str, tmp_path: Path) -> None:
    result = built[sample][0]
    new = tmp_path / "new-2025.yaml"
    out = run_cli("import", result.workbook, "-o", new, "--region", "shanghai")
    assert out.exit_code == 0, out.output
    assert "已从工作簿填入" in out.output and "不认识的工作表" not in out.output
    got, want = YAML(typ="safe").load(new.read_text(encoding="utf-8")), read(DATA / sample).data
    assert got["overview"]["duties"] == want["overview"]["duties"]
    stated = ("divisions", "internal_divisions")  # what 机构设置 states: a 部门 also its units
    if built[sample][2].figures.org == "部门":
        stated += ("units", "unit_kinds", "subordinate_units")
    for key in stated:
        if want["overview"].get(key):
            assert got["overview"][key] == want["overview"][key], key
    assert got["department"]["scope"] == want["department"].get("scope", "部门预算")
    for mine, theirs in zip(got.get("projects") or [], want.get("projects") or [], strict=True):
        for part in ("summary", "basis", "plan", "period"):
            assert mine[part] == theirs[part], part


def test_a_wrong_declaration_is_told_with_its_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = tmp_path / "ws"
    region = ws / "templates" / "regions" / "shanghai"
    region.mkdir(parents=True)
    (ws / "budgetreport.yaml").write_text("region: shanghai\n", encoding="utf-8")
    (region / "region.yaml").write_text("official_workbook: {部门: 我的模板.yaml}\n", encoding="utf-8")
    (region / "我的模板.yaml").write_text(
        "sheets:\n  - {sheet: 封面, kind: cover}\n  - {sheet: 表, kind: table, table: sh_summary, colour: red}\n",
        encoding="utf-8")
    data = ws / DEPARTMENT
    shutil.copy(DATA / DEPARTMENT, data)
    monkeypatch.chdir(ws)
    [problem] = [p for p in check_document(data).problems if p.code == "E823"]
    assert problem.line == line_of(region / "我的模板.yaml", "colour") and "colour" in problem.message
    (region / "region.yaml").write_text("official_workbook: {部门: 没有.yaml}\n", encoding="utf-8")
    [problem] = [p for p in check_document(data).problems if p.code == "E820"]
    assert "没有.yaml" in problem.message
