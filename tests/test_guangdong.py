"""The Guangdong (深圳) layout against the published 2026 budget of 深圳市信访局, figure by figure.

The sample is built once. Its workbook is read with openpyxl: every figure of the eleven published
tables (typed below, as published) must be in the same table (sheet), in the row named by its code
or label, in the column with the published header; the PDF is read with `pdftotext` and each
table's figures must be printed between its title and the next table's. Where the publication
contradicts itself (rounding) the generated figure differs: `DIFFERS` lists each such cell with
the published and the generated figure (the sample's YAML says why).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgetreport.layout.rows import numeral
from budgetreport.publish.build import build
from conftest import DATA, Generated, lowest_headers, run_cli

SAMPLE = "guangdong-shenzhen-xfj-2026"
D = Decimal

FUNCTIONAL = """
深圳市信访局 4684.30 3072.01 1612.29
201 3459.13 1866.84 1592.29
20140 3459.13 1866.84 1592.29
2014001 1866.84 1866.84 0.00
2014004 1592.29 0.00 1592.29
205 20.00 0.00 20.00
20508 20.00 0.00 20.00
2050803 20.00 0.00 20.00
208 367.54 367.54 0.00
20805 367.54 367.54 0.00
2080501 78.73 78.73 0.00
2080505 201.65 201.65 0.00
2080506 87.16 87.16 0.00
210 84.39 84.39 0.00
21011 84.39 84.39 0.00
2101101 84.39 84.39 0.00
221 753.24 753.24 0.00
22102 753.24 753.24 0.00
2210201 199.91 199.91 0.00
2210203 553.33 553.33 0.00
"""
BASIC = """
深圳市信访局 3072.01 3072.01 3072.01
工资福利支出 2522.02 2522.02 2522.02
基本工资 356.33 356.33 356.33
津贴补贴 1182.05 1182.05 1182.05
奖金 216.88 216.88 216.88
机关事业单位基本养老保险缴费 175.00 175.00 175.00
职业年金缴费 87.16 87.16 87.16
职工基本医疗保险缴费 71.90 71.90 71.90
其他社会保障缴费 2.55 2.55 2.55
住房公积金 199.91 199.91 199.91
其他工资福利支出 230.25 230.25 230.25
商品和服务支出 357.43 357.43 357.43
办公费 21.00 21.00 21.00
水费 0.10 0.10 0.10
电费 13.50 13.50 13.50
邮电费 22.00 22.00 22.00
物业管理费 160.14 160.14 160.14
维修（护）费 20.00 20.00 20.00
公务接待费 2.98 2.98 2.98
劳务费 8.00 8.00 8.00
工会经费 36.91 36.91 36.91
公务用车运行维护费 2.60 2.60 2.60
其他交通费用 45.66 45.66 45.66
其他商品和服务支出 24.55 24.55 24.55
对个人和家庭的补助 192.55 192.55 192.55
退休费 184.15 184.15 184.15
生活补助 8.40 8.40 8.40
"""
PROJECT = """
深圳市信访局 1612.29 1604.95 7.34
社工服务项目 498.82 498.82 0.00
信访大厅运行 603.84 596.94 6.90
信访专项 486.39 486.39 0.00
预算准备金 4.90 4.90 0.00
政务信息化项目（系统业务运营服务） 0.44 0.00 0.44
综合管理 17.91 17.91 0.00
"""
ECONOMIC = """
深圳市信访局 4684.30 3072.01 1612.29
301 2522.02 2522.02 0.00
30101 356.33 356.33 0.00
30102 1182.05 1182.05 0.00
30103 216.88 216.88 0.00
30108 175.00 175.00 0.00
30109 87.16 87.16 0.00
30110 71.90 71.90 0.00
30112 2.55 2.55 0.00
30113 199.91 199.91 0.00
30199 230.25 230.25 0.00
302 1969.72 357.43 1612.29
30201 76.00 21.00 55.00
30202 10.00 0.00 10.00
30205 0.10 0.10 0.00
30206 13.50 13.50 0.00
30207 22.40 22.00 0.40
30209 160.14 160.14 0.00
30211 120.00 0.00 120.00
30213 52.34 20.00 32.34
30214 45.00 0.00 45.00
30215 3.48 0.00 3.48
30216 20.00 0.00 20.00
30217 2.98 2.98 0.00
30226 8.00 8.00 0.00
30227 1143.78 0.00 1143.78
30228 36.91 36.91 0.00
30231 2.60 2.60 0.00
30239 92.66 45.66 47.00
30299 159.84 24.55 135.29
303 192.55 192.55 0.00
30302 184.15 184.15 0.00
30305 8.40 8.40 0.00
"""
THREE_PUBLIC = """
2025年 5.58 0.00 2.98 2.60 0.00 2.60
2026年 5.58 0.00 2.98 2.60 0.00 2.60
增减变化金额 0.00 0.00 0.00 0.00 0.00 0.00
"""
ZERO_TABLE = "深圳市信访局 0.00 0.00 0.00"
SPENDING_COLUMNS = ("支出总计", "基本支出", "项目支出")

# table title → (column headers, rows "key figure figure …" in those columns)
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "收入总表": (("收入总计", "一般公共预算拨款", "政府性基金预算拨款", "国有资本经营预算拨款", "财政专户管理资金",
                  "事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入", "上年结余、结转"),
                 "深圳市信访局 4684.30 4676.96 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 7.34"),
    "支出总表": (SPENDING_COLUMNS, FUNCTIONAL),
    "基本支出总表": (("总计", "小计", "一般公共预算拨款"), BASIC),
    "项目支出总表": (("总计", "一般公共预算拨款", "上年结余、结转"), PROJECT),
    "一般公共预算支出表（按功能分类）": (SPENDING_COLUMNS, FUNCTIONAL),
    "一般公共预算支出表（按经济分类）": (SPENDING_COLUMNS, ECONOMIC),
    "政府性基金预算支出表": (SPENDING_COLUMNS, ZERO_TABLE),
    "国有资本经营预算支出表": (SPENDING_COLUMNS, ZERO_TABLE),
}
# (table, row, column) → (published, generated): the publication's own rounding contradictions
DIFFERS = {
    # 301's 款 add up to 2,522.03
    ("基本支出总表", "工资福利支出", "总计"): ("2522.02", "2522.03"),
    ("基本支出总表", "工资福利支出", "小计"): ("2522.02", "2522.03"),
    ("基本支出总表", "工资福利支出", "一般公共预算拨款"): ("2522.02", "2522.03"),
    # 302's 款 add up to 357.44, its 公用经费 is 357.43: the data takes 0.01 off 30299
    ("基本支出总表", "其他商品和服务支出", "总计"): ("24.55", "24.54"),
    ("基本支出总表", "其他商品和服务支出", "小计"): ("24.55", "24.54"),
    ("基本支出总表", "其他商品和服务支出", "一般公共预算拨款"): ("24.55", "24.54"),
    # 表8 likewise (its printed sums are checked at build, so the sample follows its 款)
    ("一般公共预算支出表（按经济分类）", "301", "支出总计"): ("2522.02", "2522.03"),
    ("一般公共预算支出表（按经济分类）", "301", "基本支出"): ("2522.02", "2522.03"),
    ("一般公共预算支出表（按经济分类）", "30299", "支出总计"): ("159.84", "159.83"),
    ("一般公共预算支出表（按经济分类）", "30299", "基本支出"): ("24.55", "24.54"),
    # the six projects add up to 1,612.30 (一般公共预算 1,604.96)
    ("项目支出总表", "深圳市信访局", "总计"): ("1612.29", "1612.30"),
    ("项目支出总表", "深圳市信访局", "一般公共预算拨款"): ("1604.95", "1604.96"),
}
# the 支出 half of both 收支总表: 类 numbered, then their 款 and 项
CLASSES = {"一、一般公共服务支出": "3459.13", "信访事务": "3459.13", "行政运行": "1866.84", "信访业务": "1592.29",
           "二、教育支出": "20.00", "进修及培训": "20.00", "培训支出": "20.00",
           "三、社会保障和就业支出": "367.54", "行政事业单位养老支出": "367.54", "行政单位离退休": "78.73",
           "机关事业单位基本养老保险缴费支出": "201.65", "机关事业单位职业年金缴费支出": "87.16",
           "四、卫生健康支出": "84.39", "行政事业单位医疗": "84.39", "行政单位医疗": "84.39",
           "五、住房保障支出": "753.24", "住房改革支出": "753.24", "住房公积金": "199.91", "购房补贴": "553.33"}
# 收支总表 halves: label → the amount printed right of it
PAIRED = {
    "收支总表": {"一、财政拨款": "4676.96", "1.一般公共预算拨款": "4676.96", "2.政府性基金预算拨款": "0.00",
                 "3.国有资本经营预算拨款": "0.00", "二、财政专户管理资金": "0.00", "三、单位资金": "0.00",
                 "1.事业收入": "0.00", "2.事业单位经营收入": "0.00", "3.上级补助收入": "0.00",
                 "4.附属单位上缴收入": "0.00", "5.其他收入": "0.00", **CLASSES,
                 "本年收入合计": "4676.96", "本年支出合计": "4684.30",
                 "上年结余、结转": "7.34", "1.财政拨款结余、结转": "7.34", "2.非财政拨款结余、结转": "0.00",
                 "结转下年": "0.00",
                 "收入总计": "4684.30", "支出总计": "4684.30"},
    "财政拨款收支总表": {"财政拨款": "4676.96", "1.一般公共预算拨款": "4676.96", "2.政府性基金预算拨款": "0.00",
                         "3.国有资本经营预算拨款": "0.00", **CLASSES,
                         "本年收入合计": "4676.96", "本年支出合计": "4684.30",
                         "上年结余、结转": "7.34", "1.一般公共预算拨款结余、结转": "7.34",
                         "2.政府性基金预算拨款结余、结转": "0.00", "3.国有资本经营预算拨款结余、结转": "0.00",
                         "结转下年": "0.00",
                         "收入总计": "4684.30", "支出总计": "4684.30"},
}
TITLES = ["收支总表", "收入总表", "支出总表", "基本支出总表", "项目支出总表", "财政拨款收支总表",
          "一般公共预算支出表（按功能分类）", "一般公共预算支出表（按经济分类）", "财政拨款“三公”经费支出表",
          "政府性基金预算支出表", "国有资本经营预算支出表"]


def expected(title: str) -> dict[tuple[str, str], str]:
    """(row key, column header) → the generated figure (the published one unless listed in DIFFERS)."""
    columns, text = TABLES[title]
    out = {}
    for line in text.strip().splitlines():
        key, *figures = line.split()
        assert len(figures) == len(columns), line
        for header, figure in zip(columns, figures, strict=True):
            out[key, header] = DIFFERS.get((title, key, header), (figure, figure))[1]
    return out


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(build(DATA / f"{SAMPLE}.yaml", tmp_path_factory.mktemp(SAMPLE)))


def columns_of(rows: list[tuple[object, ...]]) -> tuple[int, dict[str, int]]:
    """The first body row and, per header text, the last column it is the lowest header of."""
    body, found = lowest_headers(rows)
    return body, {h: js[-1] for h, js in found.items()}


def row_key(row: tuple[object, ...]) -> str:
    texts = [re.sub(r"\s", "", c) for c in row if isinstance(c, str) and c.strip()]
    codes = [t for t in texts if t.isdigit()]
    return codes[0] if codes else texts[0] if texts else ""


def amount(value: object) -> Decimal:
    return D(0) if value is None else D(str(value)).quantize(D("0.01"))


def test_eleven_tables_in_the_published_order(doc: Generated) -> None:
    assert list(doc.sheets) == TITLES
    listed = re.findall(r"（([一二三四五六七八九十]+)）(\S+?表(?:（按\S+分类）)?) *\.", doc.text)  # the contents
    assert [(n, t) for n, t in listed] == [(numeral(i), t) for i, t in enumerate(TITLES, 1)]
    labels = re.findall(r"(?m)^[ \f]*表(\d+) *$", doc.text)  # "表1" above each table's title
    assert [int(n) for n in labels] == list(range(1, 12))


def test_every_figure_in_its_table_row_and_column(doc: Generated) -> None:
    for title in TABLES:
        rows = doc.sheets[title]
        body, cols = columns_of(rows)
        found = {row_key(r): r for r in rows[body:] if not row_key(r).startswith("注：")}
        want = expected(title)
        assert {k for k, _ in want} == set(found), title  # no row more, no row less
        for (key, header), figure in want.items():
            assert amount(found[key][cols[header]]) == D(figure), (title, key, header, figure)


def test_paired_tables_print_each_amount_right_of_its_label(doc: Generated) -> None:
    for title, labels in PAIRED.items():
        rows = doc.sheets[title]
        for label, figure in labels.items():
            hits = [r[j + 1] for r in rows for j, c in enumerate(r[:-1]) if isinstance(c, str) and c == label]
            assert hits and amount(hits[0]) == D(figure), (title, label, hits)


def test_the_pdf_prints_each_table_with_its_figures(doc: Generated) -> None:
    text = re.sub(r"[ \t]+", " ", doc.text).replace(",", "")
    starts = [m.start() for t in TITLES for m in re.finditer(r"(?m)^[\f ]*" + re.escape(t) + r" ?$", text)]
    assert len(starts) == len(TITLES)  # each title once above its table (the list has numbers)
    bounds = dict(zip(TITLES, [*zip(starts, [*starts[1:], len(text)], strict=True)], strict=True))
    for title in TABLES:
        start, end = bounds[title]
        part = text[start:end]
        for figure in expected(title).values():
            assert re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", part), (title, figure)
    for title, labels in PAIRED.items():
        start, end = bounds[title]
        for figure in labels.values():
            assert re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", text[start:end]), (title, figure)


def test_the_unit_column_names_the_department_on_the_total_row_only(doc: Generated) -> None:
    for title in ("支出总表", "一般公共预算支出表（按功能分类）", "政府性基金预算支出表"):
        rows = doc.sheets[title]
        body, cols = columns_of(rows)
        units = [r[cols["预算单位"]] for r in rows[body:] if not str(r[0] or "").startswith("注：")]
        assert units[0] == "深圳市信访局" and not any(units[1:]), (title, units)
    # a table drawn as a 合计 of zeros says why under it, as published
    assert any(r[0] == "注：本表本年无发生额。" for r in doc.sheets["政府性基金预算支出表"])


# --- 广州 (sub-region guangdong/guangzhou): 广州市信访局 2026, its twelve tables as published ---

GZ_FUNCTIONAL = """
合计 3944.08 3204.78 739.30
201 2570.71 1831.41 739.30
20140 2570.71 1831.41 739.30
2014001 1859.41 1831.41 28.00
2014004 397.28 0.00 397.28
2014099 314.02 0.00 314.02
208 419.35 419.35 0.00
20805 419.35 419.35 0.00
2080501 123.54 123.54 0.00
2080505 199.06 199.06 0.00
2080506 96.76 96.76 0.00
210 3.97 3.97 0.00
21007 3.97 3.97 0.00
2100799 3.97 3.97 0.00
221 950.05 950.05 0.00
22102 950.05 950.05 0.00
2210201 210.99 210.99 0.00
2210203 739.06 739.06 0.00
"""
GZ_BASIC_ECONOMIC = """
合计 3204.78
301 2577.42
30101 374.86
30102 1088.93
30103 481.02
30108 199.06
30109 96.76
30110 1.50
30112 3.50
30113 210.99
30199 120.80
302 272.21
30201 25.00
30202 2.50
30204 0.10
30205 2.50
30206 4.50
30207 32.00
30209 32.10
30211 2.00
30213 10.00
30215 2.00
30216 1.00
30217 2.30
30226 2.00
30227 36.00
30228 28.00
30231 2.50
30239 65.19
30299 22.52
303 352.35
30302 347.84
30309 3.96
30399 0.55
310 2.80
31002 2.80
"""
GZ_PROJECT_ECONOMIC = """
合计 739.30
302 730.00
30201 9.02
30202 3.50
30204 1.00
30205 3.00
30206 42.00
30207 1.00
30209 99.00
30211 26.00
30213 54.46
30214 2.00
30215 2.00
30216 2.72
30226 30.24
30227 442.20
30239 4.00
30299 7.86
310 9.30
31003 0.30
31007 9.00
"""
GZ_PROJECTS = """
合计 739.30 739.30 739.30 0.00 0.00 0.00 0.00
广州市信访局 739.30 739.30 739.30 0.00 0.00 0.00 0.00
物业管理费 99.00 99.00 99.00 0.00 0.00 0.00 0.00
市人民来访接待厅专项经费 145.00 145.00 145.00 0.00 0.00 0.00 0.00
机构运行辅助经费 28.00 28.00 28.00 0.00 0.00 0.00 0.00
社工服务外包项目 45.00 45.00 45.00 0.00 0.00 0.00 0.00
云客服服务外包项目 252.28 252.28 252.28 0.00 0.00 0.00 0.00
信访工作专项经费 100.00 100.00 100.00 0.00 0.00 0.00 0.00
广州市信访局2025-2026年信息化运维项目 40.41 40.41 40.41 0.00 0.00 0.00 0.00
信访宣传经费 5.00 5.00 5.00 0.00 0.00 0.00 0.00
广州市信访局2026-2027年信息化运维项目 24.61 24.61 24.61 0.00 0.00 0.00 0.00
"""
GZ_FUND_COLUMNS = ("小计", "其中：基本支出", "项目支出")
GZ_BY_SOURCE = ("总计", "合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "财政专户拨款", "其他资金")
GZ_XFJ: dict[str, tuple[tuple[str, ...], str]] = {
    "收入总体情况表": (("合计", "一般公共预算", "政府性基金预算", "国有资本经营预算", "教育收费", "其他专户收入拨款",
                        "事业收入", "事业单位经营收入", "上级补助收入", "其他收入", "附属单位上缴收入", "上年结转结余"),
                       "合计 3944.08 3944.08 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00\n"
                       "广州市信访局 3944.08 3944.08 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00 0.00"),
    "本年支出总体情况表": (("合计", "基本支出", "项目支出"), GZ_FUNCTIONAL),
    "一般公共预算支出情况表（按功能分类科目）": (GZ_FUND_COLUMNS, GZ_FUNCTIONAL),
    "一般公共预算基本支出情况表（按经济分类科目）": (("预算",), GZ_BASIC_ECONOMIC),
    "一般公共预算项目支出情况表（按经济分类科目）": (("预算",), GZ_PROJECT_ECONOMIC),
    "财政拨款安排的行政经费及“三公”经费预算表": (("合计", "一般公共预算", "政府性基金预算", "国有资本经营预算"), """
