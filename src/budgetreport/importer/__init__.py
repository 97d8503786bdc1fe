"""`budgetreport import`: figures in from an Excel workbook, so nobody retypes a table.

The stages read top to bottom, and nothing is written unless every stage passed:

    workbook (read_book) → sheets recognised by title (recognise) → tables read by their
    header labels (sheets) → cross-checked, figures registered as facts (checks) → facts as
    the data's figures (mapping) → written into the YAML tree (apply) → text, diff, file.

`into` updates an existing data file in place (comments, texts and key order kept) and says
what changed as `diff` does; `new_file` fills the region's skeleton (`scaffold.skeleton`),
leaving every text for the user, so that `check` lists them.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.util import load_yaml_guess_indent

from ..checks.validate import center_key, check_file
from ..commands.diff import Report, compare, format_text, input_changes
from ..commands.scaffold import rt_yaml, skeleton, write_new
from ..common.files import write_atomic
from ..common.money import round_to
from ..common.problems import BudgetError, Problem, Severity, display_path
from ..compute.figures import compute
from ..inputs.catalogue import load_catalogue
from ..inputs.load import Source, read
from ..inputs.region import known_regions, load_region
from .apply import Writer, place_texts, write_figures
from .checks import check_tables
from .mapping import Imported, to_data
from .recognise import UNKNOWN_YEAR, recognise
from .texts import official_sheets, workbook_texts
from .workbook import problem, read_book


@dataclass
class Outcome:
    target: Path
    changed: bool
    report: str  # what changed, in `diff`'s form
    warnings: list[Problem] = field(default_factory=list)
    open_items: int = 0  # -o: problems `check` lists in the new file (texts to write)


Sources = Path | Sequence[Path]  # a workbook, a PDF, or several PDFs read as one document


def _paths(workbook: Sources) -> list[Path]:
    return [workbook] if isinstance(workbook, Path) else list(workbook)


def source_word(path: Sources) -> str:
    """What the figures come from, in messages: a 工作簿 or a published PDF."""
    return "PDF" if all(p.suffix.lower() == ".pdf" for p in _paths(path)) else "工作簿"


def reading_placeholders(year: int | None, org: str = "部门") -> dict[str, object]:
    """Placeholders for reading a table's title back: titles as the document prints them
    ({org}: 部门, or 单位 for a 单位预算 — title matching reads 单位 as 部门 and drops years)."""
    y = year or UNKNOWN_YEAR
    return {"year": y, "prior_year": y - 1, "name": "", "prepared_by": "", "org": org,
            "org_head": "预算主管部门" if org == "部门" else "预算单位",
            "org_unit": "部门" if org == "部门" else "预算单位"}


def read_workbook(workbook: Sources, region: str, center: str | None, year: int | None
                  ) -> tuple[Imported, list[Problem]]:
    """Workbook (or a published PDF's tables; several PDFs — a 情况说明 and its 报表 published
    apart — read as one document) → imported figures, or BudgetError with every problem found."""
    paths = _paths(workbook)
    published = source_word(paths) == "PDF"
    if len(paths) != 1 and not published:
        raise ValueError("一次只能导入一个工作簿；分开发布的同一份文件（情况说明与报表）可以是几个 PDF")
    texts: list[Any] = []
    org, titled = "部门", year
    if published:
        from ..readback.pdf import read_pdfs
        from ..readback.texts import organisation, placed_texts
        doc = read_pdfs(paths)
        book, texts = doc.book(), placed_texts(doc)
        org, titled = organisation(doc), year or doc.year
    else:
        book = read_book(paths[0])
    # titles as the document prints them (title_key reads 单位 as 部门 and drops years)
    region_settings = load_region(region, center, year=titled)
    settings = region_settings.filled(reading_placeholders(titled, org))
    official = official_sheets(region_settings, reading_placeholders(titled, org))
    tables, problems = recognise(book, settings, official, declared=region_settings.tables)
    if not published:  # a filled official workbook: its cover and text sheets
        texts = workbook_texts(book, official)
    problems = book.problems + problems
    years = [t.year for t in tables if t.year]
    catalogue = load_catalogue(year or (max(years) if years else 2022))
    facts = check_tables(tables, {c: e.name for c, e in catalogue.function.items()})
    problems += [as_printed(p) for p in facts.problems] if published else facts.problems
    imp = to_data(tables, facts)
    if published and imp.name is None:
        imp.name = doc.issuer  # the cover's name, when no table prints its 编制单位
    imp.texts = texts
    imp.catalogued = set(catalogue.function) | set(catalogue.economic)
    if imp.year is None and (m := re.search(r"(\d{4})年", book.title)):
        imp.year = int(m.group(1))
    problems += imp.problems
    if year and imp.year and imp.year != year:
        problems.append(problem(book.name, "E523",
                                f"{source_word(workbook)}是{imp.year}年的预算，数据文件是{year}年的"))
    _stop_on_errors(problems)
    return imp, problems


def as_printed(p: Problem) -> Problem:
    """A published document is what it is: a subtotal that misses its rows (amounts rounded
    one by one, a typing slip) is told, and its rows are imported as printed; a figure two
    tables print differently is told, and the first table's is imported."""
    if p.code == "E530":
        return replace(p, severity=Severity.warning,
                       message=p.message + "；已发布的文件前后不一致，按先出现的表导入，请核对")
    if p.code != "E531":
        return p
    return replace(p, severity=Severity.warning,
                   message=p.message + "；已发布的文件如此印刷，按其下各行导入，请核对")


