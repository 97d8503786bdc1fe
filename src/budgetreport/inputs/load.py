"""Stage 1: read a YAML budget file into plain data plus a map from data path to line.

ruamel.yaml's round-trip loader keeps the position of every key and list item, so that
schema errors and failed accounting rules can name the line the user edited.
Floats are read from their source text as `Decimal`: money never passes through float.

The file is untrusted: its size, nesting depth and the size of its content after aliases
are expanded are bounded, control characters are reported with line and column, and every
tag other than the plain YAML types (`!!python/…`, `!!omap`, `!custom`) is refused with its
line. An integer written other than in plain decimal digits (`0xAAF`, `030101`) is kept as
`NumberText`, so the model can refuse it as an amount or as a code that lost its zero.

Two readers give the same result. The fast one (`fast_read`) builds the plain data directly from
libyaml's parse events (ruamel.yaml.clib), positions included; it takes only plain files —
no anchors, aliases, tags, directives, merge keys, complex or repeated keys — and hands
anything else, and every file with an error, to ruamel's round-trip loader, which says what
is wrong in its well-tested words. `tests/test_load.py` holds the two to the same output.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.composer import Composer
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)
from ruamel.yaml.resolver import VersionedResolver

try:  # libyaml's parser; without it (PyPy, a wheel-less platform) every file goes the slow way
    from ruamel.yaml.cyaml import CParser
except ImportError:  # pragma: no cover
    CParser = None

from ..common.bounds import DATA_BYTES, NotRegular, read_regular
from ..common.problems import BudgetError, Loc, Problem, display_path, os_reason
from . import yaml_words

MAX_BYTES = DATA_BYTES  # the samples are ~25 kB
MAX_DEPTH = 40  # nesting of mappings and lists (the model needs about 10)
MAX_VALUES = 200_000  # values after aliases are expanded
# What YAML itself refuses (the complement of its printable set: C0 and C1 controls but tab,
# newlines and NEL, surrogates, U+FFFE/FFFF), … and the bidirectional overrides
# (U+202A–202E, U+2066–2069), which reorder text invisibly. Written as the characters refused,
# not as a negated printable set, which takes milliseconds to compile.
NON_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff"
                           "\u202a-\u202e\u2066-\u2069]")
PLAIN_TAGS = frozenset(f"!!{t}" for t in (
    "str", "int", "float", "bool", "null", "timestamp", "map", "seq", "merge"))
DECIMAL_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")


class NumberText(str):
    """An integer as written when that is not plain decimal digits: "0xAAF", "030101"."""


class _Refused(YAMLError):
    def __init__(self, line: int, column: int, message: str) -> None:
        super().__init__(message)
        self.line, self.column, self.message = line, column, message


class _CheckedComposer(Composer):
    """Refuses tags other than the plain YAML types, where they are written."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        node = super().compose_node(parent, index)
        tag = str(getattr(node.tag, "value", node.tag)).replace("tag:yaml.org,2002:", "!!")
        if tag not in PLAIN_TAGS:
            mark = node.start_mark
            raise _Refused(mark.line + 1, mark.column + 1,
                           f"不支持的 YAML 标签“{tag}”：数据文件只能使用文字、数字、日期、列表和键值")
        return node


class _DecimalConstructor(RoundTripConstructor):
    """Floats become exact Decimals; dates stay text so the model reports a bad one
    (2022-02-30) with its line instead of the YAML parser failing without one."""

    def construct_yaml_float(self, node: Any) -> Decimal | str:  # type: ignore[override]
        return _float(str(node.value))

    def construct_yaml_timestamp(self, node: Any, values: Any = None) -> str:  # type: ignore[override]
        return str(node.value)

    def construct_yaml_int(self, node: Any) -> int | str:  # type: ignore[override]
        return _int(str(node.value))


def _float(text: str) -> Decimal | str:
    text = text.replace("_", "")
    try:
        value = Decimal(text)
    except ArithmeticError:
        return text
    return value if value.is_finite() else text  # .inf / .nan: not an amount


def _int(text: str) -> int | str:
    return int(text) if DECIMAL_INT.fullmatch(text) and len(text) < 100 else NumberText(text)

_DecimalConstructor.add_constructor("tag:yaml.org,2002:float", _DecimalConstructor.construct_yaml_float)
_DecimalConstructor.add_constructor("tag:yaml.org,2002:int", _DecimalConstructor.construct_yaml_int)
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
        return Problem(self.name, line, col, code, message, loc=loc, **kw)


def _unclosed_at(text: str, opened: int, found: int) -> tuple[int, int]:
    """Where a bracket opened on line `opened` should have closed, the parser noticing only at
    line `found`: the end of the last line with content before `found` (not before `opened`)."""
    lines = text.splitlines()
    for n in range(min(found, len(lines) + 1) - 1, opened - 1, -1):
        content = lines[n - 1].split(" #")[0].rstrip()
        if content and not content.lstrip().startswith("#"):
            return n, len(content) + 1
    return found, 1


