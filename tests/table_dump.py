"""The 附表 of a sample as JSON: every field of every `Table` the writers read (title, numbering,
header cells, columns and widths, each cell's value and kind, row flags and declared sums), so
two ways of building the tables can be compared cell for cell without rendering a PDF.
(`Cell.key`, which no writer reads, is left out.)"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from budgetreport.checks.validate import check_file
from budgetreport.compute.figures import compute
from budgetreport.layout.printed import column_sums
from budgetreport.layout.tables import Table, build_tables


def _cell(c: Any) -> Any:
    if c is None:
        return None
    v = str(c.value) if isinstance(c.value, Decimal) else c.value
    return [v, c.kind, c.colspan, c.rowspan, c.level]


def table_json(t: Table) -> dict[str, Any]:
    return {
        "key": t.key, "number": t.number, "label": t.label, "title": t.title,
        "prepared_by": t.prepared_by, "prepared_label": t.prepared_label,
        "unit": t.unit, "display": [t.display.unit, t.display.places],
        "landscape": t.landscape, "type_size": t.type_size, "repeat_header": t.repeat_header,
        "empty_note": t.empty_note, "note_below": t.note_below,
        "columns": [[c.kind, c.width] for c in t.columns],
        "header_rows": t.header_rows,
        "header": [[h.text, h.row, h.col, h.rowspan, h.colspan] for h in t.header],
        "column_sums": [[a, b] for a, b in column_sums(t.spec)],
        "rows": [{"cells": [_cell(c) for c in r.cells], "total": r.total, "heading": r.heading,
                  "sums": [[list(s.columns), list(s.rows)] for s in r.sums]} for r in t.rows],
    }


def tables_json(path: Path) -> list[dict[str, Any]]:
    checked = check_file(path)
    assert checked.budget is not None and checked.resolved is not None, checked.problems
    figures = compute(checked.budget, checked.resolved)
    return [table_json(t) for t in build_tables(figures, checked.resolved)]


def dumps(tables: list[dict[str, Any]]) -> str:
    """One line per field and per table row, so a diff reads like the table."""
    def line(v: Any) -> str:
        return json.dumps(v, ensure_ascii=False)
    out = []
    for t in tables:
        fields = [f"  {line(k)}: {line(v)}" for k, v in t.items() if k != "rows"]
        rows = ",\n".join(f"    {line(r)}" for r in t["rows"])
        out.append("{\n" + ",\n".join(fields) + ',\n  "rows": [\n' + rows + "\n  ]\n}")
    return "[\n" + ",\n".join(out) + "\n]\n"
