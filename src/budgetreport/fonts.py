"""Font roles and their default stacks, and the CSS naming a center's licensed fonts.

Kept apart from `pdf` so that `check` can validate font roles without importing WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

# Font roles of templates/base/style.css → open font stacks. Each ends with a Noto CJK
# family so characters missing from a GB2312-only font (堃喆昇珺) still print.
DEFAULT_FONTS: dict[str, tuple[str, ...]] = {
    "body": ("Noto Serif CJK SC",),  # 仿宋
    "heading": ("Noto Sans CJK SC",),  # 黑体
    "kai": ("LXGW WenKai", "Noto Serif CJK SC"),  # 楷体
    "title": ("Noto Serif CJK SC",),  # 小标宋 (set bold)
    "number": ("Noto Serif CJK SC",),  # 宋体, page numbers
    "table": ("Noto Serif CJK SC",),  # 宋体, table cells
}

DEFAULT_FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(f for s in DEFAULT_FONTS.values() for f in s))

# Folders a center's `@font-face` rules may load licensed font files from (render_pdf's
# allowed_dirs). Installed fonts need none of this: Pango finds them through fontconfig.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)


def font_css(overrides: Mapping[str, str]) -> str:
    """`:root` rule putting a center's licensed fonts in front of the default stacks.

    `{"body": "仿宋_GB2312"}` → `:root { --font-body: "仿宋_GB2312", "Noto Serif CJK SC"; }`.
    Include it after style.css.
    """
    unknown = sorted(set(overrides) - set(DEFAULT_FONTS))
    if unknown:
        raise ValueError(f"未知的字体用途：{'、'.join(unknown)}；可用：{'、'.join(DEFAULT_FONTS)}")
    if not overrides:
        return ""
    lines = []
    for role, family in overrides.items():
        stack = [family, *(f for f in DEFAULT_FONTS[role] if f != family)]
        lines.append(f"  --font-{role}: {', '.join(map(_css_string, stack))};")
    return ":root {\n" + "\n".join(lines) + "\n}\n"


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'
