"""Read back: the texts of a published disclosure that a data file holds — 主要职责, 机构
设置 (units, their kinds, internal divisions) — found by their headings, for `import X.pdf -o`
to place in the new file, marked for review.

The page texts are cut into lines without page numbers and running headers; a section runs
from its heading (a short line without a full stop: "一、部门主要职能", "上海市财政局（单位）
机构设置") to the next heading, and is taken from the heading with the most text under it (a
contents page names the same headings with nothing under them). Lines are joined into
paragraphs: a paragraph ends with "。" or "：" on a line shorter than the section's full
lines, before an item marker ("（一）", "一、", "1."), or before a line of its own ending "：".
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from .pdf import Document

Line = tuple[int, str]  # page, text
PAGE_NUMBER = re.compile(r"^[-—–\s]*\d+[-—–\s]*$|^第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?$")
ITEM = re.compile(r"^(?:[（(][一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十]+、|\d+[.．、])")
DUTIES = ("主要职能", "主要职责", "部门职责", "单位职责", "职能职责")
TITLE_WORDS = (*DUTIES, "机构设置", "名词解释", "预算编制说明", "其他相关情况说明", "项目经费情况说明",
               "预算情况说明")  # 重庆: the one title "…2026年部门预算情况说明" may fill its line
# "X的主要职责是：" before the duties, or "X的主要职责是" run into the first of them (深圳)
LEAD = re.compile(r"^.{0,40}?(?:的)?主要职[责能](?:是|为|包括)[：:]|^.{1,40}?的主要职[责能]是(?=[^：:])")


@dataclass(frozen=True)
class Placed:
    """A text found in the PDF, for the data file: where it goes, what it is, its page."""

    path: tuple[str, ...]
    value: Any
    pdf: str
    page: int
    words: str  # what it is, for the review list ("主要职责 16 段")
    sheet: str = ""  # read from a workbook: the sheet (its `page` is then the sheet's number)

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”" if self.sheet else f"第{self.page}页"


def placed_texts(doc: Document, *, whole_lines: bool = False,
                 sheets: list[str] | None = None) -> list[Placed]:
    """The texts found in `doc`. `whole_lines`: each line is a paragraph already (a
    workbook's cells), not a printed line to join with the next; `sheets` names the
    workbook's sheet of each page."""
    found = _placed(doc, whole_lines)
    if sheets:
        found = [replace(p, sheet=sheets[p.page - 1]) for p in found]
    return found


def _placed(doc: Document, whole: bool) -> list[Placed]:
    lines = _lines(doc)
    out: list[Placed] = []
    duties = _section(lines, DUTIES, whole)
    if duties:
        page, paras = duties
        if paras and (m := LEAD.match(paras[0])) and paras[0][m.end():].strip():
            paras = [paras[0][m.end():], *paras[1:]]
        out.append(Placed(("overview", "duties"), paras, doc.name, page, f"主要职责 {len(paras)} 段"))
    units = _section(lines, ("机构设置",), whole)
    if units:
        out += _units(doc.name, *units)
    projects = _projects(lines, whole)
    if projects:
        page, found = projects
        out.append(Placed(("projects",), found, doc.name, page, f"项目经费情况说明 {len(found)} 个项目的文字"))
    if organisation(doc) == "单位":
        out.append(Placed(("department", "scope"), "单位预算", doc.name, 1, "预算类别：单位预算"))
    if m := LEVEL.search("".join("".join(p.split()) for p in doc.pages[:1])):
        out.append(Placed(("department", "level"), m.group(1), doc.name, 1, f"预算级次：{m.group(1)}"))
    return out


LEVEL = re.compile(r"\d{4}年度?(区级|市级|县级|省级)(?:部门|单位)")


def organisation(doc: Document) -> str:
    """单位 for a 单位预算 (its cover says so, or names the 预算单位), else 部门."""
    cover = "".join("".join(p.split()) for p in doc.pages[:1])
    return "单位" if re.search(r"单位预算|预算单位[：:]", cover) else "部门"


def _lines(doc: Document) -> list[Line]:
    """Every line of text, page numbers and lines repeated on three pages or more (running
    headers and footers) left out."""
    pages = [[ln.strip() for ln in text.splitlines() if ln.strip()] for text in doc.pages]
    seen = Counter(ln for page in pages for ln in set(page))
    return [(n, ln) for n, page in enumerate(pages, 1) for ln in page
            if not PAGE_NUMBER.match(ln) and seen[ln] < 3]


def _full(lines: list[Line], whole: bool = False) -> int:
    """The width of a full line of prose: the median of lines wrapped mid-sentence; for
    whole paragraphs (a workbook's cells), the widest."""
    if whole:
        return max((_width(t) for _, t in lines), default=60)
    wrapped = sorted(_width(t) for _, t in lines if len(t) > 20 and not t.endswith(("。", "：", "；", ":")))
    return wrapped[len(wrapped) // 2] if wrapped else 60


def _heading(lines: list[Line], i: int, full: int) -> bool:
    """A line short of the full width, without a stop or a comma, that starts a paragraph
    (the line before ended one, is a heading, or is on the page before)."""
    text = ITEM.sub("", lines[i][1], count=1)
    if _listed(lines, i):
        return False
    # a part's own title may fill a narrow page's line ("上海市普陀区…办事处主要职能")
    short = _width(lines[i][1]) < 0.85 * full or text.endswith(TITLE_WORDS)
    if len(text) > 30 or not short or re.search(r"[。；：:，,、]", text) \
            or "…" in text or re.search(r"\.{4,}|\s\d+$", text):
        return False
    return i == 0 or lines[i - 1][0] != lines[i][0] or lines[i - 1][1].endswith(("。", "：", ":", "；")) \
        or _heading(lines, i - 1, full)


def _listed(lines: list[Line], i: int) -> bool:
    """A numbered line of a list its paragraph announces ("具体包括：" then "1.财政局本部"),
    not a heading, however short: its list's "1." follows a line ending "：". """
    if not re.match(r"\d+[.．、]", lines[i][1]):
        return False
    for j in range(i, max(0, i - 30), -1):
        if re.match(r"1[.．、]", lines[j][1]):
            return lines[j - 1][1].endswith(("：", ":"))
    return False


def _section(lines: list[Line], words: tuple[str, ...], whole: bool = False) -> tuple[int, list[str]] | None:
    """The paragraphs under the heading naming one of `words` that has the most text."""
    best: tuple[int, list[str]] | None = None
    full = _full(lines, whole)
    for i, (_, text) in enumerate(lines):
        if not (any(w in text for w in words) and _heading(lines, i, full)):
            continue
        end = next((j for j in range(i + 1, len(lines)) if _heading(lines, j, full)), len(lines))
        body = lines[i + 1:end]
        paras = _paragraphs([t for _, t in body], whole)
        if paras and (best is None or sum(map(len, paras)) > sum(map(len, best[1]))):
            best = (body[0][0], paras)
    return best


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _paragraphs(lines: list[str], whole: bool = False) -> list[str]:
    """Printed lines joined into paragraphs; `whole`: each line is one already."""
    if whole:
        return list(lines)
    full = max((_width(t) for t in lines), default=0)
    out: list[str] = []
    for n, text in enumerate(lines):
        before = lines[n - 1] if n else ""
        starts = n == 0 or ITEM.match(text) or (before.endswith(("。", "：", ":")) and _width(before) < 0.9 * full) \
            or before.endswith("。") and text.endswith(("：", ":")) and _width(text) < 0.9 * full  # "…包括："
        if starts or not out:
            out.append(text)
        else:
            out[-1] += text
    return out


KINDS = re.compile(r"(行政单位|参公单位|事业单位|其他单位)\s*(\d+)\s*家")
SUBORDINATE = re.compile(r"下属\s*(\d+)\s*家")
DIVISIONS = re.compile(r"设\s*(\d+)\s*个内设机构[^：:]*[：:](.+?)。")
NUMBERED = re.compile(r"^\d+[.．、]\s*(.+?)。?$")
HEAD_OFFICE = re.compile(r"包括([^，。；、]{1,30}?本部)")


def _units(pdf: str, page: int, paras: list[str]) -> list[Placed]:
    """Shanghai's 机构设置: the units of a 部门预算 listed "1. …。", their count by kind and the
    number under the department; or a 单位预算's internal divisions ("设22个内设机构，包括：…")."""
    text = "".join(paras)
    out: list[Placed] = []
    # a numbered list the paragraph before announces ("……具体包括：" then "1. …"); numbered
    # paragraphs that are not such a list ("1.根据部门职责分工，……") name no units
    names = [re.split(r"[，,]", m.group(1))[0].strip() for i, p in enumerate(paras)
             if (m := NUMBERED.match(p)) and any(q.endswith(("：", ":")) for q in paras[:i])]
    # "包括X本部以及下属N家预算单位": the 本部 is a unit too, when the list leaves it out
    if names and (own := HEAD_OFFICE.search(text)) and not any("本部" in n for n in names):
        names.insert(0, own.group(1))
    if names:
        out.append(Placed(("overview", "units"), [{"name": n} for n in names], pdf, page, f"单位 {len(names)} 个"))
    kinds = {k: int(n) for k, n in KINDS.findall(text)}
    if kinds:
        out.append(Placed(("overview", "unit_kinds"), kinds, pdf, page, "单位类型与家数"))
    if m := SUBORDINATE.search(text):
        out.append(Placed(("overview", "subordinate_units"), int(m.group(1)), pdf, page, "下属单位数"))
    if m := DIVISIONS.search(text):
        divisions = [d for d in re.split(r"[、，]", m.group(2)) if d]
        out.append(Placed(("overview", "internal_divisions"), int(m.group(1)), pdf, page, "内设机构数"))
        out.append(Placed(("overview", "divisions"), divisions, pdf, page, f"内设机构 {len(divisions)} 个"))
    return out


# 项目经费情况说明 (Shanghai): each project's parts under their headings; name, amount and
# 实施主体's name are not stated apart, and are left empty for `check` to list.
PROJECT_PARTS = (("项目概述", "summary"), ("项目概况", "summary"), ("立项依据", "basis"),
                 ("实施主体", "implementation"), ("实施方案", "plan"), ("实施周期", "period"),
                 ("绩效目标", "goal"))


def _projects(lines: list[Line], whole: bool = False) -> tuple[int, list[dict[str, Any]]] | None:
    full = _full(lines, whole)
    starts = [i for i, (_, t) in enumerate(lines) if "项目经费情况说明" in t and _heading(lines, i, full)]
    if not starts:
        return None
    projects: list[dict[str, Any]] = []
    part = ""
    body: list[str] = []

    def close() -> None:
        if part and projects and body:
            paras = _paragraphs(body, whole)
            projects[-1][part] = "".join(paras) if part == "goal" else paras
        body.clear()

    for i in range(starts[-1] + 1, len(lines)):
        text = lines[i][1]
        if not (_heading(lines, i, full) and any(w in text for w, _ in (*PROJECT_PARTS, ("年度预算安排", "")))):
            body.append(text)
            continue
        close()
        found = next((key for word, key in PROJECT_PARTS if word in text), None)
        if found == "summary" or found and not projects:
            projects.append({"name": None, "amount": None, "implementer": None})
        part = found or ""  # another heading (年度预算安排: its amounts are the user's to enter)
    close()
    return (lines[starts[-1]][0], projects) if projects else None
