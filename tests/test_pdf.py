"""The PDF as a reader meets it: its text, numbers, fonts, metadata, contents and tables.

Each sample is built once per session (a build takes seconds) by `build.build`, the library
call behind `budgetreport build`; the text is read back with poppler (`pdftotext -raw`,
`pdffonts`, `pdfinfo`) and pypdf. Sentences are compared with all whitespace removed, because
line breaks split them, and without the page numbers ("— 7 —") that interrupt them.

The expected sentences are those of the two reference documents
(/work/shared/reference/*-budget.txt), by computed value, with the corrections of
domain-notes §8 and the tool's uniform format: "2469.59万元" (two decimals, no thousands
separator in text), percentages with two decimals.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
import weasyprint
from pypdf import PdfReader
from pypdf.generic import ContentStream, IndirectObject, NameObject

from budgetreport.checks.validate import check_file
from budgetreport.common.money import TABLE_FORMAT, table_amount
from budgetreport.compute.figures import Figures, compute
from budgetreport.inputs.region import Region
from budgetreport.layout.fonts import DEFAULT_FONTS
from budgetreport.layout.tables import Table, build_tables, numeral
from budgetreport.publish.build import Built, build
from conftest import DATA, RECEPTION_PRIOR, ROOT, growth, replace_once

XIAMEN, SHANGRAO = "xiamen-2022.yaml", "shangrao-2022.yaml"
RARE = "堃喆昇珺"
INJECTED = "<script>alert(1)</script> <b>x</b> &amp; &"

FOOTER = re.compile(r"^\s*—\s*(\d+)\s*—\s*$", re.M)
NUMERAL = "[一二三四五六七八九十]+"


def squash(text: str) -> str:
    """Text without any whitespace (line breaks, spaces, U+3000), for comparing sentences."""
    return "".join(text.split())


def run(*args: str | Path) -> str:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True,
                          timeout=120)
    return done.stdout


# --- one built document ----------------------------------------------------------------


@dataclass
class Doc:
    """A built PDF and what the tests read from it."""

    source: Path
    built: Built
    figures: Figures = field(repr=False)
    region: Region = field(repr=False)
    tables: list[Table] = field(repr=False)

    @cached_property
    def data(self) -> bytes:
        return self.built.pdf.read_bytes()

    @cached_property
    def pages(self) -> list[str]:
        """Text of each page, `pdftotext -raw` (form feeds separate pages)."""
        text = run("pdftotext", "-raw", "-enc", "UTF-8", self.built.pdf, "-")
        return text.split("\f")[: self.built.pages]

    @cached_property
    def reader(self) -> PdfReader:
        return PdfReader(self.built.pdf)

    def page_number(self, index: int) -> int | None:
        """The printed number ("— 7 —") of the page at `index` (0-based), if it has one."""
        found = FOOTER.findall(self.pages[index])
        return int(found[-1]) if found else None

    @cached_property
    def first_body_page(self) -> int:
        """Index of the page printed "— 1 —": cover and contents come before it."""
        return next(i for i in range(len(self.pages)) if self.page_number(i) == 1)

    @cached_property
    def text(self) -> str:
        """The body (cover and contents left out), page numbers removed, whitespace removed."""
        return squash(FOOTER.sub("", "\n".join(self.pages[self.first_body_page:])))

    @cached_property
    def table_pages(self) -> dict[str, list[int]]:
        """Each 附表's title → the indexes of the pages it occupies.

        A table starts on a page whose text starts with its title (one table per page
        start); it continues on the following pages until another table or part begins."""
        starts = {squash(t.title): t.title for t in self.tables}
        found: dict[str, list[int]] = {}
        current: str | None = None
        for i in range(self.first_body_page, len(self.pages)):
            head = squash(self.pages[i])
            title = next((starts[s] for s in sorted(starts, key=len, reverse=True)
                          if head.startswith(s)), None)
            if title is not None:
                current = title
                found[current] = [i]
            elif current is not None and not re.match(f"第{NUMERAL}部分", head) and head:
                found[current].append(i)
            else:
                current = None
        return found

    @cached_property
    def prose_pages(self) -> list[int]:
        """Pages of running text: neither cover, contents nor 附表."""
        tables = {i for pages in self.table_pages.values() for i in pages}
        return [i for i in range(self.first_body_page, len(self.pages)) if i not in tables]


def pipeline(path: Path) -> tuple[Figures, Region, list[Table]]:
    """The figures and tables of `path`, as build.build computes them (no rendering)."""
    checked = check_file(path)
    assert checked.budget is not None and checked.region is not None, checked.problems
    figures = compute(checked.budget)
    return figures, checked.region, build_tables(figures, checked.resolved)


def make_doc(path: Path, out_dir: Path, **options: Any) -> Doc:
    built = build(path, out_dir, **options)
    return Doc(path, built, *pipeline(path))


class Library:
    """Builds on demand, once per session, into one temporary folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._docs: dict[tuple[str, str], Doc] = {}

    def _cached(self, kind: str, name: str, make: Any) -> Doc:
        if (kind, name) not in self._docs:
            self._docs[kind, name] = make()
        return self._docs[kind, name]

    def sample(self, name: str) -> Doc:
        return self._cached("sample", name,
                            lambda: make_doc(DATA / name, self.root / "samples"))

    def pdfa(self, name: str) -> Doc:
        return self._cached("pdfa", name, lambda: make_doc(DATA / name, self.root / "pdfa",
                                                           pdf_variant="pdf/a-3b"))

    def edited(self) -> Doc:
        """Xiamen with rare characters in names and markup in a free-text field."""

        def make() -> Doc:
            text = (DATA / XIAMEN).read_text(encoding="utf-8")
            for old, new in (
                ("  name: 厦门市住房公积金中心\n  region", f"  name: 厦门市{RARE}中心\n  region"),
                ("    - name: 厦门市住房公积金中心\n", f"    - name: 厦门{RARE}住房公积金中心\n"),
                ("  - name: 信息化专项资金\n", f"  - name: 信息化{RARE}专项资金\n"),
                ("      - 本项目是立足", f"      - {INJECTED}本项目是立足"),
            ):
                text = replace_once(text, old, new)
            source = self.root / "edited-data" / XIAMEN  # same name: same center templates
            source.parent.mkdir(parents=True, exist_ok=True)
            source.write_text(text, encoding="utf-8")
            return make_doc(source, self.root / "edited")

        return self._cached("edited", XIAMEN, make)

    def rebuilt_elsewhere(self, name: str) -> bytes:
        """The same sample built again in a fresh interpreter with another hash seed."""
        out = self.root / "again"
        code = ("import sys; from pathlib import Path; from budgetreport.publish.build import build; "
                "print(build(Path(sys.argv[1]), Path(sys.argv[2])).pdf)")
        env = {**os.environ, "PYTHONHASHSEED": "12345"}
        done = subprocess.run([sys.executable, "-c", code, str(DATA / name), str(out)],
                              capture_output=True, text=True, env=env, timeout=300, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        return Path(done.stdout.strip()).read_bytes()


@pytest.fixture(scope="session")
def library(tmp_path_factory: pytest.TempPathFactory) -> Library:
    return Library(tmp_path_factory.mktemp("pdf"))


@pytest.fixture(scope="session", params=[XIAMEN, SHANGRAO], ids=["xiamen", "shangrao"])
def doc(request: pytest.FixtureRequest, library: Library) -> Doc:
    return library.sample(request.param)


# --- every figure sentence of the reference documents ------------------------------------

XIAMEN_SENTENCES = [
    # 第一部分: the staff note follows the table (在职 50), not the published "54" (§8).
    "厦门市住房公积金中心财政拨款5450",
    "（备注：截至2021年12月31日实有在职人数50人。）",
    # 一、收支总体情况
    "（一）厦门市住房公积金中心部门2022年收入预算为2735.83万元，比2021年预算数增加205.14万元，"
    "增长8.11%，具体情况如下：",
    "1.财政拨款收入2735.83万元，其中一般公共预算拨款收入2735.83万元，政府性基金拨款收入0.00万元，"
    "国有资本经营预算拨款收入0.00万元；",
    "2.财政专户管理资金收入0.00万元；",
    "3.事业收入0.00万元；",
    "4.事业单位经营收入0.00万元；",
    "5.上级补助收入0.00万元；",
    "6.附属单位上缴收入0.00万元；",
    "7.其他收入0.00万元；",
    "8.上年结转结余0.00万元。",
    "（二）厦门市住房公积金中心部门2022年支出预算为2735.83万元（不含市对区转移支付项目），"
    "比2021年预算数增加205.14万元，增长8.11%，具体情况如下：",
    "1.基本支出2303.83万元，其中，人员支出1922.62万元，公用支出381.21万元；",
    "2.项目支出432.00万元；",
    "3.非财政拨款支出0.00万元。",
    "（三）厦门市住房公积金中心部门2022年市对区转移支付项目预算为0.00万元。",
    # 二、一般公共预算财政拨款支出: total, then the six 项 with their full labels.
    "2022年度一般公共预算支出2735.83万元（不含市对区转移支付项目），比2021年预算数增加205.14万元，"
    "增长8.11%，主要是由于信息化投入支出增加。",
    "（一）社会保障和就业支出（类）行政事业单位养老支出（款）行政单位离退休（项）23.67万元。"
    "主要用于单位退休人员支出。",
    "（二）社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位基本养老保险缴费支出（项）"
    "99.06万元。主要用于单位在职人员基本养老保险缴费支出。",
    "（三）卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）44.38万元。"
    "主要用于单位在职人员医疗保险支出。",
    "（四）卫生健康支出（类）行政事业单位医疗（款）公务员医疗补助（项）21.13万元。"
    "主要用于单位在职人员公务员医疗补助支出。",
    "（五）资源勘探工业信息等支出（类）其他资源勘探工业信息等支出（款）其他资源勘探工业信息等支出（项）"
    "78.00万元。主要用于住房公积金综合服务平台3.0项目支出。",
    "（六）住房保障支出（类）城乡社区住宅（款）住房公积金管理（项）2469.59万元。主要用于在职人员经费支出；"
    "保障机构正常运转、完成日常工作任务的公用支出；设备购置、设备及系统运行维护费、宣传费、"
    "网络通信费等项目支出。",
    # 三、政府性基金
    "2022年没有使用政府性基金预算拨款安排支出，2022年度政府性基金支出0.00万元，"
    "与2021年预算数相比无变化",
    "2021年、2022年均未使用政府性基金预算拨款安排支出。",
    # 四、“三公”经费: 公务接待费 against last year's derived figure (the text printed "下降10%").
    "厦门市住房公积金中心部门2022年“三公”经费财政拨款预算数为2.01万元，其中：因公出国（境）经费"
    "0.00万元，公务接待费2.01万元，公务用车购置及运行费0.00万元。",
    "2022年预算安排0.00万元。与上年预算相比无变化",
    "2021年、2022年均未组织出国（境）团组。",
    "2022年预算安排2.01万元。主要用于上级检查接待、业务交流接待等方面的接待活动。"
    f"与上年预算相比减少{RECEPTION_PRIOR - Decimal('2.01')}万元，"
    f"下降{growth('2.01', Decimal('2.01') - RECEPTION_PRIOR)}",
    "厉行节约，从严从紧安排公务接待费。",
    "2022年预算安排0.00万元，其中：公务用车运行费0.00万元；公务用车购置费0.00万元。"
    "与上年预算相比无变化",
    "公务用车制度改革后，本部门无保留车辆，不再列支公务用车购置及运行费用。",
    # 五、项目: 年度预算安排 of both projects.
    "2022年拟安排该项目一般公共预算78.00万元。主要是住房公积金综合服务平台3.0项目78.00万元。",
    "2022年拟安排该项目一般公共预算354.00万元。其中：（1）公积金业务费安排124.00万元；"
    "（2）系统及网络设备运行维护费安排230.00万元。",
    # 六、其他重要事项
    "2022年厦门市住房公积金中心部门的机关运行经费财政拨款预算381.21万元，比2021年预算增加17.33万元，"
    "增长4.76%",
    "非在编雇用人员经费支出增加。",
    "2022年厦门市住房公积金中心部门政府采购预算总额123.12万元，其中：政府采购货物预算123.12万元，"
    "政府采购工程预算0.00万元，政府采购服务预算0.00万元。",
    "截至2021年12月31日，厦门市住房公积金中心部门所属各预算单位共有车辆0辆，"
    "单位价值50万元以上通用设备5台（套），单位价值100万元以上专用设备0台（套）。",
    "厦门市住房公积金中心部门2022年实行绩效目标管理的一级项目2个，涉及一般公共预算拨款432.00万元。",
]

SHANGRAO_SENTENCES = [
    # 第一部分: the staffing sentence with every count, no field code (§8).
    "纳入本套部门预算汇编范围的单位共1个，为上饶市住房公积金管理中心，无下属二级机构。",
    "本部门2022年编制人数小计97人，其中：参照公务员管理的事业编制38人，全额补助事业编制59人；"
    "年末实有人数小计109人，其中在职人员小计88人，包括参照公务员管理的事业单位在职人数29人，"
    "全额补助事业单位在职人数59人，离休人员0人，退休人员21人，年末学生人数0人。",
    # （一）收入 （二）支出 — "2022年度", not the published "2021年度" (§8).
    "本部门2022年度收入预算总额为3874.36万元，较上年上升15.19%。其中：财政拨款收入3398.63万元，"
    "较上年预算安排增加335.74万元",
    "本部门2022年度支出预算总额为3874.36万元，其中：",
    "按支出项目类别划分：基本支出2959.93万元，较上年预算安排增加494.87万元，包括：工资福利支出"
    "2169.93万元、商品和服务支出712.23万元、对个人和家庭的补助75.06万元、资本性支出2.71万元；"
    "项目支出914.43万元，较上年预算安排增加15.99万元。",
    # 其他支出 with unit and two decimals (published "29.2", §8).
    "按支出功能科目划分：住房保障支出3845.16万元，较上年预算安排增加510.86万元；其他支出29.20万元，",
    "按支出经济分类划分：工资福利支出2169.93万元，较上年预算安排增加316.31万元；商品和服务支出"
    "712.23万元，较上年预算安排增加162.07万元；对个人和家庭的补助75.06万元，较上年预算安排增加"
    "13.78万元；资本性支出2.71万元，较上年预算安排增加2.71万元；项目支出914.43万元，"
    "较上年预算安排增加15.99万元。",
    # （三）财政拨款: 3398.63 and its own function split (see test_shangrao_fiscal_section).
    "2022年上饶市住房公积金管理中心财政拨款支出预算总额3398.63万元，较上年预算安排增加335.74万元",
    "按支出功能科目划分：住房保障支出3369.43万元；其他支出29.20万元。",
    # （六）机关运行费: 162.07 / 550.16 = 29.46% (published "29.5%", §8).
    f"2022年部门机关运行费预算712.23万元，比2021年预算增加162.07万元，上升{growth('712.23', '162.07')}",
    "按照财政部《地方预决算公开操作规程》明确的口径，机关运行费指各部门的公用经费，",
    "2022年部门所属各单位政府采购总额331.71万元，其中：政府采购货物预算0.00万元、"
    "政府采购工程预算0.00万元、政府采购服务预算331.71万元。",
    "截至2021年9月30日，部门共有车辆12辆，其中，一般公务用车12辆，执法执勤用车0辆。",
    "2022年部门预算安排购置车辆0辆，安排购置单位价值200万元以上大型设备具体为：无。",
    "2022年实行绩效目标管理的项目16个，涉及资金1214.09万元；纳入绩效目标批复试点的项目0个，"
    "涉及资金0.00万元。",
    # （十）项目: "2022年预计支付180万" with the amount computed.
    "2022年预计支付180.00万元，尾款于2023年支付。",
    # 二、“三公”经费
    "2022年上饶市住房公积金管理中心“三公”经费年初预算安排80.00万元，其中：",
    "因公出国（境）费0.00万元，",
    "没有因公出国（境）事项。",
    "公务接待费47.00万元，比上年减少3.00万元，主要原因是：按照“三公”经费管理办法严格控制接待开支，"
    "核减相应预算开支。",
    "公务用车购置费0.00万元，",
    "公务用车运行维护费33.00万元，",
    # 第三部分: the year of the tables is the budget year (published "2021年部门预算表", §8).
    "第三部分上饶市住房公积金管理中心2022年部门预算表",
    "十一张表（详见附表）",
    "（一）财政拨款：指市级财政当年拨付的资金。",
]


def near(text: str, sentence: str) -> str:
    """For a failure message: the text where the longest found start of `sentence` is."""
    wanted = squash(sentence)
    for n in range(len(wanted), 3, -1):
        if (at := text.find(wanted[:n])) >= 0:
            return f"expected {wanted}\n   found {text[at: at + len(wanted) + 10]}"
    return f"expected {wanted}\n   nothing like it"


@pytest.mark.parametrize("sentence", XIAMEN_SENTENCES,
                         ids=[f"xiamen-{i:02d}" for i in range(len(XIAMEN_SENTENCES))])
def test_xiamen_sentence(library: Library, sentence: str) -> None:
    text = library.sample(XIAMEN).text
    assert squash(sentence) in text, near(text, sentence)


@pytest.mark.parametrize("sentence", SHANGRAO_SENTENCES,
                         ids=[f"shangrao-{i:02d}" for i in range(len(SHANGRAO_SENTENCES))])
def test_shangrao_sentence(library: Library, sentence: str) -> None:
    text = library.sample(SHANGRAO).text
    assert squash(sentence) in text, near(text, sentence)


def section(text: str, start: str, end: str) -> str:
    """The text from heading `start` up to heading `end` (both must be present once)."""
    assert text.count(start) == 1 and text.count(end) == 1, (start, end)
    return text[text.index(start): text.index(end)]


def test_shangrao_fiscal_section_states_fiscal_figures_only(library: Library) -> None:
    """§8: the published 财政拨款 section repeated the department-wide split (3845.16 + 29.2 =
    3874.36) although 财政拨款 is 3398.63. Here it shows 财政拨款 spending only."""
    fiscal = section(library.sample(SHANGRAO).text, "（三）财政拨款支出情况", "（四）政府性基金情况")
    assert "3398.63万元" in fiscal
    assert "3845.16" not in fiscal
    assert "3874.36" not in fiscal
    assert "住房保障支出3369.43万元；其他支出29.20万元。" in fiscal  # 3369.43 + 29.20 = 3398.63


def test_xiamen_staff_note_agrees_with_table(library: Library) -> None:
    text = library.sample(XIAMEN).text
    assert "实有在职人数54人" not in text
    assert "实有在职人数50人" in text


# --- none of the published defects (domain-notes §8) -------------------------------------

FORBIDDEN = ["MERGEFIELD", "${", "{{", "结合实际", "由部门结合实际填写", "2021年部门预算表",
             "本部门2021年度", "29.5%", "其他支出29.2，"]


@pytest.mark.parametrize("needle", FORBIDDEN, ids=[f"defect-{i}" for i in range(len(FORBIDDEN))])
def test_no_published_defect(doc: Doc, needle: str) -> None:
    assert needle not in doc.text


def test_no_thousands_separator_in_sentences(doc: Doc) -> None:
    assert re.findall(r"\d,\d{3}(?:\.\d+)?万元", doc.text) == []


def test_every_amount_in_text_has_two_decimals(doc: Doc) -> None:
    """Amounts with 万元 have two decimals; only thresholds ("50万元以上") are whole."""
    amounts = re.findall(r"(?<![\d.,])(\d[\d,]*(?:\.\d+)?)万元(?!以上)", doc.text)
    assert amounts, "no amounts found: is the text extraction working?"
    assert [a for a in amounts if not re.fullmatch(r"\d+\.\d\d", a)] == []
    assert re.findall(r"\d万(?!元)", doc.text) == []  # "支付180万，"


def test_every_change_percentage_has_two_decimals(doc: Doc) -> None:
    changes = re.findall(r"(?:增长|下降|上升)(\d+(?:\.\d+)?)[%％]", doc.text)
    assert changes
    assert [c for c in changes if not re.fullmatch(r"\d+\.\d\d", c)] == []
    assert "％" not in doc.text  # one percent sign throughout


LEVELS = [  # (level, pattern of a line that starts with a section number)
    (0, re.compile(f"^第({NUMERAL})部分")),
    (1, re.compile(f"^({NUMERAL})、")),
    (2, re.compile(f"^（({NUMERAL})）")),
    (3, re.compile(r"^(\d+)\.(?!\d)")),  # "1.项目概述", not "1.1组织保障" or "2.71万元"
]


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23."""
    digits = {c: i for i, c in enumerate("一二三四五六七八九", 1)}
    if "十" not in text:
        return digits[text]
    tens, _, ones = text.partition("十")
    return digits.get(tens, 1) * 10 + digits.get(ones, 0)


def numbering_gaps(lines: list[str]) -> list[str]:
    """Section numbers that do not follow the previous number of their level.

    A number resets the levels below it; 第X部分 resets all. Returns readable findings."""
    counters = [0, 0, 0, 0]
    gaps = []
    for line in lines:
        for level, pattern in LEVELS:
            if m := pattern.match(line.strip()):
                n = int(m[1]) if level == 3 else cn_number(m[1])
                if n != counters[level] + 1:
                    gaps.append(f"after number {counters[level]} of level {level}: {line.strip()}")
                counters[level] = n
                counters[level + 1:] = [0] * (3 - level)
                break
    return gaps


def test_numbering_check_finds_a_gap() -> None:
    """The check below can fail: Shangrao's published （三） → （五） is reported."""
    published = ["一、收支情况", "（一）收入", "（二）支出", "（三）财政拨款", "（五）国有资本经营"]
    assert numbering_gaps(published) == ["after number 3 of level 2: （五）国有资本经营"]


def test_section_numbering_has_no_gaps(doc: Doc) -> None:
    lines = [line for i in doc.prose_pages for line in doc.pages[i].splitlines()]
    assert sum(bool(LEVELS[2][1].match(x)) for x in lines) >= 10  # the check sees numbers
    assert numbering_gaps(lines) == []


# --- fonts ---------------------------------------------------------------------------------

ALLOWED_FONTS = tuple(sorted({f.replace(" ", "-") for s in DEFAULT_FONTS.values() for f in s}))


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    encoding: str
    embedded: bool


def fonts(pdf: Path) -> list[FontRow]:
    rows = []
    for line in run("pdffonts", pdf).splitlines()[2:]:
        words = line.split()
        # name, type (several words), encoding, emb, sub, uni, object, generation
        rows.append(FontRow(words[0], " ".join(words[1:-6]), words[-6], words[-5] == "yes"))
    return rows


def notdef_uses(pdf: Path) -> list[str]:
    """Where text shows glyph 0 (.notdef, the empty box of a missing character).

    WeasyPrint writes Type0 fonts with two-byte codes: Identity-H (code = CID) or its own
    CMap, which maps the codes of missing characters to CID 0."""
    reader = PdfReader(pdf)
    found: list[str] = []
    for number, page in enumerate(reader.pages, 1):
        _scan(page.get_contents(), page.get("/Resources"), reader, f"page {number}", found)
    return found


def _zero_codes(font: Any) -> set[bytes]:
    encoding = font.get("/Encoding")
    if isinstance(encoding, IndirectObject):
        encoding = encoding.get_object()
    if isinstance(encoding, NameObject):
        return {b"\0\0"} if encoding in ("/Identity-H", "/Identity-V") else set()
    cmap = encoding.get_data().decode("latin-1") if encoding is not None else ""
    codes = {bytes.fromhex(code) for code, cid in re.findall(r"<([0-9a-fA-F]+)>\s+(\d+)", cmap)
             if cid == "0"}
    for low, _high, cid in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s+(\d+)", cmap):
        if cid == "0":
            codes.add(bytes.fromhex(low))
    return codes


def _scan(contents: Any, resources: Any, reader: PdfReader, where: str, found: list[str]) -> None:
    if contents is None or resources is None:
        return
    resources = resources.get_object()
    font_dict = resources.get("/Font", {})
    xobjects = resources.get("/XObject", {})
    zero: set[bytes] = set()
    for operands, operator in ContentStream(contents, reader).operations:
        if operator == b"Tf":
            font = font_dict[operands[0]].get_object()
            zero = _zero_codes(font) if font.get("/Subtype") == "/Type0" else set()
        elif operator in (b"Tj", b"'", b'"', b"TJ"):
            strings = operands[0] if operator == b"TJ" else operands[-1:]
            for s in strings:
                if isinstance(s, (int, float)) or not hasattr(s, "__len__"):
                    continue
                raw = s.original_bytes if hasattr(s, "original_bytes") else bytes(s)
                codes = {raw[i:i + 2] for i in range(0, len(raw) - 1, 2)}
                if codes & zero:
                    found.append(f"{where}: .notdef in {raw!r}")
        elif operator == b"Do":
            xobject = xobjects[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Form":
                _scan(xobject, xobject.get("/Resources") or resources, reader, where, found)


def test_notdef_check_finds_a_missing_glyph(tmp_path: Path) -> None:
    """The font checks can fail: a private-use character no font has prints .notdef."""
    pdf = tmp_path / "missing.pdf"
    pdf.write_bytes(weasyprint.HTML(
        string='<p style="font-family: Noto Serif CJK SC">缺\ue000字</p>').write_pdf())
    assert notdef_uses(pdf)


def test_fonts_embedded_and_only_the_chosen_families(doc: Doc) -> None:
    rows = fonts(doc.built.pdf)
    assert rows
    assert [r.name for r in rows if not r.embedded] == []
    assert [r.name for r in rows if "Type 3" in r.type] == []
    # A subset name is "ABCDEF+Noto-Serif-CJK-SC-Bold"; anything else is a fallback font
    # fontconfig chose for characters the stacks lack.
    assert [r.name for r in rows if not r.name.split("+")[-1].startswith(ALLOWED_FONTS)] == []


def test_no_missing_glyphs(doc: Doc) -> None:
    assert notdef_uses(doc.built.pdf) == []


def test_rare_characters_print(library: Library) -> None:
    """堃喆昇珺 (outside GB2312) in the department name (cover, headings, sentences, table
    cells), a unit name and a project name (楷体 heading) come back from the PDF."""
    edited = library.edited()
    text = edited.text
    assert squash(edited.pages[0]).startswith(f"厦门市{RARE}中心")  # cover
    assert f"厦门市{RARE}中心部门2022年收入预算为2735.83万元" in text
    assert f"厦门{RARE}住房公积金中心财政拨款5450" in text
    assert f"（一）信息化{RARE}专项资金项目情况" in text
    assert f"编制单位：厦门市{RARE}中心" in text
    assert edited.built.warnings == ()
    assert notdef_uses(edited.built.pdf) == []
    rows = fonts(edited.built.pdf)
    assert [r.name for r in rows if not r.embedded or "Type 3" in r.type] == []
    assert [r.name for r in rows if not r.name.split("+")[-1].startswith(ALLOWED_FONTS)] == []


def test_markup_in_free_text_is_shown_as_text(library: Library) -> None:
    text = library.edited().text
    assert squash(INJECTED) + "本项目是立足" in text
    assert "<script>alert(1)</script>" in text
    assert "<b>x</b>" in text


# --- WeasyPrint, reproducibility, PDF/A ------------------------------------------------------


def test_no_weasyprint_warnings(doc: Doc) -> None:
    assert doc.built.warnings == ()


@pytest.mark.parametrize("name", [XIAMEN, SHANGRAO])
def test_same_data_same_bytes(library: Library, name: str) -> None:
    """Another interpreter (another hash seed, fresh caches) writes the very same file."""
    assert library.rebuilt_elsewhere(name) == library.sample(name).data


def test_pdf_a_3b(library: Library) -> None:
    pdfa = library.pdfa(XIAMEN)
    assert pdfa.built.warnings == ()
    xmp = run("pdfinfo", "-meta", pdfa.built.pdf)
    assert re.search(r'pdfaid:part(="|>)3', xmp), xmp
    assert re.search(r'pdfaid:conformance(="|>)B', xmp), xmp
    assert pdfa.built.pages == library.sample(XIAMEN).built.pages
    assert squash(XIAMEN_SENTENCES[2]) in pdfa.text


# --- metadata, outline, contents ---------------------------------------------------------------


def pdfinfo(pdf: Path) -> dict[str, str]:
    fields = {}
    for line in run("pdfinfo", "-isodates", pdf).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def test_metadata(doc: Doc) -> None:
    f = doc.figures
    info = pdfinfo(doc.built.pdf)
    assert info["Title"] == f"{f.name}{f.year}年部门预算"
    assert info["Author"] == f.name
    assert info["CreationDate"].startswith(f.published.isoformat())
    assert info["ModDate"].startswith(f.published.isoformat())
    assert int(info["Pages"]) == doc.built.pages == len(doc.reader.pages)
    assert doc.built.pages > 20
    assert doc.reader.trailer["/Root"]["/Lang"] == "zh-CN"


def part_titles(doc: Doc) -> list[str]:
    s = doc.region.filled(doc.figures.placeholders)
    return [f"第{numeral(i)}部分\u3000" + s["part_titles"][key] for i, key in enumerate(s["parts"], 1)]


def test_bookmarks_are_the_four_parts(doc: Doc) -> None:
    top = [item for item in doc.reader.outline if not isinstance(item, list)]
    assert [squash(item.title) for item in top] == [squash(t) for t in part_titles(doc)]
    for item in top:
        page = doc.reader.get_destination_page_number(item)
        assert squash(item.title) in squash(doc.pages[page]), item.title


def contents(doc: Doc) -> list[tuple[str, int]]:
    """(heading, page number) of each line of the table of contents, read with pypdf."""
    text = squash("".join(doc.reader.pages[i].extract_text()
                          for i in range(1, doc.first_body_page)))
    assert text.startswith("目录")
    entries = re.findall(f"(第{NUMERAL}部分|{NUMERAL}、)([^.]*?)\\.+(\\d+)", text[2:])
    return [(label + title, int(page)) for label, title, page in entries]


def test_contents_page_numbers(doc: Doc) -> None:
    entries = contents(doc)
    assert [h for h, _ in entries if h.startswith("第")] == [squash(t) for t in part_titles(doc)]
    index = doc.first_body_page
    wrong = []
    tables = {squash(f"{t.number}、{t.title}"): t.title for t in doc.tables}
    assert set(tables) <= {h for h, _ in entries}, "every 附表 is in the contents"
    for heading, printed in entries:
        if heading in tables:  # a 附表 entry points at the table's own first page
            index = doc.table_pages[tables[heading]][0]
        else:  # the first page at or after the previous heading's that carries this heading
            index = next(i for i in range(index, len(doc.pages)) if heading in squash(doc.pages[i]))
        if doc.page_number(index) != printed:
            wrong.append(f"{heading}: contents say {printed}, page shows {doc.page_number(index)}")
    assert wrong == []


def test_every_body_page_is_numbered_in_sequence(doc: Doc) -> None:
    numbers = [doc.page_number(i) for i in range(doc.first_body_page, len(doc.pages))]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [doc.page_number(i) for i in range(doc.first_body_page)] == [None] * doc.first_body_page


# --- tables across pages ------------------------------------------------------------------------


def test_a_long_table_spans_pages(library: Library) -> None:
    """The long tables (基本支出 by economic 款, ~30 rows; 收入 with 11 amount columns) run
    over a page in at least one sample, so the next test checks repeated headers."""
    spanning = [(d.source.name, t.key) for d in (library.sample(XIAMEN), library.sample(SHANGRAO))
                for t in d.tables if len(d.table_pages.get(t.title, [])) > 1]
    assert {"basic_economic", "income"} & {key for _, key in spanning}, spanning


def test_table_headers_repeat_on_every_page(doc: Doc) -> None:
    assert set(doc.table_pages) == {t.title for t in doc.tables}
    missing = []
    for t in doc.tables:
        for i in doc.table_pages[t.title]:
            page = squash(doc.pages[i])
            missing += [f"{t.title} p.{doc.page_number(i)}: {h.text}" for h in t.header
                        if squash(h.text) not in page]
    assert missing == []


# --- the PDF tables and the workbook show the same cells ---------------------------------------

AMOUNT = re.compile(r"-?\d{1,3}(?:,\d{3})*\.\d{2}")


def test_pdf_tables_equal_the_workbook(doc: Doc) -> None:
    """Sheet by sheet: the title and every amount of the workbook appear, in the same order,
    on the PDF pages of the same 附表 (both are written from one declaration)."""
    from openpyxl import load_workbook

    book = load_workbook(doc.built.workbook)
    assert len(book.worksheets) == len(doc.tables)
    for sheet, table in zip(book.worksheets, doc.tables, strict=True):
        pages = "\n".join(doc.pages[i] for i in doc.table_pages[table.title])
        assert squash(sheet.cell(1, 1).value) == squash(table.title)
        assert table.title.replace(" ", "") in squash(pages)
        in_sheet = [table_amount(Decimal(str(c.value))) for row in sheet.iter_rows() for c in row
                    if c.number_format == TABLE_FORMAT and c.value is not None]
        assert AMOUNT.findall(pages) == in_sheet, table.title
        assert in_sheet or not table.rows or table.key == "dept_performance", table.title


def test_odd_page_numbers_right_even_left(doc: Doc) -> None:
    """GB/T 9704: 单页码居右，双页码居左 — the body starts on a right-hand page."""
    layout = run("pdftotext", "-layout", "-enc", "UTF-8", doc.built.pdf, "-").split("\f")
    assert doc.first_body_page % 2 == 0  # 0-based index: a right-hand (odd) physical page
    for i in range(doc.first_body_page, len(doc.pages)):
        number = doc.page_number(i)
        footer = [line for line in layout[i].splitlines() if FOOTER.search(line)][-1]
        indent = len(footer) - len(footer.lstrip())
        assert (indent > 10) == (number % 2 == 1), f"page {number}: {footer!r}"
