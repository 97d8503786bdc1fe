"""The workbook: reviewed snapshots, values equal to the model, text never a formula, and
what LibreOffice Calc shows when it opens the file.

Regenerate the snapshots after a deliberate change, then review the diff before committing:

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_excel.py
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet

from budgetreport.checks.validate import check_file
from budgetreport.common.money import TABLE_FORMAT, round2, table_amount
from budgetreport.compute.figures import compute
from budgetreport.inputs.model import TransferItem
from budgetreport.layout.tables import Table, build_tables
from budgetreport.publish.excel import TOP, column_widths, display_width, sheet_names, write_workbook
from conftest import DATA

SNAPSHOTS = Path(__file__).parent / "snapshots"
CENTERS = ("xiamen", "shangrao")
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
# Texts a spreadsheet would read as a formula, or as an error value.
HOSTILE = ('=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "=1+1", "#N/A")


def _build(budget: Any, resolved: Any) -> tuple[list[Table], dt.datetime, str]:
    f = compute(budget, resolved)
    created = dt.datetime.combine(f.published, dt.time())  # from the data, not the clock
    return build_tables(f, resolved), created, f"{f.name}{f.year}年部门预算附表"


def _write(tables: list[Table], out: Path, created: dt.datetime, title: str) -> Path:
    write_workbook(tables, out, title=title, creator="budgetreport", created=created)
    return out


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[Table], Path]]:
    """center → (tables, workbook); "injection" is Xiamen with hostile names."""
    folder = tmp_path_factory.mktemp("books")
    out: dict[str, tuple[list[Table], Path]] = {}
    for center in CENTERS:
        c = check_file(DATA / f"{center}-2022.yaml")
        assert c.budget is not None and not c.errors(), c.problems
        tables, created, title = _build(c.budget, c.resolved)
        out[center] = tables, _write(tables, folder / f"{center}.xlsx", created, title)
        if center == "xiamen":
            tables, created, title = _build(_hostile(c.budget), c.resolved)
            out["injection"] = tables, _write(tables, folder / "injection.xlsx", created, title)
    return out


def _hostile(budget: Any) -> Any:
    p0, p1 = budget.projects[:2]
    projects = [p0.model_copy(update={"name": HOSTILE[0], "implementer": HOSTILE[3]}),
                p1.model_copy(update={"name": HOSTILE[1], "implementer": HOSTILE[2]}),
                *budget.projects[2:]]
    # 1.005 shows as 1.01 only if rounded half-up before writing (the float 1.005 is 1.00499…).
    transfers = [TransferItem(name=HOSTILE[4], code="2210302", amount=Decimal("1.005")),
                 TransferItem(name=HOSTILE[5], code="2080501", amount=Decimal(2))]
    return budget.model_copy(update={"projects": projects, "transfers": transfers})


# --- snapshot ---------------------------------------------------------------------------

FORMAT_CODES = {"General": ".", "@": "@", TABLE_FORMAT: "#"}


def dump_sheet(ws: Worksheet) -> dict[str, Any]:
    rows = list(ws.iter_rows())
    ps, pr, footer = ws.page_setup, ws.sheet_properties.pageSetUpPr, ws.oddFooter
    assert pr is not None and footer is not None
    return {
        "name": ws.title,
        "dimensions": ws.dimensions,
        "merges": [str(r) for r in sorted(ws.merged_cells.ranges,
                                           key=lambda r: (r.min_row, r.min_col))],
        "rows": [[c.value for c in row] for row in rows],
        # one character per cell: "#" money format, "@" text format, "." General
        "formats": ["".join(FORMAT_CODES.get(c.number_format, "?") for c in row) for row in rows],
        "bold_rows": [row[0].row for row in rows if row[0].font.b],
        "indents": {c.coordinate: c.alignment.indent for row in rows for c in row
                    if c.alignment.indent},
        "widths": {k: d.width for k, d in sorted(ws.column_dimensions.items())},
        "heights": {r: d.height for r, d in sorted(ws.row_dimensions.items()) if d.height},
        "print": {
            "paper": ps.paperSize, "orientation": ps.orientation,
            "fitToPage": pr.fitToPage,
            "fitToWidth": ps.fitToWidth, "fitToHeight": ps.fitToHeight,
            "print_title_rows": ws.print_title_rows, "freeze_panes": ws.freeze_panes,
            "footer": footer.center.text,
            "horizontalCentered": ws.print_options.horizontalCentered,
        },
    }


def dump(path: Path) -> dict[str, Any]:
    wb = load_workbook(path)
    p = wb.properties
    return {"properties": {"title": p.title, "creator": p.creator,
                           "created": p.created.isoformat(), "modified": p.modified.isoformat()},
            "sheets": [dump_sheet(ws) for ws in wb.worksheets]}


def to_json(value: Any, indent: int = 0) -> str:
    """JSON with one line per table row, so a snapshot diff reads like the table."""
    pad = "  " * (indent + 1)
    if isinstance(value, dict) and value:
        items = [f"{pad}{json.dumps(str(k), ensure_ascii=False)}: {to_json(v, indent + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + "  " * indent + "}"
    if isinstance(value, list) and any(isinstance(v, (list, dict)) for v in value):
        return "[\n" + ",\n".join(pad + to_json(v, indent + 1) for v in value) + "\n" + \
            "  " * indent + "]"
    return json.dumps(value, ensure_ascii=False)


@pytest.mark.parametrize("center", CENTERS)
def test_workbook_matches_reviewed_snapshot(books: dict, center: str) -> None:
    snapshot = SNAPSHOTS / f"{center}-workbook.json"
    text = to_json(dump(books[center][1])) + "\n"
    if UPDATE:  # a rewritten snapshot proves nothing: review it with git diff
        SNAPSHOTS.mkdir(exist_ok=True)
        snapshot.write_text(text, encoding="utf-8")
        pytest.skip(f"快照已重写：{snapshot}，请审阅 git diff")
    assert snapshot.is_file(), (
        f"没有快照 {snapshot}：运行 UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_excel.py 并审阅")
    assert text == snapshot.read_text(encoding="utf-8"), (
        "工作簿与已审阅的快照不同；确认改动无误后运行 "
        "UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_excel.py 并审阅 git diff")


def test_same_data_gives_same_bytes(books: dict, tmp_path: Path) -> None:
    tables, path = books["xiamen"]
    wb = load_workbook(path)
    again = _write(tables, tmp_path / "again.xlsx", wb.properties.created, wb.properties.title)
    assert again.read_bytes() == path.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["again.xlsx"]  # no temporary file left


# --- values equal the model ---------------------------------------------------------------

@pytest.mark.parametrize("center", CENTERS)
def test_sheets_follow_the_region(books: dict, center: str) -> None:
    c = check_file(DATA / f"{center}-2022.yaml")
    assert c.region is not None and c.budget is not None
    s = c.region.filled(compute(c.budget, c.resolved).placeholders)  # "{org}…" → "部门…"
    assert load_workbook(books[center][1]).sheetnames == [s["table_titles"][k] for k in s["tables"]]


@pytest.mark.parametrize("center", [*CENTERS, "injection"])
def test_every_cell_equals_the_model(books: dict, center: str) -> None:
    tables, path = books[center]
    wb = load_workbook(path)
    for table, ws in zip(tables, wb.worksheets, strict=True):
        assert ws.cell(1, 1).value == table.title
        for h in table.header:
            assert ws.cell(TOP + 1 + h.row, 1 + h.col).value == h.text
        first = TOP + table.header_rows + 1
        if not table.rows:
            assert ws.cell(first, 1).value == table.empty_note
        for i, row in enumerate(table.rows):
            for j, cell in enumerate(row.cells):
                x = ws.cell(first + i, 1 + j)
                if cell is None:
                    assert isinstance(x, MergedCell), x.coordinate
                elif cell.value is None or cell.value == "":
                    assert x.value is None, x.coordinate
                elif cell.kind == "money":
                    assert isinstance(cell.value, Decimal)
                    assert x.data_type == "n" and x.number_format == TABLE_FORMAT
                    assert round2(Decimal(repr(x.value))) == round2(cell.value), x.coordinate
                    assert x.alignment.horizontal == "right"
                else:
                    assert x.data_type == "s" and x.value == cell.value, x.coordinate
                    if cell.kind == "code":
                        assert isinstance(x.value, str) and x.number_format == "@"
                    assert x.font.b == (row.total or row.heading)


MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def file_borders(path: Path, sheet: int) -> dict[str, tuple[str | None, ...]]:
    """Cell → (left, right, top, bottom) border styles as stored in the file.

    Read from the XML, not through openpyxl: on loading, openpyxl rebuilds the cells of a
    merged range and copies only the first cell's outer edges onto them.
    """
    with zipfile.ZipFile(path) as z:
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))
        ws = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{sheet}.xml"))
    borders = [tuple(None if (e := b.find(MAIN_NS + side)) is None else e.get("style")
                     for side in ("left", "right", "top", "bottom"))
               for b in styles.iter(MAIN_NS + "border")]
    xfs = [int(xf.get("borderId", 0)) for xf in styles.find(MAIN_NS + "cellXfs") or ()]
    return {c.get("r", ""): borders[xfs[int(c.get("s", 0))]] for c in ws.iter(MAIN_NS + "c")}


@pytest.mark.parametrize("center", CENTERS)
def test_merged_ranges_are_bordered_on_every_cell(books: dict, center: str) -> None:
    tables, path = books[center]
    wb = load_workbook(path)
    for i, (table, ws) in enumerate(zip(tables, wb.worksheets, strict=True), 1):
        stored = file_borders(path, i)
        last = TOP + table.header_rows + max(len(table.rows), 1)
        for row in ws.iter_rows(min_row=TOP + 1, max_row=last, max_col=len(table.columns)):
            for x in row:
                assert stored.get(x.coordinate) == ("thin",) * 4, f"{ws.title}!{x.coordinate}"
        assert all(b == (None,) * 4 for cell, b in stored.items()
                   if ws[cell].row <= TOP), "title and 编制单位 lines have no grid"
        spans = {(r.min_row, r.min_col, r.max_row, r.max_col) for r in ws.merged_cells.ranges}
        expected = {(TOP + 1 + h.row, 1 + h.col, TOP + h.row + h.rowspan, h.col + h.colspan)
                    for h in table.header if h.rowspan > 1 or h.colspan > 1}
        assert expected <= spans


@pytest.mark.parametrize("center", CENTERS)
def test_print_setup(books: dict, center: str) -> None:
    tables, path = books[center]
    for table, ws in zip(tables, load_workbook(path).worksheets, strict=True):
        ps = ws.page_setup
        assert ps.paperSize == 9  # A4
        assert ps.orientation == ("landscape" if table.landscape else "portrait")
        assert (ps.fitToWidth, ps.fitToHeight) == (1, 0)
        pr, footer = ws.sheet_properties.pageSetUpPr, ws.oddFooter
        assert pr is not None and pr.fitToPage and footer is not None
        # Header rows repeat on every printed page; the 绩效目标表 have their labels in the body.
        expected = f"${TOP + 1}:${TOP + table.header_rows}" if table.header_rows else None
        assert ws.print_title_rows == expected
        assert ws.freeze_panes == f"A{TOP + table.header_rows + 1}"
        assert footer.center.text == "第 &P 页，共 &N 页"
        widths = [ws.column_dimensions[chr(65 + i)].width for i in range(len(table.columns))]
        assert widths == column_widths(table)
        assert all(w >= (len("9,999,999.99") if c.kind == "money" else 2 * c.width)
                   for w, c in zip(widths, table.columns, strict=True))


def test_workbook_properties_come_from_the_caller(books: dict) -> None:
    p = load_workbook(books["xiamen"][1]).properties
    assert (p.title, p.creator) == ("厦门市住房公积金中心2022年部门预算附表", "budgetreport")
    assert p.created == p.modified == dt.datetime(2022, 2, 15)


# --- text stays text ----------------------------------------------------------------------

def test_hostile_names_stay_text(books: dict) -> None:
    path = books["injection"][1]
    found = {}
    for ws in load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for x in row:
                if x.value in HOSTILE:
                    found[x.value] = x.data_type
    assert found == dict.fromkeys(HOSTILE, "s")
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_sheet_names_obey_excel_rules() -> None:
    names = sheet_names(["a/b:c?d*e[f]g\\h", "x" * 40, "x" * 40, "History", "X" * 31, "  "])
    assert names == ["a_b_c_d_e_f_g_h", "x" * 31, "x" * 28 + "(2)", "History(2)",
                     "X" * 28 + "(3)", "表6"]


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("科目a1“”") == 2 + 2 + 1 + 1 + 2 + 2


def test_empty_table_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_workbook([], tmp_path / "x.xlsx", title="t", creator="c",
                       created=dt.datetime(2022, 1, 1))


# --- LibreOffice Calc ----------------------------------------------------------------------

# CSV filter: comma, double quote, UTF-8, en-US number formats, cells "as shown", no
# formulas, every sheet into <file>-<sheet>.csv (LibreOffice ≥ 7.2).
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,true,false,false,-1"


def _soffice() -> str:
    exe = shutil.which("soffice")
    if exe is None:
        pytest.fail("找不到 LibreOffice（soffice）：请用 ./scripts/test 运行测试，"
                    "它会安装 libreoffice-calc-nogui")
    return exe


def _convert(files: list[Path], target: str, out: Path, profile: Path) -> None:
    subprocess.run([_soffice(), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", target, "--outdir", str(out), *map(str, files)],
                   check=True, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def calc(books: dict, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three workbooks as LibreOffice saves them: CSV per sheet and flat ODS."""
    out = tmp_path_factory.mktemp("calc")
    files = [path for _, path in books.values()]
    profile = out / "profile"  # a fresh profile: no clash with a running LibreOffice
    _convert(files, CSV_FILTER, out, profile)
    _convert(files, "fods", out, profile)
    return out


