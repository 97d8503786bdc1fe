"""Region variants by declaration: a sub-region (a city's form, "fujian/xm") takes its
region's settings and tables and overrides what differs; a sub-region whose region.yaml says
`years:` is a year variant, taken for a document of those years when the data names its
region. Nothing in Python names a region."""

from __future__ import annotations

from pathlib import Path

import pytest

from budgetreport.checks.validate import check_file
from budgetreport.inputs.region import known_regions, load_region
from budgetreport.publish.build import prepare
from conftest import DATA, run_cli


@pytest.fixture
def ws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace whose fujian region has sub-regions the test writes."""
    (tmp_path / "budgetreport.yaml").write_text("region: fujian\n", encoding="utf-8")
    (tmp_path / "templates" / "regions" / "fujian").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sub_region(ws: Path, path: str, settings: str) -> Path:
    folder = ws / "templates" / "regions" / path
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "region.yaml").write_text(settings, encoding="utf-8")
    return folder


def data_for(ws: Path, region: str, year: int = 2022) -> Path:
    text = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
    assert "  region: fujian\n" in text
    text = text.replace("  region: fujian\n", f"  region: {region}\n", 1)
    if year != 2022:
        text = text.replace("  year: 2022\n", f"  year: {year}\n", 1)
    out = ws / "data" / f"xiamen-{region.replace('/', '-')}.yaml"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def html(data: Path) -> str:
    checked = check_file(data)
    assert not checked.errors(), checked.errors()
    return prepare(checked).html


def test_a_sub_region_is_known_and_overrides_only_what_differs(ws: Path) -> None:
    folder = sub_region(ws, "fujian/xm", "text_decimals: trim\n")
    (folder / "tables").mkdir()
    (folder / "tables" / "three_public.yaml").write_text("title: 厦门式三公经费表\n", encoding="utf-8")
    assert "fujian/xm" in known_regions()
    region = load_region("fujian/xm")
    assert region.folders[0] == folder.resolve()
    assert region.settings["table_numbering"] == load_region("fujian").settings["table_numbering"]
    page = html(data_for(ws, "fujian/xm"))
    assert "厦门式三公经费表" in page  # the sub-region's declaration, key by key over fujian's
    assert "政府性基金拨款收入0万元" in page  # its text style
    assert "政府性基金拨款收入0.00万元" in html(data_for(ws, "fujian"))  # the region unchanged


def test_a_folder_without_settings_is_not_a_sub_region(ws: Path) -> None:
    (ws / "templates" / "regions" / "fujian" / "notes").mkdir()
    assert "fujian/notes" not in known_regions() and "fujian/tables" not in known_regions()


def test_a_year_variant_is_taken_for_its_years(ws: Path) -> None:
    sub_region(ws, "fujian/old", "years: 2020-2022\ntext_decimals: trim\n")
    assert "政府性基金拨款收入0万元" in html(data_for(ws, "fujian"))  # 2022: the variant
    assert load_region("fujian", year=2023).key == "fujian"
    assert load_region("fujian", year=2021).key == "fujian/old"
    assert load_region("fujian", year=2025).key == "fujian"


@pytest.mark.parametrize("years, taken", [("2021", {2021}), ("2024-", {2024, 2030}),
                                          ("[2021, 2022]", {2021, 2022})])
def test_years_are_a_year_a_range_or_open(ws: Path, years: str, taken: set[int]) -> None:
    sub_region(ws, "fujian/form", f"years: {years}\n")
    for year in (2019, 2020, 2021, 2022, 2023, 2024, 2030):
        assert (load_region("fujian", year=year).key == "fujian/form") == (year in taken), year


def test_a_variant_named_for_a_year_outside_its_range_is_an_error(ws: Path) -> None:
    settings = sub_region(ws, "fujian/old", "# 旧版式\nyears: 2018-2020\n") / "region.yaml"
    [p] = [p for p in check_file(data_for(ws, "fujian/old")).errors() if p.code == "E820"]
    assert (Path(p.file).resolve(), p.line) == (settings.resolve(), 2)
    assert "2018—2020年" in p.message and "2022年" in p.message


def test_years_that_say_no_year_are_an_error_at_their_line(ws: Path) -> None:
    settings = sub_region(ws, "fujian/odd", "name: 厦门\nyears: 近几年\n") / "region.yaml"
    [p] = [p for p in check_file(data_for(ws, "fujian")).errors() if p.code == "E820"]
    assert (Path(p.file).resolve(), p.line) == (settings.resolve(), 2) and "years" in p.message


def test_new_writes_a_skeleton_for_a_sub_region(ws: Path) -> None:
    sub_region(ws, "fujian/xm", "text_decimals: trim\n")
    result = run_cli("new", "--region", "fujian/xm", "--name", "厦门市某局", "--year", "2026",
                     "-o", ws / "data" / "new.yaml")
    assert result.exit_code == 0, result.output
    assert "region: fujian/xm" in (ws / "data" / "new.yaml").read_text(encoding="utf-8")


def test_an_unknown_sub_region_is_refused_with_the_known_ones(ws: Path) -> None:
    sub_region(ws, "fujian/xm", "text_decimals: trim\n")
    [p] = [p for p in check_file(data_for(ws, "fujian/zz")).errors() if p.code == "E201"]
    assert "fujian/xm" in p.message
