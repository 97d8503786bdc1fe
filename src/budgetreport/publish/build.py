"""The pipeline, top to bottom: load → validate → compute → tables → HTML → PDF → workbook.

`prepare` runs everything up to the HTML (no layout): `check` stops there, so it reports
whatever `build` would refuse — data, settings, template and font-role errors. `build`
then lays out the PDF and the workbook and publishes them as one set (`files.publish`).
WeasyPrint and openpyxl are imported only when a build needs them: `check` stays fast.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from ..checks.labels import describe
from ..checks.validate import Checked, check_file
from ..common.files import publish
from ..common.money import UNIT_FACTOR
from ..common.names import OUTPUT, html_output, outputs, record_path, split_output
from ..common.problems import BudgetError, Problem
from ..compute.figures import Figures, compute
from ..inputs.resolved import split_files
from ..layout.blocks import document_text
from ..layout.fonts import DEFAULT_FAMILIES, FONT_DIRS, font_css, font_problems
from ..layout.printed import mismatches
from ..layout.render import render_html, split_html
from ..layout.tables import Table, build_tables
from .shape import Shape, load_shape


@dataclass(frozen=True)
class Built:
    source: Path
    pdf: Path
    workbook: Path
    pages: int
    warnings: tuple[str, ...]
    problems: tuple[Problem, ...] = field(default=())  # validation warnings
    typeset_cpu: float = 0.0  # CPU seconds WeasyPrint took (`pdf.PdfResult.cpu`)


@dataclass(frozen=True)
class Prepared:
    """A valid file, computed and rendered to HTML: everything but the layout."""

    checked: Checked
    figures: Figures
    tables: list[Table]
    html: str
    shape: Shape | None = None  # the official workbook's shape, when the region declares one


@cache
def environment_problems(licensed: tuple[str, ...]) -> list[str]:
    """Fonts and HarfBuzz subsetting present? Checked before any rendering: a missing font
    would print wrong glyphs and a missing subsetter would make the build 20× slower."""
    from .pdf import check_environment

    return check_environment([*licensed, *DEFAULT_FAMILIES])


def prepare(checked: Checked, strict: bool = False) -> Prepared:
    """Compute, tabulate and render a checked file; BudgetError with every problem if the
    data, the settings, the fonts named or a template is wrong."""
    if checked.errors(strict) or checked.budget is None or checked.resolved is None:
        raise BudgetError(checked.errors(strict))
    figures = compute(checked.budget, checked.resolved)
    tables = build_tables(figures, checked.resolved)
    if problems := document_problems(checked, tables):
        raise BudgetError(problems)
    shape = load_shape(checked.resolved.region, figures.org, figures.placeholders)
    css = font_css(checked.budget.department.fonts)
    html = render_html(figures, checked.resolved, tables, css=css)
    return Prepared(checked, figures, tables, html, shape)


def document_problems(checked: Checked, tables: list[Table]) -> list[Problem]:
    """What the data's own check cannot see but the document would print wrongly: font
    roles, tables that do not add up as printed, the region's PDF settings."""
    assert checked.budget is not None and checked.region is not None
    source = checked.source
    assert source is not None
    problems = [source.problem(code, message, ("department", "fonts", role))
                for role, code, message in font_problems(checked.budget.department.fonts)]
    for t in tables:
        for m in mismatches(t):
            unit = str(source.data.get("unit", "万元")) if isinstance(source.data, dict) else "万元"
            loc = _figure_at(source.data, m.adjust * UNIT_FACTOR.get(unit, Decimal(1))) \
                if m.adjust is not None else None
            loc = loc or _line_of(source.data, m.adjust_code, m.adjust_key)
            value = _get(source.data, loc) if loc else None
            shown = f"{_figure(value)}，" if isinstance(value, (int, Decimal)) else ""
            which = (f"，如{describe(loc, source.data)}（{shown}即本行）" if loc
                     else f"，如{m.adjust_words}" if m.adjust_words else "")
            problems.append(source.problem(
                "R804", f"{m.message}：金额按表中单位四舍五入后相加不一致，请调整其中一项的尾数{which}，"
                "使公开的表格自洽", loc or ("unit",)))
    return problems


def _figure_at(data: object, amount: Decimal, loc: tuple[str | int, ...] = ()) -> tuple[str | int, ...] | None:
    """The data path of the only amount in `data` equal to `amount` (in the file's unit),
    None when there is none or more than one: the figure a table's cell shows alone."""
    found: list[tuple[str | int, ...]] = []

    def walk(node: object, here: tuple[str | int, ...]) -> None:
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            if isinstance(value, bool):
                continue
            if isinstance(value, (int, Decimal)) and value == amount:
                found.append((*here, key))
            else:
                walk(value, (*here, key))

    walk(data, loc)
    return found[0] if len(found) == 1 else None


