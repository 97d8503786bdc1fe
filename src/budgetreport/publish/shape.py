"""An official template's workbook shape, declared as data (`official_workbook` setting).

A region whose departments hand in a filled official workbook (Shanghai's 公开模板: one sheet
per part — 封面, 目录, the text parts, the nine 附表) names a declaration file per kind of
budget in its `region.yaml`:

    official_workbook: {部门: workbooks/district-department-2026.yaml,
                        单位: workbooks/district-unit-2026.yaml}

The file (found in the region's folders, most specific first, like a template) lists the
sheets in order; `official.py` writes them. Reading and checking the declaration imports
nothing heavy, so `check` reports a wrong declaration with its line. Every sheet has `sheet`
(its name, `{org}` placeholders as in region.yaml) and `kind`; the keys of each kind are
`COMMON` and `BY_KIND` below, documented in DEVELOPERS.md ("An official template's workbook").
`defaults` gives values for every sheet, and under a kind's name for that kind's sheets.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..common.problems import BudgetError, Problem, display_path
from ..inputs.load import Lines, parse, read_bytes
from ..inputs.region import Region, fill

NUM = (int, float, Decimal)  # a YAML number (the loader reads 24.2 as Decimal)
KINDS = ("cover", "contents", "text", "table")
COMMON = {"sheet": str, "kind": str, "font": str, "size": NUM, "title_size": NUM,
          "widths": list, "row_height": NUM, "orientation": str, "margins": dict,
          "centered": bool, "fit_width": bool, "scale": int}
BY_KIND: dict[str, dict[str, Any]] = {
    "cover": {"columns": int, "rows": dict, "lines": list},
    "contents": {"title": str, "first_row": int, "indent": int, "leaders": int},
    "text": {"part": str, "section": int},
    "table": {"table": str, "rows": dict, "title_row": int, "meta_row": int, "header_row": int,
              "header_height": NUM, "print_titles": bool},
}
MARGINS = ("left", "right", "top", "bottom", "header", "footer")
LINE_KEYS = {"row": int, "font": str, "size": NUM, "bold": bool}
FALLBACK: dict[str, Any] = {  # what a declaration leaves out
    "font": "宋体", "size": 12, "title_size": 18, "widths": [], "row_height": 24,
    "orientation": "landscape", "margins": {}, "centered": True, "fit_width": False, "scale": None,
    "columns": 13, "rows": {}, "lines": [], "title": "目  录", "first_row": 3, "indent": 4,
    "leaders": 0, "section": 0, "title_row": 2, "meta_row": 4, "header_row": 6,
    "header_height": None, "print_titles": False,
}


@dataclass(frozen=True)
class SheetShape:
    name: str
    kind: str
    values: dict[str, Any]

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


@dataclass(frozen=True)
class Shape:
    file: Path
    sheets: tuple[SheetShape, ...]

    def tables(self) -> list[str]:
        return [s["table"] for s in self.sheets if s.kind == "table"]


def declared(region: Region, org: str) -> str | None:
    """The declaration file `official_workbook` names for a 部门 or 单位 budget, if any."""
    setting = region.settings.get("official_workbook")
    if isinstance(setting, dict):
        value = setting.get(org)
        return str(value) if value else None
    return str(setting) if setting else None


def load_shape(region: Region, org: str, placeholders: dict[str, object]) -> Shape | None:
    """The region's official workbook shape for this kind of budget, checked; None when the
    region declares none; BudgetError (E823) naming the file and line of what is wrong."""
    name = declared(region, org)
    if name is None:
        return None
    relative = Path(name)
    if relative.is_absolute() or ".." in relative.parts:
        raise BudgetError([region.problem("official_workbook", f"地区设置 official_workbook 的“{name}”"
                                          "应为地区模板文件夹中的相对路径")])
    file = next((f / relative for f in region.folders if (f / relative).is_file()), None)
    if file is None:
        raise BudgetError([region.problem("official_workbook", f"找不到地区设置 official_workbook 指向的"
                                          f"版式声明文件“{name}”（应在地区模板文件夹中）")])
    shown = display_path(file)
    try:
        _text, _tree, data, lines = parse(read_bytes(file, shown, "版式声明文件"), shown)
    except BudgetError as exc:
        raise BudgetError([Problem(p.file, p.line, p.column, "E823", p.message) for p in exc.problems]) from None
    problems: list[Problem] = []
    shape = _read(data, lines, shown, problems, placeholders)
    if problems:
        raise BudgetError(problems)
    return Shape(file, shape)


def _read(data: Any, lines: Lines, file: str, problems: list[Problem],
          placeholders: dict[str, object]) -> tuple[SheetShape, ...]:
    def bad(loc: tuple[str | int, ...], message: str) -> None:
        problems.append(Problem(file, lines.get(loc, (0, 0))[0], 0, "E823", message))

    if not isinstance(data, dict) or not isinstance(data.get("sheets"), list):
        bad((), "版式声明应为键值结构，含工作表清单 sheets: [...]")
        return ()
    for key in data:
        if key not in ("name", "defaults", "sheets"):
            bad((key,), f"版式声明中有未知的键“{key}”（可用：name、defaults、sheets）")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        bad(("defaults",), "defaults 应为键值结构")
        defaults = {}
    common = {k: v for k, v in defaults.items() if k not in KINDS}
    _check(common, ("defaults",), None, bad)
    for kind in KINDS:
        if kind in defaults:
            _check(defaults[kind], ("defaults", kind), kind, bad)
    sheets: list[SheetShape] = []
    for i, sheet in enumerate(data["sheets"]):
        loc: tuple[str | int, ...] = ("sheets", i)
        if not isinstance(sheet, dict) or sheet.get("kind") not in KINDS or not sheet.get("sheet"):
            bad(loc, f"第{i + 1}张工作表应写明 sheet（名称）和 kind（{'、'.join(KINDS)} 之一）")
            continue
        kind = sheet["kind"]
        _check(sheet, loc, kind, bad)
        values = {**FALLBACK, **common, **(defaults.get(kind) or {}), **sheet}
        values["margins"] = {**(common.get("margins") or {}), **((defaults.get(kind) or {}).get("margins") or {}),
                             **(sheet.get("margins") or {})}
        if kind == "text" and not sheet.get("part"):
            bad(loc, "文字工作表应写明 part（取哪一部分的文字，如 overview）")
        if kind == "table" and not sheet.get("table"):
            bad(loc, "附表工作表应写明 table（附表的键，如 sh_summary）")
        sheets.append(SheetShape(str(fill(str(sheet["sheet"]), placeholders)), kind, fill(values, placeholders)))
    return tuple(sheets)


def _check(values: Any, loc: tuple[str | int, ...], kind: str | None, bad: Any) -> None:
    if not isinstance(values, dict):
        bad(loc, "应为键值结构")
        return
    allowed = {**COMMON, **(BY_KIND[kind] if kind else {k: t for d in BY_KIND.values() for k, t in d.items()})}
    for key, value in values.items():
        if key not in allowed:
            bad((*loc, key), f"“{key}”不是{kind or '所有'}工作表可用的键（可用：{'、'.join(allowed)}）")
        elif not isinstance(value, allowed[key]) or isinstance(value, bool) and allowed[key] is not bool:
            bad((*loc, key), f"“{key}”的值“{value}”类型不对")
        elif key == "margins" and (unknown := set(value) - set(MARGINS)):
            bad((*loc, key), f"页边距只能有 {'、'.join(MARGINS)}，而不是 {'、'.join(map(str, unknown))}")
        elif key == "lines":
            for j, line in enumerate(value):
                if not isinstance(line, dict) or set(line) - set(LINE_KEYS) or "row" not in line:
                    bad((*loc, key, j), f"封面的行应写明 row，可有 {'、'.join(LINE_KEYS)}")
