"""Nothing a user gives is ignored: every field of the data model, set to a marker value in a
sample, shows up in the document or the 附表, or changes what `check` reports.

The test walks the model (not a hand-kept list), so a field added later without being
printed or checked fails here until it is."""

from __future__ import annotations

import copy
import datetime as dt
import typing
from collections.abc import Iterator
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from budgetreport.checks.validate import check_file
from budgetreport.common.problems import BudgetError
from budgetreport.inputs.load import read
from budgetreport.inputs.model import Budget
from budgetreport.publish.build import prepare
from conftest import DATA, SAMPLES, SHANGHAI

MARKER = "标记文字甲乙丙"
# Samples that hold a container the others lack (income.carryover_by: carry-over by fund).
FURTHER = ("beijing-xcb-2026.yaml",)


def _models(tp: Any) -> list[type[BaseModel]]:
    """The models inside an annotation (list[X], X | None, dict[K, X], Block unions)."""
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    return [m for arg in typing.get_args(tp) for m in _models(arg)]


def fields(model: type[BaseModel], seen: set[str] | None = None) -> Iterator[str]:
    """Model.field for every field reachable from `model`."""
    seen = set() if seen is None else seen
    if model.__name__ in seen:
        return
    seen.add(model.__name__)
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}"
        for inner in _models(info.annotation):
            yield from fields(inner, seen)


def places(data: Any, model: type[BaseModel], path: tuple[Any, ...] = ()) -> Iterator[
        tuple[str, tuple[Any, ...], Any]]:
    """(Model.field, data path, annotation) of every field whose container exists in `data`:
    a list contributes its first item."""
    if not isinstance(data, dict):
        return
    for name, info in model.model_fields.items():
        yield f"{model.__name__}.{name}", path + (name,), info.annotation
        value = data.get(name)
        inner = _models(info.annotation)
        if not inner or value is None:
            continue
        if isinstance(value, list):
            for item in value:
                for sub in inner:
                    if isinstance(item, dict) and set(item) <= set(sub.model_fields):
                        yield from places(item, sub, path + (name, value.index(item)))
                        break
                else:
                    continue
                break
        elif isinstance(value, dict):
            yield from places(value, inner[0], path + (name,))


def marker_for(annotation: Any, current: Any) -> Any:
    """A value of the field's type that differs from `current`."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    kinds = [typing.get_origin(a) or a for a in args]
    if isinstance(current, bool) or bool in kinds:
        return not current
    if isinstance(current, Decimal) or Decimal in kinds or "Decimal" in str(annotation):
        return (current or Decimal(0)) + Decimal("0.01")
    if isinstance(current, int) or int in kinds:
        return (current or 0) + 1
    if isinstance(current, dt.date) or dt.date in kinds or "date" in str(annotation):
        return "2022-03-17"
    for kind in kinds:
        if isinstance(kind, type) and issubclass(kind, Enum):
            return next(e.value for e in kind if e.value != current)
    if list in kinds:
        return [MARKER] if not current else [*current, current[0]] if not isinstance(
            current[0], str) else [*current, MARKER]
    if dict in kinds:
        return {**(current or {}), "body": MARKER}
    if typing.get_origin(annotation) is typing.Literal or any(
            typing.get_origin(a) is typing.Literal for a in args):
        literal = next(a for a in [annotation, *args] if typing.get_origin(a) is typing.Literal)
        return next(v for v in typing.get_args(literal) if v != current)
    return MARKER


def observe(path: Path, data: dict[str, Any]) -> tuple[str, ...]:
    """What a user sees of `data`: the problems check reports, the HTML and the table cells."""
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.representer.add_representer(
        Decimal, lambda r, d: r.represent_scalar("tag:yaml.org,2002:float", f"{d:f}"))
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    checked = check_file(path, buffer.getvalue().encode("utf-8"))
    problems = tuple(f"{p.code}:{p.message}" for p in checked.problems)
    try:
        prepared = prepare(checked)
    except BudgetError as exc:
        return problems + tuple(f"{p.code}:{p.message}" for p in exc.problems)
    cells = [str(c.value) for t in prepared.tables for r in t.rows for c in r.cells if c]
    return (*problems, prepared.html, *cells)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    target: Any = data
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def used_fields() -> dict[str, str]:
    """Model.field → how it was seen used (first sample that shows it)."""
    used: dict[str, str] = {}
    for sample in (*SAMPLES, *SHANGHAI, *FURTHER):
        path = DATA / sample
        base = read(path).data
        plain = _plain(base)
        before = observe(path, plain)
        for field, where, annotation in places(plain, Budget):
            if field in used:
                continue
            data = copy.deepcopy(plain)
            current = _get(data, where)
            if current is None:  # not written: the marker must differ from the default
                current = _default(where)
            _set(data, where, marker_for(annotation, current))
            if observe(path, data) != before:
                used[field] = sample
    return used


def _default(path: tuple[Any, ...]) -> Any:
    """The model's default for the field at `path` (None for none or a factory)."""
    model: Any = Budget
    info = None
    for part in path:
        if isinstance(part, int):
            continue
        info = model.model_fields[part]
        inner = _models(info.annotation)
        model = inner[0] if inner else None
    default = getattr(info, "default", None)
    return default.value if isinstance(default, Enum) else default if isinstance(default, str) else None


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data.get(part) if isinstance(data, dict) else data[part]
        if data is None:
            return None
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


# Fields no sample holds a container for; each is covered by a test of its own.
NOT_IN_SAMPLES: dict[str, str] = {
    "Budget.transfers": "test_transfer_fields_are_shown",
    "TransferItem.name": "test_transfer_fields_are_shown",
    "TransferItem.code": "test_transfer_fields_are_shown",
    "TransferItem.amount": "test_transfer_fields_are_shown",
    # set in a sample where it already leaves the item within its 款: a larger figure is checked
    "ThreePublicItem.in_projects": "test_in_projects_is_checked",
}


def test_transfer_fields_are_shown() -> None:
    path = DATA / "xiamen-2022.yaml"
    data = _plain(read(path).data)
    data["transfers"] = [{"name": MARKER, "code": "2210201", "amount": Decimal("12.34")}]
    seen = "\n".join(observe(path, data))
    assert MARKER in seen and "2210201" in seen and "12.34" in seen


def test_in_projects_is_checked() -> None:
    path = DATA / "shanghai-czj-2025.yaml"
    data = _plain(read(path).data)
    reception = data["three_public"]["reception"]
    assert "R303" not in "".join(observe(path, data))
    reception["in_projects"] = Decimal("62999")
    assert any(s.startswith("R303:") and "191,001" in s for s in observe(path, data))


def test_every_field_is_shown_or_checked() -> None:
    used = used_fields()
    unused = sorted(set(fields(Budget)) - set(used) - set(NOT_IN_SAMPLES))
    assert unused == [], unused
