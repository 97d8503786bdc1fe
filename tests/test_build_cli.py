"""`budgetreport build` as a finance officer runs it: what it writes, and what it refuses to.

Every test builds into its own temporary output folder (builds are incremental, so a shared
folder would turn a second build into a skip). Messages are checked by meaning — the file,
line and rule code of a problem — not by the layout of the summary table.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

from conftest import DATA, SAMPLES, line_of, located, run_cli


def files_in(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Every file under `folder` (relative name → bytes, mtime_ns, inode); {} if none."""
    if not folder.exists():
        return {}
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path.relative_to(folder))] = (path.read_bytes(), stat.st_mtime_ns,
                                                    stat.st_ino)
    return found


def outputs(out: Path, sample: str) -> tuple[Path, Path]:
    stem = Path(sample).stem
    return out / stem / f"{stem}.pdf", out / stem / f"{stem}.xlsx"


def test_build_without_paths_builds_both_samples(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "-o", out)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    for sample in SAMPLES:
        pdf, workbook = outputs(out, sample)
        assert pdf.read_bytes().startswith(b"%PDF-"), sample
        assert workbook.read_bytes().startswith(b"PK"), sample  # xlsx is a zip
        assert Path(sample).stem in result.output
    # Nothing else is left behind: no temporary files of the atomic writes.
    assert not [p for p in out.rglob("*.tmp")]


def test_failed_build_keeps_the_previous_outputs(tmp_path: Path, edited) -> None:
    out = tmp_path / "out"
    good = edited("xiamen-2022.yaml")
    first = run_cli("build", "-o", out, good)
    assert first.exit_code == 0, first.output
    pdf, workbook = outputs(out, "xiamen-2022.yaml")
    before = files_in(out)
    assert str(pdf.relative_to(out)) in before and str(workbook.relative_to(out)) in before

    # The same file, now with an amount that no longer adds up.
    text = good.read_text(encoding="utf-8")
    assert text.count("  general_budget: 2735.83\n") == 1
    good.write_text(text.replace("  general_budget: 2735.83\n", "  general_budget: 2735.84\n"),
                    encoding="utf-8")
    second = run_cli("build", "-o", out, good)
    assert second.exit_code == 1, second.output
    assert "Traceback" not in second.output
    # The problem, in Chinese, located at the edited line with its rule code.
    line = line_of(good, "  general_budget: 2735.84")
    assert (line, "R202") in located(second.output, good), second.output
    assert re.search(r"一般公共预算拨款收入 2,735\.84 ≠ .*2,735\.83", second.output), second.output
    # The previous PDF and workbook are untouched: same bytes, same file, same time.
    assert files_in(out) == before


def test_unknown_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-center-2022.yaml"
    out = tmp_path / "out"
    result = run_cli("build", "-o", out, missing)
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "找不到" in result.output and str(missing) in result.output, result.output
    assert files_in(out) == {}


def test_strict_refuses_money_in_free_text_and_writes_nothing(tmp_path: Path, edited) -> None:
    source = edited("xiamen-2022.yaml", ("提升管理水平、提高服务质量。围绕上述任务",
                                         "提升管理水平、提高服务质量，全年安排经费100.00万元。围绕上述任务"))
    line = line_of(source, "全年安排经费100.00万元")
    out = tmp_path / "out"
    strict = run_cli("build", "--strict", "-o", out, source)
    assert strict.exit_code == 1, strict.output
    assert (line, "R602") in located(strict.output, source), strict.output
    assert "100.00万元" in strict.output
    assert files_in(out) == {}

    # Without --strict the same file builds, and the warning is still shown.
    relaxed = run_cli("build", "-o", out, source)
    assert relaxed.exit_code == 0, relaxed.output
    assert (line, "R602") in located(relaxed.output, source), relaxed.output
    assert outputs(out, "xiamen-2022.yaml")[0].read_bytes().startswith(b"%PDF-")


def test_pdf_a_variant(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--pdf-variant", "pdf/a-3b", "-o", out, DATA / "xiamen-2022.yaml")
    assert result.exit_code == 0, result.output
    xmp = subprocess.run(["pdfinfo", "-meta", str(outputs(out, "xiamen-2022.yaml")[0])],
                         capture_output=True, text=True, check=True).stdout
    assert re.search(r'pdfaid:part(="|>)3', xmp), xmp
    assert re.search(r'pdfaid:conformance(="|>)B', xmp), xmp


def test_unsupported_variant_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("build", "--pdf-variant", "pdf/x-4", "-o", out, DATA / "xiamen-2022.yaml")
    assert result.exit_code == 2
    assert "pdf/a-3b" in result.output
    assert files_in(out) == {}


def test_output_files_follow_the_umask(tmp_path: Path) -> None:
    """Atomic writes must not leave the PDF readable by its owner only (mkstemp's 0600)."""
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        result = run_cli("build", "-o", out, DATA / "shangrao-2022.yaml")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    for path in outputs(out, "shangrao-2022.yaml"):
        assert path.stat().st_mode & 0o777 == 0o644, path