def _stop_on_errors(problems: list[Problem]) -> None:
    if any(p.severity is Severity.error for p in problems):
        raise BudgetError(sorted(problems, key=lambda p: p.severity is not Severity.error))


class _Exact(RoundTripRepresenter):
    """Decimal as written: a plain YAML number, every digit kept (our loader reads it back
    exactly)."""


_Exact.add_representer(Decimal, lambda rep, v: rep.represent_scalar("tag:yaml.org,2002:float", f"{v:f}"))


class _Decimals(RoundTripConstructor):
    """Amounts in the tree as exact Decimals from their text (ruamel's own floats are
    binary), written back by `_Exact` as they were read."""

    def construct_yaml_float(self, node: Any) -> Any:  # type: ignore[override]
        try:
            return Decimal(str(node.value).replace("_", ""))
        except ArithmeticError:
            return super().construct_yaml_float(node)


_Decimals.add_constructor("tag:yaml.org,2002:float", _Decimals.construct_yaml_float)


def _finer_than_wan(imp: Imported) -> bool:
    """万元 figures with more than two decimals (Beijing prints six: exact to the 分) can only
    be written exactly in 元: a 万元 data file holds two decimals."""
    if imp.unit != "万元":
        return False
    amounts = [*imp.income.values(), *([imp.carry_forward] if imp.carry_forward else []),
               *(a for item in imp.three_public.values() for a in item.values())]
    return any(a.value % 100 for a in amounts)  # values are held in 元: 0.01万元 = 100元


def _write_tree(text: str, unit: str | None, imp: Imported, name: str,
                line_of: Callable[[tuple[str | int, ...]], int], warnings: list[Problem],
                fresh: bool = False) -> str:
    yaml = rt_yaml(_Exact)
    yaml.Constructor = _Decimals
    _, sequence, offset = load_yaml_guess_indent(text)
    if sequence:  # keep the file's own indentation (samples: 2, lists 4 with the dash at 2)
        yaml.indent(mapping=max(sequence - (offset or 0), 2), sequence=sequence, offset=offset or 0)
    root = yaml.load(text)
    if unit is None:  # a new file takes the workbook's unit, 元 when 万元 figures go below 分 of 万元
        root["unit"] = unit = "元" if _finer_than_wan(imp) else imp.unit
    w = Writer(root, unit, name, line_of, fresh=fresh, catalogued=imp.catalogued)
    write_figures(w, imp)
    if fresh and imp.texts:  # a published PDF's or official workbook's texts, into a new file only
        warnings.append(place_texts(root, imp.texts))
    _stop_on_errors(w.problems)
    warnings += [p for p in w.problems if p.severity is not Severity.error]
    _flow_empty(root)
    out = io.StringIO()
    yaml.dump(root, out)
    return out.getvalue()