def shown(table: Table) -> list[list[str]]:
    """Each cell as a spreadsheet shows it, with merged-over positions blank."""
    n = len(table.columns)
    grid = [[table.title, *[""] * (n - 1)],
            [f"编制单位：{table.prepared_by}", *[""] * (n - 2), f"单位：{table.unit}"]]
    header = [[""] * n for _ in range(table.header_rows)]
    for h in table.header:
        header[h.row][h.col] = h.text
    grid += header
    for row in table.rows:
        grid.append(["" if c is None or c.value is None else
                     table_amount(c.value) if isinstance(c.value, Decimal) else c.value
                     for c in row.cells])
    if not table.rows:
        grid.append([table.empty_note or "", *[""] * (n - 1)])
    return grid


@pytest.mark.parametrize("center", [*CENTERS, "injection"])
def test_libreoffice_shows_the_model(books: dict, calc: Path, center: str) -> None:
    tables, path = books[center]
    for name, table in zip(sheet_names(t.title for t in tables), tables, strict=True):
        file = calc / f"{path.stem}-{name}.csv"
        assert file.is_file(), f"LibreOffice 没有写出 {file.name}"
        with file.open(encoding="utf-8", newline="") as f:
            assert list(csv.reader(f)) == shown(table), name


@pytest.mark.parametrize("center", [*CENTERS, "injection"])
def test_libreoffice_finds_no_formula(books: dict, calc: Path, center: str) -> None:
    root = ElementTree.parse(calc / f"{books[center][1].stem}.fods").getroot()
    cells = list(root.iter(f"{{{TABLE_NS}}}table-cell"))
    assert cells and not [c for c in cells if f"{{{TABLE_NS}}}formula" in c.attrib]
    if center == "injection":
        texts = {"".join(p.itertext()) for p in root.iter(f"{{{TEXT_NS}}}p")}
        assert set(HOSTILE) <= texts
