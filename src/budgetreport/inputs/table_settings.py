"""The table settings of a region are usable — checked when the region is resolved
(`inputs.resolved.resolve`), so `check` reports them before anything is laid out: the table
keys chosen (`tables`), their overrides (`table_titles`, `empty_notes`, `header_labels`,
`table_units`), numbering, units, decimals and switches."""

from __future__ import annotations

from ..common.money import UNIT_FACTOR
from ..common.problems import Problem
from .region import Region

NUMBERING_STYLES = ("chinese", "arabic", "two_digit")  # 一 / 1 / 01 (layout.tables draws them)


def settings_problems(region: Region) -> list[Problem]:
    """The table settings are usable: known table keys, each declared, texts as text."""
    s = region.settings
    found = []
    tables, titles = s.get("tables"), s.get("table_titles", {})
    if not isinstance(tables, list) or not all(isinstance(k, str) for k in tables):
        return [region.problem("tables", "tables 应为附表键的列表，如 [summary, income]")]
    if not isinstance(titles, dict) or not all(isinstance(t, str) for t in titles.values()):
        return [region.problem("table_titles", "table_titles 应为键值结构：附表键: 标题")]
    for key in tables:
        if key not in region.tables:
            found.append(region.problem("tables", f"未知的附表“{key}”（没有 tables/{key}.yaml），"
                                        f"可用：{'、'.join(region.tables)}"))
    for setting in ("empty_notes", "header_labels"):
        value = s.get(setting, {})
        texts = [v for x in value.values() for v in (x.values() if isinstance(x, dict) else [x])] \
            if isinstance(value, dict) else None
        if texts is None or not all(isinstance(t, str) for t in texts):
            found.append(region.problem(setting, f"{setting} 的取值应为文字"))
    numbering = s.get("table_numbering", "chinese")
    if numbering not in NUMBERING_STYLES:
        found.append(region.problem("table_numbering", f"table_numbering 应为 {'、'.join(NUMBERING_STYLES)} 之一，"
                                    f"而不是“{numbering}”"))
    label = s.get("table_label", "{n}")
    if not isinstance(label, str) or "{n}" not in label:
        found.append(region.problem("table_label", "table_label 应为含 {n}（表号）的文字，如 \"附表{n}\""))
    return found + _display_problems(region)  # placeholders: region.placeholder_problems




def _display_problems(region: Region) -> list[Problem]:
    """Units, decimals and switches of the region settings have values the tool can use."""
    s, found = region.settings, []
    units = "、".join(UNIT_FACTOR)
    for key in ("text_unit", "table_unit"):
        if key in s and s[key] not in UNIT_FACTOR:
            found.append(region.problem(key, f"{key} 应为 {units} 之一，而不是“{s[key]}”"))
    per_table = s.get("table_units", {})
    if not isinstance(per_table, dict) or not all(v in UNIT_FACTOR for v in per_table.values()):
        found.append(region.problem("table_units", f"table_units 应为键值结构：附表键: {units}"))
    for key in ("text_places", "explanation_text_places"):
        places = s.get(key, 2)
        if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= 4:
            found.append(region.problem(key, f"{key} 应为 0 到 4 的整数（小数位数），而不是“{places}”"))
    for key in ("changes_from_shown", "line_changes"):
        if not isinstance(s.get(key, False), bool):
            found.append(region.problem(key, f"{key} 应为 true 或 false，而不是“{s[key]}”"))
    return found
