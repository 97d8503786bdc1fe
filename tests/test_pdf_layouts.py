"""The PDF reader on the layouts real publications use, each drawn here in a small PDF:
tables ruled with lines or with thin filled rectangles under white cell backgrounds (WPS),
a background reaching above the title, titles boxed in the grid, tables without rules, a
合计 alone on the next page merged across the code columns, 类/款/项 in three columns with a
single-digit 款, a "无" row, amounts in 万元 with six decimals, a page turned by /Rotate,
several files read as one, a document without tables, a page that is only an image."""

from __future__ import annotations

import html
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

import pytest

from budgetreport.importer.checks import check_tables
from budgetreport.importer.sheets import read_table
from budgetreport.readback.pdf import Document, PdfSheet, read_pdf, read_pdfs

FONT = '"LXGW WenKai", "Noto Serif CJK SC", serif'


class Drawing:
    """A page drawn by absolute positions (points from the top left), made by WeasyPrint:
    text boxes, lines as borders and filled rectangles."""

    def __init__(self) -> None:
        self.pages: list[list[str]] = [[]]

    def page(self) -> None:
        self.pages.append([])

    def text(self, x: float, y: float, text: str, size: float = 9, width: float | None = None,
             align: str = "left") -> None:
        w = f"width:{width}pt;" if width is not None else "white-space:nowrap;"
        self.pages[-1].append(f'<div style="position:absolute;left:{x}pt;top:{y}pt;{w}text-align:{align};'
                              f'font-size:{size}pt;line-height:1">{html.escape(text)}</div>')

    def fill(self, x0: float, y0: float, x1: float, y1: float, color: str = "#000") -> None:
        self.pages[-1].append(f'<div style="position:absolute;left:{x0}pt;top:{y0}pt;width:{x1 - x0}pt;'
                              f'height:{y1 - y0}pt;background:{color}"></div>')

    def stroke(self, x0: float, y0: float, x1: float, y1: float) -> None:
        """A line drawn as a border (a stroked path)."""
        side = "border-top" if y0 == y1 else "border-left"
        self.pages[-1].append(f'<div style="position:absolute;left:{x0}pt;top:{y0}pt;width:{x1 - x0}pt;'
                              f'height:{y1 - y0}pt;{side}:0.5pt solid #000"></div>')

    def write(self, path: Path, landscape: bool = True) -> Path:
        import weasyprint

        size = "A4 landscape" if landscape else "A4"
        body = "".join(f'<section style="position:relative;height:100%;page-break-after:always">{"".join(p)}'
                       "</section>" for p in self.pages)
        weasyprint.HTML(string=f"<!doctype html><html><head><meta charset=utf-8><style>@page{{size:{size};"
                        f"margin:0}} html,body{{margin:0;height:100%;font-family:{FONT}}}</style></head>"
                        f"<body>{body}</body></html>").write_pdf(path)
        return path


Row = list[str]


def table(d: Drawing, top: float, widths: list[float], rows: list[Row], *, rules: str = "lines",
          left: float = 40, height: float = 20, merged: Iterable[tuple[int, int, int]] = (),
          numbers_from: int = 4) -> float:
    """A table at `top`: `rules` "lines" (stroked), "wps" (thin black rectangles over white
    cell backgrounds), "horizontal" (rules between rows only) or "none". `merged` lists
    (row, first col, last col) cells merged across columns (their text in the first).
    Returns the bottom."""
    xs = [left]
    for w in widths:
        xs.append(xs[-1] + w)
    spans = {(r, c0): c1 for r, c0, c1 in merged}
    covered = {(r, c) for r, c0, c1 in merged for c in range(c0 + 1, c1 + 1)}
    bottom = top + height * len(rows)
    if rules == "wps":
        d.fill(xs[0], top, xs[-1], bottom, "#fff")
    for r, row in enumerate(rows):
        y = top + r * height
        for c, text in enumerate(row):
            if (r, c) in covered or not text:
                continue
            c1 = spans.get((r, c), c)
            right = c >= numbers_from and (any(ch.isdigit() for ch in text) or text == "-")
            d.text(xs[c] + 2, y + height / 2 - 4.5, text, width=xs[c1 + 1] - xs[c] - 4,
                   align="right" if right else "left")
    if rules == "none":
        return bottom
    thin = 0.6
    for r in range(len(rows) + 1):
        y = top + r * height
        if rules in ("lines", "horizontal"):
            d.stroke(xs[0], y, xs[-1], y)
        elif rules == "wps":
            d.fill(xs[0], y, xs[-1], y + thin)
    if rules == "horizontal":
        return bottom
    for c, x in enumerate(xs):
        for r in range(len(rows)):
            if 0 < c < len(xs) - 1 and (r, c) in covered:
                continue
            y = top + r * height
            if rules == "lines":
                d.stroke(x, y, x, y + height)
            else:
                d.fill(x, y, x + thin, y + height)
    return bottom


