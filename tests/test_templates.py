"""The template hierarchy: base → region → center, overrides of single blocks, the context
contract, and strictness."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from jinja2 import meta, nodes

from budgetreport.checks.validate import check_file
from budgetreport.common.problems import BudgetError
from budgetreport.compute.figures import compute
from budgetreport.inputs.region import load_region
from budgetreport.layout.render import CONTEXT, environment, render_html
from budgetreport.layout.tables import build_tables
from conftest import DATA


def text_of(path: Path) -> str:
    checked = check_file(path)
    assert checked.budget is not None and checked.region is not None, checked.problems
    f = compute(checked.budget)
    html = render_html(f, checked.resolved, build_tables(f, checked.resolved))
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", "", html))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[。\n]", text) if s.strip()]


@pytest.fixture
def center_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The override folder of center "zztest" in a workspace of its own, made the current
    folder: the tests never write into the repository's templates."""
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "templates" / "centers" / "zztest"


def test_third_center_in_existing_region_needs_yaml_only(tmp_path: Path) -> None:
    source = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
    new = tmp_path / "quanzhou-2022.yaml"
    new.write_text(source.replace("厦门市住房公积金中心", "泉州市住房公积金中心"), encoding="utf-8")
    text = text_of(new)
    assert "泉州市住房公积金中心部门2022年收入预算为2735.83万元" in text
    assert "厦门市住房公积金中心" not in text


def test_center_override_changes_one_sentence_and_nothing_else(center_folder: Path,
                                                                tmp_path: Path) -> None:
    data = tmp_path / "zztest-2022.yaml"
    shutil.copy(DATA / "xiamen-2022.yaml", data)
    before = sentences(text_of(data))
    (center_folder / "parts").mkdir(parents=True)
    (center_folder / "parts" / "explanation.html.j2").write_text(
        '{% extends "region/parts/explanation.html.j2" %}\n'
        "{% block procurement %}\n"
        '{{ outline.h(2, "政府采购情况") }}\n'
        "<p>本中心{{ f.year }}年政府采购预算合计{{ f.procurement.total|amount }}。</p>\n"
        "{% endblock %}\n", encoding="utf-8")
    after = sentences(text_of(data))
    removed = [s for s in before if s not in after]
    added = [s for s in after if s not in before]
    assert added == ["本中心2022年政府采购预算合计123.12万元"]
    assert len(removed) == 1 and removed[0].startswith("2022年厦门市住房公积金中心部门政府采购预算总额")
    # The Fujian-only sentences still come from the region the center extends.
    assert any("不含市对区转移支付项目" in s for s in after)


def test_misspelt_name_in_a_template_fails_the_build(center_folder: Path, tmp_path: Path) -> None:
    data = tmp_path / "zztest-2022.yaml"
    shutil.copy(DATA / "xiamen-2022.yaml", data)
    (center_folder / "parts").mkdir(parents=True)
    (center_folder / "parts" / "explanation.html.j2").write_text(
        '{% extends "region/parts/explanation.html.j2" %}\n'
        "{% block procurement %}<p>{{ f.procurment.total }}</p>{% endblock %}\n", encoding="utf-8")
    with pytest.raises(BudgetError) as raised:
        text_of(data)
    [problem] = raised.value.problems
    # Located in the override itself, at the line that misspells the name.
    assert Path(problem.file).resolve() == (center_folder / "parts" / "explanation.html.j2").resolve()
    assert (problem.line, problem.code) == (2, "E810")
    assert "procurment" in problem.message


def test_templates_use_only_documented_names() -> None:
    for region in ("fujian", "jiangxi"):
        env = environment(load_region(region))
        for name in env.list_templates(filter_func=lambda n: n.endswith(".j2")):
            source = env.loader.get_source(env, name)[0]  # type: ignore[union-attr]
            tree = env.parse(source)
            # Names a template assigns itself ({% set %}, {% import %}) are its own business;
            # Jinja's analysis counts them as undeclared inside blocks.
            own = {n.target.name for n in tree.find_all(nodes.Assign)  # type: ignore[attr-defined]
                   if isinstance(n.target, nodes.Name)}
            own |= {n.target for n in tree.find_all(nodes.Import)}
            own |= {n.name for n in tree.find_all(nodes.Macro)}
            used = meta.find_undeclared_variables(tree) - own
            assert used <= set(CONTEXT), f"{region}:{name} uses undocumented {used - set(CONTEXT)}"


def test_data_text_cannot_inject_markup(edited) -> None:  # type: ignore[no-untyped-def]
    data = edited("xiamen-2022.yaml", ("非在编雇用人员经费支出增加", "<script>alert(1)</script>"))
    checked = check_file(data)
    f = compute(checked.budget)  # type: ignore[arg-type]
    html = render_html(f, checked.resolved, build_tables(f, checked.resolved))  # type: ignore[arg-type]
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_center_renames_a_table_header_by_settings_only(center_folder: Path, tmp_path: Path) -> None:
    """A table declaration's wording is overridable per center without code."""
    data = tmp_path / "zztest-2022.yaml"
    shutil.copy(DATA / "xiamen-2022.yaml", data)
    center_folder.mkdir(parents=True)
    (center_folder / "region.yaml").write_text(
        "header_labels: {general: {人员经费: 人员支出}}\ntable_titles: {general: 一般公共预算支出预算表}\n",
        encoding="utf-8")
    checked = check_file(data)
    tables = {t.key: t for t in build_tables(compute(checked.budget), checked.resolved)}  # type: ignore[arg-type]
    general = tables["general"]
    assert general.title == "一般公共预算支出预算表"
    assert "人员支出" in [h.text for h in general.header] and "人员经费" not in [h.text for h in general.header]
    assert "人员经费" in [h.text for h in tables["basic_economic"].header]  # other tables untouched


@pytest.mark.parametrize("sample", sorted(p.name for p in DATA.glob("*.yaml")))
def test_every_id_of_a_document_is_unique(sample: str) -> None:
    """A contents entry links to its heading by id: an id given twice (深圳's unnumbered
    表格部分 after 第九部分 both took "s9") sends the link to the wrong page."""
    from budgetreport.publish.build import prepare

    ids = re.findall(r'\sid="([^"]+)"', prepare(check_file(DATA / sample)).html)
    assert ids and len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
