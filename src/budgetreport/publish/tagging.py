"""The tagged PDF's structure tree, finished where WeasyPrint 70 leaves it wrong.

WeasyPrint builds the tree page by page from the laid-out boxes (`weasyprint.pdf.tags`).
Left as it is, a reader hears wrong things, so `add_tags` wraps it and then:

- **table headers**: WeasyPrint guesses each data cell's headers from column positions and
  gets merged headers wrong (合计 122.73 announced as 合计 + 人员经费) or leaves cells without
  any; here every header cell gets the `id` the HTML gives it (`layout/headers.py`) as its
  structure ID (listed in the tree's IDTree), its scope (Column or Row), and every other
  cell exactly the headers its HTML `headers` attribute names — none when it names none;
- **artifacts**: page numbers and running headers (page-margin boxes), the contents page's
  dot leaders and a table header repeated on a continuation page are marked as artifacts in
  the page content, not as text of the document;
- **no nested links**: the contents line's generated page number (`a::after`) is a Span
  inside its Link, not a second Link;
- **one element across pages**: an element split by a page break (a part, a paragraph, a
  table continued on the next page) is one structure element, not one per page.

The wrapper is installed by `install()`; it changes nothing when no tags are asked for.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pydyf
import weasyprint.pdf as weasy_pdf
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import tags as weasy_tags

_ADD_TAGS = weasy_tags.add_tags
_BUILD_TREE = weasy_tags._build_box_tree
_state = threading.local()  # the boxes each structure element was made from, while tagging
NULL = b"null"
SCOPES = {"col": "/Column", "colgroup": "/Column", "row": "/Row", "rowgroup": "/Row"}


def install() -> None:
    """Route WeasyPrint's tagging through `add_tags` (idempotent)."""
    weasy_pdf.add_tags = add_tags
    weasy_tags._build_box_tree = _recording


def _recording(box: Any, *args: Any) -> Iterator[Any]:
    """WeasyPrint's own `_build_box_tree` (it recurses through this name), noting the box of
    every structure element it makes."""
    for element in _BUILD_TREE(box, *args):
        origins = getattr(_state, "origins", None)
        if origins is not None:
            origins.setdefault(element.number, box)
        yield element


def add_tags(pdf: Any, document: Any, pdf_version: Any, page_streams: list[Any]) -> None:
    artifacts, repeated = _artifacts(document, page_streams)
    _state.origins = {}
    try:
        _ADD_TAGS(pdf, document, pdf_version, page_streams)
        tree = _Tree(pdf, _state.origins)
    finally:
        _state.origins = None
    for page, mcids in enumerate(artifacts):
        tree.make_artifacts(page, mcids, page_streams[page])
    tree.unnest_links()
    tree.join()
    tree.label_cells(document, repeated)


def _boxes(box: Any) -> Iterator[Any]:
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _marked(box: Any, artifact: bool = False) -> Iterator[tuple[Any, bool]]:
    """Every box under `box`, with whether it is inside a page-margin box or a leader."""
    if isinstance(box, AbsolutePlaceholder):
        box = box._box
    artifact = artifact or isinstance(box, boxes.MarginBox) or getattr(box, "is_leader", False)
    yield box, artifact
    for child in getattr(box, "children", ()):
        yield from _marked(child, artifact)


def _artifacts(document: Any, streams: list[Any]) -> tuple[list[set[int]], set[int]]:
    """Per page, the marked-content ids of what is not the document's text: page-margin
    boxes, leaders, header rows repeated on a continuation page; and the ids of the boxes of
    those repeated rows."""
    seen: set[int] = set()  # table header elements already drawn on an earlier page
    found: list[set[int]] = []
    repeated: set[int] = set()
    for page, stream in zip(document.pages, streams, strict=True):
        tags = stream._tags
        heads = {id(box.element) for box, _ in _marked(page._page_box)
                 if isinstance(box, boxes.TableRowGroupBox) and box.is_header and box.element is not None}
        for box, _ in _marked(page._page_box):
            if isinstance(box, boxes.TableRowGroupBox) and box.is_header and id(box.element) in seen:
                repeated.update(id(b) for b in _boxes(box))
        found.append({tags[box]["mcid"] for box, artifact in _marked(page._page_box)
                      if (artifact or id(box) in repeated) and box in tags})
        seen |= heads
    return found, repeated


