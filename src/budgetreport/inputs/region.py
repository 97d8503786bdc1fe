"""Region settings: which parts and tables a region publishes, in which order, under which names.

Settings are YAML (`region.yaml`) in each template folder and merge key by key, least specific
first: built-in base, built-in region, workspace region, workspace center — so each folder
states only what differs. The same folders, most specific first, form the template search
path (see `render`); `resources` says where the built-in and workspace folders are.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..common.money import Display
from ..common.problems import BudgetError, Problem, display_path, texts
from .declared import TableSpec, load_tables
from .load import Lines, parse, read_bytes
from .resources import Workspace, builtin_templates, current
from .settings import unknown_keys

SETTINGS = "region.yaml"


@dataclass(frozen=True)
class Region:
    key: str
    folders: tuple[Path, ...]  # most specific first: center, region(s), base
    settings: dict[str, Any]
    origins: dict[str, Path] = field(default_factory=dict)  # top-level key → file that set it
    key_lines: dict[str, int] = field(default_factory=dict)  # top-level key → its line there
    problems: tuple[Problem, ...] = ()  # e.g. an unknown placeholder, with its line
    # Every value's data path (("headings", "part", "number")) → the file that set it, line, column.
    locations: dict[tuple[Any, ...], tuple[Path, int, int]] = field(default_factory=dict)
    tables: dict[str, TableSpec] = field(default_factory=dict)  # the declared 附表 (tables/*.yaml)

    # Template name prefixes: "base/…" the built-in base, "region/…" the region as a center
    # sees it (workspace region, built-in region, base), "builtin/…" the built-in region (what
    # a workspace region that changes a built-in one extends), "parent/…" a sub-region's parent
    # region (what a city's template extends).
    prefixes: tuple[tuple[str, tuple[Path, ...]], ...] = ()

    def problem(self, key: str, message: str) -> Problem:
        """A settings problem, named after the region.yaml that set `key`."""
        file = self.origins.get(key)
        line = self.key_lines.get(key, 0)
        return Problem(display_path(file) if file else "region.yaml", line, 0, "E820", message)

    def problem_at(self, loc: tuple[Any, ...], message: str, code: str = "E820") -> Problem:
        """A settings problem at the value `loc` (or the nearest enclosing one), named after
        the region.yaml that set it."""
        for end in range(len(loc), 0, -1):
            if (where := self.locations.get(loc[:end])) is not None:
                file, line, col = where
                return Problem(display_path(file), line, col, code, message)
        return Problem("region.yaml", 0, 0, code, message)

    @property
    def requires_prior(self) -> list[str]:
        return list(self.settings.get("requires_prior", []))

    @property
    def asks_for(self) -> list[str]:
        """The data paths the region's document prints, less those declared `optional`."""
        optional = set(self.settings.get("optional", []))
        return [p for p in self.settings.get("asks_for", []) if p.split("|")[0].strip() not in optional]

    @property
    def settings_files(self) -> list[Path]:
        """The region.yaml files merged into `settings`, most specific first."""
        return [f / SETTINGS for f in self.folders if (f / SETTINGS).is_file()]

    @property
    def running_costs_classes(self) -> frozenset[str]:
        """机关运行经费 = 公用经费 of these economic 类 of 一般公共预算基本支出 (e.g. 302, 310)."""
        return frozenset(str(c) for c in self.settings.get("running_costs_classes", ["302"]))

    def filled(self, values: Mapping[str, object]) -> dict[str, Any]:
        """The settings with every text's placeholders ("{year}") replaced by `values`."""
        return {k: v if k in OWN_PLACEHOLDERS else fill(v, values) for k, v in self.settings.items()}

    def text_display(self, cents: bool) -> Display:
        """How sentences show amounts: `text_unit` with `text_places` decimals (元: two when
        the data has 分, else none); `changes_from_shown` computes changes from the shown
        figures."""
        unit = self.settings.get("text_unit", "万元")
        places = int(self.settings.get("text_places", 2)) if unit == "万元" else 2 * cents
        return Display(unit, places, bool(self.settings.get("changes_from_shown", False)))

    def table_display(self, key: str, cents: bool, data_unit: str = "万元") -> Display:
        """How table `key` shows amounts: `table_units[key]`, else `table_unit`, else the data
        file's own unit (a file in 元 is tabulated exactly as entered); 万元 with two decimals,
        元 with two when the data has 分, else whole 元."""
        unit = (self.settings.get("table_units", {}).get(key) or self.settings.get("table_unit")
                or data_unit)
        return Display(unit, 2 if unit == "万元" else 2 * cents)



