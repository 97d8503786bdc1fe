"""The Shanghai layout against five published documents, figure by figure.

Each Shanghai sample is built once; its PDF is read back with `pdftotext -layout` and its
workbook with openpyxl. The expected figures are not typed here: they are read from the
published texts in `tests/references/` — every amount of each of the nine tables, and every
amount, percentage and count of the 编制说明, 其他相关情况说明 and 项目经费情况说明 — and must
appear in the same table or section of the generated document. Where a publication
contradicts its own tables (its defects are listed in the sample's YAML comments), the
correction is stated below, next to the figure it replaces.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path

import pytest
from openpyxl import load_workbook

from budgetreport.checks.validate import check_file
from budgetreport.compute.figures import Figures, compute
from budgetreport.publish.build import Built, build, prepare
from conftest import DATA

REFS = Path(__file__).parent / "references"

# The nine tables in order, each found by a part of its title that fits on its first line.
TITLES = {
    "sh_summary": "财务收支预算总表", "sh_income": "收入预算总表", "sh_spending": "支出预算总表",
    "sh_fiscal": "财政拨款收支预算总表", "sh_general": "一般公共预算支出功能分类预算表",
    "sh_gov_fund": "政府性基金预算支出功能分类", "sh_state_capital": "国有资本经营预算支出功能分类",
    "sh_economic": "一般公共预算基本支出部门预算经济", "sh_three_public": "机关运行经费预算表",
}
IN_YUAN = list(TITLES)[:8]  # tables 1–8; table 9 is in 万元

AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?![\d.,])")
FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)(?=万元|%|辆|台|个)")
YEAR = re.compile(r"\d{4}年")
FOOTER = re.compile(r"^\s*—\s*\d+\s*—\s*$")
TOC_LINE = re.compile(r"^\s*\d+\s*[.．]|…")


@dataclass(frozen=True)
class Sample:
    """A published document, its data file and the corrections its defects need."""

    name: str
    # table key → {published figure: figure the corrected data gives}
    table_fixes: dict[str, dict[str, str]] = field(default_factory=dict)
    # table key → (figures to take away, figures to add) where rows were merged or recoded
    table_changes: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)
    # published text figure → corrected figure, or None where the sentence no longer has it
    text_fixes: dict[str, str | None] = field(default_factory=dict)
    whole_yuan: bool = True


SAMPLES = [
    Sample("shanghai-putuo-wanli-2025",
           # 21201 款 printed 1元 above the sum of its 项 (rounded separately)
           table_fixes={k: {"94,995,790": "94,995,789"}
                        for k in ("sh_income", "sh_spending", "sh_general")}),
    Sample("shanghai-putuo-wanli-2024",
           # 住房公积金: "2024年预算安排352.67万元" against 3,503,499元 in the tables
           text_fixes={"352.67": None}),
    Sample("shanghai-putuo-czj-2025", whole_yuan=False,
           # 职业年金 887.36 for 873,617.00元; amounts truncated instead of rounded:
           # 877,080.00 → 87.70, 782,164.00 → 78.21, 2,049,197.00 → 204.91, 2,687,760.00 → 268.77
           text_fixes={"887.36": "87.36", "87.70": "87.71", "78.21": "78.22", "204.91": "204.92",
                       "268.77": "268.78"}),
    Sample("shanghai-czj-2025",
           # table 8: its 302 款 rows add up to 1元 less than their printed subtotal
           table_fixes={"sh_economic": {"9,265,733": "9,265,734"}}),
    Sample("shanghai-putuo-fuliyuan-2024",
           # table 8 rows recoded to the catalogue: 办公设备购置费 → 310 02; 离退休人员福利费 into
           # 30229 福利费; 退休人员活动费 into 30299 (see the sample's comments)
           table_changes={"sh_economic": (
               ["2,120,950", "2,120,950", "86,400", "86,400", "116,640", "116,640", "7,020",
                "7,020", "60,000", "60,000"],
               ["2,112,950", "2,112,950", "203,040", "203,040", "67,020", "67,020", "8,000",
                "8,000"])},
           # 社会福利事业单位: 738.66万元 (its 财政拨款 plus 退休费) against 6,964,796元 in the
           # tables; its percentage against last year changes with it
           text_fixes={"738.66": "696.48", "3.84": "2.09"}),
]


def number(token: str) -> Decimal:
    return Decimal(token.replace(",", ""))


def table_amounts(lines: list[str], *, every: bool = False) -> Counter[Decimal]:
    """Non-zero amounts of a table's lines. Code columns (类 3 digits, 款/项 2) are left out by
    taking only what has a thousands separator or decimals, or four digits or more — unless
    `every` (table 9, in 万元, has small whole amounts)."""
    found: Counter[Decimal] = Counter()
    for line in lines:
        if YEAR.search(line) or "：" in line or FOOTER.match(line):
            continue
        for token in AMOUNT.findall(line):
            if every or "," in token or "." in token or len(token) >= 4:
                if number(token):
                    found[number(token)] += 1
    return found


def title_index(lines: list[str], part: str, start: int = 0) -> int:
    for i in range(start, len(lines)):
        if part in lines[i] and not TOC_LINE.search(lines[i]) and "：" not in lines[i]:
            return i
    raise AssertionError(f"no table titled …{part}…")


def tables_of(lines: list[str], end_marker: str) -> dict[str, list[str]]:
    """The lines of each of the nine tables, title to next title."""
    starts = {}
    at = 0
    for key, ending in TITLES.items():
        at = starts[key] = title_index(lines, ending, at)
    ends = [*list(starts.values())[1:], section_start(lines, end_marker, at)]
    return {k: lines[s + 1:e] for (k, s), e in zip(starts.items(), ends, strict=True)}


def section_start(lines: list[str], marker: str, start: int = 0) -> int:
    for i in range(start, len(lines)):
        if marker in lines[i] and not TOC_LINE.search(lines[i]):
            return i
    return len(lines)


def figures_in(text: str) -> list[Decimal]:
    return [number(t) for t in FIGURE.findall("".join(text.split()))]


@dataclass
class Doc:
    sample: Sample
    built: Built
    figures: Figures

    @cached_property
    def lines(self) -> list[str]:
        """The body's lines (cover and contents left out)."""
        out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(self.built.pdf), "-"],
                             capture_output=True, text=True, check=True).stdout
        pages = out.split("\f")
        toc = max(i for i, p in enumerate(pages) if re.search(r"目\s*录", p))
        return [ln for p in pages[toc + 1:] for ln in p.splitlines() if not FOOTER.match(ln)]

    @cached_property
    def reference(self) -> list[str]:
        return (REFS / f"{self.sample.name}.txt").read_text(encoding="utf-8").splitlines()

    def text_section(self, lines: list[str], start: str, end: str) -> str:
        """From the last line naming `start` (a contents page may name it first) to `end`."""
        hits = [i for i, ln in enumerate(lines) if start in ln and not TOC_LINE.search(ln)]
        if not hits:
            return ""
        return "\n".join(lines[hits[-1]:section_start(lines, end, hits[-1] + 1)])


