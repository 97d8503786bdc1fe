"""`verify` without data reports only true defects, each with the printed figure most likely
wrong: the defects are made in our own rendering of a sample (the HTML edited before
layout, as a hand edit of a publication would be) or in a document's text alone."""

from __future__ import annotations

import re
from pathlib import Path

from budgetreport.checks.validate import check_file
from budgetreport.common.problems import Severity
from budgetreport.publish.build import prepare
from budgetreport.readback import verify, verify_document
from budgetreport.readback.pdf import Document
from conftest import run_cli
from test_verify import XIAMEN, layout, page_with, pages_of, render


def with_cells(out: Path, table: str, code: str, cells: dict[str, str]) -> Path:
    """The Xiamen sample's PDF with the cells `cells` (data-key → text) of row `code` in
    附表 `table` printed otherwise."""
    prepared = prepare(check_file(XIAMEN))
    html = prepared.html
    start = html.index(f'id="table-{table}"')
    row = re.compile(rf'<tr data-code="{code}">.*?</tr>', re.S).search(html, start)
    assert row is not None
    text = row.group(0)
    for key, value in cells.items():
        text, n = re.subn(rf'(data-key="{key}">)[^<]*<', rf"\g<1>{value}<", text)
        assert n == 1, (key, text)
    return layout(prepared, html[:row.start()] + text + html[row.end():], out)


def errors(problems: list) -> list:
    return [p for p in problems if p.severity is Severity.error]


def text_only(*pages: str) -> Document:
    return Document("说明.pdf", list(pages), [])


def test_a_row_with_its_project_spending_printed_as_basic_is_named(tmp_path: Path) -> None:
    pdf = with_cells(tmp_path / "x.pdf", "spending", "2159999", {"basic": "78.00", "project": "0.00"})
    found = verify(pdf)
    # one mistake, one finding: the error names the two figures, the sums it unbalances with it
    hints = errors(found)
    assert len(hints) == 1 and hints[0].code == "E531", found
    assert "因它而不平衡的" in hints[0].message
    assert "可能印反了" in hints[0].message and "其他资源勘探工业信息等支出" in hints[0].message
    assert "基本支出" in hints[0].message and "项目支出" in hints[0].message
    assert pages_of(hints) == {page_with(pdf, "部门支出预算总体情况表编制单位")}


def test_a_subtotal_that_drifts_names_the_subtotal(tmp_path: Path) -> None:
    # the 款 row prints one cent more than its two 项 and its 类: the 款 figure is the odd one
    pdf = with_cells(tmp_path / "x.pdf", "spending", "21011", {"total": "65.52"})
    found = verify(pdf)
    hints = errors(found)  # one mistake, one finding: the figure named, the sums it unbalances with it
    assert len(hints) == 1 and hints[0].code == "E531", found
    assert "“行政事业单位医疗”行“合计”列 65.52 最可能有误：若为 65.51" in hints[0].message, hints
    assert "因它而不平衡的" in hints[0].message


def test_the_budget_year_as_the_base_of_a_comparison_is_caught() -> None:
    doc = text_only("2026年部门预算", "2026年收入预算为100万元，比2026年预算增加5万元。")
    found = [p for p in verify_document(doc) if p.code == "E622"]
    assert len(found) == 1 and "比较的基数应是上年（2025年）" in found[0].message, found
    assert found[0].file == "说明.pdf:第2页"
    # last year's budget, as the base or as a reason, is no defect; nor is another document's year
    fine = text_only("2026年部门预算", "比2025年预算增加5万元，原因是2025年预算无此内容。与2025年部门预算相比持平。")
    assert [p for p in verify_document(fine) if p.code == "E622"] == []
    stale = text_only("2026年部门预算", "2025年部门预算收入为100万元。")
    assert [p.code for p in verify_document(stale) if p.code == "E622"] == ["E622"]


def test_a_figure_stated_twice_with_two_values_is_caught() -> None:
    doc = text_only("2026年部门预算", "“三公”经费预算为17万元，比上年减少5万元。",
                    "2025年“三公”经费预算为22万元。本部门“三公”经费预算为17.0万元。", "“三公”经费预算为22万元。")
    found = [p for p in verify_document(doc) if p.code == "E628"]
    assert len(found) == 1, found
    assert "“三公”经费预算为22万元" in found[0].message and "第2页" in found[0].message
    assert found[0].file == "说明.pdf:第4页"


def test_template_text_is_the_one_list_check_uses() -> None:
    doc = text_only("2026年部门预算", "五、国有资产占有使用情况（增加内容）",
                    "为群众提供7×24小时服务，满意度=得分/总分×100%，网址 xxgk.gov.cn。", "XX部门职责")
    found = [p for p in verify_document(doc) if p.code == "E623"]
    assert [p.file for p in found] == ["说明.pdf:第2页", "说明.pdf:第4页"], found


def test_a_document_of_text_alone_is_no_error() -> None:
    doc = text_only("2026年部门预算", "一、部门职责")
    found = verify_document(doc)
    assert errors(found) == [] and [p.code for p in found] == ["E625"]
    assert found[0].severity is Severity.hint and "没有附表" in found[0].message


