"""The Chongqing (市级) layout against the published 重庆市气象局 2026 document, figure by figure.

The sample `data/chongqing-qxj-2026.yaml` is built once; its workbook is read with openpyxl and
its PDF with `pdftotext -layout`. Every amount of the published tables 一 to 九 is listed
below (as printed, in 万元) with its table, row and column, and must be found in the same
table, row and column of the workbook, and on the same line of that table in the PDF. Where
the publication contradicts itself the figure its other tables give is used, and the reason
is stated next to it (the sample's YAML comments say the same).
"""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetreport.publish.build import build
from conftest import DATA

SAMPLE = DATA / "chongqing-qxj-2026.yaml"

# table title → rows: (key, column the key is in, {column: printed figure}); columns count from 0.
TABLES: dict[str, list[tuple[str, int, dict[int, str]]]] = {
    "2026年部门收支总体情况表": [
        ("合计", 0, {1: "14,770.62", 3: "14,770.62"}),
        ("一、一般公共预算资金", 0, {1: "12,672.73"}),
        ("二、政府性基金预算资金", 0, {1: "579.89"}),
        ("五、事业收入资金", 0, {1: "388.00"}),
        ("九、其他收入资金", 0, {1: "1,130.00"}),
        ("一、社会保障和就业支出", 2, {3: "120.17"}),
        ("二、卫生健康支出", 2, {3: "40.68"}),
        ("三、农林水支出", 2, {3: "579.89"}),
        ("四、自然资源海洋气象等支出", 2, {3: "13,873.36"}),
        # published 56.53: its parts 39.70 + 16.82 make 56.52 (the data follows the parts)
        ("五、住房保障支出", 2, {3: "56.52"}),
        ("六、灾害防治及应急管理支出", 2, {3: "100.00"}),
    ],
    "2026年部门收入总体情况表": [
        ("合计", 0, {2: "14,770.62", 3: "12,672.73", 4: "579.89", 7: "388.00", 11: "1,130.00"}),
        ("208", 0, {2: "120.17", 3: "82.51", 7: "37.66"}),
        ("20805", 0, {2: "120.17", 3: "82.51", 7: "37.66"}),
        ("2080505", 0, {2: "71.12", 3: "46.01", 7: "25.11"}),
        ("2080506", 0, {2: "35.56", 3: "23.01", 7: "12.55"}),
        ("2080599", 0, {2: "13.49", 3: "13.49"}),
        ("210", 0, {2: "40.68", 3: "31.68", 7: "9.00"}),
        ("2101101", 0, {2: "27.32", 3: "27.32"}),
        ("2101102", 0, {2: "9.00", 7: "9.00"}),
        ("2101199", 0, {2: "4.36", 3: "4.36"}),
        ("213", 0, {2: "579.89", 4: "579.89"}),
        ("2139802", 0, {2: "579.89", 4: "579.89"}),
        ("220", 0, {2: "13,873.36", 3: "12,418.84", 7: "324.52", 11: "1,130.00"}),
        ("22005", 0, {2: "13,873.36", 3: "12,418.84", 7: "324.52", 11: "1,130.00"}),
        ("2200501", 0, {2: "5,389.50", 3: "5,359.50", 11: "30.00"}),
        ("2200504", 0, {2: "777.52", 3: "478.00", 7: "299.52"}),
        ("2200506", 0, {2: "800.00", 3: "800.00"}),
        ("2200508", 0, {2: "213.00", 3: "213.00"}),
        ("2200509", 0, {2: "2,715.59", 3: "1,590.59", 7: "25.00", 11: "1,100.00"}),
        ("2200511", 0, {2: "3,977.75", 3: "3,977.75"}),
        ("221", 0, {2: "56.52", 3: "39.70", 7: "16.82"}),  # published 56.53, see above
        ("2210201", 0, {2: "56.52", 3: "39.70", 7: "16.82"}),
        ("224", 0, {2: "100.00", 3: "100.00"}),
        ("2240108", 0, {2: "100.00", 3: "100.00"}),
    ],
    "2026年部门支出总体情况表": [
        # published 5,838.39 / 8,932.23 (the sum of its own classes is 5,838.40 with 56.53)
        ("合计", 0, {2: "14,770.62", 3: "5,838.39", 4: "8,932.23"}),
        ("208", 0, {2: "120.17", 3: "120.17"}),
        ("2080505", 0, {2: "71.12", 3: "71.12"}),
        ("2080506", 0, {2: "35.56", 3: "35.56"}),
        ("2080599", 0, {2: "13.49", 3: "13.49"}),
        ("210", 0, {2: "40.68", 3: "40.68"}),
        ("2101101", 0, {2: "27.32", 3: "27.32"}),
        ("2101102", 0, {2: "9.00", 3: "9.00"}),
        ("2101199", 0, {2: "4.36", 3: "4.36"}),
        ("2139802", 0, {2: "579.89", 4: "579.89"}),
        ("220", 0, {2: "13,873.36", 3: "5,621.02", 4: "8,252.34"}),
        ("2200501", 0, {2: "5,389.50", 3: "5,321.50", 4: "68.00"}),
        ("2200504", 0, {2: "777.52", 3: "299.52", 4: "478.00"}),
        ("2200506", 0, {2: "800.00", 4: "800.00"}),
        ("2200508", 0, {2: "213.00", 4: "213.00"}),
        ("2200509", 0, {2: "2,715.59", 4: "2,715.59"}),
        ("2200511", 0, {2: "3,977.75", 4: "3,977.75"}),
        ("2210201", 0, {2: "56.52", 3: "56.52"}),  # published 56.53, see above
        ("2240108", 0, {2: "100.00", 4: "100.00"}),
    ],
    "2026年财政拨款收支总体情况表": [
        # the carry-over the other tables count in each fund is shown apart here
        ("一、本年收入", 0, {1: "12,572.73"}),
        ("（一）一般公共预算资金", 0, {1: "12,572.73"}),
        ("二、上年结转", 0, {1: "679.89"}),
        ("（一）一般公共预算拨款", 0, {1: "100.00"}),
        ("（二）政府性基金预算拨款", 0, {1: "579.89"}),
        ("一、本年支出", 2, {3: "13,252.62", 4: "12,672.73", 5: "579.89"}),
        ("（一）社会保障和就业支出", 2, {3: "82.51", 4: "82.51"}),
        ("（二）卫生健康支出", 2, {3: "31.68", 4: "31.68"}),
        ("（三）农林水支出", 2, {3: "579.89", 5: "579.89"}),
        ("（四）自然资源海洋气象等支出", 2, {3: "12,418.84", 4: "12,418.84"}),
        ("（五）住房保障支出", 2, {3: "39.70", 4: "39.70"}),
        ("（六）灾害防治及应急管理支出", 2, {3: "100.00", 4: "100.00"}),
        ("收入合计", 0, {1: "13,252.62", 3: "13,252.62", 4: "12,672.73", 5: "579.89"}),
    ],
    "2026年一般公共预算支出情况表": [
        ("合计", 0, {2: "12,672.73", 3: "5,445.39", 4: "5,308.05", 5: "137.34", 6: "7,227.34"}),
        ("208", 0, {2: "82.51", 3: "82.51", 4: "82.32", 5: "0.19"}),
        ("2080505", 0, {2: "46.01", 3: "46.01", 4: "46.01"}),
        ("2080506", 0, {2: "23.01", 3: "23.01", 4: "23.01"}),
        ("2080599", 0, {2: "13.49", 3: "13.49", 4: "13.30", 5: "0.19"}),
        ("210", 0, {2: "31.68", 3: "31.68", 4: "31.68"}),
        ("2101101", 0, {2: "27.32", 3: "27.32", 4: "27.32"}),
        ("2101199", 0, {2: "4.36", 3: "4.36", 4: "4.36"}),
        ("220", 0, {2: "12,418.84", 3: "5,291.50", 4: "5,154.35", 5: "137.15", 6: "7,127.34"}),
        ("2200501", 0, {2: "5,359.50", 3: "5,291.50", 4: "5,154.35", 5: "137.15", 6: "68.00"}),
        ("2200504", 0, {2: "478.00", 6: "478.00"}),
        ("2200509", 0, {2: "1,590.59", 6: "1,590.59"}),
        ("2200511", 0, {2: "3,977.75", 6: "3,977.75"}),
        ("2210201", 0, {2: "39.70", 3: "39.70", 4: "39.70"}),
        ("2240108", 0, {2: "100.00", 6: "100.00"}),
    ],
    "2026年一般公共预算基本支出情况表": [
        ("合计", 0, {2: "5,445.39", 3: "5,308.05", 4: "137.34"}),
        ("301", 0, {2: "5,293.75", 3: "5,293.75"}),
        ("30101", 0, {2: "110.24", 3: "110.24"}),
        ("30102", 0, {2: "4,890.66", 3: "4,890.66"}),
        ("3010201", 0, {2: "4,887.41", 3: "4,887.41"}),
        ("3010202", 0, {2: "3.25", 3: "3.25"}),
        ("30103", 0, {2: "147.75", 3: "147.75"}),
        ("3010301", 0, {2: "95.28", 3: "95.28"}),
        ("3010302", 0, {2: "43.28", 3: "43.28"}),
        ("3010303", 0, {2: "9.19", 3: "9.19"}),
        ("30108", 0, {2: "46.01", 3: "46.01"}),
        ("30109", 0, {2: "23.01", 3: "23.01"}),
        ("30110", 0, {2: "27.32", 3: "27.32"}),
        ("30112", 0, {2: "2.30", 3: "2.30"}),
        ("30113", 0, {2: "39.70", 3: "39.70"}),
        ("30114", 0, {2: "3.36", 3: "3.36"}),
        ("30199", 0, {2: "3.40", 3: "3.40"}),
        ("302", 0, {2: "137.34", 4: "137.34"}),
        ("30201", 0, {2: "33.14", 4: "33.14"}),
        ("30202", 0, {2: "0.50", 4: "0.50"}),
        ("30207", 0, {2: "7.35", 4: "7.35"}),
        ("30211", 0, {2: "13.47", 4: "13.47"}),
        ("30213", 0, {2: "0.50", 4: "0.50"}),
        ("30214", 0, {2: "0.95", 4: "0.95"}),
        ("30216", 0, {2: "2.88", 4: "2.88"}),
        ("30217", 0, {2: "0.30", 4: "0.30"}),
        ("30226", 0, {2: "2.30", 4: "2.30"}),
        ("30227", 0, {2: "9.60", 4: "9.60"}),
        ("30228", 0, {2: "31.61", 4: "31.61"}),
        ("30231", 0, {2: "13.55", 4: "13.55"}),
        ("30239", 0, {2: "19.19", 4: "19.19"}),
        ("30299", 0, {2: "2.00", 4: "2.00"}),
        ("303", 0, {2: "14.30", 3: "14.30"}),
        ("30305", 0, {2: "13.30", 3: "13.30"}),
        ("30307", 0, {2: "1.00", 3: "1.00"}),
    ],
    "2026年政府性基金预算支出情况表": [
        ("合计", 0, {2: "579.89", 4: "579.89"}),
        ("213", 0, {2: "579.89", 4: "579.89"}),
        ("21398", 0, {2: "579.89", 4: "579.89"}),
        ("2139802", 0, {2: "579.89", 4: "579.89"}),
    ],
    "2026年政府采购预算明细表": [
        ("合计", 0, {2: "947.00", 7: "47.00", 11: "900.00"}),
        ("A", 0, {2: "47.00", 7: "47.00"}),
        ("C", 0, {2: "900.00", 11: "900.00"}),
    ],
}
THREE_PUBLIC = ("2026年财政拨款“三公”经费支出情况表", {0: "13.85", 2: "13.55", 4: "13.55", 5: "0.30"})
ORDER = [*list(TABLES)[:7], THREE_PUBLIC[0], list(TABLES)[7], "2026年部门整体绩效目标表",
         "2026年市级重点专项资金绩效目标表（一级项目）", "2026年市级一般性项目绩效目标表（一级项目）"]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    out = tmp_path_factory.mktemp("chongqing")
    build(SAMPLE, out)
    pdf, xlsx = next(out.rglob("*.pdf")), next(out.rglob("*.xlsx"))
    return pdf, xlsx


