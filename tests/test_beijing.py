"""The Beijing region against the published 2026 disclosure of 中共北京市委宣传部, figure by figure.

The sample `data/beijing-xcb-2026.yaml` is built once; its PDF is read back with
`pdftotext -layout`, its workbook with openpyxl. The expected figures below are typed from
the publication (附件2 报表 预算01–11表, 附件1 情况说明): each must appear in the same table, on
the row of the same label or code, in the same column (the n-th amount of that row). Rows the
publication prints per unit or per economic classification (预算03表, 06表) are compared where
the model holds the same figure: their totals and the 项 rows of 05表 that appear once.
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetreport.publish.build import Built, build
from conftest import DATA, run_cli

SAMPLE = DATA / "beijing-xcb-2026.yaml"
AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})*\.\d{6}")

# table title → {row label or code: the amounts of that row as published, left to right
#   (the publication leaves a zero cell blank: blanks are not listed)}
PUBLISHED: dict[str, dict[str, list[str]]] = {
    "收支总表": {
        "一、一般公共预算拨款收入": ["116,200.000000"],
        "二、政府性基金预算拨款收入": ["6,389.000000"],
        "九、其他收入": ["501.398813"],
        "教育支出": ["73.050000"],
        "文化旅游体育与传媒支出": ["122,136.821152"],
        "社会保障和就业支出": ["5,414.736600"],
        "卫生健康支出": ["1,666.861932"],
        "资源勘探工业信息等支出": ["23.478000"],
        "住房保障支出": ["3,631.686672"],
        "一、一般公共服务支出": [],  # every 类 listed, blank ones too
        "二十、粮油物资储备支出": [],
        "本年收入合计": ["123,090.398813", "132,946.634356"],
        "上年结转结余": ["10,157.584356", "301.348813"],
        "收入总计": ["133,247.983169", "133,247.983169"],
    },
    "收入总表": {
        "133,247.983169": ["133,247.983169", "123,090.398813", "116,200.000000", "6,389.000000",
                           "501.398813", "10,157.584356", "8,257.584356", "1,900.000000"],
    },
    "支出总表": {
        "合计": ["132,946.634356", "25,249.839114", "107,696.795242"],
    },
    "财政拨款收支总表": {
        "一、一般公共预算资金": ["116,200.000000"],
        "二、政府性基金预算资金": ["6,389.000000"],
        "文化旅游体育与传媒支出": ["120,036.771152"],
        "社会保障和就业支出": ["5,414.736600"],
        "本年收入合计": ["122,589.000000", "130,846.584356"],
        "上年结转结余": ["8,257.584356"],
        "一、一般公共预算拨款": ["8,257.584356"],
        "收入总计": ["130,846.584356", "130,846.584356"],
        "二十六、抗疫特别国债安排的支出": [],  # every 类 listed, blank ones too
    },
    "一般公共预算支出表": {
        "2070101": ["8,668.688754", "8,668.688754", "7,419.385100", "1,249.303654"],
        "2070102": ["2,413.699679", "2,413.699679"],
        "2070605": ["6,712.698500", "6,712.698500"],
        "2080501": ["337.504000", "337.504000", "337.000000", "0.504000"],
        "合计": ["124,457.584356", "25,249.789114", "21,643.164403", "3,606.624711",
                 "99,207.795242"],
    },
    "一般公共预算基本支出表": {  # its lines: ECONOMIC_LINES below
        "合计": ["25,249.789114", "21,643.164403", "3,606.624711"],
        "3021101-差旅费": ["76.850000", "76.850000"],
    },
    "政府性基金预算支出表": {
        "2070799": ["6,389.000000", "6,389.000000"],
        "合计": ["6,389.000000", "6,389.000000"],
    },
    "国有资本经营预算支出表": {},  # no such budget: the table with its empty 合计 row
    "财政拨款“三公”经费支出表": {
        "231.434069": ["231.434069", "218.569452", "12.864617"],
    },
    "政府采购预算明细表": {
        "A-货物": ["1,399.795548"],
        "C-服务": ["24,646.027347"],
        "合计": ["26,045.822895"],
    },
    "财政拨款政府购买服务明细表": {
        "合计": ["17,413.418852"],
        "国防教育服务": ["108.300000"],
    },
    "部门整体支出绩效目标表": {  # published as 预算13表: its 资金 rows (labels wrap: found by amount)
        "132,946.634356": ["132,946.634356"],  # 年度预算资金总额 (its label wraps in the PDF)
        "130,846.584356": ["130,846.584356"],  # 其中：财政拨款
        "2,100.050000": ["2,100.050000"],  # 其他资金
    },
}
# The publication's table numbers: 预算12表 项目支出绩效目标表 is not in the sample, so it is
# left out and 部门整体支出绩效目标表 (published as 预算13表) moves up to 预算12表.
NUMBERS = {title: f"预算{n:02d}表" for n, title in enumerate(PUBLISHED, 1)}

# 附件1 情况说明: figures as the publication prints them (万元, trailing zeros dropped).
TEXT = ["133247.98万元", "122589万元", "116200万元", "6389万元", "501.4万元", "10157.58万元",
        "25249.84万元", "18.99%", "81.01%", "301.35万元", "231.43万元", "27.95万元", "10.78%",
        "218.57万元", "12.86万元", "26045.82万元", "24646.03万元", "1316.06万元",
        "1家行政单位和11家事业单位"]
# 预算13表's indicators (三级指标 → 指标值 as 指标性质, 指标值 and 度量单位 read together)
INDICATORS = {"各项工作完成时间": "≤12月", "文明实践主题市级宣讲活动受众普及率": "≥85%",
              "运转保障率": "＝100%", "新闻出版管理工作": "≥1项"}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build(SAMPLE, tmp_path_factory.mktemp("beijing"))


@pytest.fixture(scope="module")
def pages(built: Built) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(built.pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def _table_lines(pages: list[str], title: str) -> list[str]:
    """The lines of one table: from the page headed by its number and title up to the next
    table's heading (pages after the first of a long table belong to it)."""
    lines: list[str] = []
    inside = False
    for page in pages:
        heading = re.search(r"预算\d\d表\s+(\S+)", page)
        if heading and "……" not in page and "..." not in page:
            inside = heading.group(1) == title
        if inside:
            lines += page.splitlines()
    assert lines, f"PDF 中没有表“{title}”"
    return lines


