"""Import: the texts of a filled official workbook (`official_workbook` of the region).

The region's declarations say which sheets are the cover, the contents and the text parts
(for a 部门 and for a 单位 budget). Those sheets are not tables: `recognise` leaves them out
of its unknown sheets, and their texts are read as a published PDF's are (`readback.texts`),
each cell's line a paragraph, for `import -o` to place in the new file for review.
"""

from __future__ import annotations

from ..inputs.region import Region
from ..publish.shape import load_shape
from .workbook import Book

ORGS = (("部门", "预算主管部门"), ("单位", "预算单位"))


def official_sheets(region: Region, placeholders: dict[str, object]) -> dict[str, str]:
    """Sheet name → kind (cover, contents, text) of the region's official workbooks."""
    found: dict[str, str] = {}
    for org, head in ORGS:
        shape = load_shape(region, org, {**placeholders, "org": org, "org_head": head,
                                         "org_unit": "部门" if org == "部门" else "预算单位"})
        if shape is not None:
            found |= {s.name.strip(): s.kind for s in shape.sheets if s.kind != "table"}
    return found


def workbook_texts(book: Book, kinds: dict[str, str]) -> list:  # type: ignore[type-arg]
    """The texts of the cover and text sheets, found as `readback.texts` finds a PDF's."""
    from ..readback.pdf import Document
    from ..readback.texts import placed_texts

    sheets = [s for s in book.sheets if kinds.get(s.name.strip()) in ("cover", "text")]
    if not sheets:
        return []
    pages = []
    for sheet in sheets:
        lines = []
        for r in range(1, sheet.max_row + 1):
            for c in range(1, sheet.max_col + 1):
                value = sheet.raw(r, c)
                if isinstance(value, str):
                    lines += [ln.strip() for ln in value.splitlines() if ln.strip()]
        pages.append("\n".join(lines))
    return placed_texts(Document(book.name, pages, []), whole_lines=True, sheets=[s.name for s in sheets])
