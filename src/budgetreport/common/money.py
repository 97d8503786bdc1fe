"""Money: the one rounding rule, the one formatter, and year-on-year changes.

Amounts stay exact `Decimal` through every sum (figures are kept in 万元; a file in 元 is
divided by 10^4, exactly); rounding (half-up) happens only here, when a figure is shown
or a percentage is derived. How a figure is shown — unit (万元 or 元) and decimals — is a
`Display`: tables carry their own; sentences use the one `showing` sets for a rendering.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

CENT = Decimal("0.01")
ZERO = Decimal(0)
UNIT = "万元"
UNIT_FACTOR: dict[str, Decimal] = {"万元": Decimal(1), "元": Decimal(10000)}  # units in 1 万元
TABLE_FORMAT = "#,##0.00"  # Excel number format; `table_amount` renders the same in HTML


def total(values: Iterable[Decimal]) -> Decimal:
    """An exact sum (Decimal zero for no values); rounding comes only when shown."""
    return sum(values, ZERO)


def rounded(value: Decimal | int, places: int = 2) -> Decimal:
    """The single rounding rule: half-up to `places` decimals."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round2(value: Decimal | int) -> Decimal:
    """Half-up to two decimals (`rounded` with its default)."""
    return rounded(value)


def whole_yuan(wan: Decimal) -> bool:
    """True when an amount in 万元 is a whole number of 元 (no 分 to show)."""
    yuan = wan * UNIT_FACTOR["元"]
    return yuan == yuan.to_integral_value()


@dataclass(frozen=True)
class Display:
    """How amounts are shown: in `unit` (万元 or 元), with `places` decimals."""

    unit: str = UNIT
    places: int = 2
    # Changes (amount and %) between the figures as shown, not the exact ones — as documents
    # that subtract their printed figures do (Shanghai: 18976.76 − 15621.11 = 3355.65).
    from_shown: bool = False
    # Sentences of some regions drop zero decimals: "686万元" for 686.00, "686.5万元" for 686.50.
    trim: bool = False
    thousands: bool = False  # sentences with a thousands separator: "1,717.85万元" (Shandong)
    zero: str | None = None  # a zero amount in a table prints as this ("", "0", "-"); None: 0.00
    grouped: bool = True  # table cells with a thousands separator (2,469.59); region table_thousands

    def text(self, wan: Decimal, places: int | None = None) -> str:
        """An amount as a sentence shows it, without unit ("2469.59", trimmed: "686")."""
        value = rounded(wan * UNIT_FACTOR[self.unit], self.places if places is None else places)
        shown = f"{value:,f}" if self.thousands else f"{value:f}"
        if self.trim and "." in shown:
            shown = shown.rstrip("0").rstrip(".")
        return shown

    def value(self, wan: Decimal) -> Decimal:
        """An amount in 万元 as shown: converted (exactly), then rounded by the one rule."""
        return rounded(wan * UNIT_FACTOR[self.unit], self.places)

    def shown(self, wan: Decimal) -> Decimal:
        """An amount in 万元 rounded as it is shown (still in 万元)."""
        return self.value(wan) / UNIT_FACTOR[self.unit]

    @property
    def excel_format(self) -> str:
        """The Excel number format that shows what `table_amount` shows."""
        shown = ("#,##0" if self.grouped else "0") + ("." + "0" * self.places if self.places else "")
        if self.zero is None:
            return shown
        zero = {"": "", "0": "0"}.get(self.zero, f'"{self.zero}"')
        return f"{shown};-{shown};{zero}"


WAN = Display()
_TEXT: ContextVar[Display] = ContextVar("text_display", default=WAN)
# The words of a comparison a region declares (`comparison`: increase, decrease, rise, fall,
# unchanged); a word not declared is the one each phrase has always used.
_WORDS: ContextVar[dict[str, str]] = ContextVar("comparison_words", default={})  # noqa: B039 (never mutated)


@contextmanager
def showing(display: Display, words: dict[str, str] | None = None) -> Iterator[None]:
    """Sentences rendered inside this block show amounts as `display` and word changes with
    `words` (region settings)."""
    token = _TEXT.set(display)
    said = _WORDS.set(dict(words or {}))
    try:
        yield
    finally:
        _WORDS.reset(said)
        _TEXT.reset(token)


def _word(key: str, default: str) -> str:
    return _WORDS.get().get(key, default)