@pytest.mark.parametrize("title", list(PUBLISHED))
def test_each_published_figure_is_on_its_row_and_column_in_the_pdf(
        pages: list[str], title: str) -> None:
    lines = _table_lines(pages, title)
    for label, figures in PUBLISHED[title].items():
        # the row's amounts from its label on (a 收支总表 line holds both halves)
        amounts = [AMOUNT.findall(ln[ln.index(label):]) for ln in lines if label in ln]
        assert amounts, f"{title}：没有“{label}”行"
        assert any(a[:len(figures)] == figures for a in amounts), \
            f"{title}“{label}”行：{amounts}，应为 {figures}"


def test_tables_are_numbered_like_the_publication(pages: list[str]) -> None:
    text = "\n".join(pages)
    for title, number in NUMBERS.items():
        assert re.search(rf"{number}\s+{re.escape(title)}", text), f"没有“{number} {title}”"
    assert "项目支出绩效目标表" not in text and "预算13表" not in text  # absent: skipped


def test_the_statement_prints_the_published_figures(pages: list[str]) -> None:
    text = "".join(ln.strip() for p in pages for ln in p.splitlines())
    # from the part's heading (after the contents) to the 报表 part's heading
    start = text.index("第一部分", text.index("第一部分") + 1)
    statement = text[start:text.index("第二部分", start)]
    for figure in TEXT:
        assert figure in statement, f"情况说明中没有 {figure}"


def _amount(cell: object) -> Decimal | None:
    """A workbook number (or a printed amount) as an exact six-decimal Decimal."""
    if cell is None or isinstance(cell, bool):
        return None
    try:
        return Decimal(str(cell).replace(",", "")).quantize(Decimal("0.000001"))
    except ArithmeticError:
        return None


def _sheet_rows(built: Built, title: str) -> list[list[object]]:
    wb = load_workbook(built.workbook, data_only=True, read_only=True)
    assert title in wb.sheetnames, f"工作簿中没有“{title}”"
    return [list(r) for r in wb[title].iter_rows(values_only=True)]


@pytest.mark.parametrize("title", list(PUBLISHED))
def test_each_published_figure_is_on_its_row_and_column_in_the_workbook(
        built: Built, title: str) -> None:
    rows = _sheet_rows(built, title)
    for label, figures in PUBLISHED[title].items():
        want = [Decimal(f.replace(",", "")) for f in figures]
        number = _amount(label)  # a row without a label is found by its first amount
        found = []
        for r in rows:
            cells = [c for c in r if c is not None and c != ""]
            numbers = [None if isinstance(c, str) else _amount(c) for c in cells]
            at = next((i for i, c in enumerate(cells)
                       if (isinstance(c, str) and label in c) or (number and numbers[i] == number)),
                      None)
            if at is not None:  # the row's amounts from its label on, zeros left out
                found.append([n for n in numbers[at:] if n])
        assert any(f[:len(want)] == want for f in found), f"{title}“{label}”行：{found}，应为 {want}"


