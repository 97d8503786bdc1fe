"""The rendered document as plain text blocks, for writers other than the PDF.

`document_text(html)` reads the HTML `render` made (print medium) and returns what a
workbook in an official template's shape needs: the cover's lines, the contents entries and
the body cut into sections. A section starts at each top-level heading (the 第X部分 titles
of a four-part document, else the 一、 headings) and knows the part it belongs to — the
body marks each part's start with a comment `<!--part:KEY-->` (`base/body.html.j2`).
Tables are left out: the 附表 are written from their declarations (`tables.Table`), never
read back from HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

PART_MARK = re.compile(r"^part:([a-z_]+)$")
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "h5", "div"}


@dataclass
class Line:
    text: str
    heading: int = 0  # 0 for a paragraph; the heading level (1 = 一、, 2 = （一）…) otherwise


@dataclass
class Section:
    part: str  # the region's part key (overview, explanation…)
    title: str  # the heading as printed, number included ("一、部门主要职能")
    label: str  # its number ("一、"), "" for none
    lines: list[Line] = field(default_factory=list)

    @property
    def plain_title(self) -> str:
        """The title without its number ("部门主要职能")."""
        return self.title[len(self.label):].strip("\u3000 ")


@dataclass
class DocumentText:
    cover: list[str] = field(default_factory=list)
    contents: list[tuple[int, str, str]] = field(default_factory=list)  # level, label, title
    sections: list[Section] = field(default_factory=list)

    def part(self, key: str) -> list[Section]:
        return [s for s in self.sections if s.part == key]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doc = DocumentText()
        self.where = ""  # cover, toc, main
        self.part = ""
        self.skip = 0  # inside <table> or <style>
        self.text: list[str] = []
        self.block: tuple[str, dict[str, str]] | None = None
        self.label = ""
        self.toc_level = 1
        self.top = 0  # the heading level that starts a section: 0 (part) or 1
        self.label_start = -1  # where the toc entry's number starts in `text`
        self.fresh = False  # a part has started and no section of it yet

    def handle_comment(self, data: str) -> None:
        if m := PART_MARK.match(data.strip()):
            self._close()
            self.part, self.fresh = m.group(1), True

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag in ("table", "style", "caption", "head"):
            self.skip += 1
        elif tag in ("section", "header") and "cover" in classes:
            self.where = "cover"
        elif tag == "nav":
            self.where = "toc"
        elif tag == "main":
            self.where = "main"
        elif self.skip:
            return
        elif tag == "span" and "toc-label" in classes:
            self.label_start = len("".join(self.text))
        elif self.where == "cover" and any(c.startswith("cover-") for c in classes):
            self._close()  # each line of the cover (name, title, date) on its own
            self.block = (tag, a)
        elif tag in BLOCKS:
            self._close()
            self.block = (tag, a)
            if self.where == "toc" and tag == "li":
                self.toc_level = 2 if any(c.endswith("-2") for c in classes) else 1
            self.label_start = -1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("table", "style", "caption", "head"):
            self.skip -= 1
        elif self.skip:
            return
        elif tag == "span" and self.label_start >= 0:
            self.label = "".join(self.text)[self.label_start:]
        elif tag in BLOCKS or self.where == "cover" and tag == "span":
            self._close()
        elif tag in ("section", "header", "nav") and self.where in ("cover", "toc"):
            self._close()
            self.where = ""

    def handle_data(self, data: str) -> None:
        if not self.skip and self.block is not None:
            self.text.append(data)

    def _close(self) -> None:
        block, self.block = self.block, None
        text = " ".join("".join(self.text).split())
        label, self.label = self.label, ""
        self.text = []
        if block is None or not text:
            return
        tag, attrs = block
        if self.where == "cover":
            self.doc.cover.append(text)
        elif self.where == "toc" and tag == "li":
            self.doc.contents.append((self.toc_level, label, text[len(label):].strip()))
        elif self.where == "main":
            self._body(tag, attrs, text)

    def _body(self, tag: str, attrs: dict[str, str], text: str) -> None:
        classes = attrs.get("class", "").split()
        level = next((int(c[1:]) for c in classes if re.fullmatch(r"h\d", c)), None)
        if "part" in classes and tag == "h1":
            level = 0
        if level is not None and tag.startswith("h"):
            if level == 0:
                self.top = 0
            if level <= self.top or not self.doc.sections or self.fresh:
                label = _label(text)
                self.doc.sections.append(Section(self.part, text, label))
                self.fresh = False
                return
            self.doc.sections[-1].lines.append(Line(text, level - self.top))
        elif self.doc.sections and not self.fresh:
            self.doc.sections[-1].lines.append(Line(text))
        else:  # a part without a heading of its own
            self.doc.sections.append(Section(self.part, "", "", [Line(text)]))
            self.fresh = False


NUMBER = re.compile(r"^(?:第[一二三四五六七八九十]+部分\u3000?|[一二三四五六七八九十]+、|"
                    r"（[一二三四五六七八九十]+）|\d+[.．])")


def _label(title: str) -> str:
    m = NUMBER.match(title)
    return m.group(0) if m else ""


def document_text(html: str) -> DocumentText:
    reader = _Reader()
    reader.top = 0 if re.search(r'<h1[^>]*class="part"', html) else 1
    reader.feed(html)
    reader.close()
    reader._close()
    return reader.doc
