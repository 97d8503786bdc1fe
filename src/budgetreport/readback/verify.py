"""Read back stage 2: does a published PDF say what its data says?

The data is built as far as the HTML (`build.prepare`) and compared with what the PDF shows:
every 附表 cell by position (tables matched by title), and every sentence of the text that
states a figure. (Without the data, `alone` checks the document against itself.)

Every problem names the PDF and the page: `文件.pdf:第24页: …`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from ..common.problems import Problem, Severity
from ..layout.tables import Table
from .pdf import Document, PdfSheet

SENTENCE_END = re.compile(r"(?<=[。；！？])")
DIGITS = re.compile(r"\d")
FIGURE = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?")
PAGE_NUMBER = re.compile(r"—\d+—")


@dataclass(frozen=True)
class Finding:
    page: int
    code: str
    message: str
    severity: Severity = Severity.error

    def problem(self, pdf: str) -> Problem:
        where = f"{pdf}:第{self.page}页" if self.page else pdf
        return Problem(where, 0, 0, self.code, self.message, self.severity)


def squeeze(text: str) -> str:
    """Text as compared: no white space, no page numbers ("— 17 —") between lines."""
    return PAGE_NUMBER.sub("", "".join(text.split()))


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
    want = expected_grid(t, cell_text)
    got = sheet.grid()
    leaves = {h.col: h.text for h in t.header if h.row + h.rowspan == t.header_rows}
    out: list[Finding] = []
    for i, (w, g) in enumerate(zip(want, got, strict=False)):
        label = next((squeeze(x) for x in w if x and not DIGITS.fullmatch(x or "")), "")
        for c, (a, b) in enumerate(zip(w, g + [None] * (len(w) - len(g)), strict=False)):
            if squeeze(a or "") != squeeze(b or ""):
                column = leaves.get(c, f"第{c + 1}列")
                out.append(Finding(sheet.pages.get(i + 3, sheet.first_page), "E612", (
                    f"附表“{t.title}”第{i + 1}行（{label}）“{column}”：PDF 为“{b or ''}”，"
                    f"数据为“{a or ''}”")))
    if len(got) != len(want):
        more = "多" if len(got) > len(want) else "少"
        out.append(Finding(sheet.first_page, "E613", (
            f"附表“{t.title}”在 PDF 中有 {len(got)} 行，数据为 {len(want)} 行（{more}了"
            f" {abs(len(got) - len(want))} 行）")))
    return out


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
    """Each sentence that states a figure must stand in the PDF as the data words it."""
    text, starts = joined(doc)
    out: list[Finding] = []
    for para in expected:
        if not DIGITS.search(para) or para in text:
            continue
        for sentence in filter(None, SENTENCE_END.split(para)):
            if not DIGITS.search(sentence) or sentence in text:
                continue
            at, printed = _nearest(text, sentence)
            page = doc.page_of(at, starts) if at >= 0 else 0
            want = FIGURE.findall(sentence)
            got = FIGURE.findall(printed) if printed else []
            diff = [(g, w) for g, w in zip(got, want, strict=False) if g != w]
            what = "、".join(f"PDF 为 {g}，应为 {w}" for g, w in diff) if diff and len(got) == len(want) \
                else f"PDF：“{printed}”" if printed else "PDF 中找不到这句话"
            out.append(Finding(page, "E614", f"文中“{short(sentence)}”与数据计算的不符：{what}"))
    return out


def joined(doc: Document) -> tuple[str, list[int]]:
    parts, starts, at = [], [], 0
    for text in doc.pages:
        starts.append(at)
        s = squeeze(text)
        parts.append(s)
        at += len(s)
    return "".join(parts), starts


def _nearest(joined: str, sentence: str) -> tuple[int, str]:
    """Where the PDF prints the sentence with other figures: the longest text before its
    first figure that the PDF contains, and the PDF's sentence from there."""
    first = DIGITS.search(sentence)
    assert first is not None
    lead = sentence[: first.start()]
    while len(lead) >= 4:
        at = joined.find(lead)
        if at >= 0:
            end = at + len(sentence) + 8
            stop = re.search(r"[。；]", joined[at + len(lead):end])
            return at, joined[at: at + len(lead) + (stop.end() if stop else len(sentence) - len(lead))]
        lead = lead[len(lead) // 4 + 1:] if len(lead) > 12 else lead[1:]
    tail = sentence[first.start():]
    at = joined.find(tail[:12]) if len(tail) >= 12 else -1
    return at, ""


def short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