行政经费 444.39 444.39 0.00 0.00
“三公”经费 4.80 4.80 0.00 0.00
其中：（一）因公出国（境）支出 0.00 0.00 0.00 0.00
（二）公务用车购置及运行维护支出 2.50 2.50 0.00 0.00
1.公务用车购置费 0.00 0.00 0.00 0.00
2.公务用车运行维护费 2.50 2.50 0.00 0.00
（三）公务接待费支出 2.30 2.30 0.00 0.00
"""),
    "政府性基金预算支出情况表": (GZ_FUND_COLUMNS, "合计 0.00 0.00 0.00"),
    "国有资本经营预算支出情况表": (GZ_FUND_COLUMNS, "合计 0.00 0.00 0.00"),
    "部门预算基本支出预算表": (GZ_BY_SOURCE,
                         """
合计 3204.78 3204.78 3204.78 0.00 0.00 0.00 0.00
广州市信访局（本级） 3204.78 3204.78 3204.78 0.00 0.00 0.00 0.00
工资福利支出 2577.42 2577.42 2577.42 0.00 0.00 0.00 0.00
商品和服务支出 272.21 272.21 272.21 0.00 0.00 0.00 0.00
对个人和家庭的补助 352.35 352.35 352.35 0.00 0.00 0.00 0.00
资本性支出 2.80 2.80 2.80 0.00 0.00 0.00 0.00
"""),
    "部门预算项目支出及其他支出预算表": (GZ_BY_SOURCE, GZ_PROJECTS),
}
# the publication's 20805 (419.35) is not the sum of its 项 (419.36): the sample takes 0.01 off 2080501
GZ_XFJ_DIFFERS = {(t, "2080501", c): ("123.54", "123.53") for t, cs in (
    ("本年支出总体情况表", ("合计", "基本支出")),
    ("一般公共预算支出情况表（按功能分类科目）", ("小计", "其中：基本支出"))) for c in cs}
GZ_CLASSES = ["一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出",
              "文化旅游体育与传媒支出", "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出",
              "农林水支出", "交通运输支出", "资源勘探工业信息等支出", "商业服务业等支出", "金融支出",
              "援助其他地区支出", "自然资源海洋气象等支出", "住房保障支出", "国有资本经营预算支出",
              "粮油物资储备支出", "灾害防治及应急管理支出", "其他支出"]
GZ_XFJ_CLASS_FIGURES = {"一般公共服务支出": "2570.71", "社会保障和就业支出": "419.35", "卫生健康支出": "3.97",
                        "住房保障支出": "950.05"}


def _gz_right_half(tail: list[str], figures: dict[str, str] | None = None) -> dict[str, str]:
    names = [*GZ_CLASSES, *tail]
    return {f"{numeral(i)}、{n}": (figures or GZ_XFJ_CLASS_FIGURES).get(n, "0.00") for i, n in enumerate(names, 1)}


GZ_XFJ_PAIRED = {
    "收支总体情况表": {"一、预算拨款": "3944.08", "二、财政专户拨款": "0.00", "三、事业收入": "0.00",
                       "四、事业单位经营收入": "0.00", "五、其他收入": "0.00", "六、上级补助收入": "0.00",
                       "七、附属单位上缴收入": "0.00", "本年收入合计": "3944.08", "上年结转结余": "0.00",
                       "收入总计": "3944.08",
                       **_gz_right_half(["对附属单位补助支出", "上缴上级支出", "债务还本支出", "债务付息支出",
                                         "转移性支出"]),
                       "本年支出合计": "3944.08", "结转结余下年": "0.00", "支出总计": "3944.08"},
    "财政拨款收支总体情况表": {"一、一般公共预算": "3944.08", "二、政府性基金预算": "0.00",
                               "三、国有资本经营预算": "0.00",
                               "本年收入合计": "3944.08", "收入总计": "3944.08",
                               **_gz_right_half(["债务还本支出", "债务付息支出", "转移性支出", "结转下年"]),
                               "本年支出合计": "3944.08", "支出总计": "3944.08"},
}
GZ_TITLES = ["收支总体情况表", "收入总体情况表", "本年支出总体情况表", "财政拨款收支总体情况表",
             "一般公共预算支出情况表（按功能分类科目）", "一般公共预算基本支出情况表（按经济分类科目）",
             "一般公共预算项目支出情况表（按经济分类科目）", "财政拨款安排的行政经费及“三公”经费预算表",
             "政府性基金预算支出情况表", "国有资本经营预算支出情况表", "部门预算基本支出预算表",
             "部门预算项目支出及其他支出预算表"]
GUANGZHOU = {"guangdong-guangzhou-xfj-2026": (GZ_XFJ, GZ_XFJ_DIFFERS, GZ_XFJ_PAIRED)}


# 广州市气象局 2026 (部门汇总: 局本级 and four units)
QXJ_FUNCTIONAL = """
合计 7651.71 6146.33 1505.38
206 53.44 0.00 53.44
20605 53.44 0.00 53.44
2060503 53.44 0.00 53.44
208 768.66 768.66 0.00
20805 768.66 768.66 0.00
2080501 122.92 122.92 0.00
2080502 47.42 47.42 0.00
2080505 398.88 398.88 0.00
2080506 199.44 199.44 0.00
210 6.71 6.71 0.00
21007 6.71 6.71 0.00
2100799 6.71 6.71 0.00
220 5111.87 3659.93 1451.94
22005 5111.87 3659.93 1451.94
2200501 2254.56 2254.56 0.00
2200504 1405.37 1405.37 0.00
2200507 709.94 0.00 709.94
2200508 140.00 0.00 140.00
2200509 250.00 0.00 250.00
2200510 90.00 0.00 90.00
2200599 262.00 0.00 262.00
221 1711.04 1711.04 0.00
22102 1711.04 1711.04 0.00
2210201 453.68 453.68 0.00
2210203 1257.35 1257.35 0.00
"""
QXJ_BASIC_ECONOMIC = """
合计 6146.33
301 5201.43
30101 726.63
30102 1709.98
30103 1036.98
30107 486.18
30108 398.88
30109 199.44
30112 9.20
30113 453.68
30199 180.47
302 526.39
30201 21.47
30202 0.50
30204 0.40
30205 4.80
30207 25.35
30209 81.77
30211 38.19
30213 1.82
30215 3.48
30216 11.73
30217 1.31
30218 1.00
30226 9.26
30227 18.60
30228 86.78
30231 21.50
30239 78.42
30240 0.15
30299 119.87
303 416.03
30301 26.78
30302 382.54
30309 6.69
30399 0.02
310 2.48
31002 1.98
31003 0.50
"""
QXJ_PROJECT_ECONOMIC = """
合计 1505.38
302 1460.03
30205 18.50
30206 137.00
30207 7.00
30209 168.00
30213 148.17
30214 592.82
30226 1.20
30227 384.05
30231 3.30
310 45.35
31003 3.00
31007 42.35
"""
QXJ_UNITS = {"广州市气象局": "2602.16", "广州市防雷减灾管理办公室": "1551.56", "广州市气象台": "1519.20",
             "广州市生态与农业气象中心（广州市气候变化中心）": "598.41", "广州市气象综合保障中心": "1380.39"}
QXJ_BASIC_UNITS = [("广州市气象局（本级）", "2326.16", [("工资福利支出", "1859.13"), ("商品和服务支出", "260.17"),
                                                        ("对个人和家庭的补助", "206.85")]),
                   ("广州市防雷减灾管理办公室", "1521.56", [("工资福利支出", "1270.59"), ("商品和服务支出", "116.21"),
                                                            ("对个人和家庭的补助", "133.98"), ("资本性支出", "0.78")]),
                   ("广州市气象台", "1235.20", [("工资福利支出", "1104.38"), ("商品和服务支出", "76.29"),
                                                ("对个人和家庭的补助", "54.53")]),
                   ("广州市生态与农业气象中心（广州市气候变化中心）", "480.97",
                    [("工资福利支出", "427.37"), ("商品和服务支出", "31.73"), ("对个人和家庭的补助", "20.67"),
                     ("资本性支出", "1.20")]),
                   ("广州市气象综合保障中心", "582.45", [("工资福利支出", "539.95"), ("商品和服务支出", "42.00"),
                                                        ("资本性支出", "0.50")])]
QXJ_PROJECT_UNITS = [
    ("广州市气象局", "276.00", [("其他运行经费", "94.00"), ("机构运行辅助经费", "14.00"),
                                ("业务用房物业管理费", "168.00")]),
    ("广州市防雷减灾管理办公室", "30.00", [("机构运行辅助经费", "7.00"), ("防雷业务经费", "23.00")]),
    ("广州市气象台", "284.00", [("机构运行辅助经费", "7.00"), ("专用设备机房电耗工作经费", "140.00"),
                                ("气象专项工作经费", "26.00"), ("广州市气象台2025年信息化运维项目", "8.67"),
                                ("广州市气象台2026年信息化运维项目", "102.33")]),
    ("广州市生态与农业气象中心（广州市气候变化中心）", "117.44", [
        ("机构运行辅助经费", "7.00"),
        ("广州市气候与农业气象中心2021年面向城市供电设施安全的气象灾害定制化预报预警系统", "53.44"),
        ("专项观测设备维护维持经费", "5.00"), ("生态气候监测评估和农业气象服务工作经费", "30.00"),
        ("重大气象防灾减灾救灾应急保障车运行经费", "10.00"),
        ("广州市生态与农业气象中心2026年信息化运维项目", "12.00")]),
    ("广州市气象综合保障中心", "797.94", [
        ("机构运行辅助经费", "7.00"), ("广州市突发预警信息发布服务工作经费", "97.00"),
        ("广州高级别气象预警防灾叫应外呼与声讯电话服务专项", "17.00"), ("探测设备维护费", "90.00"),
        ("广州市突发事件预警信息发布中心2025年-2026年信息化运维项目", "18.52"),
        ("广州市气象综合保障中心2026年-2027年信息化运维项目", "568.42")])]


def _by_source(rows: list[tuple[str, str, list[tuple[str, str]]]], first: str) -> str:
    """Rows "name total fiscal general 0 0 0 0": all 一般公共预算; units keyed by name, their
    items by "unit/item" (the same item name recurs under several units)."""
    def line(key: str, v: str) -> str:
        return f"{key} {v} {v} {v} 0.00 0.00 0.00 0.00"
    out = [line("合计", first)]
    for unit, v, items in rows:
        out += [line(unit, v), *(line(f"{unit}/{name}", x) for name, x in items)]
    return "\n".join(out)


GZ_QXJ: dict[str, tuple[tuple[str, ...], str]] = {
    "收入总体情况表": (GZ_XFJ["收入总体情况表"][0], "\n".join(
        f"{k} {v} {v} " + " ".join(["0.00"] * 10) for k, v in {"合计": "7651.71", **QXJ_UNITS}.items())),
    "本年支出总体情况表": (("合计", "基本支出", "项目支出"), QXJ_FUNCTIONAL),
    "一般公共预算支出情况表（按功能分类科目）": (GZ_FUND_COLUMNS, QXJ_FUNCTIONAL),
    "一般公共预算基本支出情况表（按经济分类科目）": (("预算",), QXJ_BASIC_ECONOMIC),
    "一般公共预算项目支出情况表（按经济分类科目）": (("预算",), QXJ_PROJECT_ECONOMIC),
    "财政拨款安排的行政经费及“三公”经费预算表": (GZ_XFJ["财政拨款安排的行政经费及“三公”经费预算表"][0], """