def _number(v: object) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v).replace(",", ""))


def test_workbook_has_every_published_figure_in_its_table_row_and_column(built: tuple[Path, Path]) -> None:
    book = load_workbook(built[1], data_only=True)
    sheets = {str(ws.cell(1, 1).value): ws for ws in book.worksheets}
    assert [t for t in ORDER if t in sheets] == [t for t in ORDER if t in sheets and t in ORDER]
    missing = []
    for title, rows in TABLES.items():
        ws = sheets[title]
        grid = [list(r) for r in ws.iter_rows(values_only=True)]
        for key, at, figures in rows:
            found = [r for r in grid if len(r) > at and str(r[at]) == key]
            assert found, f"{title}: no row {key}"
            for col, printed in figures.items():
                if _number(found[0][col]) != _number(printed):
                    missing.append(f"{title} {key} column {col}: {found[0][col]!r} ≠ {printed}")
    ws = sheets[THREE_PUBLIC[0]]
    values = [r for r in ws.iter_rows(values_only=True) if any(isinstance(v, int | float) for v in r)]
    for col, printed in THREE_PUBLIC[1].items():
        if _number(values[0][col]) != _number(printed):
            missing.append(f"三公 column {col}: {values[0][col]!r} ≠ {printed}")
    assert not missing, "\n".join(missing)


