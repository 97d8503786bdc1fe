"""Reading published disclosures back: `verify` a PDF, and `import` one (through the workbook
importer, which reads the PDF's tables as it reads sheets — see `importer.read_workbook`).

    PDF → page texts + ruled tables as sheets (pdf) → compared with the data built as far as
    its HTML, or checked against itself (verify) → problems by page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..common.problems import BudgetError, Problem
from .alone import self_consistency, sources_spent, table_findings, text_totals
from .verify import Finding, against_data

if TYPE_CHECKING:
    from .pdf import Document


def verify(pdf: Path, data: Path | None = None, region: str | None = None) -> list[Problem]:
    """Every disagreement between the PDF and the data (or, without data, within the PDF)."""
    from .pdf import read_pdf

    doc = read_pdf(pdf)
    if data is not None:
        findings = _with_data(doc, data)
    else:
        findings = _alone(doc, region)
    return [f.problem(doc.name) for f in sorted(findings, key=lambda f: (f.page, f.code))]


def _with_data(doc: Document, data: Path) -> list[Finding]:
    from ..checks.validate import check_file
    from ..layout.render import environment
    from ..publish.build import prepare

    checked = check_file(data)
    prepared = prepare(checked)  # BudgetError: the data itself has errors
    assert checked.region is not None
    cell = environment(checked.region).filters["cell"]
    return against_data(doc, prepared.tables, prepared.html, cell)


def _alone(doc: Document, region: str | None) -> list[Finding]:
    from ..importer import reading_placeholders
    from ..importer.checks import check_tables
    from ..importer.recognise import recognise
    from ..importer.sheets import Table
    from ..inputs.catalogue import load_catalogue
    from ..inputs.region import known_regions, load_region
    from .texts import organisation

    if not doc.tables:
        return [Finding(1, "E625", "PDF 中找不到附表（有边框的表格，表上有表题与“单位：”一行）；"
                                   "扫描件或无边框的表格无法核对")] + self_consistency(doc, doc.year)
    book = doc.book()
    candidates = [region] if region else known_regions()
    best: tuple[list[Table], list[Problem]] = ([], [])
    for r in candidates:  # the region whose table set names the most of the PDF's tables
        found = recognise(book, load_region(r).filled(reading_placeholders(doc.year, organisation(doc))))
        if len(found[0]) > len(best[0]) or not best[0]:
            best = found
    tables, problems = best
    year = doc.year
    names = {c: e.name for c, e in load_catalogue(year or 2022).function.items()}
    facts = check_tables(tables, names)
    # When the region's table set is only a guess, its missing or unknown tables say little.
    guessed = () if region else ("E522", "E524", "W520")
    kept = [p for p in problems if p.code not in guessed]
    return (table_findings([*kept, *facts.problems], doc) + sources_spent(facts)
            + text_totals(doc, facts, year) + self_consistency(doc, year))


__all__ = ["BudgetError", "verify"]
