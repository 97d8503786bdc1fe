"""The sandbox user templates run in: Jinja's immutable sandbox, plus bounds on every way a
template could build a huge value before it is built.

Jinja's sandbox keeps templates off Python's internals (`f.__class__`) and off changing the
data, and stops `range` at 100,000 turns. What it leaves open — and what this closes — is
size: `'x' * 10**10`, `10**100**100`, `'x'.center(10**9)`, `'%0999999999d' % 1`,
`'{:>999999999}'.format(1)`, `|indent(10**9)`, `|batch(10**9, 0)`, `|replace`/`|join` with a
huge part, `lipsum(10**9)`, pydantic's `model_dump_json(indent=…)`, a string doubled in a
loop or a macro. Each is measured against `bounds` before Python allocates it, and refused
with a `SecurityError` in Chinese (E810 at the template's line). The rendered document is
bounded as it is joined (`concat`), and `bounds.deadline` bounds the time.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from decimal import Decimal
from functools import update_wrapper, wraps
from typing import Any

from jinja2 import Environment, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.nodes import EvalContext
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
    SecurityError,
)
from jinja2.utils import generate_lorem_ipsum
from markupsafe import Markup
from pydantic import BaseModel

from ..common.bounds import MAX_DOCUMENT, MAX_FORMAT_WIDTH, MAX_INT_BITS, MAX_VALUE

_SIZED = (str, list, tuple)


def _too_big(what: str = "模板生成的文字或列表") -> SecurityError:
    return SecurityError(f"{what}超过 {MAX_VALUE:,} 个字符（项），已拒绝")


def _check_size(n: int, what: str = "模板生成的文字或列表") -> None:
    if n > MAX_VALUE:
        raise _too_big(what)


def _check_width(n: Any, what: str = "宽度") -> None:
    if isinstance(n, int) and not isinstance(n, bool) and abs(n) > MAX_FORMAT_WIDTH:
        raise SecurityError(f"模板中的{what} {n:,} 超过 {MAX_FORMAT_WIDTH:,}，已拒绝")


def _int_too_big() -> SecurityError:
    return SecurityError(f"模板计算的整数超过 {MAX_INT_BITS:,} 位二进制"
                         f"（约 {MAX_INT_BITS * 3 // 10:,} 位十进制），已拒绝")


# %-formatting: flags, width, precision of every conversion ("%0999999999d", "%*d").
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?(.)", re.S)


def _check_percent(fmt: str) -> None:
    for m in _PERCENT.finditer(fmt):
        for part in m.group(1, 2):
            if part == "*":
                raise SecurityError("模板的 % 格式中不能用 * 指定宽度或精度")
            if part is not None:
                _check_width(int(part))


# str.format specs: "[[fill]align][sign][z][#][0][width][grouping][.precision][type]".
_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?[a-zA-Z%]?", re.S)


def _check_spec(spec: str) -> None:
    m = _SPEC.fullmatch(spec)
    if m is None:
        return  # format() itself refuses it
    for part in m.groups():
        if part:
            _check_width(int(part))


class _Bounded:
    """Mixed into Jinja's sandboxed formatters: every field's spec checked first."""

    def format_field(self, value: Any, format_spec: str) -> Any:
        _check_spec(format_spec)
        return super().format_field(value, format_spec)  # type: ignore[misc]


class _Formatter(_Bounded, SandboxedFormatter):
    pass


class _EscapeFormatter(_Bounded, SandboxedEscapeFormatter):
    pass


def _str_method(value: Any) -> Callable[..., Any] | None:
    """A str method that can make a long string, wrapped to measure the result first."""
    owner = getattr(value, "__self__", None)
    name = getattr(value, "__name__", "")
    if not isinstance(owner, str) or name not in _GROWING:
        return None
    check = _GROWING[name]

    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(owner, *args, **kwargs)
        return value(*args, **kwargs)

    return update_wrapper(bounded, value)


def _pad(s: str, width: Any = 0, *_: Any, **__: Any) -> None:
    _check_width(width)


def _expandtabs(s: str, tabsize: Any = 8, **_: Any) -> None:
    _check_width(tabsize, "制表宽度")
    if isinstance(tabsize, int):
        _check_size(len(s) + s.count("\t") * tabsize)


def _replaced(s: str, old: Any = "", new: Any = "", count: Any = -1, **_: Any) -> None:
    if not (isinstance(old, str) and isinstance(new, str)):
        return
    found = (len(s) + 1) if old == "" else s.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    _check_size(len(s) + found * max(len(new) - len(old), 0))


def _joined(sep: str, items: Any = (), *_: Any, **__: Any) -> None:
    if isinstance(items, (list, tuple)):
        _check_size(weight(items) + len(sep) * max(len(items) - 1, 0))


_GROWING: dict[str, Callable[..., None]] = {
    "center": _pad, "ljust": _pad, "rjust": _pad, "zfill": _pad,
    "expandtabs": _expandtabs, "replace": _replaced, "join": _joined,
}


# --- the built-in filters that can grow a value, each measured first -------------------------

def _filter(original: Callable[..., Any], check: Callable[..., None]) -> Callable[..., Any]:
    @wraps(original)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        check(*args, **kwargs)
        result = original(*args, **kwargs)
        if isinstance(result, _SIZED):
            _check_size(weight(result))
        return result
    return bounded


def _value(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """The filter's arguments after Jinja's own first (environment or eval context)."""
    return args[1:] if args and isinstance(args[0], (Environment, EvalContext)) else args


def weight(value: Any) -> int:
    """Characters and items in `value`, nested lists, tuples and dicts counted through (a
    list of a million references to one long string weighs what printing it would make);
    counting stops just past the bound, so it costs at most that much."""
    total, stack = 0, [value]
    while stack and total <= MAX_VALUE:
        x = stack.pop()
        if isinstance(x, str):
            total += len(x)
        elif isinstance(x, (list, tuple)):
            total += len(x)
            stack.extend(x[: MAX_VALUE + 1])
        elif isinstance(x, dict):
            total += len(x)
            stack.extend(list(x.items())[: MAX_VALUE + 1])
    return total


def _center(value: Any = "", width: Any = 80, *_: Any, **__: Any) -> None:
    _check_width(width)


def _indent(*args: Any, **kwargs: Any) -> None:
    s, *rest = _value(args) or ("",)
    width = kwargs.get("width", rest[0] if rest else 4)
    text = str(s)
    if isinstance(width, str):
        _check_size(len(width), "缩进文字")
        width = len(width)
    _check_width(width, "缩进宽度")
    if isinstance(width, int):
        _check_size(len(text) + (text.count("\n") + 1) * width)


def _batch_like(value: Any = (), count: Any = 1, *_: Any, **__: Any) -> None:
    _check_width(count, "分组数")


def _replace_filter(*args: Any, **kwargs: Any) -> None:
    s, *rest = _value(args) or ("",)
    _replaced(str(s), *rest, **kwargs)


def _join_filter(*args: Any, **kwargs: Any) -> None:
    value, *rest = _value(args) or ((),)
    sep = kwargs.get("d", rest[0] if rest else "")
    if isinstance(value, (list, tuple, range)) and isinstance(sep, str):
        _check_size(weight(list(value)) + len(sep) * max(len(value) - 1, 0))


def _format_filter(value: Any = "", *args: Any, **kwargs: Any) -> None:
    if isinstance(value, str):
        _check_percent(value)


def _tojson(*args: Any, **kwargs: Any) -> None:
    rest = _value(args)[1:]
    indent = kwargs.get("indent", rest[0] if rest else None)
    if indent is not None and not (isinstance(indent, int) and 0 <= indent <= 16):
        raise SecurityError("“tojson”的缩进应为 0 至 16 的整数")


def _wordwrap(*args: Any, **kwargs: Any) -> None:
    s, *rest = _value(args) or ("",)
    names = ("width", "break_long_words", "wrapstring")
    given = dict(zip(names, rest, strict=False)) | kwargs
    width, wrap = given.get("width", 79), given.get("wrapstring") or "\n"
    if isinstance(width, int) and isinstance(wrap, str):
        _check_size(len(str(s)) + len(wrap) * (len(str(s)) // max(width, 1) + str(s).count("\n") + 1))


def _short_args(*args: Any, **kwargs: Any) -> None:
    for extra in [*_value(args)[1:], *kwargs.values()]:
        if isinstance(extra, str) and len(extra) > MAX_FORMAT_WIDTH:
            raise _too_big("过滤器参数")
        _check_width(extra, "参数")


def _sum(*args: Any, **kwargs: Any) -> None:
    rest = _value(args)[1:]
    start = kwargs.get("start", rest[1] if len(rest) > 1 else 0)
    if not isinstance(start, (int, float, Decimal)):
        raise SecurityError("“sum”只能对数字求和")


_FILTER_CHECKS: dict[str, Callable[..., None]] = {
    "center": _center, "indent": _indent, "batch": _batch_like, "slice": _batch_like,
    "replace": _replace_filter, "join": _join_filter, "format": _format_filter,
    "tojson": _tojson, "wordwrap": _wordwrap, "urlize": _short_args, "truncate": _short_args,
    "sum": _sum, "round": _short_args, "filesizeformat": _short_args,
}


def _lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
    if not all(isinstance(v, int) and 0 <= v <= 1_000 for v in (n, min, max)):
        raise SecurityError("“lipsum”的参数应为 0 至 1,000 的整数")
    return generate_lorem_ipsum(n, html, min, max)


# --- "~" (string joining) measured after each join: its parts are already bounded -----------

class _CodeGenerator(CodeGenerator):
    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


def _concat(parts: Any) -> str:
    """The rendered output of a template, block or macro, refused once it passes the bound."""
    out: list[str] = []
    pending: list[str] = []  # joined every so often: a million one-character parts would
    n = 0                    # take fifty times their characters as separate objects
    for part in parts:
        n += len(part)
        if n > MAX_DOCUMENT:
            raise SecurityError(f"模板生成的内容超过 {MAX_DOCUMENT:,} 个字符，已拒绝")
        pending.append(part)
        if len(pending) >= 4096:
            out.append("".join(pending))
            pending.clear()
    return "".join(out) + "".join(pending) if out else "".join(pending)


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with every growth bounded (see the module's docstring)."""

    code_generator_class = _CodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    concat = staticmethod(_concat)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["lipsum"] = _lipsum
        for name, check in _FILTER_CHECKS.items():
            if name in self.filters:
                self.filters[name] = _filter(self.filters[name], check)

    @staticmethod
    def sized(value: Any) -> Any:
        if isinstance(value, str):
            _check_size(len(value))
        return value

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, _SIZED) and isinstance(times, int):
                    _check_size(weight(seq) * times, "模板中的重复结果")
            if isinstance(left, int) and isinstance(right, int) \
                    and left.bit_length() + right.bit_length() > MAX_INT_BITS:
                raise _int_too_big()
        elif operator == "**":
            if isinstance(right, int) and abs(right) > 100:
                raise SecurityError("模板中的乘方指数过大（超过 100）")
            if isinstance(left, int) and isinstance(right, int) and right > 0:
                if left.bit_length() * right > MAX_INT_BITS:
                    raise _int_too_big()
        elif operator == "+":
            if isinstance(left, _SIZED) and isinstance(right, _SIZED):
                _check_size(weight(left) + weight(right))
        elif operator == "%" and isinstance(left, str):
            _check_percent(left)
        return super().call_binop(context, operator, left, right)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, BaseModel) and attr not in type(obj).model_fields \
                and hasattr(BaseModel, attr):
            return False  # pydantic's own API (model_dump_json(indent=…), copy, schema…)
        return super().is_safe_attribute(obj, attr, value)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        if getattr(value, "__name__", "") in ("format", "format_map") \
                and isinstance(getattr(value, "__self__", None), str):
            f_self = value.__self__
            formatter: string.Formatter = (_EscapeFormatter(self, escape=f_self.escape)
                                           if isinstance(f_self, Markup) else _Formatter(self))
            str_type = type(f_self)
            is_map = value.__name__ == "format_map"

            def wrapper(*args: Any, **kwargs: Any) -> str:
                if is_map:
                    if kwargs or len(args) != 1:
                        raise TypeError("format_map() takes exactly one argument")
                    kwargs = args[0]
                    args = ()
                return str_type(formatter.vformat(f_self, args, kwargs))

            return update_wrapper(wrapper, value)
        return _str_method(value)
