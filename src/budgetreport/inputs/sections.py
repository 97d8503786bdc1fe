"""Region data sections: data the base model lacks, declared in a `region.yaml` (`sections`).

A section is a list of records (or one record) with typed fields and sum rules that tie its
figures to figures the document already has. The data file fills it under its top-level
`sections` key; `checks.sections` validates it against the declaration, `compute.figures`
gives it to templates and tables as `f.sections[name]` (money in 万元), and `json_schema`
describes it for editors. One declaration format for every region: no Python per region.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..common.problems import Problem
from .settings import unknown_message

TYPES = {"text": "文字", "code": "科目编码（3、5或7位数字）", "money": "金额（按数据文件的单位）",
         "count": "整数", "date": "日期（如 2026-03-01）"}
SECTION_KEYS = {"title": "栏目名称", "records": "list（多条记录）或 one（一条记录）",
                "required": "数据文件是否必须填写", "max_items": "最多记录数", "fields": "字段",
                "sums": "合计规则"}
FIELD_KEYS = {"type": "类型：" + "、".join(TYPES), "title": "字段名称", "required": "是否必填",
              "max_length": "最大字数（文字）", "choices": "可选的取值（文字）",
              "min": "最小值（金额、整数）", "max": "最大值（金额、整数）",
              "amounts": "true：文字中可写金额（如绩效指标“项目金额100万元以上……”的门槛），不提示 R602"}
SUM_KEYS = {"field": "相加的字段（一个或一组）", "where": "只加这些取值的记录",
            "equals": "应等于的数", "at_most": "不应超过的数", "title": "规则的说明"}
NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_ITEMS = 1000

# The figures a sum rule may name, besides any data path of an amount (`procurement.goods`).
REFERENCE = re.compile(r"(?P<kind>economic|spending):(?P<code>[0-9]{3,7}|all)(?:\.(?P<column>[a-z]+))?"
                       r"|section:(?P<section>[a-z][a-z0-9_]*)\.(?P<field>[a-z][a-z0-9_]*)"
                       r"|(?P<path>[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)")
COLUMNS = {"economic": ("total", "personnel", "public"),
           "spending": ("total", "basic", "personnel", "public", "project")}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: str
    title: str
    required: bool = False
    max_length: int | None = None
    choices: tuple[str, ...] | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    amounts: bool = False  # a text that may name amounts (a threshold), not a figure to compute


@dataclass(frozen=True)
class SumRule:
    """Σ `fields` over the records (those matching `where`) `relation` Σ `figures`."""

    fields: tuple[str, ...]
    relation: str  # "equals" or "at_most"
    figures: tuple[str, ...]
    where: tuple[tuple[str, Any], ...] = ()
    title: str | None = None


@dataclass(frozen=True)
class SectionSpec:
    name: str
    title: str
    one: bool = False  # a single record rather than a list
    required: bool = False
    max_items: int = MAX_ITEMS
    fields: dict[str, FieldSpec] = field(default_factory=dict)
    sums: tuple[SumRule, ...] = ()


ProblemAt = Callable[[tuple[Any, ...], str, str], Problem]


def declared_sections(settings: dict[str, Any], problem_at: ProblemAt
                      ) -> tuple[dict[str, SectionSpec], list[Problem]]:
    """The sections the merged settings declare, and every problem at its line (E820/E821)."""
    found: list[Problem] = []

    def bad(loc: tuple[Any, ...], message: str, code: str = "E820") -> None:
        found.append(problem_at(loc, message, code))

    def unknown(loc: tuple[Any, ...], value: dict[str, Any], known: dict[str, str]) -> None:
        found.extend(problem_at((*loc, k), unknown_message(loc, k, known), "E821")
                     for k in value if k not in known)

    declared = settings.get("sections", {})
    if declared is None:
        return {}, []
    if not isinstance(declared, dict):
        bad(("sections",), "sections 应为键值结构：栏目键: {title: …, fields: {…}}")
        return {}, found
    specs: dict[str, SectionSpec] = {}
    for name, value, loc in _entries(declared, ("sections",), "栏目", "{title: …, fields: {…}}",
                                     SECTION_KEYS, bad, unknown):
        spec = _section(name, value, loc, bad, unknown)
        if spec is not None:
            specs[name] = spec
    return specs, found


def _entries(items: dict[Any, Any], within: tuple[Any, ...], what: str, shape: str, keys: Any,
             bad: Callable[..., None], unknown: Callable[..., None]
             ) -> Iterator[tuple[str, dict[str, Any], tuple[Any, ...]]]:
    """The well-named mapping entries of `items` (a section or a field: key, value, location);
    a wrong key or a value that is not a mapping is told at its line and skipped."""
    for key, value in items.items():
        loc = (*within, key)
        if not NAME.fullmatch(str(key)):
            bad(loc, f"{what}键“{key}”应以小写英文字母开头，只含小写英文字母、数字和下划线（至多40个）")
        elif not isinstance(value, dict):
            bad(loc, f"{what}“{key}”应为键值结构，如 {shape}")
        else:
            unknown(loc, value, keys)
            yield str(key), value, loc


def _section(name: str, value: dict[str, Any], loc: tuple[Any, ...],
             bad: Callable[..., None], unknown: Callable[..., None]) -> SectionSpec | None:
    title = value.get("title")
    if not isinstance(title, str) or not title.strip():
        bad((*loc, "title"), f"栏目“{name}”缺少名称（title，如 政府采购预算明细）")
        return None
    records = value.get("records", "list")
    if records not in ("list", "one"):
        bad((*loc, "records"), f"records 应为 list（多条记录）或 one（一条记录），而不是“{records}”")
    required = _flag(value, "required", (*loc, "required"), bad)
    max_items = value.get("max_items", MAX_ITEMS)
    if isinstance(max_items, bool) or not isinstance(max_items, int) or not 1 <= max_items <= MAX_ITEMS:
        bad((*loc, "max_items"), f"max_items 应为 1 到 {MAX_ITEMS} 的整数，而不是“{max_items}”")
        max_items = MAX_ITEMS
    fields_value = value.get("fields")
    if not isinstance(fields_value, dict) or not fields_value:
        bad((*loc, "fields"), f"栏目“{name}”应列出它的字段（fields: {{字段键: {{type: money, title: …}}}}）")
        return None
    fields: dict[str, FieldSpec] = {}
    for key, spec, at in _entries(fields_value, (*loc, "fields"), "字段", "{type: money, title: 金额}",
                                  FIELD_KEYS, bad, unknown):
        made = _field(key, spec, at, bad)
        if made is not None:
            fields[key] = made
    sums = []
    rules = value.get("sums", [])
    if not isinstance(rules, list):
        bad((*loc, "sums"), "sums 应为列表（每条规则以“- ”开头）")
        rules = []
    for i, rule in enumerate(rules):
        at = (*loc, "sums", i)
        if not isinstance(rule, dict):
            bad(at, "合计规则应为键值结构，如 {field: amount, equals: procurement.goods}")
            continue
        unknown(at, rule, SUM_KEYS)
        made_rule = _rule(rule, fields, at, bad)
        if made_rule is not None:
            sums.append(made_rule)
    return SectionSpec(name, title.strip(), records == "one", required, max_items, fields, tuple(sums))


def _flag(value: dict[str, Any], key: str, loc: tuple[Any, ...], bad: Callable[..., None]) -> bool:
    flag = value.get(key, False)
    if not isinstance(flag, bool):
        bad(loc, f"{key} 应为 true 或 false，而不是“{flag}”")
        return False
    return flag


def _field(key: str, spec: dict[str, Any], at: tuple[Any, ...], bad: Callable[..., None]) -> FieldSpec | None:
    kind = spec.get("type")
    if kind not in TYPES:
        bad((*at, "type"), f"字段“{key}”的类型（type）应为 {'、'.join(TYPES)} 之一，而不是“{kind}”")
        return None
    title = spec.get("title", key)
    if not isinstance(title, str) or not title.strip():
        bad((*at, "title"), f"字段“{key}”的名称（title）应为文字")
        title = key
    max_length = spec.get("max_length")
    if max_length is not None and (kind != "text" or isinstance(max_length, bool)
                                   or not isinstance(max_length, int) or max_length < 1):
        bad((*at, "max_length"), "max_length 只用于文字字段，应为正整数")
        max_length = None
    choices = spec.get("choices")
    if choices is not None and (kind != "text" or not isinstance(choices, list) or not choices
                                or not all(isinstance(c, str) for c in choices)):
        bad((*at, "choices"), "choices 只用于文字字段，应为文字的列表，如 [货物, 工程, 服务]")
        choices = None
    bounds: dict[str, Decimal | None] = {}
    for end in ("min", "max"):
        limit = spec.get(end)
        if limit is not None and (kind not in ("money", "count") or isinstance(limit, bool)
                                  or not isinstance(limit, (int, Decimal))):
            bad((*at, end), f"{end} 只用于金额和整数字段，应为数字")
            limit = None
        bounds[end] = None if limit is None else Decimal(limit)
    return FieldSpec(key, kind, title.strip(), _flag(spec, "required", (*at, "required"), bad),
                     max_length, tuple(choices) if choices else None, bounds["min"], bounds["max"],
                     _flag(spec, "amounts", (*at, "amounts"), bad))


def _rule(rule: dict[str, Any], fields: dict[str, FieldSpec], at: tuple[Any, ...],
          bad: Callable[..., None]) -> SumRule | None:
    summed = rule.get("field")
    names = [summed] if isinstance(summed, str) else summed if isinstance(summed, list) else None
    if not names or not all(isinstance(n, str) and n in fields and fields[n].type == "money" for n in names):
        money = "、".join(k for k, f in fields.items() if f.type == "money") or "（无）"
        bad((*at, "field"), f"合计规则的 field 应为本栏目的金额字段（或其列表），可用：{money}")
        return None
    relations = [r for r in ("equals", "at_most") if r in rule]
    if len(relations) != 1:
        bad(at, "合计规则应有 equals（应等于）或 at_most（不应超过）之一")
        return None
    relation = relations[0]
    target = rule[relation]
    refs = [target] if isinstance(target, str) else target if isinstance(target, list) else None
    if not refs or not all(isinstance(r, str) and reference_problem(r) is None for r in refs):
        wrong = next((r for r in refs or [target] if not isinstance(r, str) or reference_problem(r)), target)
        why = reference_problem(wrong) if isinstance(wrong, str) else "应为文字"
        bad((*at, relation), f"合计规则的 {relation} 中“{wrong}”{why}")
        return None
    where = rule.get("where", {})
    if not isinstance(where, dict) or not all(k in fields for k in where):
        bad((*at, "where"), f"where 应为本栏目字段的取值，如 {{category: 货物}}，可用字段：{'、'.join(fields)}")
        return None
    title = rule.get("title")
    return SumRule(tuple(names), relation, tuple(refs), tuple(where.items()),
                   title if isinstance(title, str) and title.strip() else None)


def reference_problem(text: str) -> str | None:
    """Why `text` is no figure a sum rule can name (None when it is one)."""
    m = REFERENCE.fullmatch(text)
    if m is None:
        return ("不是可引用的数：写数据中金额的路径（如 procurement.goods），经济分类 economic:30215.public，"
                "功能分类 spending:2080501.total（全部支出 spending:all.total），或另一栏目的字段 section:栏目.字段")
    if m["kind"] and m["column"] and m["column"] not in COLUMNS[m["kind"]]:
        return f"的列应为 {'、'.join(COLUMNS[m['kind']])} 之一"
    if m["path"] and not _amount_path(m["path"].split(".")):
        return "不是数据中的金额（路径写法如 procurement.goods、three_public.reception.amount）"
    return None


def _amount_path(parts: list[str]) -> bool:
    """`parts` lead through the data model to one amount (a `Decimal` field)."""
    from .model import Budget  # the model is needed only when a rule names a data path

    node: Any = Budget
    for part in parts:
        fields = getattr(node, "model_fields", None)
        if not fields or part not in fields:
            return False
        node = _bare(fields[part].annotation)
    return node is Decimal


def _bare(annotation: Any) -> Any:
    """`Amount | None` → Decimal; `ThreePublicItem` stays itself."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _bare(args[0])
    if typing.get_origin(annotation) is typing.Annotated:
        return _bare(args[0])
    return annotation
