"""A published Shanghai budget disclosure as other software makes it — not our pipeline.

Real disclosures are put together by hand: the text in a word processor, the 附表 exported
from the budget system to Excel and printed to PDF, the parts merged. This module does the
same with other tools, from the published text of 上海市财政局's 2025 单位预算
(tests/references/shanghai-czj-2025.txt) and its figures (tests/shanghai_export.py, typed
from that publication):

- the 附表: an openpyxl workbook in the budget platform's export shape — merged header rows,
  thin borders drawn by the spreadsheet, 宋体 (substituted by whatever the machine has),
  thousands separators as a number format, blank cells (or "-") for zero, a page header and
  "第 N 页" footer, the header rows repeated on every page — printed to PDF by LibreOffice
  Calc (`soffice --headless --convert-to pdf`);
- the text: cover, contents, 一…四 and 六, laid out from the published text as a plain HTML
  page in a word-processor style through WeasyPrint, with page numbers;
- merged into one file with pypdf: text, tables, text.

`Style` varies what real publications vary. With `as_published=True` the figures are printed
as the publication prints them, its one 元 defect included (物业管理费 9,265,733: the 302 款
rows add up to one 元 less than their 302 row).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from shanghai_export import NAME, Export, Sheet, shanghai_czj

REFERENCE = Path(__file__).parent / "references" / "shanghai-czj-2025.txt"
PUBLISHED_PROPERTY_FEE = 9265733  # as printed (the export module carries the corrected 9265734)


@dataclass(frozen=True)
class Style:
    zero: str = "blank"  # how a zero amount is printed: "blank", "-" or "0"
    decimals: bool = False  # 元 amounts with two decimals ("171,915,169.00")
    numbering: str = ""  # before each title: "" | "表{n}" | "附件{n}" (on its own line above)
    meta_rows: int = 1  # 编制单位 and 单位 on one row, or 编制单位 above a row of its own for 单位
    repeat_title: bool = False  # a table carried over repeats its title rows, not only its header
    title_org: str = "预算单位"  # the word before the title ("2025年预算单位…")
    rows_per_page: int = 0  # force page breaks every N body rows (0: as LibreOffice fits them)
    title_in_grid: bool = False  # title and 编制/单位 rows boxed with the table
    orphan_title: bool = False  # a page break between the title and its table


THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def export(as_published: bool = True, org: str = "单位") -> Export:
    e = shanghai_czj(org)
    if as_published:
        eco = next(s for s in e.sheets if "经济分类" in s.name)
        for row in eco.rows:
            for i, v in enumerate(row):
                if v == PUBLISHED_PROPERTY_FEE + 1:
                    row[i] = PUBLISHED_PROPERTY_FEE
    return e


def workbook(e: Export, style: Style) -> Workbook:
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    for n, s in enumerate(e.sheets, 1):
        _sheet(wb.create_sheet(s.name[:31]), s, n, style)
    return wb


def _sheet(ws: Worksheet, s: Sheet, n: int, style: Style) -> None:
    title = s.title.replace("预算单位", style.title_org).replace("年单位", "年" + style.title_org.removeprefix("预算"))
    r = 1
    if style.numbering.startswith("附件"):
        ws.cell(r, 1, style.numbering.format(n=n)).font = Font(name="黑体", size=12)
        r += 1
    elif style.numbering:
        title = f"{style.numbering.format(n=n)} {title}"
    ws.cell(r, 1, title).font = Font(name="宋体", size=16, bold=True)
    ws.cell(r, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=s.width)
    r += 1
    unit = f"单位：{s.unit}" if s.unit == "元" else f"单位:{s.unit}"
    ws.cell(r, 1, f"编制单位：{NAME}").font = Font(name="宋体", size=10)
    if style.meta_rows == 2:
        r += 1
    ws.cell(r, s.width, unit).font = Font(name="宋体", size=10)
    ws.cell(r, s.width).alignment = Alignment(horizontal="right")
    top = r + 1
    last_header = top + max(h[0] + h[2] - 1 for h in s.header) - 1
    for row, col, rowspan, colspan, text in s.header:
        ws.cell(top + row - 1, col, text)
        if rowspan > 1 or colspan > 1:
            ws.merge_cells(start_row=top + row - 1, start_column=col,
                           end_row=top + row + rowspan - 2, end_column=col + colspan - 1)
    body = last_header + 1
    money = "#,##0.00" if style.decimals and s.unit == "元" else "#,##0.00" if s.unit == "万元" else "#,##0"
    amounts = {c for values in s.rows for c, v in enumerate(values, 1) if isinstance(v, int)}
    for i, values in enumerate(s.rows):
        for c, v in enumerate(values, 1):
            cell = ws.cell(body + i, c)
            if c in amounts and not isinstance(v, str) and any(isinstance(x, str) and x for x in values):
                if v in (None, 0):
                    cell.value = None if style.zero == "blank" else style.zero if style.zero == "-" else 0
                else:
                    cell.value = v
                cell.number_format = money
                cell.alignment = Alignment(horizontal="right", vertical="center")
            else:
                cell.value = v
                cell.alignment = Alignment(vertical="center", wrap_text=True)
    end = body + len(s.rows) - 1
    for rr in range(1 if style.title_in_grid else top, end + 1):
        for c in range(1, s.width + 1):
            cell = ws.cell(rr, c)
            cell.border = BOX
            if rr >= top and (cell.font.name != "宋体" or cell.font.size != 10):
                cell.font = Font(name="宋体", size=10, bold=rr <= last_header)
            if top <= rr <= last_header:
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for c in range(1, s.width + 1):
        ws.column_dimensions[chr(64 + c)].width = 8 if c <= 3 and "编码" in str(s.header) else 16
    if "名称" in str(s.header):  # the name column of a classified table
        name_col = next(col for _, col, _, _, text in s.header if "名称" in text)
        ws.column_dimensions[chr(64 + name_col)].width = 22
    for rr in range(body, end + 1):  # as Excel grows a row whose text wraps
        lines = max((-(-len(str(ws.cell(rr, c).value or "")) * 2 // int(_width(ws, c))) for c in range(1, s.width + 1)),
                    default=1)
        if lines > 1:
            ws.row_dimensions[rr].height = 14 * lines
    ws.print_title_rows = f"{1 if style.repeat_title else top}:{last_header}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.oddHeader.right.text = "上海市2025年市级单位预算"
    ws.oddFooter.center.text = "第 &P 页"
    from openpyxl.worksheet.pagebreak import Break
    if style.orphan_title:
        ws.row_breaks.append(Break(id=top - 1))
    if style.rows_per_page:
        for k in range(body + style.rows_per_page - 1, end, style.rows_per_page):
            ws.row_breaks.append(Break(id=k))


def _width(ws: Worksheet, col: int) -> float:
    return ws.column_dimensions[chr(64 + col)].width or 13


def tables_pdf(e: Export, style: Style, folder: Path) -> Path:
    xlsx = folder / "附表.xlsx"
    workbook(e, style).save(xlsx)
    profile = folder / "lo-profile"
    subprocess.run([shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{profile}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(xlsx)],
                   check=True, capture_output=True, timeout=180)
    return folder / "附表.pdf"


# --- the text ----------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 2.5cm 2.2cm; @bottom-center { content: "- " counter(page) " -";
        font-size: 10pt; } }
@page cover { @bottom-center { content: none; } }
body { font-family: "LXGW WenKai", serif; font-size: 12pt; line-height: 1.6; }
.cover { page: cover; text-align: center; padding-top: 8cm; page-break-after: always; }
.cover h1 { font-size: 26pt; } .cover p { font-size: 16pt; margin-top: 3cm; }
h2 { font-size: 16pt; text-align: center; margin: 1em 0; page-break-before: always; }
h2.toc { page-break-before: avoid; }
p { text-indent: 2em; margin: 0; text-align: justify; }
p.toc { text-indent: 0; }
"""