行政经费 523.62 523.62 0.00 0.00
“三公”经费 26.11 26.11 0.00 0.00
其中：（一）因公出国（境）支出 0.00 0.00 0.00 0.00
（二）公务用车购置及运行维护支出 24.80 24.80 0.00 0.00
1.公务用车购置费 0.00 0.00 0.00 0.00
2.公务用车运行维护费 24.80 24.80 0.00 0.00
（三）公务接待费支出 1.31 1.31 0.00 0.00
"""),
    "政府性基金预算支出情况表": (GZ_FUND_COLUMNS, "合计 0.00 0.00 0.00"),
    "国有资本经营预算支出情况表": (GZ_FUND_COLUMNS, "合计 0.00 0.00 0.00"),
    "部门预算基本支出预算表": (GZ_BY_SOURCE, _by_source(QXJ_BASIC_UNITS, "6146.33")),
    "部门预算项目支出及其他支出预算表": (GZ_BY_SOURCE, _by_source(QXJ_PROJECT_UNITS, "1505.38")),
}
# the publication's own rounding contradictions (the sample's YAML says which figure it keeps)
GZ_QXJ_DIFFERS = {
    **{(t, k, c): ("1711.04", "1711.03") for t, cs in (
        ("本年支出总体情况表", ("合计", "基本支出")),
        ("一般公共预算支出情况表（按功能分类科目）", ("小计", "其中：基本支出")))
        for k in ("221", "22102") for c in cs},
    ("一般公共预算基本支出情况表（按经济分类科目）", "30199", "预算"): ("180.47", "180.46"),
    ("一般公共预算基本支出情况表（按经济分类科目）", "30299", "预算"): ("119.87", "119.86"),
    ("一般公共预算项目支出情况表（按经济分类科目）", "30214", "预算"): ("592.82", "592.81"),
    **{("收入总体情况表", "广州市气象局", c): ("2602.16", "2602.15") for c in ("合计", "一般公共预算")},
    **{("部门预算基本支出预算表", "广州市气象局（本级）", c): ("2326.16", "2326.15")
       for c in ("总计", "合计", "一般公共预算")},
}
GZ_QXJ_CLASS_FIGURES = {"科学技术支出": "53.44", "社会保障和就业支出": "768.66", "卫生健康支出": "6.71",
                        "自然资源海洋气象等支出": "5111.87", "住房保障支出": "1711.03"}  # 221: see DIFFERS



def _gz_paired(total: str, classes: dict[str, str]) -> dict[str, dict[str, str]]:
    return {
        "收支总体情况表": {"一、预算拨款": total, "二、财政专户拨款": "0.00", "三、事业收入": "0.00",
                           "四、事业单位经营收入": "0.00", "五、其他收入": "0.00", "六、上级补助收入": "0.00",
                           "七、附属单位上缴收入": "0.00", "本年收入合计": total, "上年结转结余": "0.00",
                           "收入总计": total,
                           **_gz_right_half(["对附属单位补助支出", "上缴上级支出", "债务还本支出", "债务付息支出",
                                             "转移性支出"], classes),
                           "本年支出合计": total, "结转结余下年": "0.00", "支出总计": total},
        "财政拨款收支总体情况表": {"一、一般公共预算": total, "二、政府性基金预算": "0.00",
                                   "三、国有资本经营预算": "0.00", "本年收入合计": total, "收入总计": total,
                                   **_gz_right_half(["债务还本支出", "债务付息支出", "转移性支出", "结转下年"],
                                                    classes),
                                   "本年支出合计": total, "支出总计": total}}


GUANGZHOU["guangdong-guangzhou-qxj-2026"] = (GZ_QXJ, GZ_QXJ_DIFFERS, _gz_paired("7651.71", GZ_QXJ_CLASS_FIGURES))

def gz_key(row: tuple[object, ...]) -> str:
    """The row's code (a "[30201]办公费" cell gives 30201), else its first text."""
    texts = [re.sub(r"\s", "", c) for c in row if isinstance(c, str) and c.strip()]
    for t in texts:
        if m := re.match(r"^\[(\d+)\]", t):
            return m.group(1)
    codes = [t for t in texts if t.isdigit()]
    return codes[0] if codes else texts[0] if texts else ""


