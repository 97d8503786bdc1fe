"""Everything a document's region and workspace declare, resolved once, up front.

`resolve` reads the settings (`region.yaml` of base, region, workspace region, center), the
templates search path, the catalogue of the year, the standard glossary, the text style and
the declared data sections, and checks them; the stages after it (`checks.rules`,
`compute.figures`, `layout.tables`, `layout.render`, `publish`) take the `Resolved` value
and only read it — none of them goes back to a settings file or the loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..common.problems import Problem
from .catalogue import Catalogue, GlossaryEntry, load_catalogue, standard_glossary
from .region import Region, load_region
from .resources import Workspace, current
from .settings import unknown_message
from .styles import TextStyle, text_style
from .table_settings import settings_problems

if TYPE_CHECKING:
    from .sections import SectionSpec


@dataclass(frozen=True)
class Resolved:
    """A document's region and workspace as one validated value (read only)."""

    region: Region                        # merged settings, templates search path, origins
    catalogue: Catalogue                  # classification codes of the year (built-in + workspace)
    glossary: dict[str, GlossaryEntry]    # the standard 名词解释 terms
    text: TextStyle = field(default_factory=TextStyle)
    sections: dict[str, SectionSpec] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()    # every settings problem, at its file and line

    @property
    def settings(self) -> dict[str, Any]:
        return self.region.settings

    @property
    def tables(self) -> dict[str, Any]:
        """The region's declared 附表 (key → declaration), read with its settings."""
        return dict(getattr(self.region, "tables", {}))

    @property
    def tagged_pdf(self) -> bool:
        return self.region.settings.get("tagged_pdf") is True


def resolve(region: str, year: int, center: str | None = None, ws: Workspace | None = None) -> Resolved:
    """The resolved value for a document of `region` and `year` (and `center`'s own folder);
    BudgetError when a settings, catalogue or glossary file cannot be read at all."""
    ws = ws or current()
    settings = load_region(region, center, ws, year)
    style, style_problems = text_style(settings.settings, settings.problem_at)
    sections: dict[str, SectionSpec] = {}
    section_problems: list[Problem] = []
    if settings.settings.get("sections"):  # declarations are rare: their module is loaded only then
        from .sections import declared_sections

        sections, section_problems = declared_sections(settings.settings, settings.problem_at)
    tagged = settings.settings.get("tagged_pdf", False)
    switches = [] if isinstance(tagged, bool) else [settings.problem_at(
        ("tagged_pdf",), f"地区设置 tagged_pdf 应为 true 或 false，而不是“{tagged}”", "E802")]
    return Resolved(settings, load_catalogue(year, ws), standard_glossary(ws), style, sections,
                    (*settings.problems, *style_problems, *section_problems, *switches,
                     *_part_title_problems(settings), *settings_problems(settings),
                     *split_problems(settings)))


FILE_NAME = re.compile(r"^[^\\/:*?\"<>|\s.][^\\/:*?\"<>|\s]{0,19}$")


def split_files(region: Region) -> list[tuple[str, tuple[str, ...]]]:
    """The files a document is published as besides the whole (`split_files`): each file's
    name (the output `<stem>-<name>.pdf`) and its parts, in the document's order; [] when
    the region publishes one document."""
    value = region.settings.get("split_files") or []
    return [(str(x["name"]), tuple(x["parts"])) for x in value] if not split_problems(region) else []


def split_problems(region: Region) -> list[Problem]:
    """`split_files` names each file once (a plain short name) and gives each of the
    region's parts to exactly one file, in the parts' order."""
    value = region.settings.get("split_files")
    if value is None:
        return []
    parts = list(region.settings.get("parts") or [])
    shape = "split_files 应为文件的列表，如 [{name: 附件1, parts: [statement]}, {name: 附件2, parts: [tables]}]"
    if not isinstance(value, list) or not all(isinstance(x, dict) and set(x) == {"name", "parts"}
                                              and isinstance(x["parts"], list) for x in value):
        return [region.problem_at(("split_files",), shape, "E820")]
    found = []
    names = [str(x["name"]) for x in value]
    for i, name in enumerate(names):
        if not FILE_NAME.match(name) or names.index(name) != i:
            found.append(region.problem_at(("split_files", i, "name"), f"文件名“{name}”不可用：应为不含空格、"
                                           "斜杠等符号的短名称（至多20字），且各文件不同", "E820"))
    given = [p for x in value for p in x["parts"]]
    if given != parts:
        found.append(region.problem_at(("split_files",), f"split_files 应按顺序把每个部分（{'、'.join(parts)}）"
                                       f"恰好分给一个文件，而不是 {'、'.join(map(str, given))}", "E820"))
    return found


def _part_title_problems(region: Region) -> list[Problem]:
    """A title given to a part no template folder has (`part_titles: {overveiw: …}`) would be
    silently unused: an error at its line, naming the parts there are."""
    titles = region.settings.get("part_titles", {})
    if not isinstance(titles, dict):
        return [region.problem_at(("part_titles",), "part_titles 应为键值结构：部分: 标题", "E820")]
    parts = {p.name.split(".")[0] for folder in region.folders if (folder / "parts").is_dir()
             for p in (folder / "parts").iterdir() if p.name.endswith(".html.j2")}
    return [region.problem_at(("part_titles", key), unknown_message(("part_titles",), key, dict.fromkeys(
        sorted(parts), "部分")), "E821") for key in titles if key not in parts]