def test_amounts_print_with_six_decimals_in_wan(pages: list[str]) -> None:
    lines = _table_lines(pages, "支出总表")
    assert any("单位：万元" in ln for ln in lines)
    assert all(len(a.split(".")[1]) == 6 for ln in lines for a in AMOUNT.findall(ln))


def test_the_department_goals_table_has_the_published_indicators(built: Built) -> None:
    rows = _sheet_rows(built, "部门整体支出绩效目标表")
    cells = {str(c): [str(x) for x in r if x is not None] for r in rows for c in r if c}
    for name, value in INDICATORS.items():
        assert name in cells and value in cells[name], f"指标“{name}”应为 {value}"


# 预算06表 as published: each (政府支出经济分类, 部门支出经济分类, 合计) line — 58 of them; the
# 人员经费 or 公用经费 beside it is the same amount.
ECONOMIC_LINES = [
    ("50101-工资奖金津补贴", "30101-基本工资", "1,629.864000"),
    ("50101-工资奖金津补贴", "30102-津贴补贴", "3,622.215720"),
    ("50101-工资奖金津补贴", "30103-奖金", "2,140.822000"),
    ("50102-社会保障缴费", "30108-机关事业单位基本养老保险缴费", "866.925012"),
    ("50102-社会保障缴费", "30109-职业年金缴费", "433.462416"),
    ("50102-社会保障缴费", "30110-职工基本医疗保险缴费", "683.422548"),
    ("50102-社会保障缴费", "30111-公务员医疗补助缴费", "236.167824"),
    ("50102-社会保障缴费", "30112-其他社会保障缴费", "93.628344"),
    ("50103-住房公积金", "30113-住房公积金", "916.093200"),
    ("50199-其他工资福利支出", "30199-其他工资福利支出", "400.483700"),
    ("50201-办公经费", "30201-办公费", "132.500000"),
    ("50201-办公经费", "30202-印刷费", "10.600000"),
    ("50201-办公经费", "30207-邮电费", "3.975000"),
    ("50201-办公经费", "3021101-差旅费", "76.850000"),
    ("50201-办公经费", "30228-工会经费", "146.847402"),
    ("50201-办公经费", "30239-其他交通费用", "371.500000"),
    ("50202-会议费", "3021503-三类会议费", "95.400000"),
    ("50203-培训费", "30216-培训费", "66.250000"),
    ("50206-公务接待费", "30217-公务接待费", "9.948765"),
    ("50209-维修（护）费", "30213-维修（护）费", "31.800000"),
    ("50299-其他商品和服务支出", "30299-其他商品和服务支出", "370.386487"),
    ("50501-工资福利支出", "30101-基本工资", "1,247.951520"),
    ("50501-工资福利支出", "30102-津贴补贴", "1,637.817655"),
    ("50501-工资福利支出", "30103-奖金", "26.000000"),
    ("50501-工资福利支出", "30107-绩效工资", "3,709.724932"),
    ("50501-工资福利支出", "30108-机关事业单位基本养老保险缴费", "704.559960"),
    ("50501-工资福利支出", "30109-职业年金缴费", "352.823124"),
    ("50501-工资福利支出", "30110-职工基本医疗保险缴费", "571.250436"),
    ("50501-工资福利支出", "30111-公务员医疗补助缴费", "176.021124"),
    ("50501-工资福利支出", "30112-其他社会保障缴费", "78.306612"),
    ("50501-工资福利支出", "30113-住房公积金", "724.039260"),
    ("50501-工资福利支出", "30114-医疗费", "8.316000"),
    ("50501-工资福利支出", "30199-其他工资福利支出", "31.200000"),
    ("50502-商品和服务支出", "30201-办公费", "64.602368"),
    ("50502-商品和服务支出", "30202-印刷费", "10.200000"),
    ("50502-商品和服务支出", "30204-手续费", "1.250000"),
    ("50502-商品和服务支出", "30205-水费", "22.606686"),
    ("50502-商品和服务支出", "30206-电费", "218.845835"),
    ("50502-商品和服务支出", "30207-邮电费", "9.148595"),
    ("50502-商品和服务支出", "30208-取暖费", "65.554650"),
    ("50502-商品和服务支出", "30209-物业管理费", "934.264051"),
    ("50502-商品和服务支出", "3021101-差旅费", "33.600000"),
    ("50502-商品和服务支出", "30213-维修（护）费", "76.306226"),
    ("50502-商品和服务支出", "3021503-三类会议费", "24.760000"),
    ("50502-商品和服务支出", "30216-培训费", "19.700000"),
    ("50502-商品和服务支出", "30217-公务接待费", "2.915852"),
    ("50502-商品和服务支出", "30218-专用材料费", "12.195066"),
    ("50502-商品和服务支出", "30226-劳务费", "57.550000"),
    ("50502-商品和服务支出", "30227-委托业务费", "62.500000"),
    ("50502-商品和服务支出", "30228-工会经费", "128.502640"),
    ("50502-商品和服务支出", "30239-其他交通费用", "1.200000"),
    ("50502-商品和服务支出", "30299-其他商品和服务支出", "542.865088"),
    ("50601-资本性支出", "31002-办公设备购置", "2.000000"),
    ("50901-社会福利和救助", "30304-抚恤金", "150.000000"),
    ("50901-社会福利和救助", "30309-奖励金", "18.804000"),
    ("50905-离退休费", "30301-离休费", "42.700000"),
    ("50905-离退休费", "30302-退休费", "210.761016"),
    ("50999-其他对个人和家庭的补助", "30399-其他对个人和家庭的补助", "929.804000"),
]


