"""The Hunan (长沙) layout against the published 2026 budget of 长沙市信访局, figure by figure.

The sample is built once. Its workbook is read with openpyxl: each figure the publication
prints (typed below, as published) must be in the same table (sheet), in the row named by its
code or label, in the column with the published header; its PDF is read with `pdftotext` and
each table's amounts must be printed under that table's title. The publication's own PDF, read
by `verify` against the sample, must agree. Where the publication contradicts itself the
sample's YAML says why.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from ruamel.yaml import YAML

from budgetreport.publish.build import build
from budgetreport.readback import verify
from conftest import DATA, ROOT, Generated, run_cli

SAMPLE = "hunan-changsha-xfj-2026"
# the publication itself (third-party, not shipped): in the shared reference folder beside the checkout
PUBLISHED = next((p / "shared/reference/published/hunan-changsha-长沙市信访局-2026-bmys.pdf" for p in ROOT.parents
                  if (p / "shared/reference/published").is_dir()), ROOT / "missing.pdf")
D = Decimal

# table title → {row key: {column header: figure}}; a row key is the row's code (类, 款 and 项 in
# three columns joined: "2014001"; a 款 row prints its 款 alone: "40") or its label; a header is
# the lowest header of a column other than the 栏次 row ("** ** 1 2 3").
TABLES: dict[str, dict[str, dict[str, str]]] = {
    "2026年部门收入总体情况表": {
        "合计": {"合计": "1935.36", "金额": "1935.36", "其中:经费拨款": "1935.36"},
        "201": {"合计": "1935.36", "金额": "1935.36", "其中:经费拨款": "1935.36"},
        "40": {"合计": "1935.36", "金额": "1935.36", "其中:经费拨款": "1935.36"},
        "2014001": {"合计": "1517.95", "金额": "1517.95", "其中:经费拨款": "1517.95"},
        "2014004": {"合计": "417.41", "金额": "417.41", "其中:经费拨款": "417.41"},
    },
    "2026年部门支出总体情况表": {
        "合计": {"总　计": "1935.36", "基本支出": "1517.95", "项目支出": "417.41"},
        "201": {"总　计": "1935.36", "基本支出": "1517.95", "项目支出": "417.41"},
        "40": {"总　计": "1935.36", "基本支出": "1517.95", "项目支出": "417.41"},
        "2014001": {"总　计": "1517.95", "基本支出": "1517.95"},
        "2014004": {"总　计": "417.41", "项目支出": "417.41"},
    },
    "2026年一般公共预算支出情况表": {
        "合计": {"总　计": "1935.36", "基本支出": "1517.95", "项目支出": "417.41"},
        "201": {"总　计": "1935.36", "基本支出": "1517.95", "项目支出": "417.41"},
        "40": {"总　计": "1935.36", "基本支出": "1517.95", "项目支出": "417.41"},
        "2014001": {"总　计": "1517.95", "基本支出": "1517.95"},
        "2014004": {"总　计": "417.41", "项目支出": "417.41"},
    },
    "2026年一般公共预算基本支出情况表": {
        "合计": {"总计": "1517.95", "人员类": "1394.97", "公用经费": "122.98"},
        "301": {"总计": "1212.01", "人员类": "1212.01"},
        "30101": {"总计": "225.08", "人员类": "225.08"},
        "30102": {"总计": "167.48", "人员类": "167.48"},
        "30103": {"总计": "334.66", "人员类": "334.66"},
        "30106": {"总计": "27.46", "人员类": "27.46"},
        "30108": {"总计": "95.50", "人员类": "95.50"},
        "30109": {"总计": "62.75", "人员类": "62.75"},
        "30110": {"总计": "33.61", "人员类": "33.61"},
        "30111": {"总计": "38.36", "人员类": "38.36"},
        "30112": {"总计": "2.32", "人员类": "2.32"},
        "30113": {"总计": "89.70", "人员类": "89.70"},
        "30114": {"总计": "7.10", "人员类": "7.10"},
        "30199": {"总计": "127.99", "人员类": "127.99"},
        "302": {"总计": "171.78", "人员类": "48.80", "公用经费": "122.98"},
        "30201": {"总计": "33.00", "公用经费": "33.00"},
        "30202": {"总计": "14.00", "公用经费": "14.00"},
        "30207": {"总计": "4.00", "公用经费": "4.00"},
        "30213": {"总计": "2.14", "公用经费": "2.14"},
        "30217": {"总计": "3.00", "公用经费": "3.00"},
        "30228": {"总计": "17.10", "人员类": "10.92", "公用经费": "6.18"},
        "30231": {"总计": "5.00", "公用经费": "5.00"},
        "30239": {"总计": "33.60", "人员类": "32.76", "公用经费": "0.84"},
        "30299": {"总计": "59.94", "人员类": "5.12", "公用经费": "54.82"},
        "303": {"总计": "134.16", "人员类": "134.16"},
        "30302": {"总计": "95.42", "人员类": "95.42"},
        "30305": {"总计": "9.53", "人员类": "9.53"},
        "30307": {"总计": "19.86", "人员类": "19.86"},
        "30309": {"总计": "0.05", "人员类": "0.05"},
        "30399": {"总计": "9.30", "人员类": "9.30"},
    },
    "2026年一般公共预算“三公”经费支出情况表": {
        "合计": {"小计": "8.00", "公务接待费": "3.00", "公务用车购置及运行费": "5.00",
                 "其中：公务用车运行费": "5.00"},
        "长沙市信访局": {"小计": "8.00", "公务接待费": "3.00", "公务用车购置及运行费": "5.00",
                         "其中：公务用车运行费": "5.00"},
    },
}
# 收支总表: label → the amount printed right of it (both halves).
PAIRED: dict[str, dict[str, str]] = {
    "2026年部门收支总体情况表": {
        "一、本级财政拨款收入": "1935.36", "本年收入合计": "1935.36", "收入总计": "1935.36",
        "一、基本支出": "1517.95", "二、项目支出": "417.41", "本年支出合计": "1935.36",
        "支出总计": "1935.36",
    },
    "2026年财政拨款收支总体情况表": {
        "一、本年收入": "1935.36", "1、一般公共预算拨款收入": "1935.36", "收 入 总 计": "1935.36",
        "一、本年支出": "1935.36", "1、一般公共服务支出": "1935.36", "支 出 总 计": "1935.36",
    },
}
# The 22 类 the 财政拨款收支总体情况表 lists, spending or not, numbered 1、 … 22、.
CLASSES = ("一般公共服务支出", "外交支出", "公共安全支出", "教育支出", "科学技术支出", "文化旅游体育与传媒支出",
           "社会保障和就业支出", "社会保险基金支出", "卫生健康支出", "节能环保支出", "城乡社区支出", "农林水支出",
           "交通运输支出", "资源勘探工业信息等支出", "商业服务业等支出", "金融支出", "援助其他地区支出",
           "自然资源海洋气象等支出", "住房保障支出", "粮油物资储备支出", "灾害防治及应急管理支出", "其他支出")
# 项目支出绩效目标表: the published projects with their 资金总额, and the 合计/单位 rows.
PROJECTS = {"基层及其他信访业务工作经费专项": "35.78", "人民来访接待中心及特护期运行专项": "10.22",
            "人民来访接待中心业务专项": "102.80", "信访业务工作专项": "138.11"}
ORDER = ["部门收支总体情况表", "部门收入总体情况表", "部门支出总体情况表", "财政拨款收支总体情况表",
         "一般公共预算支出情况表", "一般公共预算基本支出情况表", "一般公共预算“三公”经费支出情况表",
         "政府性基金预算支出情况表", "项目支出绩效目标表", "部门整体支出绩效目标表"]


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(build(DATA / f"{SAMPLE}.yaml", tmp_path_factory.mktemp(SAMPLE)))


def headers(rows: list[tuple[object, ...]]) -> tuple[int, dict[str, list[int]]]:
    """The first body row and, per header text, the columns it is the lowest header of (the
    栏次 row of "**" and column numbers names none)."""
    body = next(i for i, r in enumerate(rows) if i > 2 and any(isinstance(c, (int, float)) for c in r))
    lowest: dict[int, str] = {}
    for r in rows[2:body]:
        for j, c in enumerate(r):
            if c not in (None, "") and str(c) != "**" and not str(c).isdigit():
                lowest[j] = str(c)
    out: dict[str, list[int]] = {}
    for j, h in lowest.items():
        out.setdefault(h, []).append(j)
    return body, out


def row_key(row: tuple[object, ...]) -> str:
    texts = [re.sub(r"\s", "", c) for c in row if isinstance(c, str) and c.strip()]
    codes = [t for t in texts if t.isdigit()]
    return "".join(codes) if codes else texts[0] if texts else ""


def test_every_figure_in_its_table_row_and_column(doc: Generated) -> None:
    for title, expected in TABLES.items():
        rows = doc.sheets[title]
        body, cols = headers(rows)
        found = {row_key(r): r for r in rows[body:]}
        for key, figures in expected.items():
            assert key in found, (title, key, sorted(found))
            for header, figure in figures.items():
                got = [found[key][j] for j in cols[header]]
                assert any(v is not None and D(str(v)).quantize(D("0.01")) == D(figure) for v in got), \
                    (title, key, header, figure, got)


def test_paired_tables_print_each_amount_right_of_its_label(doc: Generated) -> None:
    for title, expected in PAIRED.items():
        rows = doc.sheets[title]
        for label, figure in expected.items():
            hits = [r[j + 1] for r in rows for j, c in enumerate(r[:-1]) if isinstance(c, str) and c == label]
            assert hits and D(str(hits[0])).quantize(D("0.01")) == D(figure), (title, label, hits)


def test_fiscal_table_lists_the_22_classes_numbered_blank_ones_too(doc: Generated) -> None:
    rows = doc.sheets["2026年财政拨款收支总体情况表"]
    labels = [c for r in rows for c in r if isinstance(c, str) and re.match(r"\d+、", c)]
    listed = [x for x in labels if not x.endswith("收入")]
    assert listed == [f"{n}、{name}" for n, name in enumerate(CLASSES, 1)]
    foreign = next(r for r in rows if "2、外交支出" in r)
    assert all(c in (None, "", 0) for c in foreign[foreign.index("2、外交支出") + 1:])


def test_income_and_spending_tables_have_the_column_numbers_and_class_codes_as_published(doc: Generated) -> None:
    rows = doc.sheets["2026年部门收入总体情况表"]
    assert ["**", "**", "**", "**", *map(str, range(1, 10))] == [str(c) for c in rows[4]]
    kuan = next(r for r in rows if r[3] == "信访事务")
    assert kuan[:3] == (None, "40", None)  # the 款 row prints its 款 alone
    spending = doc.sheets["2026年部门支出总体情况表"]
    assert [str(c) for c in spending[4]] == ["**"] * 4 + [str(n) for n in range(1, 7)]
    assert spending[2][7:] == ("事业单位经营支出", "对附属单位补助支出", "上缴上级支出")
    total = next(r for r in spending if r[0] == "合计")
    assert total[7:] == (None, None, None)  # no such spending in the data: blank


def test_empty_gov_fund_table_is_its_header_and_note(doc: Generated) -> None:
    rows = doc.sheets["2026年政府性基金预算支出情况表"]
    assert not any(isinstance(c, (int, float)) for r in rows for c in r)
    assert any(isinstance(c, str) and c.startswith("注：本表反映部门本年度政府性基金预算") for r in rows for c in r)
    text = re.sub(r"\s+", "", doc.text)
    assert "没有此项预算" not in text


def test_performance_tables_merge_each_project_over_its_indicators(doc: Generated) -> None:
    book = load_workbook(doc.built.workbook)
    ws = next(w for w in book.worksheets if w.cell(1, 1).value == "2026年项目支出绩效目标表")
    values = {(c.row, c.column): c.value for r in ws.iter_rows() for c in r if c.value is not None}
    merged = {(m.min_row, m.min_col): m.max_row - m.min_row + 1 for m in ws.merged_cells.ranges}
    for name, amount in PROJECTS.items():
        at = next(k for k, v in values.items() if v == name)
        assert merged.get(at, 1) > 5, (name, merged.get(at))  # one cell over its indicator rows
        assert D(str(values[(at[0], at[1] + 1)])).quantize(D("0.01")) == D(amount)
    totals = [r for r in ws.iter_rows(values_only=True)
              if r[0] in ("合计", "126001") and r[1] in (None, "长沙市信访局")]
    assert [D(str(r[2])).quantize(D("0.01")) for r in totals] == [D("417.41"), D("417.41")]
    dept = next(w for w in book.worksheets if w.cell(1, 1).value == "2026年部门整体支出绩效目标表")
    first = next(r for r in dept.iter_rows(values_only=True) if r[0] == "126001")
    assert [D(str(v)).quantize(D("0.01")) for v in (first[2], first[3], first[7], first[8])] == \
        [D("1935.36"), D("1935.36"), D("1517.95"), D("417.41")]


def test_the_pdf_prints_each_table_with_its_amounts_in_the_published_order(doc: Generated) -> None:
    text = re.sub(r"[ \t]+", " ", doc.text)
    body = text[text.rindex("第二部分"):]  # the tables part, after the contents and the text
    starts = [body.index("2026年" + t) for t in ORDER]
    assert starts == sorted(starts)
    for title, expected in TABLES.items():
        part = body[body.index(title):].replace(",", "")
        part = part[:min((part.find("2026年" + t, 1) for t in ORDER if part.find("2026年" + t, 1) > 0),
                         default=len(part))]
        for figures in expected.values():
            for figure in figures.values():
                assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", part), (title, figure)


def test_parts_and_headings_as_published(doc: Generated) -> None:
    text = re.sub(r"[ \t\f　]+", "", doc.text)
    body = text[text.index("第一部分", text.index("第二部分")):]  # after the contents
    heads = re.findall(r"(?m)^([一二三四五六七])、(.+)$", body[:body.index("第二部分")])
    assert [h for _, h in heads] == ["部门基本概况", "部门预算单位构成", "部门收支总体情况", "一般公共预算拨款支出",
                                    "政府性基金预算支出", "其他重要事项的情况说明", "名词解释"]
    assert "第一部分部门预算公开说明" in body and "第二部分2026年部门预算表" in body


def test_computed_sentences_carry_the_published_figures(doc: Generated) -> None:
    text = re.sub(r"\s+|—\s*\d+\s*—", "", doc.text)
    for words in ("收入预算1935.36万元", "一般公共预算拨款1935.36万元", "较去年增加54.13万元，上升2.88%",
                  "一般公共服务支出1935.36万元，占100.00%", "基本支出预算数1517.95万元", "项目支出预算417.41万元",
                  "无政府性基金安排的支出", "机关运行经费122.98万元，比上年预算增加7.20万元，上升6.22%",
                  "经费预算数为8.00万元", "公务接待费3.00万元", "较2025年减少1.75万元", "会议费预算5.6万元",
                  "培训费预算10万元", "政府采购预算总额43.9万元", "货物类采购预算25.4万元", "工程类采购预算0万元",
                  "服务类采购预算18.5万元", "共有公务用车2辆", "机要通信用车1辆", "委托业务费预算总额104.82万元",
                  "绩效目标的金额为1935.36万元，其中，基本支出1517.95万元，项目支出417.41万元"):
        assert words in text, words


@pytest.mark.skipif(not PUBLISHED.exists(), reason="the published PDF is not on this machine")
def test_the_published_pdf_verifies_against_the_sample() -> None:
    assert verify(PUBLISHED, DATA / f"{SAMPLE}.yaml") == []


@pytest.mark.skipif(not PUBLISHED.exists(), reason="the published PDF is not on this machine")
def test_import_of_the_published_pdf_gives_its_figures(tmp_path) -> None:
    out = tmp_path / "imported.yaml"
    result = run_cli("import", PUBLISHED, "--region", "hunan", "-o", out)
    assert result.exit_code == 0, result.output
    data = YAML(typ="safe").load(out.read_text(encoding="utf-8"))
    assert D(str(data["income"]["general_budget"])) == D("1935.36")
    lines = {x["code"]: x for x in data["spending"]}
    assert D(str(lines["2014001"]["basic"])) == D("1517.95") and D(str(lines["2014004"]["project"])) == D("417.41")
    economic = {x["code"]: x for x in data["economic"]}
    assert len(economic) == 26 and D(str(economic["30228"]["personnel"])) == D("10.92")
    assert D(str(data["three_public"]["reception"]["amount"])) == D("3.00")
    assert D(str(data["three_public"]["vehicle_running"]["amount"])) == D("5.00")
