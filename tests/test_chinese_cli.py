"""Every command's help and a set of wrong invocations read as Chinese.

Commands are discovered from the click group, so a command added later is covered without
touching this file: its `--help`, an unknown option, each option without its value, a bad
choice, a bad number, a missing argument, a path that does not exist and a folder where a
file is expected are all generated from its declaration.
"""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from budgetreport.commands.chinese_cli import CLICK_MESSAGES, translate
from budgetreport.commands.cli import EXAMPLES, main
from budgetreport.common.columns import width, wrap
from budgetreport.inputs.region import known_regions
from conftest import DATA, ROOT

# Words that are names, not English sentences: formats, products, the program itself.
NAMES = {"budgetreport", "PDF", "Excel", "HTML", "JSON", "Schema", "YAML", "UTF", "git", "HEAD",
         "CPU", "UUID", "Noto", "CJK", "quanzhou", "Ctrl", "Tab"}
NAMES |= set(known_regions())  # region names, base included
NAMES |= {p.stem.rsplit("-", 1)[0] for p in DATA.glob("*.yaml")}

OPTION = r"(?<![\w/])--?[A-Za-z][\w-]*"
PATHLIKE = r"[^\s，。；：、“”（）]*(?:/|\.(?:ya?ml|pdf|xlsx|html|json|j2|css)\b)[^\s，。；：、“”（）]*"
RAW_PATH = r"（[A-Za-z_][\w.\[\]′]*）"  # a data path in brackets, after its Chinese words
CODE = r"\b[A-Z]\d{3}\b"


def english_words(line: str, allowed: set[str]) -> list[str]:
    """Runs of two or more Latin letters left after removing option names, paths, codes,
    raw data paths in brackets, names and the user's own arguments."""
    for pattern in (RAW_PATH, PATHLIKE, OPTION, CODE):
        line = re.sub(pattern, " ", line)
    names = NAMES | {path[-1] for path, _ in commands()}  # and the commands themselves
    return [w for w in re.findall(r"[A-Za-z]{2,}", line) if w not in names | allowed]


def commands(group: click.Group = main, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    out: list[tuple[tuple[str, ...], click.Command]] = []
    for name, command in sorted(group.commands.items()):
        out.append(((*path, name), command))
        if isinstance(command, click.Group):
            out += commands(command, (*path, name))
    return out


def wrong_invocations(tmp: Path) -> list[list[str]]:
    """Invocations that click must refuse while parsing (so no command actually runs)."""
    missing = str(tmp / "不存在" / "x.yaml")
    out = [["nope"], ["chek"], ["--bogus"], ["-x"]]
    for path, command in commands():
        name = list(path)
        out.append([*name, "--bogus"])
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        if any(p.required for p in command.params):
            out.append(name)
        if arguments and all(p.nargs == 1 for p in arguments):
            out.append([*name, *(["a"] * (len(arguments) + 1))])
        for p in command.params:
            if isinstance(p, click.Option) and (p.is_flag or p.count or p.hidden
                                                or getattr(p, "_flag_needs_value", False)):
                continue
            given = [p.opts[0]] if isinstance(p, click.Option) else []
            if given:
                out.append([*name, *given])
            kind = p.type
            if isinstance(kind, click.Choice):
                out.append([*name, *given, "不存在的值"])
            if isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
                out.append([*name, *given, "abc"])
                if isinstance(kind, click.types._NumberRangeBase) and kind.min is not None:
                    out.append([*name, *given, str(kind.min - 1)])
            if isinstance(kind, click.Path) and kind.exists:
                out.append([*name, *given, missing])
                if not kind.dir_okay:
                    out.append([*name, *given, str(tmp)])
                if not kind.file_okay:
                    out.append([*name, *given, str(DATA / "xiamen-2022.yaml")])
    return out


def _check_chinese(args: list[str], output: str) -> None:
    allowed = {w for a in args for w in re.findall(r"[A-Za-z]{2,}", a)}
    bad = [(line, words) for line in output.splitlines() if (words := english_words(line, allowed))]
    assert not bad, f"English in `budgetreport {' '.join(args)}`:\n" + "\n".join(
        f"  {line!r}: {words}" for line, words in bad)


def run(args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, args, prog_name="budgetreport")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"`budgetreport {' '.join(args)}` raised {result.exception!r}")
    return result.exit_code, result.output


def test_every_help_page_is_chinese(tmp_path, monkeypatch):
    pages = [[], ["--help"], ["-h"]] + [[*path, "--help"] for path, _ in commands()]
    for args in pages:
        code, output = run(args, tmp_path, monkeypatch)
        assert code in (0, 2), (args, output)
        assert output.startswith("用法：budgetreport"), (args, output)
        _check_chinese(args, output)
        # lines fit an 80-column terminal, Chinese counted as two columns (examples excepted)
        wide = [line for line in output.splitlines()
                if width(line) > 80 and not line.lstrip().startswith("budgetreport ")]
        assert not wide, (args, wide)
        if "命令：" in output:  # the list of commands: summaries are whole sentences, not cut
            assert "..." not in output.split("命令：")[1].split("示例：")[0], output


