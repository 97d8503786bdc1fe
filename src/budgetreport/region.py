"""Region settings: which parts and tables a region publishes, in which order, under which names.

Settings are YAML (`region.yaml`) in each template folder and merge key by key, base first,
then the region, then the center, so a region states only what differs from the base.
The same folders form the template search path (see `render`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .problems import BudgetError, Problem, display_path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Region:
    key: str
    folders: tuple[Path, ...]  # most specific first: center, region, base
    settings: dict[str, Any]
    origins: dict[str, Path] = field(default_factory=dict)  # top-level key → file that set it

    def problem(self, key: str, message: str) -> Problem:
        """A settings problem, named after the region.yaml that set `key`."""
        file = self.origins.get(key)
        return Problem(display_path(file) if file else "region.yaml", 0, 0, "E820", message)

    @property
    def requires_prior(self) -> list[str]:
        return list(self.settings.get("requires_prior", []))


def template_folders(region: str, center: str | None = None) -> tuple[Path, ...]:
    candidates = [TEMPLATES / "centers" / center] if center else []
    candidates += [TEMPLATES / "regions" / region, TEMPLATES / "base"]
    return tuple(p for p in candidates if p.is_dir())


def load_region(region: str, center: str | None = None) -> Region:
    folders = template_folders(region, center)
    settings: dict[str, Any] = {}
    origins: dict[str, Path] = {}
    for folder in reversed(folders):
        file = folder / "region.yaml"
        if file.is_file():
            new = read_settings(file, folder)
            _merge(settings, new)
            origins |= dict.fromkeys(new, file)
    return Region(region, folders, settings, origins)


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


def known_regions() -> list[str]:
    return sorted(p.name for p in (TEMPLATES / "regions").iterdir() if p.is_dir())


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
