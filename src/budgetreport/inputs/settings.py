"""The keys a `region.yaml` may set: one registry, so a misspelt key is an error at its line.

Each key is listed with its meaning in Chinese (shown when a key is unknown). A new setting
is a line here and its use; its values are checked where they are read (`styles`,
`sections`, `inputs.table_settings.settings_problems`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from typing import Any

from ..common.problems import Problem
from .load import Lines

KEYS: dict[str, str] = {
    "name": "地区名称（如 上海市）",
    "years": "本版式适用的预算年度（子地区：数据写上级地区时按年度自动选用），如 2020-2022、2025-",
    "requires_prior": "文中比较句需要的上年数",
    "asks_for": "文档印出、数据留空时 check 要求填写的内容",
    "optional": "单位确无、不必填写的内容",
    "tagged_pdf": "是否生成无障碍（带标签）PDF",
    "parts": "各部分的顺序",
    "part_titles": "各部分标题",
    "explanation_sections": "预算说明各节的顺序",
    "tables": "附表的顺序（每张表声明于 tables/<键>.yaml）",
    "table_titles": "附表标题（覆盖表的声明）",
    "table_numbering": "附表编号方式（chinese、arabic 或 two_digit）",
    "table_label": "表号在表名前的写法（{n} 为表号，如 附表{n}）",
    "table_label_on_page": "表页上也印表号：true 印在表名前，above 单独一行印在表名之上（默认 false，只在目录中）",
    "table_page_label": ("表页右上、表名之上另印的表号（{n} 为阿拉伯数字序号，如 表{n}；{nn} 两位，如 公开{nn}表；"
                         "与 table_label 各自独立）"),
    "prepared_label": "附表表头左侧的“编制单位”用语",
    "header_labels": "附表表头用语的替换",
    "empty_note": "空表的通用说明",
    "empty_notes": "按表另定的空表说明",
    "empty_note_position": "空表说明的位置（body 或 below）",
    "text_unit": "正文金额单位",
    "text_places": "正文金额小数位数",
    "explanation_text_places": "预算编制说明的金额小数位数",
    "text_decimals": "正文金额末尾的零（fixed 保留，trim 略去）",
    "text_thousands": "正文金额带千位分隔符（true：1,717.85万元）",
    "table_thousands": "附表金额带千位分隔符（默认 true：2,469.59；false：2469.59）",
    "table_unit": "附表金额单位",
    "table_units": "按表另定的附表金额单位",
    "running_costs_classes": "机关运行经费的经济分类口径",
    "economic_both": "人员经费、公用经费都可列的经济分类款（如 [\"30228\", \"30239\"]），不作 R204 提示",
    "line_changes": "逐项写出与上年数的比较",
    "changes_from_shown": "按所示金额计算增减",
    "import_titles": "导入时附表标题的同义词",
    "import_labels": "导入时表头用语的同义词",
    "headings": "各级标题的编号与对齐",
    "line_label": "预算说明中项级科目的写法",
    "comparison": "比较句的用语（增加、减少、持平等）",
    "table_list": "附表部分是否先列出附表清单",
    "sections": "地区数据栏目（数据文件 sections 下填写的记录）",
    "official_workbook": "官方公开模板工作簿的版式声明文件（按部门预算、单位预算）",
    "split_files": "另按部分分成几个 PDF 发布（如北京：[{name: 附件1, parts: [statement]}, "
                   "{name: 附件2, parts: [tables]}]，写出 <文件名>-附件1.pdf、<文件名>-附件2.pdf）",
}


def unknown_keys(tree: Mapping[str, Any], lines: Lines, file: str,
                 known: Mapping[str, str] = KEYS, within: tuple[str, ...] = ()) -> Iterator[Problem]:
    """A key of `tree` (at `within`) that `known` does not list, at its line (E821)."""
    for key in tree:
        if key not in known:
            line, col = lines.get((*within, key), (0, 0))
            yield Problem(file, line, col, "E821", unknown_message(within, key, known))


def unknown_message(within: tuple[Any, ...], key: Any, known: Mapping[str, str]) -> str:
    """“未知的设置项“headings.level1.allign”。是否应为 align（对齐）？”"""
    where = ".".join(str(k) for k in (*within, key))
    near = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    hint = f"。是否应为 {near[0]}（{known[near[0]]}）？" if near else "。可用的设置项：" + "、".join(known)
    return f"未知的设置项“{where}”{hint}"