def _flow_empty(node: Any) -> None:
    """An emptied list or mapping is written `[]`/`{}` beside its key: in block style ruamel
    would put it on the line after the key's comment, which no YAML reader accepts."""
    if isinstance(node, CommentedMap | CommentedSeq):
        if not node:
            node.fa.set_flow_style()
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _flow_empty(child)


def into(workbook: Sources, data: Path, region: str | None = None) -> Outcome:
    """Update `data` in place with the workbook's figures."""
    source = read(data)
    dept = source.data.get("department") or {}
    region = region or str(dept.get("region") or "")
    if region not in known_regions():
        raise BudgetError([source.problem("E201", f"未知的地区模板“{region}”，可用：{'、'.join(known_regions())}",
                                          ("department", "region"))])
    year = dept.get("year") if isinstance(dept.get("year"), int) else None
    imp, warnings = read_workbook(workbook, region, center_key(data), year)
    unit = str(source.data.get("unit") or "万元")
    text = _write_tree(source.text, unit, imp, source.name, lambda loc: source.locate(loc)[0], warnings)
    if text == source.text or not input_changes(source, read(data, text.encode("utf-8"), source.name)):
        return Outcome(data, False, format_text(Report()), warnings)  # not even rewritten
    report = _report(data, source, text, imp, warnings)
    # a data file that is a symbolic link stays one: its target is what is updated
    write_atomic(data.resolve() if data.is_symlink() else data, text.encode("utf-8"))
    return Outcome(data, True, report, warnings)


def _report(path: Path, old: Source, text: str, imp: Imported, warnings: list[Problem]) -> str:
    """`diff`'s three views when both versions pass `check`, else the changed input figures."""
    before = check_file(path)
    after = check_file(path, text.encode("utf-8"), old.name)
    if before.errors() or after.errors() or after.budget is None:
        new = read(path, text.encode("utf-8"), old.name)
        return format_text(Report(inputs=input_changes(old, new)), inputs_only=True) + (
            "（导入前或导入后的文件未通过校验，计算结果与文中句子的变化从略；"
            f"请运行 budgetreport check {old.name}）\n")
    _running_costs(after.budget, imp, warnings)
    return format_text(compare(before, after))


def _running_costs(budget: object, imp: Imported, warnings: list[Problem]) -> None:
    """机关运行经费 is computed from the economic lines; the workbook's figure must agree."""
    from ..inputs.model import Budget
    a = imp.running_costs
    if a is None or not isinstance(budget, Budget):
        return
    running = compute(budget).running_costs
    if running is None:  # no economic table and no figure given: nothing to compare
        return
    computed = running.amount * 10000  # 万元 → 元
    if round_to(computed, a.step) != round_to(a.value, a.step):
        warnings.append(problem(a.ref, "W554", (
            f"机关运行经费为 {a.shown()}（{a.unit}），按经济分类计算为 {a.shown(computed)}，两者不一致")))


def new_file(workbook: Sources, out: Path, region: str, name: str | None = None,
             year: int | None = None) -> Outcome:
    """A new data file: the region's skeleton with the workbook's figures."""
    if region not in known_regions():
        raise ValueError(f"未知的地区模板“{region}”，可用：{'、'.join(known_regions())}")
    imp, warnings = read_workbook(workbook, region, None, year)
    name, year = name or imp.name, year or imp.year
    if not name or not year:
        raise ValueError(f"{source_word(workbook)}中找不到" + ("编制单位" if not name else "预算年度")
                         + "，请用 " + ("--name" if not name else "--year") + " 给出")
    text = _write_tree(skeleton(region, name, year), None, imp, display_path(out), lambda loc: 0,
                       warnings, fresh=True)
    write_new(out, text)
    checked = check_file(out)
    return Outcome(out, True, "", warnings, len(checked.problems))
