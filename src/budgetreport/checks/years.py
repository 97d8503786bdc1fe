"""Years written in free text: the wrong-year defect of published documents.

Seed documents printed "2021年部门预算表" inside a 2022 disclosure. A year in a text field
must be the budget year or the year before; exceptions are a title in 《》 (a cited law or
document), a date after 截至, a starting point of history ("2020年以来"), a period that
takes in the budget year or the year before ("2026-2027年", "2021—2025年"), a name quoted in
“…” or given as a `name` field (a project called after the year it began), and — in fields
that describe timing (period, budget_note) — later years. A file made by `new --from` still
carries last year's texts: there every mention of the old year is listed until the texts are
revised.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..common.problems import Finding, Severity, texts
from ..inputs.model import YEARS

YEAR = re.compile(r"(?<![\d〔\[（(])((?:19|20)\d{2})(?=\s*年)")
CITED = re.compile(r"《[^》]*》|截至\s*(?:19|20)\d{2}|(?:19|20)\d{2}\s*年\s*以来")
RANGE = re.compile(r"((?:19|20)\d{2})\s*年?\s*[-—–~～至到]\s*((?:19|20)\d{2})\s*年")
QUOTED = re.compile(r"“[^”]{1,200}”")
TIMING_FIELDS = ("period", "budget_note")
NAME_FIELDS = ("name",)  # a proper name keeps the year it was given
ROLLED_MARK = "budgetreport new --from"  # in the header comment `new --from` writes


def year_findings(data: Any, rolled: bool) -> Iterator[Finding]:
    """Reads the plain data, so that a file still failing the schema (a rolled file with
    its amounts emptied) is already told which texts name the wrong year."""
    department = data.get("department") if isinstance(data, dict) else None
    year = department.get("year") if isinstance(department, dict) else None
    if not isinstance(year, int) or isinstance(year, bool) or year not in YEARS:
        return  # the year itself is refused (E100): texts are judged against a valid one
    for loc, text in texts(data):
        if loc and loc[-1] in NAME_FIELDS:
            continue
        cited = [m.span() for m in (*CITED.finditer(text), *QUOTED.finditer(text))]
        cited += [m.span() for m in RANGE.finditer(text) if int(m[1]) <= year and int(m[2]) >= year - 1]
        timing = any(part in TIMING_FIELDS for part in loc if isinstance(part, str))
        for m in YEAR.finditer(text):
            if any(a <= m.start() < z for a, z in cited):
                continue
            said = int(m[1])
            excerpt = text[max(0, m.start() - 8): m.end() + 8].replace("\n", " ")
            if rolled and said == year - 1:
                yield Finding("R605", f"文字沿用自{said}年的数据文件，仍写着“{said}年”（…{excerpt}…）："
                              f"请按{year}年修订", loc, Severity.warning)
            elif said not in (year, year - 1) and not (timing and said > year):
                yield Finding("R604", f"文字中的“{said}年”既不是预算年度{year}年，也不是上年"
                              f"（…{excerpt}…）：是否沿用了别的年度的文字？", loc, Severity.warning)

