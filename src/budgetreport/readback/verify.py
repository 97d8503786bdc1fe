"""Read back stage 2: does a published PDF say what its data says?

The data is built as far as the HTML (`build.prepare`) and compared with what the PDF shows:
every 附表 cell by position (tables matched by title), and every sentence of the text that
states a figure. (Without the data, `alone` checks the document against itself.)

Every problem names the PDF and the page: `文件.pdf:第24页: …`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from difflib import SequenceMatcher
from html.parser import HTMLParser
from typing import Any

from ..common.problems import Problem, Severity
from ..importer.sheets import UNIT
from ..layout.tables import Table
from .pdf import Document, PdfSheet
from .texts import PAGE_NUMBER as PAGE_NUMBER_LINE

SENTENCE_END = re.compile(r"(?<=[。；！？])")
DIGITS = re.compile(r"\d")
FIGURE = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")
PAGE_NUMBER = re.compile(r"—\d{1,4}—")  # a page number, not "023—89016090—" (a phone before one)


@dataclass(frozen=True)
class Finding:
    page: int
    code: str
    message: str
    severity: Severity = Severity.error

    def problem(self, pdf: str) -> Problem:
        where = f"{pdf}:第{self.page}页" if self.page else pdf
        return Problem(where, 0, 0, self.code, self.message, self.severity)


HALF_WIDTH = {ord("("): "（", ord(")"): "）", ord(";"): "；", ord(":"): "："}
HALF_COMMA = re.compile(r"(?<!\d),|,(?!\d)")  # a text comma, not a thousands separator


def squeeze(text: str) -> str:
    """Text as compared: no white space, no page numbers ("— 17 —") between lines; half-width
    punctuation as its full-width form (a publication typeset with "(一)" and "," reads as the
    data's "（一）" and "，")."""
    return HALF_COMMA.sub("，", PAGE_NUMBER.sub("", "".join(text.split())).translate(HALF_WIDTH))


# --- against the data ------------------------------------------------------------------


def against_data(doc: Document, tables: list[Table], html: str, cell_text: Any) -> list[Finding]:
    """Every 附表 cell and every figure sentence of the text, compared with the data's."""
    found = _by_title(doc.tables)
    out: list[Finding] = []
    for t in tables:
        sheet = found.pop(squeeze(t.title), None)
        if sheet is None:
            out.append(Finding(0, "E610", f"缺少附表“{t.title}”（数据有此表，PDF 中找不到这个表题）"))
            continue
        out += _compare_table(t, sheet, cell_text)
    for sheet in found.values():
        out.append(Finding(sheet.first_page, "E611", f"多出附表“{sheet.name}”（数据中没有此表）"))
    out += _compare_text(doc, paragraphs(html))
    return out


def _by_title(sheets: Iterable[PdfSheet]) -> dict[str, PdfSheet]:
    return {squeeze(s.name): s for s in sheets}


def expected_grid(t: Table, cell_text: Any) -> list[list[str | None]]:
    """The table as the PDF prints it: header rows, then body rows (None where a merge covers)."""
    width = len(t.columns)
    grid: list[list[str | None]] = [[None] * width for _ in range(t.header_rows)]
    for h in t.header:
        grid[h.row][h.col] = h.text
    for row in t.rows:
        grid.append([None if c is None else "" if c.value is None
                     else cell_text(c.value, t.display) if c.kind == "money" else str(c.value)
                     for c in row.cells])
    if not t.rows:  # one cell across the table: the note, or nothing when it is printed below
        grid.append(["" if t.note_below else t.empty_note or ""] + [None] * (width - 1))
    return grid


def _compare_table(t: Table, sheet: PdfSheet, cell_text: Any) -> list[Finding]:
    """The table's values against the PDF's: rows paired by their label (code and name), not
    by position, so a padding row or a missing row is one finding, not a cascade; cells equal
    in value are equal whatever their typography (separators, blank/0/0.00/"-")."""
    grid = expected_grid(t, cell_text)
    want = [r for r in grid[t.header_rows:] if not _padding(r)]
    got_all = sheet.grid()
    headers = {_row_key(r) for r in grid[:t.header_rows]}
    head = _header_rows(got_all, headers, t.header_rows)
    # a continued page repeats the header (with its "** 1 2 3" row): not rows of the table
    got = [(i, r) for i, r in enumerate(got_all) if i >= head and not _padding(r) and _row_key(r) not in headers]
    scale = _scale(t.unit, sheet)
    leaves = {h.col: h.text for h in t.header if h.row + h.rowspan == t.header_rows}
    out: list[Finding] = []

    def page(i: int) -> int:
        return sheet.pages.get(i + 3, sheet.first_page)

    wkeys = [_row_key(r) for r in want]
    gkeys = [_row_key(r) for _, r in got]
    matcher = SequenceMatcher(None, wkeys, gkeys, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal" or op == "replace" and a1 - a0 == b1 - b0:
            for k, (w, (i, g)) in enumerate(zip(want[a0:a1], got[b0:b1], strict=True)):
                label = _label(w) or _label(g)
                for c, a in enumerate(w):
                    b = g[c] if c < len(g) else ""
                    if a is not None and not same_value(a, b, scale) and not _within_span(a, w, g, c) \
                            and not _down_span(a, c, want[a0 + k:], [x for _, x in got[b0 + k:]],
                                               [page(x) for x, _ in got[b0 + k:]]):
                        column = squeeze(leaves.get(c, "") or "") or f"第{c + 1}列"
                        out.append(Finding(page(i), "E612", (
                            f"附表“{t.title}”“{label}”行“{column}”列：PDF 为“{b or '（空）'}”，"
                            f"数据为“{a or '（空）'}”")))
            continue
        for w in want[a0:a1]:
            out.append(Finding(page(got[b0][0]) if b0 < len(got) else sheet.first_page, "E613",
                               f"附表“{t.title}”缺少“{_label(w)}”一行（数据中有：{_figures(w)}）"))
        for i, g in got[b0:b1]:
            out.append(Finding(page(i), "E613",
                               f"附表“{t.title}”多出“{_label(g)}”一行（数据中没有：{_figures(g)}）"))
    return out


NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
ZERO_MARKS = {"", "-", "—", "－", "–", "——", "/"}
NOTHING = {"无", "无数据", "本表无数据"}


def amount(text: str | None) -> Decimal | None:
    """A cell's amount (separators ignored), or None for text; zero for blank and dashes."""
    s = squeeze(text or "").replace(",", "").replace("，", "")
    if s in ZERO_MARKS:
        return Decimal(0)
    return Decimal(s) if NUMBER.fullmatch(s) else None


def same_value(a: str | None, b: str | None, scale: Decimal = Decimal(1)) -> bool:
    """Two cells say the same: equal texts, or equal amounts at the less precise one's
    decimals (`scale`: the data's unit in the PDF's, 10000 for 万元 printed in 元)."""
    if squeeze(a or "") == squeeze(b or ""):
        return True
    x, y = amount(a), amount(b)
    if x is None or y is None:
        return False
    step = Decimal(10) ** -min(_places(a) - scale.adjusted(), _places(b))
    return (x * scale / step).quantize(Decimal(1), ROUND_HALF_UP) == (y / step).quantize(Decimal(1), ROUND_HALF_UP)


def _places(text: str | None) -> int:
    s = squeeze(text or "").replace(",", "")
    return len(s.partition(".")[2]) if NUMBER.fullmatch(s) else 6


def _scale(unit: str, sheet: PdfSheet) -> Decimal:
    printed = UNIT.search(str(sheet.values.get((2, 1), "")))
    if printed is None or printed.group(1) == unit:
        return Decimal(1)
    return Decimal(10000) if unit == "万元" else Decimal("0.0001")


def _down_span(a: str, c: int, want: list[list[str | None]], got: list[list[str | None]],
               pages: list[int]) -> bool:
    """A cell merged down several rows (None below it in `want`), as a PDF prints it: its text
    on any one row of the span (centred in it), or cut where the span crosses a page (the
    first page shows the beginning, the next repeats the cell)."""
    span = 1
    while span < min(len(want), len(got)) and c < len(want[span]) and want[span][c] is None:
        span += 1
    if span == 1:
        return False
    cells = [squeeze(r[c] or "") if c < len(r) else "" for r in got[:span]]
    text = squeeze(a)
    if text in cells:
        return True
    first = cells[0]
    return bool(first) and len(set(pages[:span])) > 1 and text.startswith(first)


def _within_span(a: str, want: list[str | None], got: list[str | None], c: int) -> bool:
    """A label merged across columns (None after it in `want`) read from the PDF in any one
    of them, the others blank: a 合计 spanning 类/款/项/名称 printed under 功能科目."""
    span = 1
    while c + span < len(want) and want[c + span] is None:
        span += 1
    if span == 1:
        return False
    cells = [squeeze(x or "") for x in got[c:c + span]]
    return squeeze(a) in cells and all(x in ("", squeeze(a)) for x in cells)


def _padding(row: list[str | None]) -> bool:
    """A row that prints nothing: blank cells, dashes, zeros, or "无" alone — or the row
    numbering the columns ("** ** 1 2 3", "栏次 1 2 3") a header carries."""
    texts = [squeeze(x) for x in row if x and squeeze(x)]
    if "**" in texts and all(t == "**" or t.isdigit() for t in texts):
        return True
    if texts[:1] in (["栏次"], ["行次"]) and len(texts) > 1 and all(t.isdigit() for t in texts[1:]):
        return True  # "栏次 1 2 3"
    return all(amount(x) == 0 for x in texts) or len(texts) == 1 and texts[0] in NOTHING


def _header_rows(grid: list[list[str | None]], headers: set[str], most: int) -> int:
    """The PDF table's header rows: those that are the data's header rows, or else those
    before the first row that prints an amount or a code (at most the data's number)."""
    same = next((i for i, row in enumerate(grid) if _row_key(row) not in headers), len(grid))
    if same:
        return same
    for i, row in enumerate(grid[:most]):
        if any(x and (amount(x) is not None and amount(x) != 0 or CODE.fullmatch(squeeze(x))) for x in row):
            return i
    return most


CODE = re.compile(r"\d{3,7}")
PART = re.compile(r"\d{2}")


def _row_key(row: list[str | None]) -> str:
    """A row as paired: its codes and its name (the cells before its first amount)."""
    words: list[str] = []
    named = False
    for x in row:
        s = squeeze(x or "")
        if not s:
            continue
        if amount(s) is None:
            words.append(s)
            named = True
        elif not named and (CODE.fullmatch(s) or words and PART.fullmatch(s)):
            words.append(s)  # a code, or its 款/项 part in a column of its own (201 | 40 | 01)
        else:
            break
    return "".join(words)


def _label(row: list[str | None]) -> str:
    return _row_key(row) or next((squeeze(x) for x in row if x), "")


def _figures(row: list[str | None]) -> str:
    return " ".join(squeeze(x) for x in row if x and amount(x) is not None and not CODE.fullmatch(squeeze(x))) \
        or "无数字"


class _Paragraphs(HTMLParser):
    """The text of every paragraph and heading outside the 附表 and the contents."""

    BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "li", "div"}

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.buf: list[str] = []
        self.skip = 0  # inside a table, the contents, a style or a script

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = dict(attrs).get("class") or ""
        if tag in ("table", "style", "script", "head") or "toc" in classes.split():
            self.skip += 1
        elif tag in self.BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "style", "script", "head") or (tag == "nav" and self.skip):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.buf.append(data)

    def _flush(self) -> None:
        text = squeeze("".join(self.buf))
        self.buf = []
        if text:
            self.out.append(text)


