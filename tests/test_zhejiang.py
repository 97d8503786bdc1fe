"""The Zhejiang layout against the published 2026 budgets of 杭州市气象局 (and 湖州市财政局), figure by
figure.

The sample is built once. Its workbook is read with openpyxl: each figure the publication
prints (typed below, as published) must be in the same table (sheet), in the row named by its
label (these tables print 科目 by name only; a repeated name is told apart by its occurrence,
"杭州市气象局#2"), in the column with the published header; its PDF is read with `pdftotext`
and each table's amounts must be printed under that table's title. Where the publication
contradicts itself the sample's data follows its tables' rows and the YAML says why; the
figures that therefore differ are marked `# published …` below.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from budgetreport.inputs.load import read
from budgetreport.publish.build import build
from budgetreport.readback import verify
from conftest import DATA, Generated, run_cli

D = Decimal
HZ = "zhejiang-hangzhou-qxj-2026"

# table title → {row label: {lowest column header: figure}}
HZ_TABLES: dict[str, dict[str, dict[str, str]]] = {
    "2026年市级部门收入预算总表": {
        "合计": {"总计": "5876.67", "一般公共预算": "5753.06",  # published 5753.07 (its units add up to 5753.06)
                 "其他收入": "123.61"},
        "杭州市气象局#1": {"总计": "5876.67", "其他收入": "123.61"},
        "杭州市气象局#2": {"总计": "5011.05", "一般公共预算": "4916.13", "其他收入": "94.92"},
        "杭州市气象服务中心（杭州市预警信息发布中心）": {"总计": "865.62", "一般公共预算": "836.93",
                                                       "其他收入": "28.69"},
    },
    "2026年市级部门支出预算总表": {
        "合计": {"总计": "5876.67", "人员支出": "2906.79",  # published 2906.80 (its classes add up to 2906.79)
                 "日常公用支出": "838.27", "项目支出": "2131.61"},
        "科学技术支出": {"总计": "28.00", "项目支出": "28.00"},
        "科技成果转化与扩散": {"总计": "28.00", "项目支出": "28.00"},
        "社会保障和就业支出": {"总计": "396.67", "人员支出": "395.77", "日常公用支出": "0.90"},
        "行政单位离退休": {"总计": "193.24", "人员支出": "192.34", "日常公用支出": "0.90"},
        "机关事业单位基本养老保险缴费支出": {"总计": "135.62", "人员支出": "135.62"},
        "机关事业单位职业年金缴费支出": {"总计": "67.81"},
        "卫生健康支出": {"总计": "80.52"}, "行政单位医疗": {"总计": "61.17"}, "事业单位医疗": {"总计": "19.35"},
        "自然资源海洋气象等支出": {"总计": "5371.48", "人员支出": "2430.50", "日常公用支出": "837.37",
                                   "项目支出": "2103.61"},
        "行政运行": {"总计": "2617.19", "人员支出": "1907.01", "日常公用支出": "710.18"},
        "气象事业机构": {"总计": "650.68", "人员支出": "523.49", "日常公用支出": "127.19"},
        "气象服务": {"总计": "2103.61", "项目支出": "2103.61"},
    },
    "2026年市级部门一般公共预算支出预算表": {
        "合计": {"合计": "5753.06", "小计": "3745.06", "人员经费": "2906.79",  # published 5753.07, 3745.07, 2906.80
                 "日常公用支出": "838.27", "项目支出": "2008.00"},
        "科学技术支出": {"合计": "28.00", "项目支出": "28.00"},
        "社会保障和就业支出": {"合计": "396.67", "小计": "396.67", "人员经费": "395.77", "日常公用支出": "0.90"},
        "自然资源海洋气象等支出": {"合计": "5247.87", "小计": "3267.87", "人员经费": "2430.50",
                                   "日常公用支出": "837.37", "项目支出": "1980.00"},
        "行政运行": {"合计": "2617.19", "小计": "2617.19"},
        "气象服务": {"合计": "1980.00", "项目支出": "1980.00"},
    },
    "2026年市级部门一般公共预算基本支出预算表": {
        "合计": {"合计": "3745.06", "人员经费": "2906.79", "日常公用支出": "838.27"},  # published 3745.07, 2906.80
        "工资福利支出": {"合计": "2709.89"},  # published 2709.90 (its items add up to 2709.89)
        "基本工资": {"合计": "98.00"}, "津贴补贴": {"合计": "454.81"}, "奖金": {"合计": "213.86"},
        "绩效工资": {"合计": "1076.40"}, "住房公积金": {"合计": "209.04"}, "其他工资福利支出": {"合计": "344.92"},
        "商品和服务支出": {"合计": "760.37", "日常公用支出": "760.37"},
        "办公费": {"合计": "50.01"}, "物业管理费": {"合计": "157.81"}, "会议费": {"合计": "21.60"},
        "培训费": {"合计": "28.22"}, "公务接待费": {"合计": "6.02"}, "委托业务费": {"合计": "29.50"},
        "公务用车运行维护费": {"合计": "18.00"}, "其他商品和服务支出": {"合计": "190.38"},
        "对个人和家庭的补助": {"合计": "249.90", "人员经费": "196.90", "日常公用支出": "53.00"},
        "离休费": {"合计": "101.29"}, "退休费": {"合计": "83.25"},
        "其他对个人和家庭的补助": {"合计": "57.46", "人员经费": "4.46", "日常公用支出": "53.00"},
        "资本性支出": {"合计": "24.90"}, "办公设备购置": {"合计": "24.90"},
    },
    "2026年市级部门一般公共预算“三公”经费预算表": {
        "合计": {"“三公”经费合计": "24.02", "小计": "18.00", "公务用车运行维护费": "18.00", "公务接待费": "6.02"},
        "杭州市气象局": {"“三公”经费合计": "13.13", "小计": "7.20", "公务接待费": "5.93"},
        "杭州市气象服务中心（杭州市预警信息发布中心）": {"“三公”经费合计": "10.89", "公务用车运行维护费": "10.80",
                                                       "公务接待费": "0.09"},
    },
    "2026年市级部门项目支出预算表": {
        "合计": {"总计": "2131.61", "一般公共预算": "2008.00", "单位资金": "123.61"},
        "气象业务建设": {"总计": "1097.02", "一般公共预算": "1002.10", "单位资金": "94.92"},
        "气象设施维护及科普": {"总计": "887.90", "一般公共预算": "887.90"},
        "专业系统维护及科普": {"总计": "146.69", "一般公共预算": "118.00", "单位资金": "28.69"},
    },
    "2026年市级部门项目支出绩效表": {
        "气象业务建设": {"金额": "1097.02"}, "气象设施维护及科普": {"金额": "887.90"},
        "专业系统维护及科普": {"金额": "146.69"},
    },
}
# 收支总表 halves: label → the amount printed right of it
HZ_PAIRED = {
    "2026年市级部门收支预算总表": {
        "一、财政拨款": "5753.06", "一般公共预算": "5753.06",  # published 5753.07
        "七、其他收入": "123.61", "科学技术支出": "28.00", "技术研究与开发": "28.00",
        "社会保障和就业支出": "396.67", "机关事业单位职业年金缴费支出": "67.81", "卫生健康支出": "80.52",
        "自然资源海洋气象等支出": "5371.48", "气象服务": "2103.61", "本年收入合计": "5876.67",
        "本年支出合计": "5876.67", "收入总计": "5876.67", "支出总计": "5876.67"},
    "2026年市级部门财政拨款收支预算总表": {
        "一、财政拨款": "5753.06", "一、本年支出合计": "5753.06",  # published 5753.07
        "自然资源海洋气象等支出": "5247.87", "气象事务": "5247.87", "气象服务": "1980.00",
        "收入总计": "5753.06", "支出总计": "5753.06"},
}
# sentences whose figures the program computes, as published (spaces dropped)
HZ_SENTENCES = [
    "杭州市气象局2026年收支总预算5,876.67万元。",
    "收入包括：一般公共预算收入、其他收入；支出包括：科学技术支出、社会保障和就业支出、卫生健康支出、"
    "自然资源海洋气象等支出。",
    "2026年收入预算5,876.67万元，比上年执行数增加48.92万元，增长0.8%，与上年基本持平。",
    "其他收入123.61万元，占2.1%。",
    "2026年支出预算5,876.67万元，比上年执行数增加48.92万元，增长0.8%，与上年基本持平。",
    "1.按支出功能分类，包括科学技术支出28.00万元、社会保障和就业支出396.67万元、卫生健康支出80.52万元、"
    "自然资源海洋气象等支出5,371.48万元。",
    # published 人员支出2,906.80万元
    "占49.4%；日常公用支出838.27万元，占14.3%；项目支出2,131.61万元，占36.3%。",
    "年终结转结余0.00万元。",
    "支出包括：科学技术支出28.00万元、社会保障和就业支出396.67万元、卫生健康支出80.52万元、"
    "自然资源海洋气象等支出5,247.87万元。",
    "比上年执行数增加13.59万元，增长0.2%，与上年基本持平。",
    "科学技术（类）支出28.00万元，占0.5%；社会保障和就业（类）支出396.67万元，占6.9%；卫生健康（类）"
    "支出80.52万元，占1.4%；自然资源海洋气象等（类）支出5,247.87万元，占91.2%。",
    "（1）科学技术支出（类）技术研究与开发（款）科技成果转化与扩散（项）28.00万元，主要用于",
    "比上年执行数减少113.53万元，下降80.2%，主要原因是",
    "（2）社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）193.24万元",
    "比上年执行数增加43.74万元，增长29.3%，主要原因是退休人数增加。",
    "比上年执行数增加252.00万元，增长10.7%，主要原因是",
    "比上年执行数增加72.38万元，增长12.5%，主要原因是事业人员增加。",
    "（9）自然资源海洋气象等支出（类）气象事务（款）气象服务（项）1,980.00万元",
    "比上年执行数增加127.16万元，增长6.9%，主要原因是",
    "日常公用支出838.27万元，主要包括：办公费、印刷费、水费、电费、邮电费、物业管理费、差旅费、",
    "其他商品和服务支出、其他对个人和家庭的补助、办公设备购置等。",
    "2026年“三公”经费预算数为24.02万元，与上年预算数持平。",
    "2026年安排公务接待费预算6.02万元，与上年预算数持平，主要用于",
    "2026年安排公务用车购置及运行维护费预算18.00万元，与上年预算数持平。其中，公务用车购置支出0.00万元"
    "（含购置税等附加费用）",
    "公务用车运行维护费支出18.00万元，主要用于",
    "本部门2026年没有使用政府性基金预算拨款安排的支出，与上年持平。",
    "本部门2026年没有使用国有资本经营预算拨款安排的支出，与上年持平。",
    "2026年本部门政府采购预算总额1,113.52万元，其中：政府采购货物预算566.26万元、政府采购工程预算"
    "0.00万元、政府采购服务预算547.26万元。",
    "本部门共有车辆5辆，其中，一般公务用车0辆、执法执勤用车0辆、特种专业技术用车5辆、其他用车0辆。"
    "单位价值100万元以上设备25台（套）。",
    "2026年部门预算安排购置车辆1辆，其中，一般公务用车0辆、执法执勤用车0辆、特种专业技术用车1辆、"
    "其他用车0辆。2026年部门预算安排购置单位价值100万元以上设备0台（套）。",
    "共计3个一级项目，涉及资金2,131.61万元（一级项目绩效目标表，详见表11）。",
    "2026年本部门委托业务费财政拨款预算总额236.75万元。",
]
HZ_HEADINGS = ["一、部门概况", "（一）主要职能", "（二）机构设置情况", "二、2026年杭州市气象局部门预算安排情况说明",
               "（一）收支预算情况的总体说明（详见表1-3）", "（五）一般公共预算当年拨款情况说明（详见表5）",
               "（七）一般公共预算“三公”经费预算情况说明（详见表7）", "（十）其他重要事项的情况说明",
               "三、名词解释", "四、2026年杭州市气象局预算公开表"]


@pytest.fixture(scope="module")
def hz(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(build(DATA / f"{HZ}.yaml", tmp_path_factory.mktemp(HZ)))


def column_numbers(row: tuple[object, ...]) -> bool:
    """The row under the header numbering the columns: ** over text, 1, 2, 3 … over amounts."""
    texts = [str(c) for c in row if c not in (None, "")]
    return bool(texts) and all(t == "**" or t.isdigit() for t in texts)


def lowest_headers(rows: list[tuple[object, ...]]) -> tuple[int, dict[str, list[int]]]:
    """The first body row and, per header text, the columns it is the lowest header of (the
    column-number row is not a header)."""
    body = next(i for i, r in enumerate(rows) if i > 2 and any(isinstance(c, (int, float)) for c in r))
    lowest: dict[int, str] = {}
    for r in rows[2:body]:
        if column_numbers(r):
            continue
        for j, c in enumerate(r):
            if c not in (None, ""):
                lowest[j] = str(c)
    out: dict[str, list[int]] = {}
    for j, h in lowest.items():
        out.setdefault(h, []).append(j)
    return body, out


def rows_by_label(rows: list[tuple[object, ...]], body: int) -> dict[str, tuple[object, ...]]:
    """Body rows by their first text; a repeated text gets "#1", "#2" (and its first keeps the
    bare text too, as does each other text of the row: a project's name)."""
    out: dict[str, tuple[object, ...]] = {}
    seen: dict[str, int] = {}
    for r in rows[body:]:
        texts = [re.sub(r"\s", "", c) for c in r if isinstance(c, str) and c.strip()]
        if not texts:
            continue
        label = texts[0]
        seen[label] = seen.get(label, 0) + 1
        out[f"{label}#{seen[label]}"] = r
        for t in texts:  # a project row is found by its project's name too
            out.setdefault(t, r)
    return out


def figures_in_place(doc: Generated, tables: dict[str, dict[str, dict[str, str]]]) -> None:
    for title, expected in tables.items():
        rows = doc.sheets[title]
        body, cols = lowest_headers(rows)
        found = rows_by_label(rows, body)
        for key, figures in expected.items():
            assert key in found, (title, key, sorted(found))
            for header, figure in figures.items():
                got = [found[key][j] for j in cols[header]]
                assert any(v is not None and D(str(v)).quantize(D("0.01")) == D(figure) for v in got), \
                    (title, key, header, figure, got)


def paired_in_place(doc: Generated, paired: dict[str, dict[str, str]]) -> None:
    for title, expected in paired.items():
        rows = doc.sheets[title]
        for label, figure in expected.items():
            hits = [r[j + 1] for r in rows for j, c in enumerate(r[:-1]) if isinstance(c, str) and c == label]
            assert hits and hits[0] is not None and D(str(hits[0])).quantize(D("0.01")) == D(figure), \
                (title, label, hits)


def pdf_tables_print_their_figures(doc: Generated, tables: dict[str, dict[str, dict[str, str]]]) -> None:
    """Each table's amounts are printed after its title (on its page), before the next title."""
    text = re.sub(r"[ \t]+", " ", doc.text)
    titles = [t for t in doc.sheets if t.startswith("20")]
    # a long title may wrap: its first twenty characters
    starts = {t: [m.start() for m in re.finditer(r"(?m)^[\f ]*表\d+：" + re.escape(t[:20]) + r"(?!.*\.\.\.)", text)]
              for t in titles}
    for title, expected in tables.items():
        assert starts[title], title
        begin = starts[title][-1]  # the table itself, after the list of tables
        end = min((s for t, ss in starts.items() for s in ss if s > begin and t != title), default=len(text))
        part = text[begin:end].replace(",", "")
        for figures in expected.values():
            for figure in figures.values():
                assert re.search(rf"(?<![\d.]){re.escape(figure)}(?![\d])", part), (title, figure)


def sentences_in(doc: Generated, sentences: list[str]) -> None:
    body = re.sub(r"\s+|[—-]\s*\d+\s*[—-]", "", doc.text)
    for sentence in sentences:
        assert sentence in body, sentence


def test_hangzhou_figures_in_their_table_row_and_column(hz: Generated) -> None:
    figures_in_place(hz, HZ_TABLES)
    paired_in_place(hz, HZ_PAIRED)


def test_hangzhou_pdf_prints_each_table_with_its_amounts(hz: Generated) -> None:
    pdf_tables_print_their_figures(hz, HZ_TABLES)


def test_hangzhou_tables_numbered_and_titled_as_published(hz: Generated) -> None:
    titles = [t for t, _ in hz.all_sheets]
    assert titles[:11] == [
        "2026年市级部门收支预算总表", "2026年市级部门收入预算总表", "2026年市级部门支出预算总表",
        "2026年市级部门财政拨款收支预算总表", "2026年市级部门一般公共预算支出预算表",
        "2026年市级部门一般公共预算基本支出预算表", "2026年市级部门一般公共预算“三公”经费预算表",
        "2026年市级部门政府性基金预算支出预算表", "2026年市级部门国有资本经营预算支出预算表",
        "2026年市级部门项目支出预算表", "2026年市级部门项目支出绩效表"]
    for n, title in enumerate(titles[:11], 1):  # "表N：" before each title on its page
        assert re.search(rf"(?m)^\s*表{n}：{re.escape(title)}\s*$", hz.text), title
    assert "部门名称：杭州市气象局" in hz.text


def test_hangzhou_table_shapes(hz: Generated) -> None:
    spending = hz.sheets["2026年市级部门支出预算总表"]
    _, cols = lowest_headers(spending)
    # the three columns the data has no figures for are drawn, empty (zeros shown blank)
    for header in ("事业单位经营支出", "上缴上级支出", "对附属单位补助支出"):
        assert header in cols and all(r[cols[header][0]] in (None, "", 0) for r in spending[3:]
                                      if not column_numbers(r)), header
    numbers = next(r for r in spending if column_numbers(r))  # ** 1 2 … 7 under the header
    assert [c for c in numbers if c] == ["**", *map(str, range(1, 8))]
    goals = hz.sheets["2026年市级部门项目支出绩效表"]
    cells = [c for r in goals for c in r if isinstance(c, str)]
    assert any(c.startswith("通过气象监测能力项目等提升杭州气象监测预报能力") for c in cells)
    assert not any(c == "合计" for c in cells)  # no 合计 row in 表11
    three = hz.sheets["2026年市级部门一般公共预算“三公”经费预算表"]
    assert any(isinstance(c, str) and c.startswith("注：不含教学科研人员") for r in three for c in r)
    empty = hz.sheets["2026年市级部门政府性基金预算支出预算表"]
    assert any(isinstance(c, str) and "没有政府性基金预算拨款安排的支出" in c for r in empty for c in r)


def test_hangzhou_sentences_read_as_published(hz: Generated) -> None:
    sentences_in(hz, HZ_SENTENCES)


def test_hangzhou_headings_as_published(hz: Generated) -> None:
    start = hz.text.index("部门概况", hz.text.index("预算公开表"))  # the body, after the contents
    body = re.sub(r"\s", "", hz.text[start - 10:])
    for heading in HZ_HEADINGS:
        assert heading in body, heading
    glossary = re.sub(r"\s", "", hz.text[hz.text.rindex("名词解释"):])
    assert "21.自然资源海洋气象等支出（类）气象事务（款）气象服务（项）：" in glossary


# --- 湖州市财政局 2026: the sub-region zhejiang/huzhou (same tables: codes, no separators, notes) ------

HU = "zhejiang-huzhou-czj-2026"
HU_TABLES: dict[str, dict[str, dict[str, str]]] = {
    "2026年市级部门收入预算总表": {
        "合计": {"总计": "6838.41", "一般公共预算": "6838.41"},
        "湖州市财政局#2": {"总计": "4467.55"}, "湖州市市级财政国库支付中心": {"总计": "724.30"},
        "湖州市财政项目预算审核中心": {"总计": "731.02"}, "湖州市财政票据管理中心": {"总计": "273.77"},
        "湖州市绿色财政研究服务中心": {"一般公共预算": "641.77"},
    },
    "2026年市级部门支出预算总表": {
        "合计": {"总计": "6838.41", "人员支出": "4944.99", "公用经费": "626.67", "项目支出": "1266.75"},
        "201": {"总计": "5356.01", "人员支出": "3478.24",  # published 3478.23 (its 项 add up to 3478.24)
                "公用经费": "611.02", "项目支出": "1266.75"},
        "2010601": {"总计": "3685.65", "人员支出": "3102.63", "公用经费": "583.02"},
        "2010607": {"总计": "113.75", "项目支出": "113.75"},
        "2010650": {"总计": "403.61", "人员支出": "375.61", "公用经费": "28.00"},
        "2010699": {"总计": "1153.00", "项目支出": "1153.00"},
        "2080501": {"总计": "307.91", "人员支出": "292.26",  # published 292.27 (292.27 + 15.65 ≠ 307.91)
                    "公用经费": "15.65"},
        "2080505": {"总计": "325.74"}, "2080506": {"总计": "162.87"},
        "210": {"总计": "265.81"}, "2101103": {"总计": "146.94"},
        "221": {"总计": "420.07"}, "2210201": {"总计": "420.07"},
    },
    "2026年市级部门一般公共预算支出表": {
        "合计": {"合 计": "6838.41", "小计": "5571.66", "人员经费": "4944.99", "公用经费": "626.67",
                 "项目支出": "1266.75"},
        "201": {"合 计": "5356.01", "小计": "4089.26", "项目支出": "1266.75"},
        "2101101": {"合 计": "102.90"}, "2101102": {"合 计": "15.97"},
    },
    "2026年市级部门一般公共预算基本支出表": {
        "合计": {"合计": "5571.66", "人员经费": "4944.99", "公用经费": "626.67"},
        "301": {"合计": "4644.80"}, "30103": {"合计": "1226.39"}, "30199": {"合计": "784.06"},
        "302": {"合计": "592.77"}, "30209": {"合计": "147.50"}, "30299": {"合计": "88.77"},
        "303": {"合计": "315.09", "人员经费": "300.19"},  # published 315.10, 300.20 (退休费 292.26, above)
        "30399": {"合计": "14.90", "公用经费": "14.90"}, "310": {"合计": "19.00"}, "31002": {"合计": "19.00"},
    },
    "2026年市级部门一般公共预算\"三公\"经费支出表": {
        "合计": {"“三公”经费合计": "9.30", "小计": "3.50", "公务用车运行维护费": "3.50", "公务接待费": "5.80"},
        "湖州市财政局": {"“三公”经费合计": "7.50", "公务接待费": "4.00"},
        "湖州市财政票据管理中心": {"“三公”经费合计": "0.45", "公务接待费": "0.45"},
    },
    "2026年市级部门项目支出预算表": {
        "合计": {"总计": "1266.75", "一般公共预算": "1266.75"},
        "全市会计人员考培": {"总计": "187.00"}, "财政管理与改革": {"总计": "110.00"},
        "信息化建设与运维": {"总计": "113.75"}, "财政事务综合业务管理": {"总计": "355.00"},
        "市级预算项目评审": {"总计": "371.00"}, "财政票据综合管理": {"总计": "10.00"},
        "财政服务综合业务管理": {"总计": "120.00"},
    },
    "2026年市级部门项目支出绩效表": {"市级预算项目评审": {"金额": "371.00"}, "全市会计人员考培": {"金额": "187.00"}},
}
HU_PAIRED = {
    "2026年市级部门收支预算总表": {"一、财政拨款": "6838.41", "一般公共服务支出": "5356.01", "财政事务": "5356.01",
                                   "其他财政事务支出": "1153.00", "住房公积金": "420.07", "本年收入合计": "6838.41",
                                   "本年支出合计": "6838.41", "收入总计": "6838.41"},
    "2026年市级部门财政拨款收支预算总表": {"一、财政拨款": "6838.41", "本年收入合计": "6838.41",
                                          "公务员医疗补助": "146.94", "收入总计": "6838.41", "支出总计": "6838.41"},
}
HU_SENTENCES = [
    "收入包括：一般公共预算拨款收入；支出包括：一般公共服务支出、社会保障和就业支出、卫生健康支出、住房保障支出。"
    "湖州市财政局2026年收支总预算6838.41万元。",
    "湖州市财政局2026年收入预算6838.41万元，比上年执行数减少772.20万元，下降10.1%，主要是2026年根据厉行节约的要求，"
    "减少一般性支出的安排。",
    "其中：一般公共预算拨款收入6838.41万元，占100.0%。",
    "1.按支出功能分类，包括一般公共服务支出5356.01万元、社会保障和就业支出796.52万元、卫生健康支出265.81万元、"
    "住房保障支出420.07万元。",
    "2.按支出用途分类，包括人员支出4944.99万元，占72.3%；日常公用支出626.67万元，占9.2%；项目支出1266.75万元，占18.5%。",
    "湖州市财政局2026年财政拨款收支总预算6838.41万元。收入包括：一般公共预算当年拨款收入6838.41万元；支出包括：",
    "（1）一般公共服务支出（类）财政事务（款）行政运行（项）3685.65万元，主要用于",
    "（11）住房保障支出（类）住房改革支出（款）住房公积金（项）420.07万元，主要用于",
    "湖州市财政局2026年一般公共预算基本支出5571.66万元，其中：",
    "人员经费4944.99万元，主要包括：基本工资、津贴补贴、奖金、绩效工资、",
    "公用经费626.67万元，主要包括：办公费、印刷费、手续费、水费、电费、",
    "2026年没有使用政府性基金预算拨款安排的支出，与上年持平。",
    "2026年没有使用国有资本经营预算拨款安排的支出，与上年持平。",
    "湖州市财政局2026年“三公”经费预算数为9.30万元，比上年预算数减少",  # published 减少10万元
    "下降51.8%，具体如下：",
    "2.公务接待费：2026年安排公务接待费预算5.80万元，与上年预算数持平。主要用于",
    "2026年安排公务用车购置及运行维护费预算3.50万元，与上年预算数持平。其中，公务用车购置支出0.00万元"
    "（含购置税等附加费用），与上年预算数持平；公务用车运行维护费支出3.50万元，主要用于",
    "的机关运行经费财政拨款预算598.67万元，比上年预算增加66.73万元，增长12.5%，主要是按照",
    "2026年湖州市财政局各单位政府采购预算总额1051.20万元，其中：政府采购货物预算122.45万元、政府采购工程预算"
    "0.00万元、政府采购服务预算928.75万元。",
    "共有车辆1辆，其中，机要通信用车及应急保障用车0辆、执法执勤用车1辆、特种专业技术用车0辆、老干部服务用车0辆、"
    "行政执法专用车0辆。单位价值50万元以上通用设备0台（套），单位价值100万元以上专用设备0台（套）。",
    "共计7个一级项目，涉及资金1266.75万元。同时，将按照相关制度规定开展绩效自评。",
    "2026年湖州市财政局各单位委托业务费财政拨款总额746.40万元。",
    "2026年湖州市财政局各单位会议费预算0.00万元，比上年预算数减少9.66万元，",
    "下降28.6%，主要是按照厉行节约有关要求，压减培训经费。",  # published 减少22万元
    "2026年湖州市财政局各单位差旅费预算34.10万元，与上年预算数持平。",
]


@pytest.fixture(scope="module")
def hu(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    return Generated(build(DATA / f"{HU}.yaml", tmp_path_factory.mktemp(HU)))


def test_huzhou_figures_in_their_table_row_and_column(hu: Generated) -> None:
    figures_in_place(hu, HU_TABLES)
    paired_in_place(hu, HU_PAIRED)


def test_huzhou_sentences_read_as_published(hu: Generated) -> None:
    sentences_in(hu, HU_SENTENCES)


def test_huzhou_differs_from_hangzhou_as_published(hu: Generated) -> None:
    text = hu.text
    assert re.search(r"(?m)^\s*表01\s*$", text) and "表1：" not in text  # 表01 over the title
    assert "341-湖州市财政局" in text and "部门名称：" not in text
    assert "6838.41" in text and "6,838.41" not in text  # no thousands separators
    assert text.count("注：本套报表金额单位转换时存在尾数误差") >= 9
    body = re.sub(r"\s", "", text)
    for heading in ("（二）部门机构设置情况", "（一）关于湖州市财政局2026年收支预算情况的总体说明",
                    "（七）关于湖州市财政局2026年政府性基金预算支出情况说明",
                    "（九）关于2026年一般公共预算“三公”经费预算情况说明", "四、2026年部门预算表"):
        assert heading in body, heading
    spending = hu.sheets["2026年市级部门支出预算总表"]
    assert any(r[0] == "2010601" for r in spending)  # codes in their own column


# --- the publications themselves, read back by `verify` against the samples ----------------------
# The reference PDFs are third-party documents, not shipped: these tests run where they are.

# beside the repository (/work/main → /work/shared) or beside a worktree's parent (/work/wt/x)
PUBLISHED = next((p for p in (DATA.parent.parent / "shared", DATA.parent.parent.parent / "shared")
                  if p.is_dir()), DATA.parent.parent / "shared") / "reference" / "published"
# Figures (and names) where a publication contradicts itself or words its sentence otherwise, each
# named in the sample's YAML: verify reports them, and nothing else is expected.
PUBLICATION_WRONG = {
    HZ: ["5,753.07", "2,906.80", "3,745.07", "2,709.90"],
    HU: ["3478.23", "780.88", "292.27", "315.10", "300.20", "78.4%", "11.6%",
         "下降100%",  # 因公出国（境）: the published sentence gives no amount
         ],
}
# What the reader does not yet get right in these layouts (engineer "reader"): each a pattern of
# its message.
READER_GAPS = {
    HZ: [],
    HU: ["缺少附表“2026年市级部门项目支出绩效表”", "附表“2026年市级部门项目支出预算表”多出",  # 表11 (unit line
         # "万元" without 单位：) is read as a continuation of 表10
         "102026年",  # a page number read into the next paragraph
         "表072026年",  # a table's note, page label and title read as a paragraph (the 三公 table's page)
         ],
}


def published_problems(sample: str) -> list[str]:
    pdf = next(PUBLISHED.glob(f"{sample.rsplit('-', 2)[0]}-*-2026-bmys.pdf"), None)
    if pdf is None:
        pytest.skip(f"the reference publication of {sample} is not on this machine")
    return [str(p) for p in verify(pdf, DATA / f"{sample}.yaml")]


def unexplained(sample: str, problems: list[str], *kinds: dict[str, list[str]]) -> list[str]:
    return [p for p in problems if not any(w in p for k in kinds for w in k[sample])]


@pytest.mark.parametrize("sample", [HZ, HU])
def test_the_publication_agrees_but_where_it_contradicts_itself(sample: str) -> None:
    problems = published_problems(sample)
    assert unexplained(sample, problems, PUBLICATION_WRONG, READER_GAPS) == []
    for figure in PUBLICATION_WRONG[sample]:  # each named contradiction is really there
        assert any(figure in p for p in problems), figure


HU_GAP = ("verify 尚不能读湖州原文：表11 页（单位栏只印“万元”）并入表10，页码读进正文，“三公”表页的注、表号与表名"
          "读成一段正文")


@pytest.mark.parametrize("sample", [HZ, pytest.param(HU, marks=pytest.mark.xfail(strict=True, reason=HU_GAP))])
def test_the_publication_is_read_without_reader_gaps(sample: str) -> None:
    assert unexplained(sample, published_problems(sample), PUBLICATION_WRONG) == []


def test_import_of_the_huzhou_publication_gives_its_figures(tmp_path: Path) -> None:
    """`import` of 湖州's own PDF (code columns; the “** 1 2 3” row repeated on continued pages):
    the publication's figures, as printed (292.27 included, which the sample corrects)."""
    pdf = next(PUBLISHED.glob("zhejiang-huzhou-*-2026-bmys.pdf"), None)
    if pdf is None:
        pytest.skip("the reference publication of 湖州市财政局 is not on this machine")
    out = tmp_path / "hu.yaml"
    result = run_cli("import", pdf, "-o", out, "--region", "zhejiang/huzhou", "--name", "湖州市财政局")
    assert result.exit_code == 0, result.output
    data = read(out).data
    assert D(str(data["income"]["general_budget"])) == D("6838.41")
    lines = {x["code"]: x for x in data["spending"]}
    assert D(str(lines["2010601"]["personnel"])) == D("3102.63")
    assert D(str(lines["2080501"]["personnel"])) == D("292.27")
    assert D(str(lines["2010699"]["project"])) == D("1153.00")
    economic = {x["code"]: x for x in data["economic"]}
    assert D(str(economic["30399"]["public"])) == D("14.90")
