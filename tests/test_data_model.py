"""The data model fits what departments publish: optional figures are left out (not zero),
机关运行经费 follows the region's definition, per-项 comparisons, amounts in 元, the 部门/单位
switch, and one way to write settings text (placeholders checked with file:line)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from ruamel.yaml import YAML

from budgetreport.checks.validate import check_file
from budgetreport.common.problems import Severity
from budgetreport.compute.figures import Figures, compute
from budgetreport.inputs.load import read
from budgetreport.layout.render import render_html
from budgetreport.layout.tables import Table, build_tables
from budgetreport.publish.excel import write_workbook
from conftest import DATA, in_yuan, line_of

D = Decimal
X, S = "xiamen-2022.yaml", "shangrao-2022.yaml"


def write_data(data: dict[str, Any], path: Path) -> Path:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.representer.add_representer(Decimal, lambda r, d: r.represent_scalar(
        "tag:yaml.org,2002:float", f"{d:f}" if "." in f"{d:f}" else f"{d:f}.0"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    return path


def sample_data(name: str) -> dict[str, Any]:
    return read(DATA / name).data  # type: ignore[no-any-return]


def line(data: dict[str, Any], code: str) -> dict[str, Any]:
    [x] = [x for x in data["spending"] if x["code"] == code]
    return x  # type: ignore[no-any-return]


def built(path: Path, **settings: Any) -> tuple[str, list[Table], Figures]:
    """Plain text of the rendered document (tags and white space removed), its tables and
    figures; `settings` override the region's."""
    checked = check_file(path)
    assert not checked.errors(), "\n".join(map(str, checked.errors()))
    assert checked.budget is not None and checked.region is not None
    assert checked.resolved is not None
    resolved = replace(checked.resolved, region=replace(checked.region, settings={**checked.region.settings,
                                                                                  **settings}))
    f = compute(checked.budget, resolved)
    tables = build_tables(f, resolved)
    html = render_html(f, resolved, tables)
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html)), tables, f


# --- optional figures ------------------------------------------------------------------


def test_figures_not_given_are_left_out(tmp_path: Path) -> None:
    d = sample_data(X)
    unit = d["overview"]["units"][0]
    del unit["authorized"], unit["active"], d["overview"]["staff_as_of"]
    del d["performance"], d["running_costs"]["prior"], d["running_costs"]["reason"]
    big = line(d, "2210302")  # 基本支出 given without its 人员/公用 split
    big["basic"] = big.pop("personnel") + big.pop("public")
    path = write_data(d, tmp_path / "xiamen-2022.yaml")
    checked = check_file(path)
    assert checked.errors() == []
    text, tables, f = built(path)
    assert "人员编制数" not in text and "在职人数" not in text and "实有在职人数" not in text
    assert "dept_performance" not in [t.key for t in tables]  # no invented goals
    assert [t.number for t in tables] == ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
    general = next(t for t in tables if t.key == "general")
    assert [h.text for h in general.header] == ["科目编码", "科目名称", "合计", "基本支出", "项目支出"]
    assert "1.基本支出2303.83万元；2." in text and "其中，人员支出" not in text
    # 机关运行经费: this year's figure (302) stated, no comparison with an unknown last year
    assert f.running_costs is not None and f.running_costs.change is None
    assert "机关运行经费财政拨款预算381.21万元。" in text
    assert "2021年预算增加" not in text


def test_blank_optional_amount_is_reported_at_its_line(tmp_path: Path) -> None:
    """`personnel:` left empty is not "not given": the officer is told to fill or delete it."""
    text = (DATA / X).read_text(encoding="utf-8").replace("    personnel: 23.67\n", "    personnel:\n", 1)
    path = tmp_path / X
    path.write_text(text, encoding="utf-8")
    [p] = check_file(path).errors()
    assert (p.code, p.line) == ("E100", line_of(path, "    personnel:", exact=True))
    assert "未填写" in p.message


