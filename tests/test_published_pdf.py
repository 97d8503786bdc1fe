"""A published Shanghai disclosure made by other software (tests/published_pdf.py: LibreOffice
Calc for the 附表, WeasyPrint from a plain page for the text, merged with pypdf) is imported
with the figures the publication prints, and checked without data reports only what is
really inconsistent in it: its one 元 defect (the 302 款 rows of the economic table add up to
one 元 less than their 302 row)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from budgetreport.inputs.load import read
from budgetreport.readback import verify
from budgetreport.readback.pdf import read_pdf
from conftest import DATA, run_cli
from published_pdf import PUBLISHED_PROPERTY_FEE, Style, publication
from shanghai_export import ECONOMIC, LINES, NAME, PUBLISHED, THREE_PUBLIC, YEAR

STYLES = {
    "as-exported": Style(),
    # "-" for zero, 元 with two decimals, "表N" before each title, 编制单位 and 单位 on two
    # lines, and each title left at the foot of a page, its table on the next
    "dashes-decimals-numbered-orphans": Style(zero="-", decimals=True, numbering="表{n}", meta_rows=2,
                                              orphan_title=True),
    # "附件N" on a line above each title, 部门 wording, zeros printed, short pages whose
    # continuation repeats title and header
    "attachments-split-pages": Style(numbering="附件{n}", title_org="部门", zero="0",
                                     repeat_title=True, rows_per_page=8),
    # title and 编制/单位 rows boxed inside the table's borders
    "boxed-title": Style(title_in_grid=True, decimals=True),
}


@pytest.fixture(scope="module", params=list(STYLES))
def published(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publication(tmp_path_factory.mktemp(request.param), STYLES[request.param])


def test_it_is_not_our_pipeline_that_made_it(published: Path) -> None:
    from pypdf import PdfReader

    tables = PdfReader(published.parent / "附表.pdf").metadata or {}
    assert "LibreOffice" in str(tables.get("/Producer")), tables
    doc = read_pdf(published)
    assert doc.year == YEAR and len(doc.tables) == 9
    footers = [n for n, t in enumerate(doc.pages, 1) if "第1页" in "".join(t.split())]
    assert footers and doc.pages[0].strip().startswith("上海市2025年市级单位预算")


def test_import_holds_the_publications_figures(published: Path, tmp_path: Path) -> None:
    out = tmp_path / "czj-2025.yaml"
    result = run_cli("import", published, "-o", out, "--region", "shanghai")
    assert result.exit_code == 0, result.output
    # the defect is told, and the rows are taken as printed
    assert "（302）" in result.output and "相差 1元" in result.output and "按其下各行导入" in result.output
    data = read(out).data
    assert data["unit"] == "元"
    assert data["department"]["name"] == NAME and data["department"]["year"] == YEAR
    assert data["income"]["general_budget"] == PUBLISHED["total"]
    assert all(v == 0 for k, v in data["income"].items() if k != "general_budget")
    lines = {x["code"]: x for x in data["spending"]}
    assert set(lines) == {c for c, _, _, _ in LINES}
    for code, _, basic, project in LINES:
        assert (lines[code].get("basic", 0), lines[code].get("project", 0)) == (basic, project), code
    economic = {x["code"]: x for x in data["economic"]}
    assert set(economic) == {c for c, _, _, _ in ECONOMIC}
    for code, _, personnel, public in ECONOMIC:
        if code == "30209":
            public = PUBLISHED_PROPERTY_FEE  # as printed
        assert (economic[code].get("personnel", 0), economic[code].get("public", 0)) == (personnel, public), code
    # the texts it can place, as the publication has them (the sample was typed from it)
    sample = read(DATA / "shanghai-czj-2025.yaml").data
    for key in ("duties", "internal_divisions", "divisions"):
        assert data["overview"][key] == sample["overview"][key], key
    assert data["department"]["scope"] == "单位预算"
    # duties, internal divisions and their count, 单位预算, and the cover's 市级
    assert "W560" in result.output and out.read_text(encoding="utf-8").count("请核对后删去本行") == 5
    assert data["department"]["level"] == "市级"
    wan = Decimal(10000)
    assert [data["three_public"][k]["amount"] for k in ("abroad", "reception", "vehicle_purchase",
                                                        "vehicle_running")] == [v * wan for v in THREE_PUBLIC]


def test_checked_alone_only_the_published_defect_is_reported(published: Path) -> None:
    problems = verify(published)
    errors = [p for p in problems if p.severity.name == "error"]
    assert {p.code for p in errors} == {"E531"}, errors
    assert all("（302）" in p.message and "相差 1元" in p.message for p in errors), errors
    # the page of the 302 row (the table may begin on the page before)
    page = next(n for n, t in enumerate(read_pdf(published).pages, 1)
                if "商品和服务支出24,840,779" in "".join(t.split()))
    assert {p.file for p in errors} == {f"{published}:第{page}页"}
    # the two empty tables carry no note in this publication: said, as a warning
    warnings = [p for p in problems if p.severity.name == "warning"]
    assert sorted(p.code for p in warnings) == ["E624", "E624"], warnings
    assert {"政府性基金" in p.message or "国有资本" in p.message for p in warnings} == {True}
