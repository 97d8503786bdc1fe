"""Stage 2c: when sums disagree, point at the figure that was probably mistyped.

An unbalanced identity names the lines of its totals, not the line the officer edited.
If changing one single figure by the gap makes every unbalanced sum balance again, that
figure is a suspect; a handful of suspects is reported as hints with their lines.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ..common.problems import Finding, Loc, Severity, path_text
from ..inputs.catalogue import Catalogue
from ..inputs.model import Budget
from ..inputs.resolved import Resolved
from .labels import describe
from .rules import RULES, show

MAX_SUSPECTS = 6
MAX_GAPS = 2


def suspects(data: Any, findings: list[Finding], catalogue: Catalogue,
             resolved: Resolved) -> list[Finding]:
    gaps = {abs(f.gap) for f in findings if f.gap is not None}
    if not gaps or len(gaps) > MAX_GAPS:  # several different gaps: several mistakes, no guess
        return []
    found = []
    for loc, value in _amounts(data, ()):
        for fixed in sorted({value + s * g for g in gaps for s in (1, -1) if value + s * g >= 0}):
            if _balanced(_replace(data, loc, fixed), catalogue, resolved):
                found.append(Finding(
                    "R200", f"{describe(loc, data)} {show(value)} 可能有误：若为 {show(fixed)}，"
                    f"以上不平衡的合计全部平衡（{path_text(loc)}）", loc, Severity.hint))
    return found if len(found) <= MAX_SUSPECTS else []


def _balanced(data: Any, catalogue: Catalogue, resolved: Resolved) -> bool:
    """No sum is out of balance any more (the ones that were, and no new one)."""
    try:
        budget = Budget.model_validate(data)
    except ValidationError:
        return False
    return not any(f.gap is not None for rule in RULES for f in rule(budget, catalogue, resolved))


def _amounts(value: Any, loc: Loc) -> Iterator[tuple[Loc, Decimal]]:
    if isinstance(value, Decimal):
        yield loc, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _amounts(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _amounts(v, (*loc, i))


def _replace(data: Any, loc: Loc, value: Decimal) -> Any:
    trial = copy.deepcopy(data)
    target = trial
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value
    return trial
