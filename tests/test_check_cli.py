"""`budgetreport check` and `budgetreport schema`, as a finance officer meets them.

Edits are made on copies of the two samples; expected lines are found by searching the copy.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import pytest

from budgetreport.checks.schema import json_schema, parse
from budgetreport.checks.validate import check_file
from budgetreport.common.money import table_amount
from budgetreport.compute.figures import compute
from budgetreport.inputs.load import read
from conftest import DATA, ROOT, SAMPLES, in_yuan, line_of, located, reported, run_cli

EXE = ROOT / ".venv" / "bin" / "budgetreport"


# --- the samples pass ---------------------------------------------------------------


def test_both_samples_pass():
    result = run_cli("check", DATA / "xiamen-2022.yaml", DATA / "shangrao-2022.yaml")
    assert result.exit_code == 0, result.output
    assert reported(result.output) == []
    assert result.stdout.count("通过校验") == 2


# A sample of a year before the built-in catalogue (2022–2026) is told so (W202), nothing else:
# 西安 2021, the 部门综合预算 form of 2020–2022 (issue 24).
BEFORE_CATALOGUE = {"data/shaanxi-xian-xcb-2021.yaml"}
# A publication whose reasons name the amounts of the projects behind a change (苏州市水务局:
# "新增转拨项目……31000万元"): the sample keeps its words, and check rightly warns that those
# amounts are typed, not computed (R602) — in those reasons only.
TYPED_AMOUNTS = {"data/jiangsu-suzhou-swj-2026.yaml": ("31000万元", "3840万元")}
# A publication that names a later year in its own words (深圳市人民政府口岸办公室: a car "计划于2027年
# 申请新购置"): check rightly asks whether the year is stale (R604) — for that year only.
LATER_YEARS = {"data/guangdong-shenzhen-kab-2026.yaml": ("2027年",)}


def test_data_folder_passes_even_strict():
    for args in (("check", DATA), ("check", "--strict", DATA)):
        result = run_cli(*args)
        told = [r for r in reported(result.output) if not (r.code == "W202" and r.file in BEFORE_CATALOGUE)
                and not (r.code == "R602" and any(a in r.message for a in TYPED_AMOUNTS.get(r.file, ())))
                and not (r.code == "R604" and any(y in r.message for y in LATER_YEARS.get(r.file, ())))]
        assert told == [], result.output
        if args[1] != "--strict":
            assert result.exit_code == 0, result.output
        for sample in SAMPLES:
            assert sample in result.stdout


def test_real_executable(edited):
    ok = subprocess.run([EXE, "check", "data/xiamen-2022.yaml", "data/shangrao-2022.yaml"],
                        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert "data/xiamen-2022.yaml：通过校验" in ok.stdout
    assert "data/shangrao-2022.yaml：通过校验" in ok.stdout

    bad = edited("xiamen-2022.yaml", ("  general_budget: 2735.83", "  general_budget: 2735.84"))
    failed = subprocess.run([EXE, "check", bad], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert failed.returncode == 1
    assert "Traceback" not in failed.stderr
    assert (line_of(bad, "general_budget: 2735.84"), "R202") in located(failed.stderr, bad)

    missing = subprocess.run([EXE, "check", bad.parent / "nowhere-2022.yaml"], cwd=ROOT,
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0
    assert "找不到" in missing.stderr and "Traceback" not in missing.stderr


# --- one amount off by 0.01 -----------------------------------------------------------


def _messages(output: str, path: Path, code: str) -> list[str]:
    return [r.message for r in reported(output) if r.names(path) and r.code == code]


def test_income_off_by_a_cent(edited):
    path = edited("xiamen-2022.yaml", ("  general_budget: 2735.83", "  general_budget: 2735.84"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    found = located(result.output, path)
    assert (line_of(path, "general_budget: 2735.84"), "R202") in found
    assert (line_of(path, "income:", exact=True), "R201") in found
    [msg] = _messages(result.output, path, "R201")
    assert "2,735.84" in msg and "2,735.83" in msg


def test_spending_personnel_off_by_a_cent(edited):
    # 2080501's 23.67 also appears in the economic table: edit only the spending line.
    path = edited("xiamen-2022.yaml",
                  ("    personnel: 23.67\n    purpose: 单位退休人员支出",
                   "    personnel: 23.68\n    purpose: 单位退休人员支出"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    found = located(result.output, path)
    assert {(line_of(path, "income:", exact=True), "R201"),
            (line_of(path, "general_budget: 2735.83"), "R202"),
            (line_of(path, "economic:", exact=True), "R203")} <= found
    [income] = _messages(result.output, path, "R201")
    assert "2,735.83" in income and "2,735.84" in income
    [economic] = _messages(result.output, path, "R203")
    assert "1,922.62" in economic and "1,922.63" in economic


def test_economic_line_off_by_a_cent(edited):
    path = edited("shangrao-2022.yaml", ('{code: "30201", public: 62.50}',
                                         '{code: "30201", public: 62.51}'))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, "economic:", exact=True), "R203")}
    [msg] = _messages(result.output, path, "R203")
    assert "714.95" in msg and "714.94" in msg


def test_three_public_amount_off_by_a_cent_is_an_error(edited):
    """A 三公 item must fit inside its economic 款 (R303): the 三公 table and the economic
    table describe the same money, when the data says none of it is in projects."""
    path = edited("xiamen-2022.yaml", ("    amount: 2.01", "    amount: 2.02\n    in_projects: 0"))
    result = run_cli("check", path)
    assert result.exit_code == 1, result.output
    assert located(result.output, path) == {(line_of(path, "amount: 2.02"), "R303")}
    [msg] = _messages(result.output, path, "R303")
    assert "2.02" in msg and "2.01" in msg


def test_three_public_part_in_projects_is_computed_when_only_that_agrees(edited):
    """Without `in_projects`, what exceeds the economic 款 is the part in projects (the only
    way the two tables agree) while the 一般公共预算 项目支出 can hold it: no R303."""
    path = edited("xiamen-2022.yaml", ("    amount: 2.01", "    amount: 2.02"))
    result = run_cli("check", path)
    assert "R303" not in result.output, result.output


def test_three_public_change_without_reason(edited):
    path = edited("xiamen-2022.yaml", ("    reason: 厉行节约，从严从紧安排公务接待费。\n", ""))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert (line_of(path, "amount: 2.01"), "R302") in located(result.output, path)
    [msg] = _messages(result.output, path, "R302")
    assert "2.23" in msg and "2.01" in msg and "reason" in msg


# --- schema errors --------------------------------------------------------------------


def test_misspelt_key_suggests_the_right_one(edited):
    path = edited("xiamen-2022.yaml", ("  name: 厦门市住房公积金中心\n  region:",
                                       "  nmae: 厦门市住房公积金中心\n  region:"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert (line_of(path, "nmae:"), "E100") in located(result.output, path)
    [msg] = [r.message for r in reported(result.output) if "nmae" in r.message]
    assert "“name”" in msg


def test_misspelt_key_in_a_list_item(edited):
    path = edited("shangrao-2022.yaml", ('{code: "30201", public: 62.50}',
                                         '{code: "30201", pubilc: 62.50}'))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, "pubilc"), "E100")}
    assert "“public”" in result.output


def test_unknown_function_code(edited):
    path = edited("shangrao-2022.yaml", ('code: "2299901"', 'code: "2299909"'))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, '"2299909"'), "R102")}
    assert "2299909" in _messages(result.output, path, "R102")[0]


def test_broken_yaml_names_line_and_column(edited):
    path = edited("xiamen-2022.yaml", ("  region: fujian\n", "  region: fujian: x\n"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    line = line_of(path, "fujian: x")
    text = path.read_text(encoding="utf-8").splitlines()[line - 1]
    column = text.index(":", text.index("fujian")) + 1
    assert located(result.output, path) == {(line, "E004")}
    assert f"第{line}行第{column}列" in result.output


@pytest.mark.parametrize(("old", "new", "needle"), [
    ("transfers: []\n", "transfers: [a, b\n\n# 注释\n", "transfers: [a, b"),
    ("transfers: []\n", "transfers: [a,\n  b\n", "  b"),
    ("transfers: []\n", "transfers: {a: 1\n", "transfers: {a: 1"),
])
def test_unclosed_bracket_is_told_at_its_own_line(edited, old, new, needle):
    """The parser notices a missing "]" only at the next token (line 41 for a bracket on 40)."""
    path = edited("xiamen-2022.yaml", (old, new))
    result = run_cli("check", path)
    line = line_of(path, needle, exact=True)
    assert located(result.output, path) == {(line, "E004")}, result.output
    end = len(path.read_text(encoding="utf-8").splitlines()[line - 1]) + 1
    assert f"第{line}行第{end}列" in result.output


def test_negative_amount_is_located(edited):
    path = edited("xiamen-2022.yaml",
                  ("  gov_fund: 0\n  state_capital", "  gov_fund: -1\n  state_capital"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, "gov_fund: -1"), "E100")}
    assert "负数" in result.output


def test_infinite_amount_is_an_error_not_a_crash(edited):
    """.inf is a YAML float but no amount (it once crashed Decimal conversion)."""
    path = edited("xiamen-2022.yaml",
                  ("  gov_fund: 0\n  state_capital", "  gov_fund: .inf\n  state_capital"))
    result = run_cli("check", path)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert {line for line, _ in located(result.output, path)} == {line_of(path, "gov_fund: .inf")}


def test_impossible_date_is_an_error_not_a_crash(edited):
    """ruamel's own date parsing once raised ValueError here, without a line."""
    path = edited("xiamen-2022.yaml", ("  published: 2022-02-15", "  published: 2022-02-30"))
    result = run_cli("check", path)
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert {line for line, _ in located(result.output, path)} == {line_of(path, "2022-02-30")}