def test_every_wrong_invocation_is_refused_in_chinese(tmp_path, monkeypatch):
    invocations = wrong_invocations(tmp_path)
    assert len(invocations) > 30  # the generator found the commands and their parameters
    for args in invocations:
        code, output = run(args, tmp_path, monkeypatch)
        assert code == 2, (args, output)
        assert output.startswith("用法：budgetreport") and "\n错误：" in output, (args, output)
        _check_chinese(args, output)


@pytest.mark.parametrize("args", [
    ["check", "missing.yaml"],
    ["check", "empty"],
    ["check", "folder.yaml"],
    ["check", "folder.yaml", "empty"],
    ["build", "-o", "out", "missing.yaml"],
    ["templates", "folder.yaml"],
    ["diff", "missing.yaml", "missing.yaml"],
    ["diff", "folder.yaml", "folder.yaml"],
    ["diff", "NOREV:data/xiamen-2022.yaml", "folder.yaml"],
    ["schema", "-o", "empty"],
    ["new", "--year", "2023"],
    ["new", "--from", "empty", "--year", "2023"],
    ["new", "--region", "fujian", "--name", "测试中心", "--year", "2022", "-o", "empty"],
    ["new", "--region", "nowhere", "--name", "测试中心", "--year", "2022", "-o", "x-2022.yaml"],
])
def test_wrong_paths_and_values_are_explained_in_chinese(args, tmp_path, monkeypatch):
    (tmp_path / "empty").mkdir()
    (tmp_path / "folder.yaml").mkdir()
    code, output = run(args, tmp_path, monkeypatch)
    assert code in (1, 2), (args, output)
    assert output.strip()
    _check_chinese(args, output)


@pytest.mark.parametrize("text", [
    "a: [1, 2\n", "a: b: c\n", "a:\n\t- b\n", 'a: "abc\n', "a:\n  b: 1\n c: 2\n", "a: 1\na: 2\n",
    'a: "\\q"\n', "a: @x\n", "a:\n  - b\n  c\n", "a: *x\n", "a: {b: 1\n", "a: 1\n---\nb: 2\n",
    "a: [\n", "a:\n  - 1\n  b: 2\n",
])
def test_yaml_syntax_errors_are_explained_in_chinese(text, tmp_path, monkeypatch):
    (tmp_path / "broken-2022.yaml").write_text(text, encoding="utf-8")
    code, output = run(["check", "broken-2022.yaml"], tmp_path, monkeypatch)
    assert code == 1 and "[E004]" in output, output
    assert "格式不符合 YAML 语法" not in output, output  # each has its own explanation
    _check_chinese(["check", "broken-2022.yaml"], output)


def test_the_detector_catches_english():
    assert english_words("Error: No such command 'nope'.", set()) == ["Error", "No", "such", "command", "nope"]
    assert english_words("用法：budgetreport check [选项] 路径...", set()) == []
    assert english_words("支出第7项（2210302 住房公积金管理）的公用经费（spending[7].public）", set()) == []
    assert english_words("  -o, --output 文件夹  输出到 output/xiamen-2022/。", set()) == []


def test_every_click_message_has_a_translation_with_the_same_fields():
    for english, chinese in CLICK_MESSAGES.items():
        fields = set(re.findall(r"\{(\w+)", english))
        assert fields == set(re.findall(r"\{(\w+)", chinese)), english
        assert not re.search(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}|UUID", "", chinese)), chinese


def test_translate_fills_in_the_values():
    assert translate("'x' is not 'pdf/a-3b'.") == "“x”不是可选的值 pdf/a-3b。"
    assert translate("0 is not in the range x>=1.") == "0 超出允许的范围（取值≥1）。"
    assert translate("File '/tmp' is a directory.") == "文件“/tmp”是一个文件夹，这里应为文件。"
    assert translate("已是中文的消息") == "已是中文的消息"


def test_wrap_counts_chinese_as_two_columns():
    lines = wrap("输出文件夹；每个数据文件写入 <输出文件夹>/<文件名>/。", 30)
    assert all(sum(2 if ord(c) > 0x2E80 else 1 for c in x) <= 30 for x in lines[:-1])
    assert "".join(lines).replace(" ", "") == "输出文件夹；每个数据文件写入<输出文件夹>/<文件名>/。"
    assert not any(x.startswith(("。", "，", ">")) for x in lines)


def test_help_examples_come_from_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    everyday = readme.split("## Everyday use", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    normalise = " ".join
    shown = {normalise(line.replace("$B", "budgetreport", 1).split())
             for line in everyday.splitlines() if line.startswith("$B ")}
    examples = [line for line in EXAMPLES.splitlines() if line.strip()]
    assert examples
    for line in examples:
        assert normalise(line.split()) in shown, line
    _, output = CliRunner().invoke(main, ["check", "--help"]).exit_code, \
        CliRunner().invoke(main, ["check", "--help"]).output
    assert "示例：" in output and "budgetreport check data/xiamen-2022.yaml" in output


def test_every_yaml_explanation_formats_and_is_chinese():
    from budgetreport.inputs.yaml_words import _PROBLEMS, reason

    for pattern, chinese in _PROBLEMS:
        text = chinese.format(*["x"] * re.compile(pattern).groups)
        assert not english_words(text, {"x"}), text
    assert not english_words(reason("some message ruamel may add one day"), set())