def round_to(value: Decimal, step: Decimal) -> Decimal:
    """The same half-up rule at another step: a figure in 元 as a 万元 table shows it
    (step 100 元), or the other way round."""
    return (value / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step


def amount(value: Decimal, places: int | None = None) -> str:
    """An amount inside a sentence: no thousands separator, with unit ("2469.59万元");
    `places` overrides the decimals for one passage (e.g. 0 for whole 万元)."""
    d = _TEXT.get()
    return f"{d.text(value, places)}{d.unit}"


def amount_trimmed(value: Decimal) -> str:
    """An amount inside a sentence with its zero decimals dropped ("5.6万元", "10万元"), as some
    documents write a figure the department states, whatever the region's `text_decimals`."""
    d = replace(_TEXT.get(), trim=True)
    return f"{d.text(value)}{d.unit}"


def number(value: Decimal) -> str:
    """An amount without unit, as in a sentence: "2469.59"."""
    return _TEXT.get().text(value)


def table_amount(value: Decimal, display: Display = WAN) -> str:
    """An amount in a table cell, as Excel shows `display.excel_format` ("2,469.59")."""
    shown = display.value(value)
    if display.zero is not None and not shown:
        return display.zero
    return f"{shown:,.{display.places}f}" if display.grouped else f"{shown:.{display.places}f}"


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
    def _pair(self) -> tuple[Decimal, Decimal]:
        """(current, prior), as shown when the sentence's display says so."""
        d = _TEXT.get()
        return (d.shown(self.current), d.shown(self.prior)) if d.from_shown else (self.current, self.prior)

    @property
    def delta(self) -> Decimal:
        current, prior = self._pair
        return current - prior

    @property
    def direction(self) -> Direction:
        """Flat when the change shows as zero in the sentence's unit."""
        if _TEXT.get().value(self.delta) == 0:
            return Direction.flat
        if self.prior == 0:
            return Direction.new
        return Direction.up if self.delta > 0 else Direction.down

    @property
    def pct(self) -> Decimal | None:
        """Percentage change, two decimals; None when last year was zero."""
        prior = self._pair[1]
        return None if prior == 0 else percent(abs(self.delta), prior)

    @property
    def significant(self) -> bool:
        """A change that needs its reason stated: ±10% or more, or from nothing."""
        d = self.direction
        return d is Direction.new or (d is not Direction.flat and (self.pct or ZERO) >= 10)

    @property
    def verb(self) -> str:
        """The region's word for the change of the amount: 增加 or 减少 (`comparison`)."""
        return _word("decrease", "减少") if self.delta < 0 else _word("increase", "增加")

    def unchanged(self, default: str = "相比无变化") -> str:
        """The region's word for no change (`comparison.unchanged`), else `default`."""
        return _word("unchanged", default)

    def phrase(self, ref: str, *, lead: str = "比", rise: str | None = None,
               with_pct: bool = True) -> str:
        """E.g. "比2021年预算数增加205.14万元，增长8.11%"; "与2021年预算数相比无变化".
        The words are the region's (`comparison`) unless the template gives `rise`."""
        d = self.direction
        if d is Direction.flat:
            return f"与{ref}{_word('unchanged', '相比无变化')}"
        text = f"{lead}{ref}{self.verb}{amount(abs(self.delta))}"
        if with_pct and self.pct is not None:
            up = rise or _word("rise", "增长")
            text += f"，{_word('fall', '下降') if self.delta < 0 else up}{self.pct:f}%"
        return text

    def pct_phrase(self, ref: str, *, lead: str = "较", rise: str | None = None) -> str:
        """Percentage only, e.g. "较上年上升15.19%"."""
        if self.direction is Direction.flat:
            return f"与{ref}{_word('unchanged', '持平')}"
        if self.pct is None:
            return f"{lead}{ref}新增"
        up = rise or _word("rise", "上升")
        return f"{lead}{ref}{_word('fall', '下降') if self.delta < 0 else up}{self.pct:f}%"

    def compare(self, ref: str) -> str:
        """E.g. "与上年预算相比减少0.22万元，下降9.87%"; "与上年预算相比无变化"."""
        if self.direction is Direction.flat:
            return f"与{ref}{_word('unchanged', '相比无变化')}"
        return self.phrase(ref, lead="与").replace(ref, f"{ref}相比", 1)