def _pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_pdf_prints_every_published_figure_on_its_row_in_order(built: tuple[Path, Path]) -> None:
    text = _pdf_text(built[0])
    assert "目　录" not in text and "目 录" not in text  # published without cover and contents
    body = text
    starts = [body.index(t) for t in ORDER]
    assert starts == sorted(starts), "tables out of the published order"
    problems = []
    for title, rows in TABLES.items():
        i = list(TABLES).index(title)
        nxt = ORDER[ORDER.index(title) + 1]
        part = body[body.index(title):body.index(nxt)] if i < len(TABLES) else body[body.index(title):]
        lines = part.splitlines()
        for key, _, figures in rows:
            pattern = re.compile(rf"(^|\s){re.escape(key)}(\s|$)")
            hits = [ln for ln in lines if pattern.search(ln)]
            if not hits:
                problems.append(f"{title}: no line {key}")
                continue
            line = hits[0]
            rest = line[pattern.search(line).end() - 1:]
            amounts = re.findall(r"\d[\d,]*\.\d\d", rest)
            wanted = [figures[c] for c in sorted(figures)]
            it = iter(amounts)
            if not all(any(a == w for a in it) for w in wanted):
                problems.append(f"{title} {key}: {wanted} not in {amounts}")
    three = body[body.index(THREE_PUBLIC[0]):body.index(ORDER[ORDER.index(THREE_PUBLIC[0]) + 1])]
    assert re.search(r"13\.85\s+0\.00\s+13\.55\s+0\.00\s+13\.55\s+0\.30", three), three
    assert not problems, "\n".join(problems)