def test_yaml_merge_keys_are_read(edited):
    # the same data, written with an anchor and a merge key: must pass as the original does
    path = edited("xiamen-2022.yaml",
                  ('  - code: "2080505"\n', '  - &pension\n    code: "2080505"\n'),
                  ('  - code: "2101101"\n    name: 行政单位医疗\n    source: general_budget\n',
                   '  - <<: *pension\n    code: "2101101"\n    name: 行政单位医疗\n'))
    result = run_cli("check", path)
    assert isinstance(result.exception, SystemExit) or result.exception is None, result.exception
    assert result.exit_code == 0, result.output


def test_unknown_region(edited):
    path = edited("xiamen-2022.yaml", ("  region: fujian\n", "  region: fujain\n"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, "region: fujain"), "E201")}
    assert "fujian" in result.output and "jiangxi" in result.output


# --- files that cannot be read --------------------------------------------------------


def test_missing_file(tmp_path):
    missing = tmp_path / "nowhere-2022.yaml"
    result = run_cli("check", missing)
    assert result.exit_code != 0
    assert "找不到" in result.output and "nowhere-2022.yaml" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    # the library says the same without the CLI's pre-check
    [problem] = check_file(missing).problems
    assert (problem.code, problem.message) == ("E001", "文件不存在")


