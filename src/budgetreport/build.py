"""The pipeline, top to bottom: load → validate → compute → tables → HTML → PDF → workbook.

Everything is computed before anything is written; each output is written to a temporary
file and renamed, so a failed build leaves the previous outputs as they were.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from .excel import write_workbook
from .figures import compute
from .files import write_atomic
from .pdf import DEFAULT_FAMILIES, FONT_DIRS, PdfResult, check_environment, font_css, render_pdf
from .problems import BudgetError, Problem
from .region import TEMPLATES
from .render import render_html
from .tables import build_tables
from .validate import check_file

SAMPLES = Path(__file__).resolve().parents[2] / "data"
OUTPUT = Path("output")


@dataclass(frozen=True)
class Built:
    source: Path
    pdf: Path
    workbook: Path
    pages: int
    warnings: tuple[str, ...]
    problems: tuple[Problem, ...] = field(default=())  # validation warnings


@cache
def environment_problems(licensed: tuple[str, ...]) -> list[str]:
    """Fonts and HarfBuzz subsetting present? Checked before any rendering: a missing font
    would print wrong glyphs and a missing subsetter would make the build 20× slower."""
    return check_environment([*licensed, *DEFAULT_FAMILIES])


def outputs(path: Path, out_dir: Path) -> tuple[Path, Path]:
    folder = out_dir / path.stem
    return folder / f"{path.stem}.pdf", folder / f"{path.stem}.xlsx"


def build(path: Path, out_dir: Path = OUTPUT, *, strict: bool = False,
          pdf_variant: str | None = None) -> Built:
    """Build one center's PDF and workbook; raise BudgetError if the data has errors."""
    checked = check_file(path)
    if checked.errors(strict) or checked.budget is None or checked.region is None:
        raise BudgetError(checked.errors(strict))
    name = checked.source.name if checked.source else str(path)
    fonts = checked.budget.department.fonts
    if trouble := environment_problems(tuple(sorted(fonts.values()))):
        raise BudgetError([Problem(name, 0, 0, "E800", t) for t in trouble])
    figures = compute(checked.budget)
    tables = build_tables(figures, checked.region)
    html = render_html(figures, checked.region, tables, css=font_css(checked.budget.department.fonts))
    pdf_path, xlsx_path = outputs(path, out_dir)
    result: PdfResult = render_pdf(html, base_dir=checked.region.folders[0],
                                   allowed_dirs=(TEMPLATES, *FONT_DIRS), variant=pdf_variant)
    if strict and result.warnings:
        raise BudgetError([Problem(name, 0, 0, "W900", f"排版警告：{w}") for w in result.warnings])
    write_atomic(pdf_path, result.data)
    published = figures.published
    write_workbook(tables, xlsx_path, title=f"{figures.name}{figures.year}年部门预算附表",
                   creator=figures.name,
                   created=dt.datetime(published.year, published.month, published.day))
    return Built(path, pdf_path, xlsx_path, result.pages, result.warnings,
                 tuple(checked.problems))
