"""The budget data format: one center's whole disclosure for one year.

Field names are English (code); every field carries a Chinese description, which
`budgetreport schema` publishes so that an editor can complete and explain fields.
Amounts are `Decimal` in the file's declared unit; `load` converts them to 万元.
Totals, changes and percentages are never stored here: `figures` computes them.

No `from __future__ import annotations` here on purpose: pydantic would have to evaluate
every field's annotation from its text, which costs `check` about a tenth of the model's
import time; the two forward references are quoted instead.
"""

import datetime as dt
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..common.money import UNIT_FACTOR
from .load import NumberText


def _amount(value: Any) -> Any:
    """A decimal number as written: no booleans, no hex, no text (not even "12.5")."""
    if isinstance(value, bool):
        raise PydanticCustomError("budget", "应为金额数字，而不是 true/false")
    if isinstance(value, NumberText):
        raise PydanticCustomError("budget", "应为十进制金额数字，而不是“{text}”", {"text": str(value)})
    if isinstance(value, str):
        raise PydanticCustomError("budget", "应为金额数字，而不是文字“{text}”（去掉引号、单位和逗号）",
                                  {"text": value[:40]})
    if isinstance(value, Decimal) and value.is_zero():
        return abs(value)  # -0 would print as "-0.00"
    return value


def _code(value: Any) -> Any:
    """Digits as text. An unquoted code is fine when it reads back as the same digits; one
    whose leading zero YAML would drop (030101) or written as hex is refused."""
    if isinstance(value, NumberText):
        raise PydanticCustomError("budget", "科目编码“{text}”应加引号写成 '{text}'（否则 YAML 会把它当作"
                                  "数字，丢掉开头的 0 或按进制换算）", {"text": str(value)})
    if isinstance(value, bool):
        raise PydanticCustomError("budget", "科目编码应为数字串，而不是 true/false")
    return str(value) if isinstance(value, int) else value


Amount = Annotated[Decimal, Field(ge=0, description="金额（按文件声明的单位）"), BeforeValidator(_amount),
                   WithJsonSchema({"type": "number", "minimum": 0, "description": "金额（按文件声明的单位）"})]
Count = Annotated[int, Field(ge=0, strict=True)]  # strict: true is not 1 person, "3" is not 3
Code = Annotated[str, Field(pattern=r"^[0-9]{3,7}$", description="科目编码"), BeforeValidator(_code)]
def _text(value: Any) -> Any:
    """A text that shows something: blanks alone (spaces, full-width spaces) are no name."""
    if isinstance(value, str) and value and not value.strip():
        raise PydanticCustomError("budget", "只有空格，应填写文字")
    return value


