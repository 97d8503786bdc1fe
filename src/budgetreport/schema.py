"""Stage 2a: the data file against the model — pydantic errors in Chinese, with lines.

Also the JSON Schema that `budgetreport schema` publishes for editors.
"""

from __future__ import annotations

import difflib
import json
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from .load import Source
from .model import Budget
from .problems import BudgetError, Loc, Problem, path_text


def parse(source: Source) -> Budget:
    """Validate the plain data against `Budget`; every error becomes a located Problem."""
    try:
        budget = Budget.model_validate(source.data)
    except ValidationError as exc:
        raise BudgetError(sorted(_problem(source, e) for e in exc.errors())) from None
    return budget


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
}


def _problem(source: Source, error: Any) -> Problem:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    where = path_text(loc)
    label = describe(loc)
    if kind == "extra_forbidden":
        parent_fields = _fields_at(loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), parent_fields, n=1)
        hint = f"，是否应为“{guess[0]}”？" if guess else "，请删除或更正"
        message = f"未知字段“{where}”{hint}"
    elif kind in ("enum", "literal_error"):
        message = f"{where}{label}取值应为 {error['ctx'].get('expected', '')}"
    elif error.get("input", "") is None and kind != "missing":
        message = f"{where}{label}未填写"
    elif kind == "budget":  # our own validators word their message in Chinese
        message = f"{where}{label}{error['msg']}"
    elif kind in ("greater_than_equal", "less_than_equal") and error["ctx"].get("ge", 1) != 0:
        limit = error["ctx"].get("ge", error["ctx"].get("le"))
        message = f"{where}{label}应{'不小于' if kind == 'greater_than_equal' else '不大于'} {limit}"
    else:
        what = _MESSAGES.get(kind, f"取值不符合要求（{error['msg']}）")
        message = f"{where}{label}{what}"
    return source.problem("E100", message, loc)


def _model_at(loc: Loc) -> tuple[type[BaseModel] | None, Any]:
    """Walk the model along a data path: the model owning the last key, and that field."""
    model: Any = Budget
    field = None
    for part in loc:
        if isinstance(part, int) or part in ("str", "Subsection"):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None, None
        field = model.model_fields.get(part)
        if field is None:
            return model, None
        model = _inner(field.annotation)
    return model, field


def _inner(tp: Any) -> Any:
    """list[X] / X | None / dict[K, X] -> X (first model type found)."""
    for arg in typing.get_args(tp) or ():
        inner = _inner(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is not None:
        return None
    return tp


def _fields_at(loc: Loc) -> list[str]:
    model, _ = _model_at(loc)
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def describe(loc: Loc) -> str:
    """The field's Chinese description in brackets, e.g. "（一般公共预算拨款收入）"."""
    _, field = _model_at(loc)
    desc = getattr(field, "description", None)
    return f"（{desc.split('，')[0].split('；')[0]}）" if desc else ""


def json_schema() -> str:
    schema = Budget.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "部门预算公开数据（budgetreport）"
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