def test_the_basic_spending_table_has_every_published_line(pages: list[str], built: Built) -> None:
    lines = [" ".join(ln.split()) for ln in _table_lines(pages, "一般公共预算基本支出表")]
    for government, department, amount in ECONOMIC_LINES:
        want = f"{government} {department} {amount} {amount}"
        assert any(want in ln for ln in lines), f"预算06表没有“{want}”行"
    rows = [[c for c in r if c not in (None, "") and c != 0] for r in _sheet_rows(built, "一般公共预算基本支出表")]
    for government, department, amount in ECONOMIC_LINES:
        want = [government, department, _amount(amount), _amount(amount)]
        assert any([*r[:2], *map(_amount, r[2:4])] == want for r in rows if len(r) >= 4), want


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def test_published_as_two_files_that_read_as_one(built: Built) -> None:
    """`split_files`: beside the whole document, 附件1 情况说明 (cover, contents, 第一部分) and
    附件2 报表 (第二部分), named <stem>-附件1.pdf and <stem>-附件2.pdf; `verify` reads the two as
    one document against the data."""
    first, second = (built.pdf.with_name(f"{SAMPLE.stem}-{n}.pdf") for n in ("附件1", "附件2"))
    statement, tables = _text(first), _text(second)
    assert "2026年度部门预算信息公开" in statement and "收入预算情况说明" in statement
    assert not re.search(r"预算01表\s+收支总表\s*\n", statement)  # listed in the contents only
    assert "133247.98万元" in statement.replace(" ", "")
    assert "信息公开" not in tables and "收入预算情况说明" not in tables
    assert re.search(r"预算01表\s+收支总表", tables) and "17,413.418852" in tables
    result = run_cli("verify", first, second, SAMPLE)
    assert result.exit_code == 0, result.output
    assert "一致" in result.output


@pytest.mark.parametrize("files", [
    [{"name": "附件1", "parts": ["statement"]}],                              # a part left out
    [{"name": "附件1", "parts": ["tables"]}, {"name": "附件2", "parts": ["statement"]}],  # out of order
    [{"name": "附件1", "parts": ["statement"]}, {"name": "附件1", "parts": ["tables"]}],  # a name twice
    [{"name": "a/b", "parts": ["statement"]}, {"name": "附件2", "parts": ["tables"]}],    # a path
    [{"name": "附件1"}],                                                       # no parts
])
def test_a_wrong_split_is_told_at_the_setting(files: list[dict[str, object]]) -> None:
    from dataclasses import replace

    from budgetreport.inputs.region import load_region
    from budgetreport.inputs.resolved import split_files, split_problems
    region = load_region("beijing")
    assert split_problems(region) == [] and [n for n, _ in split_files(region)] == ["附件1", "附件2"]
    wrong = replace(region, settings=region.settings | {"split_files": files})
    problems = split_problems(wrong)
    assert problems and all(p.code == "E820" and "region.yaml" in p.file for p in problems)
    assert split_files(wrong) == []
