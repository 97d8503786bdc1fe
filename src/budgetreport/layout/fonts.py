"""Font roles and their default stacks, the CSS naming a center's licensed fonts, and
whether a font is installed.

Kept apart from `pdf` so that `check` can validate font roles and names without importing
WeasyPrint: fontconfig (the library Pango renders with) is asked through ctypes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

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


def font_problems(fonts: Mapping[str, str]) -> Iterator[tuple[str, str, str]]:
    """(role, code, message) for each font setting `build` could not honour: an unknown role
    or a blank family name (E801), a family fontconfig does not have (E800)."""
    named = {}
    for role, family in fonts.items():
        if role not in DEFAULT_FONTS:
            yield role, "E801", f"未知的字体用途“{role}”；可用：{'、'.join(DEFAULT_FONTS)}"
        elif not isinstance(family, str) or not family.strip():
            yield role, "E801", f"字体用途“{role}”的字体名为空：请填写已安装字体的族名（如 仿宋_GB2312），或删去此行"
        else:
            named[role] = family
    missing = dict(missing_families(list(named.values())))
    for role, family in named.items():
        if family in missing:
            yield role, "E800", not_installed(family, missing[family])


def not_installed(family: str, instead: str | None) -> str:
    also = f"，系统会用“{instead}”代替" if instead else ""
    return f"未安装字体“{family}”{also}：请安装该字体，或在字体设置中改用已安装的字体"


def missing_families(families: Sequence[str]) -> list[tuple[str, str | None]]:
    """(family, the family fontconfig would use instead) for each family not installed."""
    if not families:
        return []
    try:
        fc = _fontconfig()
    except OSError:  # no fontconfig: nothing could render anyway, WeasyPrint says so
        return []
    config = fc.FcInitLoadConfigAndFonts()
    try:
        missing = []
        for family in dict.fromkeys(families):
            matched = _matched_families(fc, config, family)
            # fontconfig always answers with *some* font; it must carry the requested name.
            if _fold(family) not in map(_fold, matched):
                missing.append((family, matched[0] if matched else None))
        return missing
    finally:
        fc.FcConfigDestroy(config)


@cache
def _fontconfig() -> Any:
    import ctypes  # here: most checks name no font, and ctypes takes milliseconds to import

    fc = ctypes.CDLL("libfontconfig.so.1")
    p = ctypes.c_void_p
    for name, restype, argtypes in (
            ("FcInitLoadConfigAndFonts", p, []), ("FcConfigDestroy", None, [p]),
            ("FcPatternCreate", p, []), ("FcPatternDestroy", None, [p]),
            ("FcPatternAddString", ctypes.c_int, [p, ctypes.c_char_p, ctypes.c_char_p]),
            ("FcConfigSubstitute", ctypes.c_int, [p, p, ctypes.c_int]),
            ("FcDefaultSubstitute", None, [p]),
            ("FcFontMatch", p, [p, p, ctypes.POINTER(ctypes.c_int)]),
            ("FcPatternGetString", ctypes.c_int, [p, ctypes.c_char_p, ctypes.c_int,
                                                  ctypes.POINTER(ctypes.c_char_p)])):
        function = getattr(fc, name)
        function.restype, function.argtypes = restype, argtypes
    return fc


FC_MATCH_PATTERN = 0  # FcMatchKind
FC_RESULT_MATCH = 0  # FcResult


def _matched_families(fc: Any, config: int, family: str) -> list[str]:
    """All family names (every language) of the font fontconfig picks for `family`."""
    import ctypes

    pattern = fc.FcPatternCreate()
    try:
        fc.FcPatternAddString(pattern, b"family", family.encode())
        fc.FcConfigSubstitute(config, pattern, FC_MATCH_PATTERN)
        fc.FcDefaultSubstitute(pattern)
        match = fc.FcFontMatch(config, pattern, ctypes.byref(ctypes.c_int()))
    finally:
        fc.FcPatternDestroy(pattern)
    if not match:
        return []
    try:
        names: list[str] = []
        value = ctypes.c_char_p()
        while fc.FcPatternGetString(match, b"family", len(names), ctypes.byref(value)) == FC_RESULT_MATCH:
            names.append((value.value or b"").decode("utf-8", "replace"))
        return names
    finally:
        fc.FcPatternDestroy(match)


def _fold(name: str) -> str:
    """fontconfig compares family names ignoring case and blanks."""
    return "".join(name.split()).casefold()


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