@pytest.fixture(scope="module", params=SAMPLES, ids=lambda s: s.name)
def doc(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Doc:
    sample: Sample = request.param
    path = DATA / f"{sample.name}.yaml"
    built = build(path, tmp_path_factory.mktemp(sample.name))
    checked = check_file(path)
    assert checked.budget is not None
    return Doc(sample, built, compute(checked.budget))


def expected_tables(d: Doc) -> dict[str, Counter[Decimal]]:
    published = tables_of(d.reference, "其他相关情况说明")
    out = {}
    for key, lines in published.items():
        fixes = d.sample.table_fixes.get(key, {})
        fixed = [AMOUNT.sub(lambda m, fx=fixes: fx.get(m.group(0), m.group(0)), ln) for ln in lines]
        amounts = table_amounts(fixed, every=key == "sh_three_public")
        away, add = d.sample.table_changes.get(key, ([], []))
        amounts.subtract(Counter(number(x) for x in away))
        amounts.update(Counter(number(x) for x in add))
        out[key] = +amounts
    return out


# --- the nine tables -------------------------------------------------------------------------


def test_every_table_amount_in_the_same_table(doc: Doc) -> None:
    ours = tables_of(doc.lines, "其他相关情况说明")
    for key, expected in expected_tables(doc).items():
        got = table_amounts(ours[key], every=key == "sh_three_public")
        assert got == expected, (key, expected - got, got - expected)


def table_sheets(path: Path) -> list:  # type: ignore[type-arg]
    """The workbook's 附表 sheets (the official workbook also has cover, contents and texts),
    each known by its title row."""
    wb = load_workbook(path, read_only=True)
    return [ws for ws in wb.worksheets
            if any(TITLES[k] in str(c) for row in ws.iter_rows(max_row=3, values_only=True)
                   for c in row if c for k in TITLES)]


def test_workbook_holds_the_nine_tables_with_the_same_cells(doc: Doc) -> None:
    sheets = table_sheets(doc.built.workbook)
    assert len(sheets) == 9
    for (key, expected), ws in zip(expected_tables(doc).items(), sheets, strict=True):
        assert any(TITLES[key] in str(c) for row in ws.iter_rows(max_row=3, values_only=True)
                   for c in row if c), key
        cells = [c for row in ws.iter_rows(values_only=True) for c in row
                 if isinstance(c, (int, float)) and c]
        places = 2 if key == "sh_three_public" or not doc.sample.whole_yuan else 0
        values = [Decimal(str(c)).quantize(Decimal(1).scaleb(-places)) for c in cells]
        every = key == "sh_three_public"
        got = Counter(v for v in values if every or v != v.to_integral_value() or v >= 1000)
        assert +got == expected, (key, expected - got, got - expected)


def test_yuan_tables_show_decimals_only_where_the_source_has_fen(doc: Doc) -> None:
    ours = tables_of(doc.lines, "其他相关情况说明")
    for key in IN_YUAN:
        tokens = [t for ln in ours[key] if not YEAR.search(ln) and "：" not in ln
                  for t in AMOUNT.findall(ln) if "," in t or "." in t]
        if doc.sample.whole_yuan:
            assert not [t for t in tokens if "." in t], key
        else:
            assert all(re.fullmatch(r"[\d,]+\.\d\d", t) for t in tokens), key


def test_code_columns_agree_with_the_code(doc: Doc) -> None:
    """类/款/项 in separate columns: together they are a code of the data, under its name."""
    names = {r.code: r.name for r in doc.figures.spending.rows}
    names |= {r.code: r.name for r in doc.figures.economic.rows}
    checked = 0
    for ws in table_sheets(doc.built.workbook)[1:8]:
        title = " ".join(str(c) for row in ws.iter_rows(max_row=3, values_only=True) for c in row if c)
        for row in ws.iter_rows(values_only=True):
            if row and isinstance(row[0], str) and re.fullmatch(r"\d{3}", row[0]):
                depth = 2 if TITLES["sh_economic"] in title else 3
                parts = [c or "" for c in row[:depth]]
                assert all(re.fullmatch(r"(\d\d)?", p) for p in parts[1:]), row
                assert not (parts[2:] and parts[2] and not parts[1]), row
                code = "".join(parts)
                assert names[code] == row[depth], (code, row)
                checked += 1
    assert checked


# --- the text ----------------------------------------------------------------------------------


def expected_figures(d: Doc, start: str, end: str) -> list[Decimal]:
    fixes = d.sample.text_fixes
    out = []
    for t in FIGURE.findall("".join(d.text_section(d.reference, start, end).split())):
        if t in fixes:
            if fixes[t] is None:
                continue
            t = fixes[t]  # noqa: PLW2901
        out.append(number(t))
    return out


@pytest.mark.parametrize(("start", "end"), [("预算编制说明", "财务收支预算总表"),
                                            ("其他相关情况说明", "项目经费情况说明"),
                                            ("项目经费情况说明", "\0")],
                         ids=["explanation", "other", "project_funds"])
def test_every_text_figure_in_the_same_section(doc: Doc, start: str, end: str) -> None:
    expected = expected_figures(doc, start, end)
    if start == "项目经费情况说明":  # only the 年度预算安排 amounts are figures
        expected = [x for x in expected if x in set(figures_in(doc.text_section(
            doc.reference, "年度预算安排", "绩效目标")))]
    ours = set(figures_in(doc.text_section(doc.lines, start, end)))
    missing = [x for x in expected if x not in ours]
    assert not missing, missing


LINE_BOX = re.compile(r'<line xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(.*?)</line>', re.S)


def line_offsets(pdf: Path) -> list[tuple[str, float]]:
    """Each line of the PDF with how far (pt) its middle is from the middle of its page's text
    column (the widest extent of the page's lines): 0 for a centred line."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    found = []
    for page in out.split("<page ")[1:]:
        lines = [(float(a), float(b), "".join(re.findall(r">([^<]*)</word>", words)))
                 for a, b, words in LINE_BOX.findall(page)]
        if lines:
            middle = (min(a for a, _, _ in lines) + max(b for _, b, _ in lines)) / 2
            found += [(text, (a + b) / 2 - middle) for a, b, text in lines]
    return found


def part_titles(d: Doc) -> list[str]:
    """The parts' titles as the 2026 template prints them: the unit's name before 主要职能 and
    机构设置, no number; 预算表 has no title page of its own."""
    f = d.figures
    titles = [f"{f.name}主要职能", f"{f.name}机构设置", "名词解释", f"{f.year}年{f.org}预算编制说明",
              "其他相关情况说明"]
    return titles + (["项目经费情况说明"] if f.org == "部门" and f.projects else [])


def test_cover_and_outline(doc: Doc) -> None:
    """Cover: the title, then 预算主管部门 (预算单位) right under it. Contents: the parts
    numbered 一、… with the tables under 五. Body: each part's title centred on a line of its
    own, unnumbered, in that order; no page listing the tables."""
    out = subprocess.run(["pdftotext", "-layout", "-l", "2", str(doc.built.pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    cover, contents = out.split("\f")[:2]
    published_cover = "".join(" ".join(doc.reference[:3]).split())
    assert "".join(cover.split()).startswith(published_cover[:14])
    lines = [ln.strip() for ln in cover.splitlines() if ln.strip()]
    head = "预算主管部门" if doc.figures.org == "部门" else "预算单位"
    assert lines[1] == f"{head}：{doc.figures.name}", lines
    boxes = subprocess.run(["pdftotext", "-bbox-layout", "-l", "1", str(doc.built.pdf), "-"],
                           capture_output=True, text=True, check=True).stdout
    tops = [float(y) for y in re.findall(r'<line xMin="[\d.]+" yMin="([\d.]+)"', boxes)]
    assert len(tops) == 2 and tops[1] - tops[0] < 100, f"the name follows the title, not at the foot: {tops}"
    toc = "".join(contents.split())
    parts = part_titles(doc)
    parts.insert(4, f"{doc.figures.org}预算表")
    at = [toc.find(f"{n}、{t}") for n, t in zip("一二三四五六七", parts, strict=False)]
    assert -1 not in at and at == sorted(at), (parts, toc)
    assert toc.find("1.", at[4]) > at[4] > 0
    titled = [i for i, ln in enumerate(doc.lines) if ln.strip() in part_titles(doc)]
    assert [doc.lines[i].strip() for i in titled] == part_titles(doc)
    centred = {text for text, off in line_offsets(doc.built.pdf) if abs(off) < 2}
    assert set(part_titles(doc)) <= centred, set(part_titles(doc)) - centred
    assert not [ln for ln in doc.lines if ln.strip() in ("五、部门预算表", "部门预算表", "单位预算表")]


# --- the published shape of the text (2026 template) -------------------------------------------


def test_other_matters_are_numbered_as_published(doc: Doc) -> None:
    """其他相关情况说明: its sections 一、二、…, the 三公 items under the first （一）（二）（三）."""
    text = "".join(doc.text_section(doc.lines, "其他相关情况说明", "项目经费情况说明").split())
    year = doc.figures.year
    heads = [f"一、{year}年“三公”经费预算情况说明", "二、机关运行经费预算", "三、政府采购预算情况",
             "四、绩效目标设置情况", "五、国有资产占有使用情况"]
    at = [text.find(h) for h in heads]
    assert -1 not in at and at == sorted(at), at
    items = [text.find(f"{n}{w}") for n, w in zip(("（一）", "（二）", "（三）"),
                                                   ("因公出国（境）费", "公务用车购置及运行费", "公务接待费"),
                                                   strict=True)]
    assert at[0] < items[0] < items[1] < items[2] < at[1], items
    assert not re.search(r"(?<![\d（])1\.因公出国", text)


NAME = r"([^\d，。；：]+?)"
ITEM = re.compile(rf"(?<![\d.])\d+\.{NAME}（(\d{{3}})类）{NAME}（(\d{{2}})款）{NAME}（(\d{{2}})项）(\d[\d.]*)万元")


def test_items_are_named_with_their_codes(doc: Doc) -> None:
    """Each 项 of the 编制说明 as "公共安全支出（204类）司法（06款）行政运行（01项）686万元", its
    names and codes those of the data's line; never "“…（类）…（款）…（项）”科目"."""
    text = "".join(doc.text_section(doc.lines, "预算编制说明", "财务收支预算总表").split())
    rows = {r.code: r for r in doc.figures.fiscal.rows}
    named = ITEM.findall(text)
    for cls, c1, kuan, c2, item, c3, _amount in named:
        code = c1 + c2 + c3
        assert rows[code].lineage == (cls, kuan, item), code
    leaves = [r for r in doc.figures.fiscal.level(3) if r.purpose]
    assert len(named) == len(leaves)
    assert "（类）" not in text and "（项）”科目" not in text


def test_sentence_amounts_drop_trailing_zeros(doc: Doc) -> None:
    """"686万元", "107.5万元", "0万元": no amount in a sentence ends in a zero decimal."""
    body = "".join("".join(doc.lines).split())
    assert not re.findall(r"\d\.\d*0万元", body)
    assert re.search(r"(?<![\d.])\d+万元", body)



# --- the published shape of the tables (2026 template) -----------------------------------------


def test_zero_cells_are_blank(doc: Doc) -> None:
    """Tables 1–8 leave a zero cell blank (2026 template): no "0" or "0.00" among their cells."""
    ours = tables_of(doc.lines, "其他相关情况说明")
    for key in IN_YUAN:
        zeros = [ln for ln in ours[key] if not YEAR.search(ln) and "：" not in ln
                 and re.search(r"(?<![\d.,])0(?:\.00)?(?![\d.,])", ln)]
        assert not zeros, (key, zeros)


def test_empty_tables_show_none_blank_rows_and_total(doc: Doc) -> None:
    """A table without rows: a "无" row, blank rows, then 合计 — no note saying it is empty."""
    ours = tables_of(doc.lines, "其他相关情况说明")
    tables = prepare(check_file(DATA / f"{doc.sample.name}.yaml")).tables
    empty = [t.key for t in tables if t.key in IN_YUAN
             and not any(c is not None and c.kind == "money" and c.value for r in t.rows for c in r.cells)]
    assert empty, "every sample has an empty table (国有资本经营预算)"
    for key in empty:
        lines = [ln.strip() for ln in ours[key]]
        assert "无" in lines, (key, lines)
        assert lines.index("无") < max(i for i, ln in enumerate(lines) if ln == "合计"), key
        assert not [ln for ln in lines if "空表" in ln], key


def test_income_rows_are_labelled_as_published(doc: Doc) -> None:
    """收支总表: 1. 一般公共预算 / 2. 政府性基金预算 / 3. 国有资本经营预算 (not …资金)."""
    summary = "".join("".join(tables_of(doc.lines, "其他相关情况说明")["sh_summary"]).split())
    for label in ("1.一般公共预算", "2.政府性基金预算", "3.国有资本经营预算"):
        assert label in summary, label
    assert "一般公共预算资金" not in summary