def paragraphs(html: str) -> list[str]:
    p = _Paragraphs()
    p.feed(html)
    p.close()
    return p.out


def _compare_text(doc: Document, expected: list[str]) -> list[Finding]:
    """Each sentence that states a figure must stand in the PDF: as the data words it, or
    worded otherwise with the same figures (the PDF's sentence most like it in its words
    states them all). Else that sentence is named, with the figures that differ."""
    text, starts = joined(doc)
    sentences = _sentences(text)
    out: list[Finding] = []
    for para in expected:
        if not DIGITS.search(para) or para in text:
            continue
        for sentence in filter(None, CLAUSE_END.split(para)):
            if not DIGITS.search(sentence) or sentence in text:
                continue
            want = figures(sentence)
            words = FIGURE.sub("#", sentence)
            limit = 3 * len(sentence) + 40  # a table page is no sentence
            near = max(((_alike(words, w), at, p, got) for at, p, w, got in sentences if len(p) <= limit),
                       default=None)
            if near is None or near[0] < 0.5:
                out.append(Finding(0, "E614", f"文中“{short(sentence)}”在 PDF 中找不到（数据计算的这句话的数字："
                                              f"{'、'.join(FIGURE.findall(sentence))}）"))
                continue
            _, at, printed, got = near
            if not (want - got):
                continue  # worded otherwise, every figure stated
            wrong = [f for f in FIGURE.findall(printed) if _figure(f) in got - want]
            right = [f for f in FIGURE.findall(sentence) if _figure(f) in want - got]
            what = (f"PDF 为 {'、'.join(wrong)}，应为 {'、'.join(right)}" if wrong
                    else f"PDF 没有 {'、'.join(right)}")
            out.append(Finding(doc.page_of(at, starts), "E614", f"文中“{short(printed)}”与数据计算的不符：{what}"))
    return out


