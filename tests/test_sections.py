"""Region data sections: a workspace region declares records the base model lacks (typed
fields, limits, sum rules tying them to figures the file already has); the data file fills
them; `check` reports every problem at its line with a code; templates read them as
`f.sections`; `schema` describes them for editors. No Python per region."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from budgetreport.checks.validate import check_file
from budgetreport.commands.cli import main
from budgetreport.publish.build import check_document, prepare
from conftest import DATA, line_of, replace_once, reported, run_cli

X = "xiamen-2022.yaml"
SECTIONS = """\
sections:
  procurement_items:
    title: 政府采购预算明细
    max_items: 3
    fields:
      name: {type: text, title: 采购项目, required: true, max_length: 20}
      category: {type: text, title: 采购类别, required: true, choices: [货物, 工程, 服务]}
      code: {type: code, title: 功能分类科目}
      amount: {type: money, title: 采购金额, required: true}
      count: {type: count, title: 数量, min: 1}
      signed: {type: date, title: 签订日期}
    sums:
      - field: amount
        where: {category: 货物}
        equals: procurement.goods
      - field: amount
        equals: [procurement.goods, procurement.works, procurement.services]
  meetings_training:
    title: 会议费和培训费
    records: one
    required: true
    fields:
      meeting: {type: money, title: 会议费, required: true}
      training: {type: money, title: 培训费, required: true}
    sums:
      - {field: meeting, at_most: economic:30215.public, title: 会议费在会议费科目的公用经费之内}
      - {field: [meeting, training], at_most: economic:302.public}
"""
FILLED = """\
sections:
  procurement_items:
    - {name: 办公设备, category: 货物, code: "2210201", amount: 100.12, count: 12, signed: 2022-03-01}
    - {name: 档案软件, category: 货物, amount: 23}
  meetings_training: {meeting: 2.5, training: 6}
"""


@pytest.fixture
def region(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace whose fujian region declares the two sections."""
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    settings = tmp_path / "templates" / "regions" / "fujian" / "region.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text(SECTIONS, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return settings


def data(folder: Path, sections: str = FILLED, *edits: tuple[str, str]) -> Path:
    text = (DATA / X).read_text(encoding="utf-8") + "\n" + sections
    for old, new in edits:
        text = replace_once(text, old, new)
    path = folder / X
    path.write_text(text, encoding="utf-8")
    return path


def codes(path: Path) -> set[tuple[int, str]]:
    return {(p.line, p.code) for p in check_file(path).problems}


def test_filled_sections_pass_and_reach_the_figures(region: Path) -> None:
    path = data(region.parents[3])
    checked = check_file(path)
    assert not checked.errors(), checked.errors()
    prepared = prepare(checked)
    items = prepared.figures.sections["procurement_items"]
    assert [r["name"] for r in items] == ["办公设备", "档案软件"]
    assert items[0]["amount"] == Decimal("100.12") and items[0]["count"] == 12
    assert items[0]["signed"] == dt.date(2022, 3, 1) and items[1]["signed"] is None
    assert items[0]["code"] == "2210201"
    assert prepared.figures.sections["meetings_training"] == {"meeting": Decimal("2.5"), "training": 6}


def test_money_of_a_file_in_yuan_reaches_templates_in_wan(region: Path) -> None:
    from conftest import in_yuan

    path = region.parents[3] / X
    in_yuan(X, path)
    text = path.read_text(encoding="utf-8") + ("sections:\n  procurement_items:\n"
                                               "    - {name: 办公设备, category: 货物, amount: 1231200}\n"
                                               "  meetings_training: {meeting: 25000, training: 60000}\n")
    path.write_text(text, encoding="utf-8")
    checked = check_file(path)
    assert not checked.errors(), checked.errors()
    figures = prepare(checked).figures
    assert figures.sections["procurement_items"][0]["amount"] == Decimal("123.12")
    assert figures.sections["meetings_training"]["training"] == Decimal(6)


def test_each_field_problem_at_its_line(region: Path) -> None:
    path = data(region.parents[3], FILLED.replace("category: 货物, code", "category: 物品, code")
                .replace("count: 12", "count: 0").replace("amount: 23}", "amount: 二十三, colour: red}")
                .replace("signed: 2022-03-01", "signed: 三月")
                .replace("{meeting: 2.5, training: 6}", "{meeting: 2.5}"))
    found = check_file(path).problems
    by_code = {(p.line, p.code) for p in found}
    first, second = line_of(path, "办公设备"), line_of(path, "档案软件")
    assert {(first, "E231"), (second, "E231"), (line_of(path, "meeting: 2.5"), "E231")} <= by_code
    messages = "\n".join(p.message for p in found)
    for words in ("政府采购预算明细第1条（办公设备）的采购类别应为 货物、工程、服务 之一，而不是“物品”",
                  "的数量应不小于 1", "签订日期应为日期", "第2条（档案软件）的采购金额应为金额数字",
                  "有未知字段“colour”", "会议费和培训费缺少必填字段“培训费”"):
        assert words in messages, messages
    assert not [p for p in found if p.code == "R230"]  # sums only over sound records


