"""`check` asks for whatever the region's document prints from the data (R215, issue 21
item 1): a Shanghai department whose texts are left out is told every one of them, and a
center that declares an item optional is no longer asked for it."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

from budgetreport.checks.validate import check_file
from conftest import DATA

WANLI = "shanghai-putuo-wanli-2025.yaml"


def _without_texts(tmp_path: Path) -> Path:
    yaml = YAML()
    data = yaml.load(DATA / WANLI)
    for line in data["spending"]:
        line.pop("purpose", None)
    data["glossary"]["own"] = []
    del data["reasons"], data["performance_summary"]
    for key in ("abroad", "reception", "vehicle_running"):
        data["three_public"][key].pop("reason")
    for key in ("vehicles_by_kind", "planned_vehicles_by_kind"):
        del data["assets"][key]
    for key in ("sme_reserved", "sme_small_micro"):
        del data["procurement"][key]
    target = tmp_path / "data" / WANLI
    target.parent.mkdir()
    with target.open("w", encoding="utf-8") as out:
        yaml.dump(data, out)
    return target


def _asked(path: Path) -> dict[str, list[int]]:
    """Data path (as the message names it) → lines of its R215 warnings."""
    asked: dict[str, list[int]] = {}
    for p in check_file(path).problems:
        if p.code == "R215":
            assert p.severity.name == "warning"
            path_text = p.message.rpartition('optional: ["')[2].rstrip('"]）')
            asked.setdefault(path_text, []).append(p.line)
    return asked


def test_the_complete_sample_is_asked_nothing():
    assert _asked(DATA / WANLI) == {}


def test_every_printed_text_left_out_is_asked_for(tmp_path):
    path = _without_texts(tmp_path)
    asked = _asked(path)
    assert set(asked) == {
        "glossary.own", "spending[].purpose", "reasons.general_budget", "performance_summary.count",
        "three_public.abroad.reason", "three_public.reception.reason", "three_public.vehicle_running.reason",
        "assets.vehicles_by_kind", "assets.planned_vehicles_by_kind",
        "procurement.sme_reserved", "procurement.sme_small_micro"}
    lines = path.read_text(encoding="utf-8").splitlines()
    # one per 项 funded by 财政拨款, each at its own line
    purposes = asked["spending[].purpose"]
    assert len(purposes) == len(set(purposes)) == 33
    assert all(lines[n - 1].lstrip().startswith("- code:") for n in purposes)
    assert all(n > 1 for n in asked["three_public.abroad.reason"])


def test_a_center_declares_an_item_optional(tmp_path, monkeypatch):
    path = _without_texts(tmp_path)
    (tmp_path / "budgetreport.yaml").write_text("region: shanghai\n", encoding="utf-8")
    center = tmp_path / "templates" / "centers" / "shanghai-putuo-wanli"
    center.mkdir(parents=True)
    (center / "region.yaml").write_text(
        'optional: [procurement.sme_reserved, procurement.sme_small_micro, "spending[].purpose"]\n',
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    asked = _asked(path)
    assert "procurement.sme_reserved" not in asked and "spending[].purpose" not in asked
    assert "glossary.own" in asked


def test_purposes_by_class_stand_for_the_lines(tmp_path):
    """上海市级 writes 用途 per 类 (`purposes`): the 项 lines are then not asked for."""
    path = _without_texts(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text + 'purposes:\n  "201": 一般公共服务\n', encoding="utf-8")
    assert "spending[].purpose" not in _asked(path)


def test_a_misspelt_path_is_told_at_its_line(tmp_path, monkeypatch):
    """`optional: [glosary.own]` would silently excuse nothing."""
    (tmp_path / "budgetreport.yaml").write_text("region: shanghai\n", encoding="utf-8")
    center = tmp_path / "templates" / "centers" / "shanghai-putuo-wanli"
    center.mkdir(parents=True)
    (center / "region.yaml").write_text('optional:\n  - glossary.own\n  - "spending[].purpos"\n',
                                        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    problems = [p for p in check_file(DATA / WANLI).problems if p.code == "E820"]
    assert [(p.line, "spending[].purpos" in p.message) for p in problems] == [(3, True)]
    assert problems[0].file.endswith("shanghai-putuo-wanli/region.yaml")
