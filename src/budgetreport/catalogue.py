"""Classification catalogues (支出功能分类, 经济分类) and the standard glossary, as data.

Codes and names change from year to year, so each year is a YAML file in `catalogue/`;
a code's parents are found by prefix (类 3 digits, 款 5, 项 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

HERE = Path(__file__).parent / "catalogue"
LEVELS = {3: "类", 5: "款", 7: "项"}


@dataclass(frozen=True)
class Entry:
    code: str
    name: str
    verified: bool
    description: str | None = None


@dataclass(frozen=True)
class Catalogue:
    year: int
    function: dict[str, Entry]
    economic: dict[str, Entry]

    def lineage(self, table: dict[str, Entry], code: str) -> list[Entry]:
        """The entries of a code and its parents, 类 first."""
        return [table[code[:n]] for n in (3, 5, 7) if n <= len(code) and code[:n] in table]


def available_years() -> list[int]:
    return sorted(int(p.stem) for p in HERE.glob("[0-9][0-9][0-9][0-9].yaml"))


@cache
def load_catalogue(year: int) -> Catalogue:
    """The catalogue of `year`, or the latest earlier one (see `catalogue_year`)."""
    used = catalogue_year(year)
    raw = YAML(typ="safe").load((HERE / f"{used}.yaml").read_text(encoding="utf-8"))

    def entries(section: str) -> dict[str, Entry]:
        return {str(code): Entry(str(code), e["name"], bool(e.get("verified", False)),
                                 e.get("description"))
                for code, e in raw[section].items()}

    return Catalogue(used, entries("function"), entries("economic"))


def catalogue_year(year: int) -> int:
    earlier = [y for y in available_years() if y <= year]
    return earlier[-1] if earlier else available_years()[0]


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    group: str | None


@cache
def standard_glossary() -> dict[str, GlossaryEntry]:
    raw = YAML(typ="safe").load((HERE / "glossary.yaml").read_text(encoding="utf-8"))
    return {e["term"]: GlossaryEntry(e["term"], e["definition"], e.get("group")) for e in raw}