def _line_of(data: object, code: str, key: str) -> tuple[str | int, ...] | None:
    """The only data line of a 项 (7 digits) or economic 款 (5 digits) a table row shows —
    its field `key` when the line gives it — None when no single line is that row."""
    section = {7: "spending", 5: "economic"}.get(len(code))
    items = data.get(section) if section and isinstance(data, dict) else None
    if section is None or not isinstance(items, list):
        return None
    found = [i for i, x in enumerate(items) if isinstance(x, dict) and str(x.get("code")) == code]
    if len(found) != 1:
        return None
    line = items[found[0]]
    return (section, found[0], key) if key and key in line else (section, found[0])


def _get(data: object, loc: tuple[str | int, ...]) -> object:
    for key in loc:
        data = data[key]  # type: ignore[index]
    return data


def _figure(value: object) -> str:
    """An amount as a document prints it: "149,950", "1,234.5"."""
    return f"{value:,}" if isinstance(value, int) else f"{Decimal(str(value)).normalize():,f}"


def check_document(path: Path) -> Checked:
    """`check_file`, then — if the data holds — render the HTML too, adding any problem the
    build would meet before layout (templates, settings, font roles)."""
    checked = check_file(path)
    if checked.errors() or checked.budget is None:
        return checked
    try:
        prepare(checked)
    except BudgetError as exc:
        checked.problems.extend(exc.problems)
    return checked


def build(path: Path, out_dir: Path = OUTPUT, *, strict: bool = False,
          pdf_variant: str | None = None, inputs: str | None = None, html: bool = False,
          tagged: bool = False) -> Built:
    """Build one center's PDF and workbook (with `html` also its web version) and publish
    them together; raise BudgetError if the data has errors. `inputs` (a fingerprint) is
    recorded beside the outputs. `tagged`, or the region setting `tagged_pdf`, makes an
    accessible (tagged) PDF."""
    from .excel import workbook_bytes
    from .official import official_bytes
    from .pdf import render_pdf

    prepared = prepare(check_file(path), strict)
    checked, figures = prepared.checked, prepared.figures
    assert checked.budget is not None and checked.region is not None and checked.resolved is not None
    source = checked.source
    assert source is not None
    name = source.name
    fonts = checked.budget.department.fonts
    if trouble := environment_problems(tuple(sorted(fonts.values()))):
        # A missing font is named by the line that asks for it.
        roles = [next((("department", "fonts", r) for r, f in fonts.items() if f"“{f}”" in t), ())
                 for t in trouble]
        raise BudgetError([source.problem("E800", t, loc) for t, loc in zip(trouble, roles, strict=True)])
    tagged = tagged or checked.resolved.tagged_pdf
    result = render_pdf(prepared.html, base_dir=checked.region.folders[0],
                        allowed_dirs=(*checked.region.folders, *FONT_DIRS), variant=pdf_variant, tagged=tagged)
    if strict and result.warnings:
        raise BudgetError([Problem(name, 0, 0, "W900", f"排版警告：{w}") for w in result.warnings])
    # the file's date: the publication date, else (not published with one) 1 January of the
    # budget year — metadata only, never printed; fixed so a rebuild is byte for byte the same
    published = figures.published or dt.date(figures.year, 1, 1)
    created = dt.datetime(published.year, published.month, published.day)
    if prepared.shape is not None:  # the whole disclosure, as the official template lays it out
        workbook = official_bytes(prepared.shape, document_text(prepared.html), prepared.tables,
                                  title=f"{figures.name}{figures.year}年{figures.org}预算", creator=figures.name,
                                  created=created)
    else:
        workbook = workbook_bytes(prepared.tables, title=f"{figures.name}{figures.year}年部门预算附表",
                                  creator=figures.name, created=created)
    pdf_path, xlsx_path = outputs(path, out_dir)
    record = None if inputs is None else json.dumps({"inputs": inputs, "pages": result.pages}).encode()
    files = {pdf_path: result.data, xlsx_path: workbook}
    # the files the region also publishes the document as (split_files: 附件1 情况说明, 附件2 报表)
    for part_name, part_html in split_html(prepared.html, split_files(checked.region)):
        files[split_output(path, out_dir, part_name)] = render_pdf(
            part_html, base_dir=checked.region.folders[0], allowed_dirs=(*checked.region.folders, *FONT_DIRS),
            variant=pdf_variant, tagged=tagged).data
    if html:
        files[html_output(path, out_dir)] = render_html(
            figures, checked.resolved, prepared.tables, medium="screen").encode()
    publish(files, record_path(path, out_dir), record)
    return Built(path, pdf_path, xlsx_path, result.pages, result.warnings,
                 tuple(checked.problems), result.cpu)