def _existing(paths: list[Path | None]) -> tuple[Path, ...]:
    """The folders that exist, each once (the repository is its own workspace: its
    templates/ are also the built-in ones)."""
    seen: dict[Path, None] = {}
    for p in paths:
        if p is not None and p.is_dir():
            seen.setdefault(p.resolve(), None)
    return tuple(seen)


def load_region(region: str, center: str | None = None, ws: Workspace | None = None,
                year: int | None = None) -> Region:
    """The settings of `region` ("guangdong", or a sub-region "guangdong/guangzhou") for a
    document of `year`: its folders merged from the most specific (center, workspace and
    built-in sub-region, their parents) down to base. A region's year variant — a sub-region
    whose region.yaml says `years: 2020-2022` — is taken for a year in its range."""
    ws = ws or current()
    builtin = builtin_templates()
    year_problems: list[Problem] = []
    if year is not None:
        region, year_problems = _year_variant(region, year, ws)
    center_dir = ws.center_folder(center) if center else None
    lineage = _lineage(region)
    own = [builtin / "regions" / name for name in lineage]
    mine = [d for name in lineage for d in (ws.region_folder(name), builtin / "regions" / name)]
    base = builtin / "base"
    folders = _existing([center_dir, *mine, base])
    # "parent/…": a sub-region's parent chain (its own folders left out), so a sub-region's
    # template may extend its parent's: {% extends "parent/parts/explanation.html.j2" %}
    parents = [d for name in lineage[1:] for d in (ws.region_folder(name), builtin / "regions" / name)]
    prefixes = (("base", _existing([base])),
                ("region", _existing([*mine, base])),
                ("builtin", _existing([*own, base])),
                ("parent", _existing([*parents, base])))
    settings: dict[str, Any] = {}
    origins: dict[str, Path] = {}
    key_lines: dict[str, int] = {}
    locations: dict[tuple[Any, ...], tuple[Path, int, int]] = {}
    problems: list[Problem] = []
    for folder in reversed(folders):
        file = folder / SETTINGS
        if file.is_file():
            tree, lines = read_settings(file, folder)
            problems += unknown_keys(tree, lines, display_path(file))
            problems += placeholder_problems(tree, lines, display_path(file))
            new = _plain(tree)
            _merge(settings, new)
            origins |= dict.fromkeys(new, file)
            key_lines |= {k: lines.get((k,), (0, 0))[0] for k in new}
            locations |= {loc: (file, *at) for loc, at in lines.items()}
    declared = settings.get("sections")
    money = tuple(f"{name}.{key}" for name, spec in (declared.items() if isinstance(declared, dict) else ())
                  if isinstance(spec, dict) and isinstance(spec.get("fields"), dict)
                  for key, fs in spec["fields"].items() if isinstance(fs, dict) and fs.get("type") == "money")
    tables, trouble = load_tables(folders, declaration_problems,
                                  tuple(declared) if isinstance(declared, dict) else (), money)
    # The declarations are the source of the titles; region.yaml `table_titles` overrides them.
    # A per-record title ("{record}项目支出绩效目标表") is listed without its record.
    settings["table_titles"] = {k: t.title.replace("{record}", "") for k, t in tables.items()} \
        | settings.get("table_titles", {}) \
        if isinstance(settings.get("table_titles", {}), dict) else settings["table_titles"]
    if year is not None:
        problems += _outside_years(settings, year, locations, region)
    return Region(region, folders, settings, origins, key_lines, prefixes=prefixes,
                  problems=tuple(year_problems + problems + trouble), locations=locations,
                  tables=tables)


# --- variants: sub-regions (a city's form) and year variants (a form of some years) -----------