def test_undeclared_and_missing_sections(region: Path) -> None:
    path = data(region.parents[3], "sections:\n  procurment_items: []\n")
    found = {p.code: p for p in check_file(path).problems}
    assert found["E230"].line == line_of(path, "procurment_items")
    assert "procurement_items（政府采购预算明细）" in found["E230"].message
    assert "会议费和培训费" in found["E232"].message


def test_list_limit_and_text_limit(region: Path) -> None:
    rows = "".join(f"    - {{name: 项目{i}, category: 服务, amount: 0}}\n" for i in range(4))
    path = data(region.parents[3], "sections:\n  procurement_items:\n" + rows
                + "    - {name: 一个名称很长很长很长很长很长很长很长很长很长的项目, category: 服务, amount: 0}\n"
                + "  meetings_training: {meeting: 0, training: 0}\n")
    messages = [p.message for p in check_file(path).problems if p.code == "E231"]
    assert any("列有 5 条，超过上限 3 条" in m for m in messages), messages
    assert any("个字，超过上限 20 个字" in m for m in messages), messages


def test_sum_rules_hold_the_records_to_the_document(region: Path) -> None:
    path = data(region.parents[3], FILLED.replace("amount: 23}", "amount: 22}")
                .replace("{meeting: 2.5, training: 6}", "{meeting: 3, training: 6}"))
    found = [p for p in check_file(path).problems if p.code == "R230"]
    messages = "\n".join(p.message for p in found)
    assert len(found) == 3, messages
    assert "政府采购预算明细（采购类别为“货物”的）各条的采购金额合计 122.12万元 ≠ 政府采购" in messages
    assert "122.12万元 ≠" in messages and "123.12万元" in messages
    assert "会议费在会议费科目的公用经费之内：会议费和培训费的会议费 3万元 > 经济分类 30215 的公用经费 2.50万元" \
        in messages
    assert {p.line for p in found} <= {line_of(path, "  procurement_items:"), line_of(path, "  meetings_training:")}


def test_a_mistaken_declaration_is_reported_in_region_yaml(region: Path) -> None:
    region.write_text(SECTIONS.replace("type: count", "type: number").replace(
        "equals: procurement.goods", "equals: procurement.good").replace("max_items: 3", "max_item: 3"),
        encoding="utf-8")
    found = [p for p in check_document(data(region.parents[3])).problems if p.file.endswith("region.yaml")]
    lines = {(p.line, p.code) for p in found}
    misspelt = line_of(region, "        equals: procurement.good", exact=True)
    assert {(line_of(region, "type: number"), "E820"), (misspelt, "E820"),
            (line_of(region, "max_item:"), "E821")} <= lines, found


def test_templates_print_a_section(region: Path) -> None:
    """A region's extra sentence is a field of a section, printed by its template."""
    region.write_text(SECTIONS + "  notes:\n    title: 补充说明\n    records: one\n    fields:\n"
                      "      after_procurement: {type: text, title: 政府采购补充说明}\n", encoding="utf-8")
    parts = region.parent / "parts"
    parts.mkdir()
    (parts / "explanation.html.j2").write_text(
        '{% extends "builtin/parts/explanation.html.j2" %}\n{% block procurement %}{{ super() }}'
        "{% set n = f.sections.notes %}{% if n and n.after_procurement %}<p>{{ n.after_procurement }}</p>{% endif %}"
        "{% for r in f.sections.procurement_items %}<p>{{ r.name }}{{ r.amount|amount }}</p>{% endfor %}"
        "{% endblock %}\n", encoding="utf-8")
    path = data(region.parents[3], FILLED + "  notes: {after_procurement: 采购均按规定程序实施。}\n")
    checked = check_file(path)
    assert not checked.errors(), checked.errors()
    html = prepare(checked).html
    assert "<p>采购均按规定程序实施。</p>" in html and "<p>办公设备100.12万元</p>" in html
    # Without the note, nothing is printed.
    html = prepare(check_file(data(region.parents[3]))).html
    assert "采购均按规定程序实施" not in html and "<p>档案软件23.00万元</p>" in html