def read(path: Path, content: bytes | None = None, name: str | None = None) -> Source:
    """Load `path`, or `content` standing for it (e.g. a file from git history, shown in
    messages as `name`): the path still tells which center's templates apply."""
    name = name or display_path(path)
    raw = content if content is not None else read_bytes(path, name)
    text, _tree, data, lines = parse(raw, name)
    if not isinstance(data, dict):
        raise BudgetError([Problem(name, 1, 1, "E005", "文件内容应为键值结构（YAML 映射）")])
    return Source(path, name, text, data, lines)


def read_bytes(path: Path, name: str, what: str = "数据文件") -> bytes:
    """The bytes of a user's file, within MAX_BYTES; BudgetError (E001, E003, E006) otherwise."""
    def refuse(code: str, message: str) -> BudgetError:
        return BudgetError([Problem(name, 0, 0, code, message)])

    try:
        if (size := os.stat(path).st_size) > MAX_BYTES and stat.S_ISREG(os.stat(path).st_mode):
            raise refuse("E006", f"文件有 {size:,} 字节，超过{what}的上限 {MAX_BYTES:,} 字节")
        raw = read_regular(path, MAX_BYTES)  # a FIFO is not waited for, a device not read
    except FileNotFoundError:
        raise refuse("E001", "文件不存在") from None
    except NotRegular as exc:
        raise refuse("E003", f"{exc.strerror}，无法作为{what}读取") from None
    except OSError as exc:
        raise refuse("E003", f"无法读取文件：{os_reason(exc)}") from None
    if len(raw) > MAX_BYTES:
        raise refuse("E006", f"文件超过{what}的上限 {MAX_BYTES:,} 字节")
    return raw


def parse(raw: bytes, name: str, top: str = "Mapping") -> tuple[str, Any, Any, Lines]:
    """A user's YAML (data, settings, catalogue, glossary) read as untrusted: text, the
    round-trip tree (None when the fast reader took it), plain data and positions.
    BudgetError (E002, E004, E006–E010, E014) with line and column where there is one."""
    def refuse(code: str, message: str, line: int = 0, column: int = 0) -> BudgetError:
        return BudgetError([Problem(name, line, column, code, message)])

    if len(raw) > MAX_BYTES:
        raise refuse("E006", f"文件有 {len(raw):,} 字节，超过上限 {MAX_BYTES:,} 字节")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(raw[: exc.start].decode("utf-8", "replace"))
        raise refuse("E002", f"文件不是 UTF-8 编码的文本（第{line}行第{column}列的字节无法识别；"
                     "请用 UTF-8 另存）", line, column) from None
    if bad := list(NON_PRINTABLE.finditer(text))[:5]:
        found = []
        for m in bad:
            line, column = _position(text[: m.start()])
            found.append(Problem(name, line, column, "E007", f"第{line}行第{column}列有不可见的控制字符 "
                                 f"U+{ord(m.group(0)):04X}（多为复制粘贴带入），请删除"))
        raise BudgetError(found)
    fast = fast_read(text, top)
    if fast is not None:
        return (text, None, *fast)
    yaml = YAML(typ="rt")
    yaml.Composer = _CheckedComposer
    yaml.Constructor = _DecimalConstructor
    yaml.max_depth = MAX_DEPTH  # type: ignore[assignment]
    try:
        tree = yaml.load(text)
    except _Refused as exc:
        raise refuse("E008", exc.message, exc.line, exc.column) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        if "maximum depth" in str(exc.problem):
            raise refuse("E009", f"嵌套超过 {MAX_DEPTH} 层（第{line}行）", line, col) from None
        if re.match(r"expected ',' or '[\]}]'", str(exc.problem)) and exc.context_mark and mark \
                and mark.line > exc.context_mark.line:
            line, col = _unclosed_at(text, exc.context_mark.line + 1, line)
        raise refuse("E004", f"YAML 语法错误（第{line}行第{col}列）：{yaml_words.reason(exc.problem)}",
                     line, col) from None
    except (YAMLError, ValueError, RecursionError) as exc:
        raise refuse("E004", f"YAML 格式无法读取：{yaml_words.reason(getattr(exc, 'problem', None))}") from None
    try:
        data, lines = located(tree)
    except _Refused as exc:
        code = "E010" if "别名" in exc.message else "E014"
        raise refuse(code, exc.message, exc.line, exc.column) from None
    return text, tree, data, lines


Lines = dict[Loc, tuple[int, int]]  # data path → 1-based (line, column)


def located(tree: Any) -> tuple[Any, Lines]:
    """A round-trip tree as plain data and the position of every key and item. Raises
    YAMLError if aliases expand it beyond `MAX_VALUES`."""
    lines: Lines = {(): (1, 1)}
    return _plain(tree, (), lines, [MAX_VALUES]), lines


