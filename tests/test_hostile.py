"""A hostile and an unlucky user: every bad input or fault ends in a Chinese message with its
file (and line), the exit status README promises, no traceback, earlier outputs intact.

Every hostile file is generated here at test time from a sample (nothing large committed).
"""

from __future__ import annotations

import errno
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from budgetreport.common import files
from conftest import DATA, ROOT, reported, run_cli

X = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
NAME_LINE = "  name: 厦门市住房公积金中心\n"
INCOME_LINE = "  general_budget: 2735.83\n"


def edit(old: str, new: str) -> str:
    assert X.count(old) == 1, old
    return X.replace(old, new)


def nested_aliases() -> str:
    rows = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        rows.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(rows) + "\n"


@dataclass(frozen=True)
class Case:
    id: str
    content: str | bytes
    code: str
    words: tuple[str, ...] = ()
    line: int | None = None  # expected line; None: any line ≥ 1 is fine, 0: no line
    name: str = "xiamen-2022.yaml"


def line_in(text: str, line: str) -> int:
    """1-based number of the only line of `text` equal to `line`."""
    [n] = [i for i, row in enumerate(text.splitlines(), 1) if row == line.rstrip("\n")]
    return n


CASES = [
    Case("alias bomb", nested_aliases(), "E010", ("别名",)),
    Case("deep nesting", "a: " + "[" * 3000 + "]" * 3000 + "\n", "E009", ("嵌套",), 1),
    Case("python tag", "a: !!python/object/apply:os.system ['true']\n", "E008",
         ("!!python/object/apply",), 1),
    Case("custom tag on a list", "a: 1\nb: !custom [1, 2]\n", "E008", ("!custom",), 2),
    Case("omap", "a: !!omap [{x: 1}]\n", "E008", ("!!omap",), 1),
    Case("binary", "a: !!binary aGVsbG8=\n", "E008", ("!!binary",), 1),
    Case("NUL byte", edit(NAME_LINE, "  name: 厦门市住房公积\x00金中心\n"), "E007",
         ("U+0000", "第9行第16列"), 9),
    Case("right-to-left override", edit(NAME_LINE, "  name: 厦门\u202e市\n"), "E007", ("U+202E",), 9),
    Case("U+0001", edit(NAME_LINE, "  name: 厦门市住房公积\x01金中心\n"), "E007", ("U+0001",), 9),
    Case("GB18030 text", X.encode("gb18030"), "E002", ("UTF-8",)),
    Case("too large", X + "#" + "x" * 2_100_000 + "\n", "E006", ("上限",), 0),
    Case("not a mapping", "- 1\n- 2\n", "E005", ("键值",), 1),
    Case("1e308", edit(INCOME_LINE, "  general_budget: 1e308\n"), "R801", ("1 万亿元",),
         line_in(X, INCOME_LINE)),
    Case("1e30 balanced", edit(INCOME_LINE, "  general_budget: 1e30\n").replace(
        "  - code: \"2210201\"", "  - code: \"2210201\"", 1), "R801", ("超出",)),
    Case("three decimals", edit(INCOME_LINE, "  general_budget: 2735.835\n"), "R802",
         ("3 位小数", "unit: 元"), line_in(X, INCOME_LINE)),
    Case("10,000-character name", edit(NAME_LINE, "  name: " + "厦" * 10_000 + "\n"), "R803",
         ("上限",), line_in(X, NAME_LINE)),
    Case("true as a head count", edit("      authorized: 54\n", "      authorized: true\n"), "E100",
         ("整数",), line_in(X, "      authorized: 54")),
    Case("hex amount", edit(INCOME_LINE, "  general_budget: 0xAAF\n"), "E100", ("0xAAF",),
         line_in(X, INCOME_LINE)),
    Case("amount as text", edit(INCOME_LINE, "  general_budget: 两千万\n"), "E100", ("文字",)),
    Case("boolean amount", edit(INCOME_LINE, "  general_budget: false\n"), "E100", ("true/false",)),
    Case("leading zero dropped", edit('  - code: "30101"\n', "  - code: 030101\n"), "E100",
         ("'030101'",), line_in(X, '  - code: "30101"')),
    Case("duplicate economic code", edit('  - code: "30102"\n', '  - code: "30101"\n'), "R104",
         ("重复",), line_in(X, '  - code: "30102"')),
    Case("year 1999", edit("  year: 2022\n", "  year: 1999\n"), "E100", ("2000",)),
    Case("year 2030 in a 2022 file", edit("  year: 2022\n", "  year: 2030\n"), "E012",
         ("2030", "2022"), line_in(X, "  year: 2022")),
    Case("unknown font role", edit(NAME_LINE, NAME_LINE + "  fonts: {sidebar: 仿宋_GB2312}\n"),
         "E801", ("sidebar",), line_in(X, NAME_LINE) + 1),
    Case("dot-dot stem", X, "E011", ("文件名",), 0, name="...yaml"),
    Case("250-byte name", X, "E011", ("文件名",), 0, name="x" * 240 + "-2022.yaml"),
    Case("merge key", "a: &a {x: 1}\nb:\n  <<: *a\n", "E100", ("缺少必填字段",)),
    Case("duplicate key", X + "unit: 元\n", "E004", ("重复",)),
    Case("negative amount", edit(INCOME_LINE, "  general_budget: -5\n"), "E100", ("负数",)),
    Case("tab indentation", edit(NAME_LINE, "\tname: x\n"), "E004", ("Tab",)),
    Case("two documents", X + "---\na: 1\n", "E004", ("---",)),
    Case("stale year in text", edit("  tasks_intro: ", "  tasks_intro: 2019年，"), "R604",
         ("2019年",), X[: X.index("  tasks_intro: ")].count("\n") + 1),
]