def _lineage(region: str) -> list[str]:
    """"guangdong/guangzhou" → ["guangdong/guangzhou", "guangdong"]: the sub-region first."""
    parts = region.split("/")
    return ["/".join(parts[:end]) for end in range(len(parts), 0, -1)]


def _region_roots(ws: Workspace) -> list[Path]:
    return [r for r in (ws.templates / "regions" if ws.templates else None,
                        builtin_templates() / "regions") if r is not None and r.is_dir()]


def _years(value: Any) -> range | None:
    """`years:` of a region.yaml — 2021, "2020-2022", "2021-" (from then on), [2021, 2022] —
    as a range of budget years; None when it says none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return range(value, value + 1)
    if isinstance(value, list) and value and all(isinstance(v, int) and not isinstance(v, bool)
                                                 for v in value):
        return range(min(value), max(value) + 1) if len(value) == max(value) - min(value) + 1 \
            else None
    if isinstance(value, str):
        first, dash, last = value.replace("—", "-").replace("–", "-").partition("-")
        if first.strip().isdigit() and (not dash or not last.strip() or last.strip().isdigit()):
            start = int(first)
            stop = int(last) + 1 if last.strip() else 10_000 if dash else start + 1
            return range(start, stop) if stop > start else None
    return None


def _shown(years: range) -> str:
    last = years.stop - 1
    return f"{years.start}年起" if last >= 9_999 else f"{years.start}年" if last == years.start \
        else f"{years.start}—{last}年"


def _year_variant(region: str, year: int, ws: Workspace) -> tuple[str, list[Problem]]:
    """`region`'s sub-region whose `years:` covers `year` (the form of those years), else
    `region` itself; a `years:` that says no years is a problem at its line."""
    problems: list[Problem] = []
    for root in _region_roots(ws):
        folder = root / region
        if not folder.is_dir():
            continue
        for sub in sorted(p for p in folder.iterdir() if (p / SETTINGS).is_file()):
            try:
                tree, lines = read_settings(sub / SETTINGS, sub)
            except BudgetError as exc:
                problems += exc.problems
                continue
            if "years" not in tree:
                continue
            years = _years(_plain(tree)["years"])
            if years is None:
                problems.append(Problem(display_path(sub / SETTINGS), lines.get(("years",), (0, 0))[0], 0,
                                        "E820", YEARS_WORDS))
            elif year in years:
                return f"{region}/{sub.name}", problems
    return region, problems


YEARS_WORDS = "years 应为预算年度或年度范围，如 2021、2020-2022、2025-（此后各年）"


def _outside_years(settings: dict[str, Any], year: int,
                   locations: dict[tuple[Any, ...], tuple[Path, int, int]], region: str) -> list[Problem]:
    """A region (or sub-region) whose `years:` does not cover the document's year."""
    if "years" not in settings:
        return []
    years = _years(settings["years"])
    if years is not None and year in years:
        return []
    file, line, col = locations.get(("years",), (Path(SETTINGS), 0, 0))
    message = YEARS_WORDS if years is None else \
        f"地区模板“{region}”适用于{_shown(years)}的预算，不适用于{year}年"
    return [Problem(display_path(file), line, col, "E820", message)]


def read_settings(file: Path, folder: Path) -> tuple[dict[str, Any], Lines]:
    """One region.yaml as a mapping with the position of every value, read as untrusted as
    a data file (`load.parse`); BudgetError naming the file (and line) otherwise (E820)."""
    name = display_path(file)

    def fail(line: int, message: str) -> BudgetError:
        return BudgetError([Problem(name, line, 0, "E820", message)])

    if not file.resolve().is_relative_to(folder.resolve()):
        raise fail(0, "设置文件指向所在文件夹之外（符号链接），已拒绝使用")
    try:
        _text, _tree, loaded, lines = parse(read_bytes(file, name, "设置文件"), name)
    except BudgetError as exc:
        raise BudgetError([replace(p, code="E820", message=f"设置文件：{p.message}")
                           for p in exc.problems]) from None
    if loaded is None:
        return {}, lines
    if not isinstance(loaded, dict):
        raise fail(1, "设置文件应为键值结构（如 tables: […]）")
    return loaded, lines


