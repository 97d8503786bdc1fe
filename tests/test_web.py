"""`build --html` and `--tagged`: the web version and the accessible PDF, read back.

The web version is parsed with the standard library's HTML parser; the tagged PDF's
structure tree is walked with pypdf. Both samples are built once per module.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from budgetreport.common.problems import BudgetError
from budgetreport.publish.build import Built, build, html_output
from conftest import DATA, SAMPLES, run_cli

AMOUNT = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*\.\d\d(?![\d])|(?<![\d.,])\d+\.\d\d(?![\d])")
FOOTER = re.compile(r"^\s*—\s*\d+\s*—\s*$", re.M)
BLOCKS = {"p", "h1", "h2", "h3", "h4", "caption", "td", "th", "li", "div", "span"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    parents: tuple[str, ...] = ()


class Page(HTMLParser):
    """Every element with its own text (children's text included), in document order."""

    VOID = frozenset({"meta", "col", "br", "img", "link", "input", "hr"})

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.stack: list[Element] = []
        self.style = ""
        self.scripts = 0
        self.in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, parents=tuple(e.tag for e in self.stack))
        self.elements.append(element)
        self.in_style = tag == "style"
        self.scripts += tag == "script"
        if tag not in self.VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop().tag == tag:
                break
        self.in_style = False

    def handle_data(self, data: str) -> None:
        if self.in_style:
            self.style += data
            return
        for element in self.stack:
            element.text += data

    def all(self, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag]


@dataclass(frozen=True)
class Web:
    built: Built
    html: str
    page: Page