def test_a_year_out_of_range_is_told_once_not_again_in_every_text(tmp_path: Path) -> None:
    """The texts name 2022; with the year refused, judging them against 99999999999999999999
    only buried the one real problem under a warning per text."""
    path = tmp_path / "xiamen-2022.yaml"
    path.write_text(edit("  year: 2022\n", "  year: 99999999999999999999\n"), encoding="utf-8")
    result = run_cli("check", path)
    _no_traceback(result)
    assert result.exit_code == 1
    assert [r.code for r in reported(result.output)] == ["E100"], result.output


def _no_traceback(result) -> None:  # type: ignore[no-untyped-def]
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


def _write(tmp_path: Path, case: Case) -> Path:
    path = tmp_path / case.name
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_check_refuses_in_chinese_with_location(tmp_path: Path, case: Case) -> None:
    path = _write(tmp_path, case)
    result = run_cli("check", path)
    _no_traceback(result)
    expected_status = 0 if case.code.startswith("R6") else 1  # R604 is a warning
    assert result.exit_code == expected_status, result.output
    mine = [r for r in reported(result.output) if r.code == case.code]
    assert mine, result.output
    problem = mine[0]
    assert re.search(r"[\u4e00-\u9fff]", problem.message)
    for word in case.words:
        assert any(word in r.message for r in mine), (word, result.output)
    if case.line is not None:
        assert problem.line == case.line, result.output
    assert problem.names(path) or case.code == "E011"


def test_folder_check_goes_on_after_hostile_files_and_sums_up(tmp_path: Path) -> None:
    for case in CASES[:4]:
        _write(tmp_path, Case(case.id, case.content, case.code, name=f"bad{CASES.index(case)}-2022.yaml"))
    (tmp_path / "xiamen-2022.yaml").write_text(X, encoding="utf-8")
    result = run_cli("check", tmp_path)
    _no_traceback(result)
    assert result.exit_code == 1
    assert "xiamen-2022.yaml：通过校验" in result.output
    assert "4 个文件未通过校验" in result.output


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    """Xiamen built once; tests copy this output folder and try to spoil it."""
    out = tmp_path_factory.mktemp("built")
    result = run_cli("build", "-o", out, DATA / "xiamen-2022.yaml")
    assert result.exit_code == 0, result.output
    return out, snapshot(out)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


BUILD_CASES = [c for c in CASES if c.id in ("1e30 balanced", "1e308", "unknown font role", "three decimals",
                                             "10,000-character name", "NUL byte", "alias bomb")]


@pytest.mark.parametrize("case", BUILD_CASES, ids=[c.id for c in BUILD_CASES])
def test_build_refuses_and_keeps_earlier_outputs(tmp_path: Path, built, case: Case) -> None:
    out, before = built
    path = _write(tmp_path, case)
    result = run_cli("build", "-o", out, path)
    _no_traceback(result)
    assert result.exit_code == 1 and case.code in result.output, result.output
    assert "失败" in result.output  # the summary is printed
    assert snapshot(out) == before


