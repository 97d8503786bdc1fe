"""`scaffold`: the blank file for a new center and next year's file rolled from this year's.

Both must fail `check` as generated (amounts are empty, each reported at its line) and pass
once filled. Filling is done here programmatically, on the ruamel tree, as an officer would.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from budgetreport.checks.validate import center_key, check_file
from budgetreport.commands.scaffold import (
    SCHEMA_LINE,
    default_path,
    kind_of,
    roll_forward,
    rt_yaml,
    skeleton,
    write_new,
)
from budgetreport.common.money import Change, Direction
from budgetreport.common.problems import BudgetError, Severity
from budgetreport.compute.figures import compute
from budgetreport.inputs.load import read
from budgetreport.inputs.model import Budget
from budgetreport.inputs.region import known_regions
from conftest import DATA, in_yuan

D = Decimal
Leaf = tuple[tuple[Any, ...], int]  # (data path, 1-based line)


def _dump(tree: Any, path: Path) -> Path:
    out = io.StringIO()
    rt_yaml().dump(tree, out)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def null_leaves(node: Any, loc: tuple[Any, ...] = ()) -> Iterator[Leaf]:
    """Every empty (null) value in a ruamel tree, with its line."""
    is_map = isinstance(node, CommentedMap)
    for key, value in node.items() if is_map else enumerate(node):
        where = (node.lc.data or {}).get(key)  # (line, col, …) as read; none for added items
        line = where[0] + 1 if where else 0
        if value is None:
            yield loc + (key,), line
        elif isinstance(value, (CommentedMap, CommentedSeq)):
            yield from null_leaves(value, loc + (key,))


def error_lines(path: Path) -> set[tuple[int, str]]:
    return {(p.line, p.code) for p in check_file(path).errors()}


def all_field_names(model: type[BaseModel]) -> Iterator[str]:
    for name, info in model.model_fields.items():
        yield name
        kind, inner = kind_of(info)
        if kind in ("model", "models"):
            yield from all_field_names(inner)


# --- the blank file --------------------------------------------------------------------


@pytest.mark.parametrize("region", known_regions())
def test_skeleton_names_every_field_of_the_model(region: str):
    text = skeleton(region, "某某市住房公积金中心", 2023)
    assert text.splitlines()[0] == SCHEMA_LINE
    keys = {line.strip().removeprefix("# ").removeprefix("- ").split(":")[0]
            for line in text.splitlines()}
    missing = set(all_field_names(Budget)) - keys
    assert not missing, f"skeleton lacks fields {missing}"


def test_skeleton_explains_fields_in_chinese_and_prefills_identity():
    lines = skeleton("fujian", "某某市住房公积金中心", 2023).splitlines()
    assert "  general_budget:  # 一般公共预算拨款收入" in lines
    assert "  year: 2023  # 预算年度" in lines
    assert "  region: fujian" in "\n".join(lines)
    assert "  # prepared_by:  # 编制单位；缺省为部门全称" in lines  # optional: commented out
    assert "  subordinate_units: 0  # 下属预算单位数" in lines    # optional with a default


def test_skeleton_quotes_a_name_yaml_would_misread():
    text = skeleton("fujian", "某中心: #1", 2023)
    assert YAML(typ="safe").load(text)["department"]["name"] == "某中心: #1"


def test_unknown_region_lists_the_known_ones():
    with pytest.raises(ValueError, match="未知的地区模板“xiamen”") as exc:
        skeleton("xiamen", "某某中心", 2023)
    for region in known_regions():
        assert region in str(exc.value)


@pytest.mark.parametrize("region", known_regions())
def test_skeleton_fails_check_at_every_placeholder(tmp_path: Path, region: str):
    path = tmp_path / f"new-{2022}.yaml"
    path.write_text(skeleton(region, "某某市住房公积金中心", 2022), encoding="utf-8")
    tree = rt_yaml().load(path.read_text(encoding="utf-8"))
    # every blank is reported, optional amounts too: written but empty is not "not given"
    # (a region's required data sections are checked once the rest of the file reads: below)
    expected = {(line, "E100") for loc, line in null_leaves(tree) if loc[0] != "sections"}
    assert expected and error_lines(path) == expected
    for line, _ in expected:  # each reported at the empty placeholder's own line
        text = path.read_text(encoding="utf-8").splitlines()[line - 1]
        assert text.split("  #")[0].rstrip().endswith((":", "-")), text


def test_each_blank_is_told_once(tmp_path: Path):
    """An empty amount was reported twice ("…未填写" and "…未填写：填写金额…")."""
    path = tmp_path / "new-2022.yaml"
    path.write_text(skeleton("shanghai", "某某中心", 2022), encoding="utf-8")
    lines = [p.line for p in check_file(path).errors()]
    assert len(lines) > 10 and len(lines) == len(set(lines))
    messages = {p.message for p in check_file(path).errors()}
    assert any("procurement.goods" in m and "填写金额" in m for m in messages)


def _fill_skeleton(tree: CommentedMap) -> None:
    """A small consistent budget: 100 of 一般公共预算, 60 人员 + 30 公用 + 10 项目."""
    tree["department"]["published"] = dt.date(2022, 2, 15)
    tree["overview"]["duties"][0] = "负责本市住房公积金的归集、使用与管理。"
    tree["overview"]["units"][0].update(funding_type="财政拨款", authorized=10, active=9)
    tree["income"].update(dict.fromkeys(tree["income"], D(0)), general_budget=D(100))
    tree["spending"][0].update(code="2210302", personnel=D(60), public=D(30), project=D(10))
    tree["carry_forward"] = D(0)
    tree["economic"][0].update(code="30101", personnel=D(60), public=D(0))
    tree["economic"].append(CommentedMap(code="30201", personnel=D(0), public=D(30)))
    tree["prior"].update(income_total=D(90), spending_total=D(90), fiscal_total=D(90),
                         general_budget=D(90), gov_fund=D(0), state_capital=D(0), basic=D(80),
                         project=D(10), by_function={"221": D(90)},
                         by_economic={"301": D(55), "302": D(25)})
    for item in ("abroad", "reception", "vehicle_purchase", "vehicle_running"):
        tree["three_public"][item].update(amount=D(0), prior=D(0))
    # optional: staff counts, department-wide goals, 机关运行经费 (computed from 302)
    tree.setdefault("running_costs", CommentedMap())["prior"] = D(25)
    tree["procurement"].update(goods=D(0), works=D(0), services=D(0))
    tree["assets"]["as_of"] = dt.date(2021, 12, 31)
    # the texts a region's document prints (each region's asks_for; R215 otherwise)
    tree["glossary"]["standard"] = ["基本支出"]
    tree["spending"][0]["purpose"] = "住房公积金管理"
    tree["reasons"] = CommentedMap(general_budget="业务量增加")
    for item in ("abroad", "reception", "vehicle_purchase", "vehicle_running"):
        tree["three_public"][item]["reason"] = "保持不变"
    tree["performance_summary"] = CommentedMap(count=0, amount=D(0))
    tree["assets"].update(vehicles_by_kind={}, planned_vehicles_by_kind={})
    tree["procurement"].update(sme_reserved=D(0), sme_small_micro=D(0))


@pytest.mark.parametrize("region", known_regions())
def test_filled_skeleton_passes_check(tmp_path: Path, region: str):
    tree = rt_yaml().load(skeleton(region, "某某市住房公积金中心", 2022))
    _fill_skeleton(tree)
    # A region's required data sections (广州's income by unit …) hold records this generic
    # budget cannot make up; their empty fields are then each told at their line (E231).
    assert [leaf for leaf in null_leaves(tree) if leaf[0][0] != "sections"] == []
    path = _dump(tree, tmp_path / "new-2022.yaml")
    written = rt_yaml().load(path.read_text(encoding="utf-8"))
    blank = {line for loc, line in null_leaves(written) if loc[0] == "sections"}
    checked = check_file(path)
    told = {p.line for p in checked.problems if p.code == "E231" and "未填写" in p.message}
    rest = [p for p in checked.problems if p.line not in blank]
    assert told == blank and rest == [], "\n".join(map(str, checked.problems))


# --- next year's file ------------------------------------------------------------------


def _fill_from(rolled: Any, original: Any) -> None:
    """Give every emptied value this year's value again."""
    keys = list(rolled) if isinstance(rolled, CommentedMap) else range(len(rolled))
    for key in keys:
        if rolled[key] is None:
            rolled[key] = original[key]
        elif isinstance(rolled[key], (CommentedMap, CommentedSeq)) and (
                key in original if isinstance(original, CommentedMap) else key < len(original)):
            _fill_from(rolled[key], original[key])


