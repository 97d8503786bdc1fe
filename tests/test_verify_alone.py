"""`verify` without data reports only true defects, each with the printed figure most likely
wrong: the defects are made in our own rendering of a sample (the HTML edited before
layout, as a hand edit of a publication would be) or in a document's text alone."""

from __future__ import annotations

from pathlib import Path

from budgetreport.common.problems import Severity
from budgetreport.readback import verify, verify_document
from budgetreport.readback.pdf import Document
from conftest import run_cli
from test_verify import XIAMEN, page_with, pages_of, render


def errors(problems: list) -> list:
    return [p for p in problems if p.severity is Severity.error]


def text_only(*pages: str) -> Document:
    return Document("说明.pdf", list(pages), [])


def test_a_row_with_its_project_spending_printed_as_basic_is_named(tmp_path: Path) -> None:
    row = ('<td class="text lvl-3">其他资源勘探工业信息等支出</td><td class="money" data-key="total">78.00</td>'
           '<td class="money" data-key="basic">0.00</td><td class="money" data-key="project">78.00</td>')
    swapped = row.replace('"basic">0.00', '"basic">78.00').replace('"project">78.00', '"project">0.00')
    pdf = render(XIAMEN, tmp_path / "x.pdf", ("spending", row, swapped))
    found = verify(pdf)
    assert errors(found) and {p.code for p in errors(found)} <= {"E530", "E531"}, found
    hints = [p for p in found if p.code == "E630"]
    assert len(hints) == 1, found
    assert "可能印反了" in hints[0].message and "其他资源勘探工业信息等支出" in hints[0].message
    assert "基本支出" in hints[0].message and "项目支出" in hints[0].message
    assert pages_of(hints) == {page_with(pdf, "部门支出预算总体情况表编制单位")}


def test_a_subtotal_that_drifts_names_the_subtotal(tmp_path: Path) -> None:
    # the 款 row prints one cent more than its one 项 and its 类: the 款 figure is the odd one
    pdf = render(XIAMEN, tmp_path / "x.pdf", (
        "spending", '行政事业单位医疗</td><td class="money" data-key="total">65.51<',
        '行政事业单位医疗</td><td class="money" data-key="total">65.52<'))
    found = verify(pdf)
    assert any(p.code == "E531" for p in errors(found)), found
    hints = [p for p in found if p.code == "E630"]
    assert len(hints) == 1 and "“行政事业单位医疗”行“合计”列 65.52 最可能有误：若为 65.51" in hints[0].message, hints


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