def grouped(rows: list[tuple[object, ...]], keys: set[str]) -> dict[str, tuple[object, ...]]:
    """Rows by key; where the expected keys are "unit/item" (an item name recurring under
    several units), an item row is keyed by the unit row above it."""
    out, unit = {}, ""
    for r in rows:
        key = gz_key(r)
        if key in keys and "/" not in key:
            unit = key
        elif f"{unit}/{key}" in keys:
            key = f"{unit}/{key}"
        out[key] = r
    return out


@pytest.fixture(scope="module", params=sorted(GUANGZHOU))
def gz(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Generated]:
    return request.param, Generated(build(DATA / f"{request.param}.yaml", tmp_path_factory.mktemp(request.param)))


def gz_expected(sample: str, title: str) -> dict[tuple[str, str], str]:
    tables, differs, _ = GUANGZHOU[sample]
    columns, text = tables[title]
    out = {}
    for line in text.strip().splitlines():
        *words, = line.split()
        figures = words[-len(columns):]
        key = "".join(words[:-len(columns)])
        for header, figure in zip(columns, figures, strict=True):
            out[key, header] = differs.get((title, key, header), (figure, figure))[1]
    return out


def test_guangzhou_twelve_tables_in_the_published_order(gz: tuple[str, Generated]) -> None:
    _, doc = gz
    assert list(doc.sheets) == GZ_TITLES
    text = re.sub(r"[ \t]+", " ", doc.text)
    listed = re.findall(r"(?m)^ *([一二三四五六七八九十]+)、(\S+表(?:（按\S+分类科目）)?) ?\.", text)  # the contents
    assert [t for _, t in listed] == GZ_TITLES
    labels = re.findall(r"(?m)^[ \f]*表(\d+) *$", doc.text)  # "表1" above each table's title
    assert [int(n) for n in labels] == list(range(1, 13))