def test_running_costs_follow_the_region_definition() -> None:
    checked = check_file(DATA / S)
    assert checked.budget is not None and checked.region is not None
    assert checked.resolved is not None
    assert compute(checked.budget, checked.resolved).running_costs.amount == D("712.23")  # type: ignore[union-attr]
    wider = replace(checked.region, settings={**checked.region.settings,
                                              "running_costs_classes": ["302", "310"]})
    assert compute(checked.budget, replace(checked.resolved, region=wider)).running_costs.amount == D("714.94")  # type: ignore[union-attr]


def test_running_costs_given_without_economic_table(tmp_path: Path) -> None:
    d = sample_data(X)
    d["running_costs"]["amount"] = D("381.21")
    path = write_data(d, tmp_path / X)
    assert check_file(path).errors() == []
    d["running_costs"]["amount"] = D("381.22")
    [p] = check_file(write_data(d, tmp_path / X)).errors()
    assert p.code == "R304" and "381.22" in p.message and "381.21" in p.message


# --- per-项 comparison -----------------------------------------------------------------


def _with_line_priors(tmp_path: Path) -> Path:
    d = sample_data(X)
    line(d, "2080501")["prior"] = D("23.67")                      # no change
    line(d, "2080505")["prior"] = D("0")                          # from nothing, no reason
    line(d, "2101101").update(prior=D("40"), reason="参保人数增加")  # +10.95%
    line(d, "2101103").update(prior=D("21.00"), prior_kind="预算")  # +0.62%, no reason needed
    return write_data(d, tmp_path / X)


def test_line_changes_printed_when_the_region_says_so(tmp_path: Path) -> None:
    path = _with_line_priors(tmp_path)
    text, _, _ = built(path, line_changes=True)
    assert "2021年预算执行数为23.67万元，2022年预算安排23.67万元，与2021年预算执行数持平。" in text
    zero = "2021年预算执行数为0.00万元，2022年预算安排99.06万元，比2021年预算执行数增加99.06万元。"
    assert zero in text
    after = text.split(zero, 1)[1].split("（", 1)[0]
    assert "100" not in after and "主要原因是" not in after
    assert "2021年预算执行数为40.00万元，2022年预算安排44.38万元，比2021年预算执行数增加10.95%。" \
           "主要原因是：参保人数增加。" in text
    assert "2021年预算为21.00万元，2022年预算安排21.13万元，比2021年预算增加0.62%。" in text
    quiet, _, _ = built(path)  # base: off unless set
    assert "预算执行数" not in quiet


def test_large_change_without_reason_is_named(tmp_path: Path) -> None:
    path = _with_line_priors(tmp_path)
    [w] = [p for p in check_file(path).problems if p.code == "R213"]
    assert w.severity is Severity.warning and "2080505" in w.message
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[w.line - 1].strip().startswith("prior:")  # located at the 项's prior
    assert any("2080505" in x for x in lines[w.line - 8:w.line])


# --- amounts in 元 ----------------------------------------------------------------------


def test_yuan_tables_whole_and_with_fen(tmp_path: Path) -> None:
    path = tmp_path / X
    in_yuan(X, path)
    text, tables, _ = built(path, table_unit="元")
    assert "2735.83万元" in text                          # sentences stay in 万元
    assert "27,358,300" in text and "27,358,300.00" not in text  # whole 元: no decimals
    d = read(path).data
    d["income"]["general_budget"] += D("0.05")            # 5 分, checked exactly in 元
    line(d, "2210302")["project"] += D("0.05")
    path = write_data(d, tmp_path / "fen" / X)
    text, tables, _ = built(path, table_unit="元", table_units={"three_public": "万元"})
    assert "27,358,300.05" in text and "2735.83万元" in text
    summary = next(t for t in tables if t.key == "summary")
    assert summary.unit == "元" and summary.display.places == 2
    assert next(t for t in tables if t.key == "three_public").unit == "万元"
    book = tmp_path / "b.xlsx"
    write_workbook(tables, book, title="t", creator="c", created=dt.datetime(2022, 2, 15))
    ws = load_workbook(book)[summary.title]
    cells = [c for row in ws.iter_rows() for c in row if c.value == 27358300.05]
    assert cells and cells[0].number_format == "#,##0.00"
    assert ws["A2"].value.startswith("编制单位：") and ws.cell(2, ws.max_column).value == "单位：元"


