"""A user's workspace: `init`, discovery from the current folder upwards, and the search order
workspace center → workspace region → built-in region → built-in base for templates, settings,
catalogues and glossary. Each test works in a workspace of its own (the current folder is
changed), never in the repository's."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import DATA, ROOT, line_of, replace_once, run_cli
from test_templates import text_of


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace made by `budgetreport init`, as the current folder."""
    monkeypatch.chdir(tmp_path)
    result = run_cli("init", "ws")
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path / "ws")
    return tmp_path / "ws"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_init_lays_out_a_workspace_whose_example_builds(ws: Path) -> None:
    for folder in ("data", "templates/centers", "templates/regions", "catalogue", "output"):
        assert (ws / folder).is_dir(), folder
    examples = list((ws / "data").glob("*.yaml"))
    assert len(examples) == 1
    assert run_cli("check", examples[0]).exit_code == 0
    result = run_cli("build")  # no paths: the workspace's data/ into its output/
    assert result.exit_code == 0, result.output
    stem = examples[0].stem
    assert (ws / "output" / stem / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")
    assert (ws / "output" / stem / f"{stem}.xlsx").read_bytes().startswith(b"PK")
    # init refuses to lay a workspace over an existing one (usage error).
    again = run_cli("init", ".")
    assert again.exit_code == 2 and "已经是工作区" in again.output


def test_workspace_is_found_from_a_subfolder_and_names_its_folders(ws: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.move(ws / "data", ws / "预算数据")
    write(ws / "budgetreport.yaml", "region: fujian\ndata: 预算数据\noutput: 公开文件\n")
    monkeypatch.chdir(ws / "templates" / "centers")
    result = run_cli("build")
    assert result.exit_code == 0, result.output
    assert list((ws / "公开文件").rglob("*.pdf")), result.output
    assert not (ws / "templates" / "centers" / "output").exists()


def test_unknown_or_malformed_settings_are_refused_with_file_and_line(ws: Path) -> None:
    settings = write(ws / "budgetreport.yaml", "region: fujian\nregoin: jiangxi\noutput: [a, b]\n")
    result = run_cli("check", "data")
    assert result.exit_code == 1
    assert f"budgetreport.yaml:{line_of(settings, 'regoin')}" in result.output
    assert "E033" in result.output and "regoin" in result.output
    assert f"budgetreport.yaml:{line_of(settings, 'output')}" in result.output and "E034" in result.output
    assert "Traceback" not in result.output
    write(ws / "budgetreport.yaml", "region: [unclosed\n")
    result = run_cli("build")
    assert result.exit_code == 1 and "E031" in result.output and "Traceback" not in result.output


def test_build_without_paths_outside_a_workspace_is_a_usage_error(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("build")
    assert result.exit_code == 2 and "init" in result.output


def test_a_new_region_lives_in_the_workspace_only(ws: Path) -> None:
    region = ws / "templates" / "regions" / "zzregion"
    write(region / "region.yaml", "table_titles: {general: 本地区一般公共预算支出表}\n")
    write(region / "parts" / "explanation.html.j2",
          '{% extends "base/parts/explanation.html.j2" %}\n'
          "{% block procurement %}<p>本地区{{ f.year }}年政府采购预算合计{{ f.procurement.total|amount }}。</p>"
          "{% endblock %}\n")
    data = ws / "data" / "zzcenter-2022.yaml"
    data.write_text(replace_once((DATA / "xiamen-2022.yaml").read_text(encoding="utf-8"),
                                 "region: fujian", "region: zzregion"), encoding="utf-8")
    assert run_cli("check", data).exit_code == 0
    text = text_of(data)
    assert "本地区2022年政府采购预算合计123.12万元" in text
    assert "本地区一般公共预算支出表" in text
    assert "不含市对区转移支付项目" not in text  # nothing of Fujian's
    shown = run_cli("templates", data).output
    assert "templates/regions/zzregion/parts/explanation.html.j2" in shown
    assert "templates/regions/zzregion/region.yaml" in shown
    assert "new" in run_cli("new", "--help").output
    made = run_cli("new", "--region", "zzregion", "--name", "某中心", "--year", "2022", "--center", "other")
    assert made.exit_code == 0, made.output


def test_workspace_region_and_center_change_a_builtin_region_block_by_block(ws: Path) -> None:
    """A workspace region extends the built-in region ("builtin/…"); a center extends the
    region as the workspace has it ("region/…"): both changes show, the rest is Fujian's."""
    write(ws / "templates" / "regions" / "fujian" / "parts" / "explanation.html.j2",
          '{% extends "builtin/parts/explanation.html.j2" %}\n'
          "{% block state_capital %}<p>本工作区：国有资本经营预算说明。</p>{% endblock %}\n")
    center = ws / "templates" / "centers" / "xiamen"
    write(center / "parts" / "explanation.html.j2",
          '{% extends "region/parts/explanation.html.j2" %}\n'
          "{% block procurement %}<p>本中心{{ f.year }}年政府采购预算合计{{ f.procurement.total|amount }}。"
          "</p>{% endblock %}\n")
    write(center / "region.yaml", "table_titles: {general: 本中心一般公共预算支出表}\n")
    text = text_of(ws / "data" / "xiamen-2022.yaml")
    assert "本工作区：国有资本经营预算说明" in text
    assert "本中心2022年政府采购预算合计123.12万元" in text
    assert "本中心一般公共预算支出表" in text
    assert "不含市对区转移支付项目" in text  # the built-in Fujian wording is still there
    shown = run_cli("templates", ws / "data" / "xiamen-2022.yaml").output
    folders = shown.split("模板：")[0]
    assert folders.index("templates/centers/xiamen") < folders.index("templates/regions/fujian")
    assert "templates/centers/xiamen/region.yaml" in shown


def test_workspace_catalogue_and_glossary_add_and_correct_entries(ws: Path) -> None:
    data = ws / "data" / "xiamen-2022.yaml"
    data.write_text(replace_once(replace_once(data.read_text(encoding="utf-8"),
                                              "name: 行政单位离退休", "name: 行政单位离退休费"),
                                 "    - 机关运行经费\n", "    - 机关运行经费\n    - 住房公积金\n"),
                    encoding="utf-8")
    before = run_cli("check", data)
    assert before.exit_code == 1 and "R103" in before.output and "R701" in before.output
    write(ws / "catalogue" / "2022.yaml",
          'function:\n  "2080501": {name: 行政单位离退休费, source: 本单位核对的财政部门文件}\n')
    write(ws / "catalogue" / "glossary.yaml",
          "- term: 住房公积金\n  definition: 指单位及其在职职工缴存的长期住房储金。\n  group: null\n")
    after = run_cli("check", data)
    assert after.exit_code == 0, after.output
    text = text_of(data)
    assert "行政单位离退休费" in text
    assert "指单位及其在职职工缴存的长期住房储金" in text
    shown = run_cli("templates", data).output
    assert "catalogue/2022.yaml" in shown.split("科目目录")[1] and "catalogue/glossary.yaml" in shown


def test_incremental_build_sees_workspace_files_it_uses(ws: Path) -> None:
    def statuses() -> str:
        result = run_cli("build")
        assert result.exit_code == 0, result.output
        return result.output

    assert "已生成" in statuses()
    assert "跳过" in statuses()
    write(ws / "notes.txt", "not an input")
    assert "跳过" in statuses()
    changes = [
        (ws / "catalogue" / "2023.yaml", "function: {}\n"),
        (ws / "templates" / "regions" / "fujian" / "region.yaml", "table_titles: {general: 表五}\n"),
        (ws / "templates" / "centers" / "xiamen" / "region.yaml", "table_titles: {general: 表六}\n"),
        (ws / "budgetreport.yaml", "region: jiangxi\n"),
    ]
    for path, text in changes:
        write(path, text)
        assert "已生成" in statuses(), path


def readme_block(after: str, lang: str) -> str:
    """The first ```lang block of README.md after the text `after`, unindented."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split(after, 1)[1].split(f"```{lang}\n", 1)[1].split("```", 1)[0]
    return textwrap.dedent(block)


def test_readme_center_wording_and_catalogue_entry_work_as_shown(ws: Path) -> None:
    """README's own examples, copied into a workspace as a user would."""
    center = readme_block("`templates/centers/quanzhou/parts/explanation.html.j2`", "jinja")
    write(ws / "templates" / "centers" / "quanzhou" / "parts" / "explanation.html.j2", center)
    data = ws / "data" / "quanzhou-2022.yaml"
    shutil.copy(ws / "data" / "xiamen-2022.yaml", data)
    assert "本中心2022年政府采购预算合计123.12万元" in text_of(data)
    assert "本中心" not in text_of(ws / "data" / "xiamen-2022.yaml")  # only that center

    example = readme_block("`budgetreport catalogue FILE` lists", "yaml")
    data_part, catalogue_part = example.split("\n# catalogue/2022.yaml in the workspace")
    catalogue_part = catalogue_part.split("\n", 1)[1]  # after that comment line
    sifa = ws / "data" / "sifa-2022.yaml"
    text = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
    text = replace_once(text, '  - code: "2080501"\n    name: 行政单位离退休',
                        '  - code: "2040201"\n    name: 行政运行')
    names = data_part.split("spending:")[0].split("\n", 1)[1]  # the names: map as README shows it
    sifa.write_text(replace_once(text, "\nspending:\n", f"\n{names}\nspending:\n"), encoding="utf-8")
    before = run_cli("check", "--strict", sifa)
    assert before.exit_code == 1 and "R106" in before.output
    write(ws / "catalogue" / "2022.yaml", catalogue_part)
    after = run_cli("check", "--strict", sifa)
    assert after.exit_code == 0, after.output


def test_templates_lists_a_skeleton_not_filled_in_yet(ws: Path) -> None:
    """`templates` needs only the region and center: a file from `new` (every figure still
    empty) was refused with its E100 list."""
    write(ws / "templates" / "centers" / "mou" / "region.yaml", "text_places: 1\n")
    made = run_cli("new", "--region", "shanghai", "--name", "某某中心", "--year", "2025",
                   "--center", "mou", "-o", "data/mou-2025.yaml")
    assert made.exit_code == 0, made.output
    result = run_cli("templates", "data/mou-2025.yaml")
    assert result.exit_code == 0, result.output
    assert "E100" not in result.output
    assert "templates/centers/mou/region.yaml" in result.output
    assert "regions/shanghai/parts/other.html.j2" in result.output
    assert "2025年科目目录" in result.output


def test_templates_names_an_unknown_region_at_its_line(ws: Path) -> None:
    path = write(ws / "data" / "zz-2025.yaml", "department:\n  name: 某\n  region: shanghia\n")
    result = run_cli("templates", path)
    assert result.exit_code == 1
    assert f"zz-2025.yaml:{line_of(path, 'shanghia')}" in result.output and "E201" in result.output


def test_init_prints_a_next_command_that_works_off_path(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed in a venv that is not activated, "cd 我的预算 && budgetreport build" fails:
    the next command names the program by its path unless PATH finds this very program."""
    program = write(tmp_path / "venv" / "bin" / "budgetreport", "#!/bin/sh\n")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.argv", [str(program)])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    result = run_cli("init", "我的预算")
    assert result.exit_code == 0, result.output
    assert f"cd 我的预算 && {program} build" in result.output
    monkeypatch.setenv("PATH", f"{program.parent}:/usr/bin")
    result = run_cli("init", "第二 工作区")
    assert "cd '第二 工作区' && budgetreport build" in result.output


@pytest.mark.parametrize(("setting", "word"), [
    ("parts: [overview, explanation,\n        glosary, tables]\n", "glosary"),
    ("explanation_sections: [totals, genral_budget]\n", "genral_budget")])
def test_a_misspelt_setting_is_told_at_its_line(ws: Path, setting: str, word: str) -> None:
    """A center's region.yaml naming a part or section no template has was reported at the
    template's line (base/body.html.j2:3), where the user has nothing to change."""
    settings = write(ws / "templates" / "centers" / "xiamen" / "region.yaml", "# 厦门\n" + setting)
    result = run_cli("check", "data/xiamen-2022.yaml")
    assert result.exit_code == 1
    assert f"templates/centers/xiamen/region.yaml:{line_of(settings, word)}: " in result.output
    assert f"“{word}”" in result.output and "E820" in result.output


def test_a_workspace_region_declares_its_own_table_and_check_tells_a_wrong_word(ws: Path) -> None:
    """A 附表 is YAML in the workspace: a center renames a table and adds one of its own; a
    misspelt measure is told by `check` at the declaration's line, before anything is built."""
    center = ws / "templates" / "centers" / "xiamen"
    write(center / "tables" / "general.yaml", "title: 本中心一般公共预算支出表\n")
    write(center / "tables" / "by_project.yaml", textwrap.dedent("""\
        title: "{year}年项目支出表（按功能分类）"
        columns:
          - {label: 科目编码, text: code}
          - {label: 科目名称, text: name}
          - {label: 项目支出, measure: project}
        rows: {source: functional, part: project, total: last, indent: false}
        """))
    write(center / "region.yaml", "tables: [summary, general, by_project]\ntable_label: \"表{n}：\"\n"
                                  "table_numbering: arabic\n")
    data = ws / "data" / "xiamen-2022.yaml"
    assert run_cli("check", data).exit_code == 0
    text = text_of(data)
    assert "表2：本中心一般公共预算支出表" in text and "表3：2022年项目支出表（按功能分类）" in text
    bad = write(center / "tables" / "by_project.yaml",
                (center / "tables" / "by_project.yaml").read_text(encoding="utf-8").replace(
                    "measure: project", "measure: projects"))
    result = run_cli("check", data)
    assert result.exit_code == 1
    assert f"{bad.relative_to(ws)}:5:" in result.output and "未知的度量“projects”" in result.output
    # records of a data section the region does not declare: told at the section's line too
    bad = write(center / "tables" / "by_project.yaml", textwrap.dedent("""\
        title: 采购明细
        columns:
          - {label: 项目, text: name}
        rows: {source: records,
               section: procurement_items}
        """))
    result = run_cli("check", data)
    assert result.exit_code == 1
    assert f"{bad.relative_to(ws)}:5:" in result.output and "没有声明数据段“procurement_items”" in result.output


def test_one_table_per_project_declared_in_a_workspace_builds(ws: Path) -> None:
    center = ws / "templates" / "centers" / "xiamen"
    write(center / "tables" / "per_project.yaml", textwrap.dedent("""\
        title: "{record}绩效目标表"
        each: project
        columns:
          - {label: 一级指标, text: label, width: 9}
          - {label: 二级指标, text: label, width: 10}
          - {label: 三级指标, text: label, width: 23}
          - {label: 指标值, text: label, width: 14}
        rows: {source: project_performance}
        """))
    write(center / "region.yaml", "tables: [summary, per_project]\n")
    data = ws / "data" / "xiamen-2022.yaml"
    result = run_cli("check", data)
    assert result.exit_code == 0, result.output
    text = text_of(data)
    from budgetreport.checks.validate import check_file

    budget = check_file(data).budget
    assert budget is not None and len(budget.projects) > 1
    flat = text.replace("\n", "")
    assert all(f"{p.name}绩效目标表" in flat for p in budget.projects)