CLAUSE_END = re.compile(r"(?<=[。；！？：:])")


def _alike(a: str, b: str) -> float:
    """How much of `a`'s words `b` has (figures masked)."""
    m = SequenceMatcher(None, a, b, autojunk=False)
    return sum(block.size for block in m.get_matching_blocks()) / max(len(a), 1)


def _figure(text: str) -> str:
    """A figure as compared: without separators, trailing zeros or the sign of a percent."""
    number = text.rstrip("%").replace(",", "")
    try:
        value = Decimal(number).normalize()
    except ArithmeticError:
        return text
    return f"{value:f}" + ("%" if text.endswith("%") else "")


def figures(sentence: str) -> Counter[str]:
    """The figures a sentence states, each as often as it states it."""
    return Counter(_figure(f) for f in FIGURE.findall(sentence))


def _sentences(text: str) -> list[tuple[int, str, str, Counter[str]]]:
    """The PDF's clauses that state a figure: offset, text, words (figures masked), figures."""
    out, at = [], 0
    for part in CLAUSE_END.split(text):
        if DIGITS.search(part):
            out.append((at, part, FIGURE.sub("#", part), figures(part)))
        at += len(part)
    return out


EDGE = 2  # lines at each end of a page where running headers and footers stand


def joined(doc: Document) -> tuple[str, list[int]]:
    """The pages' text as one, without the running header and footer lines (a short line
    at the top or the bottom of three pages or more, a page number): a sentence a page break
    cuts reads whole. A short line repeated inside pages ("其中：") is text."""
    pages = [[line for line in text.splitlines() if line.strip()] for text in doc.pages]
    edges = [{*lines[:EDGE], *lines[-EDGE:]} for lines in pages]
    seen = Counter(line.strip() for lines in edges for line in lines)
    running = {line for line, n in seen.items() if n >= 3 and len(squeeze(line)) <= 40}
    parts, starts, at = [], [], 0
    for lines, edge in zip(pages, edges, strict=True):
        starts.append(at)
        s = squeeze("\n".join(line for line in lines if not (line in edge and line.strip() in running)
                              and not PAGE_NUMBER_LINE.match(line.strip())))
        parts.append(s)
        at += len(s)
    return "".join(parts), starts


def short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
