"""Import stage 2a: the words of a workbook — sheet titles, header labels, row labels —
normalised, and mapped to what they mean in the data.

Exports word the same thing differently ("一般公共预算资金", "一般公共预算拨款收入"; full- and
half-width brackets; "3.15部门收支总表"; "2025年…"). Titles come from the region's
`table_titles` plus its `import_titles` synonyms; header labels may be reworded by the region's
`header_labels` (read back in reverse) and `import_labels` synonyms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..inputs.model import Source

_WIDTH = str.maketrans({"(": "（", ")": "）", '"': "“", "'": "‘", ":": "：", " ": None,
                        "\u3000": None, "\n": None, "\t": None, "\r": None, "”": "“",
                        "’": "‘", "【": "（", "】": "）"})
ORDINAL = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d))")
_CODE_PREFIX = re.compile(r"^\s*(?:[A-Za-z]*\d+(?:[.．-]\d+)*)[.．、\s]*")
# A table's number before its title: "表1 ", "附表3：", "附件1 ", "表1-2 ", "公开01表 "
NUMBERING = re.compile(r"^\s*(?:(?:附件|附表|表)\s*[\d一二三四五六七八九十]+(?:[-－.．]\d+)?|公开\d+表)"
                       r"(?:[:：、.．]\s*|\s+)")
_YEAR = re.compile(r"\d{4}年度?")


def norm(text: Any) -> str:
    """Whitespace out, brackets and quotes full-width, ordinal prefixes ("一、", "1、") out."""
    s = str(text or "").translate(_WIDTH)
    for _ in range(2):  # "一、1、…" is not seen, but "（一）" after spaces is
        s = ORDINAL.sub("", s)
    return s


def title_key(text: Any) -> str:
    """A sheet title or name as compared: code prefix ("3.15") and year ("2025年") out, and
    the 部门/单位 wording of 单位预算 ("预算单位", "单位") read as 部门."""
    s = norm(_YEAR.sub("", _CODE_PREFIX.sub("", NUMBERING.sub("", str(text or ""), count=1), count=1)))
    s = s.replace("预算单位", "部门").replace("预算部门", "部门").replace("单位", "部门")
    return s.removeprefix("附表").strip("：")


_PLACEHOLDER = re.compile(r"\{year\}年度?|\{[a-z_]+\}")
_LOOSE = re.compile(r"财务|预算|情况")


def titles_by_key(settings: Mapping[str, Any]) -> dict[str, str]:
    """Normalised title → table key, for the region's table set (titles and synonyms). A
    title's placeholders are read as a 部门预算 prints them: no year, {org} as 部门."""
    out: dict[str, str] = {}
    synonyms: Mapping[str, Iterable[str]] = settings.get("import_titles", {})
    for key in settings["tables"]:
        for title in [settings["table_titles"][key], *synonyms.get(key, [])]:
            text = _PLACEHOLDER.sub(lambda m: "部门" if m[0] == "{org}" else "", str(title))
            out.setdefault(title_key(text), key)
    return out


def loose(key: str) -> str:
    """A title without the words exports add or drop ("部门收入总表" for "部门收入预算总表",
    "收支总表" for "财务收支预算总表"), for a second, looser match."""
    return _LOOSE.sub("", key)


# --- header labels -------------------------------------------------------------------------

TOTAL_ROWS = {"合计", "总计", "支出合计", "收入合计", "合计数"}

# Amount columns of the classified tables and the three_public table, by normalised label.
COLUMNS: dict[str, str] = {
    "合计": "total", "总计": "total", "支出总计": "total", "收入总计": "total", "小计": "subtotal",
    "预算数": "total", "金额": "total",
    "基本支出": "basic", "人员经费": "personnel", "人员支出": "personnel",
    "公用经费": "public", "公用支出": "public", "日常公用经费": "public",
    "项目支出": "project",
    "上年结转": "carryover", "上年结转结余": "carryover", "上年结转资金": "carryover",
    "财政拨款收入": "fiscal", "财政拨款": "fiscal", "财政拨款合计": "fiscal",
    "本年收入": "this_year",
    "因公出国（境）费": "abroad", "因公出国（境）费用": "abroad", "因公出国（境）经费": "abroad",
    "公务接待费": "reception", "公务用车购置及运行费": "vehicle",
    "公务用车购置及运行维护费": "vehicle", "购置费": "vehicle_purchase",
    "公务用车购置费": "vehicle_purchase", "运行费": "vehicle_running",
    "运行维护费": "vehicle_running", "公务用车运行费": "vehicle_running",
    "公务用车运行维护费": "vehicle_running",
    "机关运行经费": "running_costs", "机关运行经费预算数": "running_costs",
    "机关运行经费预算": "running_costs",
}