def _changes(path: Path) -> dict[str, Change]:
    f = compute(check_file(path).budget)  # type: ignore[arg-type]
    changes = {"income": f.income_change, "fiscal": f.fiscal_change,
               "spending": f.spending_change, "basic": f.basic_change,
               "project": f.project_change, "general": f.general_change,
               "gov_fund": f.gov_fund_change, "state_capital": f.state_capital_change,
               "running": f.running_costs.change}
    changes |= {f"class {k}": v for k, v in f.class_changes.items()}
    changes |= {f"economic {k}": v for k, v in f.economic_changes.items()}
    changes |= {f"三公 {k}": v.change for k, v in f.three_public.items()}
    assert None not in changes.values()
    return changes  # type: ignore[return-value]


@pytest.mark.parametrize("sample", ["xiamen-2022.yaml", "shangrao-2022.yaml", "in 元"])
def test_rolled_file_fails_until_filled_then_shows_no_change(tmp_path: Path, sample: str):
    source = _in_yuan(tmp_path / "source") if sample == "in 元" else DATA / sample
    center = center_key(source)
    rolled = tmp_path / f"{center}-2023.yaml"
    rolled.write_text(roll_forward(source, 2023), encoding="utf-8")
    tree = rt_yaml().load(rolled.read_text(encoding="utf-8"))
    leaves = list(null_leaves(tree))
    assert ("department", "published") in {loc for loc, _ in leaves}
    # texts may stay empty, and the publication date (not every publication prints one); amounts may not
    optional = ("reason", "vehicle_reason", "reasons", "published")
    must_fill = {(line, "E100") for loc, line in leaves
                 if loc[-1] not in optional and loc[0] not in optional}
    assert error_lines(rolled) == must_fill

    _fill_from(tree, rt_yaml().load(source.read_text(encoding="utf-8")))
    filled = _dump(tree, tmp_path / f"{center}-2023.yaml")
    checked = check_file(filled)
    assert checked.errors() == [], "\n".join(map(str, checked.errors()))
    # The 2023 catalogue is built in; texts carried over still naming past years are listed.
    assert [p.code for p in checked.problems if p.code not in ("R604", "R605")] == []
    if sample == "xiamen-2022.yaml":  # "2022年，厦门市住房公积金中心主要任务是：…"
        assert any(p.code == "R605" and "2022年" in p.message and p.severity is Severity.warning
                   for p in checked.problems)
    moved = {k: c for k, c in _changes(filled).items() if c.direction is not Direction.flat}
    assert moved == {}, "prior figures must equal this year's"


