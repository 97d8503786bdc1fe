"""Reading published disclosures back: `verify` a PDF, and `import` one (through the workbook
importer, which reads the PDF's tables as it reads sheets — see `importer.read_workbook`).

    PDF → page texts + ruled tables as sheets (pdf) → compared with the data built as far as
    its HTML, or checked against itself (verify) → problems by page.
"""

from __future__ import annotations

from dataclasses import replace
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


def guess_region(doc: Document) -> str | None:
    """The built-in region whose table set names the most of the PDF's tables (None: none)."""
    from ..inputs.region import known_regions

    region, (tables, _) = _recognised(doc, known_regions(), budget_year(doc))
    return region if tables else None


def _recognised(doc: Document, regions: list[str], year: int | None) -> tuple[str, tuple[list[Any], list[Problem]]]:
    from ..importer import reading_placeholders
    from ..importer.recognise import recognise
    from ..inputs.region import load_region
    from .texts import organisation

    book = doc.book()
    best: tuple[str, tuple[list[Any], list[Problem]]] = (regions[0], ([], []))
    for r in regions:
        declared = load_region(r, year=year)
        found = recognise(book, declared.filled(reading_placeholders(year, organisation(doc))),
                          declared=declared.tables)
        if len(found[0]) > len(best[1][0]):
            best = (r, found)
    if not best[1][0]:  # none named: the first region's problems say which tables it expects
        first = load_region(regions[0], year=year)
        best = (regions[0], recognise(book, first.filled(reading_placeholders(year, organisation(doc))),
                                      declared=first.tables))
    return best


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
    from ..inputs.region import known_regions

    year = budget_year(doc)
    unreadable = getattr(doc, "unreadable_message", lambda: None)()
    head = [Finding(1, "E604", unreadable, Severity.warning)] if unreadable else []
    if not doc.tables:
        only_text = "PDF 中没有附表（只有文字）：核对了文中的年份、模板文字和前后两次写出的同一数字"
        return head + [Finding(1, "E625", only_text, Severity.hint)] + self_consistency(doc, year) \
            + stated_twice(doc, year)
    tables, problems = _recognised(doc, [region] if region else known_regions(), year)[1]
    names = {c: e.name for c, e in load_catalogue(year or 2022).function.items()}
    facts = check_tables(tables, names)
    # When the region's table set is only a guess, its missing or unknown tables say little.
    guessed = () if region else ("E522", "E524", "W520")
    kept = [p for p in problems if p.code not in guessed]
    checked, unread = _unsure([*kept, *rounding(list(facts.problems), facts)], doc)
    errors = {(p.file, p.message) for p in checked if p.severity is Severity.error}
    wrong = [p for p in facts.problems if (p.file, p.message) in errors]
    return (head + unread + table_findings(checked, doc) + suspects(facts, cell_words(tables), wrong)
            + sources_spent(facts) + text_totals(doc, facts, year) + stated_twice(doc, year)
            + self_consistency(doc, year))


__all__ = ["BudgetError", "guess_region", "verify", "verify_document"]
