"""Every rule in `rules.RULES` fires on a minimally edited sample, and neither sample trips any.

Each case edits the sample's plain data (as loaded from YAML), validates it, and runs the one
rule: the rule must be silent on the unedited sample and report the expected code after the edit.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from budgetreport.checks import rules
from budgetreport.checks.validate import check_file
from budgetreport.common.problems import Severity
from conftest import DATA, SAMPLES, load_sample, run_rule

D = Decimal
X, S = "xiamen-2022.yaml", "shangrao-2022.yaml"

Data = dict[str, Any]


def _spending(data: Data, code: str) -> Data:
    [line] = [x for x in data["spending"] if x["code"] == code]
    return line


def _economic(data: Data, code: str) -> Data:
    [line] = [x for x in data["economic"] if x["code"] == code]
    return line


def _add(item: Data, key: str, delta: str) -> None:
    item[key] = D(item.get(key, 0)) + D(delta)


def _all_spending_from(data: Data, source: str) -> None:
    for x in data["spending"]:
        x["source"] = source


# (rule name, sample, edit, expected code, severity, words the message must contain)
CASES: list[tuple[str, str, Callable[[Data], None], str, Severity, tuple[str, ...]]] = [
    ("codes_in_catalogue", X, lambda d: _spending(d, "2080501").update(code="20805"),
     "R101", Severity.error, ("20805", "7位")),
    ("codes_unique", X, lambda d: d["economic"].append(dict(_economic(d, "30101"))),
     "R104", Severity.error, ("30101", "重复")),
    ("codes_unique", S, lambda d: d["spending"].append(dict(d["spending"][0])),
     "R104", Severity.error, ("重复",)),
    ("codes_in_catalogue", S, lambda d: _economic(d, "30201").update(code="30298"),
     "R102", Severity.error, ("30298",)),
    ("codes_in_catalogue", S, lambda d: d["prior"]["by_function"].update({"299": D("0")}),
     "R102", Severity.error, ("299",)),
    ("codes_in_catalogue", X, lambda d: _spending(d, "2080501").update(name="行政单位退休"),
     "R103", Severity.error, ("行政单位离退休", "行政单位退休")),
    ("codes_in_catalogue", X, lambda d: _spending(d, "2080501").update(code="2080598", name="某项离退休支出"),
     "R106", Severity.warning, ("2080598", "某项离退休支出", "取自数据")),
    ("codes_in_catalogue", S, lambda d: _economic(d, "30201").update(code="30298", name="某项商品服务支出"),
     "R106", Severity.warning, ("30298", "取自数据")),
    ("codes_in_catalogue", X, lambda d: _spending(d, "2080501").update(code="2039901"),
     "R102", Severity.error, ("20399", "names")),
    ("income_equals_spending", X, lambda d: _add(d["income"], "general_budget", "0.01"),
     "R201", Severity.error, ("2,735.84", "2,735.83")),
    ("income_equals_spending", S, lambda d: d.update(carry_forward=D("0.01")),
     "R201", Severity.error, ("3,874.36", "0.01")),
    ("income_by_source", S, lambda d: d["spending"][-1].update(source="other"),
     "R202", Severity.error, ("3,369.43", "3,398.63")),
    ("economic_equals_function", S, lambda d: _add(_economic(d, "30101"), "personnel", "0.01"),
     "R203", Severity.error, ("2,245.00", "2,244.99")),
    ("economic_equals_function", X,
     lambda d: _spending(d, "2080501").update(basic=D(_spending(d, "2080501").pop("personnel")) + D("0.01")),
     "R203", Severity.error, ("2,303.83", "2,303.84", "基本支出合计")),
    ("basic_matches_split", X, lambda d: _spending(d, "2080501").update(basic=D("23.68")),
     "R206", Severity.error, ("23.68", "23.67")),
    ("line_change_explained", X, lambda d: _spending(d, "2159999").update(prior=D("50")),
     "R213", Severity.warning, ("2159999", "50.00", "78.00", "预算执行数")),
    ("line_changes_shown", S, lambda d: d["spending"][0].update(reason="人员增加"),
     "R214", Severity.warning, ("reason", "line_changes")),
    ("running_costs_match", X, lambda d: d["running_costs"].update(amount=D("381.20")),
     "R304", Severity.error, ("381.20", "381.21", "302")),
    ("economic_convention", X,
     lambda d: _economic(d, "30201").update(personnel=_economic(d, "30201").pop("public")),
     "R204", Severity.warning, ("30201", "18.60")),
    ("prior_consistent", S, lambda d: _add(d["prior"], "basic", "1"),
     "R211", Severity.error, ("2,466.06",)),
    ("prior_present", X, lambda d: d["prior"].pop("gov_fund"),
     "R212", Severity.error, ("prior.gov_fund",)),
    ("prior_present", S, lambda d: d["prior"]["by_economic"].pop("310"),
     "R212", Severity.error, ("310",)),
    ("carryover_by_source", X, lambda d: d["income"].update(carryover_by={"general_budget": D("1")}),
     "R207", Severity.error, ("上年结转结余",)),
    ("three_public_explained", S, lambda d: d["three_public"]["reception"].pop("prior"),
     "R301", Severity.error, ("公务接待费",)),
    ("three_public_explained", X, lambda d: d["three_public"]["reception"].pop("reason"),
     "R302", Severity.error, ("2.23", "2.01")),
    ("three_public_explained", S,
     lambda d: (d["three_public"]["vehicle_running"].pop("reason"),
                _add(d["three_public"]["vehicle_running"], "amount", "0.01")),
     "R302", Severity.error, ("33.00", "33.01")),
    ("three_public_within_economic", X,  # none in projects, says the data: the 款 must hold it
     lambda d: (d["three_public"]["reception"].update(in_projects=D("0")),
                _add(d["three_public"]["reception"], "amount", "0.01")),
     "R303", Severity.error, ("2.02", "2.01", "30217")),
    ("three_public_within_economic", X,  # more than every 项目支出 could hold
     lambda d: _add(d["three_public"]["reception"], "amount", "100000"),
     "R303", Severity.error, ("100,002.01", "2.01", "30217", "项目支出")),
    ("projects_add_up", X, lambda d: _add(d["projects"][1]["subprojects"][0], "amount", "1"),
     "R401", Severity.error, ("354", "355")),
    ("projects_add_up", S, lambda d: _add(d["projects"][0], "amount", "300"),
     "R402", Severity.error, ("480", "438.70")),
    ("quarterly_plan_adds_up", X,
     lambda d: d["projects"][0].update(quarterly=[D("20"), D("20"), D("20"), D("20")]),
     "R403", Severity.error, ("80.00", "78.00")),
    ("procurement_reserved_within", X, lambda d: d["procurement"].update(sme_reserved=D("200")),
     "R502", Severity.error, ("200.00", "123.12")),
    ("procurement_reserved_within", X,
     lambda d: d["procurement"].update(sme_reserved=D("100"), sme_small_micro=D("101")),
     "R503", Severity.error, ("101.00", "100.00")),
    ("staff_counts_agree", S, lambda d: d["overview"]["units"][0].update(active=87),
     "R501", Severity.error, ("87", "88")),
    ("staff_counts_agree", S, lambda d: d["overview"]["staffing"]["authorized"][0].update(count=39),
     "R501", Severity.error, ("97", "98")),
    ("free_text_clean", S,
     lambda d: d["glossary"]["own"][0].update(definition="各部门结合实际进行解释。"),
     "R601", Severity.error, ("结合实际进行解释",)),
    ("free_text_clean", X,
     lambda d: d["projects"][0]["plan"][0]["body"].append("MERGEFIELD ${page922554360}"),
     "R601", Severity.error, ("MERGEFIELD",)),
    # the template's own marker, the list verify uses on a published PDF too
    ("free_text_clean", X, lambda d: d["running_costs"].update(reason="五、国有资产占有使用情况（增加内容）"),
     "R601", Severity.error, ("（增加内容）",)),
    ("free_text_clean", S,
     lambda d: d["overview"]["duties"].__setitem__(0, d["overview"]["duties"][0] + "\x07"),
     "R603", Severity.error, ("U+0007",)),
    ("free_text_clean", X, lambda d: d["running_costs"].update(reason="安排78万元用于劳务费。"),
     "R602", Severity.warning, ("78万元",)),
    ("fiscal_sources_known", X, lambda d: _all_spending_from(d, "other"),
     "R205", Severity.error, ("财政拨款",)),
    ("glossary_terms_known", X, lambda d: d["glossary"]["standard"].append("三公经费"),
     "R701", Severity.error, ("三公经费",)),
    ("printed_texts_given", X, lambda d: d["glossary"].update(own=[], standard=[]),
     "R215", Severity.warning, ("名词解释", "glossary.own")),
    ("printed_texts_given", X, lambda d: _spending(d, "2080501").pop("purpose"),
     "R215", Severity.warning, ("2080501", "用途")),
]


def _rule(name: str) -> Callable[..., Any]:
    [fn] = [r for r in rules.RULES if r.__name__ == name]
    return fn


def test_every_rule_has_a_case():
    assert {name for name, *_ in CASES} == {r.__name__ for r in rules.RULES}


# Codes about the `names:` map, whose findings point at lines these data-level edits cannot
# create: tested with real files in test_catalogue.py.
FILE_CASES = {"R107"}


def test_every_rule_code_has_a_case():
    """Codes written in the rules module all appear in some case."""
    written = set(re.findall(r'"(R\d{3})"', inspect.getsource(rules)))
    assert written == {code for _, _, _, code, *_ in CASES} | FILE_CASES


@pytest.mark.parametrize(("name", "sample", "edit", "code", "severity", "words"), CASES,
                         ids=[f"{c[0]}-{c[3]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires(name, sample, edit, code, severity, words):
    rule = _rule(name)
    loaded = load_sample(sample)
    assert run_rule(rule, loaded.data(), sample) == []
    data = loaded.data()
    edit(data)
    findings = [f for f in run_rule(rule, data, sample) if f.code == code]
    assert findings, f"{name} did not report {code}"
    assert all(f.severity is severity for f in findings)
    for word in words:
        assert any(word in f.message for f in findings), (word, [f.message for f in findings])
    for f in findings:  # every finding points into the file
        assert f.loc and loaded.source.locate(f.loc) != (1, 1)


def test_each_code_belongs_to_one_rule():
    """A code names one kind of problem (fiscal_sources_known once reused R203)."""
    owners: dict[str, set[str]] = {}
    for rule in rules.RULES:
        for code in re.findall(r'"(R\d{3})"', inspect.getsource(rule)):
            owners.setdefault(code, set()).add(rule.__name__)
    assert {c: o for c, o in owners.items() if len(o) > 1} == {}


@pytest.mark.parametrize("sample", SAMPLES)
def test_samples_are_clean(sample):
    loaded = load_sample(sample)
    for rule in rules.RULES:
        assert run_rule(rule, loaded.data(), sample) == [], rule.__name__
    checked = check_file(DATA / sample)
    assert checked.budget is not None
    assert checked.problems == []


def test_vehicle_reason_explains_both_vehicle_items():
    """福建式写法: one vehicle_reason covers 购置 and 运行 changes."""
    rule = _rule("three_public_explained")
    data = load_sample(X).data()
    vr = data["three_public"]["vehicle_running"]
    vr["amount"] = D("1")
    assert run_rule(rule, data, X) == []
    data["three_public"].pop("vehicle_reason")
    assert [f.code for f in run_rule(rule, data, X)] == ["R302"]


def test_income_by_source_leaves_carry_forward_to_the_total():
    rule = _rule("income_by_source")
    data = load_sample(X).data()
    data["spending"][-1]["project"] = D("353")
    data["carry_forward"] = D("1")
    assert run_rule(rule, data, X) == []
    assert run_rule(_rule("income_equals_spending"), data, X) == []


def test_unknown_year_falls_back_with_a_warning(edited):
    # The built-in catalogue covers 2022–2026: 2027 is checked against 2026's entries.
    path = edited(X, ("  year: 2022", "  year: 2027"), name="xiamen-2027.yaml")
    checked = check_file(path)
    # (R604: the texts now name years long past — rightly flagged, not the point here.)
    assert [p.code for p in checked.problems if p.code != "R604"] == ["W202"]
    assert "暂按最近的前一年度（2026年）的目录" in next(p.message for p in checked.problems if p.code == "W202")
    assert checked.errors() == [] and [p.code for p in checked.errors(strict=True) if p.code != "R604"] == ["W202"]


def test_a_year_before_every_catalogue_says_the_first_is_used(edited):
    """W202 said "暂按2022年目录" for 2018 while README promised the nearest earlier year:
    there is none, and the message says the first is used."""
    path = edited(X, ("  year: 2022", "  year: 2018"), name="xiamen-2018.yaml")
    [warning] = [p for p in check_file(path).problems if p.code == "W202"]
    assert "2018年及以前" in warning.message and "最早的2022年目录" in warning.message


def test_a_year_as_the_start_of_history_is_no_stale_year():
    """"掌握2020年以来烟台市人口变动情况" names where a series starts, not a stale year;
    "2019年完成" in a 2026 text still is."""
    from budgetreport.checks.years import year_findings

    def codes(text: str) -> list[str]:
        data = {"department": {"year": 2026}, "overview": {"tasks_intro": text}}
        return [f.code for f in year_findings(data, rolled=False)]

    assert codes("掌握2020年以来烟台市人口变动情况。") == []
    assert codes("2019年完成人口普查。") == ["R604"]


def test_a_period_or_a_name_that_carries_a_year_is_no_stale_year():
    """A period taking in the budget year or the year before ("2026-2027年信息化运维项目",
    "2021—2025年"), a quoted name and a record's `name` keep their years; a period wholly in
    the past, or a bare old year, is still told."""
    from budgetreport.checks.years import year_findings

    def codes(text: str, key: str = "tasks_intro") -> list[str]:
        data = {"department": {"year": 2026}, "overview": {key: text}}
        return [f.code for f in year_findings(data, rolled=False)]

    assert codes("实施2026-2027年信息化运维项目。") == []
    assert codes("实施2026年-2027年信息化运维项目。") == []
    assert codes("落实2021—2025年发展规划。") == []
    assert codes("建设“广州市2021年面向城市供电设施安全的预报预警系统”。") == []
    assert codes("2021年面向城市供电设施安全的预报预警系统", key="name") == []
    assert codes("完成2019-2020年普查。") == ["R604"]
    assert codes("2021年建成预警系统。") == ["R604"]


def test_three_public_prior_may_be_the_total_only_or_nothing():
    """A publication that states only last year's 三公 total: the items give no prior, the
    total does; none at all: nothing compared, nothing reported; a partial split is a gap."""
    from budgetreport.compute.figures import compute
    rule = _rule("three_public_explained")
    data = load_sample(S).data()
    tp = data["three_public"]
    summed = sum(D(tp[k]["prior"]) for k in ("abroad", "reception", "vehicle_purchase", "vehicle_running"))
    for k in ("abroad", "reception", "vehicle_purchase", "vehicle_running"):
        tp[k].pop("prior")
        tp[k].pop("reason", None)
    assert run_rule(rule, data, S) == []  # nothing given: nothing to compare
    tp["prior"] = summed + 1
    assert run_rule(rule, data, S) == []
    budget = rules_budget(data)
    total = compute(budget).three_public["total"]
    assert total.change is not None and total.change.prior == summed + 1
    tp["reception"]["prior"] = D("1")  # one item beside the others without: a partial split
    codes = [f.code for f in run_rule(rule, data, S)]
    assert codes.count("R301") == 3 and set(codes) <= {"R301", "R302"}  # the three others


def test_spending_of_an_unstated_source_is_the_non_fiscal_income_left():
    """`source: unstated`: the publication gives the 项 but not its non-fiscal source; R202
    compares those lines with the non-fiscal income the stated lines leave."""
    rule = _rule("income_by_source")
    data = load_sample(X).data()
    data["income"]["other"] = D("10")
    data["spending"].append({"code": "2080501", "source": "unstated", "project": D("10")})
    assert run_rule(rule, data, X) == []
    data["spending"][-1]["project"] = D("9")
    [finding] = run_rule(rule, data, X)
    assert finding.code == "R202" and "未列明来源" in finding.message


def rules_budget(data: Data) -> Any:
    from budgetreport.inputs.model import Budget
    return Budget.model_validate(data)