# Income sources, as row labels (收支总表) and column labels (收入总表).
SOURCES: dict[str, str] = {}
for _source, _names in {
    Source.general_budget: ["一般公共预算拨款收入", "一般公共预算拨款", "一般公共预算资金",
                            "一般公共预算", "一般公共预算收入", "一般公共预算财政拨款"],
    Source.gov_fund: ["政府性基金预算拨款收入", "政府性基金预算拨款", "政府性基金", "政府性基金预算",
                      "政府性基金预算资金", "政府性基金收入"],
    Source.state_capital: ["国有资本经营预算拨款收入", "国有资本经营预算拨款", "国有资本经营预算",
                           "国有资本经营预算资金", "国有资本经营", "国有资本经营收入"],
    Source.fiscal_special: ["财政专户管理资金收入", "财政专户管理资金", "财政专户", "财政专户拨款",
                            "其他专户收入拨款"],
    Source.business: ["事业收入", "事业收入资金"],
    Source.operating: ["事业单位经营收入", "经营收入", "事业单位经营收入资金"],
    Source.superior_subsidy: ["上级补助收入", "上级补助", "上级补助收入资金"],
    Source.affiliated: ["附属单位上缴收入", "附属单位上缴", "附属单位上缴收入资金"],
    Source.other: ["其他收入", "其他收入资金"],
    Source.carryover: ["上年结转结余", "上年结转", "上年结余、结转", "上年结余结转", "上年结转和结余"],
}.items():
    for _name in _names:
        SOURCES[norm(_name)] = _source.value

# Row labels of the paired tables (收支总表, 财政拨款收支总表) besides sources and 类 names.
INCOME_ROWS = {"本年收入合计": "this_year", "本年收入": "this_year", "收入总计": "total",
               "收入合计": "total", "财政拨款收入": "fiscal", "财政拨款": "fiscal",
               "合计": "total",  # 合计 heading a 收支总体情况表 (Chongqing)
               "预算拨款": "fiscal",  # 广州's 收支总体情况表
               "单位资金": "own_funds"}  # 事业收入 … 其他收入 together (深圳)
SPENDING_ROWS = {"本年支出合计": "this_year", "本年支出": "this_year", "支出总计": "total",
                 "基本支出": "basic", "项目支出": "project",  # a 收支总表 by 基本/项目 (长沙)
                 "支出合计": "total", "结转下年": "carry_forward", "年末结转和结余": "carry_forward",
                 "结转下年支出": "carry_forward", "年终结转结余": "carry_forward",
                 "年末结转结余": "carry_forward", "结转结余下年": "carry_forward", "合计": "total"}


def column_key(path: tuple[str, ...], rename: Mapping[str, str]) -> str | None:
    """What an amount column holds, from its label path (top first, normalised)."""
    labels = [rename.get(p, p) for p in path]
    leaf = labels[-1]
    parent = labels[-2] if len(labels) > 1 else ""
    if (leaf in ("小计", "合计", "金额") or leaf in (parent + "总数", parent + "合计")) and parent:
        # (项目支出>项目支出总数, beside 项目支出>扣除基建项目后预算数, is 项目支出's whole)
        # 基本支出>小计, 公务用车购置及运行费>小计, 本年收入>小计; a 合计 under a table-wide
        # heading (“三公”经费预算数>合计, 一般公共预算支出>合计) is the row's total
        inner = COLUMNS.get(parent) or SOURCES.get(parent)
        if inner and inner != "total":
            return inner
        return "total"
    return COLUMNS.get(leaf) or SOURCES.get(leaf) or _suffixed(leaf)


def _suffixed(label: str) -> str | None:
    """"2025年机关运行经费预算数" and the like: a known label inside a longer one."""
    for known in ("机关运行经费",):
        if known in label:
            return COLUMNS[known]
    return None


def inverse_labels(settings: Mapping[str, Any], key: str) -> dict[str, str]:
    """The region's rewording of a table's headers, read back (人员支出 → 人员经费), plus
    its import synonyms."""
    out = {norm(v): norm(k) for k, v in settings.get("header_labels", {}).get(key, {}).items()}
    out |= {norm(k): norm(v) for k, v in settings.get("import_labels", {}).items()}
    return out
