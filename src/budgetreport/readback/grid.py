"""Read back stage 0b: the tables on one page, as grids of cell texts with merges.

A *ruled* table is a set of rules that cross each other: its columns are the vertical rules,
its rows the horizontal ones, and two neighbouring cells with no rule between them are one
merged cell. A band between two rules that holds several lines of figures (a table ruled only
around its body) is split into one row per line. An *unruled* table (rules only between some
rows, or none) takes its columns from its text: the columns of the rows that hold figures are
where their words line up, and the header's words are placed in the columns they cover.

Each piece keeps its column edges in points, so the rows of a table that run onto the next
page are placed by position (a 合计 label merged across the code columns lands under them).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .page import Char, Line, Page, Rule, Word, lines_of, words_of

NEAR = 2.0  # points: rules this close are one
AMOUNT = re.compile(r"-?[\d,]*\d(?:\.\d+)?%?|-|—")

Merge = tuple[int, int, int, int]  # first row, first col, last row, last col (0-based, inclusive)


@dataclass
class Piece:
    """A table, or the part of one, on one page."""

    top: float
    bottom: float
    edges: list[float]  # column boundaries, left to right
    rows: list[list[str | None]]  # cell texts; None where a merge covers
    merges: list[Merge] = field(default_factory=list)
    ruled: bool = True

    @property
    def left(self) -> float:
        return self.edges[0]

    @property
    def right(self) -> float:
        return self.edges[-1]


def _cluster(values: list[float], near: float = NEAR) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= near:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def merged_rules(rules: list[Rule]) -> list[Rule]:
    """Rules at the same position whose spans touch become one."""
    out: list[Rule] = []
    for at in _cluster([r.at for r in rules]):
        spans = sorted((r.a, r.b) for r in rules if abs(r.at - at) <= NEAR)
        a, b = spans[0]
        for x, y in spans[1:]:
            if x <= b + NEAR:
                b = max(b, y)
            else:
                out.append(Rule(at, a, b))
                a, b = x, y
        out.append(Rule(at, a, b))
    return out


def _components(hs: list[Rule], vs: list[Rule]) -> list[tuple[list[Rule], list[Rule]]]:
    """Sets of rules that cross or touch each other."""
    parent = list(range(len(hs) + len(vs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, h in enumerate(hs):
        for j, v in enumerate(vs):
            if h.a - NEAR <= v.at <= h.b + NEAR and v.a - NEAR <= h.at <= v.b + NEAR:
                parent[find(i)] = find(len(hs) + j)
    groups: dict[int, tuple[list[Rule], list[Rule]]] = {}
    for i, h in enumerate(hs):
        groups.setdefault(find(i), ([], []))[0].append(h)
    for j, v in enumerate(vs):
        groups.setdefault(find(len(hs) + j), ([], []))[1].append(v)
    return sorted(groups.values(), key=lambda g: min([r.at for r in g[0]] + [r.a for r in g[1]]))


def _covers(rules: list[Rule], at: float, a: float, b: float) -> bool:
    """Some rule at `at` covers most of a..b."""
    need = 0.6 * (b - a)
    return any(abs(r.at - at) <= NEAR and min(r.b, b) - max(r.a, a) >= need for r in rules)


def ruled_pieces(page: Page) -> list[Piece]:
    hs, vs = merged_rules(page.horizontal), merged_rules(page.vertical)
    out = []
    for h, v in _components(hs, vs):
        ys, xs = _cluster([r.at for r in h]), _cluster([r.at for r in v])
        if len(xs) < 2 or len(ys) < 2:
            continue
        # a table open at its sides or ends: its outermost rules reach past the others
        if min(r.a for r in h) < xs[0] - 3 * NEAR:
            xs.insert(0, min(r.a for r in h))
        if max(r.b for r in h) > xs[-1] + 3 * NEAR:
            xs.append(max(r.b for r in h))
        if min(r.a for r in v) < ys[0] - 3 * NEAR:
            ys.insert(0, min(r.a for r in v))
        if max(r.b for r in v) > ys[-1] + 3 * NEAR:
            ys.append(max(r.b for r in v))
        # words, not characters, are placed in cells: a quotation mark printed high stays with
        # its word even where it pokes above a tight cell's rule
        near = [c for c in page.chars if xs[0] <= c.cx <= xs[-1] and ys[0] - 6 <= c.cy <= ys[-1] + 6]
        rules = sorted(v, key=lambda r: r.at)
        at = [r.at for r in rules]

        def cut(a: Char, b: Char, rules: list[Rule] = rules, at: list[float] = at) -> bool:
            return any(r.a - 1 <= a.cy <= r.b + 1
                       for r in rules[bisect.bisect_right(at, a.cx):bisect.bisect_left(at, b.cx)])

        words = [w for w in words_of(near, cut=cut) if ys[0] <= (w.top + w.bottom) / 2 <= ys[-1]]
        if not words:
            continue
        h = h + _line_breaks(words, xs, ys)
        ys = _cluster([r.at for r in h] + [ys[0], ys[-1]])
        out.append(_grid(words, xs, ys, h, v))
    return out


def _line_breaks(words: list[Word], xs: list[float], ys: list[float]) -> list[Rule]:
    """Rules that are not drawn: between the lines of a band that holds several lines of a
    table's rows (each line with figures, in two columns or more)."""
    out = []
    words = sorted(words, key=lambda w: w.cy)
    mids = [w.cy for w in words]
    for top, bottom in zip(ys, ys[1:], strict=False):
        lines = lines_of(words[bisect.bisect_left(mids, top):bisect.bisect_left(mids, bottom)])
        if len(lines) < 2:
            continue
        full = [ln for ln in lines if figure_line(ln) and len({_column(xs, w.x0, w.x1) for w in ln.words}) >= 2]
        if len(full) < 2:
            continue
        for a, b in zip(full, full[1:], strict=False):
            out.append(Rule((a.bottom + b.top) / 2, xs[0], xs[-1]))
    return out


