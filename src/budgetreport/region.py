"""Region settings: which parts and tables a region publishes, in which order, under which names.

Settings are YAML (`region.yaml`) in each template folder and merge key by key, base first,
then the region, then the center, so a region states only what differs from the base.
The same folders form the template search path (see `render`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@dataclass(frozen=True)
class Region:
    key: str
    folders: tuple[Path, ...]  # most specific first: center, region, base
    settings: dict[str, Any]

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
    for folder in reversed(folders):
        file = folder / "region.yaml"
        if file.is_file():
            _merge(settings, YAML(typ="safe").load(file.read_text(encoding="utf-8")) or {})
    return Region(region, folders, settings)


def known_regions() -> list[str]:
    return sorted(p.name for p in (TEMPLATES / "regions").iterdir() if p.is_dir())


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