def _reference_parts() -> tuple[list[str], list[str], list[str]]:
    """Cover lines, the text before the tables, and the text after them, as published."""
    lines = REFERENCE.read_text(encoding="utf-8").splitlines()
    first_table = next(i for i, ln in enumerate(lines) if "财务收支预算总表" in ln and "编制" in lines[i + 1])
    after = next(i for i, ln in enumerate(lines) if i > first_table and ln.strip() == "其他相关情况说明")
    toc = next(i for i, ln in enumerate(lines) if re.fullmatch(r"\s*目\s*录\s*", ln))
    return [ln.strip() for ln in lines[:toc] if ln.strip()], lines[toc:first_table], lines[after:]


def _html_blocks(lines: list[str]) -> str:
    """Published lines as paragraphs: an indented line starts one, a centred line is a heading,
    a line flush left continues the paragraph before (it was wrapped)."""
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{''.join(para)}</p>")
            para.clear()

    for ln in lines:
        if not ln.strip():
            continue
        indent = len(ln) - len(ln.lstrip())
        text = ln.strip().replace("&", "&amp;").replace("<", "&lt;")
        if indent >= 8:
            flush()
            cls = ' class="toc"' if re.fullmatch(r"目\s*录", text) else ""
            out.append(f"<h2{cls}>{text}</h2>")
        elif indent >= 1 or re.match(r"[一二三四五六七八九十]、|\d+[.．]", text):
            flush()
            para.append(text)
        else:
            para.append(text)
    flush()
    return "\n".join(out)


def text_pdfs(folder: Path) -> tuple[Path, Path]:
    import weasyprint

    cover, front, back = _reference_parts()
    head = f"<!doctype html><html lang=zh><head><meta charset=utf-8><style>{CSS}</style></head><body>"
    first = (head + '<div class="cover">' + f"<h1>{cover[0]}</h1>"
             + "".join(f"<p>{c}</p>" for c in cover[1:]) + "</div>" + _html_blocks(front) + "</body></html>")
    second = head + _html_blocks(back) + "</body></html>"
    a, b = folder / "正文1.pdf", folder / "正文2.pdf"
    weasyprint.HTML(string=first).write_pdf(a)
    weasyprint.HTML(string=second).write_pdf(b)
    return a, b


def publication(folder: Path, style: Style = Style(), as_published: bool = True) -> Path:
    """The whole document: cover, contents and text, the nine tables, the closing text."""
    from pypdf import PdfWriter

    folder.mkdir(parents=True, exist_ok=True)
    front, back = text_pdfs(folder)
    tables = tables_pdf(export(as_published), style, folder)
    out = folder / "上海市财政局2025年单位预算.pdf"
    writer = PdfWriter()
    for part in (front, tables, back):
        writer.append(str(part))
    with out.open("wb") as f:
        writer.write(f)
    return out