def test_empty_key_funds_table_says_why_and_zero_cells_are_blank(built: tuple[Path, Path]) -> None:
    text = _pdf_text(built[0])
    assert "主管无市级财力安排的重点专项资金，故此表无数据" in text
    book = load_workbook(built[1], data_only=True)
    ws = next(w for w in book.worksheets if w.cell(1, 1).value == "2026年部门收支总体情况表")
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "三、国有资本经营预算资金")
    assert row[1] in (None, "", 0)  # blank in the PDF (zero: "")


def test_totals_sentences_are_worded_as_published(built: tuple[Path, Path]) -> None:
    text = re.sub(r"\s+", "", _pdf_text(built[0]))
    assert ("（一）收入预算：2026年年初预算数14,770.62万元，其中：一般公共预算拨款12,672.73万元，"
            "政府性基金预算拨款579.89万元，事业收入资金388万元，其他收入资金1,130万元。"
            "收入比2025年增加2,515.39万元，主要是一般公共预算拨款增加552.5万元，政府性基金预算资金增加579.89万元，"
            "事业收入资金增加388万元，其他收入资金增加995万元。") in text
    # published 住房保障支出 56.53 (its parts make 56.52, see the table figures above)
    assert ("（二）支出预算：2026年年初预算数14,770.62万元，其中：社会保障和就业支出120.17万元，"
            "卫生健康支出40.68万元，农林水支出579.89万元，自然资源海洋气象等支出13,873.36万元，"
            "住房保障支出56.52万元，灾害防治及应急管理支出100万元；支出比2025年增加2,515.39万元，"
            "主要是基本支出增加1,252.5万元，项目支出增加1,262.89万元。") in text


def test_three_public_sentence_compares_each_item_as_published(built: tuple[Path, Path]) -> None:
    text = re.sub(r"\s+", "", _pdf_text(built[0]))
    # the publication's first words "2025年“三公”经费预算" are a slip for 2026 (its 表八)
    assert ("2026年“三公”经费预算13.85万元，比2025年减少5.45万元。"
            "其中：因公出国（境）费用0万元，比2025年减少5万元") in text
    assert "公务接待费0.3万元，与上年持平；公务用车运行维护费13.55万元，比2025年减少0.45万元" in text
    assert "公务用车购置费0万元，与上年持平。" in text
    # the publication gives no reason for the 公务用车运行维护费 decrease: none is printed
    assert "比2025年减少0.45万元；" in text
    assert "国有资本经营预算财政拨款支出" not in text
