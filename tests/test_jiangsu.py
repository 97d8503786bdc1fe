"""The 江苏 layout (苏州、无锡市级) against its three published documents, figure by figure.

Each sample in `data/jiangsu-*.yaml` is built once; its workbook is read with openpyxl and its
PDF with `pdftotext -layout`. Every amount of the published 公开01表–公开13表 is listed below
(as printed, in 万元) with its table and row (the row's code, label, or 采购品目名称; rows are
found in order, so a repeated name is the next one) and its column, counted among the columns
the published 合计 row fills (0 = the first of them). Each must be found in the same table,
row and column of the workbook, and on the same line of that table in the PDF.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from budgetreport.publish.build import Built, build
from conftest import DATA, Generated

Rows = list[tuple[str, dict[int, str]]]
PAIRED = ("收支总表", "财政拨款收支总表")
THREE_PUBLIC = "一般公共预算“三公”经费、会议费、培训费支出表"
EMPTY_NOTE = "故本表无数据"

SJJ: dict[str, Rows] = {
    '收支总表': [
        ('一、一般公共预算拨款收入', {0: '4,651.67'}),
        ('一、一般公共服务支出', {0: '2,906.63'}),
        ('八、社会保障和就业支出', {0: '442.09'}),
        ('二十、住房保障支出', {0: '1,302.95'}),
        ('本年收入合计', {0: '4,651.67'}),
        ('本年支出合计', {0: '4,651.67'}),
        ('收入总计', {0: '4,651.67'}),
        ('支出总计', {0: '4,651.67'}),
    ],
    '收入总表': [
        ('合计', {0: '4,651.67', 1: '4,651.67', 2: '4,651.67'}),
        ('024', {0: '4,651.67', 1: '4,651.67', 2: '4,651.67'}),
        ('024001', {0: '4,651.67', 1: '4,651.67', 2: '4,651.67'}),
    ],
    '支出总表': [
        ('合计', {0: '4,651.67', 1: '4,312.17', 2: '339.50'}),
        ('201', {0: '2,906.63', 1: '2,567.13', 2: '339.50'}),
        ('20108', {0: '2,906.63', 1: '2,567.13', 2: '339.50'}),
        ('2010801', {0: '2,342.00', 1: '2,342.00'}),
        ('2010802', {0: '339.50', 2: '339.50'}),
        ('2010850', {0: '225.13', 1: '225.13'}),
        ('208', {0: '442.09', 1: '442.09'}),
        ('20805', {0: '442.09', 1: '442.09'}),
        ('2080505', {0: '298.72', 1: '298.72'}),
        ('2080506', {0: '143.37', 1: '143.37'}),
        ('221', {0: '1,302.95', 1: '1,302.95'}),
        ('22102', {0: '1,302.95', 1: '1,302.95'}),
        ('2210201', {0: '345.48', 1: '345.48'}),
        ('2210202', {0: '555.50', 1: '555.50'}),
        ('2210203', {0: '401.97', 1: '401.97'}),
    ],
    '财政拨款收支总表': [
        ('一、本年收入', {0: '4,651.67'}),
        ('一、本年支出', {0: '4,651.67'}),
        ('（一）一般公共预算拨款', {0: '4,651.67'}),
        ('（一）一般公共服务支出', {0: '2,906.63'}),
        ('（八）社会保障和就业支出', {0: '442.09'}),
        ('（二十）住房保障支出', {0: '1,302.95'}),
        ('收入总计', {0: '4,651.67'}),
        ('支出总计', {0: '4,651.67'}),
    ],
    '财政拨款支出表（功能科目）': [
        ('合计', {0: '4,651.67', 1: '4,312.17', 2: '3,916.57', 3: '395.60', 4: '339.50'}),
        ('201', {0: '2,906.63', 1: '2,567.13', 2: '2,171.53', 3: '395.60', 4: '339.50'}),
        ('20108', {0: '2,906.63', 1: '2,567.13', 2: '2,171.53', 3: '395.60', 4: '339.50'}),
        ('2010801', {0: '2,342.00', 1: '2,342.00', 2: '1,946.40', 3: '395.60'}),
        ('2010802', {0: '339.50', 4: '339.50'}),
        ('2010850', {0: '225.13', 1: '225.13', 2: '225.13'}),
        ('208', {0: '442.09', 1: '442.09', 2: '442.09'}),
        ('20805', {0: '442.09', 1: '442.09', 2: '442.09'}),
        ('2080505', {0: '298.72', 1: '298.72', 2: '298.72'}),
        ('2080506', {0: '143.37', 1: '143.37', 2: '143.37'}),
        ('221', {0: '1,302.95', 1: '1,302.95', 2: '1,302.95'}),
        ('22102', {0: '1,302.95', 1: '1,302.95', 2: '1,302.95'}),
        ('2210201', {0: '345.48', 1: '345.48', 2: '345.48'}),
        ('2210202', {0: '555.50', 1: '555.50', 2: '555.50'}),
        ('2210203', {0: '401.97', 1: '401.97', 2: '401.97'}),
    ],
    '财政拨款基本支出表（经济科目）': [
        ('合计', {0: '4,312.17', 1: '3,916.57', 2: '395.60'}),
        ('301', {0: '3,584.70', 1: '3,584.70'}),
        ('30101', {0: '469.17', 1: '469.17'}),
        ('30102', {0: '1,300.77', 1: '1,300.77'}),
        ('30103', {0: '524.32', 1: '524.32'}),
        ('30107', {0: '201.35', 1: '201.35'}),
        ('30108', {0: '298.72', 1: '298.72'}),
        ('30109', {0: '143.37', 1: '143.37'}),
        ('30110', {0: '91.55', 1: '91.55'}),
        ('30111', {0: '5.52', 1: '5.52'}),
        ('30112', {0: '78.56', 1: '78.56'}),
        ('30113', {0: '345.48', 1: '345.48'}),
        ('30199', {0: '125.89', 1: '125.89'}),
        ('302', {0: '395.60', 2: '395.60'}),
        ('30201', {0: '29.00', 2: '29.00'}),
        ('30202', {0: '5.00', 2: '5.00'}),
        ('30205', {0: '0.50', 2: '0.50'}),
        ('30206', {0: '1.50', 2: '1.50'}),
        ('30207', {0: '17.00', 2: '17.00'}),
        ('30211', {0: '76.45', 2: '76.45'}),
        ('30215', {0: '10.00', 2: '10.00'}),
        ('30217', {0: '10.00', 2: '10.00'}),
        ('30228', {0: '53.00', 2: '53.00'}),
        ('30239', {0: '65.52', 2: '65.52'}),
        ('30240', {0: '44.79', 2: '44.79'}),
        ('30299', {0: '82.84', 2: '82.84'}),
        ('303', {0: '331.87', 1: '331.87'}),
        ('30302', {0: '315.52', 1: '315.52'}),
        ('30305', {0: '7.20', 1: '7.20'}),
        ('30309', {0: '0.15', 1: '0.15'}),
        ('30399', {0: '9.00', 1: '9.00'}),
    ],
    '一般公共预算支出表': [
        ('合计', {0: '4,651.67', 1: '4,312.17', 2: '3,916.57', 3: '395.60', 4: '339.50'}),
        ('201', {0: '2,906.63', 1: '2,567.13', 2: '2,171.53', 3: '395.60', 4: '339.50'}),
        ('20108', {0: '2,906.63', 1: '2,567.13', 2: '2,171.53', 3: '395.60', 4: '339.50'}),
        ('2010801', {0: '2,342.00', 1: '2,342.00', 2: '1,946.40', 3: '395.60'}),
        ('2010802', {0: '339.50', 4: '339.50'}),
        ('2010850', {0: '225.13', 1: '225.13', 2: '225.13'}),
        ('208', {0: '442.09', 1: '442.09', 2: '442.09'}),
        ('20805', {0: '442.09', 1: '442.09', 2: '442.09'}),
        ('2080505', {0: '298.72', 1: '298.72', 2: '298.72'}),
        ('2080506', {0: '143.37', 1: '143.37', 2: '143.37'}),
        ('221', {0: '1,302.95', 1: '1,302.95', 2: '1,302.95'}),
        ('22102', {0: '1,302.95', 1: '1,302.95', 2: '1,302.95'}),
        ('2210201', {0: '345.48', 1: '345.48', 2: '345.48'}),
        ('2210202', {0: '555.50', 1: '555.50', 2: '555.50'}),
        ('2210203', {0: '401.97', 1: '401.97', 2: '401.97'}),
    ],
    '一般公共预算基本支出表': [
        ('合计', {0: '4,312.17', 1: '3,916.57', 2: '395.60'}),
        ('301', {0: '3,584.70', 1: '3,584.70'}),
        ('30101', {0: '469.17', 1: '469.17'}),
        ('30102', {0: '1,300.77', 1: '1,300.77'}),
        ('30103', {0: '524.32', 1: '524.32'}),
        ('30107', {0: '201.35', 1: '201.35'}),
        ('30108', {0: '298.72', 1: '298.72'}),
        ('30109', {0: '143.37', 1: '143.37'}),
        ('30110', {0: '91.55', 1: '91.55'}),
        ('30111', {0: '5.52', 1: '5.52'}),
        ('30112', {0: '78.56', 1: '78.56'}),
        ('30113', {0: '345.48', 1: '345.48'}),
        ('30199', {0: '125.89', 1: '125.89'}),
        ('302', {0: '395.60', 2: '395.60'}),
        ('30201', {0: '29.00', 2: '29.00'}),
        ('30202', {0: '5.00', 2: '5.00'}),
        ('30205', {0: '0.50', 2: '0.50'}),
        ('30206', {0: '1.50', 2: '1.50'}),
        ('30207', {0: '17.00', 2: '17.00'}),
        ('30211', {0: '76.45', 2: '76.45'}),
        ('30215', {0: '10.00', 2: '10.00'}),
        ('30217', {0: '10.00', 2: '10.00'}),
        ('30228', {0: '53.00', 2: '53.00'}),
        ('30239', {0: '65.52', 2: '65.52'}),
        ('30240', {0: '44.79', 2: '44.79'}),
        ('30299', {0: '82.84', 2: '82.84'}),
        ('303', {0: '331.87', 1: '331.87'}),
        ('30302', {0: '315.52', 1: '315.52'}),
        ('30305', {0: '7.20', 1: '7.20'}),
        ('30309', {0: '0.15', 1: '0.15'}),
        ('30399', {0: '9.00', 1: '9.00'}),
    ],
    '一般公共预算“三公”经费、会议费、培训费支出表': [
        ('10.00', {0: '10.00', 1: '0.00', 2: '0.00', 3: '0.00', 4: '0.00', 5: '10.00', 6: '10.00', 7: '43.00'}),
    ],
    '政府性基金预算支出表': [
    ],
    '国有资本经营预算支出预算表': [
    ],
    '一般公共预算机关运行经费支出预算表': [
        ('合计', {0: '395.60'}),
        ('302', {0: '395.60'}),
        ('30201', {0: '29.00'}),
        ('30202', {0: '5.00'}),
        ('30205', {0: '0.50'}),
        ('30206', {0: '1.50'}),
        ('30207', {0: '17.00'}),
        ('30211', {0: '76.45'}),
        ('30215', {0: '10.00'}),
        ('30217', {0: '10.00'}),
        ('30228', {0: '53.00'}),
        ('30239', {0: '65.52'}),
        ('30240', {0: '44.79'}),
        ('30299', {0: '82.84'}),
    ],
    '政府采购支出表': [
        ('合计', {0: '188.50', 1: '188.50'}),
        ('货物', {0: '5.50', 1: '5.50'}),
        ('苏州市审计局', {0: '5.50', 1: '5.50'}),
        ('复印纸', {0: '1.30', 1: '1.30'}),
        ('便携式计算机', {0: '4.20', 1: '4.20'}),
        ('服务', {0: '183.00', 1: '183.00'}),
        ('苏州市审计局', {0: '183.00', 1: '183.00'}),
        ('物业管理服务', {0: '13.00', 1: '13.00'}),
        ('审计服务', {0: '170.00', 1: '170.00'}),
    ],
}

SAMPLES: dict[str, dict[str, Rows]] = {"jiangsu-suzhou-sjj-2026.yaml": SJJ}


@pytest.fixture(scope="module", params=list(SAMPLES))
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Generated]:
    out = tmp_path_factory.mktemp("jiangsu")
    built: Built = build(DATA / request.param, out)
    return request.param, Generated(built)


def _number(v: object) -> Decimal | None:
    return None if v in (None, "") else Decimal(str(v).replace(",", ""))


def _numeric(row: tuple[object, ...]) -> list[int]:
    return [j for j, v in enumerate(row) if isinstance(v, int | float | Decimal)]


def _filled(row: tuple[object, ...]) -> list[int]:
    """The columns with a figure that prints (a zero prints blank in these tables)."""
    return [j for j in _numeric(row) if row[j]]


def test_workbook_has_every_published_figure_in_its_table_row_and_column(generated: tuple[str, Generated]) -> None:
    name, g = generated
    sheets = g.sheets
    assert list(SAMPLES[name]) == [t for t, _ in g.all_sheets], "tables out of the published order"
    missing = []
    for title, rows in SAMPLES[name].items():
        grid = sheets[title]
        if title == THREE_PUBLIC:
            [values] = [r for r in grid if _numeric(r)]
            got = [values[j] for j in _numeric(values)]
            want = rows[0][1]
            if [_number(v) for v in got] != [_number(want[k]) for k in sorted(want)]:
                missing.append(f"{title}: {got} ≠ {want}")
            continue
        if title in PAIRED:
            for key, figures in rows:
                hit = [r[j + 1] for r in grid for j, v in enumerate(r[:-1]) if v == key]
                if not hit or _number(hit[0]) != _number(figures[0]):
                    missing.append(f"{title} {key}: {hit} ≠ {figures[0]}")
            continue
        if not rows:  # an empty table: its 合计 row, blank, and the note under it
            assert any(r[0] == "合计" and not _filled(r) for r in grid), title
            assert any(EMPTY_NOTE in str(r[0] or "") for r in grid), title
            continue
        at = next(i for i, r in enumerate(grid) if r[0] == "合计")  # the body starts at its 合计 row
        columns = _filled(grid[at])
        for key, figures in rows:
            found = next((i for i in range(at, len(grid)) if key in (str(v) for v in grid[i] if v is not None)), None)
            if found is None:
                missing.append(f"{title}: no row {key}")
                continue
            at = found + 1
            row = grid[found]
            for k, printed in figures.items():
                if k >= len(columns) or _number(row[columns[k]]) != _number(printed):
                    missing.append(f"{title} {key} column {k}: {row} ≠ {printed}")
            extra = set(_filled(row)) - {columns[k] for k in figures if k < len(columns)}
            if extra:
                missing.append(f"{title} {key}: figures the publication does not print in columns {sorted(extra)}")
    assert not missing, "\n".join(missing)


def test_pdf_prints_every_published_figure_on_its_row(generated: tuple[str, Generated]) -> None:
    name, g = generated
    text = g.text
    titles = list(SAMPLES[name])
    body = text[text.index("公开01表"):]
    starts = [body.index(t) for t in titles]
    assert starts == sorted(starts), "tables out of the published order"
    problems = []
    for i, title in enumerate(titles):
        part = body[starts[i]:starts[i + 1] if i + 1 < len(titles) else len(body)]
        lines = part.splitlines()
        at = 0
        for key, figures in SAMPLES[name][title]:
            wanted = [figures[k] for k in sorted(figures)]
            if title == THREE_PUBLIC:
                assert re.search(r"\s+".join(map(re.escape, wanted)), part), (title, wanted)
                continue
            pattern = re.compile(rf"(^|\s){re.escape(key)}(\s|$)")
            hit = next((n for n in range(0 if title in PAIRED else at, len(lines))
                        if pattern.search(lines[n]) and re.search(r"\d\.\d\d", lines[n])), None)
            if hit is None:
                problems.append(f"{title}: no line {key}")
                continue
            at = hit + 1
            line = lines[hit]
            rest = line[pattern.search(line).end() - 1:]
            amounts = iter(re.findall(r"\d[\d,]*\.\d\d", rest))
            if not all(any(a == w for a in amounts) for w in wanted):
                problems.append(f"{title} {key}: {wanted} not in {line!r}")
        if not SAMPLES[name][title]:
            assert EMPTY_NOTE in re.sub(r"\s+", "", part), title
    assert not problems, "\n".join(problems)