def test_a_folder_is_summed_up_and_written_as_html(tmp_path: Path) -> None:
    import weasyprint

    folder = tmp_path / "各部门"
    folder.mkdir()
    render(XIAMEN, folder / "甲.pdf")
    render(XIAMEN, folder / "乙.pdf", ("", "收入预算为2735.83万元", "收入预算为2735.83万元（增加内容）"))
    weasyprint.HTML(string="<p>2022年部门预算</p><p>正文，没有表格。</p>").write_pdf(folder / "丙.pdf")
    (folder / "坏.pdf").write_bytes(b"not a pdf")
    report = tmp_path / "报告.html"
    result = run_cli("verify", folder, "--html", report)
    assert result.exit_code == 1, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines() if line.strip()}
    first = next(k for k in lines if k.endswith("甲.pdf"))
    assert lines[first].split()[-1] == "一致" and lines[first].split()[2] != "0"
    assert next(v for k, v in lines.items() if k.endswith("乙.pdf")).split()[-1] == "处不一致"
    assert next(v for k, v in lines.items() if k.endswith("丙.pdf")).split()[-1] == "没有附表"
    assert next(v for k, v in lines.items() if k.endswith("坏.pdf")).split()[-1] == "无法读取"
    assert "共 4 个文件：2 个一致或只有文字" in result.output
    page = report.read_text(encoding="utf-8")
    assert page.count("<tr class=") == 4 and "（增加内容）" in page and "Traceback" not in result.output


def test_units_are_read_as_real_publications_list_them() -> None:
    from budgetreport.readback.texts import placed_texts

    prose = "这是一行足够长的正文，用来给出整行的宽度，使标题比它短得多，从而认作标题而不是正文的一部分内容"
    doc = Document("x.pdf", [
        "上海市普陀区2025年区级部门预算\n预算主管部门：上海市普陀区某某局",
        "上海市普陀区某某局（部门）主要职能\n某某局是区政府工作部门。\n主要职能包括：\n"
        f"一、{prose}，\n{prose}。\n二、负责本区有关工作。",
        "上海市普陀区某某局（部门）机构设置\n"
        "上海市普陀区某某局部门预算是包括某某局本部以及下属 1 家预算单位的综合收支计划。\n"
        "本部门中，行政单位 1 家，事业单位 1 家，具体包括：\n"
        "1. 上海市普陀区某某服务中心，不单列预算。",
        "名词解释\n（一）财政拨款收入：是区级预算主管部门本年度从本级财政部门取得的财政拨款。",
    ], [])
    placed = {p.path: p.value for p in placed_texts(doc)}
    assert placed[("overview", "duties")][0] == "某某局是区政府工作部门。", placed
    assert placed[("overview", "units")] == [{"name": "某某局本部"}, {"name": "上海市普陀区某某服务中心"}]
    assert placed[("overview", "subordinate_units")] == 1
    assert placed[("department", "level")] == "区级"


def test_a_three_public_table_with_both_years_side_by_side_gives_a_row_per_year() -> None:
    from decimal import Decimal

    from budgetreport.importer.checks import check_tables
    from budgetreport.importer.sheets import read_table
    from budgetreport.importer.workbook import Sheet

    labels = ["合计", "因公出国（境）费", "公务用车购置费", "公务用车运行维护费", "公务接待费"]
    values: dict = {(1, 1): "一般公共预算“三公”经费支出情况表", (2, 1): "单位：万元",
                    (3, 1): "2025年预算数", (3, 6): "2026年预算数"}
    for i, label in enumerate(labels):
        values[(4, 1 + i)] = values[(4, 6 + i)] = label
    for i, v in enumerate(["22.00", "", "", "20.00", "2.00", "17.00", "", "", "15.00", "2.00"]):
        if v:
            values[(5, 1 + i)] = Decimal(v)
    sheet = Sheet("x.pdf", "三公", values, [(3, 1, 3, 5), (3, 6, 3, 10)], 5, 10)
    problems: list = []
    table = read_table("three_public", sheet, {}, "three_public", problems)
    assert [p for p in problems if p.severity is Severity.error] == [], problems
    facts = check_tables([table], {})
    assert facts.get("three_public", "current", "total").value == Decimal(170000)
    assert facts.get("three_public", "prior", "total").value == Decimal(220000)
    assert facts.get("three_public", "current", "vehicle_running").value == Decimal(150000)


def titled(*titles: str, first_page: str = "") -> Document:
    """A document whose tables carry only these titles (each an empty sheet of one row)."""
    from budgetreport.readback.pdf import PdfSheet

    sheets = [PdfSheet("x.pdf", t, {(1, 1): t}, [], 1, 1, pages={1: n + 1}) for n, t in enumerate(titles)]
    return Document("x.pdf", [first_page, *(["表"] * len(titles))], sheets)


def test_the_region_is_guessed_from_its_table_titles_and_told() -> None:
    from budgetreport.importer import reading_placeholders
    from budgetreport.inputs.region import load_region
    from budgetreport.readback import guess

    settings = load_region("shanghai").filled(reading_placeholders(2025, "部门"))
    doc = titled(*(settings["table_titles"][k] for k in settings["tables"]))
    g = guess(doc)
    assert (g.region, g.fits, g.matched) == ("shanghai", True, len(settings["tables"]))
    hints = [p for p in verify_document(doc) if p.code == "E631"]
    assert len(hints) == 1 and "shanghai" in hints[0].message and "相符" in hints[0].message


def test_a_document_of_no_known_region_is_read_as_base_and_said_so() -> None:
    from budgetreport.readback import guess

    # three national titles many regions share, among tables no region has
    doc = titled("收支总表", "收入总表", "支出总表", "部门整体绩效目标表", "项目支出绩效目标表",
                 "专项业务经费支出表", "会议费明细表", "培训费明细表", "政府购买服务预算表", "上年结转资金支出表")
    g = guess(doc)
    assert g.region == "base" and not g.fits
    assert "没有哪个内置地区" in g.message() and "--region" in g.message()


def test_the_cover_names_the_department_when_no_table_does() -> None:
    doc = text_only("北京市某某局 2026 年度\n部门预算信息公开\n目  录", "一、部门职责")
    assert doc.issuer == "北京市某某局" and doc.year == 2026
    assert text_only("2026年部门预算\n说明").issuer is None