def test_folder_without_yaml(tmp_path):
    (tmp_path / "notes.txt").write_text("无数据", encoding="utf-8")
    result = run_cli("check", tmp_path)
    assert result.exit_code != 0
    assert "没有 .yaml 数据文件" in result.output
    assert isinstance(result.exception, SystemExit)


def test_not_utf8(tmp_path):
    path = tmp_path / "xiamen-2022.yaml"
    path.write_bytes((DATA / "xiamen-2022.yaml").read_text(encoding="utf-8").encode("gb18030"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    [problem] = reported(result.output)
    assert problem.names(path) and problem.code == "E002" and "UTF-8" in problem.message
    assert "Traceback" not in result.output


def test_empty_file(tmp_path):
    path = tmp_path / "xiamen-2022.yaml"
    path.write_text("# 只有注释\n", encoding="utf-8")
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(1, "E005")}


# --- all problems, one run ------------------------------------------------------------


def test_every_rule_violation_reported_in_one_run(edited):
    path = edited("xiamen-2022.yaml",
                  ("  general_budget: 2735.83", "  general_budget: 2735.84"),
                  ('code: "30299"\n    name: 其他商品和服务支出', 'code: "30298"'))
    result = run_cli("check", path)
    assert result.exit_code == 1
    found = located(result.output, path)
    assert (line_of(path, "general_budget: 2735.84"), "R202") in found
    assert (line_of(path, '"30298"'), "R102") in found  # a code named nowhere


def test_every_schema_violation_reported_in_one_run(edited):
    path = edited("shangrao-2022.yaml",
                  ('{code: "30201", public: 62.50}', '{code: "30201", pubilc: 62.50}'),
                  ("  general_vehicles: 12", "  general_vehicles: 十二"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, "pubilc"), "E100"),
                                            (line_of(path, "general_vehicles: 十二"), "E100")}