def test_rolled_prior_figures_are_exact_two_decimal_numbers():
    text = roll_forward(DATA / "xiamen-2022.yaml", 2023)
    for line in ("  income_total: 2735.83", "  basic: 2303.83", "  project: 432.00",
                 '    "221": 2469.59', '    "302": 381.21', "  prior: 381.21", "    prior: 2.01"):
        assert line in text.splitlines(), line
    data = YAML(typ="safe").load(text)
    assert data["department"]["year"] == 2023 and data["department"]["published"] is None


def test_rolled_file_keeps_comments_and_texts_but_drops_stale_derivations():
    xiamen = roll_forward(DATA / "xiamen-2022.yaml", 2023)
    assert xiamen.splitlines()[0] == SCHEMA_LINE
    assert "由 xiamen-2022.yaml（2022年）结转生成的2023年数据" in xiamen
    assert "project:         # 专项业务费" in xiamen                     # comment kept
    assert "住房公积金综合服务平台3.0项目" in xiamen                       # texts kept
    assert "2.01 ÷ 0.9" not in xiamen and "363.88" not in xiamen      # old prior derivations
    assert "上年（2021年）预算数" not in xiamen
    assert "以下人数与统计日期为2022年数" in xiamen
    shangrao = roll_forward(DATA / "shangrao-2022.yaml", 2023)
    assert "# --- 变动原因 ----" in shangrao  # the section after prior keeps its lead-in
    assert "\n\n# --- 变动原因" in shangrao


def _in_yuan(folder: Path) -> Path:
    """The Xiamen sample with every amount written in 元."""
    folder.mkdir(parents=True, exist_ok=True)
    in_yuan("xiamen-2022.yaml", folder / "xiamen-2022.yaml")
    return folder / "xiamen-2022.yaml"


def test_roll_forward_writes_prior_in_the_files_unit(tmp_path: Path):
    source = _in_yuan(tmp_path)
    assert check_file(source).errors() == []
    data = read_text_data(roll_forward(source, 2023), tmp_path)
    assert data["prior"]["income_total"] == D("27358300.00")
    assert data["running_costs"]["prior"] == D("3812100.00")
    assert data["three_public"]["reception"]["prior"] == D("20100.00")


def read_text_data(text: str, tmp_path: Path) -> Any:
    path = tmp_path / "rolled-2023.yaml"
    path.write_text(text, encoding="utf-8")
    return read(path).data


def test_roll_forward_refuses_a_failing_file_or_a_year_gap(edited):
    bad = edited("xiamen-2022.yaml", ("  general_budget: 2735.83", "  general_budget: 2735.84"))
    with pytest.raises(BudgetError) as exc:
        roll_forward(bad, 2023)
    assert {p.code for p in exc.value.problems} >= {"R201"}
    with pytest.raises(ValueError, match="只能结转为2023年"):
        roll_forward(DATA / "xiamen-2022.yaml", 2024)


# --- where the file goes ---------------------------------------------------------------


def test_default_path_and_no_overwrite(tmp_path: Path):
    path = default_path(tmp_path, "nanchang", 2023)
    assert path == tmp_path / "nanchang-2023.yaml" and center_key(path) == "nanchang"
    with pytest.raises(ValueError, match="单位代号"):
        default_path(tmp_path, "南昌", 2023)
    write_new(path, "unit: 万元\n")
    with pytest.raises(FileExistsError, match="已存在，不覆盖"):
        write_new(path, "changed\n")
    assert path.read_text(encoding="utf-8") == "unit: 万元\n"
