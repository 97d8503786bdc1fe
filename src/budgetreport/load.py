"""Stage 1: read a YAML budget file into plain data plus a map from data path to line.

ruamel.yaml's round-trip loader keeps the position of every key and list item, so that
schema errors and failed accounting rules can name the line the user edited.
Floats are read from their source text as `Decimal`: money never passes through float.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from .problems import BudgetError, Loc, Problem, display_path, os_reason


class _DecimalConstructor(RoundTripConstructor):
    """Floats become exact Decimals; dates stay text so the model reports a bad one
    (2022-02-30) with its line instead of the YAML parser failing without one."""

    def construct_yaml_float(self, node: Any) -> Decimal | str:  # type: ignore[override]
        text = str(node.value).replace("_", "")
        try:
            value = Decimal(text)
        except ArithmeticError:
            return text
        return value if value.is_finite() else text  # .inf / .nan: not an amount

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> str:  # type: ignore[override]
        return str(node.value)


_DecimalConstructor.add_constructor("tag:yaml.org,2002:float", _DecimalConstructor.construct_yaml_float)
_DecimalConstructor.add_constructor("tag:yaml.org,2002:timestamp",
                                    _DecimalConstructor.construct_yaml_timestamp)


@dataclass(frozen=True)
class Source:
    """A loaded file: its plain data and where each piece of it stands."""

    path: Path
    name: str  # as shown in messages
    text: str  # the file as read
    data: Any
    lines: dict[Loc, tuple[int, int]]

    def locate(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the value at `loc`, or of its nearest enclosing value."""
        for end in range(len(loc), -1, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return (1, 1)

    def problem(self, code: str, message: str, loc: Loc = (), **kw: Any) -> Problem:
        line, col = self.locate(loc)
        return Problem(self.name, line, col, code, message, **kw)


def read(path: Path, content: bytes | None = None, name: str | None = None) -> Source:
    """Load `path`, or `content` standing for it (e.g. a file from git history, shown in
    messages as `name`): the path still tells which center's templates apply."""
    name = name or display_path(path)
    try:
        text = (path.read_bytes() if content is None else content).decode("utf-8")
    except FileNotFoundError:
        raise BudgetError([Problem(name, 0, 0, "E001", "文件不存在")]) from None
    except UnicodeDecodeError:
        raise BudgetError([Problem(name, 0, 0, "E002", "文件不是 UTF-8 编码的文本")]) from None
    except OSError as exc:
        raise BudgetError([Problem(name, 0, 0, "E003", f"无法读取文件：{os_reason(exc)}")]) from None
    yaml = YAML(typ="rt")
    yaml.Constructor = _DecimalConstructor
    try:
        tree = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "格式错误"
        raise BudgetError([Problem(name, line, col, "E004",
                                   f"YAML 语法错误（第{line}行第{col}列）：{what}")]) from None
    if not isinstance(tree, CommentedMap):
        raise BudgetError([Problem(name, 1, 1, "E005", "文件内容应为键值结构（YAML 映射）")])
    lines: dict[Loc, tuple[int, int]] = {(): (1, 1)}
    return Source(path, name, text, _plain(tree, (), lines), lines)


def _plain(node: Any, loc: Loc, lines: dict[Loc, tuple[int, int]]) -> Any:
    """Copy the ruamel tree into plain dicts and lists, recording positions (1-based)."""
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            try:
                line, col = node.lc.key(key)
            except KeyError:  # a key brought in by a merge (<<: *anchor) has no own position
                line, col = node.lc.line, node.lc.col
            lines[loc + (str(key),)] = (line + 1, col + 1)
            out[str(key)] = _plain(value, loc + (str(key),), lines)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            line, col = node.lc.item(i)
            lines[loc + (i,)] = (line + 1, col + 1)
            items.append(_plain(value, loc + (i,), lines))
        return items
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    return node
