"""Interruptions and full disks injected at every stage (tests/faults/sitecustomize.py makes
the n-th call of a stage fail or be signalled, so no test depends on timing luck).

A build of changed data over an earlier output is stopped at each stage; afterwards the
output folder must hold either the earlier set with its record, or a complete new set with
a new record, or no record at all (the next build rebuilds) — never a mixed PDF and workbook
under a record. `check`, `import --into`, `new` and `diff --html` are stopped too: the files
they were given stay as they were, and nothing half written is left behind.
"""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import DATA, ROOT
from test_hostile_corpus import Run, chinese, run

FAULTS = ROOT / "tests" / "faults"
X = (DATA / "xiamen-2022.yaml").read_text(encoding="utf-8")
RENAMED = X.replace("  name: 厦门市住房公积金中心\n", "  name: 厦门市住房公积金管理中心\n")
OFF = X.replace("    personnel: 23.67\n", "    personnel: 23.66\n", 1)
INTERRUPTED = 130


@dataclass(frozen=True)
class Fault:
    id: str
    spec: str  # BUDGETREPORT_FAULT
    status: tuple[int, ...]
    words: tuple[str, ...] = ()


BUILD_FAULTS = [
    Fault("Ctrl-C while loading", "sigint:budgetreport.inputs.load.read:1", (INTERRUPTED,), ("已中断",)),
    Fault("Ctrl-C while rendering", "sigint:budgetreport.layout.render.render_html:1", (INTERRUPTED,), ("已中断",)),
    Fault("SIGTERM while rendering", "sigterm:budgetreport.layout.render.render_html:1", (INTERRUPTED, 1)),
    Fault("Ctrl-C while laying out", "sigint:budgetreport.publish.pdf.render_pdf:1", (INTERRUPTED,), ("已中断",)),
    Fault("Ctrl-C staging the workbook", "sigint:budgetreport.common.files._stage:2", (INTERRUPTED,), ("已中断",)),
    Fault("Ctrl-C between the renames", "sigint:rename:2", (INTERRUPTED,), ("已中断",)),
    Fault("SIGTERM to the main process between the renames", "sigterm-main:rename:2", (INTERRUPTED,)),
    Fault("killed between the renames", "kill:rename:2", (1, -9, 137)),
    Fault("disk full staging the PDF", "enospc:budgetreport.common.files._stage:1", (1,),
          ("磁盘空间不足", ".pdf")),
    Fault("disk full staging the workbook", "enospc:budgetreport.common.files._stage:2", (1,),
          ("磁盘空间不足", ".xlsx")),
    Fault("disk full writing the record", "enospc:budgetreport.common.files._stage:3", (1,), ("磁盘空间不足",)),
    Fault("read-only while renaming", "erofs:rename:1", (1,), ("只读",)),
    Fault("I/O error reading the data", "eio:budgetreport.inputs.load.read:1", (1,), ("磁盘读写出错",)),
]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def fault_run(spec: str, *args: str | Path, cwd: Path) -> Run:
    return run(*args, cwd=cwd, env={"PYTHONPATH": str(FAULTS), "BUDGETREPORT_FAULT": spec,
                                    "XDG_CACHE_HOME": str(cwd / ".cache")}, timeout=300)