BASE = "base"  # the national structure on its own: the built-in base templates only


def known_regions(ws: Workspace | None = None) -> list[str]:
    """The regions (every folder of templates/regions) and their sub-regions (a folder in a
    region's folder with its own region.yaml: "guangdong/guangzhou"), built-in and the
    workspace's."""
    ws = ws or current()
    found: set[str] = set()
    for root in _region_roots(ws):
        for p in root.iterdir():
            if p.is_dir():
                found.add(p.name)
                found |= {f"{p.name}/{name}" for name in _sub_regions(p, SUB_REGION_DEPTH)}
    return [BASE, *sorted(found - {BASE})]


SUB_REGION_DEPTH = 3  # guangdong/guangzhou/2021 at most


def _sub_regions(folder: Path, depth: int) -> list[str]:
    if depth <= 1:
        return []
    found = []
    for p in sorted(folder.iterdir()):
        if p.is_dir() and not p.is_symlink() and (p / SETTINGS).is_file():
            found += [p.name, *(f"{p.name}/{n}" for n in _sub_regions(p, depth - 1))]
    return found


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


# --- settings text: one set of named placeholders ------------------------------------------

PLACEHOLDERS = {
    "year": "预算年度，如 2022",
    "prior_year": "上年，如 2021",
    "name": "部门（单位）名称",
    "prepared_by": "编制单位",
    "org": "“部门”或“单位”（单位预算）",
    "org_head": "“预算主管部门”或“预算单位”（单位预算）",
    "org_unit": "“部门”或“预算单位”（单位预算；如上海的表题“2025年预算单位收入预算总表”）",
}


def fill(value: Any, values: Mapping[str, object]) -> Any:
    """Every string in `value` (nested dicts and lists too) with its placeholders filled."""
    if isinstance(value, str):
        # by hand, not str.format: a width ("{year:>999999999}") or an attribute is never
        # applied, whatever reached here unchecked
        return "".join(literal + (str(values[name]) if name is not None else "")
                       for literal, name, _, _ in string.Formatter().parse(value))
    if isinstance(value, dict):
        return {k: fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, values) for v in value]
    return value


# Settings whose texts have placeholders of their own (checked where they are read).
# table_label, table_page_label: {n}, the number
OWN_PLACEHOLDERS = frozenset({"line_label", "sections", "table_label", "table_page_label"})


TABLE_PLACEHOLDERS = {"record": "每个记录一张表（each）时，该记录的名称（如项目名称）"}


def declaration_problems(tree: Any, lines: Lines, file: str) -> Iterator[Problem]:
    """The placeholders of a table declaration's texts: the settings' ones and `{record}`."""
    return placeholder_problems(tree, lines, file, TABLE_PLACEHOLDERS)


def placeholder_problems(tree: Any, lines: Lines, file: str,
                         extra: Mapping[str, str] | None = None) -> Iterator[Problem]:
    """An unknown placeholder or a stray brace in any text of a region.yaml, with its line."""
    for loc, text in texts(tree):
        if loc and (loc[0] in OWN_PLACEHOLDERS or loc[-1] == "format"):  # format: its row's fields
            continue
        line, col = lines.get(loc, (0, 0))
        try:
            fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(text)
                      if f is not None]
        except ValueError:
            yield Problem(file, line, col, "E820", f"设置文字“{text}”中的花括号不成对"
                          "（占位符写作 {year}，字面花括号写作 {{ 或 }}）")
            continue
        allowed = {**PLACEHOLDERS, **(extra or {})}
        for name, spec, conv in fields:
            if spec or conv:
                yield Problem(file, line, col, "E820", f"设置文字中的占位符 {{{name}}} 不能带格式或转换"
                              f"（“{':' + spec[:20] if spec else ''}{'!' + conv if conv else ''}”），"
                              f"请只写 {{{name}}}")
            elif name not in allowed:
                known = "、".join("{" + k + "}" for k in allowed)
                yield Problem(file, line, col, "E820",
                              f"设置文字中有未知的占位符 {{{name}}}，可用：{known}")


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    return node
