"""A font setting `build` could not honour is refused by `check`, at the role's own line:
an unknown role, a blank family name, a family that is not installed."""

from __future__ import annotations

import pytest

from conftest import line_of, reported, run_cli

NAME = "  name: 厦门市住房公积金中心\n"


@pytest.mark.parametrize(("family", "code", "words"), [
    ('""', "E801", "字体名为空"), ('"   "', "E801", "字体名为空"),
    ("没有这种字体ZZ", "E800", "未安装字体“没有这种字体ZZ”")], ids=["empty", "blank", "not installed"])
def test_font_that_build_could_not_use_is_refused_by_check_at_its_line(edited, family: str, code: str,
                                                                       words: str) -> None:
    fonts = f"  fonts:\n    title: Noto Serif CJK SC\n    body: {family}\n"
    path = edited("xiamen-2022.yaml", (NAME, NAME + fonts))
    result = run_cli("check", path)
    assert result.exit_code == 1, result.output
    [problem] = reported(result.output)
    assert (problem.code, problem.line) == (code, line_of(path, "    body: ")), result.output
    assert words in problem.message, problem.message


def test_installed_font_passes(edited) -> None:
    path = edited("xiamen-2022.yaml", (NAME, NAME + "  fonts:\n    heading: noto sans cjk sc\n"))
    result = run_cli("check", path)
    assert result.exit_code == 0, result.output
