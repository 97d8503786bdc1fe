"""A data path in the words a finance officer uses.

`describe(("spending", 6, "public"), data)` → "支出第7项（2210302 住房公积金管理）的公用经费";
`describe(("economic", 12, "public"), data)` → "经济分类 30217 公务接待费 的公用经费";
`describe(("three_public", "reception", "prior"))` → "三公经费·公务接待费·上年预算数".

Sections are named by `SECTIONS`, fields by the Chinese description of the model field
(the words before the first "，" or "；"), list items by position and, when they have one,
by code and name (the name from the catalogue of the file's year when the file omits it).
`data` is the plain data the path points into (as loaded, before validation); without it
items are named by position only. Never raises: a path the model does not know is shown
with its own keys, so a misspelt field still reads sensibly.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from ..common.problems import Loc, path_text
from ..inputs.catalogue import Catalogue, load_catalogue
from ..inputs.model import Budget

# Top-level sections by the names the document and the 附表 give them.
SECTIONS = {
    "unit": "金额单位", "department": "部门信息", "overview": "概况", "income": "收入",
    "spending": "支出", "carry_forward": "结转下年", "economic": "经济分类",
    "prior": "上年数", "reasons": "变动原因", "three_public": "三公经费",
    "transfers": "转移支付", "projects": "项目", "performance": "部门整体绩效目标",
    "performance_summary": "绩效目标管理情况", "running_costs": "机关运行经费",
    "procurement": "政府采购", "assets": "国有资产", "glossary": "名词解释",
    "sections": "地区数据栏目",
}
# Lists whose items a finance officer knows by code rather than by position.
BY_CODE = {"economic"}


def describe(loc: Loc, data: Any = None, *, raw: bool = False,
             sections: Mapping[str, Any] | None = None) -> str:
    """The words for `loc`; with `raw`, the data path follows in brackets for those who edit
    the YAML: "支出第7项（2210302 住房公积金管理）的公用经费（spending[7].public）". A value of
    a region data section is named by its declaration (`sections`: name → `SectionSpec`):
    "政府采购预算明细第2条（档案软件）的采购金额"."""
    words = _section_words(loc, data, sections) or _words(loc, data)
    return f"{words}（{path_text(loc)}）" if raw and loc else words


def _section_words(loc: Loc, data: Any, sections: Mapping[str, Any] | None) -> str | None:
    if not sections or loc[:1] != ("sections",) or len(loc) < 2 or not isinstance(loc[1], str) \
            or loc[1] not in sections:
        return None
    spec = sections[loc[1]]
    words, rest = spec.title, loc[2:]
    if not spec.one and rest and isinstance(rest[0], int):
        record = data.get("sections", {}).get(loc[1]) if isinstance(data, dict) else None
        item = record[rest[0]] if isinstance(record, list) and 0 <= rest[0] < len(record) else None
        first = next((item.get(k) for k, f in spec.fields.items() if f.type == "text"), None) \
            if isinstance(item, dict) else None
        words += f"第{rest[0] + 1}条" + (f"（{first}）" if isinstance(first, str) and first.strip() else "")
        rest = rest[1:]
    if rest and rest[0] in spec.fields:
        words += f"的{spec.fields[rest[0]].title}"
    return words


def label(loc: Loc) -> str:
    """Only the Chinese label of the field at `loc` ("" if the model has none)."""
    _, field = field_at(loc)
    return _short(field.description) if field is not None and field.description else ""


def _words(loc: Loc, data: Any) -> str:
    out = ""
    model: Any = Budget
    node = data
    after_item = False
    catalogue = _catalogue(data)
    parts = [p for p in loc if p not in ("str", "Subsection")]  # pydantic's union member names
    for depth, part in enumerate(parts):
        child = _child(node, part)
        if isinstance(part, int):
            list_name = parts[depth - 1] if depth else ""
            out += _item(part, child, str(list_name), catalogue)
            after_item = True
        else:
            field = _field(model, part)
            if depth == 0 and part in SECTIONS:
                name = SECTIONS[part]
            elif field is not None and field.description:
                name = _short(field.description)
            else:  # a key of a mapping (a 类 code of prior.by_function), or an unknown field
                name = _key(part, parts[depth - 1] if depth else "", catalogue)
            out += name if not out else f"的{name}" if after_item else f"·{name}"
            after_item = False
            model = _inner(field.annotation) if field is not None else None
        node = child
    return out.strip()


def _item(index: int, item: Any, list_name: str, catalogue: Catalogue | None) -> str:
    d = item if isinstance(item, dict) else {}
    code = _brief(d.get("code"), 12)
    name = _brief(d.get("name"), 30) or _code_name(code, list_name, catalogue)
    if list_name in BY_CODE and code is not None:
        return f" {code}{' ' + name if name else ''} "
    if code is not None:
        return f"第{index + 1}项（{code}{' ' + name if name else ''}）"
    if isinstance(name, str) and name:
        return f"第{index + 1}项（{name}）"
    return f"第{index + 1}项"


def _brief(value: Any, most: int) -> Any:
    """A code or name from the data as a message may quote it: text or a number, cut short
    (a name may be thousands of characters long); anything else is left out."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if len(text) <= most else text[:most] + "…"


def _key(key: str, parent: object, catalogue: Catalogue | None) -> str:
    """A key of a mapping (e.g. a 类 code of prior.by_function): the code and its name."""
    name = _code_name(key, str(parent), catalogue)
    return f"{key} {name}" if name else str(key)


def _code_name(code: Any, where: str, catalogue: Catalogue | None) -> str:
    if catalogue is None or code is None:
        return ""
    table = catalogue.economic if "economic" in where else catalogue.function
    entry = table.get(str(code))
    return entry.name if entry else ""


def _catalogue(data: Any) -> Catalogue | None:
    try:
        year = data["department"]["year"]
        return load_catalogue(int(year))
    except Exception:  # no data, no year, no catalogue: items are named without names
        return None


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _short(description: str) -> str:
    """"基本支出—公用经费" → "公用经费"; "本年预算；有二级项目时…" → "本年预算"."""
    return description.split("，")[0].split("；")[0].split("—")[-1]


# --- walking the model ----------------------------------------------------------------


def _field(model: Any, key: str) -> FieldInfo | None:
    if isinstance(model, type) and issubclass(model, BaseModel):
        return model.model_fields.get(key)
    return None


def _inner(tp: Any) -> Any:
    """list[X] / X | None / dict[K, X] -> X (first model type found)."""
    for arg in typing.get_args(tp) or ():
        inner = _inner(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is not None:
        return None
    return tp


def field_at(loc: Loc) -> tuple[type[BaseModel] | None, FieldInfo | None]:
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