def heading(d: Drawing, top: float, title: str, unit: str = "元", left: float = 40) -> float:
    d.text(left + 200, top, title, size=16)
    d.text(left, top + 26, "编制单位：某某区某某局")
    d.text(left + 560, top + 26, f"单位：{unit}")
    return top + 44


HEADER = [["科目编码", "", "", "科目名称", "合计", "基本支出", "项目支出"],
          ["类", "款", "项", "", "", "", ""]]
WIDTHS = [40, 40, 40, 200, 110, 110, 110]
BODY = [["201", "", "", "一般公共服务支出", "1,250,000", "1,000,000", "250,000"],
        ["201", "3", "", "政府办公厅（室）及相关机构事务", "1,250,000", "1,000,000", "250,000"],
        ["201", "3", "1", "行政运行", "1,000,000", "1,000,000", "0"],
        ["201", "3", "2", "一般行政管理事务", "250,000", "-", "250,000"]]
TOTAL = ["合计", "", "", "", "1,250,000", "1,000,000", "250,000"]
MERGED_HEADER = [(0, 0, 2)]


def spending(doc: Document, n: int = 0) -> PdfSheet:
    return doc.tables[n]


def body(sheet: PdfSheet) -> list[list[str | None]]:
    """The rows after the two header rows."""
    return sheet.grid()[2:]


def classified(sheet: PdfSheet) -> dict[str, dict[str, Decimal]]:
    """The table read as the importer reads a 支出 table: code → column → 元."""
    problems: list = []
    t = read_table("spending", sheet, {}, "classified", problems)
    facts = check_tables([t], {})
    assert not [p for p in problems + facts.problems if p.severity.name == "error"], problems + facts.problems
    return {(r.code or r.label): {k: a.value for k, a in r.amounts.items()} for r in t.rows}


@pytest.mark.parametrize("rules", ["lines", "wps", "horizontal", "none"])
def test_a_table_is_read_whatever_draws_its_rules(tmp_path: Path, rules: str) -> None:
    d = Drawing()
    if rules == "wps":  # a white background reaching above the title, as WPS paints it
        d.fill(30, 20, 800, 120, "#fff")
    top = heading(d, 40, "2026年部门支出预算总表")
    table(d, top, WIDTHS, HEADER + BODY + [TOTAL], rules=rules, merged=MERGED_HEADER + [(6, 0, 3)])
    doc = read_pdf(d.write(tmp_path / "t.pdf"))
    assert [t.name for t in doc.tables] == ["2026年部门支出预算总表"]
    sheet = spending(doc)
    assert sheet.values[(2, 1)].startswith("编制单位：某某区某某局")
    rows = body(sheet)
    assert rows[0][:5] == ["201", "", "", "一般公共服务支出", "1,250,000"]
    assert rows[-1][0] == "合计" and rows[-1][-3:] == ["1,250,000", "1,000,000", "250,000"]
    assert len(rows) == len(BODY) + 1  # neither the title nor the 编制 line is a row
    got = classified(sheet)
    assert got["2010301"] == {"total": Decimal(1000000), "basic": Decimal(1000000), "project": Decimal(0)}
    assert got["2010302"]["basic"] == 0 and got["20103"]["total"] == Decimal(1250000)