def test_guangzhou_every_figure_in_its_table_row_and_column(gz: tuple[str, Generated]) -> None:
    sample, doc = gz
    for title in GUANGZHOU[sample][0]:
        rows = doc.sheets[title]
        body, cols = columns_of(rows)
        want = gz_expected(sample, title)
        found = grouped([r for r in rows[body:] if not gz_key(r).startswith("注：")], {k for k, _ in want})
        assert {k for k, _ in want} == set(found), title  # no row more, no row less
        for (key, header), figure in want.items():
            assert amount(found[key][cols[header]]) == D(figure), (title, key, header, figure)


def test_guangzhou_paired_tables_print_each_amount_right_of_its_label(gz: tuple[str, Generated]) -> None:
    sample, doc = gz
    for title, labels in GUANGZHOU[sample][2].items():
        rows = doc.sheets[title]
        printed = [str(c) for r in rows for c in r if isinstance(c, str)]
        for label, figure in labels.items():
            hits = [r[j + 1] for r in rows for j, c in enumerate(r[:-1]) if isinstance(c, str) and c == label]
            assert hits and amount(hits[0]) == D(figure), (title, label, hits)
        # every 类 of the form is listed, in the published order, zero or not
        right = [x for x in labels if re.match(r"^[一二三四五六七八九十]+、\S*(支出|结转下年)$", x)]
        assert len(right) >= 27 and [p for p in printed if p in right] == right, title


