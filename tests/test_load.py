"""The fast YAML reader (libyaml events) gives exactly what the round-trip reader gives —
data, types and every position — or hands the file over to it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from budgetreport.common.problems import BudgetError
from budgetreport.inputs import load
from budgetreport.inputs.load import NumberText

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "data").glob("*.yaml")) + sorted((ROOT / "tests" / "samples").rglob("*.yaml"))

# Plain files the fast reader must take itself, covering every scalar form it resolves.
PLAIN = {
    "scalars": "a: 1\nb: -0\nc: +5\nd: 0xAAF\ne: 030101\nf: 1_000\ng: 0o17\nh: 1.50\ni: .5\n"
               "j: 1e3\nk: .inf\nl: -.nan\nm: true\nn: False\no: null\np: ~\nq:\nr: 2022-02-30\n"
               "s: 2022-02-15T10:00:00\nt: yes\nu: 1:30\nv: 1.2.3\nw: '12'\nx: \"true\"\ny: 测试\n"
               "z: 00123.40\n",
    "keys": "2022: a\n'2022x': b\n? 明确的键\n: f\n\"带引号\": g\n",
    "blocks": "a: |\n  第一行\n  第二行\nb: >-\n  折叠\n  的文字\nc: 多行\n  的纯文字\nd: |+\n  保留\n\n",
    "nesting": "a:\n  - x: 1\n    y: [1, 2, {z: 3}]\n  -\n    - 嵌套\n    - - 更深\n  - {}\n  - []\n"
               "b: {c: {d: {e: [f]}}}\n",
    "markers": "# 注释\n---\na: 1 # 行尾注释\nb:\n  - 1\n...\n",
    "crlf": "a: 1\r\nb:\r\n  - x\r\n  - y: 2\r\n",
    "bom": "\ufeffa: 1\nb: [1]\n",
    "indentless": "a:\n- 1\n- b: 2\n  c: 3\n",
}
# Files the fast reader hands over: each still reads exactly as before.
UNUSUAL = {
    "anchor": "a: &x [1, 2]\nb: *x\n",
    "merge": "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
    "tag": "a: !!str 3\n",
    "custom tag": "a: !custom 3\n",
    "directive": "%YAML 1.1\n---\na: 0777\nb: yes\n",
    "repeated key": "a: 1\na: 2\n",
    "int and text key": "1: a\n'1': b\n",
    "complex key": "? [a, b]\n: 1\n",
    "true as key": "true: c\n", "number as key": "1.50: d\n", "null as key": "~: e\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "list at top": "- 1\n",
    "empty": "",
    "syntax error": "a: [1,\n",
    "deep": "a: " + "[" * 60 + "]" * 60 + "\n",
}


def both(text: str) -> tuple[str, str]:
    """(fast result, round-trip result) for `text`: data and positions, or the problems."""
    results = []
    for fast in (True, False):
        original = load.fast_read
        if not fast:
            load.fast_read = lambda *_args: None  # type: ignore[assignment]
        try:
            source = load.read(Path("x.yaml"), text.encode())
            results.append(repr((source.data, source.lines, _types(source.data))))
        except BudgetError as exc:
            results.append(repr([str(p) for p in exc.problems]))
        finally:
            load.fast_read = original
    return results[0], results[1]


def _types(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value).__name__


@pytest.mark.parametrize("file", FILES, ids=lambda f: f.name)
def test_samples_read_fast_and_the_same(file: Path) -> None:
    text = file.read_text(encoding="utf-8")
    assert load.fast_read(text) is not None
    fast, slow = both(text)
    assert fast == slow


@pytest.mark.parametrize("name", PLAIN)
def test_plain_forms_read_fast_and_the_same(name: str) -> None:
    assert load.fast_read(PLAIN[name]) is not None
    fast, slow = both(PLAIN[name])
    assert fast == slow


@pytest.mark.parametrize("name", UNUSUAL)
def test_unusual_files_are_handed_over(name: str) -> None:
    assert load.fast_read(UNUSUAL[name]) is None
    fast, slow = both(UNUSUAL[name])
    assert fast == slow


def test_scalar_types() -> None:
    data, lines = load.fast_read(PLAIN["scalars"]) or ({}, {})
    assert data["a"] == 1 and type(data["a"]) is int
    assert data["d"] == NumberText("0xAAF") and data["e"] == NumberText("030101")
    assert data["h"] == Decimal("1.50") and str(data["h"]) == "1.50"
    assert data["k"] == ".inf" and data["m"] is True and data["o"] is None and data["q"] is None
    assert data["r"] == "2022-02-30" and data["t"] == "yes" and data["w"] == "12"
    assert lines[("y",)] == (25, 1)


def test_refused_characters_are_yamls_non_printable_set_and_bidi_overrides() -> None:
    printable = re.compile("[\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    bidi = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
    every = "".join(map(chr, range(0x110000)))
    refused = {m.start() for m in load.NON_PRINTABLE.finditer(every)}
    assert refused == {c for c in range(0x110000) if not printable.match(chr(c)) or c in bidi}


def test_plain_stem_is_the_documented_pattern() -> None:
    from budgetreport.common.names import plain_stem

    pattern = re.compile(r"[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z_\-\u4e00-\u9fff]{0,63}")
    every = [chr(c) for c in range(0x30000) if not 0xD800 <= c <= 0xDFFF]
    for c in every:
        for stem in (c, "a" + c, c + "a"):
            assert plain_stem(stem) == bool(pattern.fullmatch(stem)), repr(stem)
    for stem in ("", "a" * 64, "a" * 65, "厦" * 64 + "门", "..", "-a", "_a", "a-2022", "a b", "a/b"):
        assert plain_stem(stem) == bool(pattern.fullmatch(stem)), stem


def test_glossary_reads_the_same_through_either_reader(monkeypatch: pytest.MonkeyPatch) -> None:
    from budgetreport.inputs import catalogue

    catalogue._glossary.cache_clear()
    fast = catalogue.standard_glossary()
    catalogue._glossary.cache_clear()
    monkeypatch.setattr(load, "fast_read", lambda *_args: None)  # load.parse reads every user YAML
    assert catalogue.standard_glossary() == fast and len(fast) > 10
    catalogue._glossary.cache_clear()
