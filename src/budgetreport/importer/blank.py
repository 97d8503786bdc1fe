"""`budgetreport new --xlsx`: the empty workbook a center's staff fill in Excel or WPS when
their budget system exports nothing usable; `import` reads it back.

It is the workbook `build` writes — the region's table set, titles, headers — for a budget
whose amounts are all zero, with its 类/款/项 rows ready: last year's codes (`--from`) or the
catalogue's. Then every figure a sheet can work out itself becomes a formula (类 and 款 rows
sum their rows, 合计 rows the 类 rows, a row's 合计 its parts, a 收支总表 line the sheet where
the same figure is typed) and every figure to type is left blank. Excel/WPS saves the
formulas' results with the file; `import` reads those results, never the formulas.
"""

from __future__ import annotations

import datetime as dt
import io
import typing
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, Literal

from openpyxl import load_workbook
from pydantic import BaseModel

from ..checks.validate import check_file
from ..commands.scaffold import _strip, kind_of
from ..common.files import write_atomic
from ..common.problems import BudgetError
from ..compute.figures import compute
from ..inputs.catalogue import load_catalogue
from ..inputs.model import Budget
from ..inputs.region import known_regions
from ..inputs.resolved import resolve
from ..layout.tables import build_tables
from ..publish.excel import write_workbook
from .checks import SOURCE_KEYS
from .labels import INCOME_ROWS, SOURCES, SPENDING_ROWS
from .recognise import recognise
from .sheets import Row, Table
from .workbook import read_book

Cell = tuple[str, int, int]  # sheet, row, col


def from_data(source: Path, year: int) -> tuple[Budget, str]:
    """Last year's file with every amount zero, as `year`'s budget."""
    checked = check_file(source)
    if checked.errors() or checked.budget is None:
        raise BudgetError(checked.errors())
    old = checked.budget.department.year
    if year != old + 1:
        raise ValueError(f"{source} 是{old}年的数据，只能为{old + 1}年生成空白工作簿，不能为{year}年")
    data = _zeroed(checked.budget.model_dump())
    data["department"] |= {"year": year, "published": dt.date(year, 1, 1)}
    return Budget.model_validate(data), str(checked.budget.department.region)


def from_catalogue(region: str, name: str, year: int) -> Budget:
    """A new center: every 项 and economic 款 of the catalogue as a row."""
    if region not in known_regions():
        raise ValueError(f"未知的地区模板“{region}”，可用：{'、'.join(known_regions())}")
    cat = load_catalogue(year)
    data = _placeholder(Budget)
    data["department"] |= {"name": name, "region": region, "year": year,
                           "published": dt.date(year, 1, 1)}
    # Only codes whose 类 and 款 the catalogue names too (a 项 known from a single source may
    # lack its parents).
    data["spending"] = [{"code": c, "source": "general_budget"} for c in cat.function
                        if len(c) == 7 and c[:3] in cat.function and c[:5] in cat.function]
    data["economic"] = [{"code": c} for c in cat.economic if len(c) == 5 and c[:3] in cat.economic]
    return Budget.model_validate(data)


def _zeroed(value: Any) -> Any:
    if isinstance(value, Decimal):
        return Decimal(0)
    if isinstance(value, dict):
        return {k: _zeroed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_zeroed(v) for v in value]
    return value