@pytest.fixture(scope="module", params=SAMPLES)
def web(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Web:
    out = tmp_path_factory.mktemp("web")
    built = build(DATA / request.param, out, html=True, tagged=True)
    html = html_output(DATA / request.param, out).read_text(encoding="utf-8")
    page = Page()
    page.feed(html)
    return Web(built, html, page)


def squash(text: str) -> str:
    return "".join(text.split())


def pdf_text(pdf: Path) -> str:
    raw = subprocess.run(["pdftotext", "-raw", str(pdf), "-"], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    return FOOTER.sub("", raw)


# --- the web version -----------------------------------------------------------------


def test_html_is_one_standalone_chinese_page(web: Web) -> None:
    html, page = web.html, web.page
    assert page.all("html")[0].attrs["lang"] == "zh-CN"
    assert page.all("title")[0].text.endswith("年部门预算")
    assert page.scripts == 0 and not page.all("link") and not page.all("img")
    assert "@font-face" not in page.style and "url(" not in page.style
    assert "@page" not in page.style, "the print stylesheet leaked into the web version"
    assert "system-ui" in page.style
    assert 'src="' not in html and "file:" not in html


def test_html_tables_have_captions_scoped_headers_and_merges(web: Web) -> None:
    page = web.page
    captions = page.all("caption")
    titles = [e.text for e in page.all("span") if e.attrs.get("class") == "table-title"]
    assert len(captions) == 11 and len(titles) == 11
    for caption, title in zip(captions, titles, strict=True):
        assert caption.text.startswith(title) and "编制单位" in caption.text
    headers = page.all("th")
    columns = [h for h in headers if h.attrs.get("scope") != "row"]
    assert columns and all(h.attrs.get("scope") in ("col", "colgroup") for h in columns)
    merged = [h for h in columns if "colspan" in h.attrs]
    assert merged and all(h.attrs["scope"] == "colgroup" for h in merged)
    assert any("rowspan" in h.attrs for h in columns)
    # Each cell names its header cells (column path, then its row's name cell), by their ids.
    ids = {h.attrs["id"] for h in headers}
    assert len(ids) == len(headers) and any(h.attrs.get("scope") == "row" for h in headers)
    cells = [e for e in page.elements if e.tag == "td" and "table" in e.parents]
    assert all(e.attrs.get("headers") or e.attrs.get("class") == "empty" for e in cells)
    assert all(set(e.attrs.get("headers", "").split()) <= ids for e in cells + headers)


def test_html_contents_link_to_headings(web: Web) -> None:
    page = web.page
    ids = {e.attrs["id"] for e in page.elements if "id" in e.attrs}
    links = [e.attrs["href"] for e in page.all("a") if "nav" in e.parents]
    assert len(links) >= 15
    assert all(href.startswith("#") and href[1:] in ids for href in links)
    levels = {e.tag for e in page.elements if re.fullmatch(r"h[1-4]", e.tag)}
    assert {"h1", "h2", "h3"} <= levels
    h1 = page.all("h1")
    assert len(h1) == 6 and "header" in h1[0].parents  # the cover's title, 目录 and the four parts
    assert squash(h1[0].text) == squash(page.all("title")[0].text)


def test_html_has_the_pdf_text_and_figures(web: Web) -> None:
    """Every paragraph, heading, caption and cell of the web version is in the PDF, and
    both carry the same amounts the same number of times."""
    pdf = pdf_text(web.built.pdf)
    flat = squash(pdf)
    blocks = [e for e in web.page.elements if e.tag in {"p", "h1", "h2", "h3", "h4", "td", "th"}
              and "nav" not in e.parents]
    assert len(blocks) > 300
    missing = [e.text for e in blocks if squash(e.text) not in flat]
    assert not missing, missing[:5]
    body = "\n".join(e.text for e in web.page.elements
                     if e.tag in {"p", "h1", "h2", "h3", "h4", "td", "th", "caption"}
                     and "nav" not in e.parents and "caption" not in e.parents)
    in_html = Counter(AMOUNT.findall(body))
    in_pdf = Counter(AMOUNT.findall(pdf))
    assert sum(in_html.values()) > 200
    assert in_html == in_pdf


def test_data_text_is_escaped_in_the_web_version(edited: Any, tmp_path: Path) -> None:
    injected = "<script>alert(1)</script>"
    path = edited("xiamen-2022.yaml", ("  duties:\n    - 配合", f"  duties:\n    - {injected}配合"))
    build(path, tmp_path / "out", html=True)
    html = html_output(path, tmp_path / "out").read_text(encoding="utf-8")
    assert injected not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_build_html_option_writes_beside_the_pdf(tmp_path: Path) -> None:
    result = run_cli("build", "--html", "-o", tmp_path, DATA / "xiamen-2022.yaml")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "xiamen-2022"
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "xiamen-2022.html", "xiamen-2022.pdf", "xiamen-2022.xlsx"]
    # Options are part of the fingerprint: a build without --html is not "unchanged".
    again = run_cli("build", "-o", tmp_path, DATA / "xiamen-2022.yaml")
    assert "已生成" in again.output and "跳过" not in again.output


# --- the tagged PDF ------------------------------------------------------------------


def marked_texts(page: Any) -> dict[int, str]:
    """The text of each marked-content sequence (MCID) of a page."""
    texts: dict[int, str] = {}
    current: list[int | None] = [None]

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if current[0] is not None and text:
            texts[current[0]] = texts.get(current[0], "") + text

    def marked(operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
        if operator == b"BDC" and len(operands) > 1 and "/MCID" in operands[1]:
            current[0] = int(operands[1]["/MCID"])
        elif operator == b"EMC":
            current[0] = None

    page.extract_text(visitor_text=visit, visitor_operand_before=marked)
    return texts


@dataclass(frozen=True)
class Node:
    """A structure element: its tag, its text, its ID, the tags above it, its Headers and Scope."""

    tag: str
    text: str
    id: str = ""
    parents: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    scope: str = ""


def structure(pdf: Path) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The catalog, and every structure element as (tag, its text) in tree order."""
    root, nodes = structure_nodes(pdf)
    return root, [(n.tag, n.text) for n in nodes]


def structure_nodes(pdf: Path) -> tuple[dict[str, Any], list[Node]]:
    """The catalog, and every structure element in tree order."""
    reader = PdfReader(pdf)
    root = reader.trailer["/Root"]
    texts = {(number, mcid): text for number, page in enumerate(reader.pages)
             for mcid, text in marked_texts(page).items()}  # (page, MCID) → text
    pages = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    found: list[Node] = []

    def text_of(element: Any, page: int | None) -> str:
        page = pages.get(element.raw_get("/Pg").idnum, page) if "/Pg" in element else page
        kids = element.get("/K")
        kids = kids if isinstance(kids, list) else [kids]
        out = ""
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, int) and page is not None:
                out += texts.get((page, kid), "")
            elif isinstance(kid, dict) and "/S" in kid:
                out += text_of(kid, page)
            elif isinstance(kid, dict) and "/MCID" in kid:  # marked content on another page
                out += texts.get((pages[kid.raw_get("/Pg").idnum], int(kid["/MCID"])), "")
        return out

    def walk(element: Any, parents: tuple[str, ...]) -> None:
        element = element.get_object()
        if "/S" in element:
            tag = str(element["/S"])
            attributes = element.get("/A")
            attributes = attributes.get_object() if attributes is not None else {}
            found.append(Node(tag, text_of(element, None), str(element.get("/ID", "")), parents,
                              tuple(str(h) for h in attributes.get("/Headers", ())),
                              str(attributes.get("/Scope", ""))))
            parents = (*parents, tag)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, dict) and ("/S" in kid or "/K" in kid):
                walk(kid, parents)

    walk(root["/StructTreeRoot"], ())
    return root, found


def test_tagged_pdf_has_language_title_headings_and_table_headers(web: Web) -> None:
    root, elements = structure(web.built.pdf)
    assert root["/Lang"] == "zh-CN"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712  (a PDF BooleanObject)
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712
    assert PdfReader(web.built.pdf).metadata.title.endswith("年部门预算")
    tags = Counter(tag for tag, _ in elements)
    h1 = [squash(text) for tag, text in elements if tag == "/H1"]
    title = PdfReader(web.built.pdf).metadata.title
    assert h1[0] == squash(title) and h1[1] == "目录" and len(h1) == 6  # the cover's title is the H1
    assert any(t.startswith("第四部分") for t in h1)
    page_h2 = {squash(e.text) for e in web.page.all("h2")}
    assert {squash(text) for tag, text in elements if tag == "/H2"} == page_h2
    assert tags["/Table"] >= 11 and tags["/Caption"] == 11
    headers = {squash(text) for tag, text in elements if tag == "/TH"}
    assert {"科目编码", "科目名称", "合计", "基本支出", "项目支出"} <= headers
    captions = [squash(text) for tag, text in elements if tag == "/Caption"]
    assert captions == [squash(e.text) for e in web.page.all("caption")]
    # A table continued on the next page is one Table: as many as the web version has.
    assert tags["/Table"] == len(web.page.all("table"))


def test_tagged_pdf_cells_are_labelled_by_their_column_path_and_row(web: Web) -> None:
    """Every data cell names its headers: the header cells over its column, top down, then its
    row's name cell; every header cell has its scope; the IDs named are the tree's own."""
    root, nodes = structure_nodes(web.built.pdf)
    tree = root["/StructTreeRoot"]
    names = tree["/IDTree"]["/Names"]
    registered = {str(names[i]) for i in range(0, len(names), 2)}
    text = {n.id: squash(n.text) for n in nodes if n.tag == "/TH"}
    assert set(text) - {""} == registered and "" not in text  # every TH is named, once
    assert all(n.scope in ("/Column", "/Row") for n in nodes if n.tag == "/TH")
    cells = [n for n in nodes if n.tag == "/TD"]
    unlabelled = [n.text for n in cells if not n.headers]
    assert len(cells) > 400 and all("本表无数据" in t or "故本表" in t or not t for t in unlabelled), unlabelled
    assert all(h in registered for n in cells for h in n.headers)

    def labels(table_title: str, row: str, value: str) -> list[list[str]]:
        """The header texts of each cell showing `value` in the row named `row` of a table."""
        found, inside = [], False
        for n in nodes:
            if n.tag == "/Caption":
                inside = squash(n.text).startswith(table_title)
            elif inside and n.tag == "/TD" and squash(n.text) == value:
                heads = [text[h] for h in n.headers]
                if heads[-1] == row:
                    found.append(heads)
        return found

    # The cell of the issue: 122.73 of 社会保障和就业支出 under 人员经费 (merged 基本支出 above it).
    if web.built.pdf.name == "xiamen-2022.pdf":
        cells_122 = labels("一般公共预算支出情况表", "社会保障和就业支出", "122.73")
        assert ["合计", "社会保障和就业支出"] in cells_122
        assert ["基本支出", "人员经费", "社会保障和就业支出"] in cells_122
        assert ["基本支出", "小计", "社会保障和就业支出"] in cells_122
        # 收支总表: each half's amounts are named by that half's own label.
        assert labels("部门收支预算总体情况表", "收入总计", "2,735.83") == [["收入", "预算数", "收入总计"]]
        assert labels("部门收支预算总体情况表", "支出总计", "2,735.83") == [["支出", "预算数", "支出总计"]]


def test_tagged_pdf_leaves_page_furniture_out_and_nests_no_links(web: Web) -> None:
    """Page numbers, running headers, the contents' dot leaders and a header row repeated on
    a continuation page are artifacts: not in the tree. A contents line is one Link."""
    root, nodes = structure_nodes(web.built.pdf)
    every = "".join(n.text for n in nodes if n.tag in ("/Span", "/P", "/H1", "/H2", "/TD", "/TH"))
    assert not re.search(r"—\s*\d+\s*—", every), "a page number is in the structure tree"
    assert "…" not in every and "...." not in every, "a dot leader is in the structure tree"
    assert not [n for n in nodes if n.tag == "/Link" and "/Link" in n.parents]
    links = [n for n in nodes if n.tag == "/Link"]
    assert len(links) >= 15 and all(re.search(r"\d$", squash(n.text)) for n in links[:15])
    # Each header cell once: the copy repeated on a continuation page is not in the tree.
    heads = Counter(n.id for n in nodes if n.tag == "/TH")
    assert heads and max(heads.values()) == 1
    # In the pages themselves: every marked text is in the tree, and none of it is furniture.
    reader = PdfReader(web.built.pdf)
    marked = {(i, mcid): text for i, page in enumerate(reader.pages)
              for mcid, text in marked_texts(page).items()}
    assert set(marked) == in_tree(reader), "marked content outside the tree (or a tree without content)"
    assert not [t for t in marked.values() if FOOTER.search(t) or re.fullmatch(r"[.·…\s]+", t)]


def in_tree(reader: PdfReader) -> set[tuple[int, int]]:
    """Every (page, MCID) the structure tree refers to."""
    pages = {p.indirect_reference.idnum: i for i, p in enumerate(reader.pages)}
    found: set[tuple[int, int]] = set()

    def walk(element: Any, page: int | None) -> None:
        element = element.get_object()
        if "/Pg" in element:
            page = pages[element.raw_get("/Pg").idnum]
        kids = element.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, int) and page is not None:
                found.add((page, kid))
            elif isinstance(kid, dict) and "/MCID" in kid:
                found.add((pages[kid.raw_get("/Pg").idnum], int(kid["/MCID"])))
            elif isinstance(kid, dict) and ("/S" in kid or "/K" in kid):
                walk(kid, page)

    walk(reader.trailer["/Root"]["/StructTreeRoot"], None)
    return found


def test_untagged_pdf_has_no_structure_tree(tmp_path: Path) -> None:
    built = build(DATA / "xiamen-2022.yaml", tmp_path)
    assert "/StructTreeRoot" not in PdfReader(built.pdf).trailer["/Root"]


def test_a_workspace_setting_asks_for_a_tagged_pdf(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`tagged_pdf: true` in a center's region.yaml of the workspace, as a user writes it."""
    assert run_cli("init", tmp_path / "ws").exit_code == 0
    monkeypatch.chdir(tmp_path / "ws")
    settings = tmp_path / "ws" / "templates" / "centers" / "xiamen" / "region.yaml"
    settings.parent.mkdir(parents=True)
    settings.write_text("tagged_pdf: true\n", encoding="utf-8")
    built = build(Path("data/xiamen-2022.yaml"), Path("output"))
    assert "/StructTreeRoot" in PdfReader(built.pdf).trailer["/Root"]

    settings.write_text("tagged_pdf: 是\n", encoding="utf-8")
    with pytest.raises(BudgetError) as caught:
        build(Path("data/xiamen-2022.yaml"), Path("output2"))
    assert "tagged_pdf 应为 true 或 false" in str(caught.value)
    result = run_cli("check", "data/xiamen-2022.yaml")
    assert result.exit_code == 1 and "E802" in result.output


def test_tagged_combines_with_an_archival_variant(tmp_path: Path) -> None:
    from budgetreport.publish.pdf import render_pdf

    page = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>标题</title>'
            "</head><body><h1>第一部分</h1><table><caption>表一</caption><thead><tr>"
            '<th scope="col">科目</th></tr></thead><tbody><tr><td>1.00</td></tr></tbody></table>'
            "</body></html>")
    result = render_pdf(page, base_dir=tmp_path, allowed_dirs=(), variant="pdf/a-3b", tagged=True)
    (tmp_path / "a.pdf").write_bytes(result.data)
    root, elements = structure(tmp_path / "a.pdf")
    assert "/OutputIntents" in root and root["/Lang"] == "zh-CN"  # PDF/A's colour profile
    assert [tag for tag, _ in elements if tag in ("/H1", "/Caption", "/TH")] == ["/H1", "/Caption", "/TH"]
    plain = render_pdf(page, base_dir=tmp_path, allowed_dirs=(), variant="pdf/a-3b")
    assert b"/StructTreeRoot" not in plain.data and not result.warnings


def test_shanghai_cells_name_their_code_columns_and_row() -> None:
    """The Shanghai forms: 类/款/项 in three code columns under one merged header, 合计 last,
    the 三公 table without a name column (no row header: absent, not wrong)."""
    from budgetreport.checks.validate import check_file
    from budgetreport.compute.figures import compute
    from budgetreport.layout.headers import labels
    from budgetreport.layout.tables import build_tables

    checked = check_file(DATA / "shanghai-putuo-czj-2025.yaml")
    assert checked.budget is not None and checked.resolved is not None
    tables = {t.key: t for t in build_tables(compute(checked.budget, checked.resolved), checked.resolved)}
    t = tables["sh_general"]
    given = labels(t)
    text = {given.head(h.row, h.col): h.text for h in t.header}
    r = next(i for i, row in enumerate(t.rows) if row.code == "2010601")
    name = t.rows[r].cells[3]
    assert name is not None and name.value == "行政运行" and given.names_row(r, 3)
    named = {c: [text.get(h, h) for h in given.of(r, c).split()] for c in range(len(t.rows[r].cells))}
    row_id = given.id(r, 3)
    assert named[2] == ["项目", "功能分类科目编码", "项", row_id]  # the 项 code "01"
    assert named[3] == ["项目", "功能分类科目名称"]  # the name cell: its column only
    assert named[5] == ["一般公共预算支出", "基本支出", row_id]
    total = len(t.rows) - 1  # 合计 last, across the code and name columns
    assert given.names_row(total, 0) and given.of(total, 4).split()[-1] == given.id(total, 0)
    three = tables["sh_three_public"]
    cells = labels(three)
    assert not cells.row_headers
    heads = {cells.head(h.row, h.col): h.text for h in three.header}
    assert [heads[h] for h in cells.of(0, 4).split()] == ["“三公”经费预算数", "公务用车购置及运行费", "购置费"]
    assert [heads[h] for h in cells.of(0, 6).split()] == ["机关运行经费预算数"]