@pytest.fixture(scope="module")
def earlier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Xiamen built once: the earlier output every fault case starts from."""
    home = tmp_path_factory.mktemp("earlier")
    (home / "xiamen-2022.yaml").write_text(X, encoding="utf-8")
    done = run("build", "-o", "out", "xiamen-2022.yaml", cwd=home)
    assert done.status == 0, done.stderr
    return home / "out"


@pytest.fixture(scope="module")
def builds(earlier: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Run]]:
    home = tmp_path_factory.mktemp("faults")

    def one(index: int, fault: Fault) -> tuple[str, tuple[Path, Run]]:
        folder = home / f"f{index:02d}"
        folder.mkdir()
        (folder / "xiamen-2022.yaml").write_text(RENAMED, encoding="utf-8")
        shutil.copytree(earlier, folder / "out")
        return fault.id, (folder, fault_run(fault.spec, "build", "-o", "out", "xiamen-2022.yaml", cwd=folder))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(lambda pair: one(*pair), enumerate(BUILD_FAULTS)))


@pytest.mark.parametrize("fault", BUILD_FAULTS, ids=[f.id for f in BUILD_FAULTS])
def test_a_stopped_build_leaves_a_matching_set(earlier: Path, builds, fault: Fault) -> None:  # type: ignore[no-untyped-def]
    folder, result = builds[fault.id]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.status in fault.status, (result.status, output[-2000:])
    for word in fault.words:
        assert word in output, (word, output[-2000:])
    assert not [line for line in output.splitlines() if chinese(line, "xiamen out pdf xlsx")], output
    before, after = snapshot(earlier), snapshot(folder / "out")
    pdf, workbook, record = (f"xiamen-2022/{n}" for n in ("xiamen-2022.pdf", "xiamen-2022.xlsx", ".inputs.sha256"))
    if record in after:
        untouched = all(after.get(k) == before[k] for k in (pdf, workbook, record))
        renewed = all(after.get(k) not in (None, before[k]) for k in (pdf, workbook, record))
        assert untouched or renewed, "a PDF and a workbook of different versions under a record"
    if not fault.id.startswith("killed"):  # a killed process cleans nothing; the next build does
        assert not [k for k in after if k.endswith(".tmp")], after.keys()
    if result.status != 0 and fault.spec.split(":")[1] != "rename" and not fault.spec.endswith("_stage:3"):
        assert after == before, "a failed build changed the earlier output"  # stopped before the renames


def test_the_next_build_after_a_kill_rebuilds_a_matching_set(builds) -> None:  # type: ignore[no-untyped-def]
    folder, _ = builds["killed between the renames"]
    again = run("build", "-o", "out", "xiamen-2022.yaml", cwd=folder)
    assert again.status == 0 and "已生成" in again.stdout, again.stdout + again.stderr
    after = snapshot(folder / "out")
    assert not [k for k in after if k.endswith(".tmp")]
    from openpyxl import load_workbook

    book = load_workbook(folder / "out" / "xiamen-2022" / "xiamen-2022.xlsx")
    assert "厦门市住房公积金管理中心" in str(book.properties.creator)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(folder / "out" / "xiamen-2022" / "xiamen-2022.pdf"))
    assert "管理中心" in pdf[0].get_textpage().get_text_range()


# --- other commands, stopped or starved -------------------------------------------------------

@dataclass(frozen=True)
class Other:
    id: str
    spec: str
    args: tuple[str, ...]
    status: tuple[int, ...]
    kept: tuple[str, ...] = ()  # files that must be byte for byte as before
    absent: tuple[str, ...] = ()  # files that must not exist afterwards (nothing half written)
    words: tuple[str, ...] = ()


ROLL = ("new", "--from", "xiamen-2022.yaml", "--year", "2023")
OTHERS = [
    Other("check: Ctrl-C on the second file", "sigint:budgetreport.inputs.load.read:2", ("check", "."), (INTERRUPTED,),
          words=("已中断",)),
    Other("check: I/O error on a file", "eio:budgetreport.inputs.load.read:1", ("check", "."), (1,),
          words=("磁盘读写出错",)),
    Other("new: disk full", "enospc:budgetreport.common.files._stage:1", ROLL, (1,),
          kept=("xiamen-2022.yaml",), absent=("xiamen-2023.yaml",), words=("磁盘空间不足", "xiamen-2023.yaml")),
    Other("new: Ctrl-C while writing", "sigint:budgetreport.common.files._stage:1", ROLL,
          (INTERRUPTED,), kept=("xiamen-2022.yaml",), absent=("xiamen-2023.yaml",)),
    Other("new --xlsx: disk full", "enospc:budgetreport.common.files._stage:1",
          ("new", "--from", "xiamen-2022.yaml", "--year", "2023", "--xlsx", "b.xlsx"), (1,),
          absent=("b.xlsx",), words=("磁盘空间不足",)),
    Other("diff --html: disk full", "enospc:budgetreport.common.files._stage:1",
          ("diff", "xiamen-2022.yaml", "xiamen-2022.yaml", "--html", "d.html"), (1,), absent=("d.html",),
          words=("磁盘空间不足", "d.html")),
    Other("schema -o: read-only", "erofs:budgetreport.common.files._stage:1", ("schema", "-o", "s.json"), (1,),
          absent=("s.json",), words=("只读", "s.json")),
    Other("init: disk full", "enospc:budgetreport.common.files._stage:2", ("init", "w"), (1,),
          absent=("w/budgetreport.yaml",),
          words=("磁盘空间不足",)),
    Other("import --into: disk full", "enospc:budgetreport.common.files._stage:1",
          ("import", "x.xlsx", "--into", "y-2022.yaml"), (1,), kept=("y-2022.yaml",), words=("磁盘空间不足",)),
    Other("import --into: Ctrl-C while writing", "sigint:rename:1", ("import", "x.xlsx", "--into", "y-2022.yaml"),
          (INTERRUPTED,), kept=("y-2022.yaml",), words=("已中断",)),
    Other("import -o: disk full", "enospc:budgetreport.common.files._stage:1",
          ("import", "x.xlsx", "-o", "n-2022.yaml", "--region", "fujian"), (1,), absent=("n-2022.yaml",),
          words=("磁盘空间不足",)),
]


@pytest.fixture(scope="module")
def others(earlier: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Run, dict, dict]]:
    home = tmp_path_factory.mktemp("others")

    def one(index: int, case: Other) -> tuple[str, tuple[Path, Run, dict, dict]]:
        folder = home / f"o{index:02d}"
        folder.mkdir()
        (folder / "xiamen-2022.yaml").write_text(X, encoding="utf-8")
        (folder / "shangrao-2022.yaml").write_bytes((DATA / "shangrao-2022.yaml").read_bytes())
        (folder / "y-2022.yaml").write_text(OFF, encoding="utf-8")  # one figure the import changes
        shutil.copy(earlier / "xiamen-2022" / "xiamen-2022.xlsx", folder / "x.xlsx")
        before = {k: (folder / k).read_bytes() for k in case.kept}
        result = fault_run(case.spec, *case.args, cwd=folder)
        after = {k: (folder / k).read_bytes() for k in case.kept if (folder / k).exists()}
        return case.id, (folder, result, before, after)

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        return dict(pool.map(lambda pair: one(*pair), enumerate(OTHERS)))


@pytest.mark.parametrize("case", OTHERS, ids=[c.id for c in OTHERS])
def test_a_stopped_command_leaves_its_files_alone(others, case: Other) -> None:  # type: ignore[no-untyped-def]
    folder, result, before, after = others[case.id]
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    assert result.status in case.status, (result.status, output[-2000:])
    for word in case.words:
        assert word in output, (word, output[-2000:])
    assert not [line for line in output.splitlines() if chinese(line, " ".join(case.args))], output
    assert after == before, "a file it was given changed"
    for name in case.absent:
        assert not (folder / name).exists(), f"{name} was left half written"
    leftovers = [p.name for p in folder.rglob("*") if p.name.endswith((".tmp", ".blank.xlsx"))]
    assert not leftovers, leftovers
