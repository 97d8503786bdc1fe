"""The declared 附表 hold the samples to their reviewed output: every table of the seven
samples — titles, numbering, header merges, column widths, every cell and declared sum — is
compared with `snapshots/tables/<sample>.json`.

Regenerate after a deliberate change, then review the diff before committing:
    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_declared_tables.py
"""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from budgetreport.checks.validate import check_file
from budgetreport.common.money import table_amount
from budgetreport.compute.figures import compute
from budgetreport.inputs.declared import load_tables
from budgetreport.inputs.region import declaration_problems
from budgetreport.layout.printed import mismatches
from budgetreport.layout.tables import BODY_PT, DIGIT, PAGE_CHARS, build_tables
from conftest import DATA
from table_dump import dumps, tables_json

SNAPSHOTS = Path(__file__).parent / "snapshots" / "tables"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
SAMPLES = sorted(p.name for p in DATA.glob("*.yaml"))


def test_every_sample_has_its_snapshot() -> None:
    """The seven samples of today and every region's sample added since (a new sample records
    its snapshot with UPDATE_SNAPSHOTS=1 and has it reviewed)."""
    assert len(SAMPLES) >= 7
    assert {s.removesuffix(".yaml") for s in SAMPLES} == {p.stem for p in SNAPSHOTS.glob("*.json")}


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_tables_match_snapshot(sample: str) -> None:
    snapshot = SNAPSHOTS / sample.replace(".yaml", ".json")
    text = dumps(tables_json(DATA / sample))
    if UPDATE:
        snapshot.write_text(text, encoding="utf-8")
        pytest.skip(f"快照已重写：{snapshot}，请审阅 git diff")
    assert snapshot.is_file(), f"没有快照 {snapshot}"
    expected = snapshot.read_text(encoding="utf-8").splitlines()
    actual = text.splitlines()
    for i, (a, e) in enumerate(zip(actual, expected, strict=False), 1):
        assert a == e, f"{snapshot.name} 第{i}行不同"
    assert len(actual) == len(expected)


# --- declarations: validated where written, drawn by the one engine -------------------------

def _declare(tmp_path: Path, key: str, text: str) -> tuple[dict, list]:
    folder = tmp_path / "region"
    (folder / "tables").mkdir(parents=True, exist_ok=True)
    (folder / "tables" / f"{key}.yaml").write_text(text, encoding="utf-8")
    return load_tables((folder,), declaration_problems)


def test_an_unknown_key_measure_or_row_source_is_an_error_at_its_line(tmp_path: Path) -> None:
    specs, problems = _declare(tmp_path, "mine", (
        "title: 我的表\n"
        "colums: []\n"
        "columns:\n"
        "  - {label: 科目名称, text: name}\n"
        "  - {label: 合计, measure: totl}\n"
        "rows: {source: functionl}\n"))
    found = {(p.line, p.code) for p in problems}
    assert (2, "E822") in found  # colums
    assert (5, "E822") in found  # totl
    assert (6, "E822") in found  # functionl
    assert "mine" not in specs
    words = " ".join(p.message for p in problems)
    assert "未知的键“colums”" in words and "未知的度量“totl”" in words and "未知的行来源“functionl”" in words
    assert all(p.file.endswith("mine.yaml") for p in problems)


def test_an_unknown_placeholder_in_a_declaration_is_an_error_at_its_line(tmp_path: Path) -> None:
    _, problems = _declare(tmp_path, "mine", "columns: [{label: 合计, measure: total}]\n"
                                             "rows: {source: functional}\ntitle: '{month}表'\n")
    assert [(p.line, p.code) for p in problems] == [(3, "E822")]


def test_a_more_specific_folder_overrides_a_declaration_key_by_key(tmp_path: Path) -> None:
    base, center = tmp_path / "base", tmp_path / "center"
    for folder, text in ((base, "title: 甲\ncolumns: [{label: 合计, measure: total}]\nrows: {source: functional}\n"),
                         (center, "title: 乙\n")):
        (folder / "tables").mkdir(parents=True)
        (folder / "tables" / "t.yaml").write_text(text, encoding="utf-8")
    specs, problems = load_tables((center, base))
    assert not problems and specs["t"].title == "乙" and specs["t"].rows.source == "functional"