def test_guangzhou_the_pdf_prints_each_table_with_its_figures(gz: tuple[str, Generated]) -> None:
    sample, doc = gz
    text = re.sub(r"[ \t]+", " ", doc.text).replace(",", "")
    starts = [m.start() for t in GZ_TITLES for m in re.finditer(r"(?m)^[\f ]*" + re.escape(t) + r" ?$", text)]
    assert len(starts) == len(GZ_TITLES)
    bounds = dict(zip(GZ_TITLES, [*zip(starts, [*starts[1:], len(text)], strict=True)], strict=True))
    tables, _, paired = GUANGZHOU[sample]
    for title in tables:
        start, end = bounds[title]
        for figure in gz_expected(sample, title).values():
            assert re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", text[start:end]), (title, figure)
    for title, labels in paired.items():
        start, end = bounds[title]
        for figure in labels.values():
            assert re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", text[start:end]), (title, figure)


def test_guangzhou_notes_under_the_tables(gz: tuple[str, Generated]) -> None:
    _, doc = gz
    rows = doc.sheets["政府性基金预算支出情况表"]
    assert any(r[0] == "注：本表本年无发生额。" for r in rows)  # drawn as a 合计 of zeros, and said so
    assert any(r[0] == "注：无。" for r in doc.sheets["部门预算基本支出预算表"])


