"""Reading published disclosures back: `verify` a PDF, and `import` one (through the workbook
importer, which reads the PDF's tables as it reads sheets — see `importer.read_workbook`).

    PDF → page texts + ruled tables as sheets (pdf) → compared with the data built as far as
    its HTML, or checked against itself (verify) → problems by page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..common.problems import BudgetError, Problem, Severity
from .alone import (
    budget_year,
    cell_words,
    rounding,
    self_consistency,
    sources_spent,
    stated_twice,
    suspects,
    table_findings,
    text_totals,
)
from .verify import Finding, against_data

if TYPE_CHECKING:
    from .pdf import Document


def verify(pdf: Path, data: Path | None = None, region: str | None = None) -> list[Problem]:
    """Every disagreement between the PDF and the data (or, without data, within the PDF)."""
    from .pdf import read_pdf

    return verify_document(read_pdf(pdf), data, region)


def verify_document(doc: Document, data: Path | None = None, region: str | None = None) -> list[Problem]:
    """`verify` of a document already read."""
    if data is not None:
        findings = _with_data(doc, data)
    else:
        findings = _alone(doc, region)
    return [_located(f, doc) for f in sorted(findings, key=lambda f: (f.page, f.code))]


def _located(f: Finding, doc: Document) -> Problem:
    """A finding under its own file and page when the document is several files."""
    if len(doc.parts) < 2 or not f.page:
        return f.problem(doc.name)
    name, page = doc.where(f.page)
    return replace(f, page=page).problem(name)


def _with_data(doc: Document, data: Path) -> list[Finding]:
    from ..checks.validate import check_file
    from ..layout.render import environment
    from ..publish.build import prepare

    checked = check_file(data)
    prepared = prepare(checked)  # BudgetError: the data itself has errors
    assert checked.region is not None
    cell = environment(checked.region).filters["cell"]
    return against_data(doc, prepared.tables, prepared.html, cell)


# A region fits when its tables and the document's are this alike (Dice, by title) — or
# nearly so, and the first pages name its place (省/市): a document of a region not built in
# shares a few national titles with many regions, never most of one region's set.
FITS, NEARLY = 0.8, 0.6


@dataclass(frozen=True)
class Guess:
    """The region whose 附表 the document's tables are, judged by their titles."""

    region: str  # the region taken: "base" when none fits
    name: str  # its name, as its region.yaml gives it
    matched: int  # of its tables, how many the document has
    declared: int  # its tables
    tables: int  # the document's tables (one per table of several pages or records)
    fits: bool
    closest: str = ""  # when none fits: the nearest region and its count, for the message

    def message(self) -> str:
        if self.fits:
            return (f"按地区“{self.name}”（{self.region}）的附表识别：本文件 {self.tables} 张附表中，"
                    f"{self.matched} 张的表题与该地区的 {self.declared} 张附表相符；不对时请用 --region 指明")
        return (f"没有哪个内置地区的附表与本文件相符（最接近的是{self.closest}），按通用附表（base）识别，"
                f"只核对认得的表；请用 --region 指明地区")


def guess(doc: Document, regions: list[str] | None = None) -> Guess:
    """Every known region (sub-regions too) scored by how alike its table set and the
    document's tables are by title — 2 × matched / (its tables + the document's), so that
    a region naming many tables the document lacks, or one matching a few national titles
    of a larger set, scores low; ties go to the region whose name (省/市) the first pages
    print. Below `FITS` (`NEARLY` when the first pages name the region's place), no region
    is claimed: base, and the message says so."""
    from ..importer.recognise import table_keys
    from ..inputs.region import known_regions
    from .texts import organisation

    book = doc.book()
    year, org = budget_year(doc), organisation(doc)
    front = "".join("".join(p.split()) for p in doc.pages[:2])
    scored = []
    for r in regions or known_regions():
        settings = _titles(r, year, org, str(Path.cwd()))
        keys = table_keys(book, settings)
        named = {k for k in keys if k}
        tables = len(named) + sum(1 for k in keys if k is None)
        declared = len(settings["tables"]) or 1
        dice = 2 * len(named) / (declared + tables) if tables else 0.0
        name = str(settings.get("name") or r)
        places = sum(1 for p in re.findall(r"[\u4e00-\u9fff]{2,}?[省市]", name) if p in front)
        scored.append((dice, places, r, name, len(named), declared, tables))
    if not scored:
        return Guess("base", "全国通用", 0, 0, len(doc.tables), False)
    dice, places, r, name, matched, declared, tables = max(scored, key=lambda x: (x[0], x[1], -len(x[2])))
    if dice >= FITS or dice >= NEARLY and places:
        return Guess(r, name, matched, declared, tables, True)
    return Guess("base", "全国通用", matched, declared, tables, False,
                 f"“{name}”（{r}），{tables} 张附表中 {matched} 张相符" if matched else "：无")