def _placeholder(model: type[BaseModel]) -> dict[str, Any]:
    """The smallest valid content of every required field (texts "—", amounts 0): only the
    tables are drawn from it, never a text."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if not info.is_required():
            continue
        kind, inner = kind_of(info)
        tp = _strip(info.annotation)
        if kind == "model":
            out[name] = _placeholder(inner)
        elif kind == "models":
            out[name] = [_placeholder(inner)]
        elif kind == "list":
            out[name] = ["—"]
        elif kind == "dict":
            out[name] = {}
        elif kind == "amount":
            out[name] = Decimal(0)
        elif typing.get_origin(tp) is Literal:
            out[name] = typing.get_args(tp)[0]
        elif isinstance(tp, type) and issubclass(tp, Enum):
            out[name] = next(iter(tp)).value
        elif tp is int:
            out[name] = 0
        elif tp is dt.date:
            out[name] = dt.date(2000, 1, 1)
        else:
            out[name] = "—"
    return out


def write_blank(budget: Budget, out: Path) -> None:
    """The region's workbook for `budget` (all zero), then formulas and blanks."""
    resolved = resolve(budget.department.region, budget.department.year)
    region = resolved.region
    figures = compute(budget, resolved)
    buffer = out.with_name(f".{out.name}.blank.xlsx")
    try:
        write_workbook(build_tables(figures, resolved), buffer, title=f"{figures.name}{figures.year}年部门预算（待填）",
                       creator=figures.name, created=dt.datetime(figures.year, 1, 1))
        book = read_book(buffer)
        tables, _ = recognise(book, region.filled(figures.placeholders), declared=region.tables)
        wb = load_workbook(buffer)
    except OSError as exc:
        exc.filename = str(out)  # the user named `out`, not this scratch file beside it
        raise
    finally:
        buffer.unlink(missing_ok=True)
    formulas = Formulas(tables)
    for (sheet, row, col), value in formulas.cells.items():
        wb[sheet].cell(row, col).value = value
    read_figures = {t.sheet.name for t in tables if t.kind != "skip"}
    for ws in wb.worksheets:  # the 绩效 forms: their zeros are left blank too
        if ws.title not in read_figures:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, (int, float)) and not isinstance(c.value, bool):
                        c.value = None
    data = io.BytesIO()
    wb.save(data)
    write_atomic(out, data.getvalue())