def test_every_file_reported_in_one_run(edited):
    bad = edited("xiamen-2022.yaml", ('code: "2159999"\n    name: 其他资源勘探工业信息等支出', 'code: "2159998"'),
                 folder="a")
    also_bad = edited("shangrao-2022.yaml", ("      active: 88", "      active: 87"), folder="a")
    result = run_cli("check", bad.parent)
    assert result.exit_code == 1
    assert located(result.output, bad) == {(line_of(bad, '"2159998"'), "R102")}
    assert {code for _, code in located(result.output, also_bad)} == {"R501"}
    assert "2 个文件未通过校验" in result.output


# --- content rules through the CLI ----------------------------------------------------


def test_money_in_free_text_is_a_warning_unless_strict(edited):
    path = edited("xiamen-2022.yaml", ("  general_budget: 信息化投入支出增加。",
                                       "  general_budget: 信息化投入支出增加，安排78万元。"))
    expected = (line_of(path, "安排78万元"), "R602")
    lenient = run_cli("check", path)
    assert lenient.exit_code == 0, lenient.output
    assert located(lenient.output, path) == {expected}
    assert [r.warning for r in reported(lenient.output)] == [True]
    assert "78万元" in lenient.output
    strict = run_cli("check", "--strict", path)
    assert strict.exit_code == 1
    assert located(strict.output, path) == {expected}


@pytest.mark.parametrize("leftover", ["MERGEFIELD ${page922554360}", "由部门结合实际填写"])
def test_template_leftover_in_text(edited, leftover):
    comment = "# reasons（变动原因）：政府性基金、国有资本经营预算均未安排支出，与上年相比无变化，无需说明。"
    reason = f"reasons:\n  gov_fund: 没有使用政府性基金预算安排的支出。{leftover}"
    path = edited("shangrao-2022.yaml", (comment, reason))
    result = run_cli("check", path)
    assert result.exit_code == 1
    assert located(result.output, path) == {(line_of(path, f"。{leftover}"), "R601")}


def test_unit_table_disagrees_with_staffing(edited):
    path = edited("shangrao-2022.yaml", ("      active: 88", "      active: 87"))
    result = run_cli("check", path)
    assert result.exit_code == 1
    # the finding points at the breakdown's 在职 list
    staffing_active = line_of(path, "category: 参照公务员管理的事业单位") - 1
    assert path.read_text(encoding="utf-8").splitlines()[staffing_active - 1] == "    active:"
    assert located(result.output, path) == {(staffing_active, "R501")}
    [msg] = _messages(result.output, path, "R501")
    assert "87" in msg and "88" in msg


