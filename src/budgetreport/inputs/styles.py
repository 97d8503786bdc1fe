"""Text styles a region declares in its `region.yaml`: how sentences show amounts, how each
heading level is numbered and aligned, how a 项 is named, how a change is worded, whether
the 附表 part lists its tables. Read once (`text_style`), each problem at its line."""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..common.problems import Problem
from .settings import unknown_message

NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一 (enough for headings and tables)."""
    if n <= 10:
        return NUMERALS[n - 1]
    tens, ones = divmod(n, 10)
    return (NUMERALS[tens - 1] if tens > 1 else "") + "十" + (NUMERALS[ones - 1] if ones else "")


@dataclass(frozen=True)
class HeadingStyle:
    """One heading level: its number as prefix + counter + suffix ("（" 一 "）"), or none."""

    prefix: str = ""
    counter: str = ""  # "chinese" (一), "arabic" (1) or "" (not numbered)
    suffix: str = ""
    align: str = ""    # "" as the stylesheet has it, "left" or "center"
    running: bool = False  # numbering runs on across higher headings (西安: 一 … 十四 over all parts)

    def label(self, n: int) -> str:
        if not self.counter:
            return ""
        return f"{self.prefix}{numeral(n) if self.counter == 'chinese' else n}{self.suffix}"

    @property
    def separator(self) -> str:
        """An ideographic space after a number that ends in a word ("第一部分　概况"), none
        after one that ends in a mark ("一、", "（一）", "1.")."""
        last = self.suffix[-1:] if self.suffix else ""
        return "\u3000" if self.counter and last and last not in "、）).．:：" else ""


LEVELS = ("part", "level1", "level2", "level3", "level4")
DEFAULT_HEADINGS = {"part": "第一部分", "level1": "一、", "level2": "（一）", "level3": "1.",
                    "level4": "（1）"}


def heading_style(number: str, align: str = "") -> HeadingStyle | None:
    """The style whose first heading prints `number` ("（一）", "1.", "第一部分", "" none)."""
    if number == "":
        return HeadingStyle(align=align)
    for counter, first in (("chinese", "一"), ("arabic", "1")):
        at = number.find(first)
        if at >= 0:
            return HeadingStyle(number[:at], counter, number[at + 1:], align)
    return None


LINE_FIELDS = {
    "class": "类名称", "kuan": "款名称", "item": "项名称", "class_code": "类编码（如 204）",
    "kuan_code": "款编码（如 06）", "item_code": "项编码（如 01）", "code": "项的完整编码（如 2040601）",
}
DEFAULT_LINE_LABEL = "{class}（类）{kuan}（款）{item}（项）"

def name_line(label: str, names: tuple[str, ...], code: str) -> str:
    """A 项 as `label` names it, e.g. "公共安全支出（204类）司法（06款）行政运行（01项）"."""
    values = dict(zip(("class", "kuan", "item"), names, strict=False))
    values |= {"class_code": code[:3], "kuan_code": code[3:5], "item_code": code[5:7], "code": code}
    return label.format_map({k: values.get(k, "") for k in LINE_FIELDS})


COMPARISON = {
    "increase": "金额增加的用语（增加）", "decrease": "金额减少的用语（减少）",
    "rise": "百分比上升的用语（增长）", "fall": "百分比下降的用语（下降）",
    "unchanged": "没有变化时接在“与上年…”之后的用语（如 持平、相比无变化）",
}


@dataclass(frozen=True)
class TextStyle:
    """Everything a region declares about its sentences and headings (defaults: base)."""

    trim_decimals: bool = False  # "686万元" for 686.00, "686.5万元" for 686.50
    headings: tuple[HeadingStyle, ...] = field(default_factory=lambda: tuple(
        heading_style(DEFAULT_HEADINGS[k]) or HeadingStyle() for k in LEVELS))
    line_label: str = DEFAULT_LINE_LABEL
    comparison: dict[str, str] = field(default_factory=dict)  # only the words the region sets
    table_list: bool = True
    thousands: bool = False  # "1,717.85万元" (text_thousands)



def text_style(settings: dict[str, Any], problem_at: Callable[[tuple[Any, ...], str, str], Problem]
               ) -> tuple[TextStyle, list[Problem]]:
    """The style the merged `settings` declare, and every problem with its value's line."""
    found: list[Problem] = []

    def bad(loc: tuple[Any, ...], message: str) -> None:
        found.append(problem_at(loc, message, "E820"))

    def unknown(loc: tuple[Any, ...], key: str, known: dict[str, str]) -> None:
        found.append(problem_at((*loc, key), unknown_message(loc, key, known), "E821"))

    style = TextStyle()
    trim = settings.get("text_decimals", "fixed")
    if trim not in ("fixed", "trim"):
        bad(("text_decimals",), f"text_decimals 应为 fixed（保留末尾的零，686.00万元）或 trim"
                                f"（略去末尾的零，686万元），而不是“{trim}”")
    headings = list(style.headings)
    declared = settings.get("headings", {})
    if not isinstance(declared, dict):
        bad(("headings",), "headings 应为键值结构：part、level1 … level4 各一项")
        declared = {}
    for key, value in declared.items():
        if key not in LEVELS:
            unknown(("headings",), key, dict.fromkeys(LEVELS, "标题级别"))
            continue
        if not isinstance(value, dict):
            bad(("headings", key), f"headings.{key} 应为键值结构，如 {{number: 一、, align: center}}")
            continue
        for sub in value:
            if sub not in ("number", "align", "running"):
                unknown(("headings", key), sub, {"number": "第一个标题的编号", "align": "对齐",
                                                 "running": "编号跨上级标题连续"})
        level = LEVELS.index(key)
        number = value.get("number", DEFAULT_HEADINGS[key])
        align = value.get("align", "")
        if align not in ("", "left", "center"):
            bad(("headings", key, "align"), f"align 应为 left（居左）或 center（居中），而不是“{align}”")
            align = ""
        parsed = heading_style(number, align) if isinstance(number, str) else None
        if parsed is None:
            bad(("headings", key, "number"), f"number 应写出这一级第一个标题的编号，如 第一部分、一、"
                                             f"（一）、1.、（1），或写 \"\" 表示不编号，而不是“{number}”")
            continue
        running = value.get("running", False)
        if not isinstance(running, bool):
            bad(("headings", key, "running"), f"running 应为 true（编号跨部分、上级标题连续，如 一 … 十四）"
                                              f"或 false（每个上级标题下重新编号），而不是“{running}”")
            running = False
        headings[level] = replace(parsed, running=running)
    label = settings.get("line_label", DEFAULT_LINE_LABEL)
    if not isinstance(label, str) or not label.strip():
        bad(("line_label",), "line_label 应为文字，如 \"{class}（类）{kuan}（款）{item}（项）\"")
        label = DEFAULT_LINE_LABEL
    else:
        try:
            names = [f for _, f, _, _ in string.Formatter().parse(label) if f is not None]
        except ValueError:
            names = ["{"]
        wrong = [n for n in names if n not in LINE_FIELDS]
        if wrong:
            known = "、".join("{" + k + "}（" + v + "）" for k, v in LINE_FIELDS.items())
            bad(("line_label",), f"line_label 中有未知的占位符“{wrong[0]}”或不成对的花括号，可用：{known}")
            label = DEFAULT_LINE_LABEL
    words = settings.get("comparison", {})
    if not isinstance(words, dict):
        bad(("comparison",), "comparison 应为键值结构，如 {unchanged: 持平}")
        words = {}
    for key, value in words.items():
        if key not in COMPARISON:
            unknown(("comparison",), key, COMPARISON)
        elif not isinstance(value, str) or not value.strip():
            bad(("comparison", key), f"comparison.{key} 应为文字")
    listed = settings.get("table_list", True)
    if not isinstance(listed, bool):
        bad(("table_list",), f"table_list 应为 true 或 false，而不是“{listed}”")
        listed = True
    on_page = settings.get("table_label_on_page", False)
    if on_page not in (True, False, "above"):
        bad(("table_label_on_page",), f"table_label_on_page 应为 true（表名前印表号）、above（表号单独一行印在"
                                      f"表名之上）或 false，而不是“{on_page}”")
    comparison = {k: v for k, v in words.items() if k in COMPARISON and isinstance(v, str) and v.strip()}
    thousands = settings.get("text_thousands", False)
    if not isinstance(thousands, bool):
        bad(("text_thousands",), f"text_thousands 应为 true（正文金额带千位分隔符，1,717.85万元）或 false，"
                                 f"而不是“{thousands}”")
        thousands = False
    return TextStyle(trim == "trim", tuple(headings), label, comparison, listed, thousands), found