Text = Annotated[str, Field(min_length=1), AfterValidator(_text)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(str, Enum):
    """收入来源（同时标注每一笔支出的资金来源）。"""

    general_budget = "general_budget"
    gov_fund = "gov_fund"
    state_capital = "state_capital"
    fiscal_special = "fiscal_special"
    business = "business"
    operating = "operating"
    superior_subsidy = "superior_subsidy"
    affiliated = "affiliated"
    other = "other"
    carryover = "carryover"
    unstated = "unstated"  # spending only: the publication gives the line but not its (non-fiscal) source


SOURCE_NAMES: dict[Source, str] = {
    Source.general_budget: "一般公共预算拨款收入",
    Source.gov_fund: "政府性基金预算拨款收入",
    Source.state_capital: "国有资本经营预算拨款收入",
    Source.fiscal_special: "财政专户管理资金收入",
    Source.business: "事业收入",
    Source.operating: "事业单位经营收入",
    Source.superior_subsidy: "上级补助收入",
    Source.affiliated: "附属单位上缴收入",
    Source.other: "其他收入",
    Source.carryover: "上年结转结余",
    Source.unstated: "未列明来源的非财政拨款资金",
}
FISCAL_SOURCES = (Source.general_budget, Source.gov_fund, Source.state_capital)


# --- identity -------------------------------------------------------------------------


YEARS = range(2000, 2101)  # budget years a file may state


class Department(Strict):
    name: Text = Field(description="部门（单位）全称，如“厦门市住房公积金中心”")
    region: Text = Field(description="模板地区，对应 templates/regions/<地区>/，如 fujian、jiangxi")
    year: int = Field(ge=YEARS.start, le=YEARS.stop - 1, strict=True, description="预算年度")
    scope: Literal["部门预算", "单位预算"] = Field(
        "部门预算", description="部门预算（部门及所属单位）或单位预算（一个单位）；决定全文与附表中"
        "“部门/单位”“编制部门/编制单位”“预算主管部门/预算单位”的用语")
    prepared_by: str | None = Field(None, description="编制单位；缺省为部门全称")
    published: dt.date | None = Field(
        None, description="公开日期（封面年月、PDF 元数据均取此日期）；原文未载时省略，封面不印日期")
    fonts: dict[str, str] = Field(
        default_factory=dict,
        description="本单位已获授权的字体，键为 body/heading/kai/title，值为字体族名，如 仿宋_GB2312",
    )
    area: str | None = Field(None, description="封面所署的行政区，如 上海市普陀区、上海市（上海式封面）")
    level: str | None = Field(None, description="预算级次，如 区级、市级（上海式封面“2025年区级部门预算”）")


# --- 第一部分 概况 --------------------------------------------------------------------


class Unit(Strict):
    name: Text = Field(description="单位名称")
    funding_type: Text | None = Field(None, description="经费性质，如 财政拨款、全额拨款；原文未公开时省略")
    authorized: Count | None = Field(None, description="人员编制数；原文未公开时省略，表中不列此栏")
    active: Count | None = Field(None, description="在职人数；原文未公开时省略，表中不列此栏")


class HeadCount(Strict):
    category: Text = Field(description="人员类别，如 参照公务员管理的事业编制")
    count: Count = Field(description="人数")


class Staffing(Strict):
    """编制与实有人数明细（上饶式写法）。小计由程序求和。"""

    authorized: list[HeadCount] = Field(description="编制人数，按类别")
    active: list[HeadCount] = Field(description="在职人数，按类别")
    retired_cadres: Count = Field(0, description="离休人员")
    retired: Count = Field(0, description="退休人员")
    students: Count = Field(0, description="年末学生人数")


class Overview(Strict):
    duties: list[Text] = Field(min_length=1, description="主要职责，每段一项")
    internal_divisions: Count | None = Field(None, description="内设科室数")
    subordinate_units: Count = Field(0, description="下属预算单位数")
    units: list[Unit] = Field(min_length=1, description="纳入部门预算编制范围的单位")
    staff_as_of: dt.date | None = Field(None, description="实有在职人数的统计截止日期")
    staffing: Staffing | None = Field(None, description="编制与实有人数明细")
    tasks_intro: str | None = Field(None, description="主要工作任务的引言段（地区模板不含此节时可省略）")
    tasks: list[Text] = Field(default_factory=list, description="重点工作，每项一段")
    unit_kinds: dict[Text, Count] = Field(
        default_factory=dict, description="单位数，按类型，如 {行政单位: 1, 参公单位: 1, 事业单位: 4}")
    divisions: list[Text] = Field(default_factory=list, description="内设机构名称（单位预算写法）")


# --- 收支 -----------------------------------------------------------------------------


class Carryover(Strict):
    """上年结转结余，按资金来源（原文分列时填写；各项之和须等于 income.carryover）。"""

    general_budget: Amount = Field(Decimal(0), description="一般公共预算资金")
    gov_fund: Amount = Field(Decimal(0), description="政府性基金预算资金")
    state_capital: Amount = Field(Decimal(0), description="国有资本经营预算资金")
    fiscal_special: Amount = Field(Decimal(0), description="财政专户管理资金")
    unit: Amount = Field(Decimal(0), description="单位资金（事业收入、其他收入等非财政拨款资金）")

    def parts(self) -> dict[str, Decimal]:
        return {"general_budget": self.general_budget, "gov_fund": self.gov_fund,
                "state_capital": self.state_capital, "fiscal_special": self.fiscal_special, "unit": self.unit}


CARRYOVER_PARTS = ("general_budget", "gov_fund", "state_capital", "fiscal_special", "unit")


class Income(Strict):
    """本年收入预算，按来源。"""

    general_budget: Amount = Field(Decimal(0), description="一般公共预算拨款收入")
    gov_fund: Amount = Field(Decimal(0), description="政府性基金预算拨款收入")
    state_capital: Amount = Field(Decimal(0), description="国有资本经营预算拨款收入")
    fiscal_special: Amount = Field(Decimal(0), description="财政专户管理资金收入")
    business: Amount = Field(Decimal(0), description="事业收入")
    operating: Amount = Field(Decimal(0), description="事业单位经营收入")
    superior_subsidy: Amount = Field(Decimal(0), description="上级补助收入")
    affiliated: Amount = Field(Decimal(0), description="附属单位上缴收入")
    other: Amount = Field(Decimal(0), description="其他收入")
    carryover: Amount = Field(Decimal(0), description="上年结转结余")
    carryover_by: Carryover | None = Field(
        None, description="上年结转结余按资金来源（原文分列时填写，如北京收入总表、财政拨款收支总表）；"
                          "不填时各来源的结转不列数")

    def of(self, source: Source) -> Decimal:
        if source is Source.unstated:  # a spending line's source, never an income
            return Decimal(0)
        return getattr(self, source.value)  # type: ignore[no-any-return]

    @property
    def fiscal(self) -> Decimal:
        """财政拨款收入 = 一般公共预算 + 政府性基金 + 国有资本经营."""
        return sum((self.of(s) for s in FISCAL_SOURCES), Decimal(0))

    @property
    def this_year(self) -> Decimal:
        """本年收入合计（不含上年结转结余）."""
        return sum((self.of(s) for s in Source if s is not Source.carryover), Decimal(0))

    @property
    def total(self) -> Decimal:
        """收入总计."""
        return self.this_year + self.carryover


PriorKind = Literal["预算", "预算执行数"]


class SpendingLine(Strict):
    """一笔按功能分类（项级）的支出，分基本（人员/公用）与项目。

    基本支出可只填合计 `basic`（原文未拆分人员/公用时），也可填 `personnel` 与 `public`；
    两者都填时须一致。需要人员/公用拆分的表在有未拆分的项时不列这两栏。"""

    code: Code = Field(description="功能分类项级科目编码（7位），如 2210302")
    name: str | None = Field(None, description="科目名称：科目目录中有该编码时可省略，填写时须与目录一致；"
                                              "目录中没有时必须填写")
    source: Source = Field(Source.general_budget, description="资金来源；unstated：原文只给出本项支出、"
                                                           "未列明其非财政拨款的来源（只计入不分来源的表）")
    personnel: Amount | None = Field(None, description="基本支出—人员经费")
    public: Amount | None = Field(None, description="基本支出—公用经费")
    basic: Amount | None = Field(
        None, description="基本支出合计；只在原文未拆分人员经费、公用经费时填写（填了拆分则可省略）")
    project: Amount = Field(Decimal(0), description="项目支出")
    purpose: str | None = Field(None, description="主要用途，即文中“主要用于……”的内容")
    prior: Amount | None = Field(None, description="本项上年数（预算数或预算执行数，见 prior_kind）")
    prior_kind: PriorKind | None = Field(
        None, description="上年数 prior 是上年预算数还是上年预算执行数；缺省为预算执行数")
    reason: str | None = Field(None, description="与上年相比增减的主要原因；增减达10%及以上时应填写")

    @property
    def split(self) -> bool:
        """人员/公用 known: given, or no 基本支出 at all."""
        return self.personnel is not None or self.public is not None or not self.basic

    @property
    def basic_total(self) -> Decimal:
        if self.personnel is None and self.public is None:
            return self.basic or Decimal(0)
        return (self.personnel or Decimal(0)) + (self.public or Decimal(0))

    @property
    def total(self) -> Decimal:
        return self.basic_total + self.project


class EconomicLine(Strict):
    """一般公共预算基本支出，按经济分类款级科目（原文逐项列出某款的项级科目时，可改列该款的项级科目，
    如 3021101 差旅费，计入其款 30211）。"""

    code: Code = Field(description="经济分类款级科目编码（5位），如 30101；原文列出项级科目时可写项级（7位），"
                                   "如 3021101（该款不再另列，其数字由各项相加）")
    government: Code | None = Field(
        None, description="政府支出经济分类款级科目编码（5位，如 50101）：原文按“政府支出经济分类 × 部门支出经济分类”"
                          "列出时填写，同一部门经济科目可在不同政府经济科目下各列一行")
    name: str | None = Field(None, description="科目名称：科目目录中有该编码时可省略，填写时须与目录一致；"
                                              "目录中没有时必须填写")
    personnel: Amount = Field(Decimal(0), description="人员经费")
    public: Amount = Field(Decimal(0), description="公用经费")

    @property
    def total(self) -> Decimal:
        return self.personnel + self.public


class PriorYear(Strict):
    """上年（预算）数，用于“比上年增加/减少”的比较句。"""

    income_total: Amount | None = Field(None, description="上年收入预算总额")
    spending_total: Amount | None = Field(None, description="上年支出预算总额")
    fiscal_total: Amount | None = Field(None, description="上年财政拨款收入")
    general_budget: Amount | None = Field(None, description="上年一般公共预算拨款支出")
    gov_fund: Amount | None = Field(None, description="上年政府性基金预算拨款支出")
    state_capital: Amount | None = Field(None, description="上年国有资本经营预算拨款支出")
    basic: Amount | None = Field(None, description="上年基本支出")
    project: Amount | None = Field(None, description="上年项目支出")
    by_function: dict[Code, Amount] = Field(
        default_factory=dict, description="上年支出，按功能分类类级科目，如 {'221': 3334.30}")
    by_economic: dict[Code, Amount] = Field(
        default_factory=dict, description="上年基本支出，按经济分类类级科目，如 {'301': 1853.62}")


class Reasons(Strict):
    """变动原因说明（不含数字，数字由程序计算）。"""

    general_budget: str | None = Field(None, description="一般公共预算支出增减的主要原因")
    gov_fund: str | None = Field(None, description="政府性基金支出增减（或无变化）的主要原因")
    state_capital: str | None = Field(None, description="国有资本经营支出增减（或无变化）的主要原因")


# --- 三公 ----------------------------------------------------------------------------


class ThreePublicItem(Strict):
    amount: Amount = Field(description="本年预算数")
    prior: Amount | None = Field(None, description="上年预算数")
    purpose: str | None = Field(None, description="主要用于……")
    reason: str | None = Field(None, description="增减（或无变化）的主要原因；有变化时必填")
    in_projects: Amount | None = Field(
        None, description="其中在项目支出中安排的部分（经济分类表只列基本支出，此部分不在其中）")


THREE_PUBLIC: dict[str, str] = {"abroad": "因公出国（境）费", "reception": "公务接待费",
                                "vehicle_purchase": "公务用车购置费",
                                "vehicle_running": "公务用车运行维护费"}


class ThreePublic(Strict):
    """“三公”经费财政拨款预算。合计由程序计算。"""

    abroad: ThreePublicItem = Field(description="因公出国（境）费")
    reception: ThreePublicItem = Field(description="公务接待费")
    vehicle_purchase: ThreePublicItem = Field(description="公务用车购置费")
    vehicle_running: ThreePublicItem = Field(description="公务用车运行维护费")
    vehicle_reason: str | None = Field(
        None, description="公务用车购置及运行费合并说明时的原因（福建式写法）")
    prior: Amount | None = Field(
        None, description="上年“三公”经费预算总额：原文只公开总额、不分项时填写（各项 prior 都填时由程序求和，"
                          "不必再填）；都不填时文中不作比较")

    def items(self) -> dict[str, ThreePublicItem]:
        return {"abroad": self.abroad, "reception": self.reception,
                "vehicle_purchase": self.vehicle_purchase, "vehicle_running": self.vehicle_running}


# --- 项目 ----------------------------------------------------------------------------


class Subsection(Strict):
    title: Text = Field(description="小标题，如 总体思路")
    body: list["Block"] = Field(description="段落或下级小标题")


Block = str | Subsection
Subsection.model_rebuild()


class Indicator(Strict):
    level1: Literal["产出指标", "效益指标", "满意度指标", "成本指标"] = Field(description="一级指标")
    level2: Text = Field(description="二级指标，如 数量指标、社会效益指标")
    name: Text = Field(description="三级指标")
    value: Text = Field(description="指标值，如 ≥85%")


class SubProject(Strict):
    name: Text = Field(description="二级项目名称")
    amount: Amount = Field(description="本年预算")


class Project(Strict):
    """一级项目（重点项目）及其说明各节。"""

    name: Text = Field(description="项目名称")
    amount: Amount = Field(description="本年预算；有二级项目时须等于其合计")
    source: Source = Field(Source.general_budget, description="资金来源；unstated：原文只给出本项支出、"
                                                           "未列明其非财政拨款的来源（只计入不分来源的表）")
    other_funds: Amount = Field(Decimal(0), description="其他资金（绩效目标表“其他资金”）")
    department: str | None = Field(None, description="主管部门；缺省为本部门")
    implementer: Text = Field(description="实施主体")
    implementation: list[Block] = Field(
        default_factory=list, description="实施主体的说明段落（上海式项目经费情况说明）；缺省时只写实施主体")
    subprojects: list[SubProject] = Field(default_factory=list, description="二级项目")
    summary: list[Block] = Field(min_length=1, description="项目概述")
    basis: list[Block] = Field(min_length=1, description="立项依据")
    plan: list[Block] = Field(min_length=1, description="实施方案")
    period: list[Block] = Field(min_length=1, description="实施周期")
    budget_note: str | None = Field(None, description="年度预算安排的补充说明（不含金额），如 尾款于2023年支付")
    goal: str | None = Field(None, description="年度绩效目标")
    quarterly: list[Amount] | None = Field(
        None, min_length=4, max_length=4, description="年度预算安排：第一至第四季度用款计划（须合计为 amount）")
    indicators: list[Indicator] = Field(default_factory=list, description="绩效指标")

    @property
    def fiscal(self) -> Decimal:
        """The 财政拨款 part of the amount."""
        return self.amount if self.source in FISCAL_SOURCES else Decimal(0)

    @property
    def other(self) -> Decimal:
        """其他资金: other funds plus the amount when it is not 财政拨款."""
        return self.other_funds + self.amount - self.fiscal

    @property
    def source_name(self) -> str:
        return SOURCE_NAMES[self.source]


class DepartmentPerformance(Strict):
    """部门整体支出绩效目标。"""

    goals: list[Text] = Field(min_length=1, description="年度总体目标")
    indicators: list[Indicator] = Field(min_length=1, description="绩效指标")


class PerformanceSummary(Strict):
    """绩效目标管理情况。省略数量与金额时由一级项目计算。"""

    count: Count | None = Field(None, description="实行绩效目标管理的项目数（不填则按项目计算）")
    amount: Amount | None = Field(None, description="涉及资金（不填则按项目计算）")
    pilot_count: Count | None = Field(None, description="纳入绩效目标批复试点的项目数")
    pilot_amount: Amount | None = Field(None, description="试点项目涉及资金")
    units: Count | None = Field(None, description="开展绩效目标编报的预算单位数")
    projects: list[SubProject] = Field(
        default_factory=list, description="编报绩效目标的项目及金额（列出时数量与金额由此计算）")


# --- 其他重要事项 --------------------------------------------------------------------


class RunningCosts(Strict):
    """机关运行经费：本年数按地区口径（region.yaml 的 running_costs_classes，如 302，或 302 与 310）
    由一般公共预算基本支出经济分类表的公用经费计算；也可直接填写 amount（经济分类表可算时须一致）。"""

    amount: Amount | None = Field(None, description="本年机关运行经费；不填则按地区口径由经济分类表计算")
    prior: Amount | None = Field(None, description="上年机关运行经费预算；原文未公开时省略，文中不作比较")
    reason: str | None = Field(None, description="增减的主要原因")
    definition: str | None = Field(None, description="口径说明段落（如 按照财政部《地方预决算公开操作规程》……）")


class Procurement(Strict):
    goods: Amount = Field(Decimal(0), description="政府采购货物预算")
    works: Amount = Field(Decimal(0), description="政府采购工程预算")
    services: Amount = Field(Decimal(0), description="政府采购服务预算")
    sme_reserved: Amount | None = Field(None, description="面向中小企业预留政府采购项目预算金额")
    sme_small_micro: Amount | None = Field(
        None, description="其中预留给小型和微型企业的政府采购项目预算（不超过 sme_reserved）")


VEHICLE_KINDS = ("部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车",
                 "执法执勤用车", "特种专业技术用车", "离退休干部用车", "其他用车")
VehicleKind = Literal["部级领导干部用车", "主要领导干部用车", "机要通信用车", "应急保障用车",
                      "执法执勤用车", "特种专业技术用车", "离退休干部用车", "其他用车"]


class Assets(Strict):
    as_of: dt.date | None = Field(None, description="资产统计截止日期（原文未写明时可省略）")
    general_vehicles: Count = Field(0, description="一般公务用车（辆）")
    enforcement_vehicles: Count = Field(0, description="执法执勤用车（辆）")
    other_vehicles: Count = Field(0, description="其他车辆（辆）")
    general_equipment: Count | None = Field(None, description="单位价值50万元以上通用设备（台/套）")
    special_equipment: Count | None = Field(None, description="单位价值100万元以上专用设备（台/套）")
    planned_vehicles: Count | None = Field(None, description="本年预算安排购置车辆（辆）")
    planned_large_equipment: list[Text] | None = Field(
        None, description="本年安排购置单位价值200万元以上大型设备；空列表表示“无”")
    vehicles_by_kind: dict[VehicleKind, Count] | None = Field(
        None, description="现有车辆，按八类（部级领导干部用车……其他用车）；未列的类为0辆")
    planned_vehicles_by_kind: dict[VehicleKind, Count] | None = Field(
        None, description="本年预算安排购置车辆，按八类；未列的类为0辆")
    equipment_over_1m: Count | None = Field(
        None, description="单价100万元（含）以上设备（不含车辆），台（套）")
    planned_equipment_over_1m: Count | None = Field(
        None, description="本年预算安排购置单价100万元（含）以上设备（不含车辆），台（套）")


class TransferItem(Strict):
    name: Text = Field(description="转移支付项目")
    code: Code | None = Field(None, description="功能分类科目编码")
    amount: Amount = Field(description="金额")


# --- 名词解释 ------------------------------------------------------------------------


class Term(Strict):
    term: Text = Field(description="名词")
    definition: Text = Field(description="解释")
    group: str | None = Field(None, description="分组，如 收入科目、部门涉及的专业名词")


class Glossary(Strict):
    standard: list[Text] = Field(
        default_factory=list, description="选用的标准名词（见 src/budgetreport/catalogue/glossary.yaml）")
    own: list[Term] = Field(default_factory=list, description="本部门的名词")


# --- the whole file ------------------------------------------------------------------


class Budget(Strict):
    """一个部门一个年度的预算公开数据。"""

    unit: Literal["万元", "元"] = Field(
        "万元", description="本文件金额单位（元可带分）；展示的单位与小数位由地区设置决定")
    department: Department = Field(description="部门名称、地区、年度、公开日期")
    overview: Overview = Field(description="第一部分 概况：职责、单位与人员、主要工作任务")
    income: Income = Field(description="本年收入预算，按来源")
    spending: list[SpendingLine] = Field(min_length=1, description="本年支出，按功能分类项级科目")
    names: dict[Code, Text] = Field(
        default_factory=dict,
        description="科目目录中没有的类、款（或项）科目的名称，如 {\"20406\": 司法}；"
                    "项级科目的名称也可写在支出行的 name 中。名称取自数据时 check 给出警告")
    carry_forward: Amount = Field(Decimal(0), description="结转下年")
    economic: list[EconomicLine] = Field(
        default_factory=list, description="一般公共预算基本支出，按经济分类款级科目（原文无此表时省略）")
    prior: PriorYear = Field(default_factory=PriorYear, description="上年预算数")
    reasons: Reasons = Field(default_factory=Reasons, description="变动原因")
    three_public: ThreePublic = Field(description="“三公”经费财政拨款预算")
    transfers: list[TransferItem] = Field(default_factory=list, description="市对区转移支付")
    projects: list[Project] = Field(default_factory=list, description="一级项目（重点项目）")
    performance: DepartmentPerformance | None = Field(
        None, description="部门整体支出绩效目标；原文未公开时省略，不出绩效目标表")
    performance_summary: PerformanceSummary = Field(default_factory=PerformanceSummary,
                                                    description="绩效目标管理情况")
    running_costs: RunningCosts = Field(default_factory=RunningCosts, description="机关运行经费")
    procurement: Procurement = Field(description="政府采购预算")
    assets: Assets = Field(description="国有资产占有使用情况")
    glossary: Glossary = Field(description="第三部分 名词解释")
    purposes: dict[Code, Text] = Field(
        default_factory=dict, description="类、款级科目的主要用途（项级写在支出行的 purpose），如 {'201': 人员经费……}")
    sections: dict[str, Any] = Field(
        default_factory=dict, description="地区数据栏目：地区设置（region.yaml 的 sections）声明的记录，"
                                          "按栏目键填写；金额按本文件的单位")

    def in_wan(self) -> "Budget":
        """The same budget in 万元. Rules check a file in its own unit, so that messages
        quote the user's figures; figures are computed in 万元 (exact: Decimal ÷ 10^4)."""
        if self.unit == "万元":
            return self

        def walk(value: Any) -> Any:
            if isinstance(value, Decimal):
                return value / UNIT_FACTOR["元"]
            if isinstance(value, dict):
                return {k: walk(v) for k, v in value.items()}
            if isinstance(value, list):
                return [walk(v) for v in value]
            return value

        return Budget.model_validate(walk(self.model_dump()) | {"unit": "万元"})
