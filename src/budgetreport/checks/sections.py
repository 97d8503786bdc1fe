"""Stage 2d: the data file's `sections` against the region's declared data sections.

Each record's fields are checked as the model checks its own (E230–E232: undeclared
section, a field missing, unknown or of the wrong kind, a list too long); then each sum rule
ties the section's figures to figures the document already has (R230), exactly, in the
file's unit. Magnitude and decimals of amounts are `limits`' (R801, R802), as everywhere.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..common.money import total
from ..common.problems import Finding, Loc
from ..inputs.load import NumberText
from ..inputs.model import Budget
from ..inputs.sections import REFERENCE, SectionSpec, SumRule
from .labels import describe

CODE = re.compile(r"[0-9]{3}(?:[0-9]{2}){0,2}")
MAX_TEXT = 3000


def section_findings(data: Any, specs: dict[str, SectionSpec], budget: Budget,
                     sums: bool = True) -> Iterator[Finding]:
    """Every problem of the data's sections; the sum rules only when `sums` (the data's own
    figures hold, so the figures a rule names mean what they say) and the records are sound."""
    given = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(given, dict):
        given = {}
    for name in given:
        if name not in specs:
            known = "、".join(f"{k}（{s.title}）" for k, s in specs.items()) or "（本地区未声明任何栏目）"
            yield Finding("E230", f"地区没有声明数据栏目“{name}”，可用：{known}", ("sections", name))
    for name, spec in specs.items():
        if name not in given or given[name] is None:
            if spec.required:
                yield Finding("E232", f"缺少地区要求的数据栏目“{spec.title}”（sections.{name}）",
                              ("sections", name) if name in given else ("sections",) if given else ())
            continue
        problems = list(_records(spec, given[name]))
        yield from problems
        if sums and not problems:
            for rule in spec.sums:
                yield from _sum(spec, rule, given[name], budget, given, specs)


def records_of(spec: SectionSpec, value: Any) -> list[tuple[Loc, dict[str, Any]]]:
    """The records of a section's value, each with its data path."""
    at: Loc = ("sections", spec.name)
    if spec.one:
        return [(at, value)] if isinstance(value, dict) else []
    return [((*at, i), r) for i, r in enumerate(value) if isinstance(r, dict)] if isinstance(value, list) else []


def _records(spec: SectionSpec, value: Any) -> Iterator[Finding]:
    at: Loc = ("sections", spec.name)
    if spec.one and not isinstance(value, dict):
        yield Finding("E231", f"{spec.title}应为键值结构（一条记录：字段: 值）", at)
        return
    if not spec.one:
        if not isinstance(value, list):
            yield Finding("E231", f"{spec.title}应为列表（每条记录以“- ”开头）", at)
            return
        if len(value) > spec.max_items:
            yield Finding("E231", f"{spec.title}列有 {len(value):,} 条，超过上限 {spec.max_items:,} 条", at)
        for i, record in enumerate(value):
            if not isinstance(record, dict):
                yield Finding("E231", f"{spec.title}第{i + 1}条应为键值结构（字段: 值）", (*at, i))
    for loc, record in records_of(spec, value):
        where = _record_name(spec, loc, record)
        for key in record:
            if key not in spec.fields:
                near = difflib.get_close_matches(str(key), list(spec.fields), n=1)
                hint = (f"，是否应为“{near[0]}”（{spec.fields[near[0]].title}）？" if near
                        else "，可用：" + "、".join(f"{k}（{f.title}）" for k, f in spec.fields.items()))
                yield Finding("E231", f"{where}有未知字段“{key}”{hint}", (*loc, key))
        for key, field in spec.fields.items():
            if key not in record:
                if field.required:
                    yield Finding("E231", f"{where}缺少必填字段“{field.title}”（{key}）", loc)
                continue
            if (why := _value_problem(field, record[key])) is not None:
                yield Finding("E231", f"{where}的{field.title}{why}", (*loc, key))


def _record_name(spec: SectionSpec, loc: Loc, record: dict[str, Any]) -> str:
    if spec.one:
        return spec.title
    first = next((record.get(k) for k, f in spec.fields.items() if f.type == "text"), None)
    named = f"（{first}）" if isinstance(first, str) and first.strip() else ""
    return f"{spec.title}第{int(loc[-1]) + 1}条{named}"