def test_fen_break_no_identity(tmp_path: Path) -> None:
    """A one-分 imbalance in 元 is an error: rules check the file's own figures exactly."""
    path = tmp_path / X
    in_yuan(X, path)
    d = read(path).data
    d["income"]["general_budget"] += D("0.01")
    errors = check_file(write_data(d, tmp_path / "bad" / X)).errors()
    assert {p.code for p in errors} == {"R201", "R202"}  # total and by source
    assert all("27,358,300.01" in p.message for p in errors)


# --- 部门预算 / 单位预算 ----------------------------------------------------------------------


def test_unit_budget_wording(tmp_path: Path) -> None:
    d = sample_data(X)
    d["department"]["scope"] = "单位预算"
    path = write_data(d, tmp_path / X)
    text, tables, _ = built(path, prepared_label="编制{org}")
    assert "2022年单位预算" in text and "2022年部门预算" not in text
    assert "厦门市住房公积金中心单位2022年收入预算" in text
    assert tables[0].title == "单位收支预算总体情况表" and tables[0].prepared_label == "编制单位"
    assert "第一部分单位概况" in text
    gov_fund = next(t for t in tables if t.key == "gov_fund")
    assert gov_fund.empty_note == "本单位2022年没有使用政府性基金预算拨款安排的支出，故本表无数据。"
    _, tables, _ = built(DATA / X, prepared_label="编制{org}")
    assert tables[0].prepared_label == "编制部门"


# --- settings text ------------------------------------------------------------------------


def test_empty_note_appears_once() -> None:
    text, tables, _ = built(DATA / X)
    note = next(t for t in tables if t.key == "gov_fund").empty_note
    assert note and text.count(note) == 1
    below, _, _ = built(DATA / X, empty_note_position="below")
    assert below.count(note) == 1 and f"注：{note}" in below


@pytest.fixture
def fujian_titles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace whose fujian region.yaml rewords one table title (written by the test)."""
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    settings = tmp_path / "templates" / "regions" / "fujian" / "region.yaml"
    settings.parent.mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return settings


def test_unknown_placeholder_fails_check_with_its_line(fujian_titles: Path) -> None:
    fujian_titles.write_text('# 工作区\ntable_titles:\n  income: "{years}收入预算总体情况表"\n',
                             encoding="utf-8")
    problems = [p for p in check_file(DATA / X).errors() if p.code == "E820"]
    assert [(Path(p.file).resolve(), p.line) for p in problems] == [(fujian_titles.resolve(), 3)]
    assert "{years}" in problems[0].message and "{prior_year}" in problems[0].message
    fujian_titles.write_text('table_titles:\n  income: "{year收入预算总体情况表"\n', encoding="utf-8")
    [p] = [p for p in check_file(DATA / X).errors() if p.code == "E820"]
    assert p.line == 2 and "花括号" in p.message


def test_every_settings_text_uses_the_same_placeholders(fujian_titles: Path) -> None:
    """{prior_year} works in a table title as in a part title (one function fills both)."""
    fujian_titles.write_text('table_titles:\n  income: "{year}年{org}收入预算总体情况表（上年为{prior_year}年）"\n'
                             'part_titles:\n  tables: "{name}{year}年{org}预算附表"\n', encoding="utf-8")
    assert not [p for p in check_file(DATA / X).errors() if p.code == "E820"]
    text, tables, _ = built(DATA / X)
    assert tables[1].title == "2022年部门收入预算总体情况表（上年为2021年）"
    assert "第四部分厦门市住房公积金中心2022年部门预算附表" in text
