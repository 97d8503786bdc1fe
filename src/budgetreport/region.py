"""Region settings: which parts and tables a region publishes, in which order, under which names.

Settings are YAML (`region.yaml`) in each template folder and merge key by key, least specific
first: built-in base, built-in region, workspace region, workspace center — so each folder
states only what differs. The same folders, most specific first, form the template search
path (see `render`); `resources` says where the built-in and workspace folders are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .problems import BudgetError, Problem, display_path
from .resources import Workspace, builtin_templates, current

SETTINGS = "region.yaml"


@dataclass(frozen=True)
class Region:
    key: str
    folders: tuple[Path, ...]  # most specific first: center, region(s), base
    settings: dict[str, Any]
    origins: dict[str, Path] = field(default_factory=dict)  # top-level key → file that set it

    def problem(self, key: str, message: str) -> Problem:
        """A settings problem, named after the region.yaml that set `key`."""
        file = self.origins.get(key)
        return Problem(display_path(file) if file else "region.yaml", 0, 0, "E820", message)

    # Template name prefixes: "base/…" the built-in base, "region/…" the region as a center
    # sees it (workspace region, built-in region, base), "builtin/…" the built-in region (what
    # a workspace region that changes a built-in one extends).
    prefixes: tuple[tuple[str, tuple[Path, ...]], ...] = ()

    @property
    def requires_prior(self) -> list[str]:
        return list(self.settings.get("requires_prior", []))

    @property
    def settings_files(self) -> list[Path]:
        """The region.yaml files merged into `settings`, most specific first."""
        return [f / SETTINGS for f in self.folders if (f / SETTINGS).is_file()]


def _existing(paths: list[Path | None]) -> tuple[Path, ...]:
    """The folders that exist, each once (the repository is its own workspace: its
    templates/ are also the built-in ones)."""
    seen: dict[Path, None] = {}
    for p in paths:
        if p is not None and p.is_dir():
            seen.setdefault(p.resolve(), None)
    return tuple(seen)


def load_region(region: str, center: str | None = None, ws: Workspace | None = None) -> Region:
    ws = ws or current()
    builtin = builtin_templates()
    center_dir = ws.center_folder(center) if center else None
    ws_region, own_region = ws.region_folder(region), builtin / "regions" / region
    base = builtin / "base"
    folders = _existing([center_dir, ws_region, own_region, base])
    prefixes = (("base", _existing([base])),
                ("region", _existing([ws_region, own_region, base])),
                ("builtin", _existing([own_region, base])))
    settings: dict[str, Any] = {}
    origins: dict[str, Path] = {}
    for folder in reversed(folders):
        file = folder / SETTINGS
        if file.is_file():
            new = read_settings(file, folder)
            _merge(settings, new)
            origins |= dict.fromkeys(new, file)
    return Region(region, folders, settings, origins, prefixes)


def read_settings(file: Path, folder: Path) -> dict[str, Any]:
    """One region.yaml as a mapping; BudgetError naming the file (and line) otherwise."""
    name = display_path(file)

    def fail(line: int, message: str) -> BudgetError:
        return BudgetError([Problem(name, line, 0, "E820", message)])

    if not file.resolve().is_relative_to(folder.resolve()):
        raise fail(0, "设置文件指向所在文件夹之外（符号链接），已拒绝使用")
    try:
        text = file.read_text(encoding="utf-8")
        loaded = YAML(typ="safe").load(text) if len(text) <= 1_000_000 else None
    except UnicodeDecodeError:
        raise fail(0, "设置文件不是 UTF-8 编码的文本") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise fail(line, f"设置文件 YAML 格式错误：{getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise fail(0, "设置文件嵌套过深") from None
    if loaded is None:
        return {}
    if not isinstance(loaded, dict) or not all(isinstance(k, str) for k in loaded):
        raise fail(1, "设置文件应为键值结构（如 tables: […]）")
    return loaded


def known_regions(ws: Workspace | None = None) -> list[str]:
    ws = ws or current()
    roots = [builtin_templates() / "regions", ws.templates / "regions" if ws.templates else None]
    return sorted({p.name for r in roots if r is not None and r.is_dir() for p in r.iterdir() if p.is_dir()})


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