def _column(xs: list[float], x0: float, x1: float) -> int:
    mid = (x0 + x1) / 2
    return sum(1 for x in xs[1:-1] if x <= mid)


def _grid(words: list[Word], xs: list[float], ys: list[float], h: list[Rule], v: list[Rule]) -> Piece:
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    at_x = [[r for r in v if abs(r.at - x) <= NEAR] for x in xs]
    at_y = [[r for r in h if abs(r.at - y) <= NEAR] for y in ys]
    for r in range(nr):
        for c in range(nc):
            if c + 1 < nc and not _covers(at_x[c + 1], xs[c + 1], ys[r], ys[r + 1]):
                parent[find(r * nc + c)] = find(r * nc + c + 1)
            if r + 1 < nr and not _covers(at_y[r + 1], ys[r + 1], xs[c], xs[c + 1]):
                parent[find(r * nc + c)] = find((r + 1) * nc + c)
    spans: dict[int, list[int]] = {}
    for i in range(nr * nc):
        r, c = divmod(i, nc)
        s = spans.setdefault(find(i), [r, c, r, c])
        s[0], s[1], s[2], s[3] = min(s[0], r), min(s[1], c), max(s[2], r), max(s[3], c)
    anchor = {}
    merges = []
    for root, (r0, c0, r1, c1) in spans.items():
        anchor[root] = (r0, c0)
        if (r0, c0) != (r1, c1):
            merges.append((r0, c0, r1, c1))
    texts: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        cy, cx = (w.top + w.bottom) / 2, (w.x0 + w.x1) / 2
        r = max(0, min(nr - 1, sum(1 for y in ys[1:-1] if y <= cy)))
        c = max(0, min(nc - 1, sum(1 for x in xs[1:-1] if x <= cx)))
        texts.setdefault(anchor[find(r * nc + c)], []).append(w)
    covered = {(r, c) for r0, c0, r1, c1 in merges for r in range(r0, r1 + 1)
               for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
    rows: list[list[str | None]] = [
        [None if (r, c) in covered else _text(texts.get((r, c), [])) for c in range(nc)] for r in range(nr)]
    return Piece(ys[0], ys[-1], xs, rows, merges)


def _text(words: list[Word]) -> str:
    return "".join(line.text.replace("  ", "") for line in lines_of(words))


# --- tables without rules ------------------------------------------------------------------


def figure_line(line: Line) -> bool:
    """A line of a table's body: two words or more, one of them a figure."""
    return len(line.words) >= 2 and any(AMOUNT.fullmatch(w.text) and any(ch.isdigit() for ch in w.text)
                                        for w in line.words[1:])


def unruled_piece(lines: list[Line]) -> Piece | None:
    """A table from its text lines (header first): columns where the words of the lines with
    figures line up; header words are placed in the columns they cover."""
    body = [i for i, ln in enumerate(lines) if figure_line(ln)]
    if not body:
        return None
    first = body[0]
    spans: list[list[float]] = []  # x0, x1, then the words' x0 and x1
    for w in sorted((w for i in body for w in lines[i].words), key=lambda w: w.x0):
        if spans and w.x0 <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], w.x1)
            spans[-1] += [w.x0, w.x1]
        else:
            spans.append([w.x0, w.x1, w.x0, w.x1])
    if len(spans) < 2:
        return None
    # a column of figures is aligned on the right: it reaches left to the column before it
    # (its header is centred or left-aligned above); a column of text begins where its text does
    edges = [spans[0][0] - 1]
    for a, b in zip(spans, spans[1:], strict=False):
        lefts, rights = b[2::2], b[3::2]
        edges.append(a[1] + 1 if max(rights) - min(rights) < max(lefts) - min(lefts) else b[0] - 1)
    edges.append(spans[-1][1] + 1)
    nc = len(spans)
    rows: list[list[str | None]] = []
    merges: list[Merge] = []
    for i, ln in enumerate(lines):
        row: list[str | None] = [""] * nc
        for w in ln.words:
            cols = [c for c, (a, b) in enumerate(zip(edges, edges[1:], strict=False))
                    if w.x0 < b - 1 and a + 1 < w.x1] or [_column(edges, w.x0, w.x1)]
            c0, c1 = min(cols), max(cols)
            if i < first and c1 > c0:
                merges.append((len(rows), c0, len(rows), c1))
                for c in range(c0 + 1, c1 + 1):
                    row[c] = None
            row[c0] = (row[c0] or "") + "".join(w.text.split())
        rows.append(row)
    return Piece(lines[0].top, lines[-1].bottom, edges, rows, merges, ruled=False)