def test_a_total_alone_on_the_next_page_stays_a_total(tmp_path: Path) -> None:
    d = Drawing()
    top = heading(d, 40, "2026年部门支出预算总表")
    table(d, top, WIDTHS, HEADER + BODY, merged=MERGED_HEADER)
    d.page()  # the 合计 alone, merged across the code and name columns, no header repeated
    table(d, 40, [120 + 200] + WIDTHS[4:], [["合计", "1,250,000", "1,000,000", "250,000"]], numbers_from=1)
    d.page()  # the next table, its header repeated on a third page with its last row
    top = heading(d, 40, "2026年部门收入预算总表")
    income = [["项目", "", "", "", "收入预算", "", ""],
              ["科目编码", "", "", "科目名称", "合计", "财政拨款收入", "事业收入"]]
    table(d, top, WIDTHS, income + [["201", "", "", "一般公共服务支出", "9.00", "9.00", "0.00"]],
          merged=[(0, 0, 3), (0, 4, 6), (1, 0, 2)])
    d.page()
    table(d, 40, WIDTHS, income + [["201", "3", "1", "行政运行", "9.00", "9.00", "0.00"]],
          merged=[(0, 0, 3), (0, 4, 6), (1, 0, 2)])
    doc = read_pdf(d.write(tmp_path / "t.pdf"))
    assert [t.name for t in doc.tables] == ["2026年部门支出预算总表", "2026年部门收入预算总表"]
    rows = body(doc.tables[0])
    assert rows[-1][0] == "合计" and rows[-1][4:] == ["1,250,000", "1,000,000", "250,000"]
    assert doc.tables[0].pages[doc.tables[0].max_row] == 2
    got = classified(doc.tables[0])
    assert got["合计"]["total"] == Decimal(1250000)
    income_rows = doc.tables[1].grid()[2:]
    assert [r[0] for r in income_rows] == ["201", "201"]  # the repeated header is dropped


def test_titles_boxed_inside_the_grid(tmp_path: Path) -> None:
    d = Drawing()
    rows = [["表3", "", "", "", "", "", ""], ["2026年部门支出预算总表", "", "", "", "", "", ""],
            ["编制单位：某某区某某局", "", "", "", "", "", "单位：元"]] + HEADER + BODY
    table(d, 40, WIDTHS, rows, merged=[(0, 0, 6), (1, 0, 6), (2, 0, 5)] + [(3, 0, 2)])
    doc = read_pdf(d.write(tmp_path / "t.pdf"))
    assert [t.name for t in doc.tables] == ["2026年部门支出预算总表"]
    assert "单位：元" in doc.tables[0].values[(2, 1)]
    assert body(doc.tables[0])[0][0] == "201"


def test_an_empty_table_with_its_wu_row_and_six_decimals(tmp_path: Path) -> None:
    d = Drawing()
    top = heading(d, 40, "2026年政府性基金预算支出表", unit="万元")
    bottom = table(d, top, WIDTHS, HEADER + [["无", "", "", "", "", "", ""]], merged=MERGED_HEADER + [(2, 0, 6)])
    top = heading(d, bottom + 30, "2026年部门支出预算总表", unit="万元")
    six = [["201", "", "", "一般公共服务支出", "125.123456", "100.000000", "25.123456"],
           ["201", "03", "01", "行政运行", "125.123456", "100.000000", "25.123456"]]
    table(d, top, WIDTHS, HEADER + six, merged=MERGED_HEADER)
    doc = read_pdf(d.write(tmp_path / "t.pdf"))
    assert [t.name for t in doc.tables] == ["2026年政府性基金预算支出表", "2026年部门支出预算总表"]
    assert classified(doc.tables[0]) == {}  # the "无" row is no header and no figure
    got = classified(doc.tables[1])
    assert got["2010301"]["project"] == Decimal("251234.56")