# The computed sentences of 广州's 情况说明: each figure as the publication words it (trimmed
# amounts with thousands separators, rates to one decimal, "增加0万元，增长0%" when unchanged).
GZ_XFJ_SENTENCES = [
    ("部门预算收支增减变化情况", ["收入预算3,944.08万元", "比上年增加286.07万元", "增长7.8%", "支出预算3,944.08万元"]),
    ("“三公”经费安排情况", ["“三公”经费4.8万元", "比上年减少1万元", "下降17.2%", "因公出国（境）费0万元",
                            "增加0万元", "增长0%", "公务用车购置及运行维护费2.5万元", "公务用车购置费0万元",
                            "公务用车运行维护费2.5万元", "下降28.6%", "公务接待费2.3万元"]),
    ("机关运行经费安排情况", ["机关运行经费安排444.39万元", "比上年减少23.32万元", "下降5%"]),
    ("政府采购情况", ["政府采购安排625.65万元", "货物类采购预算20.95万元", "工程类采购预算18万元",
                      "服务类采购预算586.7万元"]),
    ("国有资产占有使用情况", ["截至2026年1月31日", "固定资产金额2,995.16万元", "房屋8,268.74平方米", "车辆2辆",
                              "设备1台", "拟购置固定资产12.1万元"]),
    ("委托业务费安排情况", ["委托业务费478.2万元", "比上年增加49.27万元", "增长11.5%"]),
    ("重点项目预算绩效目标情况", ["云客服服务外包项目", "252.28"]),
]

GZ_QXJ_SENTENCES = [
    ("部门预算收支增减变化情况", ["收入预算7,651.71万元", "比上年减少458.14万元", "下降5.6%", "支出预算7,651.71万元"]),
    ("“三公”经费安排情况", ["“三公”经费26.11万元", "比上年减少25.05万元", "下降49%", "因公出国（境）费0万元",
                            "增长0%", "公务用车购置及运行维护费24.8万元", "公务用车购置费0万元，比上年减少19.6万元",
                            "公务用车运行维护费24.8万元，比上年减少5.45万元", "下降50.3%", "公务接待费1.31万元"]),
    ("机关运行经费安排情况", ["机关运行经费安排523.62万元", "比上年减少4.88万元", "下降0.9%"]),
    ("政府采购情况", ["政府采购安排1,189.78万元", "货物类采购预算3.83万元", "工程类采购预算0万元",
                      "服务类采购预算1,185.95万元"]),
    ("国有资产占有使用情况", ["固定资产金额27,273.35万元", "房屋13,804.03平方米", "车辆11辆", "设备23台",
                              "拟购置固定资产5.48万元"]),
    ("委托业务费安排情况", ["委托业务费402.65万元", "比上年减少511.71万元", "下降56%"]),
    ("重点项目预算绩效目标情况", ["广州市气象综合保障", "568.42"]),  # the name wraps in its cell
]
GZ_SENTENCES = {"guangdong-guangzhou-xfj-2026": GZ_XFJ_SENTENCES, "guangdong-guangzhou-qxj-2026": GZ_QXJ_SENTENCES}


