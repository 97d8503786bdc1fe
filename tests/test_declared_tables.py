"""The declared 附表 hold the samples to their reviewed output: every table of the seven
samples — titles, numbering, header merges, column widths, every cell and declared sum — is
compared with `snapshots/tables/<sample>.json`.

Regenerate after a deliberate change, then review the diff before committing:
    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_declared_tables.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import DATA
from table_dump import dumps, tables_json

SNAPSHOTS = Path(__file__).parent / "snapshots" / "tables"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
SAMPLES = sorted(p.name for p in DATA.glob("*.yaml"))


def test_there_are_seven_samples() -> None:
    assert len(SAMPLES) == 7


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_tables_match_snapshot(sample: str) -> None:
    snapshot = SNAPSHOTS / sample.replace(".yaml", ".json")
    text = dumps(tables_json(DATA / sample))
    if UPDATE:
        snapshot.write_text(text, encoding="utf-8")
        pytest.skip(f"快照已重写：{snapshot}，请审阅 git diff")
    assert snapshot.is_file(), f"没有快照 {snapshot}"
    expected = snapshot.read_text(encoding="utf-8").splitlines()
    actual = text.splitlines()
    for i, (a, e) in enumerate(zip(actual, expected, strict=False), 1):
        assert a == e, f"{snapshot.name} 第{i}行不同"
    assert len(actual) == len(expected)