NEW_TABLE = """\
title: "{year}年一般公共预算基本支出表（按功能分类）"
zero: "-"
empty: none_row
columns:
  - label: 功能分类科目编码
    columns:
      - {label: 类, text: 类}
      - {label: 款, text: 款}
  - {label: 科目名称, text: name, width: 14}
  - {label: 合计, measure: total}
  - {label: 人员经费, measure: personnel}
  - {label: 公用经费, measure: public}
rows: {source: functional, funds: general_budget, part: basic, levels: 2, total: last, indent: false}
"""


def test_a_new_table_kind_is_drawn_from_its_declaration_alone(tmp_path: Path) -> None:
    checked = check_file(DATA / "xiamen-2022.yaml")
    assert checked.budget is not None and checked.resolved is not None
    specs, problems = _declare(tmp_path, "basic_by_function", NEW_TABLE)
    assert not problems
    region = _with(checked, tables={**checked.resolved.region.tables, **specs},
                     settings={**checked.resolved.region.settings, "tables": ["basic_by_function", "gov_fund"],
                               "table_label": "附表{n}", "table_numbering": "arabic"})
    f = compute(checked.budget, region)
    first, second = build_tables(f, region)
    assert (first.label, first.title) == ("附表1", "2022年一般公共预算基本支出表（按功能分类）")
    assert [h.text for h in first.header][:4] == ["功能分类科目编码", "科目名称", "合计", "人员经费"]
    body, total_row = first.rows[:-1], first.rows[-1]
    assert total_row.total and total_row.cells[0] is not None and total_row.cells[0].value == "合计"
    # only 基本支出 of 一般公共预算, by 类 and 款: the 合计 is the data's 基本支出 of that source
    lines = [x for x in checked.budget.in_wan().spending if x.source.value == "general_budget"]
    assert total_row.cells[3] is not None and total_row.cells[3].value == sum(x.basic_total for x in lines)
    assert all(len(str(r.cells[0].value or "")) == 3 for r in body)
    assert all(c is None or len(c.value or "") <= 2 for r in body for c in r.cells[1:2])
    # no 项 row, and no 款 without basic spending
    assert {r.cells[1].value is None for r in body} == {True, False}
    assert not list(mismatches(first))
    # zero shown as "-"
    assert table_amount(Decimal(0), first.display) == "-"
    # 政府性基金 has nothing in Xiamen: its declared empty note
    assert not second.rows and second.empty_note and "政府性基金" in second.empty_note


def test_six_digit_wan_amounts_fit_their_columns_in_the_eleven_column_income_table() -> None:
    """万元 figures of six digits ran into the next cell of the 收入总表: the table takes a
    smaller type, and every amount column is as wide as its longest figure needs."""
    checked = check_file(DATA / "xiamen-2022.yaml")
    assert checked.budget is not None and checked.resolved is not None
    f = compute(checked.budget, checked.resolved)
    income = next(t for t in build_tables(f, checked.resolved) if t.key == "income")
    assert income.landscape and (income.type_size or BODY_PT) >= 10  # four-digit: about 5号
    wide = [t for t in build_tables(compute(_scaled(checked.budget, 100), checked.resolved), checked.resolved)
            if t.key == "income"][0]
    assert wide.type_size is not None and 7 <= wide.type_size < (income.type_size or BODY_PT)
    total_width = sum(c.width for c in wide.columns)
    for j, c in enumerate(wide.columns):
        if c.kind != "money":
            continue
        longest = max(len(table_amount(cell.value, wide.display)) for r in wide.rows
                      if (cell := r.cells[j]) is not None and isinstance(cell.value, Decimal))
        room = c.width / total_width * PAGE_CHARS[True] * BODY_PT / wide.type_size  # in its type
        assert room >= longest * DIGIT, (j, room, longest)


def _with(checked: Any, **changes: Any) -> Any:
    """The checked file's resolved region with other table declarations or settings."""
    return replace(checked.resolved, region=replace(checked.resolved.region, **changes))


