"""Stage 2: a file is read, checked against the model, then against every rule.

`check_file` never stops at the first problem: schema errors are all reported together;
once the schema holds, every rule runs and every finding is reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..common.names import center_key, stem_problem
from ..common.names import expand as expand
from ..common.problems import BudgetError, Problem, Severity
from ..inputs.load import Source, read
from ..inputs.model import Budget
from ..inputs.region import Region, known_regions
from ..inputs.resolved import Resolved, resolve
from ..inputs.resources import current
from .diagnose import amounts, suspects
from .limits import limit_findings
from .rules import RULES, asks_problems, figures_as
from .schema import parse
from .years import ROLLED_MARK, year_findings


@dataclass
class Checked:
    """A file after validation: the budget (None if the schema failed) and all problems."""

    source: Source | None
    budget: Budget | None
    resolved: Resolved | None  # the region and workspace, resolved once (None: unknown region)
    problems: list[Problem] = field(default_factory=list)

    @property
    def region(self) -> Region | None:
        return self.resolved.region if self.resolved is not None else None

    def errors(self, strict: bool = False) -> list[Problem]:
        counted = (Severity.error, Severity.warning) if strict else (Severity.error,)
        return [p for p in self.problems if p.severity in counted]


def check_file(path: Path, content: bytes | None = None, name: str | None = None) -> Checked:
    """Validate `path` (or `content` standing for it, see `load.read`)."""
    if bad_name := stem_problem(path, name):
        return Checked(None, None, None, [bad_name])
    try:
        ws = current()
        source = read(path, content, name)
    except BudgetError as exc:
        return Checked(None, None, None, exc.problems)
    problems = [source.problem(f.code, f.message, f.loc, severity=f.severity)
                for f in year_findings(source.data, rolled=ROLLED_MARK in source.text)]
    try:
        budget = parse(source)
    except BudgetError as exc:
        return Checked(None, None, None, sorted(exc.problems + problems))
    dept = budget.department
    year_in_name = path.stem.rpartition("-")[2]
    if re.fullmatch(r"\d{4}", year_in_name) and int(year_in_name) != dept.year:
        problems.append(source.problem(
            "E012", f"文件名中的年度 {year_in_name} 与数据中的预算年度 {dept.year} 不一致：请改正其一",
            ("department", "year")))
    if dept.region not in known_regions(ws):
        problems.append(source.problem(
            "E201", f"未知的地区模板“{dept.region}”，可用：{'、'.join(known_regions(ws))}",
            ("department", "region")))
        return Checked(source, budget, None, problems)
    try:
        resolved = resolve(dept.region, dept.year, center_key(path), ws)
    except BudgetError as exc:
        return Checked(source, budget, None, problems + exc.problems)
    catalogue = resolved.catalogue
    problems += resolved.problems
    problems += asks_problems(resolved.region)
    if catalogue.year != dept.year:
        problems.append(source.problem(
            "W202", f"没有{dept.year}年的科目目录，暂按最近的前一年度（{catalogue.year}年）的目录核对科目"
            if catalogue.year < dept.year else
            f"没有{dept.year}年及以前的科目目录，暂按最早的{catalogue.year}年目录核对科目",
            ("department", "year"), severity=Severity.warning))
    # Out-of-bounds figures would make the rules' arithmetic and the layout misbehave.
    findings = list(limit_findings(budget))
    if not findings:
        with figures_as(budget.unit, (v for _, v in amounts(source.data, ()))):
            findings = [f for rule in RULES for f in rule(budget, catalogue, resolved)]
            findings += suspects(source.data, findings, catalogue, resolved)
    if resolved.sections or budget.sections:  # their checks are loaded only when used
        from .sections import section_findings

        findings += section_findings(source.data, resolved.sections, budget, not findings)
    for f in findings:
        problems.append(source.problem(f.code, f.message, f.loc, severity=f.severity))
    return Checked(source, budget, resolved, sorted(problems))


