"""Classification catalogues (支出功能分类, 经济分类) and the standard glossary, as data.

A catalogue file maps each code to its name, the public source that confirms it, and the
years it applies to (`from` / `until`); a file named `<year>.yaml` applies from that year on.
The built-in `catalogue/codes.yaml` covers 2022–2026 (`years:`); the workspace's
`catalogue/*.yaml` come after it and add or correct entries (see `resources`). A year no
file covers uses the nearest earlier covered year. A code's parents are found by prefix
(类 3 digits, 款 5, 项 7). Names a data file gives for codes the catalogue lacks are added by
`Catalogue.named`, marked as coming from the data.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.problems import BudgetError, Loc, Problem, display_path
from .resources import Workspace, builtin_catalogue, current, read_mapping

if TYPE_CHECKING:
    from .model import Budget

LEVELS = {3: "类", 5: "款", 7: "项"}
GLOSSARY = "glossary.yaml"
SECTIONS = {"function": "支出功能分类", "economic": "支出经济分类"}
ENTRY_KEYS = {"name": "名称", "source": "证实它的公开来源", "description": "科目说明",
              "from": "适用的首个年度", "until": "适用的最后年度"}
FROM_DATA = "数据"  # Entry.origin of a name the data file gave


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    source: str | None = None  # None: not confirmed by a public source
    description: str | None = None
    origin: str = ""  # the file it came from, or FROM_DATA

    @property
    def verified(self) -> bool:
        return self.source is not None


@dataclass(frozen=True)
class Catalogue:
    year: int  # the year whose entries these are (the nearest covered year)
    function: dict[str, Entry]
    economic: dict[str, Entry]
    files: tuple[Path, ...] = ()  # least specific first: built-in, then workspace
    from_data: frozenset[tuple[str, str]] = field(default=frozenset())  # (section, code)

    def lineage(self, table: dict[str, Entry], code: str) -> list[Entry]:
        """The entries of a code and its parents, 类 first."""
        return [table[code[:n]] for n in (3, 5, 7) if n <= len(code) and code[:n] in table]

    def named(self, names: dict[str, dict[str, str]]) -> Catalogue:
        """This catalogue plus the names a data file gives ({section: {code: name}}) for
        codes it lacks; a name for a code the catalogue has is left to the rules to compare."""
        tables = {s: dict(getattr(self, s)) for s in SECTIONS}
        added = set(self.from_data)
        for section, given in names.items():
            for code, name in given.items():
                if code not in tables[section]:
                    tables[section][code] = Entry(code, name, origin=FROM_DATA)
                    added.add((section, code))
        return replace(self, function=tables["function"], economic=tables["economic"],
                       from_data=frozenset(added))


def folders(ws: Workspace | None = None) -> list[Path]:
    """Catalogue folders, least specific first."""
    ws = ws or current()
    found = [builtin_catalogue()]
    if ws.catalogue is not None and ws.catalogue.is_dir() and ws.catalogue.resolve() != found[0]:
        found.append(ws.catalogue.resolve())
    return found


def catalogue_files(ws: Workspace | None = None) -> list[Path]:
    """Every catalogue file, least specific first (the glossary is not one)."""
    return [f for folder in folders(ws) for f in sorted(folder.glob("*.yaml")) if f.name != GLOSSARY]


def load_catalogue(year: int, ws: Workspace | None = None) -> Catalogue:
    """The entries that apply in `year` (or the nearest earlier covered year); BudgetError,
    with file and line, if a catalogue file is malformed."""
    files = catalogue_files(ws)
    return _catalogue(year, tuple((f, f.stat().st_mtime_ns) for f in files))


@dataclass(frozen=True)
class _Item:
    section: str
    entry: Entry
    start: int  # first year (0: always)
    end: int  # last year


@cache
def _catalogue(year: int, files: tuple[tuple[Path, int], ...]) -> Catalogue:
    covered: set[int] = set()
    items: list[tuple[int, int, _Item]] = []  # (file order, start, item): later wins
    for order, (file, _mtime) in enumerate(files):
        file_years, file_items = _read(file)
        covered |= file_years
        items += [(order, item.start, item) for item in file_items]
    earlier = sorted(y for y in covered if y <= year)
    used = earlier[-1] if earlier else min(covered, default=year)
    tables: dict[str, dict[str, Entry]] = {s: {} for s in SECTIONS}
    for _order, _start, item in sorted(items, key=lambda t: (t[1], t[0])):
        if item.start <= used <= item.end:
            tables[item.section][item.entry.code] = item.entry
    return Catalogue(used, tables["function"], tables["economic"], tuple(f for f, _ in files))


def _read(file: Path) -> tuple[set[int], list[_Item]]:
    """A catalogue file's covered years and entries, every problem located."""
    name = display_path(file)
    problems: list[Problem] = []
    raw, lines = read_mapping(file, "科目目录", ("E040", "E041"))

    def problem(key: Loc, code: str, message: str) -> None:
        problems.append(Problem(name, lines.get(key, (0, 0))[0], 0, code, message))

    if not isinstance(raw, dict):
        raise BudgetError([Problem(name, 1, 0, "E042", "科目目录应为键值结构（years、function、economic）")])
    default_start = int(file.stem) if file.stem.isdigit() and len(file.stem) == 4 else 0
    years = {default_start} if default_start else set()
    found: list[_Item] = []
    for key, value in raw.items():
        if key == "years":
            if isinstance(value, list) and all(type(y) is int for y in value):
                years |= set(value)
            else:
                problem((key,), "E043", "years 应为年度列表，如 [2022, 2023]")
        elif key in SECTIONS:
            found += _entries(key, value, default_start, problem, name)
        else:
            problem((key,), "E044", f"科目目录中未知的键“{key}”：只能有 years、function（支出功能分类）、"
                                    "economic（支出经济分类）")
    if problems:
        raise BudgetError(problems)
    return years, found


