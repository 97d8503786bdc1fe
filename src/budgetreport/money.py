"""Money: the one rounding rule, the one formatter, and year-on-year changes.

Amounts stay exact `Decimal` through every sum; rounding (half-up to 0.01 万元) happens
only here, when a figure is shown or a percentage is derived.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

CENT = Decimal("0.01")
ZERO = Decimal(0)
UNIT = "万元"
TABLE_FORMAT = "#,##0.00"  # Excel number format; `table_amount` renders the same in HTML


def total(values: Iterable[Decimal]) -> Decimal:
    """An exact sum (Decimal zero for no values); rounding comes only when shown."""
    return sum(values, ZERO)


def round2(value: Decimal | int) -> Decimal:
    """The single rounding rule: half-up to two decimals."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """The same half-up rule at another step: a figure in 元 as a 万元 table shows it
    (step 100 元), or the other way round."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def amount(value: Decimal) -> str:
    """An amount inside a sentence: no thousands separator, two decimals, with unit."""
    return f"{round2(value):f}{UNIT}"


def number(value: Decimal) -> str:
    """An amount without unit, as in a sentence: "2469.59"."""
    return f"{round2(value):f}"


def table_amount(value: Decimal) -> str:
    """An amount in a table cell, as Excel shows `#,##0.00`."""
    return f"{round2(value):,.2f}"


def percent(part: Decimal, whole: Decimal) -> Decimal:
    return round2(part / whole * 100)


class Direction(str, Enum):
    up = "增加"
    down = "减少"
    flat = "持平"
    new = "新增"


@dataclass(frozen=True)
class Change:
    """This year's figure against last year's, and the words the text uses for it."""

    current: Decimal
    prior: Decimal

    @property
    def delta(self) -> Decimal:
        return self.current - self.prior

    @property
    def direction(self) -> Direction:
        if round2(self.delta) == 0:
            return Direction.flat
        if self.prior == 0:
            return Direction.new
        return Direction.up if self.delta > 0 else Direction.down

    @property
    def pct(self) -> Decimal | None:
        """Percentage change, two decimals; None when last year was zero."""
        return None if self.prior == 0 else percent(abs(self.delta), self.prior)

    def phrase(self, ref: str, *, lead: str = "比", rise: str = "增长",
               with_pct: bool = True) -> str:
        """E.g. "比2021年预算数增加205.14万元，增长8.11%"; "与2021年预算数相比无变化"."""
        d = self.direction
        if d is Direction.flat:
            return f"与{ref}相比无变化"
        verb = "减少" if self.delta < 0 else "增加"
        text = f"{lead}{ref}{verb}{amount(abs(self.delta))}"
        if with_pct and self.pct is not None:
            text += f"，{'下降' if self.delta < 0 else rise}{self.pct:f}%"
        return text

    def pct_phrase(self, ref: str, *, lead: str = "较", rise: str = "上升") -> str:
        """Percentage only, e.g. "较上年上升15.19%"."""
        if self.direction is Direction.flat:
            return f"与{ref}持平"
        if self.pct is None:
            return f"{lead}{ref}新增"
        return f"{lead}{ref}{'下降' if self.delta < 0 else rise}{self.pct:f}%"

    def compare(self, ref: str) -> str:
        """E.g. "与上年预算相比减少0.22万元，下降9.87%"; "与上年预算相比无变化"."""
        if self.direction is Direction.flat:
            return f"与{ref}相比无变化"
        return self.phrase(ref, lead="与").replace(ref, f"{ref}相比", 1)
