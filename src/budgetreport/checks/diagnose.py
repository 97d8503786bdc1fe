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
    found: list[tuple[Loc, Decimal, Decimal]] = []
    for loc, value in amounts(data, ()):
        for fixed in sorted({value + s * g for g in gaps for s in (1, -1) if value + s * g >= 0}):
            if _balanced(_replace(data, loc, fixed), catalogue, resolved):
                found.append((loc, value, fixed))
    if not found or len(found) > MAX_SUSPECTS:
        return []
    # One hint, at the likeliest typing slip (a digit changed, two swapped, one left out or
    # doubled; among equal slips a line of a list before a total — many lines are typed, each
    # total once — then the longer figure, more keys typed); the other figures that would
    # balance the sums as well follow it.
    ranked = sorted(found, key=lambda s: (_slip(s[1], s[2]), -len(s[0]), -len(s[1].as_tuple().digits)))
    (loc, value, fixed), others = ranked[0], ranked[1:]
    also = "；同样能使其平衡的还有：" + "、".join(
        f"{describe(o_loc, data)} {show(o_value)}（若为 {show(o_fixed)}）" for o_loc, o_value, o_fixed in others
    ) if others else ""
    return [Finding("R200", f"{describe(loc, data)} {show(value)} 可能有误：若为 {show(fixed)}，"
                    f"以上不平衡的合计全部平衡（{path_text(loc)}）{also}", loc, Severity.hint)]


def _slip(typed: Decimal, meant: Decimal) -> int:
    """How many keystrokes turn `meant` into `typed` (substitution, insertion, deletion,
    swap of neighbours): a mistyped figure is usually one."""
    places = max(-min(x.as_tuple().exponent for x in (typed, meant)), 0)  # type: ignore[operator]
    a, b = (f"{x:.{places}f}" for x in (typed, meant))
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def _balanced(data: Any, catalogue: Catalogue, resolved: Resolved) -> bool:
    """No sum is out of balance any more (the ones that were, and no new one)."""
    try:
        budget = Budget.model_validate(data)
    except ValidationError:
        return False
    return not any(f.gap is not None for rule in RULES for f in rule(budget, catalogue, resolved))


def amounts(value: Any, loc: Loc) -> Iterator[tuple[Loc, Decimal]]:
    if isinstance(value, Decimal):
        yield loc, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from amounts(v, (*loc, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from amounts(v, (*loc, i))


def _replace(data: Any, loc: Loc, value: Decimal) -> Any:
    trial = copy.deepcopy(data)
    target = trial
    for part in loc[:-1]:
        target = target[part]
    target[loc[-1]] = value
    return trial