def _entries(section: str, value: Any, default_start: int, problem: Any, origin: str) -> Iterator[_Item]:
    if value is None:
        return
    if not isinstance(value, dict):
        problem((section,), "E045", f"{section} 应为 编码: {{name: 名称}} 的映射")
        return
    for code, e in value.items():
        if not code.isdigit() or len(code) not in LEVELS:
            problem((section, code), "E046", f"科目编码“{code}”应为3、5或7位数字（类、款、项）")
            continue
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not e["name"].strip():
            problem((section, code), "E047", f"科目 {code} 应写成 {{name: 名称, source: 来源}}，名称不能为空")
            continue
        unknown = [k for k in e if k not in ENTRY_KEYS]
        if unknown:
            known = "、".join(f"{k}（{v}）" for k, v in ENTRY_KEYS.items())
            problem((section, code, unknown[0]), "E048", f"科目 {code} 中未知的键“{unknown[0]}”：可用 {known}")
            continue
        start, end = e.get("from", default_start), e.get("until", 9999)
        if type(start) is not int or type(end) is not int:
            problem((section, code), "E049", f"科目 {code} 的 from、until 应为年度数字")
            continue
        text = {k: str(e[k]) if e.get(k) is not None else None for k in ("source", "description")}
        yield _Item(section, Entry(code, e["name"].strip(), text["source"], text["description"],
                                   origin), start, end)


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    group: str | None


def glossary_files(ws: Workspace | None = None) -> list[Path]:
    return [f / GLOSSARY for f in folders(ws) if (f / GLOSSARY).is_file()]


def standard_glossary(ws: Workspace | None = None) -> dict[str, GlossaryEntry]:
    """The standard terms: built-in, then the workspace's additions and corrections."""
    return _glossary(tuple((f, f.stat().st_mtime_ns) for f in glossary_files(ws)))


@cache
def _glossary(files: tuple[tuple[Path, int], ...]) -> dict[str, GlossaryEntry]:
    """The terms of each glossary file in turn; BudgetError (E050) naming the file and line
    of an entry that is not `- {term: …, definition: …, group: …}`."""
    terms: dict[str, GlossaryEntry] = {}
    for file, _mtime in files:
        entries, lines = read_mapping(file, "名词解释", ("E050", "E050"), top="Sequence")
        name = display_path(file)
        if entries == {}:
            continue
        if not isinstance(entries, list):
            raise BudgetError([Problem(name, 1, 0, "E050", "名词解释应为列表，每项写作 "
                                       "- {term: 名词, definition: 解释}")])
        for i, e in enumerate(entries):
            fields = e if isinstance(e, dict) else {}
            term, definition, group = (fields.get(k) for k in ("term", "definition", "group"))
            if not (isinstance(term, str) and term.strip() and isinstance(definition, str)
                    and definition.strip() and isinstance(group, str | None)
                    and set(fields) <= {"term", "definition", "group"}):
                raise BudgetError([Problem(name, lines.get((i,), (0, 0))[0], 0, "E050",
                                           f"名词解释第{i + 1}项应写作 - {{term: 名词, definition: 解释}}"
                                           "（可加 group: 分组），三者都是文字，不能有别的键")])
            terms[term] = GlossaryEntry(term, definition, group)
    return terms


def data_names(b: Budget) -> dict[str, dict[str, str]]:
    """The names a data file gives, by section: its lines' names, and `names:` entries for
    codes (or parents of codes) that section uses."""
    given: dict[str, dict[str, str]] = {
        "function": {x.code: x.name for x in b.spending if x.name},
        "economic": {e.code: e.name for e in b.economic if e.name},
    }
    used = used_codes(b)
    for code, name in b.names.items():
        for section in SECTIONS:
            if any(c.startswith(code) for c in used[section]):
                given[section].setdefault(code, name)
    return given


def used_codes(b: Budget) -> dict[str, set[str]]:
    """Every code a data file uses, by section."""
    return {
        "function": {x.code for x in b.spending} | {t.code for t in b.transfers if t.code}
        | set(b.prior.by_function),
        "economic": {e.code for e in b.economic} | set(b.prior.by_economic),
    }