class Formulas:
    """What each amount cell of the blank workbook holds: a formula or None (to type)."""

    def __init__(self, tables: list[Table]) -> None:
        self.cells: dict[Cell, str | None] = {}
        self.typed: dict[tuple[str, ...], Cell] = {}  # a 类 figure's cell in its own table
        self.codes = {r.name: r.code for t in tables if t.kind == "classified"
                      for r in t.rows if r.code and len(r.code) == 3}
        for t in tables:
            if t.kind == "classified":
                self.classified(t)
        for t in tables:
            if t.kind == "paired":
                self.paired(t)
            elif t.kind == "three_public":
                self.three_public(t)

    def put(self, t: Table, r: Row, key: str, formula: str | None) -> None:
        a = r.amounts.get(key)
        if a is not None:
            self.cells[(t.sheet.name, a.ref.row, a.ref.col)] = formula

    @staticmethod
    def ref(t: Table, rows: list[Row], key: str, here: str | None = None) -> list[str]:
        out = []
        for r in rows:
            if (a := r.amounts.get(key)) is not None:
                out.append(a.ref.cell if here in (None, t.sheet.name) else f"'{t.sheet.name}'!{a.ref.cell}")
        return out

    def classified(self, t: Table) -> None:
        coded = [r for r in t.rows if r.code]
        top = min((len(r.code or "") for r in coded), default=3)
        for r in t.rows:
            kids = [k for k in coded if r.code and len(k.code or "") == len(r.code) + 2
                    and (k.code or "").startswith(r.code)] if r.code else \
                [k for k in coded if len(k.code or "") == top]
            for key in r.amounts:
                if kids:
                    self.put(t, r, key, f"=SUM({','.join(self.ref(t, kids, key))})")
                elif (parts := _row_parts(t, r, key)):
                    self.put(t, r, key, "=" + "+".join(self.ref(t, [r], p)[0] for p in parts))
                else:
                    self.put(t, r, key, None)
                    if r.code:
                        self.typed.setdefault(_fact(t, r.code, key), (t.sheet.name, r.amounts[key].ref.row,
                                                                       r.amounts[key].ref.col))
            if r.code and len(r.code) == 3:
                for key, a in r.amounts.items():  # 类 rows: referenced by the 收支总表
                    self.typed.setdefault(_fact(t, r.code, key), (t.sheet.name, a.ref.row, a.ref.col))

    def paired(self, t: Table) -> None:
        sources = [r for r in t.left if (SOURCES.get(r.label) or "") in SOURCE_KEYS
                   and SOURCES.get(r.label) != "carryover"]
        carry = [r for r in t.left if SOURCES.get(r.label) == "carryover"]
        for r in t.left:
            role = INCOME_ROWS.get(r.label)
            if role in ("this_year", "total"):
                parts = self.ref(t, sources, "total") + (self.ref(t, carry, "total") if role == "total" else [])
                self.put(t, r, "total", f"=SUM({','.join(parts)})" if parts else None)
            elif role == "fiscal":
                fiscal = [x for x in sources if SOURCES.get(x.label) in ("general_budget", "gov_fund", "state_capital")]
                self.put(t, r, "total", f"=SUM({','.join(self.ref(t, fiscal, 'total'))})")
            else:
                self.put(t, r, "total", None)
        body = [r for r in t.right if SPENDING_ROWS.get(r.label) is None and r.label]
        carried = [r for r in t.right if SPENDING_ROWS.get(r.label) == "carry_forward"]
        for r in t.right:
            role = SPENDING_ROWS.get(r.label)
            for key in r.amounts:
                if role in ("this_year", "total"):
                    rows = body + (carried if role == "total" else [])
                    self.put(t, r, key, f"=SUM({','.join(self.ref(t, rows, key))})")
                elif role is None and r.label:
                    self.put(t, r, key, self.elsewhere(t, r, key))
                else:
                    self.put(t, r, key, None)

    def elsewhere(self, t: Table, r: Row, key: str) -> str | None:
        """A 类 line of a 收支总表: the same figure in the table where it is worked out."""
        code = self.codes.get(r.label)
        fiscal = [s for s in ("general_budget", "gov_fund", "state_capital") if s in r.amounts]
        if code is None:
            return None
        if key == "total" and t.scope == "fiscal" and fiscal:
            return "=" + "+".join(self.ref(t, [r], s)[0] for s in fiscal)
        scope, column = (key, "total") if key in SOURCE_KEYS else ("all", key)
        found = self.typed.get((scope, code, column))
        if found is None:
            return None
        sheet, row, col = found
        from openpyxl.utils import get_column_letter
        return f"='{sheet}'!{get_column_letter(col)}{row}"

    def three_public(self, t: Table) -> None:
        for r in t.rows:
            for key in r.amounts:
                parts = {"total": ["abroad", "vehicle", "reception"] if "vehicle" in r.amounts
                         else ["abroad", "vehicle_purchase", "vehicle_running", "reception"],
                         "vehicle": ["vehicle_purchase", "vehicle_running"]}.get(key)
                if parts and all(p in r.amounts for p in parts):
                    self.put(t, r, key, "=" + "+".join(self.ref(t, [r], p)[0] for p in parts))
                else:
                    self.put(t, r, key, None)


def _fact(t: Table, code: str, key: str) -> tuple[str, ...]:
    return (t.scope, code, key)


def _row_parts(t: Table, r: Row, key: str) -> list[str]:
    """The columns a row's own figure is the sum of (合计 = 基本 + 项目, 基本 = 人员 + 公用,
    收入合计 = the sources), when the row has them."""
    a = r.amounts
    if t.scope == "income":
        sources = [s for s in SOURCE_KEYS if s in a]
        if key == "total" and sources:
            return sources
        if key == "fiscal":
            return [s for s in ("general_budget", "gov_fund", "state_capital") if s in a]
        return []
    basic = "basic" if "basic" in a else "subtotal" if "subtotal" in a else None
    if key == "total":
        if basic and "project" in a:
            return [basic, "project"]
        if "personnel" in a and "public" in a:
            return [x for x in ("personnel", "public", "project") if x in a]
    if key == basic and "personnel" in a and "public" in a:
        return ["personnel", "public"]
    return []