def test_a_page_turned_by_rotate_reads_as_displayed(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    d = Drawing()
    top = heading(d, 40, "2026年部门支出预算总表")
    table(d, top, WIDTHS, HEADER + BODY, merged=MERGED_HEADER)
    flat = d.write(tmp_path / "flat.pdf")
    writer = PdfWriter(clone_from=flat)
    # the content turned a quarter back, and the page told to turn it forward when shown
    writer.pages[0].rotate(90)
    writer.pages[0].transfer_rotation_to_content()
    writer.pages[0].rotate(-90)
    turned = tmp_path / "turned.pdf"
    with turned.open("wb") as f:
        writer.write(f)
    assert PdfReader(turned).pages[0].rotation % 360 == 270
    doc = read_pdf(turned)
    assert [t.name for t in doc.tables] == ["2026年部门支出预算总表"]
    assert body(doc.tables[0])[0][3] == "一般公共服务支出"


def test_text_and_tables_in_two_files_are_one_document(tmp_path: Path) -> None:
    text = Drawing()
    text.text(60, 60, "某某区某某局2026年部门预算情况说明", size=16)
    text.text(60, 100, "一、部门基本情况")
    d = Drawing()
    top = heading(d, 40, "2026年部门支出预算总表")
    table(d, top, WIDTHS, HEADER + BODY, merged=MERGED_HEADER)
    a, b = text.write(tmp_path / "附件1.pdf", landscape=False), d.write(tmp_path / "附件2.pdf")
    doc = read_pdfs([a, b])
    assert len(doc.pages) == 2 and doc.year == 2026
    assert [t.name for t in doc.tables] == ["2026年部门支出预算总表"]
    assert doc.where(2)[0].endswith("附件2.pdf") and doc.where(2)[1] == 1
    ref = str(doc.tables[0].ref(3, 1))
    assert ref.startswith(f"{doc.tables[0].book}:第1页") and doc.page_at(ref) == 2
    alone = read_pdf(a)
    assert alone.tables == [] and alone.unreadable_message() is None


def test_a_page_that_is_only_an_image_is_named(tmp_path: Path) -> None:
    import pypdfium2

    d = Drawing()
    heading(d, 40, "2026年部门支出预算总表")
    source = d.write(tmp_path / "text.pdf")
    image = pypdfium2.PdfDocument(str(source))[0].render(scale=0.5).to_pil()
    scan = tmp_path / "scan.pdf"
    image.save(scan, "PDF")
    doc = read_pdfs([source, scan])
    message = doc.unreadable_message()
    assert message is not None and "第1页" in message and "扫描" in message and str(scan) in message


def test_a_column_numbering_row_and_a_padding_row_of_zeros(tmp_path: Path) -> None:
    d = Drawing()
    top = heading(d, 40, "2026年政府性基金预算支出表", unit="万元")
    rows = [["预算单位", "科目编码", "", "科目名称", "合计", "基本支出", "项目支出"],
            ["栏次", "", "", "", "1", "2", "3"],
            ["某某区某某局", "", "", "", "0.00", "0.00", "0.00"]]
    table(d, top, WIDTHS, rows, merged=[(0, 1, 2)])
    doc = read_pdf(d.write(tmp_path / "t.pdf"))
    sheet = doc.tables[0]
    assert sheet.grid()[2][4:] == ["0.00", "0.00", "0.00"]
    assert classified(sheet) == {}  # neither 栏次 nor the unit's row of zeros is an error


def test_a_table_titled_without_a_unit_line_is_its_own_and_a_framed_box_is_no_row(tmp_path: Path) -> None:
    d = Drawing()
    top = heading(d, 40, "2026年部门支出预算总表")
    table(d, top, WIDTHS, HEADER + BODY, merged=MERGED_HEADER)
    d.page()
    d.text(240, 40, "2026年部门整体绩效目标表", size=16)
    d.text(40, 66, "单位名称：某某区某某局")
    table(d, 90, [120, 300, 120], [["指标名称", "指标值", "计量单位"], ["办件满意率", "≥ 98", "%"]])
    d.page()  # a framed note after the last table
    table(d, 200, [150, 250], [["联系人：某某", "联系电话：12345678"]])
    doc = read_pdf(d.write(tmp_path / "t.pdf"))
    assert [t.name for t in doc.tables] == ["2026年部门支出预算总表", "2026年部门整体绩效目标表"]
    assert len(body(doc.tables[0])) == len(BODY)
    assert doc.tables[1].max_row == 4 and "某某区某某局" in doc.tables[1].values[(2, 1)]


def test_a_document_that_is_only_images_is_refused_naming_its_pages(tmp_path: Path) -> None:
    import pypdfium2

    from budgetreport.common.problems import BudgetError

    d = Drawing()
    heading(d, 40, "2026年部门支出预算总表")
    d.page()
    heading(d, 40, "2026年部门收入预算总表")
    source = d.write(tmp_path / "text.pdf")
    pages = [p.render(scale=0.5).to_pil() for p in pypdfium2.PdfDocument(str(source))]
    scan = tmp_path / "scan.pdf"
    pages[0].save(scan, "PDF", save_all=True, append_images=pages[1:])
    with pytest.raises(BudgetError) as caught:
        read_pdf(scan)
    (problem,) = caught.value.problems
    assert problem.code == "E604" and "第1–2页" in problem.message and "扫描" in problem.message


def test_a_project_total_column_beside_its_part_is_the_project_column() -> None:
    from budgetreport.importer.labels import column_key

    assert column_key(("预算数", "项目支出", "项目支出总数"), {}) == "project"
    assert column_key(("预算数", "项目支出", "扣除基建项目后预算数"), {}) is None