class _Tree:
    """The structure tree WeasyPrint wrote, as pydyf objects, with the boxes behind it."""

    def __init__(self, pdf: Any, origins: dict[int, Any]) -> None:
        self.pdf = pdf
        self.origins = origins
        self.root = self.obj(pdf.catalog["StructTreeRoot"])
        self.document = self.obj(self.root["K"][0])
        self.nums = self.obj(self.root["ParentTree"])["Nums"]

    def obj(self, ref: Any) -> Any:
        return self.pdf.objects[int(bytes(ref).split()[0])]

    def parent(self, element: Any) -> Any:
        return self.obj(element["P"])

    def page_array(self, page: int) -> Any:
        return self.nums[2 * page + 1]

    def retarget(self, old: Any, new: Any) -> None:
        """Whatever in the parent tree pointed at `old` points at `new`."""
        for i in range(1, len(self.nums), 2):
            entry = self.nums[i]
            if isinstance(entry, pydyf.Array):
                for j, ref in enumerate(entry):
                    if ref == old:
                        entry[j] = new
            elif entry == old:
                self.nums[i] = new

    def detach(self, element: Any) -> None:
        """Take an element out of its parent; a parent left empty goes too."""
        parent = self.parent(element)
        kids = parent.get("K")
        if isinstance(kids, pydyf.Array) and element.reference in kids:
            kids.remove(element.reference)
            if not kids and parent is not self.document and parent.get("S") != "/Document":
                self.detach(parent)

    # --- artifacts ----------------------------------------------------------------------

    def make_artifacts(self, page: int, mcids: set[int], stream: Any) -> None:
        if not mcids:
            return
        ops = stream.stream
        for k, op in enumerate(ops):
            if isinstance(op, pydyf.Dictionary) and op.get("MCID") in mcids and k + 1 < len(ops) \
                    and ops[k + 1] == b"BDC":
                ops[k - 1], ops[k], ops[k + 1] = "/Artifact", b"", b"BMC"
        array = self.page_array(page)
        for mcid in mcids:
            if mcid >= len(array) or array[mcid] == NULL:
                continue
            owner = self.obj(array[mcid])
            array[mcid] = NULL
            kids = owner["K"]
            if mcid in kids:
                kids.remove(mcid)
            if not kids:
                self.detach(owner)

    # --- links --------------------------------------------------------------------------

    def _elements(self, element: Any) -> Iterator[Any]:
        yield element
        for kid in element.get("K", ()):
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                child = self.obj(kid)
                if isinstance(child, pydyf.Dictionary) and child.get("Type") == "/StructElem":
                    yield from self._elements(child)

    def unnest_links(self) -> None:
        """A Link inside a Link (a link's generated content) becomes a Span; the link
        annotations WeasyPrint gives the pieces inside a link move to the Link itself."""
        for element in list(self._elements(self.document))[1:]:
            outer = self.parent(element)
            while outer.get("S") not in ("/Link", "/Document") and "P" in outer:
                outer = self.parent(outer)
            if outer.get("S") != "/Link":
                continue
            if element.get("S") == "/Link":
                element["S"] = "/Span"
            moved = False
            for kid in list(element["K"]):
                if isinstance(kid, bytes) and self.obj(kid).get("Type") == "/OBJR":
                    element["K"].remove(kid)
                    outer["K"].append(kid)
                    moved = True
            if moved:
                self.retarget(element.reference, outer.reference)
                if not element["K"]:
                    self.detach(element)

    # --- one element across pages -------------------------------------------------------

    def origin(self, ref: Any) -> Any:
        """The HTML element (and pseudo-element) a structure element was made from."""
        if not (isinstance(ref, bytes) and ref.endswith(b" R")):
            return None
        box = self.origins.get(int(ref.split()[0]))
        return None if box is None or box.element is None else (id(box.element), box.element_tag)

    def join(self, element: Any = None) -> None:
        """Neighbours made from the same element — its parts on two pages, or on two lines
        (a link that wraps) — become one element, all the way down."""
        element = self.document if element is None else element
        kids = element.get("K")
        if not isinstance(kids, pydyf.Array):
            return
        i = 1
        while i < len(kids):
            same = self.origin(kids[i])
            if same is not None and same == self.origin(kids[i - 1]):
                self.merge(self.obj(kids[i - 1]), self.obj(kids[i]))
                del kids[i]
            else:
                i += 1
        for kid in kids:
            if isinstance(kid, bytes) and kid.endswith(b" R"):
                child = self.obj(kid)
                if isinstance(child, pydyf.Dictionary) and child.get("Type") == "/StructElem":
                    self.join(child)

    def merge(self, first: Any, rest: Any) -> None:
        """`rest` continues `first` (on a later page, or line): one element. A part of `rest`
        that continues a part of `first` (the cells of a row taller than a page, a section's
        paragraph) joins that part."""
        ahead = first["K"]
        parts = {key: kid for kid in ahead if (key := self.origin(kid)) is not None}
        for kid in list(rest["K"]):
            key = self.origin(kid)
            if key is not None and key in parts:
                self.merge(self.obj(parts[key]), self.obj(kid))
                continue
            if isinstance(kid, int):  # a marked-content id of the later page
                kid = pydyf.Dictionary({"Type": "/MCR", "Pg": rest["Pg"], "MCID": kid})
            elif isinstance(kid, bytes) and kid.endswith(b" R"):
                child = self.obj(kid)
                if isinstance(child, pydyf.Dictionary) and "P" in child:
                    child["P"] = first.reference
            ahead.append(kid)
        owns = any(isinstance(kid, int) or (isinstance(kid, bytes) and self.obj(kid).get("Type") == "/OBJR")
                   for kid in rest["K"])
        if owns:  # the parent tree names the element that owns a mark or an annotation
            self.retarget(rest.reference, first.reference)

    # --- table headers ------------------------------------------------------------------

    def label_cells(self, document: Any, repeated: set[int]) -> None:
        ids: dict[str, Any] = {}
        cells = [box for page in document.pages for box in _boxes(page._page_box)
                 if getattr(box, "mark", None) is not None and id(box) not in repeated
                 and box.element is not None and box.element_tag in ("th", "td")]
        for box in cells:
            mark, html = box.mark, box.element
            attributes = mark["A"]
            mark.pop("ID", None)
            attributes.pop("Headers", None)
            if box.element_tag == "th":
                scope = SCOPES.get(html.get("scope", ""), "/Column")
                attributes["Scope"] = scope
                key = html.get("id")
                if key and key not in ids:
                    mark["ID"] = pydyf.String(key)
                    ids[key] = mark.reference
        for box in cells:
            named = [h for h in (box.element.get("headers") or "").split() if h in ids]
            if named:
                box.mark["A"]["Headers"] = pydyf.Array(pydyf.String(h) for h in named)
        if ids:
            names = pydyf.Array()
            for key in sorted(ids):
                names.extend((pydyf.String(key), ids[key]))
            self.root["IDTree"] = pydyf.Dictionary({"Names": names})