def _scaled(budget: Any, factor: int) -> Any:
    """The budget with every amount `factor` times larger (the figures still agree)."""
    data = budget.model_dump()

    def grow(v: Any) -> Any:
        if isinstance(v, Decimal):
            return v * factor
        if isinstance(v, dict):
            return {k: grow(x) for k, x in v.items()}
        if isinstance(v, list):
            return [grow(x) for x in v]
        return v
    return type(budget).model_validate(grow(data))


VERTICAL = """\
title: “三公”经费支出表
zero: ""
min_rows: 6
columns:
  - {label: 项目, text: label, width: 16}
  - {label: "{year}年预算数", measure: current}
  - {label: "{prior_year}年预算数", measure: prior}
  - {label: 增减额, measure: change}
  - {label: 增减率, measure: change_rate, width: 6}
rows:
  source: fixed
  lines:
    - {label: 合计, figure: three_public.total, total: true}
    - {label: 因公出国（境）费, figure: three_public.abroad}
    - {label: 公务接待费, figure: three_public.reception}
    - {label: 机关运行经费, figure: running_costs}
"""


def test_fixed_rows_carry_their_own_figure_with_last_years_and_the_change(tmp_path: Path) -> None:
    checked = check_file(DATA / "xiamen-2022.yaml")
    assert checked.budget is not None and checked.resolved is not None
    specs, problems = _declare(tmp_path, "tp", VERTICAL)
    assert not problems
    region = _with(checked, tables=specs, settings={**checked.resolved.region.settings, "tables": ["tp"]})
    f = compute(checked.budget, region)
    [t] = build_tables(f, region)
    assert [h.text for h in t.header][1:3] == ["2022年预算数", "2021年预算数"]
    reception = f.three_public["reception"]
    assert reception.change is not None
    row = t.rows[2]
    assert [c.value if c else None for c in row.cells[:4]] == [
        "公务接待费", reception.amount, reception.change.prior, reception.amount - reception.change.prior]
    assert str(row.cells[4].value).endswith("%") if row.cells[4] else False
    assert t.rows[0].total and table_amount(Decimal(0), t.display) == ""
    assert len(t.rows) == 6 and all(c is not None and c.value is None for c in t.rows[-1].cells)


PER_PROJECT = """\
title: "{record}项目支出绩效目标表"
each: project
blank_rows: 1
columns:
  - {label: 一级指标, text: label, width: 9}
  - {label: 二级指标, text: label, width: 10}
  - {label: 三级指标, text: label, width: 23}
  - {label: 指标值, text: label, width: 14}
rows: {source: project_performance}
"""


def test_one_table_per_project_titled_by_its_record(tmp_path: Path) -> None:
    checked = check_file(DATA / "xiamen-2022.yaml")
    assert checked.budget is not None and checked.resolved is not None
    specs, problems = _declare(tmp_path, "per_project", PER_PROJECT)
    assert not problems
    region = _with(checked, tables=specs, settings={**checked.resolved.region.settings, "tables": ["per_project"]})
    f = compute(checked.budget, region)
    tables = build_tables(f, region)
    assert len(f.projects) > 1 and len(tables) == len(f.projects)
    assert [t.title for t in tables] == [f"{p.name}项目支出绩效目标表" for p in f.projects]
    assert len({t.key for t in tables}) == len(tables)
    for t, p in zip(tables, f.projects, strict=True):
        names = [r.cells[1].value for r in t.rows if r.cells[0] is not None and r.cells[0].value == "项目名称"]
        assert names == [p.name]
        assert all(c is None or c.value is None for c in t.rows[-1].cells)  # the blank row


RENAMED = """\
title: 一般公共预算支出表
columns:
  - {label: 科目编码, text: code}
  - {label: 科目名称, text: name}
  - {label: 合计, measure: total}
  - label: 基本支出
    columns:
      - {label: 小计, measure: basic}
      - {label: 在职人员经费, measure: personnel}
      - {label: 日常运转经费, measure: public}
  - {label: 项目支出, measure: project}
rows: {source: functional, funds: general_budget}
"""