def test_schema_describes_the_declared_sections(region: Path) -> None:
    result = run_cli("schema")
    assert result.exit_code == 0, result.output
    sections = json.loads(result.output)["properties"]["sections"]
    # a name a built-in region declares too (Chongqing's procurement_items) accepts either shape
    shapes = sections["properties"]["procurement_items"].get("anyOf", [sections["properties"]["procurement_items"]])
    items = next(s for s in shapes if s.get("maxItems") == 3)
    assert items["type"] == "array"
    assert items["items"]["required"] == ["name", "category", "amount"]
    assert items["items"]["properties"]["category"]["enum"] == ["货物", "工程", "服务"]
    assert items["items"]["additionalProperties"] is False
    one = sections["properties"]["meetings_training"]
    assert one["type"] == "object" and one["properties"]["meeting"]["type"] == "number"
    assert sections["additionalProperties"] is False


def test_check_command_reports_sections_in_chinese(region: Path) -> None:
    path = data(region.parents[3], FILLED.replace("amount: 23}", "amount: 22}"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert {(r.line, r.code) for r in reported(result.output)} >= {(line_of(path, "  procurement_items:"), "R230")}


def test_new_names_the_regions_sections(region: Path) -> None:
    """`new --region` writes the declared sections: a required one to fill in (its optional
    fields commented out), an optional one commented out; check then asks for each blank."""
    out = region.parents[3] / "quanzhou-2023.yaml"
    result = run_cli("new", "--region", "fujian", "--name", "泉州市住房公积金中心", "--year", "2023", "-o", out)
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "  meetings_training:  # 会议费和培训费（一条记录）" in text
    assert "    meeting:  # 会议费（金额，必填）" in text
    assert "  # procurement_items:  # 政府采购预算明细（多条记录，每条以“- ”开头）" in text
    assert "    # - name:  # 采购项目（文字，必填）" in text
    assert "      # category:  # 采购类别（文字：货物、工程、服务，必填）" in text
    from ruamel.yaml import YAML

    assert YAML(typ="safe").load(text)["sections"] == {"meetings_training": {"meeting": None, "training": None}}
    # A blank left so is told at its line, as the model's own blanks are.
    path = data(region.parents[3], FILLED.replace("{meeting: 2.5, training: 6}", "{meeting: , training: 6}"))
    [blank] = [p for p in check_file(path).problems if p.code == "E231"]
    assert blank.line == line_of(path, "meetings_training") and "会议费未填写" in blank.message


@pytest.mark.parametrize(("value", "words"), [("true", "而不是“true”"), ("[1]", "而不是列表"),
                                              ("{a: 1}", "而不是键值结构"), (".nan", "而不是“.nan”")])
def test_a_wrong_amount_is_shown_as_written(region: Path, value: str, words: str) -> None:
    path = data(region.parents[3], FILLED.replace("amount: 23}", f"amount: {value}}}"))
    [p] = [p for p in check_file(path).problems if p.code == "E231"]
    assert p.line == line_of(path, "档案软件") and p.message.endswith("采购金额应为金额数字，" + words)


def test_schema_is_written_even_when_a_region_is_broken(region: Path) -> None:
    """A region.yaml with a mistake is told (stderr) and the other regions' sections still
    reach the schema."""
    other = region.parents[1] / "zhejiang" / "region.yaml"
    other.parent.mkdir()
    other.write_text("sections: {notes: {title: 说明, fields: {a: {type: colour}}}}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    assert "procurement_items" in json.loads(result.stdout)["properties"]["sections"]["properties"]
    assert "templates/regions/zhejiang/region.yaml:1" in result.stderr and "colour" in result.stderr


def test_diff_names_section_values_by_their_titles(region: Path) -> None:
    folder = region.parents[3]
    old = data(folder)
    new = folder / "new" / X
    new.parent.mkdir()
    text = old.read_text(encoding="utf-8")
    new.write_text(text.replace("档案软件", "档案系统").replace("training: 6", "training: 5"), encoding="utf-8")
    result = run_cli("diff", old, new)
    assert "政府采购预算明细第2条（档案系统）的采购项目（sections.procurement_items[2].name）：档案软件 → 档案系统" \
        in result.output, result.output
    assert "会议费和培训费的培训费（sections.meetings_training.training）：6 → 5" in result.output


def test_a_badly_named_or_shaped_section_or_field_is_told_at_its_line(region: Path) -> None:
    region.write_text("sections:\n  Procurement: {title: 采购, fields: {amount: {type: money}}}\n"
                      "  items: 明细\n  notes:\n    title: 补充说明\n    fields:\n      Text: {type: text}\n"
                      "      note: 文字\n      ok: {type: text}\n", encoding="utf-8")
    found = {(p.line, p.message.split("“")[0]) for p in check_file(data(region.parents[3], "")).problems
             if p.file.endswith("region.yaml")}
    assert found == {(2, "栏目键"), (3, "栏目"), (7, "字段键"), (8, "字段")}, found