def test_dot_dot_stem_writes_nothing_outside_the_output_folder(tmp_path: Path) -> None:
    (tmp_path / "...yaml").write_text(X, encoding="utf-8")
    out = tmp_path / "nest" / "out"
    result = run_cli("build", "-o", out, tmp_path / "...yaml")
    _no_traceback(result)
    assert result.exit_code == 1 and "E011" in result.output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["...yaml"]


def test_output_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    result = run_cli("build", "-o", blocker, DATA / "shangrao-2022.yaml")
    _no_traceback(result)
    assert result.exit_code == 1
    assert "不是文件夹" in result.output and "out" in result.output
    assert blocker.read_text(encoding="utf-8") == "not a folder"


@pytest.mark.parametrize(("error", "words"), [
    (errno.EACCES, "没有读取或写入权限"), (errno.ENOSPC, "磁盘空间不足"),
    (errno.ENAMETOOLONG, "文件名过长"), (errno.EROFS, "只读")])
def test_file_system_faults_are_told_in_chinese(tmp_path: Path, built, monkeypatch, error: int,
                                                 words: str) -> None:
    out, before = built
    data = tmp_path / "xiamen-2022.yaml"
    data.write_text(edit(NAME_LINE, "  name: 厦门市住房公积金管理中心\n"), encoding="utf-8")

    def refuse(path: Path, content: bytes) -> Path:
        raise OSError(error, os.strerror(error), str(path))

    monkeypatch.setattr(files, "_stage", refuse)
    result = run_cli("build", "-o", out, data)
    _no_traceback(result)
    assert result.exit_code == 1 and words in result.output and "xiamen-2022.pdf" in result.output
    assert snapshot(out) == before


def test_diff_html_into_a_folder(tmp_path: Path) -> None:
    result = run_cli("diff", DATA / "xiamen-2022.yaml", DATA / "xiamen-2022.yaml", "--html", tmp_path)
    _no_traceback(result)
    assert result.exit_code == 1 and "文件夹" in result.output, result.output


