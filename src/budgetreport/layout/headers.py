"""Which header cells label each cell of a 附表: HTML `id` on header cells and `headers` on the
others, so a screen reader announces an amount with its whole column path (合计 › 基本支出 ›
人员经费) and its row's name — in the web version, and in the tagged PDF, whose structure tree
is made from the same attributes (`publish/tagging.py`).

A grid table (header rows above the body): a cell's column headers are every header cell
over its columns, top down; its row header is the row's name cell — the nearest non-empty
text cell to its left (to its right for a code, which comes before the name). A row of two
halves (收支总表) so names each half by its own label. A name cell that labels its row is a
header cell (`<th scope="row">`).

A table labelled in its body (绩效目标表, no header rows): a row of label and value (项目名称
| …) has its label as row header; a heading row (一级指标 | 二级指标 | …) is a row of column
headers for the grid rows below it (one cell per column, no merge across columns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .tables import Cell, Table

Position = tuple[int, int]  # (row, column) in the body; header cells: (−1 − header row, column)


@dataclass(frozen=True)
class Labels:
    """The `id` of each header cell and the `headers` of each labelled cell of one table."""

    ids: dict[Position, str] = field(default_factory=dict)
    headers: dict[Position, str] = field(default_factory=dict)
    row_headers: frozenset[Position] = frozenset()  # body cells that name their row

    def id(self, row: int, col: int) -> str:
        return self.ids.get((row, col), "")

    def head(self, row: int, col: int) -> str:
        """The header row `row`'s cell at `col`: its id."""
        return self.ids.get((-1 - row, col), "")

    def of(self, row: int, col: int) -> str:
        return self.headers.get((row, col), "")

    def names_row(self, row: int, col: int) -> bool:
        return (row, col) in self.row_headers


def _named(cell: Cell | None) -> bool:
    return cell is not None and cell.kind == "text" and cell.value not in (None, "")


def labels(t: Table) -> Labels:
    prefix = f"h-{t.key}"
    ids: dict[Position, str] = {}
    headers: dict[Position, str] = {}
    names: set[Position] = set()
    for h in t.header:
        ids[(-1 - h.row, h.col)] = f"{prefix}-{h.row}-{h.col}"

    def over(col: int, span: int) -> list[str]:
        """The header cells over columns col … col+span−1, top down."""
        found = [h for h in t.header if h.col < col + span and col < h.col + h.colspan]
        return [ids[(-1 - h.row, h.col)] for h in sorted(found, key=lambda h: (h.row, h.col))]

    heading: dict[int, str] = {}  # column → id of the latest heading row's cell over it
    for r, row in enumerate(t.rows):
        cells = list(row.cells)
        if row.heading:
            heading = {}
            for c, cell in enumerate(cells):
                if cell is not None:
                    ids[(r, c)] = heading[c] = f"{prefix}-r{r}-{c}"
            continue
        if not t.header:  # labelled in the body
            merged = any(cell is not None and cell.colspan > 1 for cell in cells)
            if merged and _named(cells[0]):  # label | value
                names.add((r, 0))
                ids[(r, 0)] = f"{prefix}-r{r}-0"
                for c, cell in enumerate(cells[1:], 1):
                    if cell is not None:
                        headers[(r, c)] = ids[(r, 0)]
            elif not merged and heading:
                for c, cell in enumerate(cells):
                    if cell is not None and c in heading:
                        headers[(r, c)] = heading[c]
            else:
                heading = {}
            continue
        row_of: dict[int, int] = {}  # cell column → the column of its row's name cell
        for c, cell in enumerate(cells):
            if cell is None or cell.kind == "text":
                continue
            left = [i for i in range(c - 1, -1, -1) if _named(cells[i])]
            right = [i for i in range(c + 1, len(cells)) if _named(cells[i])]
            found = left[:1] or (right[:1] if cell.kind == "code" else [])
            if found:
                row_of[c] = found[0]
                names.add((r, found[0]))
        for c in set(row_of.values()):
            ids[(r, c)] = f"{prefix}-r{r}-{c}"
        for c, cell in enumerate(cells):
            if cell is None:
                continue
            path = over(c, cell.colspan)
            if c in row_of:
                path.append(ids[(r, row_of[c])])
            if path:
                headers[(r, c)] = " ".join(path)
    return Labels(ids, headers, frozenset(names))