@lru_cache(maxsize=128)
def _titles(region: str, year: int | None, org: str, _where: str) -> dict[str, Any]:
    """What `guess` compares of a region, read once per process (per working folder, whose
    workspace may add regions): its name, table set and titles as a document prints them."""
    from ..importer import reading_placeholders
    from ..inputs.region import load_region

    settings = load_region(region, year=year).filled(reading_placeholders(year, org))
    return {k: settings.get(k) for k in ("name", "tables", "table_titles", "import_titles") if k in settings}


def guess_region(doc: Document) -> str | None:
    """The region `guess` takes ("base" when none fits), None for a document without tables."""
    return guess(doc).region if doc.tables else None


def _recognised(doc: Document, region: str, year: int | None) -> tuple[list[Any], list[Problem]]:
    """The document's tables read as `region`'s 附表."""
    from ..importer import reading_placeholders
    from ..importer.recognise import recognise
    from ..inputs.region import load_region
    from .texts import organisation

    declared = load_region(region, year=year)
    return recognise(doc.book(), declared.filled(reading_placeholders(year, organisation(doc))),
                     declared=declared.tables)


def _unsure(problems: list[Problem], doc: Document) -> tuple[list[Problem], list[Finding]]:
    """A table whose 科目编码 repeat (two code systems side by side, rows per unit), whose
    code column is not found, or whose columns repeat a meaning (split by source), is one
    this reader does not understand: its sums say nothing
    about the publication. Its problems are left out, and it is named once, as a warning."""
    from .pdf import PageRef

    def table(p: Problem) -> str:
        return PageRef.split(p.file)[1]

    repeated: dict[str, int] = {}
    for p in problems:
        if p.code in ("E514", "E515", "E532"):
            repeated[table(p)] = repeated.get(table(p), 0) + (p.code == "E532")
    if not repeated:
        return problems, []
    pages = {s.name: s.first_page for s in doc.tables}
    kept = [p for p in problems if p.code not in ("E514", "E515", "E516", "E530", "E531", "E532")
            or table(p) not in repeated]
    return kept, [Finding(pages.get(name, 0), "W629", (
        f"附表“{name}”" + (f"有 {n} 处重复的科目编码（如两套编码并列、分单位列示）" if n
                         else "找不到科目编码列，或有含义相同的列（如按资金来源分列）")
        + "，本程序读不懂这种排列，未核对其合计"), Severity.warning) for name, n in repeated.items()]


def _alone(doc: Document, region: str | None) -> list[Finding]:
    from ..importer.checks import check_tables
    from ..inputs.catalogue import load_catalogue

    year = budget_year(doc)
    unreadable = getattr(doc, "unreadable_message", lambda: None)()
    head = [Finding(1, "E604", unreadable, Severity.warning)] if unreadable else []
    if not doc.tables:
        only_text = "PDF 中没有附表（只有文字）：核对了文中的年份、模板文字和前后两次写出的同一数字"
        return head + [Finding(1, "E625", only_text, Severity.hint)] + self_consistency(doc, year) \
            + stated_twice(doc, year)
    given = region is not None
    if region is None:
        g = guess(doc)
        region = g.region
        head.append(Finding(1, "E631", g.message(), Severity.hint))
    tables, problems = _recognised(doc, region, year)
    names = {c: e.name for c, e in load_catalogue(year or 2022).function.items()}
    facts = check_tables(tables, names)
    # When the region's table set is only a guess, its missing or unknown tables say little.
    guessed = () if given else ("E522", "E524", "W520")
    kept = [p for p in problems if p.code not in guessed]
    checked, unread = _unsure([*kept, *rounding(list(facts.problems), facts)], doc)
    errors = {(p.file, p.message) for p in checked if p.severity is Severity.error}
    wrong = [p for p in facts.problems if (p.file, p.message) in errors]
    named, explained = suspects(facts, cell_words(tables), wrong, tables)
    told = {(p.file, p.message) for p in explained}  # one finding names the figure instead
    checked = [p for p in checked if (p.file, p.message) not in told]
    return (head + unread + table_findings(checked, doc) + named
            + sources_spent(facts) + text_totals(doc, facts, year) + stated_twice(doc, year)
            + self_consistency(doc, year))


__all__ = ["BudgetError", "guess_region", "verify", "verify_document"]
