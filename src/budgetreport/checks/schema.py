"""Stage 2a: the data file against the model — pydantic errors in Chinese, with lines.

Also the JSON Schema that `budgetreport schema` publishes for editors.
"""

from __future__ import annotations

import difflib
import json
import re
import typing
from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..common.problems import BudgetError, Loc, Problem, path_text
from ..inputs.load import Source
from ..inputs.model import Budget
from .labels import describe, field_at, label

if TYPE_CHECKING:
    from ..inputs.sections import SectionSpec


def parse(source: Source) -> Budget:
    """Validate the plain data against `Budget`; every error becomes a located Problem."""
    blank = list(_blank_amounts(source.data, ()))
    blanks = [source.problem("E100", f"{describe(loc, source.data)}未填写：填写金额，不适用时删去此行"
                             f"（{path_text(loc)}）", loc) for loc in blank]
    try:
        budget = Budget.model_validate(source.data)
    except ValidationError as exc:
        # a blank amount is told once, by the message above that says how to fill it in
        told = {tuple(loc) for loc in blank}
        errors = [e for e in exc.errors() if tuple(e["loc"]) not in told]
        raise BudgetError(sorted({*blanks, *(_problem(source, e) for e in errors)})) from None
    if blanks:
        raise BudgetError(sorted(blanks))
    return budget


def _blank_amounts(data: Any, loc: Loc) -> Iterator[Loc]:
    """Optional amounts written but left empty (`personnel:`): a blank is not "not given" —
    e.g. `new --from` empties every amount for the officer to fill in."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        here = (*loc, key)
        if value is None and isinstance(key, str):
            _, field = field_at(here)
            if field is not None and not field.is_required() and _is_amount(field.annotation):
                yield here
        else:
            yield from _blank_amounts(value, here)


def _is_amount(tp: Any) -> bool:
    return tp is Decimal or any(_is_amount(a) for a in typing.get_args(tp))


_MESSAGES = {
    "missing": "缺少必填字段",
    "decimal_parsing": "应为数字金额",
    "decimal_type": "应为数字金额",
    "greater_than_equal": "不能为负数",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "string_type": "应为文本",
    "string_too_short": "不能为空",
    "too_short": "不能为空，至少要有一项",
    "string_pattern_mismatch": "科目编码应为3、5或7位数字",
    "date_from_datetime_parsing": "应为日期，如 2022-02-15",
    "date_parsing": "应为日期，如 2022-02-15",
    "date_type": "应为日期，如 2022-02-15",
    "list_type": "应为列表（每项以“- ”开头）",
    "dict_type": "应为键值结构",
    "model_type": "应为键值结构",
    "bool_type": "应为 true 或 false",
    "less_than_equal": "超出允许范围",
    "greater_than": "超出允许范围",
    "less_than": "超出允许范围",
    "finite_number": "应为有限的数字",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "小数位数过多",
    "string_too_long": "过长",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "date_from_datetime_inexact": "应为日期，如 2022-02-15",
    "date_future": "日期不应在将来",
    "dict_keys": "键不符合要求",
    "union_tag_invalid": "取值不符合要求",
    "model_attributes_type": "应为键值结构",
    "is_instance_of": "类型不符合要求",
    "value_error": "取值不符合要求",
}


def _problem(source: Source, error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    words = describe(loc, source.data)
    if kind == "extra_forbidden":
        parent, _ = field_at(loc[:-1])
        fields = list(parent.model_fields) if parent is not None else []
        guess = difflib.get_close_matches(str(loc[-1]), fields, n=1)
        hint = f"，是否应为“{guess[0]}”（{label((*loc[:-1], guess[0]))}）？" if guess else "，请删除或更正"
        where = f"{describe(loc[:-1], source.data)}中" if loc[:-1] else "文件顶层"
        message = f"{where}有未知字段“{loc[-1]}”{hint}（{path_text(loc)}）"
        return source.problem("E100", message, loc)
    if kind in ("enum", "literal_error"):
        what = f"取值应为{_choices(str(error['ctx'].get('expected', '')))}"
    elif error.get("input", "") is None and kind != "missing":
        what = "未填写"
    elif kind == "budget":  # our own validators word their message in Chinese
        what = error["msg"]
    elif kind in ("greater_than_equal", "less_than_equal") and error["ctx"].get("ge", 1) != 0:
        limit = error["ctx"].get("ge", error["ctx"].get("le"))
        what = f"应{'不小于' if kind == 'greater_than_equal' else '不大于'} {limit}"
    else:
        what = _MESSAGES.get(kind, "取值不符合要求")
    return source.problem("E100", f"{words}{what}（{path_text(loc)}）", loc)


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as “a”、“b”或“c”."""
    values = [f"“{v}”" for v in re.findall(r"'((?:[^'\\]|\\.)*)'", expected)]
    return "、".join(values[:-1]) + "或" + values[-1] if len(values) > 1 else "".join(values)


def json_schema(sections: Mapping[str, Sequence[SectionSpec]] | None = None) -> str:
    """The data format for editors, with the data sections the known regions declare
    (`sections`: name → its declarations; one name declared differently by two regions
    accepts either)."""
    schema = Budget.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "部门预算公开数据（budgetreport）"
    declared: dict[str, Any] = {}
    for name, specs in sorted((sections or {}).items()):
        shapes = list({json.dumps(x, sort_keys=True): x for x in map(section_schema, specs)}.values())
        declared[name] = shapes[0] if len(shapes) == 1 else {"anyOf": shapes}
    schema["properties"]["sections"] |= {"type": "object", "additionalProperties": False,
                                         "properties": declared}
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def section_schema(spec: SectionSpec) -> dict[str, Any]:
    """One declared data section as JSON Schema (what `checks.sections` accepts)."""
    from ..inputs.sections import TYPES

    kinds: dict[str, dict[str, Any]] = {
        "text": {"type": "string", "minLength": 1}, "code": {"type": "string", "pattern": r"^[0-9]{3}([0-9]{2}){0,2}$"},
        "money": {"type": "number", "minimum": 0}, "count": {"type": "integer", "minimum": 0},
        "date": {"type": "string", "format": "date"}}
    fields: dict[str, Any] = {}
    for key, field in spec.fields.items():
        one = kinds[field.type] | {"description": f"{field.title}（{TYPES[field.type]}）"}
        if field.max_length:
            one["maxLength"] = field.max_length
        if field.choices:
            one["enum"] = list(field.choices)
        if field.min is not None:
            one["minimum"] = max(field.min, 0) if field.type == "money" else field.min
        if field.max is not None:
            one["maximum"] = field.max
        fields[key] = {k: (int(v) if isinstance(v, Decimal) and v == v.to_integral_value() else
                           float(v) if isinstance(v, Decimal) else v) for k, v in one.items()}
    record: dict[str, Any] = {"type": "object", "additionalProperties": False, "properties": fields,
                              "required": [k for k, f in spec.fields.items() if f.required]}
    if spec.one:
        return record | {"description": spec.title}
    return {"type": "array", "items": record, "maxItems": spec.max_items, "description": spec.title}
