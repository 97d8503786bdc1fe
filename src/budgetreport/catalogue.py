"""Classification catalogues (支出功能分类, 经济分类) and the standard glossary, as data.

Codes and names change from year to year, so each year is a YAML file `<year>.yaml`; a code's
parents are found by prefix (类 3 digits, 款 5, 项 7). The built-in folder comes first, then
the workspace's `catalogue/`, whose entries add to or correct the built-in ones (see
`resources`). A year without a file uses the nearest earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

from .resources import Workspace, builtin_catalogue, current

LEVELS = {3: "类", 5: "款", 7: "项"}
GLOSSARY = "glossary.yaml"


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    verified: bool
    description: str | None = None


@dataclass(frozen=True)
class Catalogue:
    year: int  # the latest year among `files`
    function: dict[str, Entry]
    economic: dict[str, Entry]
    files: tuple[Path, ...] = ()  # least specific first: built-in, then workspace

    def lineage(self, table: dict[str, Entry], code: str) -> list[Entry]:
        """The entries of a code and its parents, 类 first."""
        return [table[code[:n]] for n in (3, 5, 7) if n <= len(code) and code[:n] in table]


def folders(ws: Workspace | None = None) -> list[Path]:
    """Catalogue folders, least specific first."""
    ws = ws or current()
    found = [builtin_catalogue()]
    if ws.catalogue is not None and ws.catalogue.is_dir() and ws.catalogue.resolve() != found[0]:
        found.append(ws.catalogue.resolve())
    return found


def _years(folder: Path) -> list[int]:
    return sorted(int(p.stem) for p in folder.glob("[0-9][0-9][0-9][0-9].yaml"))


def catalogue_files(year: int, ws: Workspace | None = None) -> list[Path]:
    """The file each folder contributes for `year`: that year's, or the nearest earlier one
    (the built-in folder falls back to its earliest year)."""
    chosen: list[Path] = []
    for i, folder in enumerate(folders(ws)):
        years = _years(folder)
        earlier = [y for y in years if y <= year]
        if earlier or (i == 0 and years):
            chosen.append(folder / f"{(earlier or years)[-1]}.yaml")
    return chosen


def load_catalogue(year: int, ws: Workspace | None = None) -> Catalogue:
    """The catalogue of `year`: the built-in entries, then the workspace's."""
    files = catalogue_files(year, ws)
    return _load(tuple((f, f.stat().st_mtime_ns) for f in files))


@cache
def _load(files: tuple[tuple[Path, int], ...]) -> Catalogue:
    function: dict[str, Entry] = {}
    economic: dict[str, Entry] = {}
    for file, _mtime in files:
        raw = YAML(typ="safe").load(file.read_text(encoding="utf-8")) or {}
        for section, table in (("function", function), ("economic", economic)):
            for code, e in (raw.get(section) or {}).items():
                table[str(code)] = Entry(str(code), e["name"], bool(e.get("verified", False)),
                                         e.get("description"))
    year = max(int(f.stem) for f, _ in files)
    return Catalogue(year, function, economic, tuple(f for f, _ in files))


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
    terms: dict[str, GlossaryEntry] = {}
    for file, _mtime in files:
        for e in YAML(typ="safe").load(file.read_text(encoding="utf-8")) or []:
            terms[e["term"]] = GlossaryEntry(e["term"], e["definition"], e.get("group"))
    return terms