def test_import_reads_a_declared_tables_own_header_words_as_their_measures(tmp_path: Path) -> None:
    """Headers map back to measures: words the importer never saw read as the declaration says."""
    import datetime as dt

    from budgetreport.importer.recognise import recognise
    from budgetreport.importer.workbook import read_book
    from budgetreport.publish.excel import write_workbook

    checked = check_file(DATA / "xiamen-2022.yaml")
    assert checked.budget is not None and checked.resolved is not None
    specs, problems = _declare(tmp_path, "general", RENAMED)
    assert not problems
    resolved = _with(checked, tables={**checked.resolved.region.tables, **specs})
    f = compute(checked.budget, resolved)
    out = tmp_path / "book.xlsx"
    write_workbook(build_tables(f, resolved), out, title="t", creator="t", created=dt.datetime(2022, 1, 1))
    region = resolved.region
    settings = region.filled(f.placeholders)
    without = {t.key: t for t in recognise(read_book(out), settings)[0]}
    read = {t.key: t for t in recognise(read_book(out), settings, declared=region.tables)[0]}
    assert "personnel" not in without["general"].labels  # the words alone say nothing
    assert {"personnel", "public", "basic", "project"} <= set(read["general"].labels)
    general = read["general"]
    line = next(r for r in general.rows if r.code == "2080501")
    source = next(x for x in checked.budget.spending if x.code == "2080501" and x.source.value == "general_budget")
    assert line.amounts["personnel"].value == source.personnel * 10000


def test_an_economic_table_of_data_the_file_cannot_give_is_refused(tmp_path: Path) -> None:
    _, problems = _declare(tmp_path, "eco", "title: 表\ncolumns: [{label: 合计, measure: total}]\n"
                                            "rows: {source: economic, funds: gov_fund}\n")
    assert [(p.line, p.code) for p in problems] == [(3, "E822")] and "一般公共预算基本支出" in problems[0].message


def test_the_json_schema_and_the_reference_page_name_every_word_of_the_vocabulary() -> None:
    from budgetreport.inputs.declared import (
        COLUMN_KEYS,
        FIGURES,
        LINE_KEYS,
        MEASURES,
        ROW_SOURCES,
        ROWS_KEYS,
        TABLE_KEYS,
        json_schema,
        reference,
    )

    schema = json_schema()
    assert set(schema["properties"]) == set(TABLE_KEYS)
    assert set(schema["definitions"]["column"]["properties"]) == set(COLUMN_KEYS)
    assert set(schema["definitions"]["line"]["properties"]) == set(LINE_KEYS)
    assert set(schema["properties"]["rows"]["properties"]) == set(ROWS_KEYS)
    assert set(schema["properties"]["rows"]["properties"]["source"]["enum"]) == set(ROW_SOURCES)
    page = reference()
    for word in (*TABLE_KEYS, *COLUMN_KEYS, *ROWS_KEYS, *ROW_SOURCES, *MEASURES, *FIGURES):
        assert f"`{word}`" in page, word


def test_an_empty_table_as_a_none_row_blank_rows_and_a_zero_total(tmp_path: Path) -> None:
    checked = check_file(DATA / "xiamen-2022.yaml")
    assert checked.budget is not None and checked.resolved is not None
    specs, problems = _declare(tmp_path, "gf", (
        "title: 政府性基金预算支出表\nempty: none_row\nblank_rows: 2\nzero: \"\"\n"
        "columns: [{label: 科目编码, text: code}, {label: 科目名称, text: name}, {label: 合计, measure: total}]\n"
        "rows: {source: functional, funds: gov_fund, total: last}\n"))
    assert not problems
    resolved = _with(checked, tables=specs, settings={**checked.resolved.region.settings, "tables": ["gf"]})
    f = compute(checked.budget, resolved)
    assert f.by_source["gov_fund"].empty  # Xiamen has no 政府性基金
    [t] = build_tables(f, resolved)
    first, *blank, last = t.rows
    assert first.cells[0] is not None and first.cells[0].value == "无" and len(blank) == 2
    assert last.total and last.cells[0] is not None and last.cells[0].value == "合计"
    assert last.cells[2] is not None and last.cells[2].value == 0 and t.empty_note is None
    assert table_amount(Decimal(0), t.display) == ""