# --- a file kept in 元 ----------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_file_in_yuan_gives_the_same_figures(tmp_path, sample):
    target = tmp_path / sample
    in_yuan(sample, target)
    text = target.read_text(encoding="utf-8")
    assert re.search(r"^unit: 元$", text, re.M)
    result = run_cli("check", "--strict", target)
    assert result.exit_code == 0, result.output

    wan = compute(parse(read(DATA / sample)))
    yuan = compute(parse(read(target)))
    assert yuan.income == wan.income
    assert yuan.spending.totals == wan.spending.totals
    assert [(r.code, r.values) for r in yuan.spending.rows] == \
        [(r.code, r.values) for r in wan.spending.rows]
    assert yuan.economic.totals == wan.economic.totals
    assert yuan.income_change.phrase("2021年预算数") == wan.income_change.phrase("2021年预算数")
    assert yuan.running_costs.change.phrase("上年") == wan.running_costs.change.phrase("上年")
    assert {k: v.amount for k, v in yuan.three_public.items()} == \
        {k: v.amount for k, v in wan.three_public.items()}
    assert [table_amount(r["total"]) for r in yuan.spending.rows] == \
        [table_amount(r["total"]) for r in wan.spending.rows]
    assert yuan.data_unit == "元" and dataclasses.replace(yuan, data_unit="万元") == wan


def test_file_in_yuan_reports_problems(tmp_path, edited):
    target = tmp_path / "yuan" / "xiamen-2022.yaml"
    target.parent.mkdir()
    in_yuan("xiamen-2022.yaml", target)
    text = target.read_text(encoding="utf-8")
    fixed = text.replace("general_budget: 27358300", "general_budget: 27358400", 1)
    assert fixed != text
    target.write_text(fixed, encoding="utf-8")
    result = run_cli("check", target)
    assert result.exit_code == 1
    assert "R202" in {code for _, code in located(result.output, target)}


def test_file_in_yuan_messages_use_the_files_figures(tmp_path):
    target = tmp_path / "xiamen-2022.yaml"
    in_yuan("xiamen-2022.yaml", target)
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("general_budget: 27358300", "general_budget: 27358400", 1),
                      encoding="utf-8")
    result = run_cli("check", target)
    [msg] = _messages(result.output, target, "R202")
    # The file's own figures, in its own unit, as a 元 table prints them (separators, no
    # decimals when the file has no 分: "156211123.00" read badly).
    assert "27,358,400" in msg and "27,358,300" in msg and "2735.8" not in msg, msg
    assert ".00" not in msg, msg


# --- the published JSON schema --------------------------------------------------------


def test_schema_command_prints_json_with_chinese_descriptions():
    result = run_cli("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    income = schema["$defs"]["Income"]["properties"]
    assert income["general_budget"]["description"] == "一般公共预算拨款收入"
    descriptions = [p.get("description", "") for d in schema["$defs"].values()
                    for p in d.get("properties", {}).values()]
    assert descriptions and all(re.search(r"[\u4e00-\u9fff]", d) for d in descriptions), \
        [d for d in descriptions if not re.search(r"[\u4e00-\u9fff]", d)]


def test_schema_command_writes_file(tmp_path):
    out = tmp_path / "nested" / "budget.schema.json"
    result = run_cli("schema", "-o", out)
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == run_cli("schema").stdout  # the built-in regions' sections too
    assert json.loads(out.read_text(encoding="utf-8"))["properties"]["department"] == \
        json.loads(json_schema())["properties"]["department"]


def test_committed_schema_is_current():
    """The file editors use is what the model says (regenerate with `budgetreport schema -o`)."""
    committed = (ROOT / "schema" / "budget.schema.json").read_text(encoding="utf-8")
    assert run_cli("schema").stdout == committed


@pytest.mark.parametrize("sample", SAMPLES)
def test_samples_point_editors_at_the_schema(sample):
    first = (DATA / sample).read_text(encoding="utf-8").splitlines()[0]
    m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert m, first
    assert (DATA / m[1]).resolve() == (ROOT / "schema" / "budget.schema.json").resolve()