def _position(before: str) -> tuple[int, int]:
    """1-based line and column of the character after `before`."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _plain(node: Any, loc: Loc, lines: dict[Loc, tuple[int, int]], budget: list[int]) -> Any:
    """Copy the ruamel tree into plain dicts and lists, recording positions (1-based).
    `budget` counts the values left: aliases may repeat a part many times over."""
    budget[0] -= 1
    if budget[0] < 0:
        line, column = lines.get(loc, (0, 0))
        raise _Refused(line, column, f"展开别名（*名称）后内容超过 {MAX_VALUES:,} 项，已拒绝")
    if isinstance(node, CommentedMap):
        out = {}
        for key, value in node.items():
            try:
                line, col = node.lc.key(key)
            except (KeyError, TypeError):  # a key brought in by a merge (<<: *anchor) has no
                line, col = node.lc.line, node.lc.col  # own position
            if not isinstance(key, str | int) or isinstance(key, bool):
                raise _Refused(line + 1, col + 1, "键应为文字（字段名或科目编码），"
                               "而不是列表、键值、日期、true/false 或空值")
            lines[loc + (str(key),)] = (line + 1, col + 1)
            out[str(key)] = _plain(value, loc + (str(key),), lines, budget)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for i, value in enumerate(node):
            line, col = node.lc.item(i)
            lines[loc + (i,)] = (line + 1, col + 1)
            items.append(_plain(value, loc + (i,), lines, budget))
        return items
    if isinstance(node, NumberText):
        return node
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    return node


# --- the fast reader: libyaml's events straight into plain data ------------------------------

_TAG = "tag:yaml.org,2002:"
# The plain-scalar rules of the round-trip loader (YAML 1.2), by first character.
_IMPLICIT = {first: [(str(tag), regexp) for tag, regexp in rules]
             for first, rules in VersionedResolver(version=(1, 2)).versioned_resolver.items()}


class _Slow(Exception):
    """The file needs the round-trip loader (something unusual, or an error to word)."""


def fast_read(text: str, top: str = "Mapping") -> tuple[Any, Lines] | None:
    """Plain data and positions read through libyaml, or None: use the round-trip loader
    (anything unusual, an error, or a top level that is not a mapping — or, with `top`
    "Sequence", not a list)."""
    if CParser is None:
        return None
    parser = CParser(text)
    lines: dict[Loc, tuple[int, int]] = {(): (1, 1)}
    try:
        parser.get_event()  # stream start
        start = parser.get_event()
        if type(start).__name__ != "DocumentStartEvent" or start.version or start.tags:
            return None
        first = parser.get_event()
        if type(first).__name__ != f"{top}StartEvent":
            return None
        data = _node(parser, first, (), lines)
        if type(parser.get_event()).__name__ != "DocumentEndEvent":
            return None
        if type(parser.get_event()).__name__ != "StreamEndEvent":
            return None
    except (_Slow, YAMLError):
        return None
    finally:
        parser.dispose()
    return data, lines


def _node(parser: Any, event: Any, loc: Loc, lines: dict[Loc, tuple[int, int]]) -> Any:
    """The value that starts with `event` (its position already recorded by the caller).
    Written for speed — event types compared by identity, scalars read without a call of
    their own — as it reads every event of every file `check` opens."""
    if event.anchor is not None or event.tag is not None or len(loc) >= MAX_DEPTH - 2:
        raise _Slow
    kind = type(event)
    if kind is ScalarEvent:
        return _scalar(event)
    get = parser.get_event
    if kind is MappingStartEvent:
        out: dict[str, Any] = {}
        while type(key := get()) is not MappingEndEvent:
            if type(key) is not ScalarEvent or key.anchor is not None or key.tag is not None:
                raise _Slow
            name = _scalar(key)
            if not isinstance(name, str) and type(name) is not int:
                raise _Slow  # the round-trip loader refuses a key that is not text (E014)
            name = str(name)
            if name in out:
                raise _Slow  # a repeated key: the round-trip loader refuses it
            here = (*loc, name)
            mark = key.start_mark
            lines[here] = (mark.line + 1, mark.column + 1)
            value = get()
            out[name] = (_scalar(value) if type(value) is ScalarEvent and value.anchor is None
                         and value.tag is None else _node(parser, value, here, lines))
        return out
    if kind is SequenceStartEvent:
        items: list[Any] = []
        while type(item := get()) is not SequenceEndEvent:
            here = (*loc, len(items))
            mark = item.start_mark
            lines[here] = (mark.line + 1, mark.column + 1)
            items.append(_scalar(item) if type(item) is ScalarEvent and item.anchor is None
                         and item.tag is None else _node(parser, item, here, lines))
        return items
    raise _Slow  # an alias


_MERGE = object()
_INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, _MERGE_TAG = (
    _TAG + t for t in ("int", "float", "bool", "null", "timestamp", "merge"))


def _scalar(event: Any) -> Any:
    """A scalar as the round-trip loader (with `_DecimalConstructor`) makes it."""
    value = event.value
    if not event.implicit[0]:  # quoted or block scalar
        return value
    tag = None
    for candidate, regexp in _IMPLICIT.get(value[:1], ()):
        if regexp.match(value):
            tag = candidate
            break
    if tag is None:
        return value
    if tag == _INT:
        return _int(value)
    if tag == _FLOAT:
        return _float(value)
    if tag == _BOOL:
        return value.lower() == "true"
    if tag == _NULL:
        return None
    if tag == _TIMESTAMP:
        return value
    if tag == _MERGE_TAG:
        return _MERGE
    raise _Slow  # "=" and the like