@pytest.mark.parametrize("command", ["diff", "new", "templates"])
def test_other_commands_report_a_nul_byte(tmp_path: Path, command: str) -> None:
    path = tmp_path / "xiamen-2022.yaml"
    path.write_text(edit(NAME_LINE, "  name: 厦门\x00\n"), encoding="utf-8")
    args: dict[str, list[str | Path]] = {
        "diff": ["diff", DATA / "xiamen-2022.yaml", path],
        "new": ["new", "--from", path, "--year", "2023", "-o", tmp_path / "xiamen-2023.yaml"],
        "templates": ["templates", path]}
    result = run_cli(*args[command])
    _no_traceback(result)
    assert result.exit_code == 1 and "E007" in result.output and "U+0000" in result.output


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace of its own (current folder) with a data file for center "zz"."""
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zz-2022.yaml").write_text(X, encoding="utf-8")
    (tmp_path / "templates" / "centers" / "zz" / "parts").mkdir(parents=True)
    return tmp_path


OVERRIDE = '{% extends "region/parts/explanation.html.j2" %}\n{% block procurement %}\n'
TEMPLATE_CASES = {
    "syntax error": (OVERRIDE + "{{ f.year + }}\n{% endblock %}\n", "E810", 3, "语法"),
    "undefined variable": (OVERRIDE + "{{ nothing_here }}\n{% endblock %}\n", "E810", 3, "nothing_here"),
    "missing attribute": (OVERRIDE + "<p>{{ f.procurment.total }}</p>\n{% endblock %}\n", "E810", 3,
                          "procurment"),
    "missing parent": ('{% extends "region/parts/nothing.html.j2" %}\n', "E810", 1, "nothing.html.j2"),
}


@pytest.mark.parametrize("case", list(TEMPLATE_CASES), ids=list(TEMPLATE_CASES))
def test_check_reports_template_errors_at_the_template_line(workspace: Path, case: str) -> None:
    text, code, line, words = TEMPLATE_CASES[case]
    template = workspace / "templates" / "centers" / "zz" / "parts" / "explanation.html.j2"
    template.write_text(text, encoding="utf-8")
    result = run_cli("check", "zz-2022.yaml")
    _no_traceback(result)
    assert result.exit_code == 1
    [problem] = [r for r in reported(result.output) if r.code == code]
    assert problem.names(template) and problem.line == line and words in problem.message, result.output


@pytest.mark.parametrize(("settings", "line", "words"), [
    ("tables: [summary, nonsense]\n", 1, "nonsense"), ("tables: [summary\n", 1, "YAML"),
    ("- just a list\n", 1, "键值"), ("empty_notes: {summary: '{month}'}\n", 1, "{month}")])
def test_check_reports_broken_center_settings(workspace: Path, settings: str, line: int, words: str) -> None:
    region = workspace / "templates" / "centers" / "zz" / "region.yaml"
    region.write_text(settings, encoding="utf-8")
    result = run_cli("check", "zz-2022.yaml")
    _no_traceback(result)
    assert result.exit_code == 1
    [problem] = [r for r in reported(result.output) if r.code == "E820"]
    assert problem.names(region) and problem.line == line and words in problem.message, result.output


def test_symlinked_template_outside_is_refused(workspace: Path, tmp_path_factory) -> None:
    secret = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    secret.write_text("机密内容", encoding="utf-8")
    (workspace / "templates" / "centers" / "zz" / "parts" / "explanation.html.j2").symlink_to(secret)
    result = run_cli("check", "zz-2022.yaml")
    _no_traceback(result)
    assert result.exit_code == 1 and "符号链接" in result.output and "机密内容" not in result.output


def test_check_imports_neither_weasyprint_nor_openpyxl() -> None:
    probe = ("import sys\nfrom click.testing import CliRunner\nfrom budgetreport.commands.cli import main\n"
             f"r = CliRunner().invoke(main, ['check', {str(DATA / 'xiamen-2022.yaml')!r}])\n"
             "assert r.exit_code == 0, r.output\n"
             "print(sorted(m for m in ('weasyprint', 'openpyxl') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT,
                          check=True)
    assert done.stdout.strip() == "[]"


def test_internal_defect_shows_traceback_and_asks_for_a_report(monkeypatch) -> None:
    from budgetreport.publish import build

    def broken(*args: object, **kwargs: object) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(build, "check_file", broken)
    result = run_cli("check", DATA / "xiamen-2022.yaml")
    assert result.exit_code == 3
    assert "Traceback" in result.output and "请把以上全部信息报告给维护者" in result.output




def test_tables_must_add_up_as_printed(tmp_path: Path) -> None:
    """Two 项 of one 款 entered in 元 so that each rounds up or stays in 万元: the exact sums
    hold (every rule passes), but the printed 项 rows would miss the printed 款 row."""
    from decimal import Decimal

    from ruamel.yaml import YAML

    from conftest import in_yuan

    path = tmp_path / "xiamen-2022.yaml"
    in_yuan("xiamen-2022.yaml", path)
    yaml = YAML(typ="safe", pure=True)
    yaml.representer.add_representer(
        Decimal, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", f"{d:f}"))
    data = yaml.load(path.read_text(encoding="utf-8"))
    lines = {line["code"]: line for line in data["spending"]}
    lines["2080501"]["personnel"] = Decimal(str(lines["2080501"]["personnel"])) + 50  # 23.675 → 23.68
    lines["2080505"]["personnel"] = Decimal(str(lines["2080505"]["personnel"])) - 50  # 99.055 → 99.06
    with path.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)
    result = run_cli("check", path)
    _no_traceback(result)
    assert result.exit_code == 1, result.output
    problems = [r for r in reported(result.output) if r.code == "R804"]
    assert problems and all(r.code == "R804" for r in reported(result.output)), result.output
    assert any("2,735.83" in r.message or "行政事业单位养老支出" in r.message for r in problems), result.output


def test_fingerprint_reads_through_symlinked_folders(workspace: Path) -> None:
    """Files reached through a symbolic link to a folder count in the fingerprint (rglob
    alone skipped them), and a link back up does not loop."""
    from budgetreport.publish.batch import _tree

    center = workspace / "templates" / "centers" / "zz"
    common = workspace / "common"
    common.mkdir()
    (common / "note.html.j2").write_text("x", encoding="utf-8")
    (center / "linked").symlink_to(common)
    (center / "loop").symlink_to(center)
    names = sorted(str(p.relative_to(center)) for p in _tree(center))
    assert names == ["linked/note.html.j2"]


def test_a_pipe_is_not_read(tmp_path: Path) -> None:
    """A named pipe called *.yaml would block a reader forever."""
    pipe = tmp_path / "xiamen-2022.yaml"
    os.mkfifo(pipe)
    result = run_cli("check", tmp_path)
    _no_traceback(result)
    assert result.exit_code == 1 and "E003" in result.output and "管道" in result.output
