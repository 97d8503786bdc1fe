"""The national base region stands on its own: a 公共安全 (204) department in 元 with 分, no
staff counts and no department-wide goals, in a workspace whose catalogue adds the 204 款/项,
passes `check` and builds a complete document whose every figure matches the data (read back
from the PDF); `new --region base` writes a skeleton that, filled in, builds."""

from __future__ import annotations

import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from budgetreport.checks.validate import check_file
from budgetreport.inputs.load import read
from budgetreport.publish.build import build
from conftest import ROOT, run_cli

SAMPLE = ROOT / "tests" / "samples" / "sifa"
FILE = "qingshan-sifa-2022.yaml"
# The central departments' current form (issue 22): nine tables, then one 项目支出绩效目标表 per
# project, titled by the project.
NATIONAL_TABLES = ["部门收支总表", "部门收入总表", "部门支出总表", "财政拨款收支总表",
                   "一般公共预算支出表", "一般公共预算基本支出表", "政府性基金预算支出表",
                   "国有资本经营预算支出表", "财政拨款预算“三公”经费支出表", "项目支出绩效目标表（"]


def wan(yuan: str | Decimal) -> str:
    """An amount in 元 as the text shows it: 万元, two decimals, half-up."""
    return f"{(Decimal(yuan) / 10000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}万元"


def cell(yuan: str | Decimal) -> str:
    """An amount in 元 as a 元 table shows it (the file has 分): 1,234,567.89."""
    return f"{Decimal(yuan):,.2f}"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ws") / "sifa"
    shutil.copytree(SAMPLE, folder)
    return folder


@pytest.fixture(scope="module")
def document(workspace: Path) -> tuple[str, Path]:
    """The built PDF's text (pdftotext, white space removed) and the PDF."""
    mp = pytest.MonkeyPatch()
    mp.chdir(workspace)
    try:
        built = build(Path("data") / FILE, Path("output"))
    finally:
        mp.undo()
    pdf = workspace / built.pdf
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", "", text), pdf


def test_sample_passes_check(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workspace)
    checked = check_file(Path("data") / FILE)
    assert checked.errors() == [], "\n".join(map(str, checked.errors()))
    assert checked.region is not None and checked.region.key == "base"
    result = run_cli("check", Path("data") / FILE)
    assert result.exit_code == 0, result.output


def test_four_parts_and_national_tables(document: tuple[str, Path]) -> None:
    text, _ = document
    for part in ("第一部分部门概况", "第二部分2022年部门预算说明", "第三部分名词解释",
                 "第四部分2022年部门预算附表"):
        assert part in text
    positions = [text.rfind(title) for title in NATIONAL_TABLES]
    assert -1 not in positions and positions == sorted(positions), positions
    assert "整体支出绩效目标表" not in text          # not given: left out, not invented
    projects = read(SAMPLE / "data" / FILE).data.get("projects") or []  # one table each
    names = ["".join(str(p["name"]).split()) for p in projects]
    assert names and all(f"项目支出绩效目标表（{n}）" in text for n in names)
    assert "人员编制数" not in text and "在职人数" not in text


def test_every_figure_matches_the_data(document: tuple[str, Path], workspace: Path) -> None:
    text, _ = document
    data = read(workspace / "data" / FILE).data
    total = Decimal("16779011.22")
    # sentences (万元): totals, changes, each 项, 三公 items with their changes
    assert f"收入预算为{wan(total)}，比2021年预算数增加{wan(total - Decimal('15900000'))}" in text
    assert f"1.基本支出{wan('12987654.33')}；2.项目支出{wan('3791356.89')}；" in text
    for line in data["spending"]:
        amount = sum((Decimal(str(line.get(k, 0))) for k in ("basic", "personnel", "project")),
                     Decimal(0))
        assert f"（项）{wan(amount)}。主要用于{line['purpose']}" in text.replace(line["name"] + "（项）", "（项）")
    assert f"“三公”经费财政拨款预算数为{wan('500000')}，与上年预算相比减少{wan('290000')}" in text
    assert f"公务接待费{wan('80000')}" in text
    assert f"2022年预算安排{wan('80000')}。与上年预算相比减少{wan('10000')}，下降11.11%" in text
    assert f"机关运行经费财政拨款预算{wan('1976543.21')}。" in text  # 302 公用经费; no prior given
    # tables (元, with 分 as entered): totals and every economic line
    for value in ("16779011.22", "12987654.33", "3791356.89", "9876543.21", "2576543.21",
                  "10411111.12", "500000.00", "420000.00"):
        assert cell(value) in text, value
    for line in data["economic"]:
        assert cell(str(line.get("personnel", line.get("public")))) in text
    assert "单位：元" in text


def test_base_skeleton_builds_when_filled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("new", "--region", "base", "--name", "青山市司法局", "--year", "2022",
                     "-o", "qingshan-2022.yaml")
    assert result.exit_code == 0, result.output
    skeleton = (tmp_path / "qingshan-2022.yaml").read_text(encoding="utf-8")
    assert "region: base" in skeleton
    assert check_file(tmp_path / "qingshan-2022.yaml").errors()  # blanks reported until filled


def test_contents_keep_indent_and_leader_across_pages_and_lines(workspace: Path) -> None:
    """Contents entries continued on the next contents page keep their indent; a long entry
    that wraps keeps its dot leader and page number with its last line."""
    long = "部门收入总表（按支出功能分类科目列示的本年收入预算及上年结转结余情况明细表）"
    folder = workspace.parent / "long"
    shutil.copytree(workspace, folder)
    (folder / "templates" / "regions" / "base").mkdir(parents=True)
    (folder / "templates" / "regions" / "base" / "region.yaml").write_text(
        f"table_titles:\n  income: {long}\n", encoding="utf-8")
    mp = pytest.MonkeyPatch()
    mp.chdir(folder)
    try:
        pdf = folder / build(Path("data") / FILE, Path("out")).pdf
    finally:
        mp.undo()
    box = subprocess.run(["pdftotext", "-f", "2", "-l", "3", "-bbox", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = box.split("<page ")[1:]
    words = [[(float(x), float(y), w) for x, y, w in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)] for page in pages]
    starts = {w[:2]: x for page in words for x, _, w in page if re.match(r"^[一二三四五六七八九十]、", w)}
    lefts = [x for page in words for x, _, w in page if re.match(r"^[一二三四五六七八九十]、", w)]
    assert len(pages) == 2 and len(set(lefts)) == 1, starts  # same indent on both pages
    first = next(page for page in words if any(w.startswith("二、部门收入总表") for *_, w in page))
    y0 = next(y for _, y, w in first if w.startswith("二、部门收入总表"))
    after = sorted({round(y, 1) for _, y, _ in first if y > y0 + 1})
    last_line = [w for _, y, w in first if round(y, 1) == after[0]]
    assert "……" in "".join(last_line) or "..." in "".join(last_line).replace("…", "...")
    assert last_line[-1].isdigit(), last_line  # the page number ends the entry's last line
