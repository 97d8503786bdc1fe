"""The hostile corpus (tests/hostile_corpus.py) through the installed command, as a user runs it.

Every case is checked in one `budgetreport check` of a folder (a folder run must go on after
each failing file), then each result is held to the promises: no traceback, every line
Chinese and naming its file (with the line where the problem has one), the case refused or
accepted as it must be, the exit status README gives.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from budgetreport.common.problems import visible
from conftest import Reported, reported
from hostile_corpus import DataCase, data_cases
from test_chinese_cli import english_words

CLI = Path(sys.executable).with_name("budgetreport")
CASES = data_cases()


@dataclass(frozen=True)
class Run:
    status: int
    stdout: str
    stderr: str


MEMORY = 2 * 1024**3  # address space: an input that would take more must be refused first


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> Run:
    """The installed command in a process of its own (its own session, so a signal sent to
    its process group reaches no one else), with at most `MEMORY` of address space."""
    done = subprocess.run([str(CLI), *map(str, args)], cwd=cwd, capture_output=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, start_new_session=True, check=False,
                          preexec_fn=_limited)
    return Run(done.returncode, done.stdout.decode("utf-8", "backslashreplace"),
               done.stderr.decode("utf-8", "backslashreplace"))


def shown(name: str) -> str:
    """A file name as messages show it: hidden characters (a newline, a right-to-left mark,
    an undecodable byte) written out, so that one message stays one line."""
    return visible(name)


# What a message may quote besides Chinese: a value to type (“general_budget”), a hidden
# character written out (\u202e, U+FFFE), a template tag ({% endif %}) or placeholder ({year}).
QUOTED = re.compile(r"“[\w./\\-]*”|\\u[0-9a-f]{4}|\\U[0-9a-f]{8}|U\+[0-9A-F]{4,6}|\{%[^%]*%\}|\{\w+\}")


def chinese(line: str, allowed: str = "") -> list[str]:
    """English words in `line` other than those the user wrote (`allowed`): a message may
    quote the user's own keys, values and file name."""
    return english_words(QUOTED.sub(" ", line), set(re.findall(r"[A-Za-z]{2,}", allowed)))


def users_words(folder: Path, case: DataCase) -> str:
    path = folder / case.name
    try:
        return path.read_bytes().decode("utf-8", "ignore") if path.is_file() else ""
    except OSError:
        return ""


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Run]:
    home = tmp_path_factory.mktemp("hostile")
    folder = home / "corpus"
    folder.mkdir()
    for case in CASES:
        case.make(folder / case.name)
    return home, run("check", "corpus", cwd=home)


def _mine(result: Run, case: DataCase) -> tuple[list[str], list[Reported], bool]:
    prefix = f"corpus/{shown(case.name)}"
    lines = [line for line in result.stderr.splitlines() if line.startswith(prefix + ":")]
    problems = [r for r in reported("\n".join(lines))]
    passed = f"{prefix}：通过校验" in result.stdout
    return lines, problems, passed


def test_the_folder_run_keeps_its_promises(checked: tuple[Path, Run]) -> None:
    _, result = checked
    assert "Traceback" not in result.stderr, result.stderr[:5000]
    assert result.status == 1
    names = tuple(f"corpus/{shown(c.name)}" for c in CASES)
    failed = 0
    for line in result.stderr.splitlines():
        if m := re.fullmatch(r"(\d+) 个文件未通过校验。", line):
            failed = int(m[1])
            continue
        assert line.startswith(names), f"a line that names no file: {line!r}"
    refused = [c for c in CASES if _mine(result, c)[1] and not _mine(result, c)[2]]
    assert failed == len(refused)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(checked: tuple[Path, Run], case: DataCase) -> None:
    home, result = checked
    lines, problems, passed = _mine(result, case)
    assert passed or problems, f"{case.id}: neither passed nor reported"
    if case.refused is True:
        assert not passed and any(not p.warning for p in problems), lines
    elif case.refused is False:
        assert passed, lines
    if case.codes:
        assert any(p.code in case.codes for p in problems), lines
    if case.line is not None:
        assert any(p.line == case.line for p in problems), (case.line, lines)
    if case.located:
        assert all(p.line > 0 for p in problems), lines
    for line in lines:
        assert len(line) < 2000, line[:200]
        allowed = case.quoted + case.name + users_words(home / "corpus", case)
        assert not chinese(line.split(":", 1)[1], allowed), (line, chinese(line, allowed))
    assert len(lines) <= 101, f"{len(lines)} lines for one file"  # 100 and how many more