def _value_problem(field: Any, value: Any) -> str | None:  # noqa: PLR0911 (one return per kind of fault)
    """Why `value` does not fit `field` (None when it does)."""
    if value is None:
        return "未填写：填写它，不适用时删去此行"
    kind = field.type
    if kind == "text":
        if not isinstance(value, str):
            return f"应为文字，而不是{_shown(value)}"
        if not value.strip():
            return "只有空格，应填写文字"
        if field.choices and value not in field.choices:
            return f"应为 {'、'.join(field.choices)} 之一，而不是“{value}”"
        most = field.max_length or MAX_TEXT
        if len(value) > most:
            return f"有 {len(value)} 个字，超过上限 {most} 个字"
        return None
    if kind == "code":
        if isinstance(value, NumberText) or isinstance(value, bool) or not isinstance(value, (str, int)):
            return f"应为加引号的数字串，如 '2080501'，而不是{_shown(value)}"
        if not CODE.fullmatch(str(value)):
            return f"应为3、5或7位数字的科目编码，而不是“{value}”"
        return None
    if kind == "date":
        if isinstance(value, dt.date):
            return None
        try:
            dt.date.fromisoformat(str(value))
        except ValueError:
            return f"应为日期，如 2026-03-01，而不是“{value}”"
        return None
    if isinstance(value, bool) or isinstance(value, NumberText) or not isinstance(value, (int, Decimal)):
        return f"应为{'金额数字' if kind == 'money' else '整数'}，而不是{_shown(value)}"
    if kind == "count" and not isinstance(value, int):
        return f"应为整数，而不是{_shown(value)}"
    if value < 0:
        return "不能为负数"
    if field.min is not None and value < field.min:
        return f"应不小于 {field.min}"
    if field.max is not None and value > field.max:
        return f"应不大于 {field.max}"
    return None


def _shown(value: Any) -> str:
    """A wrong value as the file has it: “true”, “.nan”, 列表, 键值结构."""
    if isinstance(value, bool):
        return f"“{str(value).lower()}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "键值结构"
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _sum(spec: SectionSpec, rule: SumRule, value: Any, budget: Budget, given: dict[str, Any],
         specs: dict[str, SectionSpec]) -> Iterator[Finding]:
    rows = [r for _, r in records_of(spec, value) if all(r.get(k) == v for k, v in rule.where)]
    left = total(Decimal(r.get(k) or 0) for r in rows for k in rule.fields)
    parts = [figure(ref, budget, given, specs) for ref in rule.figures]
    if any(p is None for p in parts):
        return  # a figure the data leaves out (optional): nothing to hold the records to
    right = total(p for p in parts if p is not None)
    holds = left == right if rule.relation == "equals" else left <= right
    if holds:
        return
    names = "、".join(spec.fields[k].title for k in rule.fields)
    where = "".join(f"（{spec.fields[k].title}为“{v}”的）" for k, v in rule.where)
    words = " + ".join(figure_name(ref, budget, specs) for ref in rule.figures)
    sign = "≠" if rule.relation == "equals" else ">"
    lead = f"{rule.title}：" if rule.title else ""
    what = (f"{spec.title}的{names}{'合计' if len(rule.fields) > 1 else ''}" if spec.one
            else f"{spec.title}{where}各条的{names}合计")
    yield Finding("R230", f"{lead}{what} {left:f}{budget.unit} {sign} "
                  f"{words} {right:f}{budget.unit}", ("sections", spec.name))


def figure(ref: str, budget: Budget, given: dict[str, Any], specs: dict[str, SectionSpec]) -> Decimal | None:
    """The figure a sum rule names, in the file's unit; None when the data does not give it."""
    m = REFERENCE.fullmatch(ref)
    assert m is not None  # checked when declared
    if m["kind"] == "economic":
        column = m["column"] or "total"
        return total(getattr(e, column) for e in budget.economic if e.code.startswith(_prefix(m["code"])))
    if m["kind"] == "spending":
        column = {"basic": "basic_total"}.get(m["column"] or "total", m["column"] or "total")
        return total(getattr(x, column) or Decimal(0) for x in budget.spending
                     if x.code.startswith(_prefix(m["code"])))
    if m["section"]:
        other = specs.get(m["section"])
        if other is None or m["field"] not in other.fields:
            return None
        return total(Decimal(r.get(m["field"]) or 0) for _, r in records_of(other, given.get(m["section"])))
    node: Any = budget
    for part in m["path"].split("."):
        node = node.get(part) if isinstance(node, dict) else getattr(node, part, None)
        if node is None:
            return None
    return node if isinstance(node, Decimal) else None


def _prefix(code: str) -> str:
    """The code a sum rule names as a prefix of line codes: `all` is every line."""
    return "" if code == "all" else code


def _named(code: str) -> str:
    return "全部科目" if code == "all" else f"{code} "


def figure_name(ref: str, budget: Budget, specs: dict[str, SectionSpec]) -> str:
    """A figure a sum rule names, in words: “政府采购·货物”, “经济分类 30215 的公用经费”."""
    m = REFERENCE.fullmatch(ref)
    assert m is not None
    columns = {"total": "合计", "personnel": "人员经费", "public": "公用经费", "basic": "基本支出",
               "project": "项目支出"}
    if m["kind"] == "economic":
        return f"经济分类 {_named(m['code'])}的{columns[m['column'] or 'total']}"
    if m["kind"] == "spending":
        return f"功能分类 {_named(m['code'])}的{columns[m['column'] or 'total']}"
    if m["section"]:
        other = specs.get(m["section"])
        if other is not None and m["field"] in other.fields:
            return f"{other.title}的{other.fields[m['field']].title}合计"
        return ref
    return describe(tuple(m["path"].split(".")))
