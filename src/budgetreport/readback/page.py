"""Read back stage 0: what a PDF page draws — characters with their boxes, and rules.

pypdfium2 (pdfplumber's rendering dependency) hands out the page's text characters and path
objects directly, an order of magnitude faster than parsing the page with pdfminer. All
coordinates are points from the page's top-left corner (y grows downwards), as a reader sees
the page.

A *rule* is a line a reader sees: a stroked segment, or a thin filled rectangle (WPS and
Excel draw cell borders both ways), in a colour that shows on white paper. Large filled
rectangles are cell backgrounds, not borders: WPS paints them behind whole blocks of cells,
sometimes above the table's title, so they never define a table's rows or columns.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

THIN = 2.5  # points: a filled rectangle thinner than this is a line
INK = 235  # a colour with every channel above this does not show on white paper


@dataclass(frozen=True)
class Char:
    x0: float
    x1: float
    top: float
    bottom: float
    text: str
    size: float

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class Rule:
    """A horizontal (at y, from a to b along x) or vertical (at x, from a to b along y) line."""

    at: float
    a: float
    b: float


class Word:
    """Characters printed together; its box is computed once."""

    __slots__ = ("bottom", "chars", "size", "text", "top", "x0", "x1")

    def __init__(self, chars: list[Char]) -> None:
        self.chars = chars
        self.x0 = chars[0].x0
        self.x1 = max(c.x1 for c in chars)
        self.top = min(c.top for c in chars)
        self.bottom = max(c.bottom for c in chars)
        self.size = max(c.size for c in chars)
        self.text = "".join(c.text for c in chars)

    @property
    def cy(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass
class Line:
    words: list[Word]

    @property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @property
    def size(self) -> float:
        return max(w.size for w in self.words)

    @property
    def text(self) -> str:
        return "  ".join(w.text for w in self.words)


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    text: str  # the page's text in reading order
    chars: list[Char] = field(default_factory=list)
    horizontal: list[Rule] = field(default_factory=list)
    vertical: list[Rule] = field(default_factory=list)
    images: int = 0
    unmapped: int = 0  # characters whose font has no Unicode map

    @property
    def unreadable(self) -> str | None:
        """Why the page's text cannot be read, or None."""
        if self.unmapped and self.unmapped >= max(5, len(self.chars) // 5):
            return "font"
        if not self.chars and self.images:
            return "scan"
        return None


def read_page(page: Any, number: int) -> Page:
    """One pypdfium2 page as characters and rules."""
    import pypdfium2.raw as pdfium

    width, height = page.get_size()
    textpage = page.get_textpage()
    count = pdfium.FPDFText_CountChars(textpage.raw)
    units = (ctypes.c_ushort * (count + 1))()  # one UTF-16 unit per character index
    pdfium.FPDFText_GetText(textpage.raw, 0, count, units)
    codes = list(units)[:count]
    text = bytes(units)[: 2 * count].decode("utf-16-le", errors="replace").replace("\r\n", "\n")
    out = Page(number, width, height, text)
    view = View(page.get_rotation() % 360, width, height)
    _chars(pdfium, textpage.raw, codes, view, out)
    _objects(pdfium, page, view, out)
    textpage.close()
    return out


@dataclass(frozen=True)
class View:
    """PDF user space (y up, the page unrotated) → the page as displayed (y down, /Rotate
    applied: a landscape table on a page turned by 90° reads left to right)."""

    rotation: int
    width: float  # as displayed
    height: float

    def point(self, x: float, y: float) -> tuple[float, float]:
        if self.rotation == 90:
            return y, x
        if self.rotation == 180:
            return self.width - x, y
        if self.rotation == 270:
            return self.width - y, self.height - x
        return x, self.height - y

    def box(self, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
        """x0, top, x1, bottom as displayed."""
        ax, ay = self.point(left, bottom)
        bx, by = self.point(right, top)
        return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def _chars(pdfium: Any, raw: Any, codes: list[int], view: View, out: Page) -> None:
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = [ctypes.byref(v) for v in (left, right, bottom, top)]
    # the loose box's height is the font's size as printed (GetFontSize ignores the text matrix)
    loose = pdfium.FS_RECTF()
    box, size = pdfium.FPDFText_GetCharBox, pdfium.FPDFText_GetLooseCharBox
    chars = out.chars
    upright, height = view.rotation == 0, view.height
    for i, u in enumerate(codes):  # generated characters are spaces and line ends: skipped here
        if u in (0, 0xFFFD, 0xFFFE, 0xFFFF) or 0xE000 <= u <= 0xF8FF:  # no Unicode for the glyph
            out.unmapped += 1
            continue
        if u <= 32 or u in (0x3000, 0xA0):
            continue
        box(raw, i, *refs)
        size(raw, i, loose)
        if upright:
            chars.append(Char(left.value, right.value, height - top.value, height - bottom.value, chr(u),
                              loose.top - loose.bottom))
            continue
        x0, y0, x1, y1 = view.box(left.value, bottom.value, right.value, top.value)
        lx0, ly0, lx1, ly1 = view.box(loose.left, loose.bottom, loose.right, loose.top)
        chars.append(Char(x0, x1, y0, y1, chr(u), max(ly1 - ly0, lx1 - lx0)))


def _visible(pdfium: Any, raw: Any, getter: Any) -> bool:
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not getter(raw, *(ctypes.byref(v) for v in (r, g, b, a))):
        return True
    return a.value > 0 and min(r.value, g.value, b.value) <= INK


def _objects(pdfium: Any, page: Any, view: View, out: Page) -> None:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    box = [ctypes.byref(v) for v in (left, bottom, right, top)]
    count, get = pdfium.FPDFPage_CountObjects, pdfium.FPDFPage_GetObject
    objects = [(get(page.raw, i), 0) for i in range(count(page.raw))]
    while objects:  # objects inside a form object (one level down) are read too
        raw, level = objects.pop()
        kind = pdfium.FPDFPageObj_GetType(raw)
        if kind == pdfium.FPDF_PAGEOBJ_IMAGE:
            out.images += 1
            continue
        if kind == pdfium.FPDF_PAGEOBJ_FORM and level == 0:
            objects += [(pdfium.FPDFFormObj_GetObject(raw, i), 1) for i in range(pdfium.FPDFFormObj_CountObjects(raw))]
            continue
        if kind != pdfium.FPDF_PAGEOBJ_PATH:
            continue
        pdfium.FPDFPath_GetDrawMode(raw, ctypes.byref(fill), ctypes.byref(stroke))
        filled = bool(fill.value) and _visible(pdfium, raw, pdfium.FPDFPageObj_GetFillColor)
        stroked = bool(stroke.value) and _visible(pdfium, raw, pdfium.FPDFPageObj_GetStrokeColor)
        if not filled and not stroked:
            continue
        segments = pdfium.FPDFPath_CountSegments(raw)
        if segments <= 5 and level == 0:  # one line or one rectangle: its bounds say it all
            if not pdfium.FPDFPageObj_GetBounds(raw, *box):
                continue
            _shape(out, *view.box(left.value, bottom.value, right.value, top.value), stroked, segments)
        else:
            _segments(pdfium, raw, view, out, stroked)


def _shape(out: Page, x0: float, y0: float, x1: float, y1: float, stroked: bool, segments: int) -> None:
    w, h = x1 - x0, y1 - y0
    if h < THIN and w >= THIN:
        out.horizontal.append(Rule((y0 + y1) / 2, x0, x1))
    elif w < THIN and h >= THIN:
        out.vertical.append(Rule((x0 + x1) / 2, y0, y1))
    elif stroked and segments >= 4:  # a stroked rectangle: its four sides
        out.horizontal += [Rule(y0, x0, x1), Rule(y1, x0, x1)]
        out.vertical += [Rule(x0, y0, y1), Rule(x1, y0, y1)]


def _segments(pdfium: Any, raw: Any, view: View, out: Page, stroked: bool) -> None:
    """A path of many pieces: each sub-path is a line, a rectangle or something else."""
    matrix = pdfium.FS_MATRIX()
    if not pdfium.FPDFPageObj_GetMatrix(raw, ctypes.byref(matrix)):
        return
    m = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []

    def flush() -> None:
        if len(points) >= 2:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            if stroked and len(points) > 2:
                for (ax, ay), (bx, by) in zip(points, points[1:], strict=False):
                    _shape(out, min(ax, bx), min(ay, by), max(ax, bx), max(ay, by), True, 2)
            else:
                _shape(out, min(xs), min(ys), max(xs), max(ys), stroked, len(points))
        points.clear()

    for i in range(pdfium.FPDFPath_CountSegments(raw)):
        seg = pdfium.FPDFPath_GetPathSegment(raw, i)
        kind = pdfium.FPDFPathSegment_GetType(seg)
        pdfium.FPDFPathSegment_GetPoint(seg, ctypes.byref(x), ctypes.byref(y))
        px, py = view.point(m[0] * x.value + m[2] * y.value + m[4], m[1] * x.value + m[3] * y.value + m[5])
        if kind == pdfium.FPDF_SEGMENT_MOVETO:
            flush()
        elif kind != pdfium.FPDF_SEGMENT_LINETO:
            points.clear()  # a curve: no rule
            continue
        points.append((px, py))
        if pdfium.FPDFPathSegment_GetClose(seg) and points:
            points.append(points[0])
    flush()


# --- characters into words and lines --------------------------------------------------------


def words_of(chars: list[Char], gap: float = 0.9, cut: Callable[[Char, Char], bool] | None = None) -> list[Word]:
    """Characters into words: a word ends at a gap wider than `gap` × the font size, where
    the text moves to another line, or where `cut` says (a column's rule between them)."""
    runs: list[list[Char]] = []
    for c in chars:
        if runs:
            last = runs[-1][-1]
            if (abs(c.cy - last.cy) < 0.5 * max(c.size, 1) and -0.5 * c.size < c.x0 - last.x1 < gap * c.size
                    and not (cut and cut(last, c))):
                runs[-1].append(c)
                continue
        runs.append([c])
    return [Word(run) for run in runs]


def lines_of(words: list[Word]) -> list[Line]:
    """Words into lines, top to bottom, each line's words left to right."""
    lines: list[Line] = []
    for w in sorted(words, key=lambda w: (w.top + w.bottom) / 2):
        if lines and _same_line(lines[-1], w) and not any(o.x0 < w.x1 and w.x0 < o.x1 for o in lines[-1].words):
            lines[-1].words.append(w)
        else:
            lines.append(Line([w]))
    for line in lines:
        line.words.sort(key=lambda w: w.x0)
    return lines


def _same_line(line: Line, w: Word) -> bool:
    """The word overlaps the line's words by most of the smaller height."""
    top, bottom = line.words[-1].top, line.words[-1].bottom
    overlap = min(bottom, w.bottom) - max(top, w.top)
    return overlap >= 0.5 * min(bottom - top, w.bottom - w.top, max(w.size, 1))
