"""Stage 2: a file is read, checked against the model, then against every rule.

`check_file` never stops at the first problem: schema errors are all reported together;
once the schema holds, every rule runs and every finding is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import catalogue_year, load_catalogue
from .diagnose import suspects
from .load import Source, read
from .model import Budget
from .problems import BudgetError, Problem, Severity
from .region import Region, known_regions, load_region
from .rules import RULES
from .schema import parse


@dataclass
class Checked:
    """A file after validation: the budget (None if the schema failed) and all problems."""

    source: Source | None
    budget: Budget | None
    region: Region | None
    problems: list[Problem] = field(default_factory=list)

    def errors(self, strict: bool = False) -> list[Problem]:
        counted = (Severity.error, Severity.warning) if strict else (Severity.error,)
        return [p for p in self.problems if p.severity in counted]


def center_key(path: Path) -> str:
    """data/xiamen-2022.yaml -> "xiamen": the center's template folder name."""
    stem = path.stem
    head, _, tail = stem.rpartition("-")
    return head if head and tail.isdigit() else stem


def check_file(path: Path, content: bytes | None = None, name: str | None = None) -> Checked:
    """Validate `path` (or `content` standing for it, see `load.read`)."""
    try:
        source = read(path, content, name)
        budget = parse(source)
    except BudgetError as exc:
        return Checked(None, None, None, exc.problems)
    problems: list[Problem] = []
    dept = budget.department
    if dept.region not in known_regions():
        problems.append(source.problem(
            "E201", f"未知的地区模板“{dept.region}”，可用：{'、'.join(known_regions())}",
            ("department", "region")))
        return Checked(source, budget, None, problems)
    try:
        region = load_region(dept.region, center_key(path))
    except BudgetError as exc:
        return Checked(source, budget, None, problems + exc.problems)
    catalogue = load_catalogue(dept.year)
    if catalogue.year != dept.year:
        problems.append(source.problem(
            "W202", f"没有{dept.year}年的科目目录，暂按{catalogue_year(dept.year)}年目录核对科目",
            ("department", "year"), severity=Severity.warning))
    findings = [f for rule in RULES for f in rule(budget, catalogue, region)]
    findings += suspects(source.data, findings, catalogue, region)
    for f in findings:
        problems.append(source.problem(f.code, f.message, f.loc, severity=f.severity))
    return Checked(source, budget, region, sorted(problems))


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders give their *.yaml files, sorted."""
    files: list[Path] = []
    for p in paths:
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return files