def test_guangzhou_explanation_words_each_figure_as_published(gz: tuple[str, Generated]) -> None:
    sample, doc = gz
    sentences = GZ_SENTENCES[sample]
    text = doc.text[doc.text.rindex("部门预算情况说明"):]  # the part itself, not the contents
    flat = re.sub(r"\s+", "", text.replace("\f", ""))
    heads = [h for h, _ in sentences]
    starts = [flat.index(h) for h in heads]
    assert starts == sorted(starts)  # the seven sections in the published order
    for (head, figures), start, end in zip(sentences, starts, [*starts[1:], len(flat)], strict=True):
        for figure in figures:
            assert figure in flat[start:end], (head, figure)
    assert "名词解释" in flat and flat.index("名词解释") > starts[-1]


@pytest.mark.parametrize("region, section", [("guangdong/guangzhou", "project_spending"),
                                             ("guangdong/shenzhen", "project_funds")])
def test_new_gives_a_city_skeleton(tmp_path: Path, region: str, section: str) -> None:
    """`new --region guangdong/<city>`: the city's skeleton, its data sections offered, and
    `check` reading it (only blanks to fill reported, no unknown region or key)."""
    out = tmp_path / "new.yaml"
    result = run_cli("new", "--region", region, "--name", "测试局", "--year", "2026", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert f"region: {region}" in text and f"# {section}:" in text
    checked = run_cli("check", out)
    assert checked.exit_code == 1 and "E100" in checked.output
    assert "E820" not in checked.output and "E821" not in checked.output and "E230" not in checked.output


# 深圳's nine parts of text, in order, each with its computed figures as the publication words
# them (thousands separators, two decimals, rates to one decimal: 下降5.0%; 增加0.00万元 unchanged).
SZ_PARTS = [
    ("部门概况", ["深圳市信访局的主要职责是", "共5个处（室）", "2026年主要工作目标包括"]),
    ("部门预算收支总体情况", ["部门预算收入4,684.30万元", "较2025年年初预算减少247.70万元", "下降5.0%",
                             "部门预算支出4,684.30万元", "预算收支减少主要原因说明"]),
    ("部门预算支出具体情况", ["深圳市信访局预算4,684.30万元", "在职人员经费2,422.61万元", "公用经费357.43万元",
                             "增人增资99.41万元", "项目支出1,612.29万元", "1.社工服务项目498.82万元",
                             "6.综合管理17.91万元"]),
    ("政府采购预算情况", ["政府采购项目共有1,100.30万元", "货物类项目3.00万元", "工程类项目0.00万元",
                         "服务类项目1,097.30万元"]),
    ("财政拨款“三公”经费预算情况", ["“三公”经费预算5.58万元，较2025年年初预算增加0.00万元。",
                                   "公务接待费。2026年预算数2.98万元", "公务用车运行维护费2026年预算数2.60万元"]),
    ("部门预算绩效管理情况", ["共1家基层单位", "涉及预算资金1,612.29万元，设置并编报6个项目绩效目标"]),
    ("重点项目预算绩效情况说明", ["498.82", "603.84", "486.39", "4.90", "0.44", "17.91"]),
    ("其他需要说明情况", ["机关运行经费财政拨款预算357.43万元", "较2025年年初预算减少16.16万元", "下降4.3%",
                         "截至2025年10月", "共有车辆1辆", "应急保障用车1辆", "计划购置车辆0辆、0万元",
                         "本单位无政府性基金预算支出、国有资本经营预算支出和上级专项转移支付预算支出"]),
    ("名词解释", ["一、财政拨款收入", "十、“三公”经费"]),
]


def test_shenzhen_text_in_nine_parts_worded_as_published(doc: Generated) -> None:
    flat = re.sub(r"\s+", "", doc.text.replace("\f", ""))
    body = flat[flat.rindex("第一部分部门概况"):]  # the parts themselves, after the contents
    starts = [body.index(f"第{numeral(i)}部分{title}") for i, (title, _) in enumerate(SZ_PARTS, 1)]
    assert starts == sorted(starts)
    ends = [*starts[1:], body.index("表格部分", starts[-1])]
    for (title, figures), start, end in zip(SZ_PARTS, starts, ends, strict=True):
        for figure in figures:
            assert figure in body[start:end], (title, figure)


def test_shenzhen_three_public_by_item_and_fund(doc: Generated) -> None:
    """表9: each item in three fund columns (all 一般公共预算 here), the department named on the
    first line only, 2025 / 2026 / 增减变化金额 as published."""
    rows = doc.sheets["财政拨款“三公”经费支出表"]
    body, _ = columns_of(rows)
    lines = [r for r in rows[body:] if not str(r[0] or "").startswith("注：")]
    assert [r[0] for r in lines] == ["深圳市信访局", None, None]
    for r, line in zip(lines, THREE_PUBLIC.strip().splitlines(), strict=True):
        label, *figures = line.split()
        assert r[1] == label
        general = [amount(v) for v in r[2::3]]
        others = [amount(v) for j in (3, 4) for v in r[j::3]]
        assert general == [D(x) for x in figures] and not any(others), (label, r)
    assert any(str(r[0] or "").startswith("注：") for r in rows)  # the note under it


def test_shenzhen_spending_table_procurement_columns(doc: Generated) -> None:
    """表3's 政府采购 columns, by 科目 from the data (类 and 款 the sums of their 项), as published."""
    rows = doc.sheets["支出总表"]
    body, cols = columns_of(rows)
    found = {row_key(r): r for r in rows[body:] if not row_key(r).startswith("注：")}
    sme = next(h for h in cols if h.startswith("其中：") and "中小企业" in h)
    small = next(h for h in cols if h.startswith("其中：") and "微型企业" in h)
    want = {"深圳市信访局": ("1100.30", "156.69"), "201": ("1100.30", "156.69"), "20140": ("1100.30", "156.69"),
            "2014001": ("152.35", "149.35"), "2014004": ("947.95", "7.34")}
    for key, r in found.items():
        total_, part = want.get(key, ("0.00", "0.00"))
        assert (amount(r[cols["小计"]]), amount(r[cols[sme]]), amount(r[cols[small]])) == \
            (D(total_), D(part), D(0)), key
        for header in ("事业单位经营支出", "对附属单位补助支出", "上缴上级支出"):
            assert amount(r[cols[header]]) == 0
