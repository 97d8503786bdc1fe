"""The Shandong (烟台) layout against the published 2026 budget of 烟台市信访局, figure by figure.

The sample is built once. Its workbook is read with openpyxl: each figure the publication
prints (typed below, as published) must be in the same table (sheet), in the row named by its
code or label, in the column with the published header; its PDF is read with `pdftotext` and
each table's amounts must be printed under that table's title. Where the publication contradicts
itself the sample's data follows its tables and the YAML says why; the figures that therefore
differ are marked `# published …` below.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgetreport.publish.build import build
from conftest import DATA, Generated, lowest_headers

SAMPLE = "shandong-yantai-xfj-2026"
D = Decimal

# table title → {row key: {column header: figure}}; a row key is the row's code, its code and its
# 政府预算经济分类 code ("301/501"), or its label; a header is the lowest header cell of a column.
TABLES: dict[str, dict[str, dict[str, str]]] = {
    "收入总体情况表": {
        "合计": {"合计": "1717.85", "小计": "1717.85", "一般公共预算收入": "1717.85"},
        "201": {"合计": "1378.84", "小计": "1378.84", "一般公共预算收入": "1378.84"},
        "20140": {"合计": "1378.84"},
        "2014001": {"合计": "507.97", "一般公共预算收入": "507.97"},
        "2014050": {"合计": "346.87"},
        "205": {"合计": "1.00"}, "20508": {"合计": "1.00"}, "2050803": {"合计": "1.00"},
        "208": {"合计": "178.50"}, "20805": {"合计": "178.50"},
        "2080501": {"合计": "53.13"},
        "2080502": {"合计": "6.79"},  # published 6.80 (its 款 adds up to 178.51 with it)
        "2080505": {"合计": "101.46"}, "2080506": {"合计": "16.00"}, "2080599": {"合计": "1.12"},
        "210": {"合计": "71.65"}, "21011": {"合计": "71.65"}, "2101101": {"合计": "26.59"},
        "2101102": {"合计": "19.70"}, "2101103": {"合计": "14.57"},
        "2101199": {"合计": "10.79"},  # published 10.80 (its 款 adds up to 71.66 with it)
        "221": {"合计": "87.86"}, "22102": {"合计": "87.86"}, "2210201": {"合计": "87.86"},
    },
    "支出总体情况表": {
        "合计": {"合计": "1717.85", "基本支出": "1192.85", "项目支出": "525.00"},
        "201": {"合计": "1378.84", "基本支出": "854.84", "项目支出": "524.00"},
        "20140": {"合计": "1378.84", "基本支出": "854.84", "项目支出": "524.00"},
        "2014001": {"合计": "507.97", "基本支出": "507.97"},
        "2050803": {"合计": "1.00", "项目支出": "1.00"},
        "2080505": {"合计": "101.46", "基本支出": "101.46"},
        "2210201": {"合计": "87.86", "基本支出": "87.86"},
    },
    "一般公共预算支出情况表": {
        "合计": {"合计": "1717.85", "小计": "1192.85", "人员支出": "1088.89", "日常公用支出": "103.96",
                 "项目支出": "525.00"},
        "201": {"合计": "1378.84", "小计": "854.84", "人员支出": "752.00", "日常公用支出": "102.84",
                "项目支出": "524.00"},
        "2014001": {"合计": "507.97", "人员支出": "434.57", "日常公用支出": "73.40"},
        "2014050": {"合计": "346.87", "人员支出": "317.43", "日常公用支出": "29.44"},
        "208": {"合计": "178.50", "人员支出": "177.38", "日常公用支出": "1.12"},
        "2080599": {"合计": "1.12", "日常公用支出": "1.12"},
        "210": {"合计": "71.65", "人员支出": "71.65"},
        "221": {"合计": "87.86", "人员支出": "87.86"},
    },
    "一般公共预算基本支出情况表": {
        "合计": {"小计": "1192.85", "人员支出": "1088.89", "日常公用支出": "103.96"},
        "301/501": {"小计": "593.01", "人员支出": "593.01"},
        "30101/50101": {"小计": "145.80"},  # published 145.81 (301/501 adds up to 593.03)
        "30103/50101": {"小计": "122.13"},
        "30113/50103": {"小计": "50.57"},
        "301/505": {"小计": "428.10"},  # published 428.11 (the classes add up to 1,192.86)
        "30107/50501": {"小计": "83.78"},
        "302/502": {"小计": "73.80", "日常公用支出": "73.80"},
        "30217/50206": {"小计": "2.00"},
        "30239/50201": {"小计": "21.82"},
        "302/505": {"小计": "29.44"},
        "30299/50502": {"小计": "13.89"},
        "303/509": {"小计": "68.50", "人员支出": "67.78", "日常公用支出": "0.72"},
        "30305/50901": {"小计": "8.23", "人员支出": "7.51", "日常公用支出": "0.72"},
        "30302/50905": {"小计": "53.09"},  # published 53.08 (303 adds up to 68.49)
    },
    "基本支出预算情况表": {
        "合计": {"合计": "1192.85", "小计": "1192.85", "一般公共预算": "1192.85"},
        "301/501": {"合计": "593.01", "一般公共预算": "593.01"},
        "30228/50201": {"合计": "12.80", "一般公共预算": "12.80"},
        "30228/50502": {"合计": "8.20"},
        "30399/50999": {"合计": "0.29"},
    },
    "项目支出预算情况表": {
        "合计": {"合计": "525.00", "小计": "525.00", "一般公共预算": "525.00"},
        "实施公车统管费用": {"合计": "15.00", "一般公共预算": "15.00"},
        "接访大厅运行经费": {"合计": "145.00", "一般公共预算": "145.00"},
        "信访业务工作经费": {"合计": "75.00", "一般公共预算": "75.00"},
    },
    "政府采购预算表": {
        "合计": {"合计": "71.89", "小计": "71.89", "一般公共预算": "71.89"},
        "201": {"合计": "71.89"}, "20140": {"合计": "71.89"},
        "2014001": {"合计": "1.56", "一般公共预算": "1.56"},
    },
}
# 收支总表 halves: label → the amount printed right of it
PAIRED = {
    "收支总体情况表": {"一、财政拨款收入": "1717.85", "一般公共预算收入": "1717.85",
                       "一般公共服务支出": "1378.84", "教育支出": "1.00", "社会保障和就业支出": "178.50",
                       "卫生健康支出": "71.65", "住房保障支出": "87.86", "本年收入合计": "1717.85",
                       "本年支出合计": "1717.85", "收入总计": "1717.85", "支出总计": "1717.85"},
    # published blank with "没有使用财政拨款收入和支出" against tables 1, 2 and 5
    "财政拨款收支总体情况表": {"一、一般公共预算收入": "1717.85", "一般公共服务支出": "1378.84",
                              "本年收入合计": "1717.85", "本年支出合计": "1717.85"},
}
# each project's 绩效目标表: its amounts and some of its indicators, as published
PERFORMANCE = {
    "实施公车统管费用": ["15.00", "≤15万元", "实施公车统管费用支付准确率", "=100%", "使用人满意度", "≥90%"],
    "接访大厅运行经费": ["145.00", "保洁服务成本", "≤15.36万元", "≥10000份", "一次性化解率"],
    "信访业务工作经费": ["75.00", "律师及听证员劳务费", "≤25万元", "电子政务网络、互联网和视频会议专线数量", "=6条"],
}
# sentences of 第三部分 whose figures the program computes, as published (％ and separators too)
SENTENCES = [
    "2026年收入预算1,717.85万元，其中：一般公共预算收入1,717.85万元。",
    "2026年支出预算1,717.85万元，其中：基本支出1,192.85万元，项目支出525万元。",
    "2026年收支预算1,717.85万元，比上年减少49.81万元，其中：",
    "1.收入预算减少49.81万元，其中一般公共预算收入减少49.81万元。",
    "2.支出预算减少49.81万元，其中基本支出增加75.19万元，项目支出减少125万元。",
    "“三公”经费预算共17万元，比上年减少5万元，下降22.73％。",
    "1.因公出国（境）费0万元，与上年基本持平。",
    "公务用车运行维护费15万元，比上年减少5万元，下降25％，主要原因是",
    "3.公务接待费2万元，与上年基本持平。",
    "机关运行经费安排74.52万元，比上年减少3.46万元。",
    "2026年政府采购预算71.89万元，其中：政府采购货物预算1.56万元，政府采购工程预算0万元，政府采购服务预算70.33万元。",
    "涉及预算项目3个，预算资金235万元，其中财政拨款235万元。",
    "截至2025年12月31日，本部门共有车辆0辆，其中机要通信用车0辆",
]


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(build(DATA / f"{SAMPLE}.yaml", tmp_path_factory.mktemp(SAMPLE)))


def row_key(row: tuple[object, ...]) -> str:
    texts = [re.sub(r"\s", "", c) for c in row if isinstance(c, str) and c.strip()]
    codes = [t for t in texts if t.isdigit()]
    if [len(t) for t in codes] == [3, 2, 3, 2]:  # 部门 and 政府 经济分类, each as 类 | 款 (301 01 | 501 01)
        return f"{codes[0]}{codes[1]}/{codes[2]}{codes[3]}"
    if len(codes) == 2 and len(codes[0]) in (3, 5) and len(codes[1]) in (3, 5):
        return f"{codes[0]}/{codes[1]}"  # 部门/政府预算经济分类 side by side
    if codes and all(len(t) <= 3 for t in codes):  # 类/款/项 in three columns
        return "".join(codes[:1] + [t for t in codes[1:]])
    return codes[0] if codes else texts[0] if texts else ""


def test_every_figure_in_its_table_row_and_column(doc: Generated) -> None:
    figures_in_place(doc, TABLES)


def keyed(rows: list[tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    """Rows by code. The 类/款/项 columns print each row's own part only (201 | 40 | 01 on three
    rows, as published), so a 款 or 项 row is keyed with the 类 (and 款) printed above it."""
    found: dict[str, tuple[object, ...]] = {}
    above = ["", ""]
    for r in rows:
        parts = [re.sub(r"\s", "", c) if isinstance(c, str) else "" for c in r[:3]]
        if all(p.isdigit() or not p for p in parts) and sum(bool(p) for p in parts) == 1:
            level = next(i for i, p in enumerate(parts) if p)
            if level < 2:
                above[level:] = [parts[level], ""][: 2 - level]
            found["".join(above[:level]) + parts[level]] = r
            continue
        found[row_key(r)] = r
    return found


def figures_in_place(doc: Generated, tables: dict[str, dict[str, dict[str, str]]]) -> None:
    for title, expected in tables.items():
        rows = doc.sheets[title]
        body, cols = lowest_headers(rows)
        found = keyed(rows[body:])
        for key, figures in expected.items():
            assert key in found, (title, key, sorted(found))
            for header, figure in figures.items():
                got = [found[key][j] for j in cols[header]]
                assert any(v is not None and D(str(v)).quantize(D("0.01")) == D(figure) for v in got), \
                    (title, key, header, figure, got)


def test_three_public_prints_both_years_side_by_side(doc: Generated) -> None:
    rows = doc.sheets["一般公共预算“三公”经费支出情况表"]
    assert [str(c) for c in rows[2] if c] == ["2025年预算数", "2026年预算数"]
    amounts = next(r for r in rows if any(isinstance(c, (int, float)) for c in r))
    # 合计, 因公出国（境）, 公务用车 小计/购置/运行维护, 公务接待 — 2025, then 2026 (as published)
    published = ("22", "0", "20", "0", "20", "2", "17", "0", "15", "0", "15", "2")
    assert [D(str(c)) for c in amounts] == [D(x) for x in published]


# the 21 类 the 烟台 forms list on the spending half of 公开表1 and 公开表4, spending or not
CLASSES_LISTED = ["一般公共服务支出", "外交支出", "公共安全支出", "教育支出", "科学技术支出",
                  "文化旅游体育与传媒支出", "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出",
                  "农林水支出", "交通运输支出", "资源勘探工业信息等支出", "商业服务业等支出", "金融支出",
                  "自然资源海洋气象等支出", "住房保障支出", "粮油物资储备支出", "国有资本经营预算支出",
                  "灾害防治及应急管理支出", "其他支出"]


@pytest.mark.parametrize("title", ["收支总体情况表", "财政拨款收支总体情况表"])
def test_paired_tables_list_every_class_as_published(doc: Generated, title: str) -> None:
    rows = doc.sheets[title]
    listed = [re.sub(r"^[一二三四五六七八九十]+、", "", c) for r in rows for c in r
              if isinstance(c, str) and re.match(r"^[一二三四五六七八九十]+、\S+支出$", c)
              and not c.endswith("收入")]
    assert listed == CLASSES_LISTED
    blank = next(r for r in rows if "二、外交支出" in r)  # no spending: the amount stays blank
    assert blank[blank.index("二、外交支出") + 1] in (None, "")


def test_summary_lower_lines_level_as_published(doc: Generated) -> None:
    rows = [[c for c in r if isinstance(c, str) and c] for r in doc.sheets["收支总体情况表"]]
    for left, right in [("本年收入合计", "本年支出合计"), ("附属单位上缴收入", "对附属单位的补助支出"),
                        ("使用非财政拨款结余", "上缴上级支出"), ("上年结转", "结转下年"), ("收入总计", "支出总计")]:
        assert any(r[:1] == [left] and right in r for r in rows), (left, right)


def test_empty_note_printed_once_as_published(doc: Generated) -> None:
    assert "（注：2026年没有使用政府性基金预算拨款安排的支出。）" in doc.text
    assert "注：（注：" not in doc.text


def test_code_columns_print_each_level_alone(doc: Generated) -> None:
    rows = doc.sheets["支出总体情况表"]
    codes = [tuple(c for c in r[:3]) for r in rows if any(isinstance(c, str) and c.strip() for c in r[:3])]
    assert ("201", None, None) in codes and (None, "40", None) in codes and (None, None, "01") in codes
    assert not any(sum(c is not None for c in t) > 1 for t in codes if all(
        c is None or str(c).isdigit() for c in t)), codes
    headers = {c for r in rows[:3] for c in r if isinstance(c, str)}
    assert "结转下年" in headers  # the form's column, blank (the data does not split it)
    assert "使用非财政拨款结余" in {c for r in doc.sheets["收入总体情况表"][:3] for c in r if isinstance(c, str)}
    economic = doc.sheets["一般公共预算基本支出情况表"]  # 部门 and 政府 codes each split 类 | 款
    assert any(r[:2] == ("301", "01") and r[3:5] == ("501", "01") for r in economic), economic[:6]


def test_paired_tables_print_each_amount_right_of_its_label(doc: Generated) -> None:
    for title, expected in PAIRED.items():
        rows = doc.sheets[title]
        for label, figure in expected.items():
            hits = [r[j + 1] for r in rows for j, c in enumerate(r[:-1])
                    if isinstance(c, str) and (c == label or c.endswith("、" + label))]
            assert hits and D(str(hits[0])).quantize(D("0.01")) == D(figure), (title, label, hits)


def test_the_pdf_prints_each_table_with_its_amounts(doc: Generated) -> None:
    text = re.sub(r"[ \t]+", " ", doc.text)
    starts = {t: [m.start() for m in re.finditer(r"(?m)^[\f ]*" + re.escape(t) + r" ?$", text)] for t in TABLES}
    for title, expected in TABLES.items():
        assert starts[title], title
        after = text[starts[title][0]:]
        end = min((s - starts[title][0] for t, ss in starts.items() for s in ss
                   if s > starts[title][0] and t != title), default=len(after))
        part = after[:end].replace(",", "")
        for figures in expected.values():
            for figure in figures.values():
                assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", part), (title, figure)


def test_tables_are_numbered_as_published(doc: Generated) -> None:
    numbered = re.findall(r"公开表(\d+) ?(\S+?表) *\.", doc.text)  # the contents
    assert [n for n, _ in numbered[:12]] == [str(i) for i in range(1, 13)]
    assert "公开表13" not in doc.text  # the 绩效目标表 are in 第三部分, without a number
    assert numbered[11][1] == "政府采购预算表"


def test_one_performance_table_per_project_in_the_explanation(doc: Generated) -> None:
    perf = [rows for t, rows in doc.all_sheets if t.startswith("政策和项目预算绩效目标表")]
    assert len(perf) == 3
    for (project, expected), rows in zip(PERFORMANCE.items(), perf, strict=True):
        cells = [c for r in rows for c in r if c is not None]
        assert project in cells
        for item in expected:
            numeric = re.fullmatch(r"[\d.]+", item)
            assert any(str(c) == item or (numeric and isinstance(c, (int, float)) and D(str(c)) == D(item))
                       for c in cells), (project, item)
    third = doc.text[doc.text.rindex("第三部分"):doc.text.rindex("第四部分")]
    assert third.count("政策和项目预算绩效目标表") == 3


def test_computed_sentences_read_as_published(doc: Generated) -> None:
    third = re.sub(r"\s+|—\s*\d+\s*—", "", doc.text[doc.text.rindex("第三部分"):doc.text.rindex("第四部分")])
    for sentence in SENTENCES:
        assert sentence in third, sentence


def test_parts_in_the_published_order(doc: Generated) -> None:
    body = doc.text[doc.text.index("第四部分") + 4:]  # after the contents
    heads = [m.group(0) for m in re.finditer(r"第[一二三四]部分", body)]
    assert heads == ["第一部分", "第二部分", "第三部分", "第四部分"]
    assert re.search(r"第二部分\s+2026年部门预算表", body)
    assert re.search(r"第三部分\s+2026年部门预算情况和重要事项", body)


def test_data_file_is_a_real_path() -> None:
    assert Path(DATA / f"{SAMPLE}.yaml").is_file()


# --- 烟台市统计局 2026 (the second document of the region, same templates) ------------------

TJJ = "shandong-yantai-tjj-2026"
TJJ_TABLES: dict[str, dict[str, dict[str, str]]] = {
    "一般公共预算支出情况表": {
        # published 合计 2,123.11 / 1,704.11 / 1,573.37: its classes add up to the figures below
        "合计": {"合计": "2123.10", "小计": "1704.10", "人员支出": "1573.35", "日常公用支出": "130.75",
                 "项目支出": "419.00"},
        "201": {"合计": "1506.40", "小计": "1180.40", "人员支出": "1055.75", "日常公用支出": "124.65",
                "项目支出": "326.00"},
        "2010501": {"合计": "588.75", "人员支出": "502.45", "日常公用支出": "86.30"},
        "2010502": {"合计": "41.00", "项目支出": "41.00"},
        "2010507": {"合计": "285.00", "项目支出": "285.00"},
        "2010550": {"合计": "591.65", "人员支出": "553.30", "日常公用支出": "38.35"},  # published 591.64, 38.34
        "2050803": {"合计": "96.86", "小计": "3.86", "日常公用支出": "3.86", "项目支出": "93.00"},
        "208": {"合计": "292.73", "人员支出": "290.49", "日常公用支出": "2.24"},
        "210": {"合计": "102.63"}, "2101199": {"合计": "18.99"},
        "221": {"合计": "124.48"}, "2210201": {"合计": "124.48"},
    },
    "一般公共预算基本支出情况表": {
        "301/501": {"小计": "705.28", "人员支出": "705.28"},
        "30101/50101": {"小计": "169.27"},  # published 169.28 (301/501 adds up to 705.29)
        "301/505": {"小计": "746.73"}, "30107/50501": {"小计": "143.49"},
        "302/502": {"小计": "92.40", "日常公用支出": "92.40"}, "30215/50202": {"小计": "5.00"},
        "30216/50203": {"小计": "3.86"}, "302/505": {"小计": "38.34"},
        "303/509": {"小计": "121.35", "人员支出": "121.35"}, "30302/50905": {"小计": "120.17"},
    },
    "项目支出预算情况表": {
        "合计": {"合计": "419.00", "一般公共预算": "419.00"},
        "实施公车统管费用": {"合计": "25.00"}, "设备购置更新": {"合计": "16.00"},
        "统计周期性调查": {"合计": "368.00"}, "1%人口抽样调查": {"合计": "10.00"},
    },
    "政府采购预算表": {
        "合计": {"合计": "49.33"}, "20105": {"合计": "49.33"},
        "2010501": {"合计": "1.83"}, "2010507": {"合计": "47.50"},
    },
}
TJJ_SENTENCES = [
    "比上年增加388.34万元，其中：",
    "1.收入预算增加388.34万元，其中一般公共预算收入增加388.34万元。",
    "2.支出预算增加388.34万元，其中基本支出增加19.34万元，项目支出增加369万元。",
    "“三公”经费预算共14.3万元，与上年基本持平。",
    "公务用车运行维护费12.5万元，与上年基本持平。",
    "机关运行经费安排92.4万元，比上年增加0.78万元。",
    "委托业务费财政拨款预算为17.5万元，比上年增加14万元，增长400%。",
    "2026年政府采购预算49.33万元，其中：政府采购货物预算0.33万元，政府采购工程预算0万元，政府采购服务预算49万元。",
    "截至2025年12月31日，本部门共有车辆1辆，其中机要通信用车1辆",
    "涉及一级预算项目4个，预算资金419万元，其中财政拨款419万元。拟对统计周期性调查1个项目开展部门重点绩效评价",
    "（二）部门主管专项资金的绩效目标表",
]


@pytest.fixture(scope="module")
def tjj(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(build(DATA / f"{TJJ}.yaml", tmp_path_factory.mktemp(TJJ)))


def test_second_document_figures_in_place(tjj: Generated) -> None:
    figures_in_place(tjj, TJJ_TABLES)
    rows = tjj.sheets["一般公共预算“三公”经费支出情况表"]
    amounts = next(r for r in rows if any(isinstance(c, (int, float)) for c in r))
    published = ("14.30", "0", "12.50", "0", "12.50", "1.80") * 2
    assert [D(str(c)) for c in amounts] == [D(x) for x in published]
    perf = [t for t, _ in tjj.all_sheets if t.startswith("政策和项目预算绩效目标表")]
    assert len(perf) == 4


def test_second_document_sentences(tjj: Generated) -> None:
    third = re.sub(r"\s+|—\s*\d+\s*—", "", tjj.text[tjj.text.rindex("第三部分"):tjj.text.rindex("第四部分")])
    for sentence in TJJ_SENTENCES:
        assert sentence in third, sentence
    first = re.sub(r"\s+|—\s*\d+\s*—", "", tjj.text[tjj.text.rindex("第一部分"):tjj.text.rindex("第二部分")])
    units = "纳入烟台市统计局2026年部门预算编制范围的二级预算单位包括：1.烟台市统计局机关2.烟台市农村社会经济调查队"
    assert units in first
