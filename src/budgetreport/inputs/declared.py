"""The 附表 as data: one YAML declaration per table, read and validated here.

A declaration lives in `tables/<key>.yaml` of any template folder (built-in base, built-in
region, workspace region, center); the more specific folder's file overrides the less specific
one key by key at its top level. `VOCABULARY` is the one list of what a declaration may say —
the loader refuses anything else (E822, in Chinese, at the file's line) and
`budgetreport tables` prints it as the reference page. `layout.tables` draws the tables.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..common.problems import BudgetError, Problem, display_path
from .load import Lines, parse, read_bytes

FOLDER = "tables"
CODE = "E822"
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")

SOURCES = ("general_budget", "gov_fund", "state_capital", "fiscal_special", "business", "operating",
           "superior_subsidy", "affiliated", "other", "carryover")
FISCAL_KEYS = ("general_budget", "gov_fund", "state_capital")

# --- the vocabulary: every word a declaration may use, with what it means (the reference page) --

MEASURES: dict[str, str] = {
    "total": "合计", "basic": "基本支出", "personnel": "人员经费", "public": "公用经费",
    "project": "项目支出",
    "general_budget": "一般公共预算拨款", "gov_fund": "政府性基金预算拨款",
    "state_capital": "国有资本经营预算拨款", "fiscal_special": "财政专户管理资金",
    "business": "事业收入", "operating": "事业单位经营收入", "superior_subsidy": "上级补助收入",
    "affiliated": "附属单位上缴收入", "other": "其他收入", "carryover": "上年结转",
    "fiscal": "财政拨款（三项财政拨款之和）",
    "other_income": "其他收入（合计 − 财政拨款 − 事业收入 − 事业单位经营收入）",
    "prior": "上年数（数据逐项给出上年数时）", "change": "增减额（合计 − 上年数）",
    "change_rate": "增减率（%）",
    "zero": "零：表式有而数据不区分的栏（如 教育收费、事业单位经营支出），恒为 0",
}
THREE_PUBLIC_ITEMS = ("total", "abroad", "reception", "vehicle", "vehicle_purchase", "vehicle_running")
FIGURES: dict[str, str] = {
    **{f"income.{k}": f"收入：{v}" for k, v in {
        **{s: MEASURES[s] for s in SOURCES}, "total": "收入总计", "this_year": "本年收入合计",
        "fiscal": "财政拨款收入", "other_income": "其他收入（本年收入 − 财政拨款 − 事业收入 − 经营收入）"}.items()},
    **{f"spending.{k}": f"支出（全部资金）：{v}" for k, v in MEASURES.items() if k not in ("change_rate",)},
    **{f"fiscal.{k}": f"财政拨款支出：{v}" for k, v in MEASURES.items() if k not in ("change_rate",)},
    **{f"three_public.{k}": f"“三公”经费：{v}" for k, v in zip(THREE_PUBLIC_ITEMS, (
        "合计", "因公出国（境）费", "公务接待费", "公务用车购置及运行费", "公务用车购置费",
        "公务用车运行费"), strict=True)},
    **{f"income.carryover.{k}": f"上年结转结余：{v}（数据的 income.carryover_by；不填为0）" for k, v in (
        ("general_budget", "一般公共预算资金"), ("gov_fund", "政府性基金预算资金"),
        ("state_capital", "国有资本经营预算资金"), ("fiscal_special", "财政专户管理资金"),
        ("unit", "单位资金"), ("fiscal", "财政拨款（三项之和）"))},
    "running_costs": "机关运行经费", "carry_forward": "结转下年", "zero": MEASURES["zero"],
    **{f"procurement.{k}": f"政府采购：{v}" for k, v in (
        ("goods", "货物"), ("works", "工程"), ("services", "服务"), ("total", "合计"))},
}
SECTION_FIGURE = "section:"  # section:<data section>.<money field> — Σ of that field over its records
FIGURE_FORMS: dict[str, str] = {
    SECTION_FIGURE + "<数据段>.<金额字段>": "地区数据段某金额字段之和（单条记录的数据段即其值；数据未给出时为零），"
                                       "如 section:fiscal_carryover.general_budget（本年数；没有上年数）",
}
LINE_MEASURES: dict[str, str] = {
    "current": "本行数字（行的 figure）的本年数", "prior": "本行数字的上年数",
    "change": "本行数字的增减额（本年 − 上年）", "change_rate": "本行数字的增减率（%）",
}
TEXTS: dict[str, str] = {
    "code": "科目编码（一栏）", "类": "科目编码的类（如 201）", "款": "科目编码的款（如 05）",
    "项": "科目编码的项（如 07）", "name": "科目名称",
    "unit": "预算单位栏：合计行在此写 total_label（如 \"{name}\"），分类各行空白；固定行：第一行写部门名称，其余空白",
    "label": "行的名称（固定行、收支总表各行、合计）",
    "blank": "空栏：每行空白（表式有而数据没有的栏，如 事业单位经营支出）",
    "code_name": "编码与名称写在一栏，如 30101-基本工资",
    "government": "政府支出经济分类款，如 50101-工资奖金津补贴（economic 的 classification: pairs）",
}
ROW_SOURCES: dict[str, str] = {
    "functional": "支出功能分类 类/款/项（可按资金来源 funds、基本/项目 part 筛选）",
    "economic": "一般公共预算基本支出经济分类 类/款（部门预算经济分类）",
    "paired": "收支总表：左右两半（left、right），各为若干行",
    "fixed": "固定的行（lines）：各栏为全文数字（如 three_public.abroad），或行给出 figure、"
             "各栏为 current / prior / change / change_rate（本年、上年、增减额、增减率）",
    "records": "地区数据段（section）或转移支付（transfers）的逐条记录",
    "department_performance": "部门整体支出绩效目标表（信息栏与指标表）",
    "project_performance": "项目绩效目标表（每个项目的信息栏与指标表）",
}
FUNDS = {"all": "全部资金", "fiscal": "财政拨款（三项）", **{s: MEASURES[s] for s in SOURCES}}

TABLE_KEYS: dict[str, str] = {
    "title": "表名（可用占位符 {year} {org} 等）",
    "columns": "表头树：从左到右的栏，栏组用 columns 嵌套",
    "rows": "表体的行：source 行的来源及其选项",
    "unit": "金额单位：万元 或 元（默认 region.yaml 的 table_unit，再默认数据文件的单位）",
    "places": "小数位数 0–6（默认：万元两位；元在数据有分时两位，否则整数）",
    "min_type": "栏多、金额放不下时字号缩小的下限（磅，5–10；默认7），如北京十七栏的收入总表写 5",
    "zero": "金额为零时显示：\"0.00\"（按小数位，默认）、\"0\"、\"\"（空白）或 \"-\"",
    "orientation": "版式：auto（栏宽需要时横排，默认）、portrait、landscape、split（列出人员/公用经费时横排）",
    "repeat_header": "表跨页时每页重复表头（true，默认）",
    "numbered": "编表号（true，默认）；false：不编号，也不占表号（如印在说明中的绩效目标表）",
    "empty": "没有行时：note（表内写说明，默认）、omit（整表略去、不编号）、none_row（“无”行与合计行）、"
             "rows（照常画出合计为零的行）、header（只印表头，不写说明；表下的 note 照印）",
    "empty_note": "空表说明（默认 region.yaml 的 empty_note）",
    "note_position": "空表说明的位置：body（表内）或 below（表下“注：…”）",
    "prepared_label": "“编制单位”的用语（默认 region.yaml 的 prepared_label）",
    "min_rows": "表体至少这么多行，不足时以空行补齐（在末尾的合计行之前）",
    "type_size": "表的字号（磅，4–10.5）：栏多到自动缩小的字号（至 7 磅）也排不下时指定，如 5.5",
    "blank_rows": "在末尾的合计行之前（没有时在表末）加这么多空行",
    "each": "每个记录一张表：project（每个项目一张；表名等文字中 {record} 为项目名称）",
    "note": "表下的注（每次都印，“注：”之后的文字，换行为第二行；可用占位符；"
            "表画作零合计、空表说明印在表下时不印），如 本表反映部门本年度的收支总体情况。",
    "contents_title": "目录中的表名（默认同 title），如 部门收支总表",
    "labels_at_bottom": "表头：较浅的栏组向下延伸，使各栏名都在最下一行（默认 false：栏名紧接栏组之下，向下延伸）",
    "column_numbers": "表头下加一行栏次：金额栏依次为 1、2、3…，其余各栏印这里给的文字（如 \"**\"）",
}
COLUMN_KEYS: dict[str, str] = {
    "label": "栏名", "columns": "下级栏（栏组）", "measure": "金额：度量名（分类行）或全文数字（固定行）",
    "text": "文字栏：" + "、".join(TEXTS), "field": "地区数据段记录的字段",
    "minus": "与 field 同用：本栏为 field 减去记录的这一字段（如 当年 − 上年 的增减，可为负数）",
    "width": "栏宽（汉字数，默认金额 8、名称 22、编码 8）",
    "when": "split：数据逐行给出人员/公用经费时才列出；unsplit：否则才列出",
    "year": "固定行：本栏（及其下级栏）的全文数字取 current（本年）、prior（上年）或 change（增减额），不论行的 year",
    "merge": "数据段的栏：上下合并——记录不填本栏（也不填左边的合并栏）时并入上面的格（如项目名称、一级指标）",
    "section": "分类行的金额栏：从这个数据段按科目编码（记录的 code）取 field 的金额，类、款为其下各记录之和"
               "（如 支出总表的政府采购栏：{label: 小计, section: procurement_lines, field: amount}）",
    "format": "文字栏、字段栏的写法，如 \"[{code}]{name}\"：分类行可用 {code} {name}，记录行可用其各字段；"
              "{code.类} {code.款} {code.项} 只印编码的一段（如 30101 的 301、01）",
    "part_of": "true：本栏是前一栏的一部分（如“扣除基建项目后预算数”之于“项目支出总数”），"
               "打印合计核对时不与同级各栏相加（栏名以“其中”开头的栏同此）",
}
ROWS_KEYS: dict[str, str] = {
    "source": "行的来源：" + "、".join(ROW_SOURCES),
    "funds": "资金来源：all、fiscal 或来源名（可为列表）", "part": "all、basic（仅基本支出）或 project（仅项目支出）",
    "levels": "画到第几级（1 类、2 款、3 项）", "total": "合计行：first（在前，默认）、last（在后）或 none",
    "total_label": "合计行的名称（默认“合计”）",
    "total_cell": "合计行的名称：span（跨金额前各栏，默认）或 name（写在科目名称栏，编码栏空白）",
    "indent": "名称按级次缩进（true，默认）",
    "classification": "经济分类口径：department（部门支出经济分类 类/款，默认）、government（政府支出经济分类 类/款，"
                      "取数据各行的 government）或 pairs（每行一条：政府经济分类款 × 部门经济分类科目，如北京预算06表；"
                      "栏 text: government 印政府经济分类，text: code_name 印部门经济分类）",
    "left": "收支总表左半的行", "right": "收支总表右半的行", "lines": "固定的行",
    "section": "数据段名（或 transfers）",
    "depth": "records：记录中给出级次的字段（1 为最上级；后一条更深的记录为其小计，不计入合计）",
    "totals_at": "收支总表的合计类行：bottom（排在底部，默认）或 top（排在表头下、各行之前）",
    "unit_row": "合计行（在前时）之下、各行之前加一行单位行，数字同合计，行名如 \"{name}\" 或 \"{name}（本级）\"",
    "total_in": "records：合计行的名称写在哪个字段的栏（默认第一栏），如 name",
    "classes": "functional、economic：只画这些类（类级编码的列表，如 [\"302\"]），合计也只算它们",
    "groups": "records：按这些字段分组（字段名列表，外层在前），每组先印一行小计（组的值印在第一栏，"
              "按层缩进），组内各行的分组字段空白；合计只加各条记录",
    "class_on_kuan": "类/款/项分栏时，款级行的“类”栏是否印类编码（true，默认；false 只印款，如 长沙）",
    "code_alone": "类/款/项分栏时，每行只印本级那一段编码（类行印类、款行印款、项行印项；如 烟台）",
}
LINE_KEYS: dict[str, str] = {
    "label": "行名", "each": "class：每个类一行（按所在一半的各栏度量）", "funds": "each/of 的资金来源",
    "numbered": "each 行名前加编号：true 为“一、二、…”，或写编号的样子，如 （一） 得“（一）（二）…”、"
                "1、 得“1、2、…”（只编类）",
    "figure": "一个全文数字（见 figures），或其列表（相加）",
    "less": "从 figure 中减去的全文数字（一个或列表），如本年收入 = 财政拨款收入 − 上年结转",
    "beside": "与另一半的这一行（行名）排在同一行，其间以空行补齐（如 二、上年结转 对齐 二、结转下年）",
    "levels": "each 画到第几级：1 只有类（默认），2 类及其款，3 类、款、项（“一、”只编类）",
    "indent": "缩进（true；默认 false）：each 行的款、项名称按级次缩进；figure 行与只有名称的行缩进一级"
              "（如 一、财政拨款 下的 一般公共预算）",
    "of": "functional：该分类的合计（按各栏度量）", "sum": "这些行（行名列表）之和",
    "adds": "声明本行为这些行之和（行名列表，或 above：上面各行），供打印合计核对",
    "total": "合计类的行：排在一半的底部、加粗",
    "year": "固定行：current（本年，默认）、prior（上年）或 change（本年 − 上年）",
    "all": "each 列出哪些类：true 为当年科目目录的全部类（没有支出的类也列出、金额空白），"
           "或类编码的列表（如 [\"201\", \"202\"]：这些类都列出，有支出而未列的类照样列出）；缺省只列有支出的类",
    "code": "一个功能分类科目（如 \"202\"）的各栏度量（资金来源 funds）；数据没有该科目时为零",
}
VOCABULARY = {"table": TABLE_KEYS, "column": COLUMN_KEYS, "rows": ROWS_KEYS, "line": LINE_KEYS,
              "source": ROW_SOURCES, "measure": MEASURES, "figure": FIGURES | FIGURE_FORMS,
              "line_measure": LINE_MEASURES, "text": TEXTS, "funds": FUNDS}

CHOICES: dict[str, tuple[str, ...]] = {
    "unit": ("万元", "元"), "zero": ("0.00", "0", "", "-"),
    "orientation": ("auto", "portrait", "landscape", "split"),
    "empty": ("note", "omit", "none_row", "rows", "header"), "note_position": ("body", "below"),
    "when": ("split", "unsplit"), "part": ("all", "basic", "project"),
    "total": ("first", "last", "none"), "classification": ("department", "government", "pairs"),
    "year": ("current", "prior", "change"), "each": ("class",), "of": ("functional",), "each_table": ("project",),
    "totals_at": ("bottom", "top"), "total_cell": ("span", "name"),
}


# --- the declaration as values -------------------------------------------------------------

@dataclass(frozen=True)
class ColumnSpec:
    label: str
    measure: str | None = None
    text: str | None = None
    field: str | None = None
    width: int | None = None
    when: str | None = None
    columns: tuple[ColumnSpec, ...] = ()
    year: str | None = None  # fixed rows: this column's figures are of this year, whatever the line's
    merge: bool = False  # records: a record not giving it (nor a merged column to its left) joins the cell above
    format: str | None = None  # how a text/field cell is written: "[{code}]{name}"
    section: str | None = None  # classified rows: `field` of this section's records, summed by code
    part_of: bool = False  # an amount that is part of the column before it (never added to its siblings)
    minus: str | None = None  # records: this column is `field` − this field of the record (a change)


@dataclass(frozen=True)
class LineSpec:
    label: str = ""
    each: str | None = None
    funds: tuple[str, ...] = ("all",)
    numbered: bool | str = False
    levels: int = 1
    indent: bool = False  # an each line's 款 and 项 names indented by level
    figure: tuple[str, ...] = ()  # added
    less: tuple[str, ...] = ()    # subtracted
    of: str | None = None
    sum: tuple[str, ...] = ()
    adds: tuple[str, ...] | str = ()
    total: bool = False
    year: str = "current"
    beside: str = ""  # drawn level with this line of the other half
    all: bool | tuple[str, ...] = False  # each: class — every 类 (true) or these 类, blank ones too
    code: str | None = None  # one functional code's figures (zero when the data has none)


@dataclass(frozen=True)
class RowsSpec:
    source: str
    funds: tuple[str, ...] = ("all",)
    part: str = "all"
    levels: int = 3
    total: str = "first"
    total_label: str = "合计"
    indent: bool = True
    classification: str = "department"
    left: tuple[LineSpec, ...] = ()
    right: tuple[LineSpec, ...] = ()
    lines: tuple[LineSpec, ...] = ()
    section: str = ""
    depth: str = ""  # records: the field that gives each record's depth (1 at the top)
    totals_at: str = "bottom"
    unit_row: str | None = None  # a row under a first 合计 repeating it, labelled so
    total_in: str = ""  # records: the field whose column holds the 合计 label (default the first column)
    total_cell: str = "span"  # the 合计 label across the columns before the amounts, or in the name column
    classes: tuple[str, ...] = ()  # functional / economic: only these 类
    groups: tuple[str, ...] = ()  # records: grouped by these fields, a subtotal row per group
    class_on_kuan: bool = True  # 类/款/项 columns: a 款 row prints its 类 code too
    code_alone: bool = False  # 类/款/项 columns: each row prints only its own level's part


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str
    columns: tuple[ColumnSpec, ...]
    rows: RowsSpec
    unit: str | None = None
    places: int | None = None
    min_type: int = 7  # pt: the smallest type a table of many amount columns shrinks to
    zero: str = "0.00"
    orientation: str = "auto"
    repeat_header: bool = True
    numbered: bool = True
    empty: str = "note"
    empty_note: str | None = None
    note_position: str | None = None
    prepared_label: str | None = None
    min_rows: int = 0
    type_size: float | None = None  # pt, the table's own type size (else computed, 7 pt at least)
    blank_rows: int = 0
    each: str = ""
    note: str = ""
    column_numbers: str | None = None
    labels_at_bottom: bool = False
    contents_title: str = ""
    files: tuple[Path, ...] = field(default=(), compare=False)  # the files it was merged from

    def shows(self) -> tuple[str, ...]:
        """The data sections whose figures this table draws, the one it is about first
        (`income`, `spending`, `economic`, `three_public`, `running_costs`, `procurement`,
        `transfers`, `performance`, `projects`, `carry_forward`, or a region section's name) —
        from its row source, its lines' and its columns' figures — so that a problem about a
        section points at the table about it, else at one showing it (serve's 在文档中查看)."""
        rs = self.rows
        measures = [c.measure or "" for c in self.leaves()]
        names = [name for line in (*rs.left, *rs.right, *rs.lines)
                 for name in ((line.figure,) if isinstance(line.figure, str) else line.figure)] + measures
        found: list[str] = []
        if rs.source == "functional" and any(m in SOURCES for m in measures):
            found.append("income")  # a 收入总表: income by source, 项 by 项
        found += {"functional": ["spending"], "economic": ["economic"], "records": [rs.section],
                  "department_performance": ["performance"], "project_performance": ["projects"]
                  }.get(rs.source, [])
        for name in names:
            group = name.partition(".")[0]
            group = "spending" if group == "fiscal" else group
            if group in ("income", "spending", "three_public", "running_costs", "procurement", "carry_forward"):
                found.append(group)
        if any(line.each or line.of for line in (*rs.left, *rs.right)):
            found.append("spending")
        return tuple(dict.fromkeys(found))

    def leaves(self, split: bool | None = None) -> list[ColumnSpec]:
        """The columns drawn, left to right (with `split` given, only those shown then)."""
        def walk(cols: tuple[ColumnSpec, ...]) -> Iterator[ColumnSpec]:
            for c in cols:
                if split is not None and c.when and (c.when == "split") != split:
                    continue
                if c.columns:
                    yield from walk(c.columns)
                else:
                    yield c
        return list(walk(self.columns))


# --- reading and checking ------------------------------------------------------------------

class _Checker:
    """Collects every problem of one merged declaration, each at its file and line."""

    def __init__(self, key: str, places: Mapping[str, tuple[str, Lines]], sections: tuple[str, ...] = (),
                 money: tuple[str, ...] = ()) -> None:
        self.key, self.places = key, places  # places: top key → (file, lines)
        self.sections = sections  # the data sections the region declares
        self.money = money  # their money fields, "section.field"
        self.problems: list[Problem] = []

    def say(self, loc: tuple[Any, ...], message: str) -> None:
        file, lines = self.places.get(str(loc[0]) if loc else "", next(iter(self.places.values())))
        line, col = lines.get(loc, lines.get(loc[:1], (0, 0)))
        self.problems.append(Problem(file, line, col, CODE, f"附表“{self.key}”：{message}"))

    def keys(self, node: Any, loc: tuple[Any, ...], known: Mapping[str, str], what: str) -> dict[str, Any]:
        if not isinstance(node, dict):
            self.say(loc, f"{what}应为键值结构（如 label: 合计）")
            return {}
        for k in node:
            if k not in known:
                self.say(loc + (k,), f"{what}中有未知的键“{k}”，可用：{'、'.join(known)}")
        return {k: v for k, v in node.items() if k in known}

    def choice(self, value: Any, loc: tuple[Any, ...], name: str) -> Any:
        options = CHOICES[name]
        if value not in options:
            shown = "、".join(f"“{o}”" if o == "" else o for o in options)
            self.say(loc, f"{name.removesuffix('_table')} 应为 {shown} 之一，而不是“{value}”")
            return options[0]
        return value

    def text(self, value: Any, loc: tuple[Any, ...], name: str) -> str:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.say(loc, f"{name} 应为文字")
            return ""
        return str(value)

    def flag(self, value: Any, loc: tuple[Any, ...], name: str) -> bool:
        if not isinstance(value, bool):
            self.say(loc, f"{name} 应为 true 或 false，而不是“{value}”")
            return False
        return value

    def number(self, value: Any, loc: tuple[Any, ...], name: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.say(loc, f"{name} 应为 {low} 到 {high} 的整数，而不是“{value}”")
            return low
        return value

    def funds(self, value: Any, loc: tuple[Any, ...]) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        for i, v in enumerate(items):
            if v not in FUNDS:
                self.say(loc + ((i,) if isinstance(value, list) else ()),
                         f"未知的资金来源“{v}”，可用：{'、'.join(FUNDS)}")
        return tuple(str(v) for v in items) or ("all",)

    def labels(self, value: Any, loc: tuple[Any, ...], name: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.say(loc, f"{name} 应为行名的列表，如 [本年支出合计, 结转下年]")
            return ()
        return tuple(value)

    # -- the parts ------------------------------------------------------------------------

    def column(self, node: Any, loc: tuple[Any, ...], source: str, year: str | None = None) -> ColumnSpec:
        d = self.keys(node, loc, COLUMN_KEYS, "栏")
        if "year" in d:
            year = self.choice(d["year"], loc + ("year",), "year")
        label = self.text(d.get("label", ""), loc + ("label",), "label")
        children = d.get("columns")
        kinds = [k for k in ("measure", "text", "field", "columns") if k in d]
        if len(kinds) != 1:
            self.say(loc, f"栏“{label}”应有且只有 measure、text、field、columns 之一")
        measure = d.get("measure")
        if isinstance(measure, str) and measure.startswith(SECTION_FIGURE) and source in ("fixed", ""):
            self.figures(measure, loc + ("measure",))
        elif measure is not None:
            known = {**FIGURES, **LINE_MEASURES} if source == "fixed" else MEASURES if source \
                else {**MEASURES, **FIGURES}
            if measure not in known:
                what = "全文数字" if source == "fixed" else "度量"
                self.say(loc + ("measure",), f"未知的{what}“{measure}”，可用：{'、'.join(known)}")
        if "text" in d and d["text"] not in TEXTS:
            self.say(loc + ("text",), f"未知的文字栏“{d['text']}”，可用：{'、'.join(TEXTS)}")
        if "field" in d and not (isinstance(d["field"], str) and KEY.match(d["field"])):
            self.say(loc + ("field",), f"field 应为数据段字段名，而不是“{d['field']}”")
        section = None
        if "section" in d:
            section = self.text(d["section"], loc + ("section",), "section")
            if section not in self.sections:
                self.say(loc + ("section",), f"地区没有声明数据段“{section}”，可用：{'、'.join(self.sections)}")
            if "field" not in d:
                self.say(loc + ("section",), f"栏“{label}”：section 须与 field（取哪个金额字段）同用")
        fmt = None
        if "format" in d:
            fmt = self.text(d["format"], loc + ("format",), "format")
            if "measure" in d or "columns" in d:
                self.say(loc + ("format",), f"栏“{label}”：format 只用于文字栏（text）和字段栏（field）")
        if "minus" in d and ("field" not in d or not (isinstance(d["minus"], str) and KEY.match(d["minus"]))):
            self.say(loc + ("minus",), "minus 应与 field 同用，写数据段的金额字段名")
        sub: tuple[ColumnSpec, ...] = ()
        if children is not None:
            if not isinstance(children, list) or not children:
                self.say(loc + ("columns",), "columns 应为栏的列表")
            else:
                sub = tuple(self.column(c, loc + ("columns", i), source, year) for i, c in enumerate(children))
        return ColumnSpec(
            label=label, measure=None if measure is None else str(measure),
            text=None if "text" not in d else str(d["text"]),
            field=None if "field" not in d else str(d["field"]),
            minus=None if "minus" not in d else str(d["minus"]),
            width=None if "width" not in d else self.number(d["width"], loc + ("width",), "width", 1, 60),
            when=None if "when" not in d else self.choice(d["when"], loc + ("when",), "when"),
            columns=sub, year=year, format=fmt, section=section,
            merge=False if "merge" not in d else self.flag(d["merge"], loc + ("merge",), "merge"),
            part_of=False if "part_of" not in d else self.flag(d["part_of"], loc + ("part_of",), "part_of"))

    def line(self, node: Any, loc: tuple[Any, ...]) -> LineSpec:
        d = self.keys(node, loc, LINE_KEYS, "行")
        out: dict[str, Any] = {}
        if "label" in d:
            out["label"] = self.text(d["label"], loc + ("label",), "label")
        for name in ("each", "of", "year"):
            if name in d:
                out[name] = self.choice(d[name], loc + (name,), name)
        if "funds" in d:
            out["funds"] = self.funds(d["funds"], loc + ("funds",))
        for name in ("numbered", "total", "indent"):
            if name == "numbered" and isinstance(d.get(name), str):
                if "一" not in d[name] and "1" not in d[name]:
                    self.say(loc + (name,), "numbered 写作 true（一、）或编号的样子，如 （一）、一是、1、")
                out[name] = d[name]
            elif name in d:
                out[name] = self.flag(d[name], loc + (name,), name)
        if "levels" in d:
            out["levels"] = self.number(d["levels"], loc + ("levels",), "levels", 1, 3)
        if "all" in d:
            value = d["all"]
            if isinstance(value, list) and all(isinstance(c, str) and len(c) == 3 and c.isdigit() for c in value):
                out["all"] = tuple(value)
            elif isinstance(value, bool):
                out["all"] = value
            else:
                self.say(loc + ("all",), "all 应为 true、false 或类编码（3位，加引号）的列表，如 [\"201\", \"202\"]")
            if "each" not in d:
                self.say(loc + ("all",), "all 只用于 each: class 的行")
        for name in ("figure", "less"):
            if name in d:
                out[name] = self.figures(d[name], loc + (name,))
        if "beside" in d:
            out["beside"] = self.text(d["beside"], loc + ("beside",), "beside")
        if "sum" in d:
            out["sum"] = self.labels(d["sum"], loc + ("sum",), "sum")
        if "code" in d:
            code = str(d["code"])
            if not re.fullmatch(r"\d{3}(\d{2}){0,2}", code):
                self.say(loc + ("code",), f"code 应为功能分类科目编码（3、5 或 7 位数字，加引号），而不是“{code}”")
            out["code"] = code
        if "adds" in d:
            out["adds"] = "above" if d["adds"] == "above" else self.labels(d["adds"], loc + ("adds",), "adds")
        given = [k for k in ("each", "figure", "of", "sum", "code") if k in d]
        if len(given) > 1:
            self.say(loc, f"一行只能有 each、figure、of、sum、code 之一，而不是 {'、'.join(given)}")
        if "less" in d and "figure" not in d:
            self.say(loc + ("less",), "less 只用于给出 figure 的行")
        return LineSpec(**out)

    def figures(self, value: Any, loc: tuple[Any, ...]) -> tuple[str, ...]:
        """One figure or a list of them: known figures, or `section:<name>.<money field>`."""
        items = value if isinstance(value, list) else [value]
        for i, v in enumerate(items):
            at = loc + ((i,) if isinstance(value, list) else ())
            if isinstance(v, str) and v.startswith(SECTION_FIGURE):
                if v.removeprefix(SECTION_FIGURE) not in self.money:
                    known = "、".join(SECTION_FIGURE + m for m in self.money) or "（地区没有声明金额字段）"
                    self.say(at, f"“{v}”不是地区数据段的金额字段，可用：{known}")
            elif not isinstance(v, str) or v not in FIGURES:
                self.say(at, f"未知的全文数字“{v}”，可用：{'、'.join(FIGURES)}")
        return tuple(str(v) for v in items)

    def lines(self, node: Any, loc: tuple[Any, ...]) -> tuple[LineSpec, ...]:
        if not isinstance(node, list):
            self.say(loc, "应为行的列表")
            return ()
        return tuple(self.line(x, loc + (i,)) for i, x in enumerate(node))

    def rows(self, node: Any, loc: tuple[Any, ...]) -> RowsSpec:
        d = self.keys(node, loc, ROWS_KEYS, "rows")
        source = d.get("source")
        if source not in ROW_SOURCES:
            self.say(loc + (("source",) if "source" in d else ()),
                     f"未知的行来源“{source}”，可用：{'、'.join(ROW_SOURCES)}" if source is not None
                     else f"rows 缺少 source（行的来源：{'、'.join(ROW_SOURCES)}）")
            source = ""
        out: dict[str, Any] = {"source": source}
        if "funds" in d:
            out["funds"] = self.funds(d["funds"], loc + ("funds",))
        for name in ("part", "total", "classification", "totals_at", "total_cell"):
            if name in d:
                out[name] = self.choice(d[name], loc + (name,), name)
        if "levels" in d:
            out["levels"] = self.number(d["levels"], loc + ("levels",), "levels", 1, 3)
        if "total_label" in d:
            out["total_label"] = self.text(d["total_label"], loc + ("total_label",), "total_label")
        if "indent" in d:
            out["indent"] = self.flag(d["indent"], loc + ("indent",), "indent")
        if "unit_row" in d:
            out["unit_row"] = self.text(d["unit_row"], loc + ("unit_row",), "unit_row")
        if "total_in" in d:
            out["total_in"] = self.text(d["total_in"], loc + ("total_in",), "total_in")
        if "class_on_kuan" in d:
            out["class_on_kuan"] = self.flag(d["class_on_kuan"], loc + ("class_on_kuan",), "class_on_kuan")
        if "code_alone" in d:
            out["code_alone"] = self.flag(d["code_alone"], loc + ("code_alone",), "code_alone")
        if "section" in d:
            out["section"] = self.text(d["section"], loc + ("section",), "section")
            if out["section"] not in ("transfers", *self.sections):
                self.say(loc + ("section",), f"地区没有声明数据段“{out['section']}”（rows.section），"
                                             f"可用：{'、'.join(['transfers', *self.sections])}")
        if "depth" in d:
            out["depth"] = self.text(d["depth"], loc + ("depth",), "depth")
        for name in ("left", "right", "lines"):
            if name in d:
                out[name] = self.lines(d[name], loc + (name,))
        for name in ("classes", "groups"):
            if name in d:
                items = d[name]
                if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
                    example = '["302"]' if name == "classes" else "[category, unit]"
                    self.say(loc + (name,), f"{name} 应为文字的列表，如 {example}")
                else:
                    out[name] = tuple(items)
        if source == "economic" and (out.get("funds", ("all",)) not in (("all",), ("general_budget",))
                                     or out.get("part", "all") not in ("all", "basic")):
            self.say(loc, "经济分类的数据只有一般公共预算基本支出（economic）：funds 只能是 general_budget，"
                          "part 只能是 basic")
        needs = {"paired": ("left", "right"), "fixed": ("lines",), "records": ("section",)}.get(source, ())
        for name in needs:
            if name not in d:
                self.say(loc, f"行来源 {source} 需要 {name}")
        return RowsSpec(**out)

    def table(self, d: dict[str, Any], files: tuple[Path, ...]) -> TableSpec | None:
        d = self.keys(d, (), TABLE_KEYS, "附表声明")
        for name in ("title", "columns", "rows"):
            if name not in d:
                self.say((), f"缺少 {name}（{TABLE_KEYS[name]}）")
        if any(name not in d for name in ("title", "columns", "rows")):
            return None
        rows = self.rows(d["rows"], ("rows",))
        columns: tuple[ColumnSpec, ...] = ()
        if not isinstance(d["columns"], list) or not d["columns"]:
            self.say(("columns",), "columns 应为栏的列表")
        else:
            columns = tuple(self.column(c, ("columns", i), rows.source) for i, c in enumerate(d["columns"]))
        out: dict[str, Any] = {}
        for name in ("unit", "zero", "orientation", "empty", "note_position"):
            if name in d:
                out[name] = self.choice("" if d[name] is None and name == "zero" else d[name], (name,), name)
        if "places" in d:
            out["places"] = self.number(d["places"], ("places",), "places", 0, 6)
        if "min_type" in d:
            out["min_type"] = self.number(d["min_type"], ("min_type",), "min_type", 5, 10)
        if "type_size" in d:
            size = d["type_size"]
            if isinstance(size, bool) or not isinstance(size, int | float | Decimal) or not 4 <= size <= 10.5:
                self.say(("type_size",), f"type_size 应为 4 到 10.5 之间的磅数，而不是“{size}”")
            else:
                out["type_size"] = float(size)
        for name in ("min_rows", "blank_rows"):
            if name in d:
                out[name] = self.number(d[name], (name,), name, 0, 200)
        if "each" in d:
            out["each"] = self.choice(d["each"], ("each",), "each_table")
        for name in ("repeat_header", "numbered", "labels_at_bottom"):
            if name in d:
                out[name] = self.flag(d[name], (name,), name)
        for name in ("empty_note", "prepared_label", "note", "column_numbers", "contents_title"):
            if name in d:
                out[name] = self.text("" if d[name] is None else d[name], (name,), name)
        spec = TableSpec(self.key, self.text(d["title"], ("title",), "title"), columns, rows,
                         files=files, **out)
        if not spec.leaves():
            self.say(("columns",), "表头没有栏")
        return spec


def read_declaration(file: Path, folder: Path) -> tuple[dict[str, Any], Lines]:
    """One declaration file as a mapping with the line of every value (read as untrusted as
    a data file); BudgetError naming the file otherwise."""
    name = display_path(file)
    if not file.resolve().is_relative_to(folder.resolve()):
        raise BudgetError([Problem(name, 0, 0, CODE, "附表声明指向所在文件夹之外（符号链接），已拒绝使用")])
    try:
        _text, _tree, loaded, lines = parse(read_bytes(file, name, "附表声明"), name)
    except BudgetError as exc:
        raise BudgetError([Problem(p.file, p.line, p.column, CODE, f"附表声明：{p.message}")
                           for p in exc.problems]) from None
    if loaded is None:
        return {}, lines
    if not isinstance(loaded, dict):
        raise BudgetError([Problem(name, 1, 0, CODE, "附表声明应为键值结构（title、columns、rows …）")])
    return loaded, lines


TextCheck = Callable[[Any, Lines, str], Iterable[Problem]]


def load_tables(folders: tuple[Path, ...], texts: TextCheck | None = None, sections: tuple[str, ...] = (),
                money: tuple[str, ...] = ()) -> tuple[dict[str, TableSpec], list[Problem]]:
    """Every table declared in `folders` (most specific first), merged top key by top key,
    and the problems found in them (unknown keys and words, missing parts, bad files);
    `texts` checks the placeholders of every text (`region.placeholder_problems`); a table
    drawing records names one of `sections`, the data sections the region declares; a
    `section:` figure one of their `money` fields ("section.field")."""
    found: dict[str, list[Path]] = {}
    for folder in reversed(folders):
        d = folder / FOLDER
        if d.is_dir():
            for file in sorted(d.glob("*.yaml")):
                found.setdefault(file.stem, []).append(file)
    stamp = tuple((str(f), *_stat(f)) for files in found.values() for f in files) + (
        id(texts), _cwd(), sections, money)
    if (hit := _CACHE.get(stamp)) is not None:  # a batch loads the same region once per center
        return dict(hit[0]), list(hit[1])
    specs: dict[str, TableSpec] = {}
    problems: list[Problem] = []
    for key, files in sorted(found.items()):
        if not KEY.match(key):
            problems.append(Problem(display_path(files[-1]), 0, 0, CODE,
                                    f"附表声明的文件名“{key}.yaml”应由英文字母、数字和下划线组成"))
            continue
        merged: dict[str, Any] = {}
        places: dict[str, tuple[str, Lines]] = {}
        try:
            for file in files:
                data, lines = read_declaration(file, file.parent.parent)
                if texts is not None:
                    problems += [replace(p, code=CODE) for p in texts(data, lines, display_path(file))]
                merged |= data
                places |= dict.fromkeys(data, (display_path(file), lines))
        except BudgetError as exc:
            problems += exc.problems
            continue
        places.setdefault("", (display_path(files[-1]), {}))
        check = _Checker(key, places, sections, money)
        spec = check.table(merged, tuple(files))
        problems += check.problems
        if spec is not None and not check.problems:
            specs[key] = spec
    if len(_CACHE) > 32:
        _CACHE.clear()
    _CACHE[stamp] = (dict(specs), list(problems))
    return specs, problems


_CACHE: dict[tuple[Any, ...], tuple[dict[str, TableSpec], list[Problem]]] = {}


def _cwd() -> str:
    try:
        return os.getcwd()
    except OSError:  # the folder was removed under us: names are then absolute anyway
        return ""


def _stat(file: Path) -> tuple[int, int]:
    try:
        st = file.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)


def declared_titles(specs: Mapping[str, TableSpec]) -> dict[str, str]:
    """Table key → title as declared (placeholders unfilled)."""
    return {k: s.title for k, s in specs.items()}


def reference() -> str:
    """The vocabulary of a declaration, as a Markdown page (`budgetreport tables`)."""
    heads = {"table": "附表声明的键", "column": "栏（columns 的每一项）的键", "rows": "rows 的键",
             "line": "收支总表各行、固定行（left、right、lines 的每一项）的键",
             "source": "行的来源（rows.source）", "measure": "度量（分类行各栏的 measure）",
             "figure": "全文数字（固定行的 measure、收支总表行与固定行的 figure）",
             "line_measure": "固定行给出 figure 时各栏的 measure",
             "text": "文字栏（text）", "funds": "资金来源（funds）"}
    out = ["# 附表声明的用语", "",
           f"每张附表是模板文件夹中的 `{FOLDER}/<键>.yaml`；region.yaml 的 tables 列出所用的表及顺序。", ""]
    for name, words in VOCABULARY.items():
        out += [f"## {heads[name]}", ""]
        out += [f"- `{k}`：{v}" for k, v in words.items()]
        out.append("")
    return "\n".join(out)


def json_schema() -> dict[str, Any]:
    """A JSON Schema of a declaration (`budgetreport tables --schema`), from the same
    vocabulary: an editor completes the keys and words and marks any other."""
    def enum(name: str, words: Iterable[str], text: str) -> dict[str, Any]:
        return {"enum": list(words), "description": text, "title": name}

    funds = {"anyOf": [enum("funds", FUNDS, ROWS_KEYS["funds"]),
                       {"type": "array", "items": {"enum": list(FUNDS)}}], "description": ROWS_KEYS["funds"]}
    text = {"type": "string"}
    column = {"type": "object", "additionalProperties": False, "properties": {
        "label": text | {"description": COLUMN_KEYS["label"]},
        "columns": {"type": "array", "items": {"$ref": "#/definitions/column"},
                    "description": COLUMN_KEYS["columns"]},
        "measure": enum("measure", [*MEASURES, *FIGURES, *LINE_MEASURES], COLUMN_KEYS["measure"]),
        "text": enum("text", TEXTS, COLUMN_KEYS["text"]),
        "field": text | {"description": COLUMN_KEYS["field"]},
        "minus": text | {"description": COLUMN_KEYS["minus"]},
        "width": {"type": "integer", "minimum": 1, "maximum": 60, "description": COLUMN_KEYS["width"]},
        "part_of": {"type": "boolean", "description": COLUMN_KEYS["part_of"]},
        "when": enum("when", CHOICES["when"], COLUMN_KEYS["when"]),
        "year": enum("year", CHOICES["year"], COLUMN_KEYS["year"]),
        "merge": {"type": "boolean", "description": COLUMN_KEYS["merge"]},

        "format": text | {"description": COLUMN_KEYS["format"]},
        "section": text | {"description": COLUMN_KEYS["section"]}}}
    line = {"type": "object", "additionalProperties": False, "properties": {
        "label": text | {"description": LINE_KEYS["label"]},
        "each": enum("each", CHOICES["each"], LINE_KEYS["each"]), "funds": funds,
        "numbered": {"type": ["boolean", "string"], "description": LINE_KEYS["numbered"]},
        "levels": {"type": "integer", "minimum": 1, "maximum": 3, "description": LINE_KEYS["levels"]},
        "indent": {"type": "boolean", "description": LINE_KEYS["indent"]},
        "all": {"anyOf": [{"type": "boolean"}, {"type": "array", "items": {"type": "string", "pattern": "^[0-9]{3}$"}}],
                "description": LINE_KEYS["all"]},
        "figure": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                   "examples": list(FIGURES), "description": LINE_KEYS["figure"]},
        "less": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
                 "examples": list(FIGURES), "description": LINE_KEYS["less"]},
        "beside": text | {"description": LINE_KEYS["beside"]},
        "of": enum("of", CHOICES["of"], LINE_KEYS["of"]),
        "sum": {"type": "array", "items": text, "description": LINE_KEYS["sum"]},
        "adds": {"anyOf": [{"const": "above"}, {"type": "array", "items": text}],
                 "description": LINE_KEYS["adds"]},
        "total": {"type": "boolean", "description": LINE_KEYS["total"]},
        "year": enum("year", CHOICES["year"], LINE_KEYS["year"]),
        "code": text | {"description": LINE_KEYS["code"]}}}
    lines = {"type": "array", "items": {"$ref": "#/definitions/line"}}
    rows = {"type": "object", "additionalProperties": False, "required": ["source"], "properties": {
        "source": enum("source", ROW_SOURCES, ROWS_KEYS["source"]), "funds": funds,
        **{k: enum(k, CHOICES[k], ROWS_KEYS[k])
           for k in ("part", "total", "classification", "totals_at", "total_cell")},
        "levels": {"type": "integer", "minimum": 1, "maximum": 3, "description": ROWS_KEYS["levels"]},
        "total_label": text | {"description": ROWS_KEYS["total_label"]},
        "indent": {"type": "boolean", "description": ROWS_KEYS["indent"]},
        "class_on_kuan": {"type": "boolean", "description": ROWS_KEYS["class_on_kuan"]},
        "code_alone": {"type": "boolean", "description": ROWS_KEYS["code_alone"]},
        **{k: lines | {"description": ROWS_KEYS[k]} for k in ("left", "right", "lines")},
        "section": text | {"description": ROWS_KEYS["section"]},
        "unit_row": text | {"description": ROWS_KEYS["unit_row"]},
        "total_in": text | {"description": ROWS_KEYS["total_in"]},
        "depth": text | {"description": ROWS_KEYS["depth"]},
        **{k: {"type": "array", "items": text, "description": ROWS_KEYS[k]} for k in ("classes", "groups")}}}
    count = {"type": "integer", "minimum": 0, "maximum": 200}
    return {
        "$schema": "http://json-schema.org/draft-07/schema#", "title": "附表声明（tables/<键>.yaml）",
        "type": "object", "additionalProperties": False,  # an override file may give one key
        "definitions": {"column": column, "line": line},
        "properties": {
            "title": text | {"description": TABLE_KEYS["title"]},
            "columns": {"type": "array", "items": {"$ref": "#/definitions/column"},
                        "description": TABLE_KEYS["columns"]},
            "rows": rows | {"description": TABLE_KEYS["rows"]},
            **{k: enum(k, CHOICES[k], TABLE_KEYS[k]) for k in
               ("unit", "zero", "orientation", "empty", "note_position")},
            "each": enum("each", CHOICES["each_table"], TABLE_KEYS["each"]),
            "places": {"type": "integer", "minimum": 0, "maximum": 6, "description": TABLE_KEYS["places"]},
            "min_type": {"type": "integer", "minimum": 5, "maximum": 10, "description": TABLE_KEYS["min_type"]},
            "repeat_header": {"type": "boolean", "description": TABLE_KEYS["repeat_header"]},
            "numbered": {"type": "boolean", "description": TABLE_KEYS["numbered"]},
            "labels_at_bottom": {"type": "boolean", "description": TABLE_KEYS["labels_at_bottom"]},
            "empty_note": text | {"description": TABLE_KEYS["empty_note"]},
            "note": text | {"description": TABLE_KEYS["note"]},
            "prepared_label": text | {"description": TABLE_KEYS["prepared_label"]},
                        "column_numbers": text | {"description": TABLE_KEYS["column_numbers"]},
            "contents_title": text | {"description": TABLE_KEYS["contents_title"]},
            "min_rows": count | {"description": TABLE_KEYS["min_rows"]},
            "type_size": {"type": "number", "minimum": 4, "maximum": 10.5, "description": TABLE_KEYS["type_size"]},
            "blank_rows": count | {"description": TABLE_KEYS["blank_rows"]},
        }}
