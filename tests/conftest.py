"""Shared helpers: edited copies of the sample files, and reading `check` output back as tuples.

Tests never hard-code line numbers: they edit a copy of a sample with a replacement that must
match exactly once, then find the edited line by searching the copy's text.
"""

from __future__ import annotations

import copy
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from ruamel.yaml import YAML

from budgetreport.checks.schema import parse
from budgetreport.checks.validate import center_key
from budgetreport.inputs.load import Source, read
from budgetreport.inputs.model import Budget
from budgetreport.inputs.resolved import resolve
from budgetreport.publish.build import Built

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SAMPLES = ("xiamen-2022.yaml", "shangrao-2022.yaml")
SHANGHAI = tuple(sorted(p.name for p in DATA.glob("shanghai-*.yaml")))  # region: shanghai

Edit = tuple[str, str]


def growth(current: object, delta: object) -> str:
    """A percentage the references imply but do not print, worked out here from the printed
    figures (independently of money.percent, the code under test): |delta| / last year."""
    cur, d = Decimal(str(current)), Decimal(str(delta))
    return f"{(abs(d) / (cur - d) * 100).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}%"


# Xiamen prints only "下降10%" for 公务接待费 (2.01 this year): last year's figure is derived.
RECEPTION_PRIOR = (Decimal("2.01") / Decimal("0.9")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def replace_once(text: str, old: str, new: str) -> str:
    """Replace `old` by `new`, insisting that `old` occurs exactly once."""
    count = text.count(old)
    assert count == 1, f"expected exactly one {old!r} in the sample, found {count}"
    return text.replace(old, new)


def line_of(path: Path, needle: str, *, exact: bool = False) -> int:
    """1-based number of the only line of `path` containing `needle` (equal to it if exact)."""
    hits = [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if (line.rstrip() == needle if exact else needle in line)]
    assert len(hits) == 1, f"expected exactly one line with {needle!r} in {path}, found {hits}"
    return hits[0]


@pytest.fixture
def edited(tmp_path: Path) -> Callable[..., Path]:
    """edited("xiamen-2022.yaml", (old, new), ..., name=None) -> path of an edited copy.

    The copy keeps the sample's file name unless `name` is given (the name decides the
    center's template folder, so keep the "<center>-<year>.yaml" shape)."""

    def make(sample: str, *edits: Edit, name: str | None = None, folder: str = "") -> Path:
        text = (DATA / sample).read_text(encoding="utf-8")
        for old, new in edits:
            text = replace_once(text, old, new)
        target = tmp_path / folder / (name or sample)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    return make


# --- reading `budgetreport check` output ----------------------------------------------

_LINE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+))?: (?P<warn>警告：)?(?P<message>.*) "
                   r"\[(?P<code>[A-Z]\d{3})\]$")


@dataclass(frozen=True)
class Reported:
    file: str
    line: int
    code: str
    message: str
    warning: bool

    def names(self, path: Path) -> bool:
        """True if the reported file is `path` (messages may show it relative to cwd)."""
        return Path(self.file).resolve() == path.resolve()


def reported(output: str) -> list[Reported]:
    """Every problem line printed by `check`."""
    out = []
    for raw in output.splitlines():
        if m := _LINE.match(raw):
            out.append(Reported(m["file"], int(m["line"] or 0), m["code"], m["message"],
                                bool(m["warn"])))
    return out


def located(output: str, path: Path) -> set[tuple[int, str]]:
    """(line, code) of every problem reported for `path`."""
    return {(r.line, r.code) for r in reported(output) if r.names(path)}


def run_cli(*args: str | Path) -> Result:
    from budgetreport.commands.cli import main  # imported here: a broken CLI fails only the CLI tests

    return CliRunner().invoke(main, [str(a) for a in args])


# --- data-level editing for the rule tests --------------------------------------------


@dataclass
class Sample:
    """A sample loaded as plain data, to be edited and validated again."""

    source: Source

    def data(self) -> dict[str, Any]:
        return copy.deepcopy(self.source.data)


def load_sample(name: str) -> Sample:
    return Sample(read(DATA / name))


def run_rule(rule: Callable[..., Any], data: dict[str, Any], sample: str) -> list[Any]:
    """Validate `data` and run one rule on it with the sample's catalogue and region."""
    budget = Budget.model_validate(data)
    resolved = resolve(budget.department.region, budget.department.year, center_key(DATA / sample))
    return list(rule(budget, resolved.catalogue, resolved))


def in_yuan(sample: str, target: Path) -> None:
    """Write `sample` with unit 元: every amount (a Decimal of the model) times 10000."""

    def walk(value: Any) -> Any:
        if isinstance(value, Decimal):
            return value * 10000
        if isinstance(value, Enum):
            return value.value
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    data = walk(parse(read(DATA / sample)).model_dump(exclude_defaults=True))
    data["unit"] = "元"
    yaml = YAML(typ="safe", pure=True)
    yaml.representer.add_representer(
        Decimal, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", f"{d:f}"))
    with target.open("w", encoding="utf-8") as fh:
        yaml.dump(data, fh)


class Generated:
    """A sample built once: its PDF's text and its workbook's sheets, as the region tests
    read them back."""

    def __init__(self, built: Built) -> None:
        self.built = built

    @cached_property
    def text(self) -> str:
        return subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(self.built.pdf), "-"],
                              capture_output=True, text=True, check=True).stdout

    @cached_property
    def all_sheets(self) -> list[tuple[str, list[tuple[object, ...]]]]:
        """(title in the first cell, rows) of every sheet, in order."""
        wb = load_workbook(self.built.workbook, read_only=True)
        return [(str(next(ws.iter_rows(max_row=1, values_only=True))[0]), list(ws.iter_rows(values_only=True)))
                for ws in wb.worksheets]

    @cached_property
    def sheets(self) -> dict[str, list[tuple[object, ...]]]:
        return dict(self.all_sheets)


def lowest_headers(rows: list[tuple[object, ...]]) -> tuple[int, dict[str, list[int]]]:
    """The first body row of a sheet and, per header text, the columns it is the lowest header of."""
    body = next(i for i, r in enumerate(rows) if i > 2 and any(isinstance(c, (int, float)) for c in r))
    lowest: dict[int, str] = {}
    for r in rows[2:body]:
        for j, c in enumerate(r):
            if c not in (None, ""):
                lowest[j] = str(c)
    out: dict[str, list[int]] = {}
    for j, h in lowest.items():
        out.setdefault(h, []).append(j)
    return body, out
